from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestBadInput(ClientBalanceCommon):
    """Bad input gets a clear error and writes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls._open_class()
        cls.account.with_user(cls.user_front_desk).topup(100.0, cls.bank_journal.id)

    @classmethod
    def _open_class(cls):
        return cls.env["client.balance.account"].browse(
            cls.client.with_user(cls.user_front_desk).client_balance_open(cls.deposits.id)
        )

    def test_amounts(self):
        topup = self.account.with_user(self.user_front_desk).topup
        self.assertRefused(UserError, "must be positive", topup, 0.0, self.bank_journal.id)
        self.assertRefused(UserError, "must be positive", topup, -5.0, self.bank_journal.id)
        self.assertRefused(UserError, "more decimals", topup, 10.005, self.bank_journal.id)
        self.assertRefused(UserError, "must be a number", topup, "10", self.bank_journal.id)
        adjust = self.account.with_user(self.user_manager).adjust
        self.assertRefused(UserError, "more decimals", adjust, -1.005, self.income_account.id, "x")
        self.assertRefused(UserError, "Describe why", adjust, 5.0, self.income_account.id, " ")
        self.assertRefused(
            UserError,
            "cannot be a client balance account",
            adjust,
            5.0,
            self.liability_account.id,
            "Loop",
        )

    def test_topup_journal(self):
        self.assertRefused(
            UserError,
            "bank or cash journal",
            self.account.with_user(self.user_front_desk).topup,
            10.0,
            self.company_data["default_journal_sale"].id,
        )

    def test_spend_more_than_available_or_due(self):
        invoice = self._invoice(500.0)
        spend = self.account.with_user(self.user_cashier).spend
        self.assertRefused(UserError, "100.00 available", spend, invoice.id, 150.0)
        small = self._invoice(30.0)
        self.assertRefused(UserError, "left to pay", spend, small.id, 40.0)

    def test_spend_wrong_documents(self):
        spend = self.account.with_user(self.user_cashier).spend
        bill = self._invoice(20.0, move_type="in_invoice")
        self.assertRefused(UserError, "customer invoices only", spend, bill.id, 10.0)
        refund = self._invoice(20.0, move_type="out_refund")
        self.assertRefused(UserError, "customer invoices only", spend, refund.id, 10.0)
        other_client = self.env["res.partner"].create({"name": "Someone Else"})
        foreign = self._invoice(20.0, partner=other_client)
        self.assertRefused(UserError, "billed to", spend, foreign.id, 10.0)
        eur = self.setup_other_currency("EUR")
        in_eur = self._invoice(20.0, currency=eur)
        self.assertRefused(UserError, "pay it from a balance in EUR", spend, in_eur.id, 10.0)
        draft = self._invoice(20.0)
        draft.button_draft()
        self.assertRefused(UserError, "not a posted invoice", spend, draft.id, 10.0)

    def test_closed_account(self):
        with self.assertRaisesRegex(UserError, "bring it to zero"):
            self.account.with_user(self.user_front_desk).action_close()
        empty = self._open(requisite=self.client)
        empty.with_user(self.user_front_desk).action_close()
        self.assertEqual(empty.state, "closed")
        self.assertRefused(
            UserError,
            "is closed",
            empty.with_user(self.user_front_desk).topup,
            5.0,
            self.bank_journal.id,
        )

    def test_lock_date(self):
        self.company.fiscalyear_lock_date = fields.Date.subtract(self.today, days=1)
        self.assertRefused(
            UserError,
            "locked until",
            self.account.with_user(self.user_front_desk).topup,
            10.0,
            self.bank_journal.id,
            date=fields.Date.subtract(self.today, days=5),
        )

    def test_reverse_twice_and_below_minimum(self):
        invoice = self._invoice(80.0)
        spend = self.env["client.balance.operation"].browse(
            self.account.with_user(self.user_cashier).spend(invoice.id)
        )
        topup = self.account.operation_ids.filtered(lambda op: op.kind == "topup")
        self.assertRefused(UserError, "20.00 available", topup.with_user(self.user_manager).reverse)
        reversal = self.env["client.balance.operation"].browse(
            spend.with_user(self.user_manager).reverse()
        )
        self.assertRefused(
            UserError, "already reversed", spend.with_user(self.user_manager).reverse
        )
        self.assertRefused(
            UserError, "cannot be reversed", reversal.with_user(self.user_manager).reverse
        )

    def test_rights(self):
        invoice = self._invoice(10.0)
        topup = self.account.operation_ids
        self.assertRefused(
            AccessError,
            "Only members of .*User can do this",
            self.account.with_user(self.user_plain).topup,
            5.0,
            self.bank_journal.id,
        )
        self.assertRefused(
            AccessError,
            "Pay from Balance",
            self.account.with_user(self.user_front_desk).spend,
            invoice.id,
        )
        self.assertRefused(
            AccessError,
            "Manager",
            self.account.with_user(self.user_cashier).adjust,
            5.0,
            self.income_account.id,
            "Gift",
        )
        self.assertRefused(AccessError, "Manager", topup.with_user(self.user_cashier).reverse)
        self.assertRefused(
            AccessError,
            "Manager",
            self.client.with_user(self.user_front_desk).client_balance_open,
            self.deposits.id,
            initial_amount=50.0,
            requisite_id=self.client.id,
        )
        self.assertRefused(
            AccessError,
            "Only members of .*User can do this",
            self.client.with_user(self.user_plain).client_balance_summary,
        )
        with self.assertRaisesRegex(
            AccessError, "not allowed to create 'Client Balance Operation'"
        ):
            self.env["client.balance.operation"].with_user(self.user_manager).create(
                {
                    "kind": "topup",
                    "account_id": self.account.id,
                    "amount": 1.0,
                    "date": self.today,
                    "user_id": self.user_manager.id,
                }
            )

    def test_open_errors(self):
        self.assertRefused(
            UserError,
            "already exists",
            self.client.with_user(self.user_front_desk).client_balance_open,
            self.deposits.id,
        )
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        self.assertRefused(
            UserError,
            "requisite must be",
            self.client.with_user(self.user_front_desk).client_balance_open,
            self.deposits.id,
            requisite_id=stranger.id,
        )
        usd_only = self.env["client.balance.type"].create(
            {"name": "USD credit", "currency_ids": [fields.Command.set(self.currency.ids)]}
        )
        eur = self.setup_other_currency("EUR")
        with self.assertRaisesRegex(ValidationError, "does not allow EUR"):
            self._open(balance_type=usd_only, currency=eur)


@tagged("post_install", "-at_install")
class TestMultiCompany(ClientBalanceCommon):
    def test_record_rules(self):
        company_2 = self.setup_other_company(name="Branch Two")["company"]
        self.assertTrue(company_2.client_balance_liability_account_id)
        account_1 = self._open()
        self._topup(account_1, 10.0)
        account_2 = self.env["client.balance.account"].browse(
            self.client.with_company(company_2).client_balance_open(
                self.deposits.id, currency_id=company_2.currency_id.id
            )
        )
        self.assertEqual(account_2.company_id, company_2)
        self.assertEqual(
            account_2.liability_account_id, company_2.client_balance_liability_account_id
        )
        Account = self.env["client.balance.account"].with_user(self.user_manager)
        self.assertEqual(Account.search([("partner_id", "child_of", self.client.id)]), account_1)
        self.assertFalse(
            self.env["client.balance.operation"]
            .with_user(self.user_manager)
            .search([("company_id", "=", company_2.id)])
        )
        with self.assertRaisesRegex(AccessError, r"'read' access to:\s+- Client Balance Account"):
            account_2.with_user(self.user_manager).topup(5.0, self.bank_journal.id)
        invoice_2 = self._invoice_in(company_2)
        with self.assertRaisesRegex(AccessError, r"'read' access to:\s+- Journal Entry"):
            account_1.with_user(self.user_manager).spend(invoice_2.id, 5.0)
        self.assertEqual(account_1.balance, 10.0)
        restricted = self.env["client.balance.type"].create(
            {"name": "Branch Two only", "company_ids": [fields.Command.set(company_2.ids)]}
        )
        self.assertNotIn(
            restricted,
            self.env["client.balance.type"].with_user(self.user_manager).search([]),
        )

    def _invoice_in(self, company):
        invoice = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.client.id,
                    "invoice_date": self.today,
                    "invoice_line_ids": [
                        fields.Command.create(
                            {"name": "Service", "price_unit": 20.0, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        return invoice


@tagged("post_install", "-at_install")
class TestPerformance(ClientBalanceCommon):
    def _summary_queries(self):
        partner = self.client.with_user(self.user_front_desk)
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        summary = partner.client_balance_summary()
        # The partner form reads the summary too.
        self.assertTrue(partner.client_balance_summary_html)
        return self.env.cr.sql_log_count - before, summary

    def test_summary_query_count_is_constant(self):
        account = self._open()
        self._topup(account, 1.0)
        baseline, _summary = self._summary_queries()
        for _i in range(25):
            self._topup(account, 1.0)
        self.env.invalidate_all()
        with self.assertQueryCount(baseline):
            summary = self.client.with_user(self.user_front_desk).client_balance_summary()
            html = self.client.with_user(self.user_front_desk).client_balance_summary_html
        self.assertEqual(summary[0]["balance"], 26.0)
        self.assertIn("26.00", html)
