"""The Update command's checks of the values entered and their order: the date of change, the
estimated value, the chances, the ranges and the estimated close date, and several broken rules
reported together in a fixed order (domain.md §2.5, §3.2; api.md §6 error codes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.enums import StageAction
from models.stage_change import plan_stage_change
from tests.models.lifecycle_helpers import ACTIVE, C5, TODAY, ZC, change, d, position, request, stage
from tests.models.rules_helpers import FIRST, NEXT, SKIP, UPDATE


@pytest.mark.parametrize(
    ("current", "active", "entered", "date"),
    [
        pytest.param(3, ACTIVE, None, TODAY, id="default: today when later"),
        pytest.param(3, d(1, 25), None, d(1, 25), id="default: the active date when later"),
        pytest.param(None, ACTIVE, None, TODAY, id="default when not started: today"),
        pytest.param(3, ACTIVE, ACTIVE, ACTIVE, id="equal to the last date of change"),
        pytest.param(3, ACTIVE, d(1, 12), d(1, 12), id="before today is fine"),
        pytest.param(3, ACTIVE, d(1, 9), None, id="before the last date of change"),
    ],
)
def test_date_of_change(
    current: int | None, active: dt.date, entered: dt.date | None, date: dt.date | None
) -> None:
    pos, plan = position(current, date=active), request(UPDATE if current else FIRST, date=entered)
    if date is None:
        assert change(pos, plan) == [("DATE_BEFORE_LAST_CHANGE", ["dateOfChange"])]
    else:
        assert plan_stage_change(pos, C5, plan, TODAY).date_of_change == date


# (active value, quote amount, entered value, value used; None: MUST_BE_POSITIVE)
@pytest.mark.parametrize(
    ("active", "quote", "entered", "used"),
    [
        pytest.param("2500", None, None, "2500", id="default: the active entry's value"),
        pytest.param("2500", "4000", None, "4000", id="default: the linked quote's amount"),
        pytest.param("2500", "4000", "3000", "3000", id="entered beats both"),
        pytest.param("0", None, None, None, id="default 0"),
        pytest.param("2500", "0", None, None, id="default from a quote of 0"),
        pytest.param("2500", None, "0", None, id="entered 0"),
        pytest.param("2500", None, "-1", None, id="entered negative"),
    ],
)
def test_estimated_value(active: str, quote: str | None, entered: str | None, used: str | None) -> None:
    pos, plan = position(3, value=active, quote=quote), request(UPDATE, value=entered)
    if used is None:
        assert change(pos, plan) == [("MUST_BE_POSITIVE", ["estimatedValue"])]
    else:
        assert plan_stage_change(pos, C5, plan, TODAY).estimates.estimated_value == Decimal(used)


CHANCES, VALUE, CLOSE = ["chancesOfSuccessPct"], ["estimatedValue"], ["estimatedCloseDate"]


@pytest.mark.parametrize(
    ("action", "stage_no", "chances", "value", "error"),
    [
        pytest.param(NEXT, None, None, "9", ("MUST_BE_POSITIVE", CHANCES), id="no default, none entered"),
        pytest.param(NEXT, None, "0", "9", ("MUST_BE_POSITIVE", CHANCES), id="no default, 0 entered"),
        pytest.param(SKIP, 2, None, "9", ("MUST_BE_POSITIVE", CHANCES), id="skip onto no default"),
        pytest.param(NEXT, None, "-1", "9", ("INVALID", CHANCES), id="chances negative"),
        pytest.param(NEXT, None, "100.01", "9", ("INVALID", CHANCES), id="chances over 100"),
        pytest.param(NEXT, None, "NaN", "9", ("INVALID", CHANCES), id="chances NaN"),
        pytest.param(NEXT, None, "Infinity", "9", ("INVALID", CHANCES), id="chances infinite"),
        pytest.param(NEXT, None, "5", "NaN", ("INVALID", VALUE), id="value NaN"),
        pytest.param(NEXT, None, "5", "-Infinity", ("INVALID", VALUE), id="value infinite"),
        pytest.param(NEXT, None, "5", "1E+17", ("INVALID", VALUE), id="value too large"),
        pytest.param(SKIP, 3, "40", "9", ("CLOSE_DATE_BEFORE_CHANGE", CLOSE), id="formula -1D lands before"),
    ],
)
def test_chances_and_ranges(
    action: StageAction, stage_no: int | None, chances: str | None, value: str, error: tuple[str, list[str]]
) -> None:
    assert change(position(1), request(action, stage_no, chances, value=value), ZC) == [error]


@pytest.mark.parametrize(
    ("current", "entered", "close"),
    [
        pytest.param(3, d(1, 19), None, id="before the date of change"),
        pytest.param(3, TODAY, d(1, 30), id="equal to the date of change: from the formula"),
        pytest.param(4, TODAY, TODAY, id="equal is allowed (blank formula)"),
        pytest.param(3, d(1, 21), d(1, 21), id="entered and later: kept"),
    ],
)
def test_estimated_close_date(current: int, entered: dt.date, close: dt.date | None) -> None:
    plan = request(NEXT, close=entered)
    if close is None:
        assert change(position(current), plan) == [("CLOSE_DATE_BEFORE_CHANGE", CLOSE)]
    else:
        assert plan_stage_change(position(current), C5, plan, TODAY).estimates.estimated_close_date == close


def test_a_bad_stage_formula_is_invalid() -> None:
    assert change(position(3), request(NEXT, chances="5"), ZC) == [("INVALID", CLOSE)]


def test_several_broken_rules_are_reported_in_order() -> None:
    stages = [stage(1, 10, 50), stage(2, 20, 0, "q")]
    plan = request(NEXT, value="0", date=d(1, 5), close=d(1, 4))

    assert change(position(1), plan, stages) == [
        ("DATE_BEFORE_LAST_CHANGE", ["dateOfChange"]),
        ("QUOTE_REQUIRED", ["stage"]),
        ("MUST_BE_POSITIVE", VALUE),
        ("MUST_BE_POSITIVE", CHANCES),
        ("CLOSE_DATE_BEFORE_CHANGE", CLOSE),
    ]
    assert change(position(3), request(SKIP, 9, value="-5", date=d(1, 5))) == [
        ("DATE_BEFORE_LAST_CHANGE", ["dateOfChange"]),
        ("STAGE_NOT_AVAILABLE", ["stage"]),
        ("MUST_BE_POSITIVE", VALUE),
    ]


def test_invalid_value_and_chances_are_reported_value_first() -> None:
    errors = change(position(3), request(NEXT, chances="101", value="NaN"))

    assert errors == [("INVALID", VALUE), ("INVALID", CHANCES)]
