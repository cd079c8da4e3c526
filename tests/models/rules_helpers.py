"""What the domain rule tests share: the Update actions by name, the active entry and the activity
step the rules read, and the errors a refused rule raises."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest

from models.enums import Priority, StageAction, TaskType
from models.errors import DomainError, DomainErrors

FIRST, NEXT, PREVIOUS = StageAction.FIRST, StageAction.NEXT, StageAction.PREVIOUS
SKIP, UPDATE, JUMP = StageAction.SKIP, StageAction.UPDATE, StageAction.JUMP
ZERO, HUNDRED = Decimal(0), Decimal(100)
Errors = list[tuple[str, list[str] | None]]


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


def refusal(call: Callable[[], object]) -> Errors:
    """The (code, field) of every error ``call`` raises; several come as one ``DomainErrors``."""
    with pytest.raises((DomainError, DomainErrors)) as info:
        call()
    error = info.value
    if isinstance(error, DomainErrors):
        assert len(error.errors) > 1
        return [(e.code, e.field) for e in error.errors]
    assert isinstance(error, DomainError)
    return [(error.code, error.field)]
