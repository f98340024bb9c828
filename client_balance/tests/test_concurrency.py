import threading

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, tagged


class ConcurrentCase(BaseCase):
    """Two transactions at once, each on a cursor of its own, on data
    committed in the database's main company (and removed afterwards)."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            if not company.client_balance_liability_account_id:
                self.skipTest("the main company has no chart of accounts")
        self.company_id = company.id
        self.addCleanup(self._remove_books)
        self._create_books()

    def _create_books(self):
        raise NotImplementedError

    def _remove_books(self):
        raise NotImplementedError

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})

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
                # As an RPC call does, a refused call rolls its transaction back.
                cr.rollback()
                results.append(str(error))

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


@tagged("post_install", "-at_install")
class TestConcurrentSpends(ConcurrentCase):
    """Two transactions spending the same balance at once never overdraw it.

    The data is committed (each transaction needs its own cursor to see it),
    in the database's main company, under a client of its own."""

    def _create_books(self):
        """A client with 100.00 on its balance (top-ups of 70.00 and 30.00)
        and two invoices of 80.00, and a family member with 100.00 on a
        balance of its own, committed."""
        with self.registry.cursor() as cr:
            env = self._env(cr)
            client = env["res.partner"].create({"name": "Concurrent Canteen Client"})
            deposits = env.ref("client_balance.client_balance_type_deposits")
            account = env["client.balance.account"].browse(client.client_balance_open(deposits.id))
            bank = env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", self.company_id)], limit=1
            )
            account.topup(70.0, bank.id)
            last_topup_id = account.topup(30.0, bank.id)
            family = env["res.partner"].create({"name": "Concurrent Family Member"})
            family_account = env["client.balance.account"].browse(
                family.client_balance_open(deposits.id)
            )
            family_account.topup(100.0, bank.id)
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
            self.client_id, self.account_id, self.invoice_ids, self.last_topup_id = (
                client.id,
                account.id,
                invoices.ids,
                last_topup_id,
            )
            self.family_id, self.family_account_id = family.id, family_account.id

    def _remove_books(self):
        """Remove what the test committed: entries, payments, operations,
        the client account and the client."""
        with self.registry.cursor() as cr:
            env = self._env(cr)
            client = env["res.partner"].browse([self.client_id, self.family_id])
            account = env["client.balance.account"].browse(
                [self.account_id, self.family_account_id]
            )
            operations = account.operation_ids
            payments = env["account.payment"].search([("partner_id", "child_of", client.ids)])
            moves = (
                operations.move_id | payments.move_id | env["account.move"].browse(self.invoice_ids)
            )
            moves.line_ids.remove_move_reconcile()
            operations.unlink()
            # Posted entries of operations cannot be reset to draft through
            # the ORM: the test's own, and their payments, are put back to
            # draft to be deleted.
            cr.execute("UPDATE account_move SET state = 'draft' WHERE id IN %s", [tuple(moves.ids)])
            if payments:
                cr.execute(
                    "UPDATE account_payment SET state = 'draft' WHERE id IN %s",
                    [tuple(payments.ids)],
                )
            env.invalidate_all()
            payments.unlink()
            moves.exists().with_context(force_delete=True).unlink()
            account.unlink()
            client.unlink()

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

    def _adjust_down(self):
        def action(env):
            income = env["account.account"].search(
                [
                    *env["account.account"]._check_company_domain(self.company_id),
                    ("account_type", "=", "income"),
                ],
                limit=1,
            )
            env["client.balance.account"].browse(self.account_id).adjust(
                -30.0, income.id, "Broken glass"
            )

        return action

    def _reverse_last_topup(self):
        def action(env):
            env["client.balance.operation"].browse(self.last_topup_id).reverse()

        return action

    def test_two_spends_at_once(self):
        results = self._race(self._spend(self.invoice_ids[0]), self._spend(self.invoice_ids[1]))
        self.assertEqual(len(results), 2)
        self.assertEqual(results.count("paid"), 1, results)
        refusal = next(result for result in results if result != "paid")
        self.assertIn("20.00", refusal)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            account = env["client.balance.account"].browse(self.account_id)
            self.assertEqual(account.balance, 20.0)
            self.assertEqual(len(account.operation_ids.filtered(lambda op: op.kind == "spend")), 1)
            self.assertEqual(
                sorted(env["account.move"].browse(self.invoice_ids).mapped("payment_state")),
                ["not_paid", "paid"],
            )

    def test_every_debit_waits_for_the_lock(self):
        """A spend of 80.00 holds the lock of a balance of 100.00. Each kind
        of movement that debits the balance waits for it, then sees the
        20.00 left and is refused, writing nothing."""
        debits = {
            "spend": lambda: self._spend(self.invoice_ids[1]),
            "debit_difference": lambda: self._register_payment_with_debit(self.invoice_ids[1]),
            "adjustment": self._adjust_down,
            "reversal": self._reverse_last_topup,
        }
        for index, (kind, debit) in enumerate(debits.items()):
            with self.subTest(kind=kind):
                if index:
                    # Each kind races against fresh books.
                    self._remove_books()
                    self._create_books()
                results = self._race(self._spend(self.invoice_ids[0]), debit())
                self.assertEqual(results[0], "paid")
                self.assertIn("20.00 available", results[1])
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    account = env["client.balance.account"].browse(self.account_id)
                    self.assertEqual(account.balance, 20.0)
                    self.assertEqual(
                        sorted(account.operation_ids.mapped("kind")), ["spend", "topup", "topup"]
                    )
                    invoice = env["account.move"].browse(self.invoice_ids[1])
                    self.assertEqual(invoice.payment_state, "not_paid")
                    self.assertFalse(invoice.matched_payment_ids)
                    self.assertEqual(
                        env["client.balance.account"].check_integrity([self.company_id]), []
                    )

    def test_crossing_transfers(self):
        """Two transfers between the same two balances, in opposite
        directions, at once: the accounts are locked in one order, so the
        second waits for the first instead of deadlocking, and both pass."""

        def transfer(from_id, to_id):
            def action(env):
                env["client.balance.account"].browse(from_id).transfer(to_id, 30.0)

            return action

        results = self._race(
            transfer(self.account_id, self.family_account_id),
            transfer(self.family_account_id, self.account_id),
        )
        self.assertEqual(results, ["paid", "paid"])
        with self.registry.cursor() as cr:
            env = self._env(cr)
            accounts = env["client.balance.account"].browse(
                [self.account_id, self.family_account_id]
            )
            self.assertEqual(accounts.mapped("balance"), [100.0, 100.0])
            transfers = accounts.operation_ids.filtered(lambda op: op.kind == "transfer")
            self.assertEqual(sorted(transfers.mapped("amount")), [-30.0, -30.0, 30.0, 30.0])
            self.assertEqual(len(transfers.move_id), 2, "one entry per transfer")
            self.assertEqual(env["client.balance.account"].check_integrity([self.company_id]), [])


@tagged("post_install", "-at_install")
class TestConcurrentCardCharges(ConcurrentCase):
    """Two tills charging the same client card at once never exceed the
    period's limit: the second waits for the first, then reads the usage
    again."""

    def _create_books(self):
        """A company with an allowance of 20.00 a day, an employee with a
        card and two meals of 15.00, committed."""
        with self.registry.cursor() as cr:
            env = self._env(cr)
            employer = env["res.partner"].create(
                {
                    "name": "Concurrent Canteen Employer",
                    "is_company": True,
                    "client_balance_allowance_enabled": True,
                    "client_balance_allowance_limit": 20.0,
                    "client_balance_allowance_currency_id": env.company.currency_id.id,
                    "client_balance_allowance_date_start": "2020-01-01",
                }
            )
            person = env["res.partner"].create(
                {
                    "name": "Concurrent Eater",
                    "parent_id": employer.id,
                    "client_balance_card_code": "CONCURRENT-CARD-1",
                }
            )
            invoices = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": person.id,
                        "invoice_date": fields.Date.today(),
                        "invoice_line_ids": [
                            Command.create({"name": "Meal", "price_unit": 15.0, "tax_ids": []})
                        ],
                    }
                    for _i in range(2)
                ]
            )
            invoices.action_post()
            self.cash_id = (
                env["account.journal"]
                .search([("type", "=", "cash"), ("company_id", "=", self.company_id)], limit=1)
                .id
            )
            self.partner_ids = [person.id, employer.id]
            self.invoice_ids = invoices.ids

    def _remove_books(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partners = env["res.partner"].browse(self.partner_ids)
            charges = env["client.balance.allowance.charge"].search(
                [("employer_id", "in", partners.ids)]
            )
            payments = env["account.payment"].search([("partner_id", "child_of", partners.ids)])
            moves = payments.move_id | env["account.move"].browse(self.invoice_ids)
            moves.line_ids.remove_move_reconcile()
            charges.unlink()
            payments.action_draft()
            payments.unlink()
            moves.exists().button_draft()
            moves.exists().with_context(force_delete=True).unlink()
            # The wizards that registered the person's payments.
            env["account.payment.register"].search([("partner_id", "in", partners.ids)]).unlink()
            partners.unlink()

    def _charge(self, invoice_id):
        def action(env):
            env["res.partner"].client_balance_card_charge(
                "CONCURRENT-CARD-1", invoice_id, self.cash_id
            )

        return action

    def test_two_tills_at_once(self):
        results = self._race(self._charge(self.invoice_ids[0]), self._charge(self.invoice_ids[1]))
        self.assertEqual(results, ["paid", "paid"])
        with self.registry.cursor() as cr:
            env = self._env(cr)
            charges = env["client.balance.allowance.charge"].search(
                [("person_id", "=", self.partner_ids[0])], order="id"
            )
            self.assertEqual(charges.mapped("company_share"), [15.0, 5.0])
            self.assertEqual(charges.mapped("person_share"), [0.0, 10.0])
            self.assertEqual(sum(charges.mapped("company_share")), 20.0)
