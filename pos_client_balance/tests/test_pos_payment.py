from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.point_of_sale.tests.common import TestPoSCommon


@tagged("post_install", "-at_install")
class TestPosClientBalance(TestPoSCommon):
    """A salon's till: the client pays a visit from the deposit on their
    account, partly or whole, with cash for the rest; each balance payment is
    booked when the order reaches the server, and the session's closing
    leaves the books agreeing with the balances."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id = [
            Command.link(cls.env.ref("client_balance.client_balance_group_manager").id)
        ]
        cls.deposits = cls.env.ref("client_balance.client_balance_type_deposits")
        cls.clearing = cls.env["account.account"].create(
            {
                "name": "POS Client Balance Clearing",
                "code": "X1019",
                "account_type": "asset_receivable",
                "reconcile": True,
            }
        )
        cls.balance_pm = cls.env["pos.payment.method"].create(
            {
                "name": "Client Deposits",
                "client_balance_type_id": cls.deposits.id,
                "receivable_account_id": cls.clearing.id,
            }
        )
        cls.config = cls.basic_config
        cls.config.write({"payment_method_ids": [Command.link(cls.balance_pm.id)]})
        cls.haircut = cls.create_product("Haircut", cls.categ_basic, 30.0)
        cls.colouring = cls.create_product("Colouring", cls.categ_basic, 150.0)
        cls.cashier = new_test_user(
            cls.env,
            login="pos_cb_cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.client = cls.env["res.partner"].create({"name": "Salon Client", "is_company": True})
        cls.account = cls.env["client.balance.account"].browse(
            cls.client.client_balance_open(cls.deposits.id, currency_id=cls.company.currency_id.id)
        )
        cls.account.topup(100.0, cls.company_data["default_journal_bank"].id)

    def setUp(self):
        super().setUp()
        self.open_new_session()

    # ------------------------------------------------------------------

    def _sync(self, lines, payments, customer=None, validating=True, invoiced=False):
        """Send one order as a till does, as its cashier; ``validating``: the
        cashier validates it now (else it was made earlier, offline)."""
        data = self.create_ui_order_data(
            lines,
            customer=self.client if customer is None else customer,
            payments=payments,
            is_invoiced=invoiced,
        )
        context = {"client_balance_validating": [data["uuid"]]} if validating else {}
        result = (
            self.env["pos.order"]
            .with_user(self.cashier)
            .with_context(**context)
            .sync_from_ui([data])
        )
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    @contextmanager
    def _refused(self, pattern):
        """The block raises a UserError matching ``pattern``; what it wrote
        is rolled back, as the request's transaction would be."""
        with self.assertRaisesRegex(UserError, pattern), self.env.cr.savepoint():
            yield

    def _orders(self):
        return self.env["pos.order"].search([("session_id", "=", self.pos_session.id)])

    def _operations(self):
        return self.env["client.balance.operation"].search(
            [("account_id", "=", self.account.id), ("kind", "=", "pos")], order="id"
        )

    def _close_session(self):
        cash = sum(
            self.pos_session.order_ids.payment_ids.filtered(
                lambda p: p.payment_method_id.is_cash_count
            ).mapped("amount")
        )
        self.pos_session.post_closing_cash_details(cash)
        result = self.pos_session.close_session_from_ui()
        self.assertTrue(result["successful"], result)
        self.assertEqual(self.pos_session.state, "closed")

    def _assert_books_agree(self):
        issues = self.env["client.balance.account"].check_integrity(self.company.ids)
        self.assertEqual(issues, [], "the general ledger and the balances disagree")
        liability = self.account.liability_account_id
        items = self.env["account.move.line"].search(
            [("account_id", "=", liability.id), ("parent_state", "=", "posted")]
        )
        self.assertAlmostEqual(-sum(items.mapped("balance")), self.account.balance)

    # ------------------------------------------------------------------

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
        refund = self._sync([(self.haircut, -1)], [(self.balance_pm, -30.0)])
        self.assertEqual(refund.client_balance_state, "booked")
        self.assertEqual(self.account.balance, 100.0)
        self.assertEqual(self._operations().mapped("amount"), [-30.0, 30.0])
        self.assertNotEqual(order, refund)
        # A cash sale refunded to the balance instead of cash.
        self._sync([(self.haircut, 1)], [(self.cash_pm1, 30.0)])
        self._sync([(self.haircut, -1)], [(self.balance_pm, -30.0)])
        self.assertEqual(self.account.balance, 130.0)
        with self._refused("of the other sign is refused"):
            self._sync([(self.haircut, -1)], [(self.balance_pm, 10.0), (self.cash_pm1, -40.0)])
        self._close_session()
        self._assert_books_agree()

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
        result = (
            self.env["pos.order"]
            .with_user(self.cashier)
            .with_context(client_balance_validating=[data["uuid"]])
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

    def test_method_has_no_journal(self):
        with self._refused("Remove its journal"):
            self.env["pos.payment.method"].create(
                {
                    "name": "Deposits by bank",
                    "client_balance_type_id": self.deposits.id,
                    "journal_id": self.company_data["default_journal_bank"].id,
                }
            )
