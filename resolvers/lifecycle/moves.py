"""The lifecycle use cases: Activate First Stage, the Update command, Close (domain.md §2, §4).

Each one locks the opportunity row, reads its active entry, asks the pure rules in
``models.stage_change`` and ``models.closing`` what to write, and writes it with ``insert_entry``
(the algorithm of §2.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ActivityStep,
    CloseOpportunityCode,
    Opportunity,
    OpportunityEntry,
    OpportunityStatus,
    ProbabilityCalculation,
    SalesCycle,
    SalesCycleStage,
    SalesQuote,
    Setup,
    SystemTaskType,
    Task,
    TaskStatus,
)
from models.activity_tasks import planned_tasks
from models.closing import CloseRequest, plan_close
from models.date_formula import DateOutOfRangeError, InvalidDateFormula
from models.enums import ActionTaken, CloseOutcome
from models.lifecycle import PlannedEntry, Position
from models.stage_change import StageRequest, plan_first_stage
from models.stage_change import plan_stage_change as plan_stage
from models.validation import MAX_DATE, MIN_DATE
from resolvers.errors import DomainError
from resolvers.reads.sales_document import quote_rows
from resolvers.viewer import Viewer
from resolvers.writes.transaction import (
    check_version,
    load_setup,
    lock_opportunity,
    take_numbers,
    today_in,
    touch,
)

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


@dataclass(slots=True)
class Situation:
    """A locked opportunity with everything the lifecycle rules read about it."""

    opportunity: Opportunity
    active: OpportunityEntry | None
    stages: list[SalesCycleStage]
    position: Position
    setup: Setup
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
    """Lock the opportunity (the viewer's own, ``lock_opportunity``), check the caller's version,
    and read its position."""
    opp = await lock_opportunity(session, viewer, no)
    check_version(opp, expected_version)
    active = await session.scalar(
        select(OpportunityEntry).where(OpportunityEntry.opportunity_no == opp.no, OpportunityEntry.active)
    )
    method, stages = ProbabilityCalculation.MULTIPLY, []
    if opp.sales_cycle_code is not None:
        method = (
            await session.scalar(
                select(SalesCycle.probability_calculation).where(SalesCycle.code == opp.sales_cycle_code)
            )
            or method
        )
        stages = list(
            await session.scalars(
                select(SalesCycleStage)
                .where(SalesCycleStage.sales_cycle_code == opp.sales_cycle_code)
                .order_by(SalesCycleStage.stage)
            )
        )
    position = Position(
        no=opp.no,
        status=opp.status,
        sales_cycle_code=opp.sales_cycle_code,
        method=method,
        active=active,
        quote_amount=await quote_amount(session, opp.sales_quote_no),
    )
    setup = await load_setup(session)
    return Situation(opp, active, stages, position, setup, today_in(setup.time_zone))


async def insert_entry(
    session: AsyncSession,
    s: Situation,
    planned: PlannedEntry,
    *,
    cancel_old_tasks: bool,
) -> LifecycleResult:
    """Insert ``planned`` as the opportunity's new active entry (domain.md §2.2), cancel its open
    tasks on request, generate the entered stage's activity tasks, and apply the status rules."""
    opp, old = s.opportunity, s.active
    if old is not None:
        old.active = False
        old.days_open = (planned.date_of_change - old.date_of_change).days
        await session.flush()  # the one-active-entry index must see the old entry inactive first
    estimates = planned.estimates
    entry = OpportunityEntry(
        opportunity_no=opp.no,
        sales_cycle_code=opp.sales_cycle_code,
        sales_cycle_stage=planned.stage_no,
        sales_cycle_stage_description=planned.stage_description,
        previous_sales_cycle_stage=planned.previous_stage,
        contact_no=opp.contact_no,
        contact_company_no=opp.contact_company_no,
        salesperson_code=opp.salesperson_code,
        campaign_no=opp.campaign_no,
        date_of_change=planned.date_of_change,
        active=True,
        date_closed=planned.date_closed,
        days_open=0,
        action_taken=planned.action_taken,
        estimated_value=estimates.estimated_value,
        calculated_current_value=estimates.calculated_current_value,
        completed_pct=estimates.completed_pct,
        chances_of_success_pct=estimates.chances_of_success_pct,
        probability_pct=estimates.probability_pct,
        close_opportunity_code=planned.close_code,
        estimated_close_date=estimates.estimated_close_date,
    )
    session.add(entry)
    await session.flush()  # the tasks point at the new entry number
    if cancel_old_tasks:
        await cancel_open_tasks(session, opp.no, s.today)
    tasks = await create_stage_tasks(session, s.setup, opp, entry, planned.activity_code)
    if planned.action_taken is ActionTaken.WON or planned.action_taken is ActionTaken.LOST:
        won = planned.action_taken is ActionTaken.WON
        opp.status = OpportunityStatus.WON if won else OpportunityStatus.LOST
        opp.closed = True
        opp.date_closed = planned.date_of_change
    else:
        opp.status = OpportunityStatus.IN_PROGRESS
    return LifecycleResult(opp, entry, entry, tasks)


async def cancel_open_tasks(session: AsyncSession, opportunity_no: str, today: dt.date) -> None:
    """Cancel every open task of the opportunity (domain.md §4): cancelling closes it."""
    await session.execute(
        update(Task)
        .where(Task.opportunity_no == opportunity_no, Task.closed.is_(False))
        .values(recurring=False, canceled=True, closed=True, status=TaskStatus.COMPLETED, date_closed=today)
        .execution_options(synchronize_session=False)
    )


async def create_stage_tasks(
    session: AsyncSession, setup: Setup, opp: Opportunity, entry: OpportunityEntry, activity_code: str | None
) -> list[Task]:
    """One organizer task per step of the entered stage's activity (domain.md §4, §11.14)."""
    if activity_code is None:
        return []
    steps = list(
        await session.scalars(select(ActivityStep).where(ActivityStep.activity_code == activity_code))
    )
    try:
        planned = planned_tasks(steps, entry.date_of_change)
    except (InvalidDateFormula, DateOutOfRangeError) as exc:
        raise DomainError("INVALID", f"Activity {activity_code} cannot date its tasks: {exc}") from exc
    if any(not FIRST_TASK_DATE <= p.date <= LAST_TASK_DATE for p in planned):
        raise DomainError("INVALID", f"Activity {activity_code} dates a task outside 1900-2999.")
    numbers = await take_numbers(session, setup.task_nos, len(planned), None)
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
        for no, p in zip(numbers, planned, strict=True)
    ]
    session.add_all(tasks)
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
    result = await insert_entry(session, s, planned, cancel_old_tasks=False)
    touch(s.opportunity)
    return result


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
    result = await insert_entry(session, s, planned, cancel_old_tasks=cancel_old_tasks)
    touch(s.opportunity)
    return result


async def close_code_outcome(session: AsyncSession, code: str) -> CloseOutcome | None:
    if not code:
        return None
    # FOR SHARE: a concurrent change of the code's type waits until the closing entry is written.
    return await session.scalar(
        select(CloseOpportunityCode.type).where(CloseOpportunityCode.code == code).with_for_update(read=True)
    )


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
    result = await insert_entry(session, s, planned, cancel_old_tasks=cancel_old_tasks)
    touch(s.opportunity)
    return result
