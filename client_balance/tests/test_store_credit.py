from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestStoreCredit(ClientBalanceCommon):
    """Store credit sold on an invoice at 0% tax, as the gym's cashier does:
    a means of payment, credited at posting, spendable once paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.store_credit = cls.env.ref("client_balance.product_store_credit")
        cls.member = cls.env["res.partner"].create({"name": "Gym Member"})

    def _sell(self, lines, partner=None, move_type="out_invoice", post=True):
        invoice = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or self.member).id,
                "invoice_date": self.today,
                "invoice_line_ids": [Command.create(vals) for vals in lines],
            }
        )
        if post:
            invoice.action_post()
        return invoice

    def _credit_line(self, amount):
        return {"product_id": self.store_credit.id, "quantity": amount}

    def _pay(self, invoice, amount, journal=None):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "journal_id": (journal or self.cash_journal).id})
            ._create_payments()
        )

    def _member_account(self):
        return self.env["client.balance.account"].search(
            [("commercial_partner_id", "=", self.member.id)]
        )

    def test_product(self):
        self.assertTrue(self.store_credit.client_balance_credit)
        self.assertEqual(self.store_credit.type, "service")
        self.assertEqual(self.store_credit.lst_price, 1.0)
        self.assertFalse(self.store_credit.taxes_id)
        accounts = self.store_credit.product_tmpl_id.with_company(
            self.company
        ).get_product_accounts()
        self.assertEqual(accounts["income"], self.liability_account)

    def test_gym_story(self):
        """The member buys 50 of credit, pays a 35 visit from it, then a 20
        one split between the credit left and cash."""
        sale = self._sell([self._credit_line(50.0)])
        account = self._member_account()
        self.assertEqual(len(account), 1, "the member's account is opened at posting")
        self.assertTrue(account.is_default)
        self.assertAlmostEqual(sale.amount_total, 50.0, msg="credit carries no tax")
        self.assertAlmostEqual(account.balance, 50.0)
        self.assertAlmostEqual(account.available, 0.0)

        visit = self._sell([{"name": "Visit", "price_unit": 35.0, "tax_ids": []}])
        self.assertFalse(visit.client_balance_available, "not available before it is paid")
        self._pay(sale, 50.0)
        self.assertAlmostEqual(account.available, 50.0)
        visit.invalidate_recordset(["client_balance_available"])
        self.assertAlmostEqual(visit.client_balance_available, 50.0)

        account.with_user(self.user_cashier).spend(visit.id)
        self.assertIn(visit.payment_state, ("paid", "in_payment"))
        self.assertAlmostEqual(account.balance, 15.0)

        second = self._sell([{"name": "Visit", "price_unit": 20.0, "tax_ids": []}])
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.user_cashier)
            .with_context(active_model="account.move", active_ids=second.ids)
            .create({"amount": 5.0, "journal_id": self.cash_journal.id})
        )
        wizard.client_balance_debit = True
        self.assertAlmostEqual(wizard.client_balance_debit_amount, 15.0)
        wizard._create_payments()
        self.assertIn(second.payment_state, ("paid", "in_payment"))
        self.assertAlmostEqual(account.balance, 0.0)
        self.assertEqual(
            self.env["client.balance.operation"]
            .search([("account_id", "=", account.id)])
            .mapped("kind"),
            ["debit_difference", "spend", "deposit"],
        )
        self.assertFalse(self.env["client.balance.account"].check_integrity(self.company.ids))

    def test_credit_next_to_other_lines(self):
        """Credit sold with a service on one invoice: the credit alone goes
        to the balance, available as far as the invoice is paid."""
        sale = self._sell(
            [self._credit_line(30.0), {"name": "Towel", "price_unit": 10.0, "tax_ids": []}]
        )
        account = self._member_account()
        self.assertAlmostEqual(account.balance, 30.0)
        self._pay(sale, 20.0)
        # The payment covers the towel first: 20.00 of credit is still due.
        self.assertAlmostEqual(account.pending_deposit, 20.0)
        self.assertAlmostEqual(account.available, 10.0)
        income = sale.line_ids.filtered(lambda line: line.name == "Towel")
        self.assertEqual(income.account_id, self.income_account)

    def test_credit_notes(self):
        """A credit note of the visit sold with the credit leaves the credit
        unpaid; one of the credit takes it back."""
        sale = self._sell(
            [self._credit_line(50.0), {"name": "Visit", "price_unit": 35.0, "tax_ids": []}]
        )
        account = self._member_account()
        visit_back = sale._reverse_moves()
        visit_back.invoice_line_ids.filtered(lambda line: line.product_id).unlink()
        # Posted, Odoo reconciles it with the invoice.
        visit_back.action_post()
        self.assertAlmostEqual(sale.amount_residual, 50.0)
        self.assertAlmostEqual(account.balance, 50.0)
        self.assertAlmostEqual(account.pending_deposit, 50.0)
        self.assertAlmostEqual(account.available, 0.0)

        credit_back = sale._reverse_moves()
        credit_back.invoice_line_ids.filtered(lambda line: not line.product_id).unlink()
        credit_back.action_post()
        self.assertAlmostEqual(account.balance, 0.0)
        self.assertAlmostEqual(account.pending_deposit, 0.0)
        self.assertAlmostEqual(account.available, 0.0)
        self.assertFalse(self.env["client.balance.account"].check_integrity(self.company.ids))

    def test_two_balances_on_one_invoice_refused(self):
        gift = self.env["client.balance.type"].create({"name": "Gift credit"})
        gift_credit = self.store_credit.copy(
            {"name": "Gift Credit", "client_balance_type_id": gift.id}
        )
        invoice = self._sell(
            [self._credit_line(10.0), {"product_id": gift_credit.id, "quantity": 5.0}],
            post=False,
        )
        before = self._snapshot()
        with self.assertRaisesRegex(UserError, "credits several client accounts"):
            invoice.action_post()
        self.assertEqual(self._snapshot(), before)

    def test_refused(self):
        # No infinite money: the invoice selling credit is not paid from it.
        account = self._open(partner=self.member)
        self._topup(account, 100.0)
        sale = self._sell([self._credit_line(50.0)])
        self.assertRefused(
            UserError,
            "sells the credit of",
            account.with_user(self.user_cashier).spend,
            sale.id,
            50.0,
        )
        # A tax the type does not allow.
        taxed = self._sell(
            [
                {
                    **self._credit_line(20.0),
                    "tax_ids": [Command.set(self.company_data["default_tax_sale"].ids)],
                }
            ],
            post=False,
        )
        before = self._snapshot()
        with self.assertRaisesRegex(UserError, "does not allow"):
            taxed.action_post()
        self.assertEqual(taxed.state, "draft")
        self.assertEqual(self._snapshot(), before)
        # A negative quantity of credit on an invoice.
        negative = self._sell(
            [self._credit_line(-20.0), {"name": "Massage", "price_unit": 60.0, "tax_ids": []}],
            post=False,
        )
        with self.assertRaisesRegex(UserError, "negative amount of credit"):
            negative.action_post()
        self.assertEqual(negative.state, "draft")
        # A line put on the balance by hand, without a credit product.
        by_hand = self._sell(
            [
                {
                    "name": "Credit by hand",
                    "price_unit": 30.0,
                    "tax_ids": [],
                    "account_id": account.liability_account_id.id,
                    "client_balance_account_id": account.id,
                }
            ],
            post=False,
        )
        before = self._snapshot()
        with self.assertRaisesRegex(UserError, "product marked Client Balance Credit"):
            by_hand.action_post()
        self.assertEqual(by_hand.state, "draft")
        self.assertEqual(self._snapshot(), before)

    def test_refund_credited_by_register_payment(self):
        """The cashier refunds a returned item and keeps the money on the
        client's balance: Register Payment on the credit note."""
        credit_note = self._invoice(40.0, partner=self.member, move_type="out_refund")
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.user_cashier)
            .with_context(active_model="account.move", active_ids=credit_note.ids)
            .create({"amount": 25.0})
        )
        self.assertTrue(wizard.client_balance_can_refund)
        wizard.client_balance_refund = True
        wizard.action_create_payments()
        account = self._member_account()
        self.assertAlmostEqual(account.balance, 25.0)
        self.assertAlmostEqual(account.available, 25.0)
        self.assertEqual(credit_note.payment_state, "partial")
        self.assertEqual(account.operation_ids.kind, "refund")
        self.assertFalse(credit_note._get_reconciled_payments())
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.user_cashier)
            .with_context(active_model="account.move", active_ids=credit_note.ids)
            .create({"amount": 20.0, "client_balance_refund": True})
        )
        with self.assertRaisesRegex(UserError, "only .*15.00 left to refund"):
            wizard.action_create_payments()

    def test_invoicing_user_sells_and_takes_back(self):
        """An Invoicing user with no Client Balances group sells store credit
        and cancels an unpaid sale with a credit note; taking back credit the
        member could spend needs the Pay from Balance right, and writes
        nothing without it."""
        seller = self.user_plain
        self.assertFalse(seller.has_group("client_balance.client_balance_group_user"))
        Move = self.env["account.move"].with_user(seller)
        unpaid = Move.create(
            {
                "move_type": "out_invoice",
                "partner_id": self.member.id,
                "invoice_date": self.today,
                "invoice_line_ids": [Command.create(self._credit_line(30.0))],
            }
        )
        unpaid.action_post()
        account = self._member_account()
        self.assertAlmostEqual(account.balance, 30.0)
        cancel = unpaid._reverse_moves(cancel=True)
        self.assertEqual(cancel.state, "posted")
        self.assertAlmostEqual(account.balance, 0.0)

        paid = Move.create(
            {
                "move_type": "out_invoice",
                "partner_id": self.member.id,
                "invoice_date": self.today,
                "invoice_line_ids": [Command.create(self._credit_line(40.0))],
            }
        )
        paid.action_post()
        self._pay(paid, 40.0)
        self.assertAlmostEqual(account.available, 40.0)
        credit_note = paid.with_user(seller)._reverse_moves()
        self.assertRefused(
            AccessError, "Pay from Balance", credit_note.with_user(seller).action_post
        )
        self.assertEqual(credit_note.state, "draft")
        self.assertAlmostEqual(account.available, 40.0)
        # A Pay from Balance user takes it back.
        credit_note.with_user(self.user_cashier).action_post()
        self.assertAlmostEqual(account.balance, 0.0)
        self.assertFalse(self.env["client.balance.account"].check_integrity(self.company.ids))
