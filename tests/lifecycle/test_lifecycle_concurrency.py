"""Parallel mutations of ONE opportunity run one after the other (api.md §6): whatever the
interleaving, its entries form one unbroken chain with exactly one active entry, each success saw
what the previous one wrote, and every loser gets a rule's userError, never a top-level error.

Each test repeats its burst for a few rounds on fresh opportunities to vary the interleavings.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

import models
from models import ActionTaken, OpportunityStatus
from resolvers.session import SessionFactory
from tests.support import builders as b
from tests.support import factories as f
from tests.support.concurrency import (
    ACTIVATE,
    CLOSE,
    ROUNDS,
    STAGE,
    UPDATE,
    Parallel,
    assert_one_chain,
    entries_of,
    errors,
    given_a_four_stage_cycle,
    given_in_progress,
    given_people,
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


# --- many moves on one opportunity ---------------------------------------------------------------

#: Stages 1..6; 2, 3 and 5 may be skipped to; 1, 3 and 5 create tasks (2, 1 and 2 of them).
STEPS = {"A": 2, "B": 1}
SIX_ACTIVITY = {1: "A", 3: "B", 5: "A"}


async def given_the_six_stage_cycle(sessions: SessionFactory) -> models.Contact:
    contact = await given_people(sessions)
    await b.insert(
        sessions,
        *b.activity("A", (1, "Call"), (2, "Meet")),
        *b.activity("B", (1, "Send")),
        *f.cycle("SIX", stages=0),
        *[
            b.stage(
                "SIX",
                no,
                completed_pct=Decimal(no * 15),
                chances_of_success_pct=Decimal(no * 10),
                allow_skip=no in (2, 3, 5),
                activity_code=SIX_ACTIVITY.get(no),
            )
            for no in range(1, 7)
        ],
    )
    return contact


def stage_requests(no: str) -> list[dict[str, Any]]:
    """24 valid-looking moves: six kinds, on four dates from 02-01, each on or after the start."""
    kinds: list[dict[str, Any]] = [
        {"action": "NEXT"},
        {"action": "PREVIOUS"},
        {"action": "UPDATE", "estimatedValue": "1500"},
        {"action": "SKIP"},
        {"action": "JUMP", "stage": 1},
        {"action": "SKIP", "stage": 4, "cancelOldTasks": True},
    ]
    return [
        {"no": no, "dateOfChange": str(dt.date(2024, 2, 1) + dt.timedelta(days=i // 6)), **kinds[i % 6]}
        for i in range(24)
    ]


async def test_parallel_stage_moves_on_one_opportunity_form_one_unbroken_chain(
    parallel: Parallel, sessions: SessionFactory
) -> None:
    contact = await given_the_six_stage_cycle(sessions)
    nos = [f"O{r}" for r in range(ROUNDS)]
    await given_in_progress(sessions, contact, "SIX", 3, *nos)
    first_task = 1

    for no in nos:
        payloads = await parallel.send(STAGE, "updateOpportunityStage", stage_requests(no))

        won, lost = split(payloads)
        refusals = {
            ("ACTION_NOT_AVAILABLE", ("action",)),
            ("STAGE_NOT_AVAILABLE", ("stage",)),
            ("DATE_BEFORE_LAST_CHANGE", ("dateOfChange",)),
        }
        assert {e for p in lost for e in errors(p)} <= refusals
        assert won  # the first request to get the lock always passes
        entries = await entries_of(sessions, no)
        assert len(entries) == 1 + len(won)
        assert_one_chain(entries)
        # Each success saw the version the one before it wrote, and reported the entry it wrote.
        assert sorted(p["opportunity"]["version"] for p in won) == list(range(2, 2 + len(won)))
        assert (await opportunity_row(sessions, no)).version == 1 + len(won)
        reported = sorted(
            (
                p["entry"]["entryNo"],
                p["entry"]["stageNo"],
                p["entry"]["previousStageNo"],
                p["entry"]["dateOfChange"],
            )
            for p in won
        )
        assert reported == [
            (e.entry_no, e.sales_cycle_stage, e.previous_sales_cycle_stage, e.date_of_change.isoformat())
            for e in entries[1:]
        ]
        # Every entered stage with an activity made its tasks, pointing at that entry.
        tasks = await tasks_of(sessions, no)
        by_entry = {e.entry_no: 0 for e in entries}
        for task in tasks:
            assert task.opportunity_entry_no in by_entry
            by_entry[task.opportunity_entry_no] += 1
        assert by_entry == {
            e.entry_no: STEPS[SIX_ACTIVITY[e.sales_cycle_stage]]
            if e.sales_cycle_stage in SIX_ACTIVITY and e.action_taken is not ActionTaken.UPDATED
            else 0
            for e in entries[1:]
        } | {entries[0].entry_no: 0}
        assert sorted(t["no"] for p in won for t in p["createdTasks"]) == [t.no for t in tasks]
        assert [t.no for t in tasks] == task_nos(first_task, len(tasks))
        first_task += len(tasks)

    assert parallel.overlap.peak > 1


# --- closing, activating, editing ------------------------------------------------------------------


async def test_parallel_closes_of_one_opportunity_close_it_once(
    parallel: Parallel, sessions: SessionFactory
) -> None:
    contact = await given_a_four_stage_cycle(sessions)
    outcomes = [("WON", "LOST"), ("WON", "WON"), ("LOST", "WON")]
    nos = [f"O{r}" for r in range(len(outcomes))]
    await given_in_progress(sessions, contact, "FOUR", 2, *nos)

    for no, pair in zip(nos, outcomes, strict=True):
        requests = [
            {
                "no": no,
                "outcome": outcome,
                "closeOpportunityCode": "W1" if outcome == "WON" else "L1",
                "closingDate": "2024-02-01",
                "salesValue": "900",
            }
            for outcome in pair
        ]
        payloads = await parallel.send(CLOSE, "closeOpportunity", requests)

        won, lost = split(payloads)
        assert len(won) == 1
        assert [errors(p) for p in lost] == [[("OPPORTUNITY_CLOSED", None)]]
        winner = pair[payloads.index(won[0])]
        assert won[0]["opportunity"] == {"status": winner, "version": 2}
        entries = await entries_of(sessions, no)
        assert_closed_chain(entries, ActionTaken[winner], won[0]["entry"]["entryNo"])
        opp = await opportunity_row(sessions, no)
        assert (opp.status, opp.closed, opp.version) == (OpportunityStatus[winner], True, 2)


def assert_closed_chain(entries: list[models.OpportunityEntry], taken: ActionTaken, entry_no: int) -> None:
    assert [
        (e.entry_no, e.active, e.days_open, e.sales_cycle_stage, e.action_taken) for e in entries[1:]
    ] == [(entry_no, True, 0, 0, taken)]
    assert (entries[0].active, entries[0].days_open) == (False, 22)


async def test_parallel_first_stage_activations_start_the_opportunity_once(
    parallel: Parallel, sessions: SessionFactory
) -> None:
    contact = await given_a_four_stage_cycle(sessions)
    nos = [f"N{r}" for r in range(ROUNDS)]
    await b.insert(sessions, *[f.opportunity(no, contact, "S", "FOUR") for no in nos])

    for round_no, no in enumerate(nos):
        payloads = await parallel.send(
            ACTIVATE, "activateFirstStage", [{"no": no, "dateOfChange": "2024-02-01"}] * 10
        )

        won, lost = split(payloads)
        assert len(won) == 1
        assert [errors(p) for p in lost] == [[("ACTION_NOT_AVAILABLE", ("no",))]] * 9
        assert won[0]["opportunity"] == {"version": 2}
        entries = await entries_of(sessions, no)
        assert [(e.entry_no, e.active, e.sales_cycle_stage, e.action_taken) for e in entries] == [
            (won[0]["entry"]["entryNo"], True, 1, ActionTaken.STARTED)
        ]
        opp = await opportunity_row(sessions, no)
        assert (opp.status, opp.version) == (OpportunityStatus.IN_PROGRESS, 2)
        tasks = await tasks_of(sessions, no)
        assert (
            [t.no for t in tasks]
            == [t["no"] for t in won[0]["createdTasks"]]
            == task_nos(2 * round_no + 1, 2)
        )


async def test_parallel_stage_move_and_salesperson_change_both_land(
    parallel: Parallel, sessions: SessionFactory
) -> None:
    contact = await given_a_four_stage_cycle(sessions)
    nos = [f"P{r}" for r in range(ROUNDS)]
    await given_in_progress(sessions, contact, "FOUR", 1, *nos)

    for no in nos:
        move = parallel.gql.raw(STAGE, {"input": {"no": no, "action": "NEXT", "dateOfChange": "2024-02-01"}})
        change = parallel.gql.raw(UPDATE, {"input": {"no": no, "salespersonCode": "S2"}})
        moved, changed = await asyncio.gather(move, change)

        assert "errors" not in moved, moved
        assert "errors" not in changed, changed
        assert moved["data"]["updateOpportunityStage"]["userErrors"] == []
        assert changed["data"]["updateOpportunity"]["userErrors"] == []
        assert {
            moved["data"]["updateOpportunityStage"]["opportunity"]["version"],
            changed["data"]["updateOpportunity"]["opportunity"]["version"],
        } == {2, 3}
        opp = await opportunity_row(sessions, no)
        assert (opp.salesperson_code, opp.version) == ("S2", 3)
        entries = await entries_of(sessions, no)
        assert_one_chain(entries)
        assert [(e.sales_cycle_stage, e.active) for e in entries] == [(1, False), (2, True)]
        assert entries[-1].salesperson_code == "S2"
        # Stage 2's tasks carry the new salesperson too: made with it, or moved to it after.
        assert [(t.salesperson_code, t.opportunity_entry_no) for t in await tasks_of(sessions, no)] == [
            ("S2", entries[-1].entry_no)
        ] * 3
