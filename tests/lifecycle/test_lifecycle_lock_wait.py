"""A stage move that waits for the opportunity's lock sees what the move holding it wrote.

The situation is read in the statement that takes the lock (``resolvers.lifecycle.statements``).
Under READ COMMITTED a statement that waited for a row lock gets the locked row at its newest
version but the joined rows (the active entry) from its own, older snapshot: the use case must
notice and read again. Two real transactions, the second provably waiting on the first's lock.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from models import ActionTaken
from models.enums import StageAction
from models.stage_change import StageRequest
from resolvers.lifecycle.moves import LifecycleResult, update_stage
from resolvers.session import SessionFactory
from resolvers.viewer import Role, Viewer
from resolvers.writes.transaction import write
from tests.support.concurrency import (
    START,
    assert_one_chain,
    entries_of,
    given_a_four_stage_cycle,
    given_in_progress,
    opportunity_row,
)

pytestmark = pytest.mark.own_database

ADMIN = Viewer(role=Role.ADMIN)
NEXT = StageRequest(action=StageAction.NEXT, date_of_change=START)


async def waiting_for_a_lock(sessions: SessionFactory) -> bool:
    async with sessions() as session:
        waiting = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    return bool(waiting)


async def test_a_move_that_waited_for_the_lock_continues_from_the_entry_the_other_wrote(
    sessions: SessionFactory,
) -> None:
    contact = await given_a_four_stage_cycle(sessions)
    await given_in_progress(sessions, contact, "FOUR", 1, "OPP")

    async with sessions() as first:
        # when one move holds the lock, uncommitted ...
        held = await update_stage(first, ADMIN, "OPP", NEXT, cancel_old_tasks=False, expected_version=None)

        async def second_move(session: AsyncSession) -> LifecycleResult:
            return await update_stage(
                session,
                ADMIN,
                "OPP",
                NEXT,
                cancel_old_tasks=False,
                expected_version=None,
            )

        # ... and a second one starts and waits for it
        second = asyncio.create_task(write(sessions, second_move))
        for _ in range(200):
            if await waiting_for_a_lock(sessions):
                break
            await asyncio.sleep(0.01)
        assert await waiting_for_a_lock(sessions), "the second move never waited for the lock"
        await first.commit()
    moved = await second

    # then the second continued from the first's entry: stage 2 -> 3, one chain, one active entry
    assert held.entry is not None
    assert moved.entry is not None
    assert (held.entry.previous_sales_cycle_stage, held.entry.sales_cycle_stage) == (1, 2)
    assert (moved.entry.previous_sales_cycle_stage, moved.entry.sales_cycle_stage) == (2, 3)
    assert moved.entry.action_taken is ActionTaken.NEXT
    entries = await entries_of(sessions, "OPP")
    assert_one_chain(entries)
    assert [(e.sales_cycle_stage, e.active) for e in entries] == [(1, False), (2, False), (3, True)]
    assert (await opportunity_row(sessions, "OPP")).version == 3
    assert moved.opportunity.version == 3
