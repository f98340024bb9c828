"""Install, update and uninstall client_balance on books that exist already.

    .local/venv/bin/python tools/test_upgrade.py --template DB [--database NAME]

Copies the template database (Odoo's accounting with its demo invoices and
payments), adds an outstanding customer payment and a partly paid invoice,
then checks that:

1. installing client_balance (with its demo data, as the template has demo
   data) changes none of the existing journal entries, journal items,
   reconciliations or payments;
2. updating it twice in a row changes nothing at all;
3. after client balance operations (a top-up, a spend, a deposit invoice
   paid in part), uninstalling it leaves every journal entry and item as it
   was and the trial balance unchanged: the liability accounts keep their
   amounts.

Prints what it compared; exits non-zero on any difference. The database is
dropped at the end unless --keep is given.
"""

import argparse
import configparser
import os
import subprocess
import sys
import time

import psycopg2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(ROOT, ".local", "odoo.conf")
ODOO_BIN = os.path.join(os.environ.get("ODOO_SRC", "/opt/odoo"), "odoo-bin")

# What must not change, table by table: (name, query).
FINGERPRINT = (
    (
        "journal entries",
        "SELECT id, name, state, move_type, date, partner_id, journal_id, amount_total,"
        " amount_residual, payment_state FROM account_move ORDER BY id",
    ),
    (
        "journal items",
        "SELECT id, move_id, account_id, partner_id, debit, credit, amount_currency,"
        " currency_id, amount_residual, reconciled, full_reconcile_id, parent_state"
        " FROM account_move_line ORDER BY id",
    ),
    (
        "partial reconciliations",
        "SELECT id, debit_move_id, credit_move_id, amount, full_reconcile_id"
        " FROM account_partial_reconcile ORDER BY id",
    ),
    (
        "payments",
        "SELECT id, move_id, amount, partner_id, payment_type, is_reconciled, is_matched"
        " FROM account_payment ORDER BY id",
    ),
)
TRIAL_BALANCE = (
    "SELECT account_id, ROUND(SUM(debit), 2), ROUND(SUM(credit), 2) FROM account_move_line"
    " WHERE parent_state = 'posted' GROUP BY account_id ORDER BY account_id"
)

BEFORE_INSTALL = """
partner = env["res.partner"].create({"name": "Upgrade Client", "is_company": True})
bank = env["account.journal"].search(
    [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
)
payment = env["account.payment"].create(
    {"payment_type": "inbound", "partner_type": "customer", "partner_id": partner.id,
     "amount": 75.0, "journal_id": bank.id}
)
payment.action_post()
invoice = env["account.move"].create(
    {"move_type": "out_invoice", "partner_id": partner.id,
     "invoice_line_ids": [(0, 0, {"name": "Before", "price_unit": 200.0, "tax_ids": []})]}
)
invoice.action_post()
env["account.payment.register"].with_context(
    active_model="account.move", active_ids=invoice.ids
).create({"amount": 50.0, "journal_id": bank.id})._create_payments()
env.cr.commit()
"""

OPERATIONS = """
client = env["res.partner"].create({"name": "Upgrade Balance Client", "is_company": True})
deposits = env.ref("client_balance.client_balance_type_deposits")
bank = env["account.journal"].search(
    [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
)
account = env["client.balance.account"].browse(client.client_balance_open(deposits.id))
account.topup(300.0, bank.id)
invoice = env["account.move"].create(
    {"move_type": "out_invoice", "partner_id": client.id,
     "invoice_line_ids": [(0, 0, {"name": "Visit", "price_unit": 120.0, "tax_ids": []})]}
)
invoice.action_post()
account.spend(invoice.id)
deposit = env["account.move"].browse(account.request_deposit(100.0))
deposit.action_post()
env["account.payment.register"].with_context(
    active_model="account.move", active_ids=deposit.ids
).create({"amount": 40.0, "journal_id": bank.id})._create_payments()
assert account.balance == 280.0, account.balance
assert not env["client.balance.account"].check_integrity(), "integrity"
env.cr.commit()
"""

UNINSTALL = """
env["ir.module.module"].search([("name", "=", "client_balance")]).button_immediate_uninstall()
env.cr.commit()
"""


def odoo(database, *args, script=None):
    command = [sys.executable, ODOO_BIN]
    if script is not None:
        command.append("shell")
    command += ["-c", CONF, "-d", database, "--log-level=warn", *args]
    if script is None:
        command.append("--stop-after-init")
    else:
        command.append("--no-http")
    result = subprocess.run(
        command, input=script, text=True, capture_output=True, check=False, cwd=ROOT
    )
    if result.returncode:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"odoo {' '.join(args) or 'shell'} failed on {database}")


def connect(database):
    config = configparser.ConfigParser()
    config.read(CONF)
    options = config["options"]
    return psycopg2.connect(
        dbname=database,
        host=options.get("db_host"),
        user=options.get("db_user"),
        port=options.get("db_port") or None,
    )


def run_sql(database, statements, autocommit=False):
    """Run ``statements`` on ``database``; return the rows of each."""
    connection = connect(database)
    connection.autocommit = autocommit
    try:
        with connection.cursor() as cr:
            results = []
            for statement in statements:
                cr.execute(statement)
                results.append(cr.fetchall() if cr.description else [])
            return results
    finally:
        connection.close()


def admin(statement):
    """Run ``statement`` outside of a transaction (CREATE/DROP DATABASE)."""
    run_sql("postgres", [statement], autocommit=True)


def module_state(database):
    query = "SELECT state FROM ir_module_module WHERE name = 'client_balance'"
    return run_sql(database, [query])[0][0][0]


def fingerprint(database):
    names = [name for name, _query in FINGERPRINT] + ["trial balance"]
    queries = [query for _name, query in FINGERPRINT] + [TRIAL_BALANCE]
    return {
        name: {row[0]: row for row in rows}
        for name, rows in zip(names, run_sql(database, queries), strict=True)
    }


def compare(label, before, after, only_existing=False):
    """Print what was compared; return the number of differences."""
    differences = 0
    for name, rows in before.items():
        if only_existing and name == "trial balance":
            # New entries (the addon's demo data) move it; the existing
            # entries and items are compared one by one.
            continue
        later = after[name]
        changed = [key for key, row in rows.items() if later.get(key) != row]
        added = [] if only_existing else [key for key in later if key not in rows]
        differences += len(changed) + len(added)
        status = "ok  " if not changed and not added else "FAIL"
        print(
            f"{status} {label}: {len(rows)} {name}, {len(changed)} changed"
            + ("" if only_existing else f", {len(added)} added")
        )
        for key in (changed + added)[:3]:
            print(f"       {name} {key}: {rows.get(key)} -> {later.get(key)}")
    return differences


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", required=True)
    parser.add_argument("--database", default="client_balance_upgrade")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    database = args.database
    admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{database}" TEMPLATE "{args.template}"')
    differences = 0
    try:
        odoo(database, script=BEFORE_INSTALL)
        existing = fingerprint(database)
        odoo(database, "-i", "client_balance")
        installed = fingerprint(database)
        differences += compare("install", existing, installed, only_existing=True)
        for run in (1, 2):
            odoo(database, "-u", "client_balance")
            differences += compare(f"update {run}", installed, fingerprint(database))
        odoo(database, script=OPERATIONS)
        booked = fingerprint(database)
        odoo(database, script=UNINSTALL)
        differences += compare("uninstall", booked, fingerprint(database))
        state = module_state(database)
        print(f"{'ok  ' if state == 'uninstalled' else 'FAIL'} client_balance is {state}")
        differences += state != "uninstalled"
    finally:
        if not args.keep:
            admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print(f"{'passed' if not differences else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
