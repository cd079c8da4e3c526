"""Real parallel transactions for the concurrency tests (api.md §6: concurrent mutations on one
opportunity are serialised).

``open_parallel`` serves the HTTP app over its own engine, whose pool is large enough for every
request of a burst to hold its own connection: the requests sent at once with ``Parallel.send``
(``asyncio.gather``) really overlap in PostgreSQL and wait on each other's row locks. The rest are
the readers and builders the tests check and set up with.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
from sqlalchemy import event, select

import models
from models import ActionTaken, CloseOutcome, OpportunityStatus
from resolvers.session import SessionFactory
from server.app import create_app
from server.engine import create_engine
from server.settings import Settings
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

ROUNDS = 3
START = dt.date(2024, 1, 10)

STAGE = """mutation($input: UpdateOpportunityStageInput!) { updateOpportunityStage(input: $input) {
  opportunity { version } entry { entryNo stageNo previousStageNo actionTaken dateOfChange }
  createdTasks { no } userErrors { code field } } }"""
CLOSE = """mutation($input: CloseOpportunityInput!) { closeOpportunity(input: $input) {
  opportunity { status version } entry { entryNo actionTaken } userErrors { code field } } }"""
ACTIVATE = """mutation($input: ActivateFirstStageInput!) { activateFirstStage(input: $input) {
  opportunity { version } entry { entryNo } createdTasks { no } userErrors { code field } } }"""
ASSIGN = """mutation($input: AssignSalesQuoteInput!) { assignSalesQuote(input: $input) {
  opportunity { no version } userErrors { code field } } }"""
UPDATE = """mutation($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) {
  opportunity { version salesperson { code } } userErrors { code field } } }"""


@dataclasses.dataclass
class Overlap:
    """How many pooled connections were checked out at once: proof the requests overlapped."""

    current: int = 0
    peak: int = 0


@dataclasses.dataclass
class Parallel:
    gql: GraphQLClient
    overlap: Overlap

    async def send(self, mutation: str, name: str, inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send one request per input at once; every answer is a payload, never a top-level error."""
        bodies = await asyncio.gather(*(self.gql.raw(mutation, {"input": i}) for i in inputs))
        for body in bodies:
            assert "errors" not in body, body["errors"]
        return [body["data"][name] for body in bodies]


@contextlib.asynccontextmanager
async def open_parallel(db_url: str) -> AsyncIterator[Parallel]:
    """A client of an app whose pool gives each of up to 30 parallel requests its own connection."""
    settings = dataclasses.replace(Settings.from_env(), pool_size=30, max_overflow=0)
    engine = create_engine(db_url, settings)
    overlap = Overlap()

    def checkout(*_: Any) -> None:
        overlap.current += 1
        overlap.peak = max(overlap.peak, overlap.current)

    def checkin(*_: Any) -> None:
        overlap.current -= 1

    event.listen(engine.sync_engine.pool, "checkout", checkout)
    event.listen(engine.sync_engine.pool, "checkin", checkin)
    transport = httpx.ASGITransport(app=create_app(engine, dev=True))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield Parallel(GraphQLClient(http), overlap)
    finally:
        await engine.dispose()


def errors(payload: dict[str, Any]) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(e["code"], tuple(e["field"]) if e["field"] is not None else None) for e in payload["userErrors"]]


def split(payloads: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(successes, failures); a failure writes nothing, so it returns no object."""
    won = [p for p in payloads if not p["userErrors"]]
    lost = [p for p in payloads if p["userErrors"]]
    assert all(p["opportunity"] is None for p in lost)
    return won, lost


async def entries_of(sessions: SessionFactory, opp_no: str) -> list[models.OpportunityEntry]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(models.OpportunityEntry)
                .where(models.OpportunityEntry.opportunity_no == opp_no)
                .order_by(models.OpportunityEntry.entry_no)
            )
        )


async def opportunity_row(sessions: SessionFactory, opp_no: str) -> models.Opportunity:
    async with sessions() as session:
        opp = await session.get(models.Opportunity, opp_no)
        assert opp is not None
        return opp


async def tasks_of(sessions: SessionFactory, opp_no: str | None = None) -> list[models.Task]:
    query = select(models.Task).order_by(models.Task.no)
    if opp_no is not None:
        query = query.where(models.Task.opportunity_no == opp_no)
    async with sessions() as session:
        return list(await session.scalars(query))


def task_nos(first: int, count: int) -> list[str]:
    return [f"TD{n:06d}" for n in range(first, first + count)]


def assert_one_chain(entries: list[models.OpportunityEntry]) -> None:
    """Exactly one active entry, the last; each entry continues the one before it."""
    assert [e.active for e in entries] == [False] * (len(entries) - 1) + [True]
    assert entries[-1].days_open == 0
    for before, after in itertools.pairwise(entries):
        assert before.entry_no < after.entry_no
        assert after.previous_sales_cycle_stage == before.sales_cycle_stage
        assert before.date_of_change <= after.date_of_change
        assert before.days_open == (after.date_of_change - before.date_of_change).days
        step = after.sales_cycle_stage - before.sales_cycle_stage
        expected = {
            ActionTaken.NEXT: step == 1,
            ActionTaken.PREVIOUS: step == -1,
            ActionTaken.UPDATED: step == 0,
            ActionTaken.JUMPED: abs(step) > 1,
        }
        assert expected[after.action_taken], (before.sales_cycle_stage, after)


async def given_people(sessions: SessionFactory) -> models.Contact:
    contact = f.company("C")
    await b.insert(sessions, f.salesperson("S"), f.salesperson("S2"), contact)
    return contact


async def given_in_progress(
    sessions: SessionFactory, contact: models.Contact, cycle: str, stage: int, *nos: str
) -> None:
    """Opportunities at ``stage`` of ``cycle`` since ``START``, valued 1000, at version 1."""
    rows: list[Any] = []
    for no in nos:
        opp = f.opportunity(no, contact, "S", cycle, status=OpportunityStatus.IN_PROGRESS)
        rows += [opp, f.entry(opp, stage, "1000", date_of_change=START)]
    await b.insert(sessions, *rows)


async def given_a_four_stage_cycle(sessions: SessionFactory) -> models.Contact:
    """Cycle FOUR, whose stages 1 to 4 make 2, 3, 2 and 3 tasks; close codes W1 and L1."""
    contact = await given_people(sessions)
    await b.insert(
        sessions,
        *b.activity("A", (1, "Call"), (2, "Meet")),
        *b.activity("T", (1, "Call"), (2, "Meet"), (3, "Send")),
        *f.cycle("FOUR", stages=0),
        b.stage("FOUR", 1, activity_code="A"),
        b.stage("FOUR", 2, activity_code="T"),
        b.stage("FOUR", 3, activity_code="A"),
        b.stage("FOUR", 4, activity_code="T"),
        b.close_code("W1", CloseOutcome.WON),
        b.close_code("L1", CloseOutcome.LOST),
    )
    return contact
