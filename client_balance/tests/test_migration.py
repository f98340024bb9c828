from odoo.modules.migration import load_script
from odoo.tests import tagged

from .common import ClientBalanceCommon


@tagged("post_install", "-at_install")
class TestMigration(ClientBalanceCommon):
    """The migration to 18.0.1.1.0, run on the tables as 18.0.1.0.0 left
    them (inside the test's transaction, rolled back afterwards)."""

    def test_single_minimum_becomes_one_per_currency(self):
        eur = self.setup_other_currency("EUR", rounding=0.01)
        allowance = self.env["client.balance.type"].create({"name": "Old allowance"})
        usd_account = self._open(balance_type=allowance)
        eur_account = self._open(balance_type=allowance, currency=eur)
        topup = self._topup(usd_account, 50.0)
        spend = self.env["client.balance.operation"].browse(
            usd_account.with_user(self.user_cashier).spend(self._invoice(20.0).id)
        )
        self.env.flush_all()
        cr = self.env.cr
        # Version 18.0.1.0.0: one minimum balance for every currency, and
        # operations without invoices, journal or balance after.
        cr.execute("ALTER TABLE client_balance_type ADD COLUMN min_balance numeric")
        cr.execute(
            "UPDATE client_balance_type SET min_balance = -300 WHERE id = %s", [allowance.id]
        )
        cr.execute(
            "UPDATE client_balance_operation SET balance_after = NULL, journal_id = NULL "
            "WHERE id IN %s",
            [(topup.id, spend.id)],
        )
        cr.execute(
            "DELETE FROM client_balance_operation_invoice_rel WHERE operation_id = %s", [spend.id]
        )
        self.env.invalidate_all()
        script = load_script(
            "client_balance/migrations/18.0.1.1.0/post-migration.py", "client_balance_post_18_1_1"
        )
        script.migrate(cr, "18.0.1.0.0")
        self.env.invalidate_all()
        minimums = {line.currency_id: line.min_balance for line in allowance.minimum_ids}
        self.assertEqual(minimums[self.currency], -300.0)
        self.assertEqual(minimums[eur], -300.0)
        self.assertRecordValues(
            usd_account | eur_account,
            [
                {"balance": 30.0, "min_balance": -300.0, "available": 330.0},
                {"balance": 0.0, "min_balance": -300.0, "available": 300.0},
            ],
        )
        self.assertRecordValues(
            topup | spend,
            [
                {"balance_after": 50.0, "journal_id": self.bank_journal.id},
                {
                    "balance_after": 30.0,
                    "journal_id": self.company.client_balance_journal_id.id,
                },
            ],
        )
        self.assertEqual(spend.invoice_ids, spend.invoice_id)
        self.assertTrue(spend.invoice_id)
        cr.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'client_balance_type' AND column_name = 'min_balance'"
        )
        self.assertFalse(cr.fetchone(), "the old column is dropped")
        # A type that had no minimum gets no line.
        self.assertFalse(self.deposits.minimum_ids)
