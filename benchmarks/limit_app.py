"""The limit: a minimal Starlette + asyncpg app that answers the benchmark's requests by hand.

``benchmarks/throughput.py`` measures salesgraph as a ratio to this app (issue 11): what one
server process can do when a read is one hand-written SQL statement whose single result is the
whole ``data`` object as JSON built by PostgreSQL, spliced into the response without decoding, and
a stage move is the fewest hand-written asyncpg statements. No SQLAlchemy, no GraphQL library, no
authentication, no cost budget: nothing but the work itself.

``POST /graphql`` with ``{"query", "variables", "operationName"}`` dispatches on the operation
name alone (the query text is not parsed):

- ``Nested`` (``/work/shared/bench/nested.graphql``; variables ``contacts``, ``opportunities``)
  and ``One`` (``one.graphql``; variable ``no``): one statement each (``benchmarks/limit_sql.py``),
  same ``data`` as salesgraph;
- ``StageMove`` (variables ``no``, ``action``: ``NEXT`` or ``PREVIOUS``): an
  ``updateOpportunityStage`` in one transaction of three statements besides BEGIN and COMMIT (lock
  the opportunity and read its cycle, stages and setup; read and deactivate the active entry;
  insert the new entry and update the opportunity), plus two (take task numbers, insert the
  tasks) when the stage has an activity. The decisions
  are salesgraph's own pure rules (``models.stage_change.plan_stage_change``,
  ``models.activity_tasks.planned_tasks``): the rows written are the same, only the I/O is by hand.
  Answers ``{"data": {"updateOpportunityStage": {"opportunity": {"no", "version"}, "entry":
  {"entryNo"}, "userErrors": [...]}}}``.

Run: ``LIMIT_DATABASE_URL=postgresql://… uvicorn --factory benchmarks.limit_app:app_from_env``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks import limit_sql
from models.activity_tasks import planned_tasks
from models.enums import OpportunityStatus, Priority, ProbabilityCalculation, StageAction, TaskType
from models.errors import DomainError, DomainErrors
from models.lifecycle import Position
from models.number_series import format_number
from models.stage_change import StageRequest, plan_stage_change

JSON = "application/json"


def today_in(time_zone: str) -> dt.date:
    """The work date in the setup's time zone, as ``resolvers.writes.transaction.today_in``."""
    try:
        return dt.datetime.now(ZoneInfo(time_zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True, slots=True)
class Active:
    """The active entry as the rules read it (``models.lifecycle.ActiveEntryLike``)."""

    entry_no: int
    sales_cycle_stage: int
    date_of_change: dt.date
    estimated_value: Decimal


@dataclass(frozen=True, slots=True)
class Step:
    step_no: int
    type: TaskType
    priority: Priority
    description: str
    date_formula: str


@dataclass(frozen=True, slots=True)
class Stage:
    """A sales cycle stage as the rules read it (``models.stages.StageLike``), with its steps."""

    stage: int
    description: str
    completed_pct: Decimal
    chances_of_success_pct: Decimal
    activity_code: str | None
    quote_required: bool
    allow_skip: bool
    date_formula: str
    steps: tuple[Step, ...]


def _stages(text: str | None) -> list[Stage]:
    rows: list[dict[str, Any]] = json.loads(text, parse_float=Decimal) if text else []
    return [
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
    ]


def _data(text: str) -> Response:
    """PostgreSQL's JSON text as the response's ``data``, never decoded."""
    return Response(b'{"data":' + text.encode() + b"}", media_type=JSON)


def _answer(move: dict[str, Any]) -> Response:
    return Response(json.dumps({"data": {"updateOpportunityStage": move}}), media_type=JSON)


class Refused(Exception):  # noqa: N818 - a refusal, not a failure
    """The move breaks rules: its transaction rolls back and the answer lists them."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


async def stage_move(conn: asyncpg.Connection, no: str, action: StageAction) -> dict[str, Any]:
    """``updateOpportunityStage(input: {no, action})`` with every input left to its default."""
    try:
        async with conn.transaction():
            return await _move(conn, no, action)
    except Refused as exc:
        return {"opportunity": None, "entry": None, "userErrors": exc.errors}


async def _move(conn: asyncpg.Connection, no: str, action: StageAction) -> dict[str, Any]:
    row = await conn.fetchrow(limit_sql.MOVE_SITUATION, no)
    if row is None:
        raise Refused([{"code": "NOT_FOUND", "message": f"Opportunity {no} does not exist."}])
    today = today_in(row["time_zone"])
    old = await conn.fetchrow(limit_sql.MOVE_DEACTIVATE, row["no"], today)
    active = Active(*old) if old is not None else None
    stages = _stages(row["stages"])
    position = Position(
        no=row["no"],
        status=OpportunityStatus(row["status"]),
        sales_cycle_code=row["sales_cycle_code"],
        method=ProbabilityCalculation(row["probability_calculation"] or "MULTIPLY"),
        active=active,
        quote_amount=row["quote_amount"],
    )
    try:
        planned = plan_stage_change(position, stages, StageRequest(action=action), today)
        target = planned.stage
        assert isinstance(target, Stage)
        tasks = planned_tasks(target.steps, planned.date_of_change) if target.activity_code else []
    except (DomainError, DomainErrors) as exc:
        errors = exc.errors if isinstance(exc, DomainErrors) else [exc]
        raise Refused([{"code": e.code, "message": str(e)} for e in errors]) from exc
    e = planned.estimates
    written = await conn.fetchrow(
        limit_sql.MOVE_INSERT,
        row["no"],
        planned.stage_no,
        planned.stage_description,
        planned.previous_stage,
        planned.date_of_change,
        planned.action_taken.value,
        e.estimated_value,
        e.calculated_current_value,
        e.completed_pct,
        e.chances_of_success_pct,
        e.probability_pct,
        e.estimated_close_date,
    )
    assert written is not None
    if tasks:
        series = await conn.fetchrow(limit_sql.TAKE_NUMBERS, row["task_nos"], len(tasks))
        assert series is not None
        after = series["next_no"]
        numbers = [
            format_number(series["prefix"], n, series["width"]) for n in range(after - len(tasks), after)
        ]
        await conn.execute(
            limit_sql.INSERT_TASKS,
            numbers,
            [t.description for t in tasks],
            [t.type.value for t in tasks],
            [t.date for t in tasks],
            [t.priority.value for t in tasks],
            row["salesperson_code"],
            row["contact_no"],
            row["contact_company_no"],
            row["campaign_no"],
            row["no"],
            written["entry_no"],
        )
    return {
        "opportunity": {"no": row["no"], "version": written["version"]},
        "entry": {"entryNo": str(written["entry_no"])},
        "userErrors": [],
    }


async def _keep_session(conn: asyncpg.Connection) -> None:
    """No reset on release (asyncpg's default sends ``RESET ALL`` and more, a round trip per
    request): the app never changes session state."""


def create_app(database_url: str, *, pool_size: int = 10) -> Starlette:
    """The limit app over its own asyncpg pool (opened and closed with the app's lifespan)."""
    pools: list[asyncpg.Pool] = []

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=pool_size, reset=_keep_session)
        pools.append(pool)
        try:
            yield
        finally:
            await pool.close()

    async def graphql(request: Request) -> Response:
        body = json.loads(await request.body())
        operation = body.get("operationName")
        variables: dict[str, Any] = body.get("variables") or {}
        async with pools[0].acquire() as conn:
            if operation == "Nested":
                text = await conn.fetchval(
                    limit_sql.NESTED, variables.get("contacts", 50), variables.get("opportunities", 10)
                )
                return _data(text)
            if operation == "One":
                return _data(await conn.fetchval(limit_sql.ONE, variables["no"]))
            if operation == "StageMove":
                return _answer(await stage_move(conn, variables["no"], StageAction(variables["action"])))
        message = f"unknown operation {operation!r}"
        return Response(json.dumps({"errors": [{"message": message}]}), status_code=400, media_type=JSON)

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])], lifespan=lifespan)


def app_from_env() -> Starlette:
    """The app for ``uvicorn --factory``: the database in ``LIMIT_DATABASE_URL``."""
    return create_app(
        os.environ["LIMIT_DATABASE_URL"], pool_size=int(os.environ.get("LIMIT_POOL_SIZE", "10"))
    )
