"""The lifecycle use cases: Activate First Stage, the Update command, Close (domain.md §2, §4).

Each one locks the opportunity row, reads its active entry, asks the pure rules in
``models.stage_change`` and ``models.closing`` what to write, and writes it with ``insert_entry``
(the algorithm of §2.2).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    Opportunity,
    OpportunityEntry,
    OpportunityStatus,
    Priority,
    ProbabilityCalculation,
    SalesQuote,
    SystemTaskType,
    Task,
    TaskStatus,
    TaskType,
)
from models.activity_tasks import PlannedTask, planned_tasks
from models.base import Base
from models.closing import CloseRequest, plan_close
from models.date_formula import DateOutOfRangeError, InvalidDateFormula
from models.enums import ActionTaken, CloseOutcome
from models.lifecycle import PlannedEntry, Position
from models.stage_change import StageRequest, plan_first_stage
from models.stage_change import plan_stage_change as plan_stage
from models.validation import MAX_DATE, MIN_DATE
from resolvers.access.rows import check_readable
from resolvers.errors import DomainError
from resolvers.lifecycle.statements import (
    CLOSE_CODE_OUTCOME,
    ENTRY,
    ENTRY_PREFIX,
    ENTRY_VALUES,
    OPPORTUNITY,
    SITUATION,
    WRITE,
    values_of,
)
from resolvers.reads.sales_document import quote_rows
from resolvers.viewer import Viewer
from resolvers.writes.transaction import check_version, first_touch, take_numbers, today_in

M = TypeVar("M", bound=Base)

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


@dataclass(frozen=True, slots=True)
class Step:
    """An activity step as the situation reads it (``models.activity_tasks.StepLike``)."""

    step_no: int
    type: TaskType
    priority: Priority
    description: str
    date_formula: str


@dataclass(frozen=True, slots=True)
class Stage:
    """A sales cycle stage as the rules read it (``models.stages.StageLike``), with the steps of
    its activity, which the entered stage's tasks are made of."""

    stage: int
    description: str
    completed_pct: Decimal
    chances_of_success_pct: Decimal
    activity_code: str | None
    quote_required: bool
    allow_skip: bool
    date_formula: str
    steps: tuple[Step, ...]


@dataclass(slots=True)
class Situation:
    """A locked opportunity with everything the lifecycle rules read about it."""

    opportunity: Opportunity
    active: OpportunityEntry | None
    stages: tuple[Stage, ...]
    position: Position
    task_nos: str
    today: dt.date


async def quote_amount(session: AsyncSession, quote_no: str | None) -> Decimal | None:
    """A sales quote's amount (the sum of its lines, as the reads compute it); ``None`` without one."""
    if quote_no is None:
        return None
    row = (await session.execute(quote_rows().where(SalesQuote.no == quote_no))).one_or_none()
    return row.amount if row is not None else None


async def situation(
    session: AsyncSession, viewer: Viewer, no: str, expected_version: int | None
) -> Situation:
    """Lock the opportunity (the viewer's own, as ``lock_opportunity``), check the caller's
    version, and read its position: one statement (``statements.SITUATION``), two when the lock
    waited for a concurrent change."""
    connection = await session.connection()
    key = (no.upper(),)
    row = (await connection.exec_driver_sql(SITUATION, key)).mappings().one_or_none()
    if row is not None and not row["fresh"]:
        row = (await connection.exec_driver_sql(SITUATION, key)).mappings().one_or_none()
    not_found = DomainError("NOT_FOUND", f"Opportunity {no} does not exist.", ["no"])
    if row is None:
        raise not_found
    check_readable(viewer, row["salesperson_code"], not_found)
    opp = persistent(session, Opportunity, values_of(OPPORTUNITY, row))
    check_version(opp, expected_version)
    active = None
    if row[ENTRY_PREFIX + "entry_no"] is not None:
        active = persistent(session, OpportunityEntry, values_of(ENTRY, row, ENTRY_PREFIX))
    method = row["probability_calculation"]
    position = Position(
        no=opp.no,
        status=opp.status,
        sales_cycle_code=opp.sales_cycle_code,
        method=ProbabilityCalculation(method) if method is not None else ProbabilityCalculation.MULTIPLY,
        active=active,
        quote_amount=row["quote_amount"],
    )
    today = today_in(row["time_zone"])
    return Situation(opp, active, parse_stages(row["stages"]), position, row["task_nos"], today)


@functools.lru_cache(maxsize=256)
def parse_stages(text: str | None) -> tuple[Stage, ...]:
    """The stages of ``statements.stages_json``. Cycles change rarely and their stages are
    immutable values, so the parse of a text seen recently is reused."""
    rows: list[dict[str, Any]] = json.loads(text, parse_float=Decimal) if text else []
    return tuple(
        Stage(
            stage=r["stage"],
            description=r["description"],
            completed_pct=Decimal(r["completed_pct"]),
            chances_of_success_pct=Decimal(r["chances_of_success_pct"]),
            activity_code=r["activity_code"],
            quote_required=r["quote_required"],
            allow_skip=r["allow_skip"],
            date_formula=r["date_formula"],
            steps=tuple(
                Step(
                    s["step_no"],
                    TaskType(s["type"]),
                    Priority(s["priority"]),
                    s["description"],
                    s["date_formula"],
                )
                for s in r["steps"]
            ),
        )
        for r in rows
    )


def persistent(session: AsyncSession, cls: type[M], values: dict[str, Any]) -> M:
    """The ORM instance of a row read by driver SQL, in the session as if loaded by a query: the
    one already in its identity map refreshed (as ``populate_existing``), else a new one."""
    mapper = inspect(cls)
    identity = mapper.identity_key_from_primary_key(tuple(values[c.name] for c in mapper.primary_key))
    existing = session.sync_session.identity_map.get(identity)
    if existing is not None:
        for name, value in values.items():
            set_committed_value(existing, name, value)
        return existing  # type: ignore[return-value]
    # As the ORM's own loading does: the values go straight into the instance's dict (no
    # attribute events, no history), then the instance takes its identity and joins the session.
    configure_mappers()  # what a constructor would do first; nothing once configured
    instance: M = mapper.class_manager.new_instance()  # type: ignore[assignment]
    instance.__dict__.update(values)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


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
    if old is not None:
        set_committed_value(old, "active", False)
        set_committed_value(old, "days_open", days_open)
    entry = persistent(session, OpportunityEntry, values_of(ENTRY, row))
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
