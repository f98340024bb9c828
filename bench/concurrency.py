"""Spends from several client processes at once through XML-RPC, against an
Odoo server with several workers: on different accounts (they must scale with
the processes: no global lock) and on one account (they serialise; a refusal
for lack of funds is the only error a user may see).

    .local/venv/bin/python bench/concurrency.py -d DATABASE [--processes 4]
        [--workers 4] [--seconds 20] [--port 8090]

The database needs client_balance installed. The script commits its set-up
(a user, client accounts, invoices to pay) and the spends, starts its own
server on --port, and checks at the end that the general ledger agrees with
the balances. Prints a table, then one PASS/FAIL line per target.
"""

import multiprocessing
import os
import sys
import time
import xmlrpc.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import Bench, bench_parser, report, start_server, wait_for

LOGIN = "bench_concurrency"
PASSWORD = LOGIN  # see Bench.rpc_user
SPEND = 1.0
# Several processes on different accounts must do at least this much more
# than one process alone.
TARGET_SCALING = 1.2


def setup(database, processes, shared_funds):
    """Commit a user, one account per process and a shared one, and an
    invoice per process and account to spend on; return their ids."""
    with Bench(database, commit=True) as bench:
        env = bench.env
        company = env.company
        user = bench.rpc_user(LOGIN, "Concurrency Benchmark")
        deposits = env.ref("client_balance.client_balance_type_deposits")
        bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        sales = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        stamp = time.strftime("%Y%m%d%H%M%S")

        def account(name, funds):
            partner = env["res.partner"].create({"name": name, "is_company": True})
            account = env["client.balance.account"].browse(
                partner.client_balance_open(deposits.id, currency_id=company.currency_id.id)
            )
            account.topup(funds, bank.id)
            return account

        def invoice(account):
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": account.commercial_partner_id.id,
                    "journal_id": sales.id,
                    "invoice_line_ids": [
                        (0, 0, {"name": "Meals", "quantity": 1, "price_unit": 1e6, "tax_ids": []})
                    ],
                }
            )
            move.action_post()
            return move.id

        own = [account(f"Concurrency {stamp} {index}", 1e6) for index in range(processes)]
        shared = account(f"Concurrency {stamp} shared", shared_funds)
        return {
            "uid": user.id,
            "own": [(acc.id, invoice(acc)) for acc in own],
            "shared": [(shared.id, invoice(shared)) for _index in range(processes)],
            "shared_id": shared.id,
        }


def worker(url, database, uid, account_id, invoice_id, seconds, queue):
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    done = refused = errors = 0
    messages = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            models.execute_kw(
                database,
                uid,
                PASSWORD,
                "client.balance.account",
                "spend",
                [[account_id], invoice_id, SPEND],
            )
            done += 1
        except xmlrpc.client.Fault as fault:
            if "available" in fault.faultString:
                refused += 1
            else:
                errors += 1
                messages.append(fault.faultString.strip().splitlines()[-1][:200])
        except OSError as error:
            errors += 1
            messages.append(str(error)[:200])
    queue.put((done, refused, errors, messages[:3]))


def run(url, database, uid, pairs, seconds):
    """Spend from each (account, invoice) pair in its own process for
    ``seconds``; return spends per second, refusals, errors, messages."""
    queue = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(
            target=worker, args=(url, database, uid, account, invoice, seconds, queue)
        )
        for account, invoice in pairs
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    results = [queue.get() for _process in processes]
    for process in processes:
        process.join()
    elapsed = time.monotonic() - started
    done = sum(result[0] for result in results)
    messages = [message for result in results for message in result[3]]
    return (
        done / elapsed,
        done,
        sum(result[1] for result in results),
        sum(result[2] for result in results),
        messages,
    )


def main():
    parser = bench_parser(__doc__)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    # What the shared account holds: one spend per process and second, less
    # than they spend from it here, so that refusals for lack of funds happen.
    ids = setup(args.database, args.processes, shared_funds=SPEND * args.processes * args.seconds)
    server = start_server(args.database, args.port, args.workers)
    url = f"http://127.0.0.1:{args.port}"
    try:
        wait_for(args.port)
        uid = ids["uid"]
        # Warm the workers up.
        run(url, args.database, uid, ids["own"][:1], 1.0)
        one = run(url, args.database, uid, ids["own"][:1], args.seconds)
        many = run(url, args.database, uid, ids["own"], args.seconds)
        shared = run(url, args.database, uid, ids["shared"], args.seconds)
    finally:
        server.terminate()
        server.wait(30)
    with Bench(args.database, smoke=args.smoke) as bench:
        issues = bench.env["client.balance.account"].check_integrity(bench.env.company.ids)
        shared_account = bench.env["client.balance.account"].browse(ids["shared_id"])
        rows = [
            [label, f"{result[0]:.1f}", result[1], result[2], result[3]]
            for label, result in (
                ("1 process, its own account", one),
                (f"{args.processes} processes, each its own account", many),
                (f"{args.processes} processes, one shared account", shared),
            )
        ]
        report(
            f"Spends over XML-RPC, {args.workers} workers, {args.seconds:.0f} s each",
            ["processes", "spends per second", "spends", "refused (no funds)", "other errors"],
            rows,
        )
        for message in (one[4] + many[4] + shared[4])[:5]:
            print(f"error: {message}")
        print(
            f"\nshared account left with {shared_account.balance:.2f} "
            f"(available {shared_account.available:.2f}); integrity issues: {len(issues)}"
        )
        bench.target("scaling_on_different_accounts", many[0] / one[0], TARGET_SCALING, "x", True)
        bench.target("errors_other_than_refusals", one[3] + many[3] + shared[3], 0, "")
        bench.target(
            "shared_account_not_negative", int(shared_account.balance < 0), 0, "", check=True
        )
        bench.target("integrity_issues", len(issues), 0, "", check=True)
    return bench.exit_code


if __name__ == "__main__":
    sys.exit(main())
