"""The README's "Error codes" section, rendered from the code so that it cannot drift.

The ``userErrors`` codes come from ``ErrorCode`` and its descriptions (the same text the SDL
carries), the top-level ``extensions.code`` values from ``graph.errors.TOP_LEVEL_CODES``. A test
fails when README.md holds anything else between the markers; regenerate it with::

    python -m graph.error_reference --write README.md

Without ``--write`` the section is printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from strawberry.types.enum import has_enum_definition

from graph.errors import TOP_LEVEL_CODES
from graph.types.errors import ErrorCode

START = "<!-- error-codes:start -->"
END = "<!-- error-codes:end -->"
REGENERATE = "python -m graph.error_reference --write README.md"


def user_error_codes() -> list[tuple[str, str]]:
    """Each ``ErrorCode`` name with its schema description, in declaration order."""
    if not has_enum_definition(ErrorCode):
        raise TypeError("ErrorCode is not a Strawberry enum")
    return [(v.name, v.description or "") for v in ErrorCode.__strawberry_definition__.values]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The whole section, markers included."""
    lines = [
        START,
        f"<!-- Generated from ErrorCode (graph/types/errors.py) and TOP_LEVEL_CODES (graph/errors.py) by "
        f"`{REGENERATE}`: edit those, not this. -->",
        "## Error codes",
        "",
        "A mutation refused by a business rule answers HTTP 200 with `userErrors` in its payload and writes "
        "nothing (api.md §6). Each `UserError.code` (the `ErrorCode` enum) means:",
        "",
        "| `code` | When |",
        "|---|---|",
        *(f"| `{name}` | {_cell(when)} |" for name, when in user_error_codes()),
        "",
        "A request that is malformed, over a limit, not allowed or failed unexpectedly answers top-level "
        "`errors` whose `extensions.code` is one of these (api.md §7.2). Errors raised while the operation "
        "executes keep HTTP 200, as every executed operation does; the other codes refuse the whole "
        "request. *not yet* marks a code of the contract that the server does not give yet, and what it "
        "answers instead today.",
        "",
        "| `extensions.code` | HTTP | When | Emitted |",
        "|---|---|---|---|",
    ]
    for c in TOP_LEVEL_CODES:
        given = "yes" if c.emitted else "*not yet*"
        if c.today:
            given += f" (today: {c.today})"
        lines.append(f"| `{c.code}` | {c.http_status} | {_cell(c.when)} | {_cell(given)} |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def _bounds(document: str) -> tuple[int, int]:
    """Where the section starts and where the text after it starts."""
    if document.count(START) != 1 or document.count(END) != 1:
        raise ValueError(f"the document needs exactly one {START} and one {END} line")
    start = document.index(START)
    end = document.index(END, start) + len(END)
    if document[end : end + 1] == "\n":
        end += 1
    return start, end


def section_of(document: str) -> str:
    """The section as the document holds it, markers included."""
    start, end = _bounds(document)
    return document[start:end]


def with_section(document: str, section: str) -> str:
    """``document`` with its section replaced by ``section``; the text around it is kept as is."""
    start, end = _bounds(document)
    return document[:start] + section + document[end:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m graph.error_reference", description="Render the README's error-code reference."
    )
    parser.add_argument("--write", metavar="FILE", help="replace the section between the markers in FILE")
    args = parser.parse_args(argv)
    section = render()
    if args.write is None:
        sys.stdout.write(section)
        return 0
    path = Path(args.write)
    document = path.read_text(encoding="utf-8")
    try:
        updated = with_section(document, section)
    except ValueError as exc:
        parser.error(f"{path}: {exc}")
    if updated != document:
        path.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
