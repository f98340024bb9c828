from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    _migrate_minimum_balances(cr)
    _fill_operation_links(cr)


def _fill_operation_links(cr):
    """Operations booked before they carried their invoices, journal and
    balance after: the invoice they settle, the journal of their entry, and
    the running balance of their account in booking order."""
    cr.execute(
        """
        INSERT INTO client_balance_operation_invoice_rel (operation_id, move_id)
        SELECT id, invoice_id FROM client_balance_operation WHERE invoice_id IS NOT NULL
        ON CONFLICT DO NOTHING
        """
    )
    cr.execute(
        """
        UPDATE client_balance_operation operation SET journal_id = move.journal_id
          FROM account_move move
         WHERE move.id = operation.move_id AND operation.journal_id IS NULL
        """
    )
    cr.execute(
        """
        UPDATE client_balance_operation operation SET balance_after = running.balance
          FROM (SELECT id, SUM(amount) OVER (PARTITION BY account_id ORDER BY id) AS balance
                  FROM client_balance_operation) running
         WHERE running.id = operation.id AND operation.balance_after IS NULL
        """
    )


def _migrate_minimum_balances(cr):
    """A type's minimum balance was one number for every currency; it is now
    one amount per currency. Each type keeps its behaviour: its old minimum
    becomes its minimum in every currency its accounts hold and in each
    company's currency."""
    cr.execute(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_name = 'client_balance_type' AND column_name = 'min_balance'"
    )
    if not cr.fetchone():
        return
    cr.execute(
        """
        INSERT INTO client_balance_type_minimum
               (type_id, currency_id, min_balance, create_uid, write_uid, create_date, write_date)
        SELECT DISTINCT t.id, c.currency_id, t.min_balance, %(uid)s, %(uid)s,
               now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM client_balance_type t
          JOIN (SELECT type_id, currency_id FROM client_balance_account
                UNION
                SELECT t2.id, company.currency_id
                  FROM client_balance_type t2 CROSS JOIN res_company company) c
            ON c.type_id = t.id
         WHERE COALESCE(t.min_balance, 0) <> 0
        ON CONFLICT (type_id, currency_id) DO NOTHING
        """,
        {"uid": SUPERUSER_ID},
    )
    cr.execute("ALTER TABLE client_balance_type DROP COLUMN min_balance")
    env = api.Environment(cr, SUPERUSER_ID, {})
    # The new columns were computed when the module loaded, before these
    # lines existed: forget what was read then.
    env.invalidate_all()
    Account = env["client.balance.account"].with_context(active_test=False)
    accounts = Account.search([])
    for field_name in ("min_balance", "available", "debt"):
        env.add_to_compute(Account._fields[field_name], accounts)
    env.flush_all()
