"""The tasks a stage's activity plans: one per step, in step order, each dated from the same day
(domain.md §4)."""

from __future__ import annotations

import datetime as dt

import pytest

from models.activity_tasks import PlannedTask, planned_tasks
from models.date_formula import InvalidDateFormula
from models.enums import Priority, TaskType
from tests.models.rules_helpers import Step
from tests.models.stage_helpers import DAY


def test_planned_tasks_one_per_step_in_step_order_from_the_same_date() -> None:
    steps = [
        Step(3, "1W", "Follow up", TaskType.PHONE_CALL, Priority.LOW),
        Step(1, "0D", "Call", TaskType.PHONE_CALL, Priority.HIGH),
        Step(2, "3D", "Meet", TaskType.MEETING),
    ]

    assert planned_tasks(steps, DAY) == [
        PlannedTask(TaskType.PHONE_CALL, Priority.HIGH, "Call", dt.date(2024, 1, 10)),
        PlannedTask(TaskType.MEETING, Priority.NORMAL, "Meet", dt.date(2024, 1, 13)),
        PlannedTask(TaskType.PHONE_CALL, Priority.LOW, "Follow up", dt.date(2024, 1, 17)),  # not chained
    ]


def test_planned_tasks_without_steps_is_one_blank_task() -> None:
    assert planned_tasks([], DAY) == [PlannedTask(TaskType.NONE, Priority.NORMAL, "", DAY)]


def test_planned_tasks_raise_for_a_bad_step_formula() -> None:
    with pytest.raises(InvalidDateFormula):
        planned_tasks([Step(1, "0D"), Step(2, "XYZ")], DAY)
