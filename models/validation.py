"""Range checks shared by every input that carries money or a percentage (api.md §2, §6)."""

from __future__ import annotations

from collections.abc import Sequence
import datetime as dt
from decimal import Decimal

from models.activity import DATE_FORMULA_LENGTH
from models.date_formula import InvalidDateFormula, parse_date_formula
from models.errors import Violations

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
