"""The figures of a new entry: estimate recomputation on a stage (each probability method, the chances
kept or forced, the proposed close date, the rounding) and the Won and Lost figures (domain.md
§3.1–§3.4, §11.6, §11.12)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from models.date_formula import InvalidDateFormula
from models.enums import ProbabilityCalculation, StageAction
from models.estimates import (
    Estimates,
    lost_estimates,
    proposed_close_date,
    stage_chances,
    stage_estimates,
    won_estimates,
)
from tests.models.rules_helpers import FIRST, HUNDRED, JUMP, NEXT, PREVIOUS, SKIP, UPDATE, ZERO

MULTIPLY, ADD = ProbabilityCalculation.MULTIPLY, ProbabilityCalculation.ADD
CHANCES, COMPLETED = ProbabilityCalculation.CHANCES_OF_SUCCESS, ProbabilityCalculation.COMPLETED
D = dt.date
DAY = D(2024, 1, 10)


@dataclass(frozen=True, slots=True)
class Stage:
    completed_pct: Decimal = ZERO
    chances_of_success_pct: Decimal = ZERO
    date_formula: str = ""
    stage: int = 1
    description: str = ""
    activity_code: str | None = None
    quote_required: bool = False
    allow_skip: bool = False


def stage(completed: str = "0", chances: str = "0", formula: str = "") -> Stage:
    return Stage(Decimal(completed), Decimal(chances), formula)


def exponents(e: Estimates) -> tuple[int | str, ...]:
    figures = (e.estimated_value, e.chances_of_success_pct, e.completed_pct, e.probability_pct)
    return (*(f.as_tuple().exponent for f in figures), e.calculated_current_value.as_tuple().exponent)


# The worked example of domain.md §3.1: value 1000, chances 60, completed 25.
@pytest.mark.parametrize(
    ("method", "probability", "value"),
    [
        pytest.param(MULTIPLY, "15", "150", id="MULTIPLY"),
        pytest.param(ADD, "42.5", "425", id="ADD"),
        pytest.param(CHANCES, "60", "600", id="CHANCES_OF_SUCCESS"),
        pytest.param(COMPLETED, "25", "250", id="COMPLETED"),
    ],
)
@pytest.mark.parametrize("entered", ["60", "0"], ids=["chances entered", "chances from the stage"])
def test_worked_example_per_method(
    method: ProbabilityCalculation, probability: str, value: str, entered: str
) -> None:
    result = stage_estimates(method, stage("25", "60"), NEXT, DAY, Decimal(1000), Decimal(entered), None)

    figures = (result.estimated_value, result.chances_of_success_pct, result.completed_pct)
    assert figures == (Decimal(1000), Decimal(60), Decimal(25))
    assert result.probability_pct == Decimal(probability)
    assert result.calculated_current_value == Decimal(value)
    assert exponents(result) == (-2, -4, -4, -4, -2)


# (action, stage default, entered, kept) — domain.md §3.2 step 1, §11.6
CHANCES_CASES = [
    pytest.param(NEXT, "60", "0", "60", id="next: 0 takes the stage default"),
    pytest.param(NEXT, "60", "35", "35", id="next: entered chances are kept"),
    pytest.param(NEXT, "0", "0", "0", id="next: no default, nothing entered"),
    pytest.param(NEXT, "0", "35", "35", id="next: no default"),
    pytest.param(FIRST, "50", "0", "50", id="first: 0 takes the default"),
    pytest.param(FIRST, "50", "20", "20", id="first: entered kept"),
    pytest.param(PREVIOUS, "60", "0", "60", id="previous: 0 takes the default"),
    pytest.param(PREVIOUS, "60", "35", "35", id="previous: entered kept"),
    pytest.param(UPDATE, "70", "0", "70", id="update: 0 takes the default"),
    pytest.param(UPDATE, "70", "35", "35", id="update: entered kept"),
    pytest.param(SKIP, "80", "35", "80", id="skip forces the default"),
    pytest.param(SKIP, "80", "0", "80", id="skip: 0 takes the default"),
    pytest.param(SKIP, "80", "100", "80", id="skip forces the default down"),
    pytest.param(SKIP, "0", "35", "35", id="skip: a zero default is not forced"),
    pytest.param(SKIP, "0", "0", "0", id="skip: nothing at all"),
    pytest.param(JUMP, "50", "35", "50", id="jump forces the default"),
    pytest.param(JUMP, "50", "0", "50", id="jump: 0 takes the default"),
    pytest.param(JUMP, "0", "35", "35", id="jump: a zero default is not forced"),
    pytest.param(NEXT, "60", "33.33335", "33.3334", id="entered chances round half-up to 4 places"),
    pytest.param(NEXT, "12.34565", "0", "12.3457", id="the default rounds half-up to 4 places"),
    pytest.param(JUMP, "12.34564", "1", "12.3456", id="a forced default rounds too"),
]


@pytest.mark.parametrize(("action", "default", "entered", "kept"), CHANCES_CASES)
def test_stage_chances(action: StageAction, default: str, entered: str, kept: str) -> None:
    result = stage_chances(stage(chances=default), action, Decimal(entered))

    assert str(result) == str(Decimal(kept).quantize(Decimal("0.0001")))


@pytest.mark.parametrize(
    ("action", "default", "entered", "chances", "probability"),
    [
        pytest.param(NEXT, "60", "0", "60", "30", id="defaulted chances feed the probability"),
        pytest.param(SKIP, "80", "30", "80", "40", id="skip: forced chances feed the probability"),
        pytest.param(JUMP, "40", "90", "40", "20", id="jump: forced chances feed the probability"),
        pytest.param(SKIP, "0", "30", "30", "15", id="skip onto a stage without default"),
        pytest.param(UPDATE, "0", "0", "0", "0", id="no chances at all: probability 0"),
    ],
)
def test_stage_estimates_use_the_chances_kept(
    action: StageAction, default: str, entered: str, chances: str, probability: str
) -> None:
    chosen = Decimal(entered)
    result = stage_estimates(MULTIPLY, stage("50", default), action, DAY, Decimal(200), chosen, None)

    assert result.chances_of_success_pct == Decimal(chances)
    assert result.probability_pct == Decimal(probability)
    assert result.calculated_current_value == Decimal(probability) * 2


# (stage formula, date of change, entered close date, estimated close date) — domain.md §3.2
CLOSE_DATE_CASES = [
    pytest.param("1W", DAY, None, D(2024, 1, 17), id="blank: from the formula"),
    pytest.param("1W", DAY, DAY, D(2024, 1, 17), id="equal to the date of change: recomputed"),
    pytest.param("1W", DAY, D(2024, 1, 11), D(2024, 1, 11), id="a later date is kept"),
    pytest.param("1W", DAY, D(2024, 3, 1), D(2024, 3, 1), id="a date past the formula's is kept"),
    pytest.param("1W", DAY, D(2024, 1, 9), D(2024, 1, 9), id="an earlier date is kept (refused later)"),
    pytest.param("", D(2024, 1, 15), None, D(2024, 1, 15), id="blank formula: the date of change"),
    pytest.param("", D(2024, 1, 15), D(2024, 1, 15), D(2024, 1, 15), id="domain §9 step 3"),
    pytest.param("CM", DAY, None, D(2024, 1, 31), id="current month end"),
    pytest.param("-1D", DAY, DAY, D(2024, 1, 9), id="a negative formula can land before"),
    pytest.param("1M", D(2024, 1, 31), D(2024, 1, 31), D(2024, 2, 29), id="month end clamps"),
    pytest.param("XYZ", DAY, D(2024, 2, 1), D(2024, 2, 1), id="a kept date never reads the formula"),
]


@pytest.mark.parametrize(("formula", "date", "entered", "expected"), CLOSE_DATE_CASES)
def test_proposed_close_date(formula: str, date: dt.date, entered: dt.date | None, expected: dt.date) -> None:
    assert proposed_close_date(stage(formula=formula), date, entered) == expected
    result = stage_estimates(MULTIPLY, stage("10", "50", formula), NEXT, date, Decimal(1), ZERO, entered)
    assert result.estimated_close_date == expected


@pytest.mark.parametrize("entered", [None, DAY], ids=["blank", "equal to the date of change"])
def test_proposed_close_date_raises_for_a_bad_stage_formula(entered: dt.date | None) -> None:
    with pytest.raises(InvalidDateFormula):
        proposed_close_date(stage(formula="XYZ"), DAY, entered)


# (method, "value chances-entered stage-chances stage-completed", stored "value chances completed P calc")
ROUNDING_CASES = [
    (MULTIPLY, "1234.565 60 0 25", "1234.57 60.0000 25.0000 15.0000 185.19"),
    (MULTIPLY, "0.005 50 0 100", "0.01 50.0000 100.0000 50.0000 0.01"),
    (MULTIPLY, "1000000 50.0001 0 50", "1000000.00 50.0001 50.0000 25.0001 250001.00"),
    (ADD, "999.99 33.33335 0 10.00004", "999.99 33.3334 10.0000 21.6667 216.66"),
    (CHANCES, "100 12.34565 0 0", "100.00 12.3457 0.0000 12.3457 12.35"),
    (COMPLETED, "50 0 12.34565 99.99995", "50.00 12.3457 100.0000 100.0000 50.00"),
]
ROUNDING_IDS = [
    "the value is rounded to cents before the calculated value",
    "half a cent rounds up, then carries into the calculated value",
    "the calculated value comes from the stored (rounded) probability",
    "ADD with percentages rounded to 4 places",
    "CHANCES: entered chances rounded half-up",
    "COMPLETED: the stage's completed % rounded half-up",
]


@pytest.mark.parametrize(("method", "given", "stored"), ROUNDING_CASES, ids=ROUNDING_IDS)
def test_rounding(method: ProbabilityCalculation, given: str, stored: str) -> None:
    value, entered, default, completed = given.split()

    r = stage_estimates(method, stage(completed, default), NEXT, DAY, Decimal(value), Decimal(entered), None)

    figures = (r.estimated_value, r.chances_of_success_pct, r.completed_pct, r.probability_pct)
    assert " ".join(str(f) for f in (*figures, r.calculated_current_value)) == stored


def test_stage_estimates_never_recompute_the_estimated_value() -> None:
    for action in StageAction:
        result = stage_estimates(ADD, stage("80", "80"), action, DAY, Decimal("4321.5"), ZERO, None)
        assert str(result.estimated_value) == "4321.50"


@pytest.mark.parametrize(
    ("estimated", "sales", "value", "calc"),
    [
        pytest.param("10000", "9500", "10000.00", "9500.00", id="domain §9 step 5"),
        pytest.param("0", "12000", "0.00", "12000.00", id="never started: estimated value 0"),
        pytest.param("10000.005", "9500.004", "10000.01", "9500.00", id="both round to cents, half-up"),
    ],
)
def test_won_estimates(estimated: str, sales: str, value: str, calc: str) -> None:
    result = won_estimates(Decimal(estimated), Decimal(sales), D(2024, 2, 1))

    # the last open estimate, the sales value, 100 / 100 / 100 and the closing date (§3.4)
    assert result == Estimates(Decimal(value), HUNDRED, HUNDRED, HUNDRED, Decimal(calc), D(2024, 2, 1))
    assert (str(result.estimated_value), str(result.calculated_current_value)) == (value, calc)


@pytest.mark.parametrize(
    ("estimated", "value"),
    [("10000", "10000.00"), ("0", "0.00"), ("2500.125", "2500.13")],
    ids=["last estimate kept", "never started", "rounded half-up"],
)
def test_lost_estimates(estimated: str, value: str) -> None:
    result = lost_estimates(Decimal(estimated), D(2024, 2, 1))

    # chances 0, completed 100, probability 0, calculated value 0 (§3.4)
    assert result == Estimates(Decimal(value), ZERO, HUNDRED, ZERO, ZERO, D(2024, 2, 1))
    assert (str(result.estimated_value), str(result.calculated_current_value)) == (value, "0.00")
