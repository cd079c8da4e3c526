"""What the domain rule tests share: the Update actions by name, and the active entry and the activity
step the rules read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from models.enums import Priority, StageAction, TaskType

FIRST, NEXT, PREVIOUS = StageAction.FIRST, StageAction.NEXT, StageAction.PREVIOUS
SKIP, UPDATE, JUMP = StageAction.SKIP, StageAction.UPDATE, StageAction.JUMP
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Entry:
    sales_cycle_stage: int
    date_of_change: dt.date
    estimated_value: Decimal


@dataclass(frozen=True, slots=True)
class Step:
    step_no: int
    date_formula: str
    description: str = ""
    type: TaskType = TaskType.NONE
    priority: Priority = Priority.NORMAL
