"""Business Central date formulas: parsing and CalcDate (domain.md §3.5)."""

from __future__ import annotations

import datetime as dt

import pytest

from models.date_formula import (
    DateOutOfRangeError,
    InvalidDateFormula,
    calc_date,
    parse_date_formula,
)
from models.errors import Violations
from models.validation import check_date_formula

D = dt.date

# (formula, base date, expected). 2024-01-10 is a Wednesday; 2024 is a leap year.
CALC_DATE_CASES = [
    # blank and no-op formulas
    ("", D(2024, 1, 10), D(2024, 1, 10)),
    ("   ", D(2024, 1, 10), D(2024, 1, 10)),
    ("<>", D(2024, 1, 10), D(2024, 1, 10)),
    ("0D", D(2024, 1, 10), D(2024, 1, 10)),
    ("CD", D(2024, 1, 10), D(2024, 1, 10)),
    ("-CD", D(2024, 1, 10), D(2024, 1, 10)),
    # days and weeks
    ("1D", D(2024, 1, 10), D(2024, 1, 11)),
    ("3D", D(2024, 1, 10), D(2024, 1, 13)),
    ("-1D", D(2024, 3, 1), D(2024, 2, 29)),
    ("30D", D(2024, 12, 15), D(2025, 1, 14)),
    ("1W", D(2024, 1, 10), D(2024, 1, 17)),
    ("2W", D(2024, 1, 10), D(2024, 1, 24)),
    ("-1W", D(2024, 1, 3), D(2023, 12, 27)),
    # months clamp to the month's end
    ("1M", D(2024, 1, 10), D(2024, 2, 10)),
    ("1M", D(2024, 1, 31), D(2024, 2, 29)),
    ("1M", D(2023, 1, 31), D(2023, 2, 28)),
    ("2M", D(2024, 12, 31), D(2025, 2, 28)),
    ("-1M", D(2024, 3, 31), D(2024, 2, 29)),
    ("13M", D(2024, 1, 15), D(2025, 2, 15)),
    ("1Q", D(2024, 11, 30), D(2025, 2, 28)),
    ("-1Q", D(2024, 5, 31), D(2024, 2, 29)),
    ("1Y", D(2024, 2, 29), D(2025, 2, 28)),
    ("-1Y", D(2024, 6, 15), D(2023, 6, 15)),
    ("4Y", D(2024, 2, 29), D(2028, 2, 29)),
    # current period end, and start with a minus sign
    ("CM", D(2024, 2, 10), D(2024, 2, 29)),
    ("CM", D(2023, 2, 10), D(2023, 2, 28)),
    ("+CM", D(2024, 4, 30), D(2024, 4, 30)),
    ("-CM", D(2024, 4, 17), D(2024, 4, 1)),
    ("-CM", D(2024, 4, 1), D(2024, 4, 1)),
    ("CW", D(2024, 1, 10), D(2024, 1, 14)),
    ("-CW", D(2024, 1, 10), D(2024, 1, 8)),
    ("CW", D(2024, 1, 14), D(2024, 1, 14)),
    ("-CW", D(2024, 1, 8), D(2024, 1, 8)),
    ("CW", D(2024, 12, 31), D(2025, 1, 5)),
    ("CQ", D(2024, 1, 10), D(2024, 3, 31)),
    ("CQ", D(2024, 5, 21), D(2024, 6, 30)),
    ("CQ", D(2024, 8, 1), D(2024, 9, 30)),
    ("CQ", D(2024, 12, 1), D(2024, 12, 31)),
    ("-CQ", D(2024, 5, 21), D(2024, 4, 1)),
    ("-CQ", D(2024, 12, 31), D(2024, 10, 1)),
    ("CY", D(2024, 5, 21), D(2024, 12, 31)),
    ("-CY", D(2024, 5, 21), D(2024, 1, 1)),
    # several terms, left to right
    ("CM+1D", D(2024, 1, 10), D(2024, 2, 1)),
    ("CM+1D", D(2024, 12, 31), D(2025, 1, 1)),
    ("1W+2D", D(2024, 1, 10), D(2024, 1, 19)),
    ("-1Y+CQ", D(2024, 5, 21), D(2023, 6, 30)),
    ("CM+1M", D(2024, 1, 10), D(2024, 2, 29)),
    ("1M+CM", D(2024, 1, 31), D(2024, 2, 29)),
    ("-CM-1D", D(2024, 3, 15), D(2024, 2, 29)),
    ("CQ+1M-10D", D(1996, 5, 21), D(1996, 7, 20)),  # BC's documented example
    ("CM+30D", D(1996, 5, 21), D(1996, 6, 30)),  # BC's documented example
    ("1D+1D+1D", D(2024, 1, 10), D(2024, 1, 13)),
    # weekdays: the next (or previous) date with that weekday, never the date itself
    ("WD1", D(2024, 1, 10), D(2024, 1, 15)),
    ("1WD", D(2024, 1, 10), D(2024, 1, 15)),
    ("WD3", D(2024, 1, 10), D(2024, 1, 17)),
    ("WD4", D(2024, 1, 10), D(2024, 1, 11)),
    ("WD7", D(2024, 1, 10), D(2024, 1, 14)),
    ("7WD", D(2024, 1, 14), D(2024, 1, 21)),
    ("-WD2", D(1996, 5, 21), D(1996, 5, 14)),  # BC's documented example
    ("-WD1", D(2024, 1, 10), D(2024, 1, 8)),
    ("-WD5", D(2024, 1, 10), D(2024, 1, 5)),
    ("WD5+1W", D(2024, 1, 10), D(2024, 1, 19)),
    # day of month: the next (or previous) date with that day number
    ("D10", D(2024, 1, 9), D(2024, 1, 10)),
    ("D10", D(2024, 1, 10), D(2024, 2, 10)),
    ("D31", D(2024, 1, 31), D(2024, 3, 31)),
    ("D30", D(2024, 1, 30), D(2024, 3, 30)),
    ("-D15", D(2024, 1, 10), D(2023, 12, 15)),
    ("-D31", D(2024, 3, 31), D(2024, 1, 31)),
    # spelling: case, spaces and BC's angle brackets are ignored
    ("<1W>", D(2024, 1, 10), D(2024, 1, 17)),
    ("cm+1d", D(2024, 1, 10), D(2024, 2, 1)),
    (" < C M + 1 D > ", D(2024, 1, 10), D(2024, 2, 1)),
    ("+1W", D(2024, 1, 10), D(2024, 1, 17)),
    ("001D", D(2024, 1, 10), D(2024, 1, 11)),
]


@pytest.mark.parametrize(("formula", "base", "expected"), CALC_DATE_CASES)
def test_calc_date(formula: str, base: dt.date, expected: dt.date) -> None:
    assert calc_date(formula, base) == expected


@pytest.mark.parametrize(("formula", "base", "expected"), CALC_DATE_CASES)
def test_calc_date_accepts_a_parsed_formula(formula: str, base: dt.date, expected: dt.date) -> None:
    assert calc_date(parse_date_formula(formula), base) == expected


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("", ""),
        ("<>", ""),
        ("1w", "1W"),
        ("<CM+1D>", "CM+1D"),
        ("+1W", "1W"),
        ("-cm", "-CM"),
        ("1wd", "WD1"),
        ("wd 3", "WD3"),
        ("-1Y + CQ", "-1Y+CQ"),
        ("007D", "7D"),
    ],
)
def test_canonical_text(text: str, canonical: str) -> None:
    assert str(parse_date_formula(text)) == canonical


def test_canonical_text_parses_to_the_same_formula() -> None:
    for formula, _, _ in CALC_DATE_CASES:
        parsed = parse_date_formula(formula)
        assert parse_date_formula(str(parsed)) == parsed


def test_blank_formula_is_blank() -> None:
    assert parse_date_formula("").is_blank
    assert not parse_date_formula("0D").is_blank


@pytest.mark.parametrize(
    "text",
    [
        "1",  # number without unit
        "D",  # unit without number
        "W",
        "+",
        "-",
        "1X",  # unknown unit
        "1H",
        "C",  # prefix without unit
        "CX",
        "CWD",  # a weekday is not a period
        "C1M",  # the current prefix takes no number
        "1W2D",  # terms after the first need a sign
        "CM1D",
        "1W++2D",
        "1W+",
        "WD0",  # weekdays are 1..7
        "WD8",
        "0WD",
        "8WD",
        "D0",  # days of month are 1..31
        "D32",
        "W2",  # the unit-number form exists for WD and D only
        "M3",
        "10000D",  # numbers are at most 9999
        "<1W",
        "1W>",
        "<<1W>>",
        "1.5D",
        "1 W 2",
        "1D" * 40,  # longer than any stored formula
    ],
)
def test_invalid_formula_is_refused(text: str) -> None:
    with pytest.raises(InvalidDateFormula):
        parse_date_formula(text)


def test_invalid_formula_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a date formula"):
        calc_date("1X", D(2024, 1, 10))


def test_result_out_of_range_is_reported() -> None:
    with pytest.raises(DateOutOfRangeError):
        calc_date("1D", dt.date.max)
    with pytest.raises(DateOutOfRangeError):
        calc_date("-1M", dt.date.min)
    with pytest.raises(DateOutOfRangeError):
        calc_date("CW", dt.date.max)


@pytest.mark.parametrize(
    ("text", "stored"),
    [(None, ""), ("  ", ""), ("<1W + 2D>", "1W+2D"), ("cm", "CM"), ("-cm+1m", "-CM+1M"), ("0D", "0D")],
)
def test_a_valid_formula_is_stored_in_canonical_form(text: str | None, stored: str) -> None:
    violations = Violations()

    assert check_date_formula(text, ["dateFormula"], violations) == stored
    assert not violations


@pytest.mark.parametrize("text", ["1X", "W2", "1W2D", "C", "<1W", "1" * 70])
def test_an_invalid_formula_is_refused_with_invalid_on_its_field(text: str) -> None:
    violations = Violations()

    check_date_formula(text, ["stages", "0", "dateFormula"], violations)

    assert [(e.code, e.field) for e in violations.errors] == [("INVALID", ["stages", "0", "dateFormula"])]
