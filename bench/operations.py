"""Each client balance operation side by side with the native Odoo operation
a user would otherwise use: median wall time and SQL queries over N runs, in
the same process and transaction, and their ratio.

    .local/venv/bin/python bench/operations.py -d DATABASE [--runs 20] [--history 1000]

The database needs client_balance installed (with Odoo's chart of accounts).
Everything is rolled back at the end. Prints a table, then one PASS/FAIL
line per target.
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import Bench, bench_parser, median_run, report

# Ratios (ours / native) not to exceed, in time and in queries.
TARGET_RATIO = 1.3
TARGET_RATIO_SPEND = 2.0


class Operations:
    """The cases: for each, a ``setup(index)`` that is not timed and returns
    what the timed ``run(prepared)`` takes."""

    def __init__(self, env):
        self.env = env
        self.company = env.company
        self.currency = self.company.currency_id
        self.bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id)], limit=1
        )
        self.sales = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.company.id)], limit=1
        )
        self.income = env["account.account"].search(
            [("account_type", "=", "income"), ("company_ids", "in", self.company.ids)], limit=1
        )
        self.misc = env["account.journal"].search(
            [("type", "=", "general"), ("company_id", "=", self.company.id)], limit=1
        )
        self.deposits = env.ref("client_balance.client_balance_type_deposits")
        self.client = env["res.partner"].create({"name": "Benchmark Client", "is_company": True})
        self.account = env["client.balance.account"].browse(
            self.client.client_balance_open(self.deposits.id, currency_id=self.currency.id)
        )
        self.other = env["client.balance.account"].browse(
            env["res.partner"]
            .create({"name": "Benchmark Client 2", "is_company": True})
            .client_balance_open(self.deposits.id, currency_id=self.currency.id)
        )
        self.canteen = env["res.partner"].create(
            {
                "name": "Benchmark Canteen Client",
                "is_company": True,
                "client_balance_allowance_enabled": True,
                "client_balance_allowance_period": "day",
                "client_balance_allowance_limit": 1_000_000.0,
                "client_balance_allowance_currency_id": self.currency.id,
                "client_balance_allowance_date_start": "2020-01-01",
            }
        )
        self.account.topup(1_000_000.0, self.bank.id)
        env.flush_all()

    def invoice(self, amount, move_type="out_invoice", post=True):
        invoice = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": self.client.id,
                "journal_id": self.sales.id,
                "invoice_line_ids": [
                    (0, 0, {"name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        if post:
            invoice.action_post()
        return invoice

    def payment(self, amount, payment_type="inbound"):
        payment = self.env["account.payment"].create(
            {
                "payment_type": payment_type,
                "partner_type": "customer",
                "partner_id": self.client.id,
                "amount": amount,
                "journal_id": self.bank.id,
            }
        )
        payment.action_post()
        return payment

    def register(self, invoice, **values):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(values)
            .action_create_payments()
        )

    # ours / native pairs: (key, name, native name, setup, ours, native setup, native)
    def cases(self):
        nothing = lambda index: None  # noqa: E731

        def outstanding(index):
            invoice = self.invoice(100.0)
            credit = self.payment(100.0).move_id.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            return invoice, credit

        def with_open_account(index):
            self.account.topup(100.0, self.bank.id)
            return self.invoice(100.0)

        def allowance_setup(index):
            person = self.env["res.partner"].create(
                {"name": f"Employee {index}", "parent_id": self.canteen.id}
            )
            person.client_balance_card_code = f"BENCH-{index}-{time.time_ns()}"
            invoice = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": person.id,
                    "journal_id": self.sales.id,
                    "invoice_line_ids": [
                        (0, 0, {"name": "Meal", "quantity": 1, "price_unit": 15.0, "tax_ids": []})
                    ],
                }
            )
            invoice.action_post()
            return person.client_balance_card_code, invoice

        def allowance_charge(prepared):
            code, invoice = prepared
            self.env["res.partner"].client_balance_card_lookup(code)
            self.env["res.partner"].client_balance_card_charge(code, invoice.id)

        return [
            (
                "topup",
                "top-up",
                "customer payment create + post",
                nothing,
                lambda prepared: self.account.topup(10.0, self.bank.id),
                nothing,
                lambda prepared: self.payment(10.0),
            ),
            (
                "spend",
                "spend (pay an invoice from the balance)",
                "apply an outstanding credit to an invoice",
                lambda index: self.invoice(100.0),
                lambda invoice: self.account.spend(invoice.id),
                outstanding,
                lambda prepared: prepared[0].js_assign_outstanding_line(prepared[1].id),
            ),
            (
                "register_payment_credit",
                "Register Payment, credit of the difference",
                "Register Payment, overpaid, keep open",
                lambda index: self.invoice(100.0),
                lambda invoice: self.register(
                    invoice, amount=120.0, client_balance_credit_difference=True
                ),
                lambda index: self.invoice(100.0),
                lambda invoice: self.register(
                    invoice, amount=120.0, payment_difference_handling="open"
                ),
            ),
            (
                "register_payment_debit",
                "Register Payment, debit from the balance",
                "Register Payment, exact amount",
                with_open_account,
                lambda invoice: self.register(invoice, amount=80.0, client_balance_debit=True),
                lambda index: self.invoice(100.0),
                lambda invoice: self.register(invoice, amount=100.0),
            ),
            (
                "deposit_invoice",
                "deposit invoice create + post",
                "customer invoice create + post",
                nothing,
                lambda prepared: (
                    self.env["account.move"]
                    .browse(self.account.request_deposit(100.0))
                    .action_post()
                ),
                nothing,
                lambda prepared: self.invoice(100.0),
            ),
            (
                "refund_to_balance",
                "refund to balance",
                "Register Payment on a credit note",
                lambda index: self.invoice(30.0, "out_refund"),
                lambda refund: refund.client_balance_refund_to_balance(),
                lambda index: self.invoice(30.0, "out_refund"),
                lambda refund: self.register(refund, amount=30.0),
            ),
            (
                "allowance_charge",
                "staff allowance charge (lookup + charge)",
                "Register Payment, partial",
                allowance_setup,
                allowance_charge,
                lambda index: self.invoice(15.0),
                lambda invoice: self.register(invoice, amount=10.0),
            ),
            (
                "transfer",
                "transfer",
                "misc entry create + post",
                nothing,
                lambda prepared: self.account.transfer(self.other.id, 5.0),
                nothing,
                lambda prepared: (
                    self.env["account.move"]
                    .create(
                        {
                            "move_type": "entry",
                            "journal_id": self.misc.id,
                            "line_ids": [
                                (0, 0, {"name": "Out", "account_id": self.income.id, "debit": 5.0}),
                                (0, 0, {"name": "In", "account_id": self.income.id, "credit": 5.0}),
                            ],
                        }
                    )
                    .action_post()
                ),
            ),
        ]

    def timed(self, setup, run, runs):
        """Median ms and queries of ``run`` and the flush of what it wrote,
        each time after an untimed ``setup`` and an empty cache."""
        cr = self.env.cr
        times, queries = [], []
        for index in range(runs):
            prepared = setup(index)
            self.env.flush_all()
            self.env.invalidate_all()
            before = cr.sql_log_count
            started = time.perf_counter()
            run(prepared)
            self.env.flush_all()
            times.append((time.perf_counter() - started) * 1000)
            queries.append(cr.sql_log_count - before)
        return statistics.median(times), statistics.median(queries)


def partner_form(env, partner):
    """The partner form's read of the balance fields, as the web client asks."""
    fields = [
        name
        for name in env["res.partner"]._fields
        if name.startswith("client_balance")
        and not env["res.partner"]._fields[name].type.endswith("2many")
    ]
    env.invalidate_all()
    partner.web_read({name: {} for name in fields})


def main():
    parser = bench_parser(__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--history", type=int, default=1000)
    args = parser.parse_args()
    with Bench(args.database, smoke=args.smoke) as bench:
        env = bench.env
        manager = bench.manager()
        manager.groups_id |= env.ref("account.group_account_manager")
        env = env(user=manager)
        bench_ops = Operations(env)
        rows = []
        for key, name, native_name, setup, ours, native_setup, native in bench_ops.cases():
            ms, queries = bench_ops.timed(setup, ours, args.runs)
            native_ms, native_queries = bench_ops.timed(native_setup, native, args.runs)
            time_ratio = ms / native_ms
            query_ratio = queries / native_queries
            rows.append(
                [
                    name,
                    f"{ms:.1f}",
                    queries,
                    native_name,
                    f"{native_ms:.1f}",
                    native_queries,
                    f"{time_ratio:.2f}x",
                    f"{query_ratio:.2f}x",
                ]
            )
            limit = TARGET_RATIO_SPEND if key == "spend" else TARGET_RATIO
            bench.target(f"{key}_time_ratio", time_ratio, limit, "x")
            bench.target(f"{key}_query_ratio", query_ratio, limit, "x")
        # The partner form costs the same whatever the history.
        small = bench_ops.account
        big = bench_ops.other
        for _index in range(args.history):
            big.topup(1.0, bench_ops.bank.id)
        env.flush_all()
        form_rows = []
        figures = {}
        for label, account in (("1 operation", small), (f"{args.history} operations", big)):
            partner = account.commercial_partner_id
            ms, queries = median_run(lambda _i, p=partner: partner_form(env, p), args.runs, env.cr)
            figures[label] = (ms, queries)
            form_rows.append(
                [f"partner form, account with {label}", f"{ms:.1f}", queries, "", "", "", "", ""]
            )
        rows.extend(form_rows)
        report(
            f"Operations, medians of {args.runs} runs",
            [
                "ours",
                "ms",
                "queries",
                "native counterpart",
                "ms",
                "queries",
                "time ratio",
                "query ratio",
            ],
            rows,
        )
        (small_ms, small_q), (big_ms, big_q) = figures.values()
        bench.target("partner_form_history_time_ratio", big_ms / small_ms, TARGET_RATIO, "x")
        bench.target("partner_form_history_query_ratio", big_q / small_q, 1.0, "x")
    return bench.exit_code


if __name__ == "__main__":
    sys.exit(main())
