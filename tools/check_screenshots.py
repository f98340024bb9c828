#!/usr/bin/env python3
"""The manual's pictures are taken by the workflow tours.

Usage: check_screenshots.py TAKEN_DIR [REPO]

Every picture that the manual (client_balance/readme/*.md), the apps store
page (client_balance/static/description/index.html) or a README.rst shows
from client_balance/static/description/ must be in the repository and must
have been taken again by the tours just run (TAKEN_DIR, where
CLIENT_BALANCE_SCREENSHOTS pointed): a tour that no longer reaches the screen
of a picture fails here. Exits 1 if one is missing.
"""

import pathlib
import re
import sys

PICTURE = re.compile(r"static/description/([a-z0-9_]+\.png)")
DOCUMENTS = (
    "client_balance/readme/*.md",
    "client_balance/static/description/index.html",
    "README.rst",
    "client_balance/README.rst",
)


def shown_pictures(repo):
    shown = {}
    for pattern in DOCUMENTS:
        for document in sorted(repo.glob(pattern)):
            for name in PICTURE.findall(document.read_text(encoding="utf-8")):
                shown.setdefault(name, []).append(str(document.relative_to(repo)))
    return shown


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    taken_dir = pathlib.Path(argv[1])
    repo = pathlib.Path(argv[2] if len(argv) == 3 else pathlib.Path(__file__).parent.parent)
    taken = {path.name for path in taken_dir.glob("*.png")}
    stored = repo / "client_balance" / "static" / "description"
    shown = shown_pictures(repo)
    if not shown:
        print(
            "no picture of client_balance/static/description is shown by the manual",
            file=sys.stderr,
        )
        return 1
    problems = []
    for name, documents in sorted(shown.items()):
        where = ", ".join(sorted(set(documents)))
        if not (stored / name).is_file():
            problems.append(f"{name} (shown by {where}) is not in {stored.relative_to(repo)}")
        if name not in taken:
            problems.append(
                f"{name} (shown by {where}) was not taken by the tours: "
                "a tour no longer reaches its screen, or its screenshot step is gone"
            )
    for problem in problems:
        print(problem, file=sys.stderr)
    print(
        f"{len(shown)} pictures shown by the manual, {len(taken)} taken by the tours, "
        f"{len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
