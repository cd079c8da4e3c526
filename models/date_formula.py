"""Business Central date formulas and ``CalcDate`` (domain.md §3.5).

A formula is a sequence of terms applied left to right, each with an optional sign:

* ``<n><unit>`` moves by *n* units: ``D`` days, ``W`` weeks, ``M`` months, ``Q`` quarters
  (3 months), ``Y`` years. Month arithmetic clamps to the month's end (Jan 31 + 1M = Feb 28/29).
* ``C<unit>`` goes to the end of the current day, week (Monday to Sunday), month, calendar
  quarter or year; with a ``-`` sign to its start (``-CM`` is the first day of the month).
* ``WD<n>`` (also written ``<n>WD``) goes to the next date that is weekday *n* (1 = Monday …
  7 = Sunday), never the date itself; with a ``-`` sign to the previous one. ``D<n>`` does the same
  for the *n*-th day of a month, skipping months that are too short.

Parsing ignores case and spaces and accepts BC's ``<…>`` wrapping; a blank formula leaves the date
unchanged. Every term after the first must start with its sign (``1W+2D``): BC's grammar makes the
sign optional, but without it ``1W2D`` is ambiguous between ``1W``, ``2D`` and ``W2``.
Numbers are limited to 9999, as in BC.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
from dataclasses import dataclass
from functools import lru_cache

MAX_NUMBER = 9999
#: Longer input is refused before parsing (the stored column holds 32 characters).
MAX_TEXT_LENGTH = 64


class InvalidDateFormula(ValueError):  # noqa: N818 - the name is the public contract
    """The text is not a date formula."""


class DateOutOfRangeError(ValueError):
    """Applying the formula leaves the range of representable dates."""


class Unit(enum.Enum):
    DAY = "D"
    WEEKDAY = "WD"
    WEEK = "W"
    MONTH = "M"
    QUARTER = "Q"
    YEAR = "Y"


class TermKind(enum.Enum):
    SHIFT = "shift"  # <n><unit>
    CURRENT = "current"  # C<unit>
    POSITION = "position"  # WD<n>, <n>WD, D<n>


@dataclass(frozen=True, slots=True)
class Term:
    """One signed term. ``number`` is 0 for ``CURRENT`` terms."""

    sign: int
    kind: TermKind
    unit: Unit
    number: int

    def __str__(self) -> str:
        sign = "-" if self.sign < 0 else "+"
        match self.kind:
            case TermKind.SHIFT:
                return f"{sign}{self.number}{self.unit.value}"
            case TermKind.CURRENT:
                return f"{sign}C{self.unit.value}"
            case TermKind.POSITION:
                return f"{sign}{self.unit.value}{self.number}"

    def apply(self, date: dt.date) -> dt.date:
        match self.kind:
            case TermKind.SHIFT:
                return _shift(date, self.unit, self.sign * self.number)
            case TermKind.CURRENT:
                return _period_bound(date, self.unit, end=self.sign > 0)
            case TermKind.POSITION:
                if self.unit is Unit.WEEKDAY:
                    return _next_weekday(date, self.number, self.sign)
                return _next_day_of_month(date, self.number, self.sign)


@dataclass(frozen=True, slots=True)
class DateFormula:
    """A parsed formula. ``str()`` gives its canonical text (``CM+1D``; ``""`` when blank)."""

    terms: tuple[Term, ...] = ()

    def __str__(self) -> str:
        text = "".join(str(term) for term in self.terms)
        return text.removeprefix("+")

    @property
    def is_blank(self) -> bool:
        return not self.terms

    def apply(self, date: dt.date) -> dt.date:
        """``CalcDate(self, date)``. Raises ``DateOutOfRangeError`` past year 1 or 9999."""
        result = date
        try:
            for term in self.terms:
                result = term.apply(result)
        except (OverflowError, ValueError) as exc:
            message = f"{self} applied to {date.isoformat()} is out of range"
            raise DateOutOfRangeError(message) from exc
        return result


_UNITS = "WD|D|W|M|Q|Y"
_TERM = re.compile(
    rf"(?P<sign>[+-])?(?:C(?P<current>{_UNITS})|(?P<n>\d+)(?P<unit>{_UNITS})|(?P<punit>WD|D)(?P<pn>\d+))"
)


def _number(text: str, formula: str) -> int:
    value = int(text)
    if value > MAX_NUMBER:
        raise InvalidDateFormula(f"{formula!r}: numbers cannot exceed {MAX_NUMBER}")
    return value


def _position(unit: Unit, number: int, formula: str) -> tuple[Unit, int]:
    limit = 7 if unit is Unit.WEEKDAY else 31
    if not 1 <= number <= limit:
        raise InvalidDateFormula(f"{formula!r}: {unit.value} needs a number from 1 to {limit}")
    return unit, number


def _term(match: re.Match[str], formula: str) -> Term:
    sign = -1 if match["sign"] == "-" else 1
    if match["current"] is not None:
        unit = Unit(match["current"])
        if unit is Unit.WEEKDAY:
            raise InvalidDateFormula(f"{formula!r}: CWD is not a period")
        return Term(sign, TermKind.CURRENT, unit, 0)
    if match["punit"] is not None:
        unit, number = _position(Unit(match["punit"]), _number(match["pn"], formula), formula)
        return Term(sign, TermKind.POSITION, unit, number)
    unit = Unit(match["unit"])
    number = _number(match["n"], formula)
    if unit is Unit.WEEKDAY:
        unit, number = _position(unit, number, formula)
        return Term(sign, TermKind.POSITION, unit, number)
    return Term(sign, TermKind.SHIFT, unit, number)


@lru_cache(maxsize=1024)
def parse_date_formula(text: str) -> DateFormula:
    """Parse ``text`` into a ``DateFormula``; raise ``InvalidDateFormula`` if it is not one."""
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidDateFormula(f"a date formula has at most {MAX_TEXT_LENGTH} characters")
    body = "".join(text.split()).upper()
    if body.startswith("<") and body.endswith(">"):
        body = body[1:-1]
    terms: list[Term] = []
    pos = 0
    while pos < len(body):
        match = _TERM.match(body, pos)
        if match is None or (terms and match["sign"] is None):
            raise InvalidDateFormula(f"{text!r} is not a date formula (at {body[pos:]!r})")
        terms.append(_term(match, text))
        pos = match.end()
    return DateFormula(tuple(terms))


# A cycle's few formulas meet the same dates over and over (the demo data computes ~1M of them).
@lru_cache(maxsize=1 << 16)
def calc_date(formula: str | DateFormula, date: dt.date) -> dt.date:
    """BC's ``CalcDate(formula, date)``; a blank formula returns ``date`` unchanged."""
    parsed = parse_date_formula(formula) if isinstance(formula, str) else formula
    return parsed.apply(date)


def _add_months(date: dt.date, months: int) -> dt.date:
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    day = min(date.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def _shift(date: dt.date, unit: Unit, amount: int) -> dt.date:
    match unit:
        case Unit.DAY:
            return date + dt.timedelta(days=amount)
        case Unit.WEEK:
            return date + dt.timedelta(weeks=amount)
        case Unit.MONTH:
            return _add_months(date, amount)
        case Unit.QUARTER:
            return _add_months(date, 3 * amount)
        case Unit.YEAR:
            return _add_months(date, 12 * amount)
        case Unit.WEEKDAY:  # pragma: no cover - parsing turns <n>WD into a position
            raise AssertionError("WD is a position, not a shift")


def _period_bound(date: dt.date, unit: Unit, *, end: bool) -> dt.date:
    match unit:
        case Unit.DAY:
            return date
        case Unit.WEEK:
            monday = date - dt.timedelta(days=date.weekday())
            return monday + dt.timedelta(days=6) if end else monday
        case Unit.MONTH:
            first_month = last_month = date.month
        case Unit.QUARTER:
            first_month = (date.month - 1) // 3 * 3 + 1
            last_month = first_month + 2
        case Unit.YEAR:
            first_month, last_month = 1, 12
        case Unit.WEEKDAY:  # pragma: no cover - refused by the parser
            raise AssertionError("CWD is not a period")
    if not end:
        return dt.date(date.year, first_month, 1)
    return dt.date(date.year, last_month, calendar.monthrange(date.year, last_month)[1])


def _next_weekday(date: dt.date, weekday: int, sign: int) -> dt.date:
    if sign > 0:
        return date + dt.timedelta(days=(weekday - date.isoweekday()) % 7 or 7)
    return date - dt.timedelta(days=(date.isoweekday() - weekday) % 7 or 7)


def _next_day_of_month(date: dt.date, day: int, sign: int) -> dt.date:
    # A day number exists at least once in every 2 consecutive months, so 3 candidates suffice.
    for offset in range(3):
        first = _add_months(date.replace(day=1), sign * offset)
        if day > calendar.monthrange(first.year, first.month)[1]:
            continue
        candidate = first.replace(day=day)
        if (candidate > date) if sign > 0 else (candidate < date):
            return candidate
    raise AssertionError("unreachable: every day number recurs within 3 months")  # pragma: no cover
