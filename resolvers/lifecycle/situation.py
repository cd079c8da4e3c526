"""The situation a lifecycle use case decides on: the opportunity, locked, with everything the
rules read about it, in one statement (``statements.SITUATION``).

The rows come from driver SQL, and become the ORM instances the rest of the code works on
(``persistent``), so that a use case can go on changing them through the session.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import RowMapping, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from models import Opportunity, OpportunityEntry, Priority, ProbabilityCalculation, SalesQuote, TaskType
from models.base import Base
from models.lifecycle import Position
from resolvers.access.rows import check_readable
from resolvers.errors import DomainError
from resolvers.lifecycle.statements import ENTRY, ENTRY_PREFIX, OPPORTUNITY, SITUATION, values_of
from resolvers.reads.sales_document import quote_rows
from resolvers.viewer import Viewer
from resolvers.writes.transaction import check_version, today_in

M = TypeVar("M", bound=Base)


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
    return situation_of(opp, active, row, today_in(row["time_zone"]), row["quote_amount"])


def situation_of(
    opp: Opportunity,
    active: OpportunityEntry | None,
    row: RowMapping,
    today: dt.date,
    quote_amount: Decimal | None,
) -> Situation:
    """The situation of ``opp`` from a row that read its cycle's ``probability_calculation`` and
    ``stages`` (``statements.stages_json``) and the setup's ``task_nos``."""
    method = row["probability_calculation"]
    position = Position(
        no=opp.no,
        status=opp.status,
        sales_cycle_code=opp.sales_cycle_code,
        method=ProbabilityCalculation(method) if method is not None else ProbabilityCalculation.MULTIPLY,
        active=active,
        quote_amount=quote_amount,
    )
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
