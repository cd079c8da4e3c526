"""A cycle's stages and an opportunity's position on them, for the stage rule tests
(``test_stage_rules.py``, ``test_stage_actions.py``, ``test_first_stage.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from models.enums import OpportunityStatus
from models.enums import ProbabilityCalculation as Method
from models.lifecycle import Position
from models.stages import StageLike
from tests.models.rules_helpers import ZERO, Entry

WON, LOST, NOT_STARTED = OpportunityStatus.WON, OpportunityStatus.LOST, OpportunityStatus.NOT_STARTED
DAY = dt.date(2024, 1, 10)


@dataclass(frozen=True, slots=True)
class Stage:
    stage: int
    allow_skip: bool = False
    quote_required: bool = False
    description: str = ""
    completed_pct: Decimal = ZERO
    chances_of_success_pct: Decimal = ZERO
    activity_code: str | None = None
    date_formula: str = ""


def cycle(spec: str) -> list[Stage]:
    """``"1 2s 3sq"``: the stage numbers, ``s`` for Allow Skip, ``q`` for Quote Required."""
    return [Stage(int(t.rstrip("sq")), allow_skip="s" in t, quote_required="q" in t) for t in spec.split()]


def nos(stages: Sequence[StageLike]) -> tuple[int, ...]:
    return tuple(s.stage for s in stages)


def stage_no(stages: list[Stage], number: int) -> Stage:
    return next(s for s in stages if s.stage == number)


def position(current: int | None, status: OpportunityStatus | None = None, quote: bool = False) -> Position:
    """On stage ``current`` (``None``: not started); ``quote``: a sales quote is linked."""
    active = Entry(current, DAY, Decimal(1)) if current is not None else None
    status = status or (OpportunityStatus.IN_PROGRESS if active else NOT_STARTED)
    return Position("OP000001", status, "C", Method.MULTIPLY, active, Decimal(1) if quote else None)
