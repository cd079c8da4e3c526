"""Parallel mutations of DIFFERENT opportunities that share a row: the task number series and a
sales quote. Numbers are handed out without duplicates or gaps, and a quote lands on one
opportunity only; the loser gets QUOTE_ALREADY_ASSIGNED, never a top-level error (api.md §6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

import models
from resolvers.session import SessionFactory
from tests.support import builders as b
from tests.support.concurrency import (
    ASSIGN,
    ROUNDS,
    STAGE,
    Parallel,
    assert_one_chain,
    entries_of,
    errors,
    given_a_four_stage_cycle,
    given_in_progress,
    open_parallel,
    opportunity_row,
    split,
    task_nos,
    tasks_of,
)

# Real parallel transactions: each request holds its own connection and waits on row locks.
pytestmark = pytest.mark.own_database


@pytest.fixture
async def parallel(db_url: str) -> AsyncIterator[Parallel]:
    async with open_parallel(db_url) as client:
        yield client


async def test_parallel_moves_of_many_opportunities_number_their_tasks_without_gaps(
    parallel: Parallel, sessions: SessionFactory
) -> None:
    contact = await given_a_four_stage_cycle(sessions)
    nos = [f"M{i}" for i in range(10)]
    await given_in_progress(sessions, contact, "FOUR", 1, *nos)
    taken = 0

    for round_no in range(ROUNDS):  # stage 2 makes 3 tasks, stage 3 two, stage 4 three
        day = str(dt.date(2024, 2, 1) + dt.timedelta(days=round_no))
        payloads = await parallel.send(
            STAGE, "updateOpportunityStage", [{"no": no, "action": "NEXT", "dateOfChange": day} for no in nos]
        )

        won, _ = split(payloads)
        assert len(won) == len(nos)
        per_move = 2 if round_no == 1 else 3
        created = [t["no"] for p in won for t in p["createdTasks"]]
        assert all(len(p["createdTasks"]) == per_move for p in won)
        assert sorted(created) == task_nos(taken + 1, per_move * len(nos))
        taken += len(created)
        entry_nos = [p["entry"]["entryNo"] for p in won]
        assert len(set(entry_nos)) == len(nos)
        assert {(p["entry"]["stageNo"], p["entry"]["actionTaken"]) for p in won} == {(round_no + 2, "NEXT")}

    assert [t.no for t in await tasks_of(sessions)] == task_nos(1, taken)
    for no in nos:
        entries = await entries_of(sessions, no)
        assert [e.sales_cycle_stage for e in entries] == [1, 2, 3, 4]
        assert_one_chain(entries)
    async with sessions() as session:
        series = await session.get(models.NumberSeries, "TASK")
        assert series is not None
        assert series.next_no == taken + 1


async def test_parallel_assignments_of_one_quote_link_it_to_one_opportunity(
    parallel: Parallel, sessions: SessionFactory
) -> None:
    contact = await given_a_four_stage_cycle(sessions)
    pairs = [(f"A{r}", f"B{r}") for r in range(ROUNDS)]
    await given_in_progress(sessions, contact, "FOUR", 1, *[no for pair in pairs for no in pair])
    await b.insert(
        sessions, *[row for r in range(ROUNDS) for row in b.quote(f"Q{r}", "C", ("1", "500", "0"))]
    )

    for round_no, pair in enumerate(pairs):
        quote = f"Q{round_no}"
        payloads = await parallel.send(
            ASSIGN, "assignSalesQuote", [{"opportunityNo": no, "quoteNo": quote} for no in pair]
        )

        won, lost = split(payloads)
        assert len(won) == 1
        assert [errors(p) for p in lost] == [[("QUOTE_ALREADY_ASSIGNED", ("quoteNo",))]]
        holder = won[0]["opportunity"]["no"]
        assert won[0]["opportunity"] == {"no": holder, "version": 2}
        rows = [await opportunity_row(sessions, no) for no in pair]
        assert {(o.no, o.sales_quote_no, o.version) for o in rows} == {
            (no, quote, 2) if no == holder else (no, None, 1) for no in pair
        }
