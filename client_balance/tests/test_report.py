import io
from datetime import date

import openpyxl

from odoo.tests import tagged

from ..controllers.main import ClientBalanceReportController
from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestClientBalancesReport(ClientBalanceCommon):
    """Balances per client and currency as of any date, from the posted
    journal items, checked against hand-made figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR")
        cls.other = cls.env["res.partner"].create({"name": "Gym Client", "is_company": True})

    def _topup_on(self, account, amount, day):
        return account.with_user(self.user_front_desk).topup(amount, self.bank_journal.id, day)

    def _books(self):
        usd = self._open()
        self._topup_on(usd, 100.0, date(2026, 1, 10))
        self._topup_on(usd, 50.0, date(2026, 3, 1))
        usd.with_user(self.user_cashier).spend(self._invoice(30.0).id)
        eur = self._open(currency=self.eur, requisite=self.client)
        self._topup_on(eur, 200.0, date(2026, 2, 1))
        other = self._open(partner=self.other)
        self._topup_on(other, 70.0, date(2026, 2, 15))
        # An unpaid deposit: in the balance, not available.
        self.env["account.move"].browse(
            other.with_user(self.user_front_desk).request_deposit(40.0)
        ).action_post()
        return usd, eur, other

    def _report(self, **values):
        return (
            self.env["client.balance.report.wizard"]
            .with_user(self.user_front_desk)
            .create({"company_ids": [(6, 0, self.company.ids)], **values})
        )

    def _figures(self, wizard):
        rows, _currencies, totals = wizard._rows()
        return (
            {
                record.display_name: {currency.name: cell for currency, cell in cells.items()}
                for record, cells in rows.items()
            },
            {currency.name: total for currency, total in totals.items()},
        )

    def test_as_of_a_past_date(self):
        self._books()
        rows, totals = self._figures(self._report(date=date(2026, 2, 20)))
        self.assertEqual(
            rows,
            {
                "Salon Client Ltd": {"USD": {"balance": 100.0}, "EUR": {"balance": 200.0}},
                "Gym Client": {"USD": {"balance": 70.0}},
            },
        )
        self.assertEqual(totals, {"USD": 170.0, "EUR": 200.0})

    def test_today_per_requisite_and_filters(self):
        self._books()
        rows, totals = self._figures(self._report(group_by="partner_id"))
        self.assertEqual(
            rows,
            {
                "Salon Client Ltd, Salon Client Billing": {"USD": {"balance": 120.0}},
                "Salon Client Ltd": {"EUR": {"balance": 200.0}},
                "Gym Client": {"USD": {"balance": 110.0, "available": 70.0}},
            },
        )
        self.assertEqual(totals, {"USD": 230.0, "EUR": 200.0})
        rows, _totals = self._figures(self._report(currency_ids=[(6, 0, self.eur.ids)]))
        self.assertEqual(rows, {"Salon Client Ltd": {"EUR": {"balance": 200.0}}})
        tag = self.env["res.partner.category"].create({"name": "Gym"})
        self.other.category_id = tag
        rows, _totals = self._figures(self._report(category_ids=[(6, 0, tag.ids)]))
        self.assertEqual(list(rows), ["Gym Client"])

    def test_views_and_drill_down(self):
        self._books()
        action = self._report(date=date(2026, 2, 20)).action_open()
        self.assertEqual(action["context"]["pivot_column_groupby"], ["currency_id"])
        lines = self.env["client.balance.report.line"].search(action["domain"])
        self.assertEqual(sorted(lines.mapped("balance")), [70.0, 100.0, 200.0])
        self.assertTrue(all(line.move_id.state == "posted" for line in lines))
        # Each item shows the operation that booked it, and opens it.
        for line in lines:
            self.assertEqual(line.operation_id.move_id, line.move_id)
            self.assertEqual(line.operation_id.account_id, line.account_id)
            self.assertEqual((line.kind, line.balance), ("topup", line.operation_id.amount))
        opened = lines[0].with_user(self.user_front_desk).action_open_operation()
        self.assertEqual(
            (opened["res_model"], opened["res_id"]),
            ("client.balance.operation", lines[0].operation_id.id),
        )
        # The unpaid deposit invoice's item is its operation's too.
        deposit = self.env["client.balance.report.line"].search(
            [("kind", "=", "deposit"), ("commercial_partner_id", "=", self.other.id)]
        )
        self.assertEqual(deposit.balance, 40.0)
        self.assertEqual(deposit.operation_id.move_id.move_type, "out_invoice")

    def test_xlsx_read_only(self):
        """The export: one column per currency, the available amount next to
        a balance where it differs, a header naming date, company and
        filters; built on a read-only transaction by a read-only route."""
        self._books()
        wizard = self._report()
        self.env.flush_all()
        self.env.cr.execute("SET TRANSACTION READ ONLY")
        content = wizard._xlsx()
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        self.assertIn("Client Balances as of", sheet["A1"].value)
        self.assertIn(self.company.name, sheet["A2"].value)
        self.assertEqual(sheet["A3"].value, "Filters: none")
        header = [cell.value for cell in sheet[5]]
        self.assertEqual(header, ["Client", "EUR", "USD", "USD available"])
        body = {
            row[0].value: [cell.value for cell in row[1:]] for row in sheet.iter_rows(min_row=6)
        }
        self.assertEqual(body["Gym Client"], [None, 110.0, 70.0])
        self.assertEqual(body["Salon Client Ltd"], [200.0, 120.0, None])
        self.assertEqual(body["Total"], [200.0, 230.0, None])
        routing = ClientBalanceReportController.report_xlsx.original_routing
        self.assertTrue(routing["readonly"])
