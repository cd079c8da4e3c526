"""Checks shared by every input: money and percentages (api.md §2, §6), and the hygiene of
api.md §7.2: characters PostgreSQL cannot store, control and invisible characters in codes, the
one range of every stored date, and positivity of amounts as stored.

Codes and numbers refuse every Unicode control and format character (Cc, Cf); texts refuse NUL,
unpaired surrogates and C0/C1 controls other than tab and line breaks. Messages never quote the
refused value (it may not be encodable, and it is the caller's own input anyway).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from models.activity import DATE_FORMULA_LENGTH
from models.date_formula import InvalidDateFormula, parse_date_formula
from models.errors import Violations
from models.probability import round_money, round_pct

#: The largest amount a ``Numeric(18, 2)`` column holds.
MAX_MONEY = Decimal("9999999999999999.99")
HUNDRED = Decimal(100)
#: Every stored date lies in this range (api.md §7.2), so that no accepted row can break a later
#: read or analytic (period ends, date arithmetic) near the ends of PostgreSQL's or Python's dates.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)


def check_money(value: Decimal | None, field: Sequence[str], violations: Violations) -> None:
    """A finite amount that fits the money columns (the sign is each rule's business)."""
    if value is None:
        return
    if not value.is_finite() or abs(value) > MAX_MONEY:
        violations.add("INVALID", f"{value} is not an amount (at most {MAX_MONEY}).", field)


def check_pct(value: Decimal | None, field: Sequence[str], violations: Violations) -> None:
    """A percentage between 0 and 100."""
    if value is None:
        return
    if not value.is_finite() or not 0 <= value <= HUNDRED:
        violations.add("INVALID", f"{value} is not a percentage between 0 and 100.", field)


def check_date_formula(text: str | None, field: Sequence[str], violations: Violations) -> str:
    """A date formula as it is stored: its canonical text (``"<1W + 2D>"`` → ``"1W+2D"``), or
    ``INVALID`` for text that is not one (domain.md §3.5). Blank stays blank."""
    if text is None or not text.strip():
        return ""
    try:
        canonical = str(parse_date_formula(text))
    except InvalidDateFormula as exc:
        violations.add("INVALID", str(exc), field)
        return ""
    if len(canonical) > DATE_FORMULA_LENGTH:  # valid input (≤ 64 characters) may not fit the column
        violations.add("TOO_LONG", f"{canonical} is longer than {DATE_FORMULA_LENGTH} characters.", field)
        return ""
    return canonical


# --- characters ---------------------------------------------------------------------------------

#: Invisible characters that reorder or hide text (bidi controls, zero-width characters, the word
#: joiner, the byte order mark). All of them are category Cf; named here for the messages and docs.
BIDI_AND_ZERO_WIDTH = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + [chr(c) for c in range(0x200B, 0x2010)]
    + ["\u2060", "\ufeff"]
)
#: Control characters a text (a description, a name) may hold: tab and the line breaks.
TEXT_CONTROLS = frozenset("\t\n\r")


def unstorable(text: str) -> bool:
    """Whether PostgreSQL cannot store ``text``: a NUL, or a lone surrogate (not UTF-8 at all)."""
    return any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in text)


def unstorable_paths(value: object, path: Sequence[str] = ()) -> list[list[str]]:
    """The path of every string inside ``value`` (nested dicts and lists, as a request's arguments
    arrive) that PostgreSQL cannot store; list items by their index."""
    if isinstance(value, str):
        return [list(path)] if unstorable(value) else []
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in unstorable_paths(item, [*path, str(key)])]
    if isinstance(value, list | tuple):
        return [p for i, item in enumerate(value) for p in unstorable_paths(item, [*path, str(i)])]
    return []


def code_char_problem(text: str) -> str | None:
    """Why ``text`` cannot be a code or number (``Code[n]``), or ``None``: no control or format
    character (Unicode Cc/Cf: C0/C1 controls, bidi controls, zero-width characters, BOM) and
    nothing PostgreSQL cannot store. The message never quotes the value."""
    if unstorable(text):
        return "contains a NUL or an unpaired surrogate, which cannot be stored"
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        return "contains a control, bidi or zero-width character, which a code may not hold"
    return None


def text_char_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as a text (a description, a name, an e-mail), or ``None``.

    Any Unicode is allowed, including format characters (an Arabic name may need its bidi marks, an
    emoji its zero-width joiner), but not NUL, an unpaired surrogate or a control character other
    than tab, line feed and carriage return."""
    if unstorable(text):
        return "contains a NUL or an unpaired surrogate, which cannot be stored"
    if any(unicodedata.category(c) == "Cc" and c not in TEXT_CONTROLS for c in text):
        return "contains a control character (only tab and line breaks are allowed)"
    return None


def check_code_chars(text: str | None, field: Sequence[str], violations: Violations) -> bool:
    """``INVALID`` for a code or number holding a character :func:`code_char_problem` refuses."""
    problem = None if text is None else code_char_problem(text)
    if problem is not None:
        violations.add("INVALID", f"{_name(field)} {problem}.", field)
    return problem is None


def check_text_chars(text: str | None, field: Sequence[str], violations: Violations) -> bool:
    """``INVALID`` for a text holding a character :func:`text_char_problem` refuses."""
    problem = None if text is None else text_char_problem(text)
    if problem is not None:
        violations.add("INVALID", f"{_name(field)} {problem}.", field)
    return problem is None


def _name(field: Sequence[str]) -> str:
    return field[-1] if field else "The value"


# --- dates and amounts as stored ----------------------------------------------------------------


def date_in_range(value: dt.date) -> bool:
    return MIN_DATE <= value <= MAX_DATE


def check_date(value: dt.date | None, field: Sequence[str], violations: Violations) -> bool:
    """``INVALID`` for a date outside :data:`MIN_DATE` … :data:`MAX_DATE` (api.md §7.2)."""
    if value is None or date_in_range(value):
        return True
    violations.add(
        "INVALID",
        f"{_name(field)} {value.isoformat()} is outside {MIN_DATE.isoformat()} … {MAX_DATE.isoformat()}.",
        field,
    )
    return False


def positive_as_stored(value: Decimal) -> bool:
    """Whether an amount is still greater than 0 once stored to the cent, half-up
    (``MUST_BE_POSITIVE``, api.md §7.2: ``0.004`` is stored as 0.00, so it is not)."""
    return value.is_finite() and round_money(value) > 0


def positive_pct_as_stored(value: Decimal) -> bool:
    """Whether a percentage is still greater than 0 once stored to 4 decimals, half-up."""
    return value.is_finite() and round_pct(value) > 0
