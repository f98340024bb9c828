import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import ClientBalanceCommon

EXAMPLES = 60
CHECKED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
REFUSALS = (UserError, ValidationError, AccessError)

# Amounts: what a caller may send, right or wrong. "available" and
# "available+0.01" stand for the account's available amount and one cent
# more, known only when the example runs.
AMOUNTS = st.one_of(
    st.sampled_from(
        [
            0,
            0.0,
            -0.01,
            -5,
            0.004,
            10.005,
            1e20,
            math.nan,
            math.inf,
            -math.inf,
            True,
            False,
            None,
            "10",
            "",
            [10],
            "available",
            "available+0.01",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(min_value=-(10**21), max_value=10**21),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(float),
)
# Ids: missing, of another model, of another company, archived, wrong types.
IDS = st.one_of(
    st.sampled_from(["valid", "missing", "other_model", "other_company", "archived"]),
    st.integers(min_value=-3, max_value=2**31 - 1),
    st.sampled_from([None, False, True, "1", [1], 1.5]),
)
DATES = st.one_of(
    st.sampled_from(["locked", "far future", False, None, "not a date", "2026-13-45", 20261126]),
    st.dates(),
)


@tagged("post_install", "-at_install")
class TestProperties(ClientBalanceCommon):
    """Generated input for the public methods: each call either books with
    the books consistent, or raises a UserError, ValidationError or
    AccessError with a message and writes nothing; never another exception.
    Every test runs EXAMPLES generated cases (derandomized: the same cases on
    every run), each rolled back before the next."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls._open_for_class(cls.client)
        cls.other_account = cls._open_for_class(
            cls.env["res.partner"].create({"name": "Properties Other", "is_company": True})
        )
        cls.account.topup(500.0, cls.bank_journal.id)
        cls.other_company = cls.setup_other_company(name="Properties Other Company")["company"]
        cls.archived_journal = cls.bank_journal.copy({"name": "Archived bank", "code": "ARCB"})
        cls.archived_journal.active = False
        cls.company.fiscalyear_lock_date = fields.Date.subtract(cls.today, days=30)

    @classmethod
    def _open_for_class(cls, partner):
        return cls.env["client.balance.account"].browse(
            partner.client_balance_open(cls.deposits.id, currency_id=cls.currency.id)
        )

    # What the generated markers stand for.

    def _amount(self, amount):
        if amount == "available":
            return self.account.available
        if amount == "available+0.01":
            return self.account.available + 0.01
        return amount

    def _id(self, marker, valid, other_model=None, other_company=None, archived=None):
        return (
            {
                "valid": valid.id,
                "missing": 2**31 - 2,
                "other_model": (other_model or self.client).id,
                "other_company": (other_company or self.other_company).id,
                "archived": (archived or self.archived_journal).id,
            }.get(marker, marker)
            if isinstance(marker, str)
            else marker
        )

    def _date(self, date):
        if date == "locked":
            return fields.Date.subtract(self.today, days=40)
        if date == "far future":
            return "2999-12-31"
        return date

    def _check(self, call, *args, **kwargs):
        """``call`` books with the books right, or is refused with a message
        and writes nothing; the example is rolled back either way."""
        before = self._snapshot()
        savepoint = self.env.cr.savepoint()
        try:
            try:
                call(*args, **kwargs)
            except REFUSALS as error:
                self.assertTrue(str(error.args[0] if error.args else ""), "a refusal says why")
                self.env.invalidate_all()
                self.assertEqual(self._snapshot(), before, f"refused {args} {kwargs}: wrote")
            except Exception as error:
                self.fail(f"{type(error).__name__}: {error} for {args} {kwargs}")
            else:
                self.env.flush_all()
                self.assertEqual(
                    self.env["client.balance.account"].check_integrity(
                        company_ids=self.company.ids
                    ),
                    [],
                    f"booked {args} {kwargs}: the books disagree",
                )
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    @CHECKED
    @given(amount=AMOUNTS, journal=IDS, date=DATES)
    def test_topup(self, amount, journal, date):
        journal_id = self._id(journal, self.bank_journal, other_model=self.client)
        self._check(
            self.account.with_user(self.user_front_desk).topup,
            self._amount(amount),
            journal_id,
            date=self._date(date),
        )

    @CHECKED
    @given(amount=AMOUNTS, invoice=IDS)
    def test_spend(self, amount, invoice):
        valid = self._invoice(1000.0)
        invoice_id = self._id(invoice, valid, other_model=self.client)
        self._check(
            self.account.with_user(self.user_cashier).spend, invoice_id, self._amount(amount)
        )

    @CHECKED
    @given(amount=AMOUNTS, counterpart=IDS, description=st.one_of(st.text(max_size=20), st.none()))
    def test_adjust(self, amount, counterpart, description):
        counterpart_id = self._id(counterpart, self.income_account, other_model=self.client)
        self._check(
            self.account.with_user(self.user_manager).adjust,
            self._amount(amount),
            counterpart_id,
            description,
        )

    @CHECKED
    @given(amount=AMOUNTS, journal=IDS, date=DATES)
    def test_payout(self, amount, journal, date):
        journal_id = self._id(journal, self.cash_journal, other_model=self.client)
        self._check(
            self.account.with_user(self.user_manager).payout,
            self._amount(amount),
            journal_id,
            date=self._date(date),
        )

    @CHECKED
    @given(amount=AMOUNTS, to_account=IDS, to_amount=AMOUNTS)
    def test_transfer(self, amount, to_account, to_amount):
        to_account_id = self._id(to_account, self.other_account, other_model=self.client)
        self._check(
            self.account.with_user(self.user_cashier).transfer,
            to_account_id,
            self._amount(amount),
            to_amount=self._amount(to_amount) if to_amount not in (0, 0.0) else False,
        )

    @CHECKED
    @given(amount=AMOUNTS, date=DATES, due_date=DATES)
    def test_request_deposit(self, amount, date, due_date):
        self._check(
            self.account.with_user(self.user_front_desk).request_deposit,
            self._amount(amount),
            date=self._date(date),
            due_date=self._date(due_date),
        )

    @CHECKED
    @given(amount=AMOUNTS)
    def test_refund_to_balance(self, amount):
        refund = self._invoice(30.0, move_type="out_refund")
        self._check(
            refund.with_user(self.user_cashier).client_balance_refund_to_balance,
            self._amount(amount),
        )

    @CHECKED
    @given(date=DATES)
    def test_reverse(self, date):
        operation = self.env["client.balance.operation"].browse(
            self.account.topup(20.0, self.bank_journal.id)
        )
        self._check(operation.with_user(self.user_manager).reverse, date=self._date(date))

    @CHECKED
    @given(
        balance_type=IDS,
        currency=IDS,
        initial_amount=AMOUNTS,
        requisite=IDS,
    )
    def test_open(self, balance_type, currency, initial_amount, requisite):
        partner = self.env["res.partner"].create({"name": "Properties Newcomer"})
        self._check(
            partner.with_user(self.user_manager).client_balance_open,
            self._id(balance_type, self.deposits, other_model=self.client),
            currency_id=self._id(currency, self.currency, other_model=self.client),
            initial_amount=self._amount(initial_amount),
            requisite_id=self._id(requisite, partner, other_model=self.income_account),
        )
