from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestExpiry(ClientBalanceCommon):
    """Credit valid 12 months: the oldest credit is spent first, what is
    left of it after a year is taken out, the client is told beforehand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gift = cls.env["client.balance.type"].create(
            {"name": "Gift credit", "validity_months": 12, "expiry_notice_days": 14}
        )
        cls.gift.with_company(cls.company).expired_account_id = cls.income_account
        cls.client.email = "salon.client@example.com"
        cls.client_invoice_address.email = "billing@example.com"
        cls.account = cls._open_gift()

    @classmethod
    def _open_gift(cls):
        return cls.env["client.balance.account"].browse(
            cls.client.with_user(cls.user_front_desk).client_balance_open(
                cls.gift.id, currency_id=cls.currency.id
            )
        )

    def _topup_on(self, amount, date):
        return self.env["client.balance.operation"].browse(
            self.account.with_user(self.user_front_desk).topup(
                amount, self.bank_journal.id, date=date
            )
        )

    def test_fifo_and_expiry(self):
        old = self._topup_on(100.0, self.today - relativedelta(months=13))
        self.account.with_user(self.user_cashier).spend(self._invoice(30.0).id)
        recent = self._topup_on(50.0, self.today)
        self.assertEqual(self.account._credits_left(), {old: 70.0, recent: 50.0})
        self.assertEqual(old.expiry_date, old.date + relativedelta(months=12))
        self.assertAlmostEqual(old.credit_left, 70.0)

        expiry = self.account._expire_credits(self.today)
        self.assertEqual(expiry.kind, "expiry")
        self.assertAlmostEqual(expiry.amount, -70.0)
        self.assertEqual(expiry.expired_operation_ids, old)
        self.assertAlmostEqual(self.account.balance, 50.0)
        income = expiry.move_id.line_ids.filtered(
            lambda line: line.account_id == self.income_account
        )
        self.assertAlmostEqual(income.balance, -70.0)
        self.assertEqual(self.account._credits_left(), {recent: 50.0})
        # Nothing more to expire today; the recent credit expires next year.
        self.assertFalse(self.account._expire_credits(self.today))
        self.assertFalse(self.env["client.balance.account"].check_integrity(self.company.ids))

        with self.assertRaisesRegex(UserError, "scheduled action's to make"):
            expiry.with_user(self.user_manager).reverse()

    def test_scheduled_action_and_notice(self):
        expired = self._topup_on(40.0, self.today - relativedelta(months=12))
        soon = self._topup_on(25.0, self.today - relativedelta(months=12, days=-10))
        later = self._topup_on(10.0, self.today)
        mails_before = self.env["mail.mail"].search_count([])
        expiries = self.env["client.balance.account"]._cron_expire_credits()
        self.assertEqual(expiries.expired_operation_ids, expired)
        self.assertAlmostEqual(self.account.balance, 35.0)
        # One e-mail for what expires within 14 days, sent once.
        self.assertTrue(soon.expiry_notice_sent)
        self.assertFalse(later.expiry_notice_sent)
        mails = self.env["mail.mail"].search([], order="id desc", limit=1)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before + 1)
        self.assertIn("25.00", mails.body_html)
        self.assertEqual(mails.recipient_ids, self.account.partner_id)
        self.env["client.balance.account"]._cron_expire_credits()
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before + 1)

    def test_reversed_credit_and_unpaid_deposit(self):
        """A reversed top-up takes no part; an unpaid deposit's credit is
        not taken out before it is paid."""
        wrong = self._topup_on(80.0, self.today - relativedelta(months=14))
        wrong.with_user(self.user_manager).reverse()
        deposit = self.env["account.move"].browse(
            self.account.with_user(self.user_front_desk).request_deposit(
                60.0, date=self.today - relativedelta(months=13)
            )
        )
        deposit.action_post()
        # The unpaid deposit is left whole, but none of it is paid.
        self.assertEqual(self.account._credits_left(), {})
        self.assertFalse(self.account._expire_credits(self.today))
        self.assertAlmostEqual(self.account.balance, 60.0)

    def test_unpaid_deposit_is_neither_spent_nor_expired(self):
        """An old unpaid deposit waits: the spend takes the top-up, the
        expiry takes what is left of the top-up only."""
        deposit = self.env["account.move"].browse(
            self.account.with_user(self.user_front_desk).request_deposit(
                500.0, date=self.today - relativedelta(months=14)
            )
        )
        deposit.action_post()
        topup = self._topup_on(100.0, self.today - relativedelta(months=13))
        self.account.with_user(self.user_cashier).spend(self._invoice(60.0).id)
        self.assertEqual(self.account._credits_left(), {topup: 40.0})
        expiry = self.account._expire_credits(self.today)
        self.assertAlmostEqual(expiry.amount, -40.0)
        self.assertEqual(expiry.expired_operation_ids, topup)
        self.assertAlmostEqual(self.account.balance, 500.0)
        self.assertAlmostEqual(self.account.available, 0.0)

    def test_no_validity_never_expires(self):
        account = self._open()
        self._topup(account, 20.0)
        self.env["client.balance.operation"].browse(
            account.with_user(self.user_front_desk).topup(
                5.0, self.bank_journal.id, date=self.today - relativedelta(years=5)
            )
        )
        self.assertFalse(account._expired_credits(self.today))
        self.assertFalse(account._expire_credits(self.today))
        self.assertAlmostEqual(account.balance, 25.0)
