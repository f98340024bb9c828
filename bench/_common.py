"""What the benchmark scripts share: opening the database through Odoo,
a rolled-back transaction, users and currencies, and the printed tables."""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time

import odoo
from odoo.tools import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CONF = os.path.join(ROOT, ".local", "odoo.conf")


def report(title, headers, rows):
    """Print a table in Markdown."""
    print(f"\n### {title}\n")
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _header in headers) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


def bench_parser(doc):
    """The command line of a benchmark script: its database and --smoke."""
    result = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    result.add_argument("-d", "--database", required=True)
    result.add_argument(
        "--smoke", action="store_true", help="a run that only checks the script works"
    )
    return result


def median_ms(function, runs):
    """Median wall time (ms) of ``function()`` called ``runs`` times."""
    times = []
    for _index in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def median_run(function, runs, cr):
    """Median wall time (ms) and median SQL query count of ``function``
    called ``runs`` times; it is given the run's index."""
    times, queries = [], []
    for index in range(runs):
        before = cr.sql_log_count
        started = time.perf_counter()
        function(index)
        times.append((time.perf_counter() - started) * 1000)
        queries.append(cr.sql_log_count - before)
    return statistics.median(times), statistics.median(queries)


class Bench:
    """``with Bench(database) as bench``: ``bench.env`` is a superuser
    environment on a transaction rolled back on exit. ``bench.target``
    records a target, printed as PASS/FAIL lines on exit."""

    configured = False

    def __init__(self, database, conf=None, commit=False, smoke=False):
        self.database = database
        self.smoke = smoke
        self.conf = conf or os.environ.get("ODOO_RC") or DEFAULT_CONF
        self.commit = commit
        self.targets = []
        self.exit_code = 0

    def __enter__(self):
        if not Bench.configured:
            config.parse_config(["-c", self.conf, "-d", self.database, "--log-level=warn"])
            odoo.service.server.load_server_wide_modules()
            Bench.configured = True
        self.registry = odoo.modules.registry.Registry(self.database)
        self.cr = self.registry.cursor()
        self.env = odoo.api.Environment(self.cr, odoo.SUPERUSER_ID, {})
        if "client.balance.account" not in self.env:
            raise SystemExit(f"client_balance is not installed in {self.database}")
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if self.commit and exc_type is None:
                self.cr.commit()
            else:
                self.cr.rollback()
        finally:
            self.cr.close()
        if exc_type is None:
            self.print_targets()
        return False

    def target(self, name, measured, limit, unit, higher_is_better=False, check=False):
        """A target to print; ``check``: a correctness check (books that
        agree), checked in smoke runs too and failing the script."""
        if self.smoke and not check:
            self.skip(name, "smoke run: the figures of a small size say nothing")
            return
        passed = measured >= limit if higher_is_better else measured <= limit
        if check and not passed:
            self.exit_code = 1
        self.targets.append((name, measured, limit, unit, passed, higher_is_better))

    def skip(self, name, why):
        self.targets.append((name, why))

    def print_targets(self):
        print()
        for target in self.targets:
            if len(target) == 2:
                print(f"SKIP {target[0]} ({target[1]})")
                continue
            name, measured, limit, unit, passed, higher = target
            sign = ">=" if higher else "<="
            value = f"{measured:.2f}" if isinstance(measured, float) else str(measured)
            print(f"{'PASS' if passed else 'FAIL'} {name} {value}{unit} {sign} {limit}{unit}")

    def currencies(self, count):
        """The company's currency and ``count - 1`` others, active with a rate."""
        company = self.env.company
        others = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search(
                [("name", "in", ["EUR", "USD", "GBP", "CHF"]), ("id", "!=", company.currency_id.id)]
            )
        )
        chosen = company.currency_id | others[: count - 1]
        for currency in others[: count - 1]:
            currency.active = True
            if not currency.rate_ids.filtered(lambda rate: rate.company_id == company):
                self.env["res.currency.rate"].create(
                    {
                        "currency_id": currency.id,
                        "rate": 1.1,
                        "name": "2020-01-01",
                        "company_id": company.id,
                    }
                )
        return chosen

    def rpc_user(self, login, name):
        """The client balance manager with invoicing rights ``login`` (its
        password is its login), created unless it exists: the user a
        script's XML-RPC clients call as."""
        user = self.env["res.users"].search([("login", "=", login)])
        if user:
            return user
        company = self.env.company
        return self.env["res.users"].create(
            {
                "name": name,
                "login": login,
                "password": login,
                "email": f"{login}@example.com",
                "company_id": company.id,
                "company_ids": [(6, 0, company.ids)],
                "groups_id": [
                    (4, self.env.ref("account.group_account_invoice").id),
                    (4, self.env.ref("client_balance.client_balance_group_manager").id),
                ],
            }
        )

    def manager(self):
        """A user with the client balance manager right, in the company."""
        company = self.env.company
        return self.env["res.users"].create(
            {
                "name": "Benchmark Manager",
                "login": f"bench_manager_{time.time_ns()}",
                "email": "bench.manager@example.com",
                "company_id": company.id,
                "company_ids": [(6, 0, company.ids)],
                "groups_id": [
                    (4, self.env.ref("base.group_partner_manager").id),
                    (4, self.env.ref("account.group_account_manager").id),
                    (4, self.env.ref("client_balance.client_balance_group_manager").id),
                ],
            }
        )


def start_server(database, port, workers=0, logfile=None):
    """An Odoo server on ``database`` at ``port`` (stop it with
    ``terminate()``); ``workers``: Odoo's multi-process mode; ``logfile``:
    where it logs, with the retries of transactions PostgreSQL could not
    serialise."""
    conf = os.environ.get("ODOO_RC") or DEFAULT_CONF
    odoo_bin = os.path.join(os.environ.get("ODOO_SRC", "/opt/odoo"), "odoo-bin")
    logging = [f"--logfile={logfile}", "--log-handler=odoo.service.model:INFO"] if logfile else []
    return subprocess.Popen(
        [
            sys.executable,
            odoo_bin,
            "-c",
            conf,
            "-d",
            database,
            f"--db-filter=^{database}$",
            f"--http-port={port}",
            f"--workers={workers}",
            "--max-cron-threads=0",
            "--log-level=warn",
            *logging,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(port, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise SystemExit(f"the server did not listen on port {port} within {seconds} s")
