"""Editing, completing, reopening and cancelling tasks (domain.md §1.10, §4; api.md §6).

Business Central's rules: setting the status to Completed closes the task (``dateClosed`` = today);
any other status on a closed task reopens it, which clears ``dateClosed`` and ``canceled``.
Cancelling closes the task as Completed and stops its recurrence. The table's check constraints
(a canceled task is closed; ``dateClosed`` is set exactly when closed) back these rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Priority, Task, TaskStatus
from models.base import TEXT100
from models.errors import Violations
from models.validation import MAX_DATE, MIN_DATE
from resolvers.access.rows import check_readable
from resolvers.errors import DomainError
from resolvers.viewer import Viewer
from resolvers.writes.references import check_text, code_of
from resolvers.writes.transaction import UNCHANGED, Change, load_setup, today_in, unwrap

#: The dates a task may carry (domain.md §1.10): the range of every stored date.
FIRST_DATE, LAST_DATE = MIN_DATE, MAX_DATE


@dataclass(frozen=True, slots=True)
class TaskChanges:
    """An ``updateTask`` input: ``None`` for omitted fields; a given value may be null."""

    status: Change[TaskStatus | None] = None
    date: Change[dt.date | None] = None
    description: Change[str | None] = None
    priority: Change[Priority | None] = None


async def update_task(session: AsyncSession, viewer: Viewer, no: str, changes: TaskChanges) -> str:
    """Edit a task; a status change completes or reopens it. Returns the task's number."""
    task = await _lock(session, viewer, no)
    v = Violations()
    status = unwrap(changes.status)
    if status is None:
        v.add("REQUIRED", "The status cannot be cleared.", ["status"])
    date = unwrap(changes.date)
    if date is None:
        v.add("REQUIRED", "The date cannot be cleared.", ["date"])
    elif date is not UNCHANGED and not FIRST_DATE <= date <= LAST_DATE:
        v.add("INVALID", f"The date must lie between {FIRST_DATE} and {LAST_DATE}.", ["date"])
    description = unwrap(changes.description)
    if description is not UNCHANGED:
        description = check_text(description, TEXT100, ["description"], v)
    priority = unwrap(changes.priority)
    if priority is None:
        v.add("REQUIRED", "The priority cannot be cleared.", ["priority"])
    v.raise_any()
    if isinstance(date, dt.date):
        task.date = date
    if isinstance(description, str):
        task.description = description
    if isinstance(priority, Priority):
        task.priority = priority
    if isinstance(status, TaskStatus):
        await _set_status(session, task, status)
    return task.no


async def _set_status(session: AsyncSession, task: Task, status: TaskStatus) -> None:
    if status is TaskStatus.COMPLETED:
        if not task.closed:  # completing a closed task changes nothing (its close date stays)
            task.closed = True
            task.date_closed = await _today(session)
        task.status = TaskStatus.COMPLETED
        return
    if task.closed:  # reopen
        task.closed = False
        task.canceled = False
        task.date_closed = None
    task.status = status


async def cancel_task(session: AsyncSession, viewer: Viewer, no: str) -> str:
    """Cancel a task: it is closed as Completed and no longer recurs. Cancelling a canceled task
    changes nothing; a completed task becomes canceled and keeps its close date."""
    task = await _lock(session, viewer, no)
    if task.canceled:
        return task.no
    task.canceled = True
    task.recurring = False
    task.status = TaskStatus.COMPLETED
    if not task.closed:
        task.closed = True
        task.date_closed = await _today(session)
    return task.no


async def _today(session: AsyncSession) -> dt.date:
    return today_in((await load_setup(session)).time_zone)


async def _lock(session: AsyncSession, viewer: Viewer, no: str) -> Task:
    """The task, locked; another salesperson's is ``NOT_FOUND`` to a ``SALESPERSON`` (api.md §7.1)."""
    key = code_of(no)
    task = (
        None
        if key is None
        else await session.scalar(
            select(Task).where(Task.no == key).with_for_update().execution_options(populate_existing=True)
        )
    )
    not_found = DomainError("NOT_FOUND", f"Task {no} does not exist.", ["no"])
    if task is None:
        raise not_found
    check_readable(viewer, task.salesperson_code, not_found)
    return task
