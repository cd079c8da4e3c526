"""The outbox and one process's feed, against a real PostgreSQL (api.md §7.6): events published in
a transaction reach the feed's subscribers after COMMIT, in commit order, never after a rollback;
a feed whose connection is killed reconnects and delivers what was committed meanwhile, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from models.event import EventType, OpportunityEvent
from resolvers.events.feed import APPLICATION_NAME, EventFeed, Subscriber, listen_dsn
from resolvers.events.outbox import publish, record
from resolvers.events.reads import StoredEvent
from resolvers.session import SessionFactory, session_factory

pytestmark = pytest.mark.own_database


@pytest.fixture
async def feed(engine: AsyncEngine) -> AsyncIterator[EventFeed]:
    running = EventFeed(listen_dsn(engine.url), poll_seconds=60, backoff=(0.05, 0.2))
    await running.start()
    yield running
    await running.stop()


async def _commit(sessions: SessionFactory, *events: tuple[EventType, str]) -> None:
    async with sessions() as session:
        for type_, no in events:
            record(session, type_, no, "SP1")
        await publish(session)
        await session.commit()


async def _take(subscriber: Subscriber, count: int, within: float = 5.0) -> list[StoredEvent]:
    received: list[StoredEvent] = []

    async def collect() -> None:
        async for batch in subscriber.batches():
            received.extend(batch)
            if len(received) >= count:
                return

    await asyncio.wait_for(collect(), within)
    return received


async def test_committed_events_reach_a_subscriber_in_commit_order(
    engine: AsyncEngine, feed: EventFeed
) -> None:
    sessions = session_factory(engine)
    subscriber = feed.subscribe()

    await _commit(sessions, (EventType.CREATED, "OP1"))
    await _commit(sessions, (EventType.UPDATED, "OP1"), (EventType.CREATED, "OP2"))
    await _commit(sessions, (EventType.DELETED, "OP1"))

    received = await _take(subscriber, 4)
    assert [(e.type, e.opportunity_no) for e in received] == [
        (EventType.CREATED, "OP1"),
        (EventType.UPDATED, "OP1"),
        (EventType.CREATED, "OP2"),
        (EventType.DELETED, "OP1"),
    ]
    assert [e.salesperson_code for e in received] == ["SP1"] * 4
    assert [e.id for e in received] == sorted(e.id for e in received)


async def test_a_rolled_back_transaction_writes_and_notifies_nothing(
    engine: AsyncEngine, feed: EventFeed
) -> None:
    sessions = session_factory(engine)
    subscriber = feed.subscribe()
    async with sessions() as session:
        record(session, EventType.CREATED, "GONE", None)
        await publish(session)
        await session.rollback()

    await _commit(sessions, (EventType.CREATED, "KEPT"))

    received = await _take(subscriber, 1)
    assert [e.opportunity_no for e in received] == ["KEPT"]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OpportunityEvent)) == 1


async def test_a_transaction_that_publishes_later_gets_the_greater_ids(engine: AsyncEngine) -> None:
    # The first to publish holds the order lock until it commits: the second waits, then follows.
    sessions = session_factory(engine)
    async with sessions() as first, sessions() as second:
        record(first, EventType.CREATED, "FIRST", None)
        await publish(first)
        record(second, EventType.CREATED, "SECOND", None)
        waiting = asyncio.create_task(publish(second))
        await asyncio.sleep(0.5)
        assert not waiting.done()
        await first.commit()
        await asyncio.wait_for(waiting, 5)
        await second.commit()
    async with sessions() as session:
        rows = (
            await session.execute(select(OpportunityEvent.opportunity_no).order_by(OpportunityEvent.id))
        ).all()
    assert [r[0] for r in rows] == ["FIRST", "SECOND"]


async def test_publishing_nothing_sends_no_statement(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session:
        await publish(session)
        assert not session.in_transaction()


async def test_the_feed_reconnects_and_delivers_what_was_committed_meanwhile_once(
    engine: AsyncEngine, feed: EventFeed
) -> None:
    sessions = session_factory(engine)
    subscriber = feed.subscribe()
    await _commit(sessions, (EventType.CREATED, "BEFORE"))
    assert [e.opportunity_no for e in await _take(subscriber, 1)] == ["BEFORE"]

    async with engine.connect() as conn:
        killed = await conn.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :n"
                " AND datname = current_database()"
            ),
            {"n": APPLICATION_NAME},
        )
    assert killed == 1
    await _commit(sessions, (EventType.UPDATED, "BEFORE"))
    await _commit(sessions, (EventType.CREATED, "MEANWHILE"))

    received = await _take(subscriber, 2)
    assert [(e.type, e.opportunity_no) for e in received] == [
        (EventType.UPDATED, "BEFORE"),
        (EventType.CREATED, "MEANWHILE"),
    ]
    assert feed.connections == 2
    await _commit(sessions, (EventType.DELETED, "AFTER"))
    assert [e.opportunity_no for e in await _take(subscriber, 1)] == ["AFTER"]


async def test_a_subscriber_that_falls_behind_is_ended_and_every_leaving_is_counted(
    engine: AsyncEngine,
) -> None:
    open_now = [0]
    feed = EventFeed(
        listen_dsn(engine.url),
        max_pending=2,
        on_open=lambda: open_now.__setitem__(0, open_now[0] + 1),
        on_close=lambda: open_now.__setitem__(0, open_now[0] - 1),
    )
    await feed.start()
    try:
        sessions = session_factory(engine)
        subscriber = feed.subscribe()
        closed = feed.subscribe()
        kept = feed.subscribe()
        closed.close()
        closed.close()
        assert open_now == [2]
        for n in range(3):
            await _commit(sessions, (EventType.CREATED, f"OP{n}"))
            await asyncio.sleep(0.2)  # one batch each
        with pytest.raises(Exception, match="fell too far behind"):
            await _take(subscriber, 3)
        # ``kept`` took nothing either: dropped too; closing it afterwards counts nothing twice.
        assert feed.subscriber_count == 0
        assert open_now == [0]
        kept.close()
        assert open_now == [0]
    finally:
        await feed.stop()


async def test_the_feed_deletes_events_past_their_retention(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    await _commit(sessions, (EventType.CREATED, "OLD"), (EventType.CREATED, "NEW"))
    async with sessions() as session:
        await session.execute(
            text(
                "UPDATE opportunity_event SET occurred_at = now() - interval '8 days'"
                " WHERE opportunity_no = 'OLD'"
            )
        )
        await session.commit()

    feed = EventFeed(listen_dsn(engine.url), prune_seconds=3600)
    await feed.start()
    try:
        async with asyncio.timeout(5):
            while True:
                async with sessions() as session:
                    kept = (await session.execute(select(OpportunityEvent.opportunity_no))).scalars().all()
                if kept == ["NEW"]:
                    break
                await asyncio.sleep(0.1)
    finally:
        await feed.stop()
