#!/usr/bin/env python3
"""Build an addon's README.rst from its readme/*.md fragments.

    python tools/gen_readme.py ADDON_DIR          write ADDON_DIR/README.rst
    python tools/gen_readme.py --check ADDON_DIR  exit 1 if README.rst is stale

The fragments use a small, plain subset of Markdown: ``#`` headings, paragraphs,
``-`` bullet lists (two-space indented continuation lines), numbered lists,
fenced code blocks, inline code, bold, links ``[text](url)``, pipe tables and
pictures alone on their line, ``![alt](../static/description/NAME.png)`` (the
path from readme/; README.rst, in the addon's folder, drops the ``../``).
"""

import argparse
import ast
import re
import sys
from pathlib import Path

SECTIONS = [
    ("DESCRIPTION.md", None),
    ("INSTALL.md", "Installation"),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("INTEGRATION.md", "Integration (XML-RPC / JSON-RPC)"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("CONTRIBUTORS.md", "Contributors"),
]
UNDERLINES = ["~", "^", '"']


def inline(text):
    text = re.sub(r"`([^`]+)`", r"``\1``", text)
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`_", text)
    return text


def md_to_rst(source, level=0):
    out = []
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^(\s*)```", line)
        if fence:
            indent = fence.group(1)
            out.append(f"{indent}::")
            out.append("")
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                out.append(f"{indent}    {lines[i][len(indent) :]}".rstrip())
                i += 1
            out.append("")
            i += 1
            continue
        if line.startswith("|"):
            # A pipe table: its header row, the |---| row, then its rows.
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                cells = [cell.strip() for cell in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-+:?", cell) for cell in cells):
                    rows.append(cells)
                i += 1
            out.extend([".. list-table::", "   :header-rows: 1", ""])
            for cells in rows:
                out.append(f"   * - {inline(cells[0])}")
                out.extend(f"     - {inline(cell)}" for cell in cells[1:])
            out.append("")
            continue
        picture = re.match(r"^(\s*)!\[([^\]]*)\]\(([^)]+)\)\s*$", line)
        if picture:
            indent, alt, path = picture.groups()
            out.extend(
                [
                    f"{indent}.. image:: {path.removeprefix('../')}",
                    f"{indent}   :alt: {alt}",
                    f"{indent}   :width: 640",
                    "",
                ]
            )
            i += 1
            continue
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            title = inline(heading.group(2).strip())
            depth = min(level + len(heading.group(1)) - 1, len(UNDERLINES) - 1)
            out.extend([title, UNDERLINES[depth] * len(title), ""])
            i += 1
            continue
        out.append(inline(line).rstrip())
        i += 1
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def build(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    name = manifest["name"]
    parts = [
        "=" * len(name),
        name,
        "=" * len(name),
        "",
        ".. This file is generated from the readme/ fragments by tools/gen_readme.py:",
        "   edit the fragments, not this file.",
        "",
        f"**{manifest['summary']}**",
        "",
        f"Version {manifest['version']} — License {manifest['license']} — "
        f"Depends on: {', '.join(manifest['depends'])}",
        "",
    ]
    for filename, title in SECTIONS:
        fragment = addon / "readme" / filename
        if not fragment.exists():
            continue
        if title:
            parts.extend([title, "=" * len(title), ""])
        parts.append(md_to_rst(fragment.read_text(), level=0))
    return "\n".join(parts).rstrip() + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if README.rst is stale")
    parser.add_argument("addons", nargs="+", type=Path)
    args = parser.parse_args()
    stale = []
    for addon in args.addons:
        readme = addon / "README.rst"
        text = build(addon)
        if args.check:
            if not readme.exists() or readme.read_text() != text:
                stale.append(str(readme))
        else:
            readme.write_text(text)
    if stale:
        print(
            "Out of date: "
            + ", ".join(stale)
            + ". Run: python tools/gen_readme.py "
            + " ".join(str(a) for a in args.addons),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
