"""Activate First Stage: the entry it plans on the lowest stage, with the values entered or the
stage's defaults, and the refusals (domain.md §2.6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.enums import ActionTaken
from models.enums import ProbabilityCalculation as Method
from models.errors import DomainError
from models.estimates import Estimates
from models.lifecycle import Position
from models.stage_change import plan_first_stage
from tests.models.rules_helpers import ZERO
from tests.models.stage_helpers import DAY, NOT_STARTED, WON, Stage, position

WEEK_LATER, MARCH = dt.date(2024, 1, 17), dt.date(2024, 3, 1)


def figures(no: int, completed: int, chances: int, formula: str, activity: str | None = None) -> Stage:
    return Stage(no, False, False, f"S{no}", Decimal(completed), Decimal(chances), activity, formula)


FIGURES = [figures(2, 40, 60, "2W", "A2"), figures(1, 10, 50, "1W", "INIT")]  # unsorted on purpose
BAD_FORMULA = figures(1, 10, 50, "XYZ")
NO_CYCLE = Position("OP000001", NOT_STARTED, None, Method.MULTIPLY, None)


def test_activate_first_stage_defaults() -> None:
    entry = plan_first_stage(position(None), FIGURES, DAY)

    assert entry.stage is FIGURES[1]
    assert (entry.action_taken, entry.previous_stage, entry.date_of_change) == (ActionTaken.STARTED, 0, DAY)
    # value 0 is allowed on this path (§2.6); chances 0 take the stage default
    assert entry.estimates == Estimates(ZERO, Decimal(50), Decimal(10), Decimal(5), ZERO, WEEK_LATER)
    assert (entry.activity_code, entry.stage_description, entry.closing) == ("INIT", "S1", False)


# (value, chances, close date entered) → (value, chances, P, calculated value, close date)
@pytest.mark.parametrize(
    ("value", "chances", "close", "expected"),
    [
        pytest.param("5000", "30", MARCH, ("5000", "30", "3", "150", MARCH), id="the wizard's values"),
        pytest.param("5000", "0", None, ("5000", "50", "5", "250", WEEK_LATER), id="chances from the stage"),
        pytest.param("0", "0", DAY, ("0", "50", "5", "0", WEEK_LATER), id="close date = date of change"),
    ],
)
def test_activate_first_stage_with_values(
    value: str, chances: str, close: dt.date | None, expected: tuple[str, str, str, str, dt.date]
) -> None:
    entry = plan_first_stage(position(None), FIGURES, DAY, Decimal(value), Decimal(chances), close)

    v, ch, p, calc, date = expected
    assert entry.estimates == Estimates(Decimal(v), Decimal(ch), Decimal(10), Decimal(p), Decimal(calc), date)


@pytest.mark.parametrize(
    ("pos", "stages", "code", "field"),
    [
        pytest.param(position(0, status=WON), FIGURES, "OPPORTUNITY_CLOSED", None, id="won"),
        pytest.param(position(1), FIGURES, "ACTION_NOT_AVAILABLE", ["no"], id="already started"),
        pytest.param(NO_CYCLE, FIGURES, "REQUIRED", None, id="no sales cycle"),
        pytest.param(position(None), [], "NO_STAGES", None, id="no stages"),
        pytest.param(position(None), [BAD_FORMULA], "INVALID", ["estimatedCloseDate"], id="bad date formula"),
    ],
)
def test_activate_first_stage_refusals(
    pos: Position, stages: list[Stage], code: str, field: list[str] | None
) -> None:
    with pytest.raises(DomainError) as info:
        plan_first_stage(pos, stages, DAY)

    assert (info.value.code, info.value.field) == (code, field)
