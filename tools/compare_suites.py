#!/usr/bin/env python3
"""Compare two runs of Odoo's tests, test by test, from their logs.

    python3 tools/compare_suites.py PLAIN_LOG ADDON_LOG

PLAIN_LOG is a run on plain Odoo, ADDON_LOG the same tests with
client_balance installed (``./dev account-suite --compare`` writes both). Each
test's outcome (passed, skipped, failed, error) is read from the lines Odoo's
test runner logs ("Starting ...", "skipped ...", "FAIL: ...", "ERROR: ...").
Only the classes the plain run ran are compared, so a log with more tests (the
addon's own) can be compared with a part of it.

Prints the counts of each run and every test whose outcome differs. Exits 1
when a test that passes on plain Odoo fails, errs or is missing with the
addon, or when either log holds no test at all.
"""

import argparse
import collections
import re
import sys

# "2026-11-26 02:55:42,131 15418 INFO db odoo.addons.account.tests.test_x:
#  Starting TestX.test_y ... " (one line)
LINE = re.compile(
    r"^\S+ \S+ \d+ (?P<level>[A-Z]+) \S+ (?P<logger>odoo\.addons\.[\w.]+): "
    r"(?P<message>.*)$"
)
STARTING = re.compile(r"^Starting (?P<test>\w+\.\w+) \.\.\.")
SKIPPED = re.compile(r"^skipped (?P<test>\w+\.\w+) : ")
# A subtest's failure names its test: "FAIL: Subtest TestX.test_y (i=1)".
FAILED = re.compile(r"^(?P<flavour>FAIL|ERROR): (?:Subtest )?(?P<test>\w+\.\w+)\b")
RESULT = re.compile(r"odoo\.tests\.result: (?P<result>\d+ failed, \d+ error\(s\) of \d+ tests)")

PASSED, SKIPPED_, FAILED_, ERROR = "passed", "skipped", "failed", "error"
WORSE = {PASSED: 0, SKIPPED_: 0, FAILED_: 1, ERROR: 2}


def outcomes(path):
    """{"module: Class.method": outcome} and Odoo's own summary line of a log."""
    found = {}
    summary = None
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = RESULT.search(line)
            if match:
                summary = match["result"]
                continue
            match = LINE.match(line.rstrip("\n"))
            if not match:
                continue
            module, message = match["logger"], match["message"]
            hit = STARTING.match(message)
            if hit:
                found.setdefault(f"{module}: {hit['test']}", PASSED)
                continue
            hit = SKIPPED.match(message)
            if hit:
                found[f"{module}: {hit['test']}"] = SKIPPED_
                continue
            hit = FAILED.match(message)
            if hit:
                key = f"{module}: {hit['test']}"
                outcome = FAILED_ if hit["flavour"] == "FAIL" else ERROR
                if WORSE[outcome] > WORSE.get(found.get(key), 0):
                    found[key] = outcome
    return found, summary


def test_class(key):
    return key.rsplit(".", 1)[0]


def counts(found):
    tally = collections.Counter(found.values())
    return ", ".join(f"{tally[o]} {o}" for o in (PASSED, SKIPPED_, FAILED_, ERROR))


def compare(plain, addon):
    """The differing tests, as (test, plain outcome, addon outcome, is_regression)."""
    classes = {test_class(key) for key in plain}
    addon = {key: o for key, o in addon.items() if test_class(key) in classes}
    rows = []
    for key in sorted(set(plain) | set(addon)):
        before, after = plain.get(key, "not run"), addon.get(key, "not run")
        if before == after:
            continue
        regression = before in (PASSED, SKIPPED_) and after in (FAILED_, ERROR, "not run")
        rows.append((key, before, after, regression))
    return addon, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plain_log", help="the log of the run on plain Odoo")
    parser.add_argument("addon_log", help="the log of the run with client_balance installed")
    args = parser.parse_args()
    plain, plain_summary = outcomes(args.plain_log)
    addon_all, addon_summary = outcomes(args.addon_log)
    addon, rows = compare(plain, addon_all)
    print(f"plain Odoo:          {len(plain)} tests: {counts(plain)} (Odoo: {plain_summary})")
    print(f"with client_balance: {len(addon)} tests: {counts(addon)} (Odoo: {addon_summary})")
    if not plain or not addon:
        print("FAIL: a log holds no test; did the run start?")
        return 1
    same = sum(1 for key, o in plain.items() if addon.get(key) == o)
    print(f"same outcome: {same} of {len(plain)} tests")
    for key, before, after, regression in rows:
        label = "REGRESSION" if regression else "differs"
        print(f"{label}: {key}: plain {before}, with the addon {after}")
    both = sorted(key for key, o in plain.items() if o in (FAILED_, ERROR) and addon.get(key) == o)
    for key in both:
        print(f"fails on plain Odoo too: {key}")
    regressions = sum(1 for row in rows if row[3])
    if regressions:
        print(f"FAIL: {regressions} test(s) pass on plain Odoo but not with client_balance")
        return 1
    print("OK: every test that passes on plain Odoo passes with client_balance")
    return 0


if __name__ == "__main__":
    sys.exit(main())
