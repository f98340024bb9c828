import io
from datetime import timedelta

import openpyxl

from odoo import Command, fields
from odoo.tests import tagged

from .tour_common import ClientBalanceTourCase

INVOICING = "account.group_account_invoice"
CB_USER = "client_balance.client_balance_group_user"
CB_SPEND = "client_balance.client_balance_group_spend"
CB_MANAGER = "client_balance.client_balance_group_manager"
# The tours start in Invoicing, where their menus are.
INVOICES = "/odoo/action-account.action_move_out_invoice_type"


@tagged("post_install", "-at_install", "client_balance_tours")
class TestServiceTours(ClientBalanceTourCase):
    """The gym's cashier, the canteen's till, the back office's report and
    import, and the client in the portal, each clicked by the lowest user
    that should be enough."""

    def setUp(self):
        super().setUp()
        self.deposits = self.env.ref("client_balance.client_balance_type_deposits")
        self.currency = self.env.company.currency_id
        self.today = fields.Date.context_today(self.env["res.partner"])

    # ------------------------------------------------------------------
    # 1. Store credit sold on an invoice (the gym)
    # ------------------------------------------------------------------

    def test_store_credit_invoice(self):
        """The gym's cashier sells 50.00 of store credit on an invoice and
        registers the member's payment, with Invoicing (Billing) rights only:
        selling credit is ordinary invoicing, it needs no Client Balances
        group (posting opens the member's account and books the credit)."""
        self._user("gym_cashier", [INVOICING])
        member = self._client("Gym Member Tina")
        self.start_workflow_tour(
            "/odoo/action-account.action_move_out_invoice_type",
            "client_balance_gym_store_credit_invoice",
            "gym_cashier",
        )
        invoice = self.env["account.move"].search(
            [("partner_id", "=", member.id), ("move_type", "=", "out_invoice")]
        )
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, 50.0, "store credit carries no tax")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.create_uid.login, "gym_cashier")
        account = member.client_balance_account_ids
        self.assertEqual(len(account), 1, "posting opened the member's account")
        self.assertEqual(account.type_id, self.deposits)
        self.assertEqual(account.balance, 50.0)
        self.assertEqual(account.available, 50.0, "available once the invoice is paid")
        operation = account.operation_ids
        self.assertEqual(len(operation), 1)
        self.assertEqual(operation.kind, "deposit")
        self.assertEqual(operation.amount, 50.0)
        self.assertEqual(operation.move_id, invoice)
        self.assertEqual(operation.state, "posted")
        self.assertEqual(operation.user_id.login, "gym_cashier")
        liability = self._liability(operation.move_id, operation.account_id)
        self.assertEqual(liability.mapped("credit"), [50.0])
        self.assertEqual(liability.client_balance_account_id, account)
        # The payment is what made the credit available: without it, the
        # balance holds the credit and nothing of it is available.
        invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).remove_move_reconcile()
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(account.balance, 50.0)
        self.assertEqual(account.available, 0.0)

    # ------------------------------------------------------------------
    # 2. Staff card lookup and charge (the canteen)
    # ------------------------------------------------------------------

    def test_canteen_card(self):
        """The canteen's till, with Invoicing (Billing) rights to read the
        person's invoice and Client Balances / Pay from Balance, the group
        that may charge a card (a User only looks cards up)."""
        self._user("canteen_till", [INVOICING, CB_SPEND])
        employer = self._client(
            "Acme Staff Ltd",
            is_company=True,
            client_balance_allowance_enabled=True,
            client_balance_allowance_period="day",
            client_balance_allowance_limit=20.0,
            client_balance_allowance_currency_id=self.currency.id,
            client_balance_allowance_date_start=self.today - timedelta(days=30),
        )
        ivan = self._client(
            "Ivan Petrov", parent_id=employer.id, client_balance_card_code="TOUR-C-001"
        )
        meals = {}
        for amount in (15.0, 18.0):
            meal = self._invoice(ivan, amount, name="Lunch", post=False)
            meal.ref = f"Lunch {amount:.2f}"
            meal.action_post()
            meals[amount] = meal
        cash = self.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", self.env.company.id)], limit=1
        )
        self.assertEqual(cash.name, "Cash", "the tour chooses the journal named Cash")
        self.start_workflow_tour(INVOICES, "client_balance_canteen_card", "canteen_till")
        charges = self.env["client.balance.allowance.charge"].search(
            [("person_id", "=", ivan.id)], order="id"
        )
        self.assertEqual(charges.invoice_id, meals[15.0] | meals[18.0], "one charge per meal")
        first, second = charges
        self.assertEqual((first.company_share, first.person_share), (15.0, 0.0))
        self.assertFalse(first.person_payment_id)
        self.assertEqual((second.company_share, second.person_share), (5.0, 13.0))
        self.assertEqual(second.person_payment_id.amount, 13.0)
        self.assertEqual(second.person_payment_id.journal_id, cash)
        self.assertEqual(charges.employer_id, employer)
        self.assertEqual(set(charges.mapped("user_id.login")), {"canteen_till"})
        self.assertEqual(set(charges.mapped("state")), {"open"})
        # The company's shares stay due on the meals, on its receivable.
        self.assertEqual(meals[15.0].amount_residual, 15.0)
        self.assertEqual(meals[18.0].amount_residual, 5.0)
        self.assertEqual(meals[15.0].commercial_partner_id, employer)
        self.assertEqual(employer.client_balance_allowance_open, 20.0)
        state = self.env["res.partner"]._client_balance_card_state(ivan, day=first.date)
        self.assertEqual((state["used"], state["remaining"]), (20.0, 0.0))

    # ------------------------------------------------------------------
    # 3. The Client Balances report, filtered and exported
    # ------------------------------------------------------------------

    def test_report_client_balances(self):
        """The back office reads the report with Client Balances / User (the
        report is reading) and Invoicing (Billing) rights, which the
        Invoicing menu the report sits in requires."""
        self._user("report_reader", [INVOICING, CB_USER])
        gift = self.env["client.balance.type"].search([("name", "=", "Gift credit")])
        self.assertEqual(len(gift), 1)
        tag = self.env["res.partner.category"].create({"name": "Tour Report Clients"})
        bank = self._bank_journal()
        figures = {"Report Client Anna": (120.0, 30.0), "Report Client Boris": (45.5, 60.0)}
        for name, (gift_amount, deposit_amount) in figures.items():
            client = self._client(name, category_id=[Command.link(tag.id)])
            self._account(client, gift).topup(gift_amount, bank.id)
            self._account(client).topup(deposit_amount, bank.id)
        operations_before = self.env["client.balance.operation"].search_count([])
        self.start_workflow_tour(INVOICES, "client_balance_report_client_balances", "report_reader")
        self.assertEqual(
            self.env["client.balance.operation"].search_count([]),
            operations_before,
            "the report writes nothing",
        )
        wizards = self.env["client.balance.report.wizard"].search(
            [("create_uid.login", "=", "report_reader")], order="id"
        )
        self.assertEqual(len(wizards), 2, "shown once, exported once")
        for wizard in wizards:
            self.assertEqual(wizard.type_ids, gift)
            self.assertEqual(wizard.category_ids, tag)
        sheet = openpyxl.load_workbook(io.BytesIO(wizards[-1]._xlsx())).active
        values = {row[0]: row[1] for row in sheet.iter_rows(min_row=6, values_only=True)}
        self.assertEqual(
            values, {"Report Client Anna": 120.0, "Report Client Boris": 45.5, "Total": 165.5}
        )

    # ------------------------------------------------------------------
    # 4. The client reads its history in the portal
    # ------------------------------------------------------------------

    def test_portal_history(self):
        """The client itself, a portal user (base.group_portal) whose partner
        is the client: the portal shows a client its own balances only."""
        client = self._client("Portal Client Vera", email="vera@example.com")
        other = self._client("Portal Stranger Max")
        bank = self._bank_journal()
        account = self._account(client)
        account.topup(100.0, bank.id, False, "Ten classes paid ahead")
        invoice = self._invoice(client, 30.0, name="Yoga class")
        account.spend(invoice.id, 30.0)
        self._account(other).topup(555.0, bank.id, False, "Not for Vera")
        portal = self._user(
            "portal_vera", ["base.group_portal"], name=client.name, partner_id=client.id
        )
        self.assertEqual(portal.partner_id, client)
        operations_before = self.env["client.balance.operation"].search_count([])
        self.start_workflow_tour("/my", "client_balance_portal_history", "portal_vera")
        self.assertEqual(
            self.env["client.balance.operation"].search_count([]),
            operations_before,
            "the portal writes nothing",
        )
        self.assertEqual(account.balance, 70.0)
        self.assertEqual(account.available, 70.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    # ------------------------------------------------------------------
    # 5. Excel import, a bad row, then a good file
    # ------------------------------------------------------------------

    def _xlsx(self, rows):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(
            ["Client", "Requisite", "Type", "Currency", "Opening balance", "Date", "By", "Note"]
        )
        for row in rows:
            sheet.append(row)
        output = io.BytesIO()
        book.save(output)
        return output.getvalue()

    def test_import_errors(self):
        """The migration, with Client Balances / Manager (imports are
        managers' work) and Invoicing (Billing) rights, which the Invoicing
        menu the import sits in requires."""
        manager = self._user("import_manager", [INVOICING, CB_MANAGER])
        self._client("Import Client Olga", ref="IMP-001")
        self._client("Import Client Petar", ref="IMP-002")
        day = fields.Date.to_string(self.today.replace(day=1))
        usd = self.currency.name
        good = [
            ["IMP-001", "", "Deposits", usd, 120.0, day, "", "Migrated"],
            ["IMP-002", "", "Deposits", usd, 80.5, day, "", "Migrated"],
        ]
        bad = [*good, ["IMP-001", "", "No Such Type", usd, 10.0, day, "", ""]]
        files = {}
        for name, rows in (("bad", bad), ("good", good)):
            files[name] = (
                self.env["ir.attachment"]
                .with_user(manager)
                .create(
                    {
                        "name": f"opening_{name}.xlsx",
                        "raw": self._xlsx(rows),
                        "mimetype": "application/vnd.openxmlformats-officedocument"
                        ".spreadsheetml.sheet",
                    }
                )
            )
        operations_before = self.env["client.balance.operation"].search_count([])
        self.start_workflow_tour(
            INVOICES,
            "client_balance_import_errors",
            "import_manager",
            cookies={
                "cb_tour_bad_file": str(files["bad"].id),
                "cb_tour_good_file": str(files["good"].id),
            },
        )
        operations = self.env["client.balance.operation"].search(
            [("account_id.partner_id.ref", "in", ["IMP-001", "IMP-002"])]
        )
        self.assertEqual(
            self.env["client.balance.operation"].search_count([]),
            operations_before + 2,
            "the bad file imported nothing, the good one its two rows",
        )
        self.assertEqual(
            sorted(operations.mapped(lambda op: (op.account_id.partner_id.ref, op.amount))),
            [("IMP-001", 120.0), ("IMP-002", 80.5)],
        )
        self.assertEqual(set(operations.mapped("kind")), {"opening"})
        self.assertEqual(set(operations.mapped("user_id.login")), {"import_manager"})
        self.assertEqual(len(operations.move_id), 1, "one entry for the date")
        self.assertEqual(operations.move_id.ref, "Opening balances from opening_good.xlsx")
        for operation in operations:
            liability = operations.move_id.line_ids.filtered(
                lambda line, op=operation: line.client_balance_account_id == op.account_id
            )
            self.assertEqual(liability.credit, operation.amount)
            self.assertEqual(liability.account_id, operation.account_id.liability_account_id)
            self.assertEqual(operation.account_id.balance, operation.amount)
        self.assertEqual(operations.move_id.state, "posted")
