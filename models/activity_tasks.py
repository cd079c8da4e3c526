"""The tasks a stage's activity generates when an entry enters the stage (domain.md §4, §11.14).

One organizer task per activity step, in step order, each dated ``CalcDate(step.dateFormula,
entry.dateOfChange)`` from the same base date; an activity without steps still gives one blank task
dated on the date of change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from models.date_formula import calc_date
from models.enums import Priority, TaskType


class StepLike(Protocol):
    @property
    def step_no(self) -> int: ...
    @property
    def type(self) -> TaskType: ...
    @property
    def priority(self) -> Priority: ...
    @property
    def description(self) -> str: ...
    @property
    def date_formula(self) -> str: ...


@dataclass(frozen=True, slots=True)
class PlannedTask:
    type: TaskType
    priority: Priority
    description: str
    date: dt.date


def planned_tasks(steps: Sequence[StepLike], date_of_change: dt.date) -> list[PlannedTask]:
    """The tasks for an activity with ``steps``. Raises the date formula's errors."""
    if not steps:
        return [PlannedTask(TaskType.NONE, Priority.NORMAL, "", date_of_change)]
    return [
        PlannedTask(step.type, step.priority, step.description, calc_date(step.date_formula, date_of_change))
        for step in sorted(steps, key=lambda s: s.step_no)
    ]
