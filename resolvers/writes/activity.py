"""Creating, editing and deleting activities with their steps (domain.md §1.6, §4, §6.1; api.md §6).

An activity's steps are one template: ``updateActivity`` replaces them as a whole, so the tasks a
stage generates afterwards come from the new list (the tasks already generated stay as they are).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Activity, ActivityStep, Priority, SalesCycleStage, TaskType
from models.base import CODE10, TEXT100
from models.errors import Violations
from models.validation import check_date_formula
from resolvers.errors import DomainError
from resolvers.writes.references import check_code, check_text, code_of
from resolvers.writes.transaction import UNCHANGED, Change, unwrap

#: At most this many steps in one activity input (STYLE.md: bound every list a client sends).
MAX_STEPS = 100


@dataclass(frozen=True, slots=True)
class StepInput:
    step_no: int
    description: str
    type: TaskType = TaskType.NONE
    priority: Priority = Priority.NORMAL
    date_formula: str | None = None


@dataclass(frozen=True, slots=True)
class NewActivity:
    code: str
    description: str
    steps: Sequence[StepInput] | None = None


@dataclass(frozen=True, slots=True)
class ActivityChanges:
    """An ``updateActivity`` input: ``None`` for omitted fields; a given value may be null."""

    description: Change[str | None] = None
    #: Replaces every step; null or an empty list leaves the activity without steps.
    steps: Change[Sequence[StepInput] | None] = None


async def create_activity(session: AsyncSession, new: NewActivity) -> str:
    """A new activity and its steps; returns its code."""
    v = Violations()
    code = check_code(new.code, CODE10, ["code"], v)
    if code is None and not v.errors_on(["code"]):
        v.add("REQUIRED", "You must fill in the activity code.", ["code"])
    if code is not None and await session.get(Activity, code) is not None:
        v.add("DUPLICATE", f"Activity {code} already exists.", ["code"])
    description = check_text(new.description, TEXT100, ["description"], v, required=True)
    steps = _check_steps(new.steps or (), v)
    v.raise_any()
    assert code is not None
    session.add(Activity(code=code, description=description))
    await session.flush()
    _add_steps(session, code, steps)
    return code


async def update_activity(session: AsyncSession, code: str, changes: ActivityChanges) -> str:
    """Change the description and/or replace the steps; returns the activity's code."""
    activity = await _lock(session, code)
    v = Violations()
    description = unwrap(changes.description)
    if description is None:
        v.add("REQUIRED", "The description cannot be cleared.", ["description"])
    elif description is not UNCHANGED:
        description = check_text(description, TEXT100, ["description"], v, required=True)
    new_steps = unwrap(changes.steps)
    steps = None if new_steps is UNCHANGED else _check_steps(new_steps or (), v)
    v.raise_any()
    if isinstance(description, str):
        activity.description = description
    if steps is not None:
        await session.execute(delete(ActivityStep).where(ActivityStep.activity_code == activity.code))
        _add_steps(session, activity.code, steps)
    return activity.code


async def delete_activity(session: AsyncSession, code: str) -> str:
    """Delete an activity with its steps, unless a sales cycle stage uses it (domain.md §6.1;
    a deviation: Business Central does not check and leaves the stage's code dangling)."""
    activity = await _lock(session, code)
    # The lock makes a concurrent stage that starts using the activity wait for this transaction
    # (its foreign key check shares the row), so the stages counted here are all there will be.
    first = (
        await session.execute(
            select(SalesCycleStage.sales_cycle_code, SalesCycleStage.stage, func.count().over())
            .where(SalesCycleStage.activity_code == activity.code)
            .order_by(SalesCycleStage.sales_cycle_code, SalesCycleStage.stage)
            .limit(1)
        )
    ).first()
    if first is not None:
        cycle_code, stage, count = first
        others = f" and {count - 1} other stage(s)" if count > 1 else ""
        raise DomainError(
            "IN_USE",
            f"Activity {activity.code} is used by stage {stage} of sales cycle {cycle_code}{others}; "
            "remove it from the stages first.",
            ["code"],
        )
    await session.execute(delete(Activity).where(Activity.code == activity.code))
    return activity.code


async def _lock(session: AsyncSession, code: str) -> Activity:
    key = code_of(code)
    activity = (
        None
        if key is None
        else await session.scalar(
            select(Activity)
            .where(Activity.code == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    if activity is None:
        raise DomainError("NOT_FOUND", f"Activity {code} does not exist.", ["code"])
    return activity


def _check_steps(steps: Sequence[StepInput], v: Violations) -> list[ActivityStep]:
    """The steps as rows (without their activity code), reporting every broken rule."""
    if len(steps) > MAX_STEPS:
        v.add("INVALID", f"An activity has at most {MAX_STEPS} steps, not {len(steps)}.", ["steps"])
        return []
    rows: list[ActivityStep] = []
    seen: set[int] = set()
    for i, step in enumerate(steps):
        path = ["steps", str(i)]
        if step.step_no < 1:
            v.add("INVALID", f"Step number {step.step_no} must be 1 or more.", [*path, "stepNo"])
        elif step.step_no in seen:
            v.add("DUPLICATE", f"Step number {step.step_no} is given twice.", [*path, "stepNo"])
        seen.add(step.step_no)
        rows.append(
            ActivityStep(
                step_no=step.step_no,
                type=step.type,
                description=check_text(step.description, TEXT100, [*path, "description"], v, required=True),
                priority=step.priority,
                date_formula=check_date_formula(step.date_formula, [*path, "dateFormula"], v),
            )
        )
    return rows


def _add_steps(session: AsyncSession, code: str, steps: list[ActivityStep]) -> None:
    for step in steps:
        step.activity_code = code
    session.add_all(steps)
