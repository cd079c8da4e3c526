"""Creating, editing and deleting sales cycles and their stages (domain.md §1.4, §1.5, §6.1, §11.9).

Entries copy a stage's description and percentages when they are written, and refer to the stage by
its number only (there is no foreign key from entries to stages). So a stage's description and
percentages may change at any time (history keeps the old values, later entries get the new ones),
but its number may not change while any entry sits on it, and it may not be deleted while an active
entry does.

Stage moves lock their opportunity, not the stages they read. A use case that renumbers or deletes a
stage therefore locks the cycle's open opportunities (ascending number, the repository's lock order)
before counting entries: a concurrent move into the stage either committed before (its entry is
counted) or waits and then reads the changed stages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Activity, Opportunity, OpportunityEntry, OpportunityStatus, SalesCycle, SalesCycleStage
from models.base import CODE10, TEXT100, ZERO
from models.enums import ProbabilityCalculation
from models.errors import Violations
from models.validation import check_date_formula, check_pct
from resolvers.errors import DomainError
from resolvers.writes.references import check_code, check_text, code_of
from resolvers.writes.transaction import UNCHANGED, Change, Omittable, unwrap

T = TypeVar("T")

#: Stages in a sales cycle (BC's have 3–10); the query cost model counts ``SalesCycle.stages`` as this.
MAX_STAGES = 40


@dataclass(frozen=True, slots=True)
class StageFields:
    """A new stage as ``SalesCycleStageInput`` carries it."""

    stage: int
    description: str
    completed_pct: Decimal = ZERO
    chances_of_success_pct: Decimal = ZERO
    activity_code: str | None = None
    quote_required: bool = False
    allow_skip: bool = False
    date_formula: str | None = None


@dataclass(frozen=True, slots=True)
class NewSalesCycle:
    code: str
    description: str
    probability_calculation: ProbabilityCalculation = ProbabilityCalculation.MULTIPLY
    blocked: bool = False
    stages: tuple[StageFields, ...] = ()


@dataclass(frozen=True, slots=True)
class SalesCycleChanges:
    """An ``updateSalesCycle`` input: ``None`` for omitted fields; a given value may be null."""

    description: Change[str | None] = None
    probability_calculation: Change[ProbabilityCalculation | None] = None
    blocked: Change[bool | None] = None


@dataclass(frozen=True, slots=True)
class StageChanges:
    """An ``updateSalesCycleStage`` input: ``None`` for omitted fields; a given value may be null."""

    new_stage: Change[int | None] = None
    description: Change[str | None] = None
    completed_pct: Change[Decimal | None] = None
    chances_of_success_pct: Change[Decimal | None] = None
    activity_code: Change[str | None] = None
    quote_required: Change[bool | None] = None
    allow_skip: Change[bool | None] = None
    date_formula: Change[str | None] = None


# --- sales cycles ----------------------------------------------------------------------------


async def create_sales_cycle(session: AsyncSession, new: NewSalesCycle) -> str:
    """A new sales cycle, with the stages given inline (domain.md §1.4, §1.5)."""
    v = Violations()
    code = _required_code(new.code, ["code"], v)
    if code is not None and await session.get(SalesCycle, code) is not None:
        v.add("DUPLICATE", f"Sales cycle {code} already exists.", ["code"])
    description = check_text(new.description, TEXT100, ["description"], v, required=True)
    stages = await _check_stages(session, code or "", new.stages, v)
    v.raise_any()
    assert code is not None
    session.add(
        SalesCycle(
            code=code,
            description=description,
            probability_calculation=new.probability_calculation,
            blocked=new.blocked,
        )
    )
    await session.flush()  # the models declare no relationships: the cycle must exist first
    session.add_all(stages)
    return code


async def update_sales_cycle(session: AsyncSession, code: str, changes: SalesCycleChanges) -> str:
    cycle = await _lock_cycle(session, code)
    v = Violations()
    description = unwrap(changes.description)
    if description is not UNCHANGED:
        description = check_text(description, TEXT100, ["description"], v, required=True)
    method = unwrap(changes.probability_calculation)
    if method is None:
        v.add("REQUIRED", "The probability calculation cannot be cleared.", ["probabilityCalculation"])
    blocked = unwrap(changes.blocked)
    if blocked is None:
        v.add("REQUIRED", "Blocked cannot be cleared.", ["blocked"])
    v.raise_any()
    if description is not UNCHANGED:
        cycle.description = description
    if method is not UNCHANGED and method is not None:
        cycle.probability_calculation = method
    if blocked is not UNCHANGED and blocked is not None:
        cycle.blocked = blocked
    return cycle.code


async def delete_sales_cycle(session: AsyncSession, code: str) -> str:
    """Delete a cycle no opportunity refers to, with its stages (domain.md §6.1, §11.9).

    Business Central refuses only while opportunities are in progress on the cycle; this server
    also refuses while not started or closed ones refer to it (§11.9, a deviation). The setup's
    default cycle is cleared by its foreign key (``ON DELETE SET NULL``).
    """
    cycle = await _lock_cycle(session, code)
    rows = await session.execute(
        select(Opportunity.status, func.count())
        .where(Opportunity.sales_cycle_code == cycle.code)
        .group_by(Opportunity.status)
    )
    counts: dict[OpportunityStatus, int] = dict(rows.all())
    in_progress = counts.pop(OpportunityStatus.IN_PROGRESS, 0)
    if in_progress:
        raise DomainError(
            "IN_USE",
            f"You cannot delete sales cycle {cycle.code}: {in_progress} opportunities are in progress on it.",
            ["code"],
        )
    others = sum(counts.values())
    if others:
        raise DomainError(
            "IN_USE",
            f"Sales cycle {cycle.code} is used by {others} not started or closed opportunities; "
            "block it instead.",
            ["code"],
        )
    await session.execute(delete(SalesCycle).where(SalesCycle.code == cycle.code))
    return cycle.code


# --- stages ----------------------------------------------------------------------------------


async def create_sales_cycle_stage(
    session: AsyncSession, sales_cycle_code: str, fields: StageFields
) -> tuple[str, int]:
    """A new stage of an existing cycle; returns its key (cycle code, stage)."""
    v = Violations()
    code = _required_code(sales_cycle_code, ["salesCycleCode"], v)
    if code is not None:
        # Locked, so that two concurrent creates cannot both take the last free place.
        cycle = await session.scalar(select(SalesCycle).where(SalesCycle.code == code).with_for_update())
        count = select(func.count()).where(SalesCycleStage.sales_cycle_code == code)
        if cycle is None:
            v.add("NOT_FOUND", f"Sales cycle {code} does not exist.", ["salesCycleCode"])
        elif await session.get(SalesCycleStage, (code, fields.stage)) is not None:
            v.add("DUPLICATE", f"Stage {fields.stage} of sales cycle {code} already exists.", ["stage"])
        elif (await session.scalar(count) or 0) >= MAX_STAGES:
            v.add("INVALID", f"A sales cycle has at most {MAX_STAGES} stages.", ["salesCycleCode"])
    activities = await _existing_activities(session, [fields.activity_code])
    stage = _check_stage(code or "", fields, activities, [], v)
    v.raise_any()
    assert code is not None
    session.add(stage)
    return code, fields.stage


async def update_sales_cycle_stage(
    session: AsyncSession, sales_cycle_code: str, stage_no: int, changes: StageChanges
) -> tuple[str, int]:
    """Edit a stage; returns its key after the change (a renumbered stage has a new one)."""
    stage = await _lock_stage(session, sales_cycle_code, stage_no)
    v = Violations()
    new_no = unwrap(changes.new_stage)
    if new_no is None:
        v.add("REQUIRED", "The stage number cannot be cleared.", ["newStage"])
    elif new_no is not UNCHANGED and new_no != stage.stage:
        await _check_renumber(session, stage, new_no, v)
    description = unwrap(changes.description)
    if description is not UNCHANGED:
        description = check_text(description, TEXT100, ["description"], v, required=True)
    completed = _required(unwrap(changes.completed_pct), ["completedPct"], v)
    if completed is not UNCHANGED:
        check_pct(completed, ["completedPct"], v)
    chances = _required(unwrap(changes.chances_of_success_pct), ["chancesOfSuccessPct"], v)
    if chances is not UNCHANGED:
        check_pct(chances, ["chancesOfSuccessPct"], v)
    activity = unwrap(changes.activity_code)
    if activity is not UNCHANGED:
        activity = check_code(activity, CODE10, ["activityCode"], v)
        if activity is not None and activity not in await _existing_activities(session, [activity]):
            v.add("NOT_FOUND", f"Activity {activity} does not exist.", ["activityCode"])
    quote_required = _required(unwrap(changes.quote_required), ["quoteRequired"], v)
    allow_skip = _required(unwrap(changes.allow_skip), ["allowSkip"], v)
    formula = unwrap(changes.date_formula)
    if formula is not UNCHANGED:
        formula = check_date_formula(formula, ["dateFormula"], v)
    v.raise_any()
    if new_no is not UNCHANGED and new_no is not None:
        stage.stage = new_no
    if description is not UNCHANGED:
        stage.description = description
    if completed is not UNCHANGED:
        stage.completed_pct = completed
    if chances is not UNCHANGED:
        stage.chances_of_success_pct = chances
    if activity is not UNCHANGED:
        stage.activity_code = activity
    if quote_required is not UNCHANGED:
        stage.quote_required = quote_required
    if allow_skip is not UNCHANGED:
        stage.allow_skip = allow_skip
    if formula is not UNCHANGED:
        stage.date_formula = formula
    return stage.sales_cycle_code, stage.stage


async def delete_sales_cycle_stage(
    session: AsyncSession, sales_cycle_code: str, stage_no: int
) -> tuple[str, int]:
    """Delete a stage no active entry sits on (domain.md §6.1). Inactive entries keep its number."""
    stage = await _lock_stage(session, sales_cycle_code, stage_no)
    await _lock_open_opportunities(session, stage.sales_cycle_code)
    if await _entries_on(session, stage, active_only=True):
        raise DomainError("IN_USE", "You cannot delete a stage which has active entries.", ["stage"])
    key = (stage.sales_cycle_code, stage.stage)
    await session.execute(
        delete(SalesCycleStage).where(
            SalesCycleStage.sales_cycle_code == key[0], SalesCycleStage.stage == key[1]
        )
    )
    return key


async def _check_renumber(session: AsyncSession, stage: SalesCycleStage, new_no: int, v: Violations) -> None:
    """Entries refer to their stage by number, so a stage any entry sits on keeps its number."""
    if new_no < 1:
        v.add("INVALID", "The stage number must be 1 or more.", ["newStage"])
    elif await session.get(SalesCycleStage, (stage.sales_cycle_code, new_no)) is not None:
        v.add(
            "DUPLICATE",
            f"Stage {new_no} of sales cycle {stage.sales_cycle_code} already exists.",
            ["newStage"],
        )
    await _lock_open_opportunities(session, stage.sales_cycle_code)
    used = await _entries_on(session, stage, active_only=False)
    if used:
        v.add(
            "IN_USE",
            f"Stage {stage.stage} of sales cycle {stage.sales_cycle_code} has {used} opportunity entries; "
            "it cannot be renumbered.",
            ["newStage"],
        )


# --- shared checks -----------------------------------------------------------------------------


def _required_code(value: str | None, field: Sequence[str], v: Violations) -> str | None:
    code = check_code(value, CODE10, field, v)
    if code is None and not v.errors_on(field):
        v.add("REQUIRED", f"You must fill in {field[-1]}.", field)
    return code


def _required(value: T | Omittable | None, field: Sequence[str], v: Violations) -> T | Omittable:
    """A field an update may change but not clear: an explicit null is ``REQUIRED``."""
    if value is None:
        v.add("REQUIRED", f"{field[-1]} cannot be cleared.", field)
        return UNCHANGED
    return value


async def _check_stages(
    session: AsyncSession, cycle_code: str, stages: Sequence[StageFields], v: Violations
) -> list[SalesCycleStage]:
    if len(stages) > MAX_STAGES:
        v.add("INVALID", f"A sales cycle has at most {MAX_STAGES} stages.", ["stages"])
        return []
    activities = await _existing_activities(session, [s.activity_code for s in stages])
    seen: set[int] = set()
    rows = []
    for i, fields in enumerate(stages):
        path = ["stages", str(i)]
        if fields.stage in seen:
            v.add("DUPLICATE", f"Stage {fields.stage} is given twice.", [*path, "stage"])
        seen.add(fields.stage)
        rows.append(_check_stage(cycle_code, fields, activities, path, v))
    return rows


def _check_stage(
    cycle_code: str, fields: StageFields, activities: set[str], path: list[str], v: Violations
) -> SalesCycleStage:
    """The stage to insert; what is wrong with ``fields`` goes to ``v`` under ``path``."""
    if fields.stage < 1:
        v.add("INVALID", "The stage number must be 1 or more.", [*path, "stage"])
    description = check_text(fields.description, TEXT100, [*path, "description"], v, required=True)
    check_pct(fields.completed_pct, [*path, "completedPct"], v)
    check_pct(fields.chances_of_success_pct, [*path, "chancesOfSuccessPct"], v)
    activity = check_code(fields.activity_code, CODE10, [*path, "activityCode"], v)
    if activity is not None and activity not in activities:
        v.add("NOT_FOUND", f"Activity {activity} does not exist.", [*path, "activityCode"])
    return SalesCycleStage(
        sales_cycle_code=cycle_code,
        stage=fields.stage,
        description=description,
        completed_pct=fields.completed_pct,
        chances_of_success_pct=fields.chances_of_success_pct,
        activity_code=activity,
        quote_required=fields.quote_required,
        allow_skip=fields.allow_skip,
        date_formula=check_date_formula(fields.date_formula, [*path, "dateFormula"], v),
    )


async def _existing_activities(session: AsyncSession, codes: Iterable[str | None]) -> set[str]:
    wanted = {c for c in map(code_of, codes) if c is not None}
    if not wanted:
        return set()
    return set(await session.scalars(select(Activity.code).where(Activity.code.in_(wanted))))


async def _lock_cycle(session: AsyncSession, code: str) -> SalesCycle:
    key = code_of(code)
    cycle = None
    if key is not None:
        cycle = await session.scalar(
            select(SalesCycle)
            .where(SalesCycle.code == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if cycle is None:
        raise DomainError("NOT_FOUND", f"Sales cycle {code} does not exist.", ["code"])
    return cycle


async def _lock_stage(session: AsyncSession, sales_cycle_code: str, stage_no: int) -> SalesCycleStage:
    key = code_of(sales_cycle_code)
    stage = None
    if key is not None:
        stage = await session.scalar(
            select(SalesCycleStage)
            .where(SalesCycleStage.sales_cycle_code == key, SalesCycleStage.stage == stage_no)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if stage is not None:
        return stage
    if key is None or await session.get(SalesCycle, key) is None:
        raise DomainError("NOT_FOUND", f"Sales cycle {sales_cycle_code} does not exist.", ["salesCycleCode"])
    raise DomainError("NOT_FOUND", f"Stage {stage_no} of sales cycle {key} does not exist.", ["stage"])


async def _lock_open_opportunities(session: AsyncSession, cycle_code: str) -> None:
    """Hold off stage moves on the cycle (see the module docstring)."""
    await session.execute(
        select(Opportunity.no)
        .where(Opportunity.sales_cycle_code == cycle_code, Opportunity.closed.is_(False))
        .order_by(Opportunity.no)
        .with_for_update()
    )


async def _entries_on(session: AsyncSession, stage: SalesCycleStage, *, active_only: bool) -> int:
    conditions = [
        OpportunityEntry.sales_cycle_code == stage.sales_cycle_code,
        OpportunityEntry.sales_cycle_stage == stage.stage,
    ]
    if active_only:
        conditions.append(OpportunityEntry.active.is_(True))
    return await session.scalar(select(func.count()).select_from(OpportunityEntry).where(*conditions)) or 0
