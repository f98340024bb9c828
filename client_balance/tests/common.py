from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class ClientBalanceCommon(AccountTestInvoicingCommon):
    """Base class of the client_balance tests: a company with a chart of
    accounts (from AccountTestInvoicingCommon), one user per access level and
    a client company with an invoice address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.group_user = cls.env.ref("client_balance.client_balance_group_user")
        cls.group_spend = cls.env.ref("client_balance.client_balance_group_spend")
        cls.group_manager = cls.env.ref("client_balance.client_balance_group_manager")
        cls.deposits = cls.env.ref("client_balance.client_balance_type_deposits")
        # The accountant running the tests manages client balances; each test
        # acts as the lowest user that should be able to do what it checks.
        cls.env.user.groups_id = [Command.link(cls.group_manager.id)]
        common = {"company_id": cls.company.id, "company_ids": cls.company.ids}
        cls.user_plain = new_test_user(
            cls.env,
            login="cb_plain",
            groups="base.group_user,account.group_account_invoice",
            **common,
        )
        cls.user_front_desk = new_test_user(
            cls.env,
            login="cb_front_desk",
            groups="account.group_account_invoice,client_balance.client_balance_group_user",
            **common,
        )
        cls.user_cashier = new_test_user(
            cls.env,
            login="cb_cashier",
            groups="account.group_account_invoice,client_balance.client_balance_group_spend",
            **common,
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="cb_manager",
            groups="account.group_account_manager,client_balance.client_balance_group_manager",
            **common,
        )
        cls.client = cls.env["res.partner"].create({"name": "Salon Client Ltd", "is_company": True})
        cls.client_invoice_address = cls.env["res.partner"].create(
            {"name": "Salon Client Billing", "type": "invoice", "parent_id": cls.client.id}
        )
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.cash_journal = cls.company_data["default_journal_cash"]
        cls.liability_account = cls.company.client_balance_liability_account_id
        cls.income_account = cls.company_data["default_account_revenue"]
        cls.today = fields.Date.context_today(cls.env["res.partner"])

    def _open(self, partner=None, user=None, balance_type=None, currency=None, requisite=None):
        partner = (partner or self.client).with_user(user or self.user_front_desk)
        return self.env["client.balance.account"].browse(
            partner.client_balance_open(
                (balance_type or self.deposits).id,
                currency_id=(currency or self.currency).id,
                requisite_id=requisite.id if requisite else False,
            )
        )

    def _topup(self, account, amount, user=None, journal=None):
        return self.env["client.balance.operation"].browse(
            account.with_user(user or self.user_front_desk).topup(
                amount, (journal or self.bank_journal).id
            )
        )

    def _invoice(self, amount, partner=None, currency=None, move_type="out_invoice"):
        invoice = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or self.client).id,
                "invoice_date": self.today,
                "currency_id": (currency or self.currency).id,
                "invoice_line_ids": [
                    Command.create({"name": "Service", "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _snapshot(self):
        """What a refused call must leave as it was."""
        accounts = self.env["client.balance.account"].search([])
        return (
            self.env["client.balance.operation"].search_count([]),
            len(accounts),
            self.env["account.move"].search_count([]),
            self.env["account.payment"].search_count([]),
            sum(accounts.mapped("balance")),
        )

    def assertRefused(self, exception, pattern, func, *args, **kwargs):
        """``func`` raises ``exception`` matching ``pattern`` and writes
        nothing: no operation, account, entry or payment, no balance moved."""
        before = self._snapshot()
        with self.assertRaisesRegex(exception, pattern):
            func(*args, **kwargs)
        self.env.invalidate_all()
        self.assertEqual(self._snapshot(), before, "a refused call writes nothing")

    def _liability_lines(self, account):
        return self.env["account.move.line"].search(
            [("client_balance_account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
