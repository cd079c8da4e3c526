"""The cycles, positions and Update requests of the lifecycle rule tests (``test_lifecycle_*.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from models.enums import CloseOutcome, OpportunityStatus, StageAction
from models.enums import ProbabilityCalculation as Method
from models.lifecycle import Position
from models.stage_change import StageRequest, plan_stage_change
from models.stages import StageLike
from tests.models.rules_helpers import Entry, Errors, refusal

WON = CloseOutcome.WON
IN_PROGRESS = OpportunityStatus.IN_PROGRESS


def d(month: int, day: int) -> dt.date:
    return dt.date(2024, month, day)


ACTIVE = d(1, 10)  # the active entry's date of change
TODAY = d(1, 20)


@dataclass(frozen=True, slots=True)
class Stage:
    stage: int
    completed_pct: Decimal
    chances_of_success_pct: Decimal
    allow_skip: bool = False
    quote_required: bool = False
    date_formula: str = ""
    activity_code: str | None = None
    description: str = ""


def stage(
    no: int, completed: int, chances: int, flags: str = "", formula: str = "", activity: str = ""
) -> Stage:
    """``flags``: ``s`` for Allow Skip, ``q`` for Quote Required."""
    flagged = ("s" in flags, "q" in flags)
    return Stage(no, Decimal(completed), Decimal(chances), *flagged, formula, activity or None, f"S{no}")


# From stage 3: next [4], previous [2], skip [4, 5], update [3], jump [1, 2].
C5 = [
    stage(1, 10, 50, "", "1W", "A1"),
    stage(2, 40, 60, "s", "2W", "A2"),
    stage(3, 60, 70, "", "1M", "A3"),
    stage(4, 70, 75, "s", "10D", "A4"),
    stage(5, 90, 85, "", "", "A5"),
]
# Quote Required on 1, 3 and 4; from stage 2 the Skip list is [3, 4, 5].
QC = [stage(1, 10, 50, "q"), stage(2, 20, 50, "s"), stage(3, 30, 50, "sq"), stage(4, 40, 50, "sq")]
QC.append(stage(5, 50, 50))
# Stages 2 and 3 propose no chances; 3 proposes a close date before the date of change; 4's formula is bad.
ZC = [stage(1, 10, 50), stage(2, 20, 0, "s"), stage(3, 30, 0, "", "-1D"), stage(4, 40, 50, "", "XYZ")]
ONE_SKIP = [stage(1, 10, 50), stage(2, 20, 50), stage(3, 30, 50, "s")]


def position(
    current: int | None, *, value: str = "1000", date: dt.date = ACTIVE, quote: str | None = None,
    status: OpportunityStatus | None = None, cycle: str | None = "C5",
) -> Position:
    active = Entry(current, date, Decimal(value)) if current is not None else None
    status = status or (IN_PROGRESS if active else OpportunityStatus.NOT_STARTED)
    return Position("OP000001", status, cycle, Method.MULTIPLY, active, Decimal(quote) if quote else None)


def request(
    action: StageAction, stage: int | None = None, chances: str | None = None, *, value: str | None = "1000",
    date: dt.date | None = None, close: dt.date | None = None,
) -> StageRequest:
    amount = Decimal(value) if value is not None else None
    return StageRequest(action, stage, date, amount, Decimal(chances) if chances is not None else None, close)


def change(pos: Position, plan: StageRequest, stages: Sequence[StageLike] = C5) -> Errors:
    return refusal(lambda: plan_stage_change(pos, stages, plan, TODAY))
