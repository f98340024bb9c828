import threading

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, tagged


@tagged("post_install", "-at_install")
class TestConcurrentSpends(BaseCase):
    """Two transactions spending the same balance at once never overdraw it.

    The data is committed (each transaction needs its own cursor to see it),
    in the database's main company, under a client of its own."""

    def setUp(self):
        super().setUp()
        self.registry = odoo_registry = Registry(get_db_name())
        with odoo_registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            if not company.client_balance_liability_account_id:
                self.skipTest("the main company has no chart of accounts")
            env = env(context={"allowed_company_ids": company.ids})
            client = env["res.partner"].create({"name": "Concurrent Canteen Client"})
            deposits = env.ref("client_balance.client_balance_type_deposits")
            account = env["client.balance.account"].browse(client.client_balance_open(deposits.id))
            bank = env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
            )
            account.topup(100.0, bank.id)
            invoices = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": client.id,
                        "invoice_date": fields.Date.today(),
                        "invoice_line_ids": [
                            Command.create({"name": "Lunch", "price_unit": 80.0, "tax_ids": []})
                        ],
                    }
                    for _i in range(2)
                ]
            )
            invoices.action_post()
            self.account_id, self.invoice_ids, self.company_id = (
                account.id,
                invoices.ids,
                company.id,
            )

    def _run(self, action, results, first_locked, second_waiting):
        """Run ``action(env)`` in a transaction of its own, retried like an
        RPC call on a serialization failure."""
        # Leaving the block commits the cursor's transaction.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})

            def run():
                action(env)
                if not first_locked.is_set():
                    # First in: hold the lock until the other one waits for it.
                    first_locked.set()
                    second_waiting.wait(timeout=30)

            try:
                retrying(run, env)
                results.append("paid")
            except UserError as error:
                results.append(str(error))

    def _spend(self, invoice_id):
        def action(env):
            env["client.balance.account"].browse(self.account_id).spend(invoice_id, 80.0)

        return action

    def _register_payment_with_debit(self, invoice_id):
        """10.00 paid on the invoice of 80.00, the other 70.00 debited from
        the balance through the Register Payment wizard."""

        def action(env):
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=[invoice_id]
            ).create(
                {
                    "amount": 10.0,
                    "client_balance_debit": True,
                    "client_balance_account_id": self.account_id,
                    "client_balance_debit_amount": 70.0,
                }
            ).action_create_payments()

        return action

    def _race(self, first_action, second_action):
        results = []
        first_locked, second_waiting = threading.Event(), threading.Event()
        first = threading.Thread(
            target=self._run, args=(first_action, results, first_locked, second_waiting)
        )
        second = threading.Thread(
            target=self._run, args=(second_action, results, first_locked, second_waiting)
        )
        first.start()
        self.assertTrue(first_locked.wait(timeout=30))
        second.start()
        # Wait until the second transaction is blocked on the account row.
        with self.registry.cursor() as cr:
            for _i in range(300):
                cr.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cr.fetchone()[0]:
                    break
                threading.Event().wait(0.1)
            else:
                self.fail("the second transaction never waited for the first one's lock")
        second_waiting.set()
        first.join(timeout=60)
        second.join(timeout=60)
        return results

    def test_two_spends_at_once(self):
        results = self._race(self._spend(self.invoice_ids[0]), self._spend(self.invoice_ids[1]))
        self.assertEqual(len(results), 2)
        self.assertEqual(results.count("paid"), 1, results)
        refusal = next(result for result in results if result != "paid")
        self.assertIn("20.00", refusal)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = env["client.balance.account"].browse(self.account_id)
            self.assertEqual(account.balance, 20.0)
            self.assertEqual(len(account.operation_ids.filtered(lambda op: op.kind == "spend")), 1)
            self.assertEqual(
                sorted(env["account.move"].browse(self.invoice_ids).mapped("payment_state")),
                ["not_paid", "paid"],
            )

    def test_spend_and_register_payment_debit_at_once(self):
        """A spend holds the lock; the Register Payment debit of the same
        balance waits, then sees 20.00 left and is refused: no payment."""
        results = self._race(
            self._spend(self.invoice_ids[0]),
            self._register_payment_with_debit(self.invoice_ids[1]),
        )
        self.assertEqual(results[0], "paid")
        self.assertIn("20.00 available", results[1])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = env["client.balance.account"].browse(self.account_id)
            self.assertEqual(account.balance, 20.0)
            invoice = env["account.move"].browse(self.invoice_ids[1])
            self.assertEqual(invoice.payment_state, "not_paid")
            self.assertFalse(invoice.matched_payment_ids)
