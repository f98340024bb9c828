"""Big books: 10 000 clients, 3 currencies, 30 000 client accounts and
1 000 000 journal items on the liability accounts (one account holding
100 000 operations, one client's account 1 000), then the time of what reads
them against one SQL GROUP BY over the same items, and of operations on them.

    .local/venv/bin/python bench/books.py -d DATABASE [--clients 10000]
        [--items 1000000] [--big 100000] [--runs 5] [--operation-runs 15]
        [--empty-database DATABASE]

The books are generated once and committed (use a database of their own:
``./dev bench books`` uses client_balance_bench); a later run that finds
them only measures. They are what the ORM would have written: posted,
balanced entries copied column by column from entries the ORM booked, an
operation per item, stored balances and running balances right; the
integrity check is one of the timings. The measurements are rolled back.
"""

import os
import statistics
import sys
import time
from contextlib import nullcontext
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import requests
from _common import Bench, bench_parser, median_ms, report, start_server, wait_for

from odoo.tools import SQL

PREFIX = "BENCHBOOKS"
ITEMS_PER_ENTRY = 10
DAYS = 730
TARGET_REPORT_RATIO = 2.0
TARGET_INTEGRITY_S = 10.0
TARGET_PAGE_MS = 100.0
TARGET_HISTORY_RATIO = 1.2


def columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def copy_sql(cr, table, source, template_where, overrides):
    """INSERT INTO ``table`` the rows of ``source`` (a FROM clause naming
    the template row ``t``), each column taken from the template unless
    ``overrides`` gives its expression."""
    names = columns(cr, table)
    select = ", ".join(overrides.get(name, f't."{name}"') for name in names)
    cr.execute(
        f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{n}{chr(34)}" for n in names)}) '
        f"SELECT {select} FROM {source} WHERE {template_where}"
    )
    return cr.rowcount


class Books:
    def __init__(self, env, clients, items, big):
        self.env = env
        self.cr = env.cr
        self.company = env.company
        self.clients, self.items, self.big = clients, items, big
        self.deposits = env.ref("client_balance.client_balance_type_deposits")
        self.accounting = self.deposits._get_accounting(self.company)

    def portal_user(self):
        """The portal user of the client of the account with the most
        operations (created once); returns that account's id."""
        self.cr.execute(
            "SELECT account_id, COUNT(*) FROM client_balance_operation GROUP BY 1 "
            "ORDER BY COUNT(*) DESC LIMIT 1"
        )
        account_id, count = self.cr.fetchone()
        account = self.env["client.balance.account"].browse(account_id)
        user = self.env["res.users"].search([("login", "=", PORTAL_LOGIN)])
        if not user:
            user = self.env["res.users"].create(
                {
                    "name": "Books Portal User",
                    "login": PORTAL_LOGIN,
                    "password": PORTAL_LOGIN,
                    "email": "books.portal@example.com",
                    "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
                }
            )
        user.partner_id.parent_id = account.commercial_partner_id
        return account.id, count

    def exists(self):
        return bool(
            self.env["res.partner"].search_count([("ref", "=like", f"{PREFIX}-%")], limit=1)
        )

    def generate(self, currencies):
        env, cr = self.env, self.cr
        started = time.perf_counter()
        partners = env["res.partner"].with_context(tracking_disable=True)
        refs = [f"{PREFIX}-{index:06d}" for index in range(self.clients)]
        clients = env["res.partner"]
        for chunk in range(0, len(refs), 2000):
            clients |= partners.create(
                [
                    {"name": f"Books Client {ref}", "ref": ref, "is_company": True}
                    for ref in refs[chunk : chunk + 2000]
                ]
            )
        env.flush_all()
        print(f"clients: {time.perf_counter() - started:.0f} s", flush=True)
        Account = env["client.balance.account"].with_context(tracking_disable=True)
        accounts = Account.browse()
        for chunk in range(0, len(clients), 2000):
            accounts |= Account._open_accounts(
                [
                    {
                        "partner_id": client.id,
                        "type_id": self.deposits.id,
                        "currency_id": currency.id,
                        "company_id": self.company.id,
                        "date_open": date.today() - timedelta(days=DAYS),
                    }
                    for client in clients[chunk : chunk + 2000]
                    for currency in currencies
                ]
            )
        env.flush_all()
        print(f"accounts: {time.perf_counter() - started:.0f} s", flush=True)
        # The template entry, booked by the ORM: an opening balance on two
        # accounts, whose rows the generated entries copy.
        Operation = env["client.balance.operation"]
        template_ops = Operation._book_batch(
            "opening",
            [
                {"account": accounts[0], "amount": 1.0, "description": "Books"},
                {"account": accounts[len(currencies)], "amount": 1.0, "description": "Books"},
            ],
            self.accounting["journal"],
            date.today() - timedelta(days=DAYS),
            self.accounting["opening_account"],
            ref="Books",
        )
        env.flush_all()
        template_move = template_ops.move_id
        liability_line = template_move.line_ids.filtered("client_balance_account_id")[:1]
        counterpart_line = template_move.line_ids - template_move.line_ids.filtered(
            "client_balance_account_id"
        )
        # The items: the big account in entries of its own, one client's
        # account in 1 000 entries, the rest spread over every account of the
        # entry's currency, ITEMS_PER_ENTRY to an entry.
        by_currency = {
            currency: accounts.filtered(lambda account, c=currency: account.currency_id == c).ids
            for currency in currencies
        }
        big_account = by_currency[currencies[0]][1]
        form_account = by_currency[currencies[0]][2]
        rates = {
            currency.id: currency._get_conversion_rate(
                currency, self.company.currency_id, self.company, date.today()
            )
            for currency in currencies
        }
        cr.execute(
            "CREATE TEMP TABLE books_item (move_no int, currency_id int, account_id int, "
            "amount numeric, line_id int, operation_id int) ON COMMIT DROP"
        )
        cr.execute(
            "CREATE TEMP TABLE books_move (move_no int, id int, currency_id int, day date, "
            "counterpart_id int) ON COMMIT DROP"
        )
        others = self.items - self.big
        entries = others // ITEMS_PER_ENTRY
        cr.execute(
            """
            INSERT INTO books_item (move_no, currency_id, account_id, amount)
            SELECT g, %(usd)s, %(big)s, 1 + (g %% 50) FROM generate_series(0, %(big_n)s - 1) g
            """,
            {"usd": currencies[0].id, "big": big_account, "big_n": self.big},
        )
        for index, currency in enumerate(currencies):
            ids = [a for a in by_currency[currency] if a not in (big_account, form_account)]
            # Entries of this currency: move numbers big + index, + 3, ...
            cr.execute(
                """
                INSERT INTO books_item (move_no, currency_id, account_id, amount)
                SELECT %(big_n)s + e * %(n_cur)s + %(index)s, %(currency)s,
                       (%(ids)s::int[])[1 + ((e * %(per)s + k) %% %(count)s)],
                       round((5 + ((e * 7 + k * 13) %% 500))::numeric, 2)
                  FROM generate_series(0, %(entries)s / %(n_cur)s - 1) e,
                       generate_series(0, %(per)s - 1) k
                """,
                {
                    "big_n": self.big,
                    "n_cur": len(currencies),
                    "index": index,
                    "currency": currency.id,
                    "ids": ids,
                    "per": ITEMS_PER_ENTRY,
                    "count": len(ids),
                    "entries": entries,
                },
            )
        # The form client's account: one more item in each of the first
        # 1 000 entries of its currency.
        cr.execute(
            """
            INSERT INTO books_item (move_no, currency_id, account_id, amount)
            SELECT %(big_n)s + e * %(n_cur)s, %(usd)s, %(form)s, 3
              FROM generate_series(0, 999) e
            """,
            {
                "big_n": self.big,
                "n_cur": len(currencies),
                "usd": currencies[0].id,
                "form": form_account,
            },
        )
        cr.execute(
            """
            INSERT INTO books_move (move_no, id, currency_id, day, counterpart_id)
            SELECT move_no, nextval('account_move_id_seq'), MIN(currency_id),
                   %(start)s::date + (move_no %% %(days)s), nextval('account_move_line_id_seq')
              FROM books_item GROUP BY move_no
            """,
            {"start": date.today() - timedelta(days=DAYS - 1), "days": DAYS},
        )
        cr.execute(
            "UPDATE books_item SET line_id = nextval('account_move_line_id_seq'), "
            "operation_id = nextval('client_balance_operation_id_seq')"
        )
        cr.execute("CREATE INDEX ON books_item (move_no)")
        cr.execute("CREATE INDEX ON books_move (move_no)")
        cr.execute("CREATE TEMP TABLE books_rate (currency_id int, rate numeric) ON COMMIT DROP")
        cr.execute(
            "INSERT INTO books_rate SELECT * FROM unnest(%s::int[], %s::numeric[])",
            [list(rates), [rates[key] for key in rates]],
        )
        cr.execute("ANALYZE books_item; ANALYZE books_move; ANALYZE books_rate")
        print(f"plan: {time.perf_counter() - started:.0f} s", flush=True)
        now = "(now() at time zone 'UTC')"
        copy_sql(
            cr,
            "account_move",
            "account_move t, books_move m",
            f"t.id = {template_move.id}",
            {
                "id": "m.id",
                "name": f"'{PREFIX}/' || m.move_no",
                "sequence_prefix": f"'{PREFIX}/'",
                "sequence_number": "m.move_no",
                "date": "m.day",
                "currency_id": "m.currency_id",
                "create_date": now,
                "write_date": now,
            },
        )
        print(f"entries: {time.perf_counter() - started:.0f} s", flush=True)
        copy_sql(
            cr,
            "account_move_line",
            "account_move_line t, books_item i JOIN books_move m USING (move_no) "
            "JOIN books_rate r ON r.currency_id = i.currency_id "
            "JOIN client_balance_account a ON a.id = i.account_id",
            f"t.id = {liability_line.id}",
            {
                "id": "i.line_id",
                "move_id": "m.id",
                "move_name": f"'{PREFIX}/' || m.move_no",
                "date": "m.day",
                "date_maturity": "m.day",
                "partner_id": "a.partner_id",
                "client_balance_account_id": "a.id",
                "account_id": "a.liability_account_id",
                "currency_id": "i.currency_id",
                "amount_currency": "-i.amount",
                "balance": "-round(i.amount * r.rate, 2)",
                "debit": "0",
                "credit": "round(i.amount * r.rate, 2)",
                "amount_residual": "CASE WHEN t.amount_residual = 0 THEN 0 "
                "ELSE -round(i.amount * r.rate, 2) END",
                "amount_residual_currency": "CASE WHEN t.amount_residual_currency = 0 "
                "THEN 0 ELSE -i.amount END",
                "create_date": now,
                "write_date": now,
            },
        )
        print(f"items: {time.perf_counter() - started:.0f} s", flush=True)
        copy_sql(
            cr,
            "account_move_line",
            "account_move_line t, books_move m JOIN books_rate r ON r.currency_id = m.currency_id "
            "JOIN (SELECT move_no, SUM(amount) AS amount, SUM(round(amount * rate, 2)) AS balance "
            "FROM books_item JOIN books_rate USING (currency_id) GROUP BY move_no) s "
            "USING (move_no)",
            f"t.id = {counterpart_line.id}",
            {
                "id": "m.counterpart_id",
                "move_id": "m.id",
                "move_name": f"'{PREFIX}/' || m.move_no",
                "date": "m.day",
                "date_maturity": "m.day",
                "currency_id": "m.currency_id",
                "amount_currency": "s.amount",
                "balance": "s.balance",
                "debit": "s.balance",
                "credit": "0",
                "amount_residual": "CASE WHEN t.amount_residual = 0 THEN 0 ELSE s.balance END",
                "amount_residual_currency": "CASE WHEN t.amount_residual_currency = 0 "
                "THEN 0 ELSE s.amount END",
                "create_date": now,
                "write_date": now,
            },
        )
        cr.execute(
            """
            UPDATE account_move move
               SET amount_total = s.amount, amount_total_signed = s.balance,
                   amount_total_in_currency_signed = s.amount,
                   amount_untaxed = s.amount, amount_untaxed_signed = s.balance,
                   amount_untaxed_in_currency_signed = s.amount
              FROM (SELECT m.id, SUM(i.amount) AS amount,
                           SUM(round(i.amount * r.rate, 2)) AS balance
                      FROM books_move m JOIN books_item i USING (move_no)
                      JOIN books_rate r ON r.currency_id = i.currency_id
                  GROUP BY m.id) s
             WHERE move.id = s.id
            """
        )
        print(f"counterparts: {time.perf_counter() - started:.0f} s", flush=True)
        template_op = template_ops[0]
        copy_sql(
            cr,
            "client_balance_operation",
            "client_balance_operation t, books_item i JOIN books_move m USING (move_no) "
            "JOIN client_balance_account a ON a.id = i.account_id",
            f"t.id = {template_op.id}",
            {
                "id": "i.operation_id",
                "account_id": "a.id",
                "partner_id": "a.partner_id",
                "commercial_partner_id": "a.commercial_partner_id",
                "currency_id": "a.currency_id",
                "move_id": "m.id",
                "name": f"'{PREFIX}/' || m.move_no",
                "date": "m.day",
                "amount": "i.amount",
                "balance_after": "0",
                "create_date": now,
                "write_date": now,
            },
        )
        print(f"operations: {time.perf_counter() - started:.0f} s", flush=True)
        cr.execute(
            """
            UPDATE client_balance_operation op SET balance_after = s.running
              FROM (SELECT id, SUM(amount) OVER (PARTITION BY account_id ORDER BY date, id)
                               AS running
                      FROM client_balance_operation
                     WHERE account_id IN (SELECT account_id FROM books_item)) s
             WHERE op.id = s.id
            """
        )
        cr.execute(
            """
            UPDATE client_balance_account account
               SET balance = s.balance, available = s.balance - COALESCE(account.min_balance, 0),
                   debt = GREATEST(-s.balance, 0)
              FROM (SELECT client_balance_account_id AS id, -SUM(amount_currency) AS balance
                      FROM account_move_line
                     WHERE client_balance_account_id IN (SELECT account_id FROM books_item)
                       AND parent_state = 'posted'
                  GROUP BY 1) s
             WHERE account.id = s.id
            """
        )
        cr.execute(
            "ANALYZE account_move_line; ANALYZE account_move; ANALYZE client_balance_operation"
        )
        env.invalidate_all()
        print(f"books written: {time.perf_counter() - started:.0f} s", flush=True)
        return time.perf_counter() - started


PORTAL_LOGIN = "bench_books_portal"


def time_portal(database, port, account_id, count, runs):
    """Median ms of the portal history of ``account_id``, its first page and
    a page deep into it, as its client's portal user, through HTTP."""
    server = start_server(database, port)
    try:
        wait_for(port)
        url = f"http://127.0.0.1:{port}"
        session = requests.Session()
        login_page = session.get(f"{url}/web/login", timeout=60).text
        csrf = login_page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        session.post(
            f"{url}/web/login",
            data={"login": PORTAL_LOGIN, "password": PORTAL_LOGIN, "csrf_token": csrf},
            timeout=60,
        )
        figures = {}
        deep = max(1, count // 40)
        for label, path in (
            (f"portal history of {count} operations, first page", f"/my/balances/{account_id}"),
            (
                f"portal history of {count} operations, page {deep}",
                f"/my/balances/{account_id}/page/{deep}",
            ),
        ):

            def get(path=path):
                response = session.get(url + path, timeout=120)
                if response.status_code != 200 or "/web/login" in response.url:
                    raise SystemExit(f"{path}: HTTP {response.status_code} at {response.url}")
                return response.text

            get()
            figures[label] = median_ms(get, runs)
        return figures
    finally:
        server.terminate()
        server.wait(30)


def operations_ms(cases, runs):
    """Median ms of a top-up, an invoice and its spend on each account of
    ``cases`` (``{label: (env, account, bank)}``). The cases take turns, run
    after run, so that whatever else loads the machine weighs on each
    alike."""

    def operation(env, account, bank):
        # The invoice line names its income account: without one, Odoo looks
        # for the account most used with the client over two years, a search
        # of the client's journal items that grows with its history.
        income = env["account.account"].search(
            [("account_type", "=", "income"), ("company_ids", "in", env.company.ids)], limit=1
        )
        line = {
            "name": "x",
            "quantity": 1,
            "price_unit": 5.0,
            "tax_ids": [],
            "account_id": income.id,
        }

        def run():
            account.topup(10.0, bank.id)
            invoice = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": account.commercial_partner_id.id,
                    "invoice_line_ids": [(0, 0, line)],
                }
            )
            invoice.action_post()
            account.spend(invoice.id, 5.0)
            env.flush_all()
            env.invalidate_all()

        return run

    runners = {label: operation(*case) for label, case in cases.items()}
    times = {label: [] for label in runners}
    for run in runners.values():
        run()
    for _index in range(runs):
        for label, run in runners.items():
            started = time.perf_counter()
            run()
            times[label].append((time.perf_counter() - started) * 1000)
    return {label: statistics.median(values) for label, values in times.items()}


def new_account(env, bank):
    """A new client with an account holding 1 000.00."""
    account = env["client.balance.account"].browse(
        env["res.partner"]
        .create({"name": "Books New Client", "is_company": True})
        .client_balance_open(env.ref("client_balance.client_balance_type_deposits").id)
    )
    account.topup(1000.0, bank.id)
    return account


def main_bank(env):
    return env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
    )


def main():
    parser = bench_parser(__doc__)
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--items", type=int, default=1000000)
    parser.add_argument("--big", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--operation-runs",
        type=int,
        default=15,
        help="runs of the top-up, invoice and spend on each account",
    )
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument(
        "--empty-database",
        help="a database with client_balance and no books, to time the same operations on",
    )
    args = parser.parse_args()
    with Bench(args.database, commit=True, smoke=args.smoke) as bench:
        books = Books(bench.env, args.clients, args.items, args.big)
        generated = None
        if not books.exists():
            generated = books.generate(bench.currencies(3))
        big_id, big_count = books.portal_user()
    portal = time_portal(args.database, args.port, big_id, big_count, args.runs)
    empty_books = (
        Bench(args.empty_database, smoke=args.smoke) if args.empty_database else nullcontext()
    )
    with Bench(args.database, smoke=args.smoke) as bench, empty_books as empty:
        env = bench.env
        cr = env.cr
        manager = bench.manager()
        env = env(user=manager)
        runs = args.runs
        past = date.today() - timedelta(days=DAYS // 2)
        cr.execute(
            "SELECT COUNT(*) FROM account_move_line WHERE client_balance_account_id IS NOT NULL"
        )
        item_count = cr.fetchone()[0]

        def raw(day):
            cr.execute(
                SQL(
                    """
                    SELECT account.commercial_partner_id, account.currency_id,
                           -SUM(line.amount_currency)
                      FROM account_move_line line
                      JOIN client_balance_account account
                        ON account.id = line.client_balance_account_id
                     WHERE line.parent_state = 'posted' AND line.date <= %s
                  GROUP BY 1, 2
                    """,
                    day,
                )
            )
            return cr.fetchall()

        def report_rows(day):
            wizard = env["client.balance.report.wizard"].create({"date": day})
            rows = wizard._rows()[0]
            env.invalidate_all()
            return rows

        rows = []
        figures = {}
        for label, day in (("today", date.today()), ("a past date", past)):
            raw_ms = median_ms(lambda day=day: raw(day), runs)
            report_ms = median_ms(lambda day=day: report_rows(day), runs)
            figures[label] = (raw_ms, report_ms)
            rows.append([f"report as of {label}", f"{report_ms:.0f}", f"{raw_ms:.0f}"])
        Partner = env["res.partner"]
        list_spec = {"display_name": {}, "email": {}, "phone": {}, "client_balance_list": {}}

        def customers_list():
            env.invalidate_all()
            Partner.web_search_read(
                [("ref", "=like", f"{PREFIX}-%")], list_spec, limit=80, order="name"
            )

        list_ms = median_ms(customers_list, runs)
        rows.append(["Customers list, 80 rows with the balance column", f"{list_ms:.0f}", ""])
        cr.execute(
            "SELECT account_id FROM client_balance_operation GROUP BY account_id "
            "HAVING COUNT(*) BETWEEN 1000 AND 1100 LIMIT 1"
        )
        form_account = env["client.balance.account"].browse(cr.fetchone()[0])
        form_fields = {
            name: {}
            for name, field in Partner._fields.items()
            if name.startswith("client_balance") and field.type not in ("one2many", "many2many")
        }
        form_fields["client_balance_account_ids"] = {
            "fields": {"display_name": {}, "balance": {}, "available": {}, "currency_id": {}}
        }

        def partner_form():
            env.invalidate_all()
            form_account.commercial_partner_id.web_read(form_fields)

        form_ms = median_ms(partner_form, runs)
        rows.append(
            [
                f"partner form, account with {len(form_account.operation_ids)} operations",
                f"{form_ms:.0f}",
                "",
            ]
        )
        started = time.perf_counter()
        issues = env["client.balance.account"].sudo().check_integrity([env.company.id])
        integrity_s = time.perf_counter() - started
        rows.append([f"integrity check ({len(issues)} issues)", f"{integrity_s * 1000:.0f}", ""])
        # One more top-up and spend on the account with the most operations
        # and on a new account of the same books.
        bank = main_bank(env)
        cr.execute(
            "SELECT account_id, COUNT(*) FROM client_balance_operation GROUP BY 1 "
            "ORDER BY 2 DESC LIMIT 1"
        )
        big_id, big_count = cr.fetchone()
        big = env["client.balance.account"].browse(big_id)
        new = new_account(env, bank)

        cases = {"new": (env, new, bank), "big": (env, big, bank)}
        if args.empty_database:
            empty_env = empty.env(user=empty.manager())
            empty_bank = main_bank(empty_env)
            cases["empty"] = (empty_env, new_account(empty_env, empty_bank), empty_bank)
        timed = operations_ms(cases, args.operation_runs)
        new_ms, big_ms, empty_ms = timed["new"], timed["big"], timed.get("empty")
        if empty_ms is not None:
            rows.append(
                ["top-up + invoice + spend, new account, empty books", f"{empty_ms:.0f}", ""]
            )
        rows.append(["top-up + invoice + spend, new account", f"{new_ms:.0f}", ""])
        rows.append(
            [f"top-up + invoice + spend, account with {big_count} operations", f"{big_ms:.0f}", ""]
        )
        for label, ms in portal.items():
            rows.append([label, f"{ms:.0f}", ""])
        report(
            f"Books of {item_count} client balance items"
            + (f" (generated in {generated:.0f} s)" if generated else ""),
            ["what", "ms", "raw SQL GROUP BY, ms"],
            rows,
        )
        for label, (raw_ms, report_ms) in figures.items():
            bench.target(
                f"report_{label.replace(' ', '_')}_ratio",
                report_ms / raw_ms,
                TARGET_REPORT_RATIO,
                "x",
            )
        bench.target("integrity_check", integrity_s, TARGET_INTEGRITY_S, "s")
        bench.target("integrity_issues", len(issues), 0, "", check=True)
        bench.target("customers_list", list_ms, TARGET_PAGE_MS, "ms")
        bench.target("partner_form", form_ms, TARGET_PAGE_MS, "ms")
        bench.target("history_ratio", big_ms / new_ms, TARGET_HISTORY_RATIO, "x")
        if empty_ms is not None:
            bench.target("big_books_ratio", new_ms / empty_ms, TARGET_HISTORY_RATIO, "x")
        else:
            bench.skip("big_books_ratio", "no --empty-database to compare with")
        for index, ms in enumerate(portal.values()):
            bench.target(("portal_first_page", "portal_deep_page")[index], ms, TARGET_PAGE_MS, "ms")
    return bench.exit_code


if __name__ == "__main__":
    sys.exit(main())
