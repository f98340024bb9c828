"""Import a generated .xlsx of opening balances through the import wizard's
code path (preview, then import) and time it.

    .local/venv/bin/python bench/import.py -d DATABASE [--rows 10000]

The database needs client_balance installed. The clients the file names are
created first (not timed); everything is rolled back at the end, so the
database is left as it was. Prints a table, then one PASS/FAIL line per
target.
"""

import base64
import io
import os
import sys
import time

import openpyxl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import Bench, bench_parser, report

TARGET_ROWS = 10000
TARGET_SECONDS = 60.0


def make_file(refs, currencies, type_name):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Client", "Requisite", "Type", "Currency", "Opening balance", "Date", "", "Note"])
    for index, ref in enumerate(refs):
        amount = round(10 + (index * 7.31) % 990, 2)
        sheet.append(
            [
                ref,
                "",
                type_name,
                currencies[index % len(currencies)],
                amount,
                "2026-01-01",
                "",
                "Migrated",
            ]
        )
    output = io.BytesIO()
    book.save(output)
    return base64.b64encode(output.getvalue())


def main():
    parser = bench_parser(__doc__)
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    args = parser.parse_args()
    with Bench(args.database, smoke=args.smoke) as bench:
        env = bench.env
        company = env.company
        currencies = bench.currencies(3)
        balance_type = env.ref("client_balance.client_balance_type_deposits")
        refs = [f"BENCH-IMP-{index:06d}" for index in range(args.rows)]
        started = time.perf_counter()
        env["res.partner"].create(
            [{"name": f"Import Client {ref}", "ref": ref, "is_company": True} for ref in refs]
        )
        env.flush_all()
        setup = time.perf_counter() - started
        content = make_file(refs, [currency.name for currency in currencies], balance_type.name)
        manager = bench.manager()
        wizard = (
            env["client.balance.import"]
            .with_user(manager)
            .create({"file": content, "filename": "balances.xlsx", "company_id": company.id})
        )
        started = time.perf_counter()
        wizard.action_preview()
        env.flush_all()
        preview = time.perf_counter() - started
        errors = wizard.line_ids.filtered(lambda line: line.action == "error")
        if errors:
            raise SystemExit(f"preview found errors: {errors[:3].mapped('message')}")
        started = time.perf_counter()
        wizard.action_import()
        env.flush_all()
        imported = time.perf_counter() - started
        booked = env["client.balance.operation"].search_count(
            [("kind", "=", "opening"), ("account_id.partner_id.ref", "=like", "BENCH-IMP-%")]
        )
        if booked != args.rows:
            raise SystemExit(f"{booked} opening operations booked for {args.rows} rows")
        issues = env["client.balance.account"].check_integrity([company.id])
        report(
            f"Import of {args.rows} rows ({len(currencies)} currencies)",
            ["step", "seconds", "ms per row"],
            [
                [
                    "create the clients (not timed)",
                    f"{setup:.1f}",
                    f"{setup * 1000 / args.rows:.2f}",
                ],
                ["preview", f"{preview:.1f}", f"{preview * 1000 / args.rows:.2f}"],
                ["import", f"{imported:.1f}", f"{imported * 1000 / args.rows:.2f}"],
                [
                    "preview + import",
                    f"{preview + imported:.1f}",
                    f"{(preview + imported) * 1000 / args.rows:.2f}",
                ],
            ],
        )
        if args.rows >= TARGET_ROWS:
            bench.target(f"import_{args.rows}_rows", preview + imported, TARGET_SECONDS, "s")
        else:
            bench.skip(f"import_{TARGET_ROWS}_rows", f"{args.rows} rows only")
        bench.target("import_integrity_issues", len(issues), 0, "", check=True)
    return bench.exit_code


if __name__ == "__main__":
    sys.exit(main())
