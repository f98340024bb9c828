import base64
import io
from datetime import date

import openpyxl
import xlwt

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestImportOpeningBalances(ClientBalanceCommon):
    """Opening balances migrated from Excel: a preview row by row, all or
    nothing, and the same file twice does not book twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client.ref = "C-001"
        cls.other = cls.env["res.partner"].create(
            {"name": "Gym Client", "is_company": True, "email": "Gym@Example.com"}
        )
        cls.eur = cls.setup_other_currency("EUR")

    def _file(self, rows):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(
            [
                "Client",
                "Requisite",
                "Type",
                "Currency",
                "Opening balance",
                "Date",
                "Opened by",
                "Note",
            ]
        )
        for row in rows:
            sheet.append(row)
        output = io.BytesIO()
        book.save(output)
        return base64.b64encode(output.getvalue())

    def _wizard(self, rows):
        wizard = (
            self.env["client.balance.import"]
            .with_user(self.user_manager)
            .create({"file": self._file(rows), "filename": "balances.xlsx"})
        )
        wizard.action_preview()
        return wizard

    GOOD = [
        ["C-001", "", "Deposits", "USD", 120.0, "2026-01-01", "cb_front_desk", "Migrated"],
        ["gym@example.com", "", "Deposits", "EUR", 80.5, "2026-01-01", "", ""],
    ]

    def test_good_and_bad_rows_then_corrected_then_again(self):
        bad = [
            *self.GOOD,
            ["Nobody Ltd", "", "Deposits", "USD", 10.0, "2026-01-01", "", ""],
            ["C-001", "", "No Such Type", "USD", 10.0, "2026-01-01", "", ""],
            ["C-001", "", "Deposits", "USD", 10.005, "2026-01-01", "", ""],
            ["C-001", "", "Deposits", "USD", 10.0, "not a date", "", ""],
            ["C-001", "", "Deposits", "USD", 10.0, "2026-01-01", "nobody", ""],
        ]
        wizard = self._wizard(bad)
        self.assertEqual(wizard.line_ids.mapped("action"), ["open", "open", *["error"] * 5])
        self.assertEqual(wizard.line_ids.mapped("row"), [2, 3, 4, 5, 6, 7, 8])
        messages = wizard.line_ids[2:].mapped("message")
        for expected, message in zip(
            ["No client has", "No balance type", "more decimals", "must be a date", "No user has"],
            messages,
            strict=True,
        ):
            self.assertIn(expected, message)
        before = self._snapshot()
        with self.assertRaisesRegex(UserError, "5 rows have errors .rows 4, 5, 6, 7, 8."):
            wizard.action_import()
        self.assertEqual(self._snapshot(), before, "nothing is imported")

        wizard = self._wizard(self.GOOD)
        self.assertEqual(wizard.error_count, 0)
        wizard.action_import()
        self.assertIn("2 accounts opened, 2 opening balances booked", wizard.summary)
        usd = self.env["client.balance.account"].search(
            [("commercial_partner_id", "=", self.client.id)]
        )
        self.assertAlmostEqual(usd.balance, 120.0)
        self.assertEqual(usd.user_id, self.user_front_desk)
        self.assertEqual(str(usd.date_open), "2026-01-01")
        opening = usd.operation_ids
        self.assertEqual(
            (opening.kind, str(opening.date), opening.description),
            ("opening", "2026-01-01", "Migrated"),
        )
        eur = self.env["client.balance.account"].search(
            [("commercial_partner_id", "=", self.other.id)]
        )
        self.assertEqual(eur.currency_id, self.eur)
        self.assertAlmostEqual(eur.balance, 80.5)

        again = self._wizard(self.GOOD)
        self.assertEqual(again.line_ids.mapped("action"), ["skip", "skip"])
        again.action_import()
        self.assertIn("2 rows skipped", again.summary)
        self.assertAlmostEqual(usd.balance, 120.0, msg="the same file twice books once")

        more = self._wizard(
            [["C-001", "", "Deposits", "USD", 30.0, "2026-02-01", "", "Top-up of the old system"]]
        )
        self.assertEqual(more.line_ids.action, "add")
        more.action_import()
        self.assertAlmostEqual(usd.balance, 150.0)
        self.assertFalse(self.env["client.balance.account"].check_integrity(self.company.ids))

    def test_amounts_and_rows_of_one_account(self):
        wizard = self._wizard(
            [
                ["C-001", "", "Deposits", "USD", "1,200", "2026-01-01", "", ""],
                ["C-001", "", "Deposits", "USD", "12,50", "2026-01-02", "", ""],
                ["C-001", "", "Deposits", "USD", " 7.25 ", "2026-01-03", "", ""],
                ["C-001", "", "Deposits", "USD", -5.0, "2026-01-04", "", ""],
            ]
        )
        self.assertEqual(wizard.line_ids.mapped("action"), ["error", "open", "add", "error"])
        self.assertIn("without thousands separators", wizard.line_ids[0].message)
        self.assertEqual(wizard.line_ids[1].amount, 12.5)
        self.assertIn("beyond what the balance type", wizard.line_ids[3].message)
        wizard = self._wizard(
            [
                ["C-001", "", "Deposits", "USD", "12,50", "2026-01-02", "", ""],
                ["C-001", "", "Deposits", "USD", " 7.25 ", "2026-01-03", "", ""],
            ]
        )
        wizard.action_import()
        self.assertIn("1 accounts opened, 2 opening balances booked", wizard.summary)
        account = self.env["client.balance.account"].search(
            [("commercial_partner_id", "=", self.client.id)]
        )
        self.assertAlmostEqual(account.balance, 19.75)

    def test_old_excel_format(self):
        """An .xls file (Excel 97-2003), with a date cell and a text date."""
        book = xlwt.Workbook()
        sheet = book.add_sheet("Balances")
        date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for column, title in enumerate(["Client", "Requisite", "Type", "Currency", "Balance"]):
            sheet.write(0, column, title)
        for row, (client, currency, amount, day) in enumerate(
            [("C-001", "USD", 120.0, date(2026, 1, 1)), ("Gym Client", "EUR", 80.5, "2026-01-02")],
            start=1,
        ):
            for column, value in enumerate([client, "", "Deposits", currency, amount]):
                sheet.write(row, column, value)
            if isinstance(day, date):
                sheet.write(row, 5, day, date_style)
            else:
                sheet.write(row, 5, day)
        output = io.BytesIO()
        book.save(output)
        wizard = (
            self.env["client.balance.import"]
            .with_user(self.user_manager)
            .create({"file": base64.b64encode(output.getvalue()), "filename": "OLD.XLS"})
        )
        wizard.action_preview()
        self.assertEqual(
            [(line.action, str(line.date), line.amount) for line in wizard.line_ids],
            [("open", "2026-01-01", 120.0), ("open", "2026-01-02", 80.5)],
        )
        wizard.action_import()
        self.assertEqual(
            sorted(
                self.env["client.balance.account"]
                .search([("commercial_partner_id", "in", (self.client | self.other).ids)])
                .mapped("balance")
            ),
            [80.5, 120.0],
        )

    def test_template_and_rights(self):
        template = openpyxl.load_workbook(
            io.BytesIO(self.env["client.balance.import"]._template_xlsx())
        ).active
        self.assertEqual(template["A1"].value, "Client (reference, name, VAT or e-mail)")
        self.assertEqual(template.max_column, 8)
        wizard = self.env["client.balance.import"].create(
            {"file": self._file(self.GOOD), "filename": "b.xlsx"}
        )
        with self.assertRaisesRegex(Exception, "Only members"):
            wizard.with_user(self.user_cashier).action_preview()
        broken = self.env["client.balance.import"].create(
            {"file": base64.b64encode(b"not excel"), "filename": "b.xlsx"}
        )
        with self.assertRaisesRegex(UserError, "cannot be read"):
            broken.action_preview()

    def test_one_entry_per_date_and_batch(self):
        """Rows of one date share one journal entry: an item per account and
        one counterpart item per currency; an account twice on a date takes a
        second entry, booked after the first."""
        usd_account = self._open()
        self.env["res.partner"].create({"name": "Third Client", "ref": "C-003", "is_company": True})
        wizard = self._wizard(
            [
                ["C-001", "", "Deposits", "USD", 100.0, "2026-01-01", "", "First"],
                ["gym@example.com", "", "Deposits", "EUR", 80.5, "2026-01-01", "", ""],
                ["C-003", "", "Deposits", "USD", -0.0, "2026-01-01", "", ""],
                ["C-003", "", "Deposits", "EUR", 40.0, "2026-01-01", "", ""],
                ["C-001", "", "Deposits", "USD", 25.0, "2026-01-01", "", "Second"],
                ["C-001", "", "Deposits", "USD", 5.0, "2026-02-01", "", ""],
            ]
        )
        self.assertEqual(
            wizard.line_ids.mapped("action"), ["add", "open", "open", "open", "add", "add"]
        )
        wizard.action_import()
        self.assertIn("3 accounts opened, 5 opening balances booked", wizard.summary)
        operations = self.env["client.balance.operation"].search(
            [("kind", "=", "opening"), ("company_id", "=", self.company.id)], order="id"
        )
        self.assertEqual(len(operations), 5, "the zero row opens an account, books nothing")
        first = operations[:3].move_id
        self.assertEqual(len(first), 1)
        self.assertEqual(first.state, "posted")
        self.assertEqual(first.ref, "Opening balances from balances.xlsx")
        self.assertEqual(str(first.date), "2026-01-01")
        balance_items = first.line_ids.filtered("client_balance_account_id")
        self.assertEqual(len(balance_items), 3)
        counterparts = first.line_ids - balance_items
        opening_account = self.deposits._get_accounting(self.company)["opening_account"]
        self.assertEqual(counterparts.account_id, opening_account)
        self.assertEqual(
            sorted((line.currency_id.name, line.amount_currency) for line in counterparts),
            [("EUR", 120.5), ("USD", 100.0)],
        )
        self.assertTrue(first.currency_id.is_zero(sum(first.line_ids.mapped("balance"))))
        second, third = operations[3:]
        self.assertNotIn(second.move_id, first | third.move_id)
        self.assertEqual(
            [(op.account_id, op.amount, op.balance_after, op.description) for op in operations],
            [
                (usd_account, 100.0, 100.0, "First"),
                (operations[1].account_id, 80.5, 80.5, "Opening balance"),
                (operations[2].account_id, 40.0, 40.0, "Opening balance"),
                (usd_account, 25.0, 125.0, "Second"),
                (usd_account, 5.0, 130.0, "Opening balance"),
            ],
        )
        self.assertAlmostEqual(usd_account.balance, 130.0)
        self.assertFalse(self.env["client.balance.account"].check_integrity(self.company.ids))

    def test_analytic_distribution_models_apply(self):
        """Items of an imported entry get the analytic distribution Odoo's
        models give them, and their analytic items once posted."""
        plan = self.env["account.analytic.plan"].create({"name": "Clients"})
        analytic = self.env["account.analytic.account"].create(
            {"name": "Salon", "plan_id": plan.id, "company_id": False}
        )
        self.env["account.analytic.distribution.model"].create(
            {
                "partner_id": self.client_invoice_address.id,
                "analytic_distribution": {str(analytic.id): 100},
            }
        )
        self._wizard(self.GOOD[:1]).action_import()
        item = self.env["account.move.line"].search(
            [("client_balance_account_id.commercial_partner_id", "=", self.client.id)]
        )
        self.assertEqual(item.analytic_distribution, {str(analytic.id): 100})
        self.assertEqual(item.analytic_line_ids[plan._column_name()], analytic)
        self.assertAlmostEqual(item.analytic_line_ids.amount, 120.0)

    def test_error_at_import_names_the_row(self):
        account = self._open()
        wizard = self._wizard([["C-001", "", "Deposits", "USD", 10.0, "2026-01-01", "", ""]])
        self.assertEqual(wizard.line_ids.action, "add")
        account.action_close()
        before = self._snapshot()
        with self.assertRaisesRegex(UserError, "Row 2: .* is closed: reopen it first"):
            wizard.action_import()
        self.assertEqual(self._snapshot(), before)
