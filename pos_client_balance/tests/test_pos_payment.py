from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import PosClientBalanceCase


@tagged("post_install", "-at_install")
class TestPosClientBalance(PosClientBalanceCase):
    """Paying from a balance at the till, refunds, offline orders, store
    credit, invoiced orders and the session's closing."""

    def test_paid_whole_from_balance(self):
        order = self._sync([(self.haircut, 1)], [(self.balance_pm, 30.0)])
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.client_balance_state, "booked")
        self.assertEqual(self.account.balance, 70.0)
        self.assertEqual(self.account.available, 70.0)
        operation = self._operations()
        self.assertRecordValues(
            operation,
            [
                {
                    "amount": -30.0,
                    "balance_after": 70.0,
                    "user_id": self.cashier.id,
                    "res_model": "pos.order",
                    "res_id": order.id,
                    "journal_id": self.config.journal_id.id,
                    "counterpart_account_id": self.clearing.id,
                    "state": "posted",
                }
            ],
        )
        payment = order.payment_ids
        self.assertEqual(payment.client_balance_operation_id, operation)
        self.assertEqual(payment.client_balance_after, 70.0)
        self.assertRecordValues(
            operation.move_id.line_ids.sorted("balance"),
            [
                {"account_id": self.clearing.id, "balance": -30.0},
                {"account_id": self.account.liability_account_id.id, "balance": 30.0},
            ],
        )

    def test_split_with_cash_and_partial(self):
        order = self._sync(
            [(self.haircut, 1), (self.colouring, 1)],
            [(self.balance_pm, 80.0), (self.cash_pm1, 100.0)],
        )
        self.assertEqual(order.amount_paid, 180.0)
        self.assertEqual(self.account.balance, 20.0)
        self.assertEqual(self._operations().amount, -80.0)

    def test_over_available_refused_to_the_cashier(self):
        with self._refused(r"has \$\s?100\.00 available: \$\s?150\.00 cannot"):
            self._sync([(self.colouring, 1)], [(self.balance_pm, 150.0)])
        self.assertFalse(self._orders(), "a refused order writes nothing")
        self.assertFalse(self._operations())
        self.assertEqual(self.account.balance, 100.0)

    def test_more_than_the_total_refused(self):
        with self._refused("more than the order's total"):
            self._sync([(self.haircut, 1)], [(self.balance_pm, 40.0), (self.cash_pm1, -10.0)])
        self.assertFalse(self._operations())
        self.assertEqual(self.account.balance, 100.0)

    def test_no_customer_or_no_account_refused(self):
        with self._refused("choose the customer of the order first"):
            self._sync([(self.haircut, 1)], [(self.balance_pm, 30.0)], customer=False)
        stranger = self.env["res.partner"].create({"name": "Walk-in"})
        with self._refused("Walk-in has no open Deposits account"):
            self._sync([(self.haircut, 1)], [(self.balance_pm, 30.0)], customer=stranger)
        self.assertFalse(self._orders())

    def test_offline_order_kept_aside_then_booked(self):
        """An order made offline reaches the server when the balance no
        longer covers it: it is kept, its payment waits for a manager, and
        the other orders of the batch are not blocked."""
        order = self._sync([(self.colouring, 1)], [(self.balance_pm, 150.0)], validating=False)
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.client_balance_state, "held")
        self.assertIn("100.00 available", order.client_balance_hold_reason)
        self.assertFalse(self._operations())
        self.assertEqual(self.account.balance, 100.0)
        activity = order.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "Client balance payment kept aside")
        # The till cannot settle it itself.
        with self.assertRaises(UserError):
            order.with_user(self.cashier).action_client_balance_book()
        # Still too little: the manager's booking is refused and nothing changes.
        with self._refused("cannot be taken"):
            order.action_client_balance_book()
        self.assertEqual(order.client_balance_state, "held")
        self.account.topup(50.0, self.company_data["default_journal_bank"].id)
        order.action_client_balance_book()
        self.assertEqual(order.client_balance_state, "booked")
        self.assertFalse(order.activity_ids)
        self.assertEqual(self.account.balance, 0.0)
        self._close_session()
        self._assert_books_agree()

    def test_offline_order_charged_to_receivable(self):
        order = self._sync([(self.colouring, 1)], [(self.balance_pm, 150.0)], validating=False)
        self._close_session()
        order.action_client_balance_charge_receivable()
        self.assertEqual(order.client_balance_state, "charged")
        receivable = self.env["account.move.line"].search(
            [
                ("partner_id", "=", self.client.id),
                ("account_id", "=", self.client.property_account_receivable_id.id),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertEqual(sum(receivable.mapped("amount_residual")), 150.0)
        clearing = self.env["account.move.line"].search([("account_id", "=", self.clearing.id)])
        self.assertTrue(all(clearing.mapped("reconciled")), "the clearing account is settled")
        self.assertEqual(self.account.balance, 100.0)
        self._assert_books_agree()

    def test_refund_gives_back_to_balance(self):
        order = self._sync([(self.haircut, 1)], [(self.balance_pm, 30.0)])
        refund = self._sync(self._refund_of(order), [(self.balance_pm, -30.0)])
        self.assertEqual(refund.client_balance_state, "booked")
        self.assertEqual(self.account.balance, 100.0)
        self.assertEqual(self._operations().mapped("amount"), [-30.0, 30.0])
        # A cash sale refunded to the balance instead of cash.
        cash_sale = self._sync([(self.colouring, 2)], [(self.cash_pm1, 300.0)])
        self._sync(self._refund_of(cash_sale), [(self.balance_pm, -150.0)])
        self.assertEqual(self.account.balance, 250.0)
        with self._refused("of the other sign is refused"):
            self._sync(
                self._refund_of(cash_sale), [(self.balance_pm, 10.0), (self.cash_pm1, -160.0)]
            )
        # No more is given back than was sold to this client.
        with self._refused("no more than were sold"):
            self._sync(self._refund_of(cash_sale, quantity=2), [(self.balance_pm, -300.0)])
        with self._refused("only for products of an earlier order of theirs"):
            self._sync([(self.haircut, -1)], [(self.balance_pm, -30.0)])
        stranger = self.env["res.partner"].create({"name": "Another Client"})
        strangers_sale = self._sync([(self.haircut, 1)], [(self.cash_pm1, 30.0)], customer=stranger)
        with self._refused("only for products of an earlier order of theirs"):
            self._sync(self._refund_of(strangers_sale), [(self.balance_pm, -30.0)])
        # What no till sends is refused even when the order arrives late.
        with self._refused("of the other sign is refused"):
            self._sync(
                self._refund_of(cash_sale),
                [(self.balance_pm, 10.0), (self.cash_pm1, -160.0)],
                validating=False,
            )
        self._close_session()
        self._assert_books_agree()

    def test_paid_other_than_by_synchronisation(self):
        """An order saved as a draft, then marked paid by a call of its own,
        is booked all the same; a booked order stays paid."""
        data = self.create_ui_order_data(
            [(self.haircut, 1)], customer=self.client, payments=[(self.balance_pm, 30.0)]
        )
        data["state"] = "draft"
        result = self.env["pos.order"].with_user(self.cashier).sync_from_ui([data])
        order = self.env["pos.order"].browse(result["pos.order"][0]["id"])
        self.assertEqual(order.state, "draft")
        self.assertEqual(self.account.balance, 100.0, "a draft takes nothing")
        order.with_user(self.cashier).action_pos_order_paid()
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.client_balance_state, "booked")
        self.assertEqual(self.account.balance, 70.0)
        with self._refused("it stays paid"):
            order.with_user(self.cashier).write({"state": "draft"})
        with self._refused("it stays paid"):
            order.write({"state": "cancel"})
        with self._refused("cannot be deleted"):
            order.unlink()

    def test_closing_matches_the_clearing_account(self):
        self._sync([(self.haircut, 1)], [(self.balance_pm, 30.0)])
        self._sync([(self.haircut, 2)], [(self.balance_pm, 20.0), (self.cash_pm1, 40.0)])
        self._sync([(self.colouring, 1)], [(self.cash_pm1, 150.0)])
        self.assertEqual(self.account.balance, 50.0)
        operations_before = self._operations()
        self._close_session()
        self.assertEqual(self._operations(), operations_before, "closing books no operation")
        self.assertEqual(self.account.balance, 50.0)
        closing = self.pos_session.move_id
        self.assertEqual(closing.state, "posted")
        clearing_lines = self.env["account.move.line"].search(
            [("account_id", "=", self.clearing.id)]
        )
        self.assertEqual(sum(clearing_lines.mapped("balance")), 0.0)
        self.assertTrue(all(clearing_lines.mapped("reconciled")))
        self.assertEqual(
            sum(clearing_lines.filtered(lambda line: line.move_id == closing).mapped("debit")),
            50.0,
        )
        self._assert_books_agree()

    def test_invoiced_order_paid_from_balance(self):
        order = self._sync([(self.haircut, 1)], [(self.balance_pm, 30.0)], invoiced=True)
        invoice = order.account_move
        self.assertTrue(invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.account.balance, 70.0)
        self._close_session()
        clearing_lines = self.env["account.move.line"].search(
            [("account_id", "=", self.clearing.id)]
        )
        self.assertTrue(clearing_lines)
        self.assertTrue(all(clearing_lines.mapped("reconciled")))
        self.assertEqual(sum(clearing_lines.mapped("balance")), 0.0)
        self._assert_books_agree()

    def test_booked_payment_is_the_servers_to_mark(self):
        """What a till sends in the booking fields is ignored; a booked
        payment cannot be changed or deleted."""
        booked_elsewhere = self._sync([(self.haircut, 1)], [(self.balance_pm, 30.0)])
        data = self.create_ui_order_data(
            [(self.haircut, 1)], customer=self.client, payments=[(self.balance_pm, 30.0)]
        )
        data["payment_ids"][0][2].update(
            client_balance_operation_id=booked_elsewhere.payment_ids.client_balance_operation_id.id,
            client_balance_after=1000.0,
        )
        data["client_balance_state"] = "booked"
        # The context is the caller's: naming the server's own flags in it
        # changes nothing.
        result = (
            self.env["pos.order"]
            .with_user(self.cashier)
            .with_context(
                client_balance_validating=[data["uuid"]],
                client_balance_booking=True,
                client_balance_sync=True,
            )
            .sync_from_ui([data])
        )
        order = self.env["pos.order"].browse(result["pos.order"][0]["id"])
        self.assertEqual(self.account.balance, 40.0, "the second order was booked too")
        self.assertEqual(order.payment_ids.client_balance_after, 40.0)
        payment = order.payment_ids
        with self._refused("booked on the client's balance already"):
            payment.write({"amount": 10.0})
        with self._refused("cannot be deleted"):
            payment.unlink()
        payment.write({"amount": 30.0})  # unchanged: allowed

    def _store_credit(self, price=50.0):
        return self.env["product.product"].create(
            {
                "name": "Gym Store Credit",
                "type": "service",
                "client_balance_credit": True,
                "available_in_pos": True,
                "list_price": price,
                "taxes_id": [],
            }
        )

    def test_store_credit_sold_at_the_till(self):
        """A gym sells 50.00 of store credit for cash: the balance rises when
        the order arrives; the closing books no revenue for it."""
        credit = self._store_credit()
        order = self._sync([(credit, 1)], [(self.cash_pm1, 50.0)])
        self.assertEqual(self.account.balance, 150.0)
        operation = order.lines.client_balance_operation_id
        self.assertRecordValues(
            operation,
            [{"kind": "pos", "amount": 50.0, "account_id": self.account.id, "res_id": order.id}],
        )
        clearing = self.company.account_default_pos_receivable_account_id
        self.assertRecordValues(
            operation.move_id.line_ids.sorted("balance"),
            [
                {"account_id": self.account.liability_account_id.id, "balance": -50.0},
                {"account_id": clearing.id, "balance": 50.0},
            ],
        )
        # A credit sale cannot be paid from the balance it credits.
        with self._refused("cannot be paid from that same balance"):
            self._sync([(credit, 1)], [(self.balance_pm, 50.0)])
        # A refund of the credit takes it back.
        self._sync([(credit, -1)], [(self.cash_pm1, -50.0)])
        self.assertEqual(self.account.balance, 100.0)
        self._close_session()
        closing = self.pos_session.move_id
        self.assertFalse(
            closing.line_ids.filtered(
                lambda line: line.account_id == self.account.liability_account_id
            ),
            "the closing books nothing on the balance's liability account",
        )
        self.assertTrue(
            all(
                operation.move_id.line_ids.filtered(
                    lambda line: line.account_id == clearing
                ).mapped("reconciled")
            )
        )
        with self._refused("cannot be invoiced afterwards"):
            order.action_pos_order_invoice()
        self._assert_books_agree()

    def test_store_credit_is_the_servers_arithmetic(self):
        """A till sending a subtotal of its own for the credit it sells
        credits what the price and quantity make."""
        credit = self._store_credit()
        data = self.create_ui_order_data(
            [(credit, 2)], customer=self.client, payments=[(self.cash_pm1, 100.0)]
        )
        data["lines"][0][2].update(price_subtotal=1000.0, price_subtotal_incl=1000.0)
        self.env["pos.order"].with_user(self.cashier).sync_from_ui([data])
        self.assertEqual(self.account.balance, 200.0)

    def test_store_credit_needs_a_customer(self):
        with self._refused("choose the customer of the order first"):
            self._sync([(self._store_credit(), 1)], [(self.cash_pm1, 50.0)], customer=False)

    def test_store_credit_on_an_invoiced_order(self):
        """Invoiced, the credit is booked by the invoice, as any sale of credit
        on an invoice: available once the invoice is paid (here at once)."""
        order = self._sync([(self._store_credit(), 1)], [(self.cash_pm1, 50.0)], invoiced=True)
        self.assertFalse(order.lines.client_balance_operation_id)
        self.assertEqual(self.account.balance, 150.0)
        self.assertEqual(self.account.available, 150.0)
        self._close_session()
        self._assert_books_agree()

    def test_reversal_refused(self):
        self._sync([(self.haircut, 1)], [(self.balance_pm, 30.0)])
        with self._refused("refund the order at the till"):
            self._operations().reverse()

    def test_new_shop_does_not_take_balances_unasked(self):
        shop = self.env["pos.config"].create({"name": "New Shop"})
        self.assertTrue(shop.payment_method_ids, "Odoo gives it its default methods")
        self.assertNotIn(self.balance_pm, shop.payment_method_ids)

    def test_method_has_no_journal(self):
        with self._refused("Remove its journal"):
            self.env["pos.payment.method"].create(
                {
                    "name": "Deposits by bank",
                    "client_balance_type_id": self.deposits.id,
                    "journal_id": self.company_data["default_journal_bank"].id,
                }
            )

    def test_who_may_call_the_tills_methods(self):
        """The till's readings are for Point of Sale users; settling an order
        kept aside is for managers of client balances. A refused call writes
        nothing."""
        portal = new_test_user(self.env, login="pos_cb_portal", groups="base.group_portal")
        clerk = new_test_user(
            self.env,
            login="pos_cb_clerk",
            groups="base.group_user",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        readings = {
            "client_balance_available": (self.client.id,),
            "client_balance_allowance_state": (self.client.id,),
            "client_balance_card_lookup": ("no card",),
        }
        for user in (portal, clerk):
            for method, args in readings.items():
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    getattr(self.config.with_user(user), method)(*args)
        lines = self.config.with_user(self.cashier).client_balance_available(self.client.id)
        self.assertEqual(
            lines,
            [
                {
                    "method_id": self.balance_pm.id,
                    "account": self.account.display_name,
                    "available": 100.0,
                }
            ],
        )
        order = self._sync([(self.colouring, 1)], [(self.balance_pm, 150.0)], validating=False)
        for user in (self.cashier, clerk):
            for action in ("action_client_balance_book", "action_client_balance_charge_receivable"):
                with self.subTest(user=user.login, action=action), self.assertRaises(AccessError):
                    getattr(order.with_user(user), action)()
        self.assertEqual(order.client_balance_state, "held")
        self.assertFalse(self._operations())
