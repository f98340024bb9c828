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
PASSWORD = "faults_manager"
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
        user = env["res.users"].search([("login", "=", LOGIN)])
        if not user:
            user = env["res.users"].create(
                {
                    "name": "Faults Manager",
                    "login": LOGIN,
                    "password": PASSWORD,
                    "email": "faults@example.com",
                    "company_id": company.id,
                    "company_ids": [(6, 0, company.ids)],
                    "groups_id": [
                        (4, env.ref("account.group_account_invoice").id),
                        (4, env.ref("client_balance.client_balance_group_manager").id),
                    ],
                }
            )
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--port", type=int, default=8093)
    args = parser.parse_args()
    database = args.database
    injections = len(POINTS) * len(FAULTS)
    ids = setup(database, injections + 1)
    url = f"http://127.0.0.1:{args.port}"
    server = start_server(database, args.port, workers=2)
    failures = []
    spend_invoices = iter(ids["invoices"])
    try:
        wait_for(args.port)
        models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

        def request(kind, invoice_id):
            account = [[ids["account"]]]
            if kind == "top-up":
                return ("client.balance.account", "topup", [*account, 10.0, ids["bank"]])
            return ("client.balance.account", "spend", [*account, invoice_id, 7.0])

        def call(kind, invoice_id, proxy=None):
            model, method, call_args = request(kind, invoice_id)
            return (proxy or models).execute_kw(
                database, ids["uid"], PASSWORD, model, method, call_args
            )

        # Warm both workers up.
        for _index in range(2):
            models.execute_kw(
                database,
                ids["uid"],
                PASSWORD,
                "client.balance.account",
                "read",
                [[ids["account"]], ["balance"]],
            )
        with Bench(database, commit=True) as watch:
            cr = watch.cr
            cr.commit()
            for label, event, table, condition in POINTS:
                for fault in FAULTS:
                    for kind in ("top-up", "spend"):
                        invoice_id = next(spend_invoices) if kind == "spend" else None
                        name = f"{kind}, {fault} {label}"
                        cr.execute(
                            f"CREATE TRIGGER client_balance_fault AFTER {event} ON {table}"
                            f" FOR EACH ROW WHEN ({condition})"
                            " EXECUTE FUNCTION client_balance_fault_pause()"
                        )
                        cr.execute("SELECT pg_advisory_lock(%s)", [LOCK])
                        cr.commit()
                        before = state(cr, ids["account"])
                        cr.commit()
                        outcome = {}

                        def send(kind=kind, invoice_id=invoice_id, outcome=outcome):
                            proxy = xmlrpc.client.ServerProxy(
                                f"{url}/xmlrpc/2/object", allow_none=True, transport=OneShot()
                            )
                            try:
                                outcome["result"] = call(kind, invoice_id, proxy)
                            except xmlrpc.client.Fault as refused:
                                last = refused.faultString.strip().splitlines()[-1]
                                outcome["error"] = f"fault: {last}"[:160]
                            except Exception as error:
                                outcome["error"] = f"{type(error).__name__}: {error}"[:160]

                        thread = threading.Thread(target=send)
                        thread.start()
                        backend = None
                        deadline = time.monotonic() + 60
                        while time.monotonic() < deadline and not backend:
                            cr.execute(
                                """
                                SELECT activity.pid
                                  FROM pg_locks lock
                                  JOIN pg_stat_activity activity ON activity.pid = lock.pid
                                 WHERE lock.locktype = 'advisory' AND NOT lock.granted
                                   AND lock.objid = %s
                                """,
                                [LOCK],
                            )
                            row = cr.fetchone()
                            cr.commit()
                            if row:
                                backend = row[0]
                            else:
                                time.sleep(0.05)
                        if not backend:
                            failures.append(f"{name}: the operation never reached the point")
                        elif fault == "worker killed":
                            # The paused request's worker is one of them (the
                            # connections do not say which: they are opened
                            # under the server's name); the server replaces
                            # every worker it loses.
                            for worker in http_workers(server.pid):
                                os.kill(worker, signal.SIGKILL)
                        else:
                            cr.execute("SELECT pg_terminate_backend(%s)", [backend])
                        thread.join(60)
                        cr.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
                        cr.commit()
                        # The paused transaction ends (rolled back) before the
                        # trigger can go.
                        while backend:
                            cr.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend])
                            gone = not cr.fetchone()
                            cr.commit()
                            if gone:
                                break
                            time.sleep(0.05)
                        cr.execute(f"DROP TRIGGER client_balance_fault ON {table}")
                        cr.commit()
                        after = state(cr, ids["account"])
                        cr.commit()
                        if "result" in outcome:
                            failures.append(f"{name}: the request succeeded through the fault")
                        if after != before:
                            failures.append(f"{name}: not rolled back whole: {before} -> {after}")
                        # The same request again: booked once.
                        for _attempt in range(3):
                            try:
                                call(kind, invoice_id)
                                break
                            except (OSError, xmlrpc.client.ProtocolError):
                                time.sleep(1)  # a killed worker is being replaced
                        again = state(cr, ids["account"])
                        cr.commit()
                        moved = 10.0 if kind == "top-up" else -7.0
                        if again[0] != before[0] + 1 or float(again[3]) != float(before[3]) + moved:
                            failures.append(f"{name}: sent again: {before} -> {again}")
                        mine = [f for f in failures if f.startswith(name)]
                        status = "FAIL" if mine else "ok  "
                        print(f"{status} {name}: {outcome.get('error', 'no error')[:90]}")
                        for failure in mine:
                            print(f"     {failure}")
            issues = watch.env["client.balance.account"].check_integrity(watch.env.company.ids)
            if issues:
                failures.append(f"integrity check: {len(issues)} issues")
            print(f"{'ok  ' if not issues else 'FAIL'} integrity check: {len(issues)} issues")
            cr.execute("DROP FUNCTION IF EXISTS client_balance_fault_pause()")
    finally:
        server.terminate()
        server.wait(30)
    failed = {failure.split(":")[0] for failure in failures if not failure.startswith("integ")}
    print(f"{injections * 2 - len(failed)} of {injections * 2} faults survived")
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
