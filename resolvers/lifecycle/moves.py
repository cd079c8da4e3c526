"""The lifecycle use cases: Activate First Stage, the Update command, Close (domain.md §2, §4).

Each one locks the opportunity row and reads its situation (``situation``: one statement), asks
the pure rules in ``models.stage_change`` and ``models.closing`` what to write, and writes it with
``insert_entry`` (the algorithm of §2.2: one statement, after the one that numbers the tasks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    Opportunity,
    OpportunityEntry,
    OpportunityStatus,
    SystemTaskType,
    Task,
    TaskStatus,
)
from models.activity_tasks import PlannedTask, planned_tasks
from models.closing import CloseRequest, plan_close
from models.date_formula import DateOutOfRangeError, InvalidDateFormula
from models.enums import ActionTaken, CloseOutcome
from models.event import EventType
from models.lifecycle import PlannedEntry
from models.stage_change import StageRequest, plan_first_stage
from models.stage_change import plan_stage_change as plan_stage
from models.validation import MAX_DATE, MIN_DATE
from resolvers.errors import DomainError
from resolvers.events import outbox
from resolvers.lifecycle.situation import Situation, persistent, situation
from resolvers.lifecycle.statements import CLOSE_CODE_OUTCOME, ENTRY_VALUES, WRITE
from resolvers.viewer import Viewer
from resolvers.writes.transaction import first_touch, take_numbers

#: Tasks are dated within these bounds (domain.md §1.10).
FIRST_TASK_DATE, LAST_TASK_DATE = MIN_DATE, MAX_DATE
ZERO = Decimal(0)


@dataclass(slots=True)
class LifecycleResult:
    """An opportunity after a lifecycle change, with the entry and the tasks it wrote."""

    opportunity: Opportunity
    active: OpportunityEntry | None
    entry: OpportunityEntry | None = None
    tasks: list[Task] = field(default_factory=list)


async def insert_entry(
    session: AsyncSession,
    s: Situation,
    planned: PlannedEntry,
    *,
    cancel_old_tasks: bool,
) -> LifecycleResult:
    """Insert ``planned`` as the opportunity's new active entry (domain.md §2.2), cancel its open
    tasks on request, generate the entered stage's activity tasks, and apply the status rules:
    one statement (``statements.WRITE``), after one more that takes the tasks' numbers.

    The opportunity counts as written (``touch``): its version moves unless this mutation
    already wrote it. The instances in hand are updated to what was written, without making
    them dirty."""
    opp, old = s.opportunity, s.active
    planned_tasks_ = _planned_tasks(s, planned)
    numbers = await take_numbers(session, s.task_nos, len(planned_tasks_), None)
    closing = planned.action_taken is ActionTaken.WON or planned.action_taken is ActionTaken.LOST
    if closing:
        status = OpportunityStatus.WON if planned.action_taken is ActionTaken.WON else OpportunityStatus.LOST
    else:
        status = OpportunityStatus.IN_PROGRESS
    closed = True if closing else opp.closed
    date_closed = planned.date_of_change if closing else opp.date_closed
    days_open = (planned.date_of_change - old.date_of_change).days if old is not None else 0
    bump = first_touch(session, opp.no)
    estimates = planned.estimates
    entry_values: dict[str, Any] = {
        "opportunity_no": opp.no,
        "sales_cycle_code": opp.sales_cycle_code,
        "sales_cycle_stage": planned.stage_no,
        "sales_cycle_stage_description": planned.stage_description,
        "previous_sales_cycle_stage": planned.previous_stage,
        "contact_no": opp.contact_no,
        "contact_company_no": opp.contact_company_no,
        "salesperson_code": opp.salesperson_code,
        "campaign_no": opp.campaign_no,
        "date_of_change": planned.date_of_change,
        "active": True,
        "date_closed": planned.date_closed,
        "days_open": 0,
        "action_taken": planned.action_taken.value,
        "estimated_value": estimates.estimated_value,
        "calculated_current_value": estimates.calculated_current_value,
        "completed_pct": estimates.completed_pct,
        "chances_of_success_pct": estimates.chances_of_success_pct,
        "probability_pct": estimates.probability_pct,
        "close_opportunity_code": planned.close_code,
        "estimated_close_date": estimates.estimated_close_date,
    }
    connection = await session.connection()
    row = (
        (
            await connection.exec_driver_sql(
                WRITE,
                (
                    opp.no,
                    old.entry_no if old is not None else None,
                    days_open,
                    status.value,
                    closed,
                    date_closed,
                    *(entry_values[name] for name in ENTRY_VALUES),
                    numbers,
                    [p.description for p in planned_tasks_],
                    [p.type.value for p in planned_tasks_],
                    [p.date for p in planned_tasks_],
                    [p.priority.value for p in planned_tasks_],
                    s.today,
                    cancel_old_tasks,
                    bump,
                    dt.datetime.now(dt.UTC) if bump else None,
                ),
            )
        )
        .mappings()
        .one()
    )
    outbox.record(
        session,
        EventType.CLOSED if closing else EventType.STAGE_CHANGED,
        opp.no,
        opp.salesperson_code,
        row["entry_no"],
    )
    if old is not None:
        set_committed_value(old, "active", False)
        set_committed_value(old, "days_open", days_open)
    # The entry as inserted: the values given, as an ORM flush leaves them, and what the database
    # made (its number, its timestamp).
    entry = persistent(
        session,
        OpportunityEntry,
        {
            **entry_values,
            "action_taken": planned.action_taken,
            "entry_no": row["entry_no"],
            "created_at": row["created_at"],
        },
    )
    for name, value in (
        ("status", status),
        ("closed", closed),
        ("date_closed", date_closed),
        ("version", row["opportunity_version"]),
        ("updated_at", row["opportunity_updated_at"]),
    ):
        set_committed_value(opp, name, value)
    tasks = [
        Task(
            no=no,
            description=p.description,
            type=p.type,
            date=p.date,
            priority=p.priority,
            status=TaskStatus.NOT_STARTED,
            closed=False,
            canceled=False,
            recurring=False,
            duration_days=1,
            system_task_type=SystemTaskType.ORGANIZER,
            salesperson_code=entry.salesperson_code,
            contact_no=entry.contact_no,
            contact_company_no=entry.contact_company_no,
            campaign_no=entry.campaign_no,
            opportunity_no=opp.no,
            opportunity_entry_no=entry.entry_no,
        )
        for no, p in zip(numbers, planned_tasks_, strict=True)
    ]
    return LifecycleResult(opp, entry, entry, tasks)


def _planned_tasks(s: Situation, planned: PlannedEntry) -> list[PlannedTask]:
    """One organizer task per step of the entered stage's activity (domain.md §4, §11.14)."""
    activity_code = planned.activity_code
    if activity_code is None:
        return []
    steps = next((stage.steps for stage in s.stages if stage.stage == planned.stage_no), ())
    try:
        tasks = planned_tasks(steps, planned.date_of_change)
    except (InvalidDateFormula, DateOutOfRangeError) as exc:
        raise DomainError("INVALID", f"Activity {activity_code} cannot date its tasks: {exc}") from exc
    if any(not FIRST_TASK_DATE <= p.date <= LAST_TASK_DATE for p in tasks):
        raise DomainError("INVALID", f"Activity {activity_code} dates a task outside 1900-2999.")
    return tasks


# --- the use cases -------------------------------------------------------------------------------


async def activate_first_stage(
    session: AsyncSession,
    viewer: Viewer,
    no: str,
    date_of_change: dt.date | None,
    expected_version: int | None,
) -> LifecycleResult:
    """Activate First Stage (domain.md §2.6): the lowest stage, value 0, the stage's chances."""
    s = await situation(session, viewer, no, expected_version)
    planned = plan_first_stage(s.position, s.stages, date_of_change or s.today)
    return await insert_entry(session, s, planned, cancel_old_tasks=False)


async def update_stage(
    session: AsyncSession,
    viewer: Viewer,
    no: str,
    request: StageRequest,
    *,
    cancel_old_tasks: bool,
    expected_version: int | None,
) -> LifecycleResult:
    """The Update command (domain.md §2.5) for any of the six actions."""
    s = await situation(session, viewer, no, expected_version)
    planned = plan_stage(s.position, s.stages, request, s.today)
    return await insert_entry(session, s, planned, cancel_old_tasks=cancel_old_tasks)


async def close_code_outcome(session: AsyncSession, code: str) -> CloseOutcome | None:
    if not code:
        return None
    # FOR SHARE: a concurrent change of the code's type waits until the closing entry is written.
    connection = await session.connection()
    outcome = (await connection.exec_driver_sql(CLOSE_CODE_OUTCOME, (code,))).scalar()
    return CloseOutcome(outcome) if outcome is not None else None


async def close(
    session: AsyncSession,
    viewer: Viewer,
    no: str,
    outcome: CloseOutcome,
    close_code: str,
    closing_date: dt.date | None,
    sales_value: Decimal | None,
    *,
    cancel_old_tasks: bool,
    expected_version: int | None,
) -> LifecycleResult:
    """Close as Won or Lost (domain.md §2.7)."""
    s = await situation(session, viewer, no, expected_version)
    return await close_in(session, s, outcome, close_code, closing_date, sales_value, cancel_old_tasks)


async def close_in(
    session: AsyncSession,
    s: Situation,
    outcome: CloseOutcome,
    close_code: str,
    closing_date: dt.date | None,
    sales_value: Decimal | None,
    cancel_old_tasks: bool,
) -> LifecycleResult:
    """Close an opportunity whose situation is already read (and locked)."""
    code = close_code.strip().upper()
    request = CloseRequest(outcome, code, await close_code_outcome(session, code), closing_date, sales_value)
    planned: PlannedEntry = plan_close(s.position, request, s.today)
    return await insert_entry(session, s, planned, cancel_old_tasks=cancel_old_tasks)
