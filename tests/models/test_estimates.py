"""The figures of a new entry: estimate recomputation on a stage, the Close command's Won and Lost
entries, and the money and percentage ranges (domain.md §2.7, §3.1–§3.4, §11.2, §11.4, §11.12)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pytest

from models.closing import CloseRequest, plan_close
from models.date_formula import InvalidDateFormula
from models.enums import ActionTaken, CloseOutcome, OpportunityStatus, ProbabilityCalculation, StageAction
from models.errors import DomainError, DomainErrors, Violations
from models.estimates import (
    Estimates,
    lost_estimates,
    proposed_close_date,
    stage_chances,
    stage_estimates,
    won_estimates,
)
from models.lifecycle import Position
from models.validation import check_money, check_pct

MULTIPLY, ADD = ProbabilityCalculation.MULTIPLY, ProbabilityCalculation.ADD
CHANCES, COMPLETED = ProbabilityCalculation.CHANCES_OF_SUCCESS, ProbabilityCalculation.COMPLETED
FIRST, NEXT, PREVIOUS = StageAction.FIRST, StageAction.NEXT, StageAction.PREVIOUS
SKIP, UPDATE, JUMP = StageAction.SKIP, StageAction.UPDATE, StageAction.JUMP
WON, LOST = CloseOutcome.WON, CloseOutcome.LOST
D = dt.date
DAY = D(2024, 1, 10)
ZERO, HUNDRED = Decimal(0), Decimal(100)


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


# (check, value, valid) — api.md §6: out of range is INVALID; the sign is each rule's business
RANGE_CASES = [
    pytest.param(check_money, None, True, id="money absent"),
    pytest.param(check_money, "0", True, id="money zero"),
    pytest.param(check_money, "-5", True, id="money negative"),
    pytest.param(check_money, "9999999999999999.99", True, id="the largest amount"),
    pytest.param(check_money, "-9999999999999999.99", True, id="the smallest amount"),
    pytest.param(check_money, "0.001", True, id="sub-cent precision, rounded later"),
    pytest.param(check_money, "10000000000000000.00", False, id="money too large"),
    pytest.param(check_money, "-10000000000000000", False, id="money too small"),
    pytest.param(check_money, "1E+30", False, id="money in exponent notation"),
    pytest.param(check_money, "NaN", False, id="money NaN"),
    pytest.param(check_money, "sNaN", False, id="money signalling NaN"),
    pytest.param(check_money, "Infinity", False, id="money infinite"),
    pytest.param(check_money, "-Infinity", False, id="money minus infinite"),
    pytest.param(check_pct, None, True, id="pct absent"),
    pytest.param(check_pct, "0", True, id="pct zero"),
    pytest.param(check_pct, "100", True, id="pct one hundred"),
    pytest.param(check_pct, "50.12345", True, id="pct fractions"),
    pytest.param(check_pct, "-0.0001", False, id="pct negative"),
    pytest.param(check_pct, "100.0001", False, id="pct over 100"),
    pytest.param(check_pct, "NaN", False, id="pct NaN"),
    pytest.param(check_pct, "Infinity", False, id="pct infinite"),
    pytest.param(check_pct, "-Infinity", False, id="pct minus infinite"),
]


@pytest.mark.parametrize(("check", "value", "valid"), RANGE_CASES)
def test_range_checks(
    check: Callable[[Decimal | None, Sequence[str], Violations], None], value: str | None, valid: bool
) -> None:
    violations = Violations()
    violations.add("MUST_BE_POSITIVE", "an earlier error is kept", ["other"])

    check(Decimal(value) if value is not None else None, ["input", "field"], violations)

    expected = [("MUST_BE_POSITIVE", ["other"])] + ([] if valid else [("INVALID", ["input", "field"])])
    assert [(e.code, e.field) for e in violations.errors] == expected


# The Close command (domain.md §2.7): Won and Lost entries and their checks.


@dataclass(frozen=True, slots=True)
class Entry:
    sales_cycle_stage: int
    date_of_change: dt.date
    estimated_value: Decimal


ACTIVE, TODAY, CLOSING = D(2024, 1, 10), D(2024, 1, 20), D(2024, 2, 1)


def opportunity(current: int | None = 4, *, date: dt.date = ACTIVE, quote: str | None = None) -> Position:
    """Stage ``current`` since ``date`` with an estimated value of 10 000; ``None``: never started."""
    active = Entry(current, date, Decimal(10000)) if current is not None else None
    status = OpportunityStatus.IN_PROGRESS if active else OpportunityStatus.NOT_STARTED
    amount = Decimal(quote) if quote is not None else None
    return Position("OP000001", status, "NEW", MULTIPLY, active, amount)


def closing(outcome: CloseOutcome, sales: str | None = None, date: dt.date | None = CLOSING) -> CloseRequest:
    code = "WON1" if outcome is WON else "LOST1"
    return CloseRequest(outcome, code, outcome, date, Decimal(sales) if sales is not None else None)


def refused(position: Position, request: CloseRequest) -> list[tuple[str, list[str] | None]]:
    """The (code, field) of every error the close raises; several come as one ``DomainErrors``."""
    with pytest.raises((DomainError, DomainErrors)) as info:
        plan_close(position, request, TODAY)
    error = info.value
    if isinstance(error, DomainErrors):
        assert len(error.errors) > 1
        return [(e.code, e.field) for e in error.errors]
    assert isinstance(error, DomainError)
    return [(error.code, error.field)]


# (quote amount, sales value entered, the calculated value or the error on salesValue) — §3.2 step 2
@pytest.mark.parametrize(
    ("quote", "sales", "calc"),
    [
        pytest.param(None, "9500", "9500", id="the sales value"),
        pytest.param(None, "9500.005", "9500.01", id="rounded to cents"),
        pytest.param("12000", "9500", "12000", id="the quote's amount overrides the sales value"),
        pytest.param("12000", None, "12000", id="the quote's amount without a sales value"),
        pytest.param("0", "9500", "MUST_BE_POSITIVE", id="a quote of 0 (§11.4)"),
        pytest.param(None, None, "REQUIRED", id="no sales value and no quote"),
        pytest.param(None, "0", "MUST_BE_POSITIVE", id="sales value 0"),
        pytest.param(None, "-1", "MUST_BE_POSITIVE", id="sales value negative"),
    ],
)
def test_close_won(quote: str | None, sales: str | None, calc: str) -> None:
    position, request = opportunity(4, quote=quote), closing(WON, sales)
    if not calc[0].isdigit():
        assert refused(position, request) == [(calc, ["salesValue"])]
        return

    entry = plan_close(position, request, TODAY)

    assert (entry.stage, entry.stage_no, entry.stage_description, entry.previous_stage) == (None, 0, "", 4)
    assert (entry.action_taken, entry.close_code, entry.activity_code) == (ActionTaken.WON, "WON1", None)
    assert (entry.closing, entry.date_of_change, entry.date_closed) == (True, CLOSING, CLOSING)
    assert entry.estimates == Estimates(Decimal(10000), HUNDRED, HUNDRED, HUNDRED, Decimal(calc), CLOSING)


@pytest.mark.parametrize("quote", [None, "0", "12000"])
def test_close_lost_zeroes_the_calculated_value(quote: str | None) -> None:
    entry = plan_close(opportunity(4, quote=quote), closing(LOST, "9500"), TODAY)

    assert (entry.stage_no, entry.previous_stage, entry.action_taken) == (0, 4, ActionTaken.LOST)
    assert (entry.close_code, entry.date_closed, entry.activity_code) == ("LOST1", CLOSING, None)
    assert entry.estimates == Estimates(Decimal(10000), ZERO, HUNDRED, ZERO, ZERO, CLOSING)


@pytest.mark.parametrize(("outcome", "calc"), [(WON, "500"), (LOST, "0")])
def test_close_a_never_started_opportunity(outcome: CloseOutcome, calc: str) -> None:
    long_ago = D(2020, 1, 1)  # no active entry, so no date to be on or after

    entry = plan_close(opportunity(None), closing(outcome, "500", long_ago), TODAY)

    assert (entry.previous_stage, entry.stage_no, entry.date_of_change) == (0, 0, long_ago)
    figures = entry.estimates
    assert (figures.estimated_value, figures.calculated_current_value) == (ZERO, Decimal(calc))
    assert plan_close(opportunity(None), closing(outcome, "500", None), TODAY).date_of_change == TODAY


@pytest.mark.parametrize(
    ("outcome", "code", "code_outcome", "error"),
    [
        pytest.param(WON, "", None, "REQUIRED", id="no code"),
        pytest.param(LOST, "", None, "REQUIRED", id="no code, lost"),
        pytest.param(WON, "NOPE", None, "NOT_FOUND", id="unknown code"),
        pytest.param(WON, "LOST1", LOST, "CLOSE_CODE_TYPE_MISMATCH", id="lost code to win"),
        pytest.param(LOST, "WON1", WON, "CLOSE_CODE_TYPE_MISMATCH", id="won code to lose"),
    ],
)
def test_close_code(outcome: CloseOutcome, code: str, code_outcome: CloseOutcome | None, error: str) -> None:
    request = CloseRequest(outcome, code, code_outcome, TODAY, Decimal(5))

    assert refused(opportunity(2), request) == [(error, ["closeOpportunityCode"])]


@pytest.mark.parametrize(
    ("active", "entered", "date"),
    [
        pytest.param(ACTIVE, None, TODAY, id="default: today when later"),
        pytest.param(D(2024, 1, 25), None, D(2024, 1, 25), id="default: the active date when later"),
        pytest.param(ACTIVE, ACTIVE, ACTIVE, id="equal to the last date of change"),
        pytest.param(ACTIVE, D(2024, 1, 9), None, id="before the last date of change (§11.2)"),
    ],
)
@pytest.mark.parametrize("outcome", [WON, LOST])
def test_closing_date(
    outcome: CloseOutcome, active: dt.date, entered: dt.date | None, date: dt.date | None
) -> None:
    position, request = opportunity(2, date=active), closing(outcome, "5", entered)
    if date is None:
        assert refused(position, request) == [("DATE_BEFORE_LAST_CHANGE", ["closingDate"])]
        return

    entry = plan_close(position, request, TODAY)

    dates = (entry.date_of_change, entry.date_closed, entry.estimates.estimated_close_date)
    assert dates == (date, date, date)


def test_close_reports_several_broken_rules_in_order() -> None:
    request = CloseRequest(WON, "LOST1", LOST, D(2024, 1, 5), None)

    assert refused(opportunity(2), request) == [
        ("CLOSE_CODE_TYPE_MISMATCH", ["closeOpportunityCode"]),
        ("DATE_BEFORE_LAST_CHANGE", ["closingDate"]),
        ("REQUIRED", ["salesValue"]),
    ]


@pytest.mark.parametrize(
    ("outcome", "sales"),
    [(LOST, "NaN"), (WON, "NaN"), (WON, "Infinity"), (WON, "-Infinity"), (WON, "1E+30"), (WON, "sNaN")],
)
def test_close_with_an_invalid_sales_value(outcome: CloseOutcome, sales: str) -> None:
    assert refused(opportunity(2), closing(outcome, sales)) == [("INVALID", ["salesValue"])]
