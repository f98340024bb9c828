from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestSecuredBooks(ClientBalanceCommon):
    """Every operation and its reversal on journals that secure their posted
    entries with Odoo's hash chain, and against each lock date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_journal = cls.company_data["default_journal_sale"]
        cls.balance_journal = cls.deposits._get_accounting(cls.company)["journal"]
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Secured Other Client", "is_company": True}
        )
        cls.tax = cls.company_data["default_tax_sale"]
        cls.deposits.deposit_tax_ids = [Command.link(cls.tax.id)]
        cls.yesterday = fields.Date.subtract(cls.today, days=1)
        cls.last_week = fields.Date.subtract(cls.today, days=7)

    def setUp(self):
        super().setUp()
        self.account = self._open()
        self.other = self._open(partner=self.other_client)

    def _register(self, invoice, amount, **values):
        return (
            self.env["account.payment.register"]
            .with_user(self.user_cashier)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "journal_id": self.bank_journal.id, **values})
            ._create_payments()
        )

    def _every_operation(self):
        """One operation of each kind a user books, on ``self.account``;
        returns those a manager can reverse."""
        Operation = self.env["client.balance.operation"]
        account = self.account
        topup = self._topup(account, 500.0)
        spend = Operation.browse(account.with_user(self.user_cashier).spend(self._invoice(40.0).id))
        adjustment = Operation.browse(
            account.with_user(self.user_manager).adjust(
                25.0, self.income_account.id, "Goodwill for a late delivery"
            )
        )
        self._topup(self.other, 10.0)
        self.other.with_user(self.user_cashier).transfer(account.id, 10.0)
        payout = Operation.browse(
            account.with_user(self.user_manager).payout(5.0, self.cash_journal.id)
        )
        refund = Operation.browse(
            self._invoice(15.0, move_type="out_refund")
            .with_user(self.user_cashier)
            .client_balance_refund_to_balance()
        )
        deposit = self.env["account.move"].browse(
            account.with_user(self.user_front_desk).request_deposit(100.0, tax_ids=self.tax.ids)
        )
        deposit.action_post()
        self._register(self._invoice(100.0), 120.0, client_balance_credit_difference=True)
        self._register(self._invoice(100.0), 70.0, client_balance_debit=True)
        credit_difference, debit = (
            Operation.search(
                [("account_id", "=", account.id), ("kind", "=", kind)], order="id desc", limit=1
            )
            for kind in ("credit_difference", "debit_difference")
        )
        self.assertTrue(credit_difference and debit and deposit.state == "posted")
        return topup | spend | adjustment | payout | refund | credit_difference | debit

    def test_every_operation_on_secured_journals(self):
        journals = self.bank_journal | self.cash_journal | self.balance_journal | self.sales_journal
        journals.restrict_mode_hash_table = True
        operations = self._every_operation()
        reversals = self.env["client.balance.operation"].browse(
            # The latest first: the top-up is what the others were taken from.
            [operation.with_user(self.user_manager).reverse() for operation in reversed(operations)]
        )
        self.assertEqual(set(operations.mapped("state")), {"reversed"})
        moves = (
            self.env["client.balance.operation"]
            .search([("account_id", "in", (self.account | self.other).ids)])
            .move_id
        )
        self.assertEqual(len(moves.journal_id - journals), 0)
        self.assertTrue(reversals.move_id <= moves)
        self.assertTrue(
            all(moves.mapped("inalterable_hash")),
            "every entry of a balance on a secured journal is hashed when posted",
        )
        results = self.company._check_hash_integrity()["results"]
        self.assertTrue(results)
        self.assertFalse(
            [result for result in results if result["status"] == "corrupted"],
            "the hash chain is intact after the operations and their reversals",
        )
        self.assertEqual(
            self.env["client.balance.account"].check_integrity(company_ids=self.company.ids), []
        )

    def _check_locked(self, lock_field):
        """With ``lock_field`` set to yesterday, an operation or a reversal
        dated in the locked period is refused and writes nothing; the same
        dated today is booked, and an operation from before the lock is
        reversed today."""
        account = self.account
        front_desk = account.with_user(self.user_front_desk)
        older = self.env["client.balance.operation"].browse(
            front_desk.topup(300.0, self.bank_journal.id, date=self.last_week)
        )
        self.company.sudo()[lock_field] = self.yesterday
        self.assertRefused(
            UserError,
            "locked until",
            front_desk.topup,
            10.0,
            self.bank_journal.id,
            date=self.yesterday,
        )
        self.assertRefused(
            UserError,
            "locked until",
            older.with_user(self.user_manager).reverse,
            date=self.yesterday,
        )
        reversal = self.env["client.balance.operation"].browse(
            older.with_user(self.user_manager).reverse()
        )
        self.assertEqual(reversal.date, self.today)
        topup = self.env["client.balance.operation"].browse(
            front_desk.topup(10.0, self.bank_journal.id, date=self.today)
        )
        self.assertEqual((topup.state, account.balance), ("posted", 10.0), "300.00 reversed")
        self.assertEqual(
            self.env["client.balance.account"].check_integrity(company_ids=self.company.ids), []
        )

    def test_fiscal_year_lock_date(self):
        self._check_locked("fiscalyear_lock_date")

    def test_hard_lock_date(self):
        self._check_locked("hard_lock_date")

    def test_sales_and_tax_lock_dates(self):
        """The sales lock date holds the sales journal only, the tax lock
        date entries with taxes only: a top-up dated in their period is
        booked; a deposit invoice with VAT dated there is posted, and its
        credit booked, on the first day Odoo allows."""
        self.company.sudo().write(
            {"sale_lock_date": self.yesterday, "tax_lock_date": self.yesterday}
        )
        front_desk = self.account.with_user(self.user_front_desk)
        topup = self.env["client.balance.operation"].browse(
            front_desk.topup(10.0, self.bank_journal.id, date=self.yesterday)
        )
        self.assertEqual((topup.date, topup.move_id.state), (self.yesterday, "posted"))
        deposit = self.env["account.move"].browse(
            front_desk.request_deposit(100.0, date=self.yesterday, tax_ids=self.tax.ids)
        )
        deposit.action_post()
        operation = deposit.client_balance_operation_ids
        self.assertEqual(deposit.invoice_date, self.yesterday)
        self.assertEqual((deposit.date, operation.date), (self.today, self.today))
        self.assertAlmostEqual(self.account.balance, 110.0)
        self.assertEqual(
            self.env["client.balance.account"].check_integrity(company_ids=self.company.ids), []
        )
