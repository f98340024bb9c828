import unittest

from odoo import Command
from odoo.service import server
from odoo.tests import tagged

from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon


@tagged("post_install", "-at_install")
class TestPosClientBalanceTours(TestPointOfSaleHttpCommon):
    """The till in a headless browser, as its cashier (a Point of Sale user
    with no client balance right): the balance method, the amount it may
    take, the receipt. Needs Odoo's HTTP server: ``./dev test`` runs it with
    Odoo's own test runner."""

    @classmethod
    def setUpClass(cls):
        if not server.server:
            raise unittest.SkipTest("needs Odoo's HTTP server: run by Odoo's test runner")
        super().setUpClass()
        cls.env.user.groups_id = [
            Command.link(cls.env.ref("client_balance.client_balance_group_manager").id)
        ]
        deposits = cls.env.ref("client_balance.client_balance_type_deposits")
        cls.balance_pm = cls.env["pos.payment.method"].create(
            {"name": "Client Deposits", "client_balance_type_id": deposits.id}
        )
        cls.main_pos_config.write({"payment_method_ids": [Command.link(cls.balance_pm.id)]})
        cls.client = cls.env["res.partner"].create({"name": "Salon Balance Client"})
        cls.account = cls.env["client.balance.account"].browse(
            cls.client.client_balance_open(deposits.id)
        )
        cls.account.topup(20.0, cls.bank_journal.id)
        cls.env["product.product"].create(
            {
                "name": "Salon Haircut",
                "type": "service",
                "available_in_pos": True,
                "list_price": 30.0,
                "taxes_id": [],
            }
        )

    def _order(self):
        return self.env["pos.order"].search([("partner_id", "=", self.client.id)])

    def test_pay_partly_from_balance(self):
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self.start_pos_tour("PosClientBalancePartlyTour")
        order = self._order()
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.client_balance_state, "booked")
        payments = {p.payment_method_id.name: p.amount for p in order.payment_ids}
        self.assertEqual(payments, {"Client Deposits": 20.0, "Cash": 10.0})
        self.assertEqual(self.account.balance, 0.0)
        balance_payment = order.payment_ids.filtered("client_balance_operation_id")
        self.assertEqual(balance_payment.client_balance_after, 0.0)

    def test_too_much_refused_at_the_till(self):
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self.start_pos_tour("PosClientBalanceTooMuchTour")
        order = self._order()
        self.assertEqual(order.client_balance_state, "booked")
        self.assertEqual(self.account.balance, 0.0)
