from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.point_of_sale.tests.common import TestPoSCommon


@tagged("post_install", "-at_install")
class PosClientBalanceCase(TestPoSCommon):
    """A till with a client balance method (Client Deposits) and a client
    with 100.00 on their deposit. A salon's till: the client pays a visit from the deposit on their
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

    def _sync(self, lines, payments, customer=None, validating=True, invoiced=False, context=None):
        """Send one order as a till does, as its cashier; ``validating``: the
        cashier validates it now (else it was made earlier, offline)."""
        data = self.create_ui_order_data(
            lines,
            customer=self.client if customer is None else customer,
            payments=payments,
            is_invoiced=invoiced,
        )
        context = dict(context or {})
        if validating:
            context["client_balance_validating"] = [data["uuid"]]
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

    def _refund_of(self, order, quantity=1):
        """Order lines refunding ``quantity`` of each line of ``order``."""
        return [
            {
                "product": line.product_id,
                "quantity": -quantity,
                "refunded_orderline_id": line.id,
            }
            for line in order.lines
        ]

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
        accounts = self.env["client.balance.account"].search(
            [("liability_account_id", "=", liability.id)]
        )
        self.assertAlmostEqual(-sum(items.mapped("balance")), sum(accounts.mapped("balance")))
