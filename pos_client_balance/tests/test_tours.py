import unittest
from datetime import date, timedelta

from odoo import Command
from odoo.service import server
from odoo.tests import tagged

from odoo.addons.client_balance.tests.tour_common import TourScreenshots
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon


@tagged("post_install", "-at_install")
class TestPosClientBalanceTours(TourScreenshots, TestPointOfSaleHttpCommon):
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

    def setUp(self):
        super().setUp()
        self._setup_screenshots()

    def start_pos_tour(self, tour_name, login="pos_user", **kwargs):
        return super().start_pos_tour(tour_name, login=login, **self._screenshot_cookies(kwargs))

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

    def test_refund_goes_back_to_the_balance(self):
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self.start_pos_tour("PosClientBalanceRefundTour")
        orders = self._order().sorted("id")
        self.assertEqual(len(orders), 2)
        refund = orders[1]
        payments = {p.payment_method_id.name: p.amount for p in refund.payment_ids}
        self.assertEqual(payments, {"Client Deposits": -20.0, "Cash": -10.0})
        self.assertEqual(refund.client_balance_state, "booked")
        self.assertEqual(self.account.balance, 20.0)

    def test_sell_store_credit(self):
        self.env["product.product"].create(
            {
                "name": "Gym Store Credit",
                "type": "service",
                "client_balance_credit": True,
                "available_in_pos": True,
                "list_price": 50.0,
                "taxes_id": [],
            }
        )
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self.start_pos_tour("PosClientBalanceStoreCreditTour")
        order = self._order()
        self.assertEqual(order.state, "paid")
        self.assertEqual([p.payment_method_id.name for p in order.payment_ids], ["Cash"])
        self.assertEqual(self.account.balance, 70.0)
        self.assertTrue(order.lines.client_balance_operation_id)

    def test_scan_staff_card_and_pay_the_rest(self):
        allowance = self.env["pos.payment.method"].create(
            {"name": "Staff Allowance", "client_balance_allowance": True}
        )
        self.main_pos_config.write({"payment_method_ids": [Command.link(allowance.id)]})
        employer = self.env["res.partner"].create(
            {
                "name": "Canteen Client Co",
                "is_company": True,
                "client_balance_allowance_enabled": True,
                "client_balance_allowance_period": "day",
                "client_balance_allowance_limit": 20.0,
                "client_balance_allowance_currency_id": self.env.company.currency_id.id,
                "client_balance_allowance_date_start": date.today() - timedelta(days=30),
            }
        )
        ivan = self.env["res.partner"].create(
            {
                "name": "Ivan Canteen",
                "parent_id": employer.id,
                "client_balance_card_code": "045000000017",
            }
        )
        self.env["product.product"].create(
            {
                "name": "Canteen Meal",
                "type": "service",
                "available_in_pos": True,
                "list_price": 18.0,
                "taxes_id": [],
            }
        )
        # Breakfast, 15.00, charged at the counter on an invoice.
        breakfast = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": ivan.id,
                "invoice_line_ids": [
                    Command.create({"name": "Breakfast", "price_unit": 15.0, "tax_ids": []})
                ],
            }
        )
        breakfast.action_post()
        self.env["res.partner"].client_balance_card_charge("045000000017", breakfast.id)
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self.start_pos_tour("PosClientBalanceStaffCardTour")
        order = self.env["pos.order"].search([("partner_id", "=", ivan.id)])
        payments = {p.payment_method_id.name: p.amount for p in order.payment_ids}
        self.assertEqual(payments, {"Staff Allowance": 5.0, "Cash": 13.0})
        charge = self.env["client.balance.allowance.charge"].search(
            [("pos_order_id", "=", order.id)]
        )
        self.assertEqual((charge.company_share, charge.person_share), (5.0, 13.0))
        self.assertEqual(order.account_move.amount_residual, 5.0)
