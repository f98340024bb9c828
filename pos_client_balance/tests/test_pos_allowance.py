from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PosClientBalanceCase


@tagged("post_install", "-at_install")
class TestPosStaffAllowance(PosClientBalanceCase):
    """The canteen's till: a client company takes over up to 20.00 a day of
    each employee's meals; the employee pays the rest in cash."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.allowance_pm = cls.env["pos.payment.method"].create(
            {"name": "Staff Allowance", "client_balance_allowance": True}
        )
        cls.config.write({"payment_method_ids": [Command.link(cls.allowance_pm.id)]})
        cls.employer = cls.env["res.partner"].create(
            {
                "name": "Acme Staff Ltd",
                "is_company": True,
                "client_balance_allowance_enabled": True,
                "client_balance_allowance_period": "day",
                "client_balance_allowance_limit": 20.0,
                "client_balance_allowance_currency_id": cls.company.currency_id.id,
                "client_balance_allowance_date_start": date(2026, 1, 1),
            }
        )
        cls.ivan = cls.env["res.partner"].create(
            {
                "name": "Ivan Petrov",
                "parent_id": cls.employer.id,
                "client_balance_card_code": "045000000017",
            }
        )
        cls.meal = cls.env["product.product"].create(
            {"name": "Meal", "type": "service", "available_in_pos": True, "taxes_id": []}
        )

    def _meal(self, price, allowance, cash, validating=True):
        self.meal.lst_price = price
        payments = [(self.allowance_pm, allowance)] if allowance else []
        if cash:
            payments.append((self.cash_pm1, cash))
        return self._sync([(self.meal, 1)], payments, customer=self.ivan, validating=validating)

    def _charges(self):
        return self.env["client.balance.allowance.charge"].search(
            [("person_id", "=", self.ivan.id)], order="id"
        )

    @freeze_time("2026-11-26 10:00:00")
    def test_three_meal_day(self):
        """15.00: the company takes 15.00; 18.00: 5.00, Ivan pays 13.00 in
        cash; 9.00: Ivan pays all of it. What the till reads at each step."""
        config = self.config.with_user(self.cashier)
        state = config.client_balance_card_lookup("045000000017")
        self.assertEqual(
            (state["name"], state["company"], state["limit"], state["remaining"]),
            ("Acme Staff Ltd, Ivan Petrov", "Acme Staff Ltd", 20.0, 20.0),
        )
        first = self._meal(15.0, 15.0, 0.0)
        self.assertEqual(config.client_balance_allowance_state(self.ivan.id)["remaining"], 5.0)
        second = self._meal(18.0, 5.0, 13.0)
        with self._refused(r"has \$\s?0\.00 left of the allowance"):
            self._meal(9.0, 1.0, 8.0)
        third = self._meal(9.0, 0.0, 9.0)
        self.assertEqual(config.client_balance_allowance_state(self.ivan.id)["used"], 20.0)
        charges = self._charges()
        self.assertEqual(
            [(c.pos_order_id, c.company_share, c.person_share) for c in charges],
            [(first, 15.0, 0.0), (second, 5.0, 13.0)],
        )
        for order, due in ((first, 15.0), (second, 5.0)):
            invoice = order.account_move
            self.assertEqual(invoice.partner_id, self.ivan)
            self.assertEqual(invoice.amount_residual, due, "the company's share stays due")
            self.assertEqual(
                order.payment_ids.filtered(
                    "payment_method_id.client_balance_allowance"
                ).client_balance_after,
                20.0 - 15.0 if order == first else 0.0,
            )
        receivable = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
        self.assertEqual(receivable.partner_id, self.employer)
        self.assertFalse(third.account_move, "a meal without the allowance is not invoiced")
        self.assertEqual(self.employer.client_balance_allowance_open, 20.0)
        self._close_session()
        self._assert_books_agree()

    @freeze_time("2026-11-26 10:00:00")
    def test_more_than_the_limit_or_the_total(self):
        with self._refused(r"has \$\s?20\.00 left"):
            self._meal(25.0, 25.0, 0.0)
        with self._refused("pays at most the order's total"):
            self._meal(10.0, 15.0, -5.0)
        with self._refused("choose the customer of the order first"):
            self._sync([(self.meal, 1)], [(self.allowance_pm, 5.0)], customer=False)
        stranger = self.env["res.partner"].create({"name": "Walk-in"})
        with self._refused("no staff allowance enabled"):
            self._sync([(self.meal, 1)], [(self.allowance_pm, 5.0)], customer=stranger)
        with self._refused("no staff allowance enabled"):
            self.config.with_user(self.cashier).client_balance_allowance_state(stranger.id)
        with self.assertRaises(UserError):
            self.config.with_user(self.cashier).client_balance_card_lookup("no such card")
        self.assertFalse(self._charges())

    @freeze_time("2026-11-26 10:00:00")
    def test_offline_meal_beyond_the_limit_kept_aside(self):
        self._meal(15.0, 15.0, 0.0)
        order = self._meal(18.0, 18.0, 0.0, validating=False)
        self.assertEqual(order.client_balance_state, "held")
        self.assertIn("5.00 left", order.client_balance_hold_reason)
        self.assertEqual(len(self._charges()), 1)
        self.assertEqual(order.account_move.amount_residual, 18.0)
        order.action_client_balance_charge_receivable()
        self.assertEqual(order.client_balance_state, "charged")
        self.assertEqual(self._charges()[-1].company_share, 18.0)
        self._close_session()
        self._assert_books_agree()
