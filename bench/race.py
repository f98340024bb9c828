"""Racing tills on a multi-worker server: pairs of debits of one balance
that can afford only one of them, sent at the same instant from two client
processes over XML-RPC, while a third process tops up a balance all of them
share. Each pair is a spend, a Register Payment that debits the rest from
the balance, or the reversal of the top-up that funded it, against another
of these.

    .local/venv/bin/python bench/race.py -d DATABASE [--pairs 1000]
        [--groups 2] [--workers 4] [--port 8092]

Each pair's account holds 10.00 from one top-up; each debit takes 9.00 (the
reversal takes the 10.00 back). Exactly one of the two may succeed: the other
must be refused for lack of funds, never booked (an overdraft) and never
fail otherwise (Odoo retries the transactions PostgreSQL cannot serialise:
no such failure may reach the user). --groups sets how many pairs race at
once (each group is three processes: the two sides and the top-up).

The database needs client_balance installed. The script commits its set-up
(a user, the accounts, their invoices) and what the server books, starts its
own server on --port, and checks at the end that the general ledger agrees
with the balances. Prints a table, then one PASS/FAIL line per target.
"""

import multiprocessing
import os
import sys
import tempfile
import time
import xmlrpc.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import Bench, bench_parser, report, start_server, wait_for

LOGIN = "bench_race"
PASSWORD = LOGIN  # see Bench.rpc_user
FUNDS = 10.0
DEBIT = 9.0
# What each side of a pair does, in turn.
PAIRS = (
    ("spend", "spend"),
    ("spend", "register_debit"),
    ("reverse", "spend"),
    ("register_debit", "reverse"),
)


def setup(database, pairs):
    """Commit a cashier-manager user, one funded account per pair with two
    invoices to pay, and the shared account the top-ups go to."""
    with Bench(database, commit=True) as bench:
        env = bench.env
        company = env.company
        user = bench.rpc_user(LOGIN, "Race Benchmark")
        deposits = env.ref("client_balance.client_balance_type_deposits")
        bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        stamp = time.strftime("%Y%m%d%H%M%S")
        partners = env["res.partner"].create(
            [{"name": f"Race {stamp} {index}", "is_company": True} for index in range(pairs + 1)]
        )
        shared = env["client.balance.account"].browse(
            partners[-1].client_balance_open(deposits.id, currency_id=company.currency_id.id)
        )
        invoices = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_line_ids": [
                        (0, 0, {"name": "Visit", "price_unit": FUNDS, "tax_ids": []})
                    ],
                }
                for partner in partners[:-1]
                for _side in range(2)
            ]
        )
        invoices.action_post()
        races = []
        for index, partner in enumerate(partners[:-1]):
            account = env["client.balance.account"].browse(
                partner.client_balance_open(deposits.id, currency_id=company.currency_id.id)
            )
            topup = account.topup(FUNDS, bank.id)
            races.append(
                {
                    "account": account.id,
                    "topup": topup,
                    "invoices": invoices[2 * index : 2 * index + 2].ids,
                    "kinds": PAIRS[index % len(PAIRS)],
                }
            )
        return {"uid": user.id, "bank": bank.id, "shared": shared.id, "races": races}


def prepare(models, database, uid, kind, race, invoice_id):
    """One side of a pair, ready to go: a function that books the debit and
    returns True, or False when it is refused for lack of funds (any other
    fault is raised). A Register Payment's wizard is opened beforehand, as
    a cashier does, so that only the confirmations race."""

    def call(model, method, args, kwargs=None):
        return models.execute_kw(database, uid, PASSWORD, model, method, args, kwargs or {})

    def refused_for_lack_of_funds(book):
        def run():
            try:
                return book()
            except xmlrpc.client.Fault as fault:
                if "available" in fault.faultString:
                    return False
                raise

        return run

    if kind == "spend":
        return refused_for_lack_of_funds(
            lambda: bool(
                call("client.balance.account", "spend", [[race["account"]], invoice_id, DEBIT])
            )
        )
    if kind == "reverse":
        return refused_for_lack_of_funds(
            lambda: bool(call("client.balance.operation", "reverse", [[race["topup"]]]))
        )
    context = {"context": {"active_model": "account.move", "active_ids": [invoice_id]}}
    values = {
        "amount": FUNDS - DEBIT,
        "client_balance_debit": True,
        "client_balance_debit_amount": DEBIT,
    }
    wizard = call("account.payment.register", "create", [values], context)

    def confirm():
        call("account.payment.register", "action_create_payments", [[wizard]], context)
        domain = [("invoice_ids", "in", [invoice_id]), ("kind", "=", "debit_difference")]
        if not call("client.balance.operation", "search_count", [domain]):
            raise RuntimeError("the Register Payment booked no debit from the balance")
        return True

    return refused_for_lack_of_funds(confirm)


def side(url, database, uid, races, group, index, barrier, queue):
    """Race side ``index`` (0 or 1) of each of ``races``; side 2 tops up the
    shared account meanwhile."""
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    messages = []
    outcomes = []  # per race: True booked, False refused, None another error
    for race in races:
        try:
            if index == 2:
                book = lambda race=race: bool(  # noqa: E731
                    models.execute_kw(
                        database,
                        uid,
                        PASSWORD,
                        "client.balance.account",
                        "topup",
                        [[race["shared"]], 1.0, race["bank"]],
                    )
                )
            else:
                kind, invoice_id = race["kinds"][index], race["invoices"][index]
                book = prepare(models, database, uid, kind, race, invoice_id)
        except (xmlrpc.client.Fault, OSError) as error:
            book = error
        barrier.wait(timeout=300)
        try:
            if isinstance(book, Exception):
                raise book
            outcomes.append(book())
        except (xmlrpc.client.Fault, OSError, RuntimeError) as error:
            outcomes.append(None)
            text = error.faultString if isinstance(error, xmlrpc.client.Fault) else str(error)
            messages.append(text.strip().splitlines()[-1][:200])
    queue.put((group, index, outcomes, messages[:3]))


def race_all(url, database, ids, groups):
    """Race every pair, ``groups`` pairs at a time; return the counts."""
    races = [{**race, "shared": ids["shared"], "bank": ids["bank"]} for race in ids["races"]]
    queue = multiprocessing.Queue()
    processes = []
    for group in range(groups):
        barrier = multiprocessing.Barrier(3)
        for index in range(3):
            processes.append(
                multiprocessing.Process(
                    target=side,
                    args=(
                        url,
                        database,
                        ids["uid"],
                        races[group::groups],
                        group,
                        index,
                        barrier,
                        queue,
                    ),
                )
            )
    started = time.monotonic()
    for process in processes:
        process.start()
    results = {
        (group, index): (outcomes, messages)
        for group, index, outcomes, messages in (queue.get() for _process in processes)
    }
    for process in processes:
        process.join()
    elapsed = time.monotonic() - started
    debits = [
        outcome
        for (_group, index), (outcomes, _m) in results.items()
        if index != 2
        for outcome in outcomes
    ]
    topups = [
        outcome
        for (_group, index), (outcomes, _m) in results.items()
        if index == 2
        for outcome in outcomes
    ]
    won = {"spend": 0, "register_debit": 0, "reverse": 0}
    for group in range(groups):
        for index in (0, 1):
            for race, outcome in zip(races[group::groups], results[group, index][0], strict=True):
                won[race["kinds"][index]] += bool(outcome)
    both = sum(
        1
        for group in range(groups)
        for first, second in zip(results[group, 0][0], results[group, 1][0], strict=True)
        if first and second
    )
    return {
        "elapsed": elapsed,
        "done": sum(won.values()),
        "refused": debits.count(False),
        "errors": (debits + topups).count(None),
        "topups": topups.count(True),
        "both": both,
        "won": won,
        "messages": [message for _outcomes, messages in results.values() for message in messages],
    }


def main():
    parser = bench_parser(__doc__)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8092)
    args = parser.parse_args()
    ids = setup(args.database, args.pairs)
    logfile = tempfile.NamedTemporaryFile(prefix="race-", suffix=".log", delete=False).name
    server = start_server(args.database, args.port, args.workers, logfile)
    url = f"http://127.0.0.1:{args.port}"
    try:
        wait_for(args.port)
        figures = race_all(url, args.database, ids, args.groups)
    finally:
        server.terminate()
        server.wait(30)
    with open(logfile, encoding="utf-8") as log:
        retried = sum("tries left" in line for line in log)
    os.unlink(logfile)
    with Bench(args.database, smoke=args.smoke) as bench:
        env = bench.env
        issues = env["client.balance.account"].check_integrity(env.company.ids)
        accounts = env["client.balance.account"].browse([race["account"] for race in ids["races"]])
        overdrawn = accounts.filtered(
            lambda account: account.currency_id.compare_amounts(account.balance, 0.0) < 0
        )
        report(
            f"{args.pairs} pairs of debits racing over XML-RPC, {args.groups} at a time, "
            f"{args.workers} workers ({figures['elapsed']:.0f} s)",
            ["what", "count"],
            [
                ["debits booked", figures["done"]],
                ["  of which spends", figures["won"]["spend"]],
                ["  of which Register Payment debits", figures["won"]["register_debit"]],
                ["  of which reversals of the top-up", figures["won"]["reverse"]],
                ["debits refused for lack of funds", figures["refused"]],
                ["top-ups of the shared account booked", figures["topups"]],
                ["transactions Odoo retried (serialization failures)", retried],
                ["other errors", figures["errors"]],
                ["pairs where both debits were booked", figures["both"]],
                ["accounts below zero", len(overdrawn)],
                ["integrity issues", len(issues)],
            ],
        )
        for message in figures["messages"][:5]:
            print(f"error: {message}")
        bench.target("other_errors", figures["errors"], 0, "", check=True)
        bench.target("overdrafts", figures["both"] + len(overdrawn), 0, "", check=True)
        bench.target(
            "one_debit_per_pair", figures["done"], args.pairs, "", higher_is_better=True, check=True
        )
        bench.target("integrity_issues", len(issues), 0, "", check=True)
    return bench.exit_code


if __name__ == "__main__":
    sys.exit(main())
