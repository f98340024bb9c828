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

    def _spend(self, invoice_id, results, first_locked, second_waiting):
        # Leaving the block commits the cursor's transaction.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})
            account = env["client.balance.account"].browse(self.account_id)

            def spend():
                account.spend(invoice_id, 80.0)
                if not first_locked.is_set():
                    # First in: hold the lock until the other one waits for it.
                    first_locked.set()
                    second_waiting.wait(timeout=30)

            try:
                retrying(spend, env)
                results.append("paid")
            except UserError as error:
                results.append(str(error))

    def test_two_spends_at_once(self):
        results = []
        first_locked, second_waiting = threading.Event(), threading.Event()
        first = threading.Thread(
            target=self._spend, args=(self.invoice_ids[0], results, first_locked, second_waiting)
        )
        second = threading.Thread(
            target=self._spend, args=(self.invoice_ids[1], results, first_locked, second_waiting)
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
                self.fail("the second spend never waited for the first one's lock")
        second_waiting.set()
        first.join(timeout=60)
        second.join(timeout=60)

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
