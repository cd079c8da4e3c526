"""The Close command: the Won and Lost entries it plans, the calculated value from the sales value or
the linked quote, the checks of the close code, the closing date and the sales value, and several
broken rules reported in order (domain.md §2.7, §3.2, §3.4, §11.2, §11.4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.closing import CloseRequest, plan_close
from models.enums import ActionTaken, CloseOutcome, OpportunityStatus, ProbabilityCalculation
from models.estimates import Estimates
from models.lifecycle import Position
from tests.models.rules_helpers import HUNDRED, ZERO, Entry, Errors, refusal

WON, LOST = CloseOutcome.WON, CloseOutcome.LOST
D = dt.date
ACTIVE, TODAY, CLOSING = D(2024, 1, 10), D(2024, 1, 20), D(2024, 2, 1)


def opportunity(current: int | None = 4, *, date: dt.date = ACTIVE, quote: str | None = None) -> Position:
    """Stage ``current`` since ``date`` with an estimated value of 10 000; ``None``: never started."""
    active = Entry(current, date, Decimal(10000)) if current is not None else None
    status = OpportunityStatus.IN_PROGRESS if active else OpportunityStatus.NOT_STARTED
    amount = Decimal(quote) if quote is not None else None
    return Position("OP000001", status, "NEW", ProbabilityCalculation.MULTIPLY, active, amount)


def closing(outcome: CloseOutcome, sales: str | None = None, date: dt.date | None = CLOSING) -> CloseRequest:
    code = "WON1" if outcome is WON else "LOST1"
    return CloseRequest(outcome, code, outcome, date, Decimal(sales) if sales is not None else None)


def refused(position: Position, request: CloseRequest) -> Errors:
    """The (code, field) of every error the close raises."""
    return refusal(lambda: plan_close(position, request, TODAY))


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
