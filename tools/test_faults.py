"""Faults in the middle of an operation, on a multi-worker server: the worker
killed (SIGKILL), or its database connection dropped, at several points of a
top-up and of a spend. Each time the transaction must roll back whole (no
entry without its operation, no operation without its entry, the balance
unmoved), the books must agree with the general ledger, and the same request
sent again must succeed, once.

    .local/venv/bin/python tools/test_faults.py -d DATABASE [--port 8093]

The database needs client_balance installed. The script commits its set-up
(a user, a client account, invoices to pay), starts its own server with two
workers on --port, and pauses the operation at each point with a trigger
that waits for an advisory lock this script holds: while it waits, the
fault is injected. The triggers are dropped at the end. Exits non-zero on
any failure.
"""

import argparse
import os
import signal
import sys
import threading
import time
import xmlrpc.client

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")
)

from _common import Bench, start_server, wait_for

LOGIN = "faults_manager"
PASSWORD = LOGIN  # see Bench.rpc_user
LOCK = 7_240_001
# Where the operation is paused: (label, table, condition on OLD/NEW).
POINTS = (
    ("before its entry is posted", "INSERT", "account_move", "TRUE"),
    (
        "once its entry is posted",
        "UPDATE",
        "account_move",
        "NEW.state = 'posted' AND OLD.state IS DISTINCT FROM 'posted'",
    ),
    (
        "before the operation is recorded",
        "UPDATE",
        "client_balance_operation",
        "NEW.move_id IS NOT NULL AND OLD.move_id IS NULL",
    ),
    (
        "as the balance is stored",
        "UPDATE",
        "client_balance_account",
        "NEW.balance IS DISTINCT FROM OLD.balance",
    ),
)
FAULTS = ("worker killed", "connection dropped")


def setup(database, spends):
    with Bench(database, commit=True) as bench:
        env = bench.env
        company = env.company
        user = bench.rpc_user(LOGIN, "Faults Manager")
        client = env["res.partner"].create(
            {"name": f"Faults Client {time.strftime('%H%M%S')}", "is_company": True}
        )
        deposits = env.ref("client_balance.client_balance_type_deposits")
        account = env["client.balance.account"].browse(client.client_balance_open(deposits.id))
        bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        account.topup(1000.0, bank.id)
        invoices = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": client.id,
                    "invoice_line_ids": [
                        (0, 0, {"name": "Visit", "price_unit": 7.0, "tax_ids": []})
                    ],
                }
                for _index in range(spends)
            ]
        )
        invoices.action_post()
        # What an interrupted run of this script may have left.
        for table in {point[2] for point in POINTS}:
            env.cr.execute(f"DROP TRIGGER IF EXISTS client_balance_fault ON {table}")
        env.cr.execute(
            """
            CREATE OR REPLACE FUNCTION client_balance_fault_pause() RETURNS trigger AS $$
            BEGIN
                PERFORM pg_advisory_lock(%s);
                PERFORM pg_advisory_unlock(%s);
                RETURN NULL;
            END $$ LANGUAGE plpgsql
            """,
            [LOCK, LOCK],
        )
        return {"uid": user.id, "account": account.id, "bank": bank.id, "invoices": invoices.ids}


class OneShot(xmlrpc.client.Transport):
    """Python's XML-RPC client sends a request again, once, when the server
    drops the connection: this one does not, so that each request here is
    sent exactly when the script says."""

    def request(self, host, handler, request_body, verbose=False):
        return self.single_request(host, handler, request_body, verbose)


def http_workers(server_pid):
    """The PIDs of the HTTP workers of the server ``server_pid``."""
    workers = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                gevent = b"gevent" in cmdline.read()
        except OSError:
            continue
        if parent == server_pid and not gevent:
            workers.append(int(entry))
    return workers


def state(cr, account_id):
    """What a rolled-back request must leave as it was."""
    cr.execute(
        """
        SELECT (SELECT COUNT(*) FROM client_balance_operation WHERE account_id = %(a)s),
               (SELECT COUNT(*) FROM account_move),
               (SELECT COUNT(*) FROM account_payment),
               (SELECT balance FROM client_balance_account WHERE id = %(a)s),
               (SELECT COALESCE(-SUM(amount_currency), 0) FROM account_move_line
                 WHERE client_balance_account_id = %(a)s AND parent_state = 'posted')
        """,
        {"a": account_id},
    )
    return cr.fetchone()


class Injections:
    """The requests of the script and the faults it injects into them."""

    def __init__(self, database, ids, url, server):
        self.database = database
        self.ids = ids
        self.url = url
        self.server = server

    def call(self, kind, invoice_id, transport=None):
        """A top-up of 10.00, or a spend of 7.00 on ``invoice_id``."""
        account = [[self.ids["account"]]]
        if kind == "top-up":
            method, args = "topup", [*account, 10.0, self.ids["bank"]]
        else:
            method, args = "spend", [*account, invoice_id, 7.0]
        proxy = xmlrpc.client.ServerProxy(
            f"{self.url}/xmlrpc/2/object", allow_none=True, transport=transport
        )
        return proxy.execute_kw(
            self.database, self.ids["uid"], PASSWORD, "client.balance.account", method, args
        )

    def paused_backend(self, cr):
        """The database backend waiting in the trigger, once it waits."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            cr.execute(
                """
                SELECT pid FROM pg_locks
                 WHERE locktype = 'advisory' AND NOT granted AND objid = %s
                """,
                [LOCK],
            )
            row = cr.fetchone()
            cr.commit()
            if row:
                return row[0]
            time.sleep(0.05)
        return None

    def wait_gone(self, cr, backend):
        while True:
            cr.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend])
            gone = not cr.fetchone()
            cr.commit()
            if gone:
                return
            time.sleep(0.05)

    def inject(self, cr, point, fault, kind, invoice_id):
        """Pause the request at ``point``, strike it with ``fault``, then send
        it again; return what the caller saw and what went wrong."""
        _label, event, table, condition = point
        cr.execute(
            f"CREATE TRIGGER client_balance_fault AFTER {event} ON {table}"
            f" FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION client_balance_fault_pause()"
        )
        cr.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        cr.commit()
        before = state(cr, self.ids["account"])
        cr.commit()
        outcome = {}

        def send():
            try:
                outcome["result"] = self.call(kind, invoice_id, OneShot())
            except xmlrpc.client.Fault as refused:
                outcome["error"] = "fault: " + refused.faultString.strip().splitlines()[-1]
            except Exception as error:
                outcome["error"] = f"{type(error).__name__}: {error}"

        thread = threading.Thread(target=send)
        thread.start()
        failures = []
        backend = self.paused_backend(cr)
        if not backend:
            failures.append("the operation never reached the point")
        elif fault == "worker killed":
            # The paused request's worker is one of them (the connections do
            # not say which: they are opened under the server's name); the
            # server replaces every worker it loses.
            for worker in http_workers(self.server.pid):
                os.kill(worker, signal.SIGKILL)
        else:
            cr.execute("SELECT pg_terminate_backend(%s)", [backend])
        thread.join(60)
        cr.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
        cr.commit()
        if backend:
            # The paused transaction ends (rolled back) before the trigger can go.
            self.wait_gone(cr, backend)
        cr.execute(f"DROP TRIGGER client_balance_fault ON {table}")
        cr.commit()
        after = state(cr, self.ids["account"])
        cr.commit()
        if "result" in outcome:
            failures.append("the request succeeded through the fault")
        if after != before:
            failures.append(f"not rolled back whole: {before} -> {after}")
        # The same request again: booked once.
        for _attempt in range(3):
            try:
                self.call(kind, invoice_id)
                break
            except (OSError, xmlrpc.client.ProtocolError):
                time.sleep(1)  # a killed worker is being replaced
        again = state(cr, self.ids["account"])
        cr.commit()
        moved = 10.0 if kind == "top-up" else -7.0
        if again[0] != before[0] + 1 or float(again[3]) != float(before[3]) + moved:
            failures.append(f"sent again: {before} -> {again}")
        return outcome.get("error", "no error"), failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--port", type=int, default=8093)
    args = parser.parse_args()
    database = args.database
    cases = [
        (point, fault, kind) for point in POINTS for fault in FAULTS for kind in ("top-up", "spend")
    ]
    ids = setup(database, len(cases))
    spend_invoices = iter(ids["invoices"])
    server = start_server(database, args.port, workers=2)
    survived = 0
    try:
        wait_for(args.port)
        injections = Injections(database, ids, f"http://127.0.0.1:{args.port}", server)
        # Warm both workers up.
        for _index in range(2):
            injections.call("top-up", None)
        with Bench(database, commit=True) as watch:
            cr = watch.cr
            cr.commit()
            for point, fault, kind in cases:
                invoice_id = next(spend_invoices) if kind == "spend" else None
                seen, failures = injections.inject(cr, point, fault, kind, invoice_id)
                survived += not failures
                print(f"{'FAIL' if failures else 'ok  '} {kind}, {fault} {point[0]}: {seen[:90]}")
                for failure in failures:
                    print(f"     {failure}")
            issues = watch.env["client.balance.account"].check_integrity(watch.env.company.ids)
            print(f"{'FAIL' if issues else 'ok  '} integrity check: {len(issues)} issues")
            cr.execute("DROP FUNCTION IF EXISTS client_balance_fault_pause()")
    finally:
        server.terminate()
        server.wait(30)
    print(f"{survived} of {len(cases)} faults survived")
    return 0 if survived == len(cases) and not issues else 1


if __name__ == "__main__":
    sys.exit(main())
