"""Givens, documents and read-backs shared by the GraphQL tests of the lifecycle mutations
(``tests/lifecycle/test_lifecycle_errors.py``, ``tests/lifecycle/test_lifecycle_rules_api.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

import models
from models import ActionTaken, CloseOutcome, OpportunityStatus, TaskStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

#: The active entry's date of change of every started opportunity the givens build.
ACTIVE_DAY = dt.date(2024, 1, 10)
#: The date of change of the stage-1 entry that precedes it (when the active entry is later).
START_DAY = dt.date(2024, 1, 5)

ENTRY = """entryNo stageNo previousStageNo actionTaken dateOfChange active daysOpen dateClosed
  estimatedValue calculatedCurrentValue completedPct chancesOfSuccessPct probabilityPct
  estimatedCloseDate closeOpportunityCode { code }"""
OPPORTUNITY = """no status closed dateClosed version estimatedValue calculatedCurrentValue
  chancesOfSuccessPct completedPct probabilityPct estimatedClosingDate currentStage { stage }"""
ERRORS = "userErrors { code field message }"
TASK = "no date description closed canceled status"

ACTIVATE = f"""mutation($input: ActivateFirstStageInput!) {{ activateFirstStage(input: $input) {{
  opportunity {{ {OPPORTUNITY} }} entry {{ {ENTRY} }} createdTasks {{ {TASK} }} {ERRORS} }} }}"""
STAGE = f"""mutation($input: UpdateOpportunityStageInput!) {{ updateOpportunityStage(input: $input) {{
  opportunity {{ {OPPORTUNITY} }} entry {{ {ENTRY} }} createdTasks {{ {TASK} }} {ERRORS} }} }}"""
CLOSE = f"""mutation($input: CloseOpportunityInput!) {{ closeOpportunity(input: $input) {{
  opportunity {{ {OPPORTUNITY} }} entry {{ {ENTRY} }} {ERRORS} }} }}"""

Errors = list[tuple[str, list[str] | None]]
MUTATION = {ACTIVATE: "activateFirstStage", STAGE: "updateOpportunityStage", CLOSE: "closeOpportunity"}


async def given_cycles(sessions: SessionFactory) -> None:
    """Salesperson S, company contact C, activity ACT (two steps, dated +1D and +2D), the close
    codes WON1 and LOST1, and four cycles:

    * CYC: 1 (completed 10, chances 50, ``1W``, ACT); 2 (40, 60, allowSkip); 3 (60, 70,
      quoteRequired, allowSkip); 4 (80, 80); 5 (90, 90, ``2W``, ACT). Skip from 1 reaches
      [2, 3, 4], from 2 [3, 4], from 3 only [4].
    * EMPTY: no stages.
    * ZERO: one stage whose default chances are 0.
    * QFIRST: a first stage that requires a quote.
    """
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.company("C"),
        *b.activity("ACT", (1, "Call"), (2, "Meet")),
        *f.cycle("CYC", stages=0),
        b.stage(
            "CYC",
            1,
            completed_pct=Decimal(10),
            chances_of_success_pct=Decimal(50),
            date_formula="1W",
            activity_code="ACT",
        ),
        b.stage("CYC", 2, completed_pct=Decimal(40), chances_of_success_pct=Decimal(60), allow_skip=True),
        b.stage(
            "CYC",
            3,
            completed_pct=Decimal(60),
            chances_of_success_pct=Decimal(70),
            quote_required=True,
            allow_skip=True,
        ),
        b.stage("CYC", 4, completed_pct=Decimal(80), chances_of_success_pct=Decimal(80)),
        b.stage(
            "CYC",
            5,
            completed_pct=Decimal(90),
            chances_of_success_pct=Decimal(90),
            date_formula="2W",
            activity_code="ACT",
        ),
        *f.cycle("EMPTY", stages=0),
        *f.cycle("ZERO", stages=0),
        b.stage("ZERO", 1, completed_pct=Decimal(50), chances_of_success_pct=Decimal(0)),
        *f.cycle("QFIRST", stages=0),
        b.stage(
            "QFIRST", 1, completed_pct=Decimal(20), chances_of_success_pct=Decimal(30), quote_required=True
        ),
        b.stage("QFIRST", 2, completed_pct=Decimal(50), chances_of_success_pct=Decimal(60)),
        b.close_code("WON1", CloseOutcome.WON),
        b.close_code("LOST1", CloseOutcome.LOST),
    )


async def given_opportunity(
    sessions: SessionFactory,
    no: str = "O",
    *,
    stage: int | None = 2,
    cycle: str | None = "CYC",
    status: OpportunityStatus | None = None,
    value: str = "10000",
    on: dt.date = ACTIVE_DAY,
) -> None:
    """Opportunity ``no`` for C with salesperson S at version 1.

    With a ``stage`` it is in progress: an inactive stage-1 entry of START_DAY (when ``stage`` is
    not 1) and the active entry on ``stage`` of date ``on`` with estimated value ``value``. With
    ``stage=None`` it is not started, or, with a WON/LOST ``status``, closed by an active stage-0
    entry. Two tasks are linked to it: ``{no}-T1`` open and ``{no}-T2`` completed.
    """
    contact = f.company("C")
    closed = status in (OpportunityStatus.WON, OpportunityStatus.LOST)
    if status is not None and closed:
        opp = f.opportunity(no, contact, "S", cycle, version=1, **b.closed(status, on))
    else:
        started = OpportunityStatus.IN_PROGRESS if stage is not None else OpportunityStatus.NOT_STARTED
        opp = f.opportunity(no, contact, "S", cycle, version=1, status=started)
    rows: list[Any] = [opp]
    if stage is not None and stage != 1:
        rows.append(
            f.entry(opp, 1, value, active=False, date_of_change=START_DAY, days_open=(on - START_DAY).days)
        )
    if stage is not None:
        taken = ActionTaken.STARTED if stage == 1 else ActionTaken.NEXT
        previous = 0 if stage == 1 else 1
        rows.append(
            f.entry(
                opp, stage, value, date_of_change=on, action_taken=taken, previous_sales_cycle_stage=previous
            )
        )
    if closed:
        taken = ActionTaken.WON if status is OpportunityStatus.WON else ActionTaken.LOST
        rows.append(f.entry(opp, 0, value, date_of_change=on, date_closed=on, action_taken=taken))
    rows += [
        b.task(f"{no}-T1", opportunity_no=no, salesperson_code="S", contact_no="C"),
        b.task(
            f"{no}-T2",
            opportunity_no=no,
            salesperson_code="S",
            contact_no="C",
            closed=True,
            status=TaskStatus.COMPLETED,
        ),
    ]
    await b.insert(sessions, *rows)


async def link_quote(sessions: SessionFactory, no: str, quote_no: str, *lines: b.Line) -> None:
    """A quote for C with ``lines``, linked to opportunity ``no`` (the link lives on the opportunity)."""
    await b.insert(sessions, *b.quote(quote_no, "C", *lines))
    async with sessions() as session, session.begin():
        await session.execute(
            update(models.Opportunity).where(models.Opportunity.no == no).values(sales_quote_no=quote_no)
        )


@dataclass(frozen=True, slots=True)
class State:
    """What a refused or dry-run request must leave as it found it, read from the database."""

    version: int
    status: OpportunityStatus
    #: (entry no, stage, active, days open, action taken, estimated value) in entry order.
    entries: tuple[tuple[int, int, bool, int, ActionTaken, Decimal], ...]
    #: (no, closed, canceled, status) of every task, in number order.
    tasks: tuple[tuple[str, bool, bool, TaskStatus], ...]
    next_task_no: int


async def state(sessions: SessionFactory, no: str = "O") -> State:
    async with sessions() as session:
        opp = (
            await session.execute(
                select(models.Opportunity.version, models.Opportunity.status).where(
                    models.Opportunity.no == no
                )
            )
        ).one()
        entries = (
            await session.execute(
                select(
                    models.OpportunityEntry.entry_no,
                    models.OpportunityEntry.sales_cycle_stage,
                    models.OpportunityEntry.active,
                    models.OpportunityEntry.days_open,
                    models.OpportunityEntry.action_taken,
                    models.OpportunityEntry.estimated_value,
                )
                .where(models.OpportunityEntry.opportunity_no == no)
                .order_by(models.OpportunityEntry.entry_no)
            )
        ).all()
        tasks = (
            await session.execute(
                select(models.Task.no, models.Task.closed, models.Task.canceled, models.Task.status).order_by(
                    models.Task.no
                )
            )
        ).all()
        next_task_no = await session.scalar(
            select(models.NumberSeries.next_no).where(models.NumberSeries.code == "TASK")
        )
    return State(
        version=opp.version,
        status=opp.status,
        entries=tuple((e[0], e[1], e[2], e[3], e[4], e[5]) for e in entries),
        tasks=tuple((t[0], t[1], t[2], t[3]) for t in tasks),
        next_task_no=int(next_task_no or 0),
    )


def refused(data: dict[str, Any], mutation: str) -> Errors:
    """The payload's errors as (code, field), after checking that it carries no result."""
    payload: dict[str, Any] = data[mutation]
    assert payload["opportunity"] is None
    assert payload["entry"] is None
    assert payload.get("createdTasks", []) == []
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


def ok(data: dict[str, Any], mutation: str) -> dict[str, Any]:
    payload: dict[str, Any] = data[mutation]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


def figures(entry: dict[str, Any]) -> tuple[Any, ...]:
    """An entry's (stage, previous stage, action, date of change, value, calculated value,
    completed %, chances %, probability %, estimated close date)."""
    return (
        entry["stageNo"],
        entry["previousStageNo"],
        entry["actionTaken"],
        entry["dateOfChange"],
        entry["estimatedValue"],
        entry["calculatedCurrentValue"],
        entry["completedPct"],
        entry["chancesOfSuccessPct"],
        entry["probabilityPct"],
        entry["estimatedCloseDate"],
    )


def kpis(opp: dict[str, Any]) -> tuple[Any, ...]:
    """An opportunity's (status, closed, date closed, version, current stage, value, calculated
    value, chances %, completed %, probability %, estimated closing date)."""
    stage = opp["currentStage"]["stage"] if opp["currentStage"] is not None else None
    return (
        opp["status"],
        opp["closed"],
        opp["dateClosed"],
        opp["version"],
        stage,
        opp["estimatedValue"],
        opp["calculatedCurrentValue"],
        opp["chancesOfSuccessPct"],
        opp["completedPct"],
        opp["probabilityPct"],
        opp["estimatedClosingDate"],
    )


def today() -> dt.date:
    """The server's work date: today in the setup's time zone, UTC."""
    return dt.datetime.now(dt.UTC).date()


async def given(sessions: SessionFactory, **kw: Any) -> State:
    """The cycles of ``given_cycles`` and opportunity O as ``given_opportunity`` builds it."""
    await given_cycles(sessions)
    await given_opportunity(sessions, **kw)
    return await state(sessions)


async def refuse(gql: GraphQLClient, document: str, **input: Any) -> Errors:
    """Send ``document`` for opportunity O (unless ``no`` is given); the errors of a refusal."""
    return refused(await gql.query(document, {"input": {"no": "O", **input}}), MUTATION[document])


async def stage(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    """A successful updateOpportunityStage of opportunity O."""
    return ok(await gql.query(STAGE, {"input": {"no": "O", **input}}), "updateOpportunityStage")


async def close(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    """A successful closeOpportunity of opportunity O."""
    return ok(await gql.query(CLOSE, {"input": {"no": "O", **input}}), "closeOpportunity")


async def tasks(sessions: SessionFactory) -> list[tuple[Any, ...]]:
    """Every task as (no, closed, canceled, status, date closed, entry no), in number order."""
    async with sessions() as session:
        rows = await session.execute(
            select(
                models.Task.no,
                models.Task.closed,
                models.Task.canceled,
                models.Task.status,
                models.Task.date_closed,
                models.Task.opportunity_entry_no,
            ).order_by(models.Task.no)
        )
        return [tuple(r) for r in rows]
