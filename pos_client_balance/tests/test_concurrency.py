import uuid

from odoo import fields
from odoo.tests import tagged

from odoo.addons.client_balance.tests.test_concurrency import ConcurrentCase


@tagged("post_install", "-at_install")
class TestTwoTills(ConcurrentCase):
    """Two tills, each with a session of its own, send at the same moment an
    order paid from the same balance, which covers only one of them.

    The books are committed in the database's main company (each till's
    transaction needs its own cursor to see them); the sessions are closed
    afterwards, which leaves the books agreeing with the balances."""

    def _create_books(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            deposits = env.ref("client_balance.client_balance_type_deposits")
            method = env["pos.payment.method"].create(
                {"name": "Concurrent Deposits", "client_balance_type_id": deposits.id}
            )
            configs = env["pos.config"].create(
                [
                    {"name": f"Concurrent Till {number}", "payment_method_ids": [method.id]}
                    for number in (1, 2)
                ]
            )
            for config in configs:
                config.open_ui()
            client = env["res.partner"].create({"name": "Concurrent Salon Client"})
            account = env["client.balance.account"].browse(client.client_balance_open(deposits.id))
            bank = env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", self.company_id)], limit=1
            )
            account.topup(100.0, bank.id)
            product = env["product.product"].create(
                {
                    "name": "Concurrent Colouring",
                    "type": "service",
                    "available_in_pos": True,
                    "list_price": 80.0,
                    "taxes_id": [],
                }
            )
            self.method_id, self.config_ids, self.product_id = method.id, configs.ids, product.id
            self.client_id, self.account_id = client.id, account.id
            self.session_ids = configs.current_session_id.ids

    def _remove_books(self):
        """Close the tills' sessions (Odoo's closing entry, matched with the
        bookings) and archive what the test made."""
        with self.registry.cursor() as cr:
            env = self._env(cr)
            for session in env["pos.session"].browse(self.session_ids):
                result = session.close_session_from_ui()
                self.assertTrue(result["successful"], result)
            env["pos.config"].browse(self.config_ids).active = False
            env["product.product"].browse(self.product_id).active = False
            env["pos.payment.method"].browse(self.method_id).active = False

    def _order(self, session_id):
        order_uuid = str(uuid.uuid4())
        now = fields.Datetime.to_string(fields.Datetime.now())
        data = {
            "uuid": order_uuid,
            "name": f"Order {order_uuid}",
            "session_id": session_id,
            "partner_id": self.client_id,
            "date_order": now,
            "amount_total": 80.0,
            "amount_tax": 0.0,
            "amount_paid": 80.0,
            "amount_return": 0.0,
            "sequence_number": 1,
            "to_invoice": False,
            "last_order_preparation_change": "{}",
            "lines": [
                (
                    0,
                    0,
                    {
                        "product_id": self.product_id,
                        "qty": 1,
                        "price_unit": 80.0,
                        "price_subtotal": 80.0,
                        "price_subtotal_incl": 80.0,
                        "tax_ids": [(6, 0, [])],
                        "pack_lot_ids": [],
                    },
                )
            ],
            "payment_ids": [
                (0, 0, {"amount": 80.0, "payment_method_id": self.method_id, "name": now})
            ],
        }

        def action(env):
            # The cashier validates this order now: a refusal is theirs to see.
            env["pos.order"].with_context(client_balance_validating=[order_uuid]).sync_from_ui(
                [data]
            )

        return action

    def test_two_tills_pay_from_one_balance(self):
        results = self._race(self._order(self.session_ids[0]), self._order(self.session_ids[1]))
        self.assertEqual(len(results), 2)
        self.assertEqual(results.count("paid"), 1, results)
        refusal = next(result for result in results if result != "paid")
        self.assertIn("20.00 available", refusal)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            account = env["client.balance.account"].browse(self.account_id)
            self.assertEqual(account.balance, 20.0)
            self.assertEqual(len(account.operation_ids.filtered(lambda op: op.kind == "pos")), 1)
            orders = env["pos.order"].search([("session_id", "in", self.session_ids)])
            self.assertEqual(len(orders), 1, "the refused order wrote nothing")
            self.assertEqual(orders.client_balance_state, "booked")
