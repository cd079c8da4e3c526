"""A database restart while a client is subscribed (api.md §7.6): the server's feed reconnects and
the subscriber receives every event committed since, with no duplicates; a client that was away
resubscribes with ``after`` and gets what it missed.

The PostgreSQL is one of the test's own (the embedded server, in a temporary directory): the shared
one at 127.0.0.1:5432 serves the other tests and is never restarted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from models.event import EventType
from resolvers.session import session_factory
from server.embedded import EmbeddedPostgres
from server.engine import async_url, create_engine
from server.migrate import upgrade
from tests.events.sockets import bearer_payload, publish_events
from tests.server.cli_process import cli_env
from tests.server.serving import serving
from tests.support.api import new_key

pytestmark = pytest.mark.own_database

EVENTS = "subscription($after: String) { opportunityEvents(after: $after) { id type opportunityNo } }"


@pytest.fixture
async def own_postgres(tmp_path: Path) -> AsyncIterator[tuple[EmbeddedPostgres, str, str]]:
    """An embedded PostgreSQL of the test's own, migrated, with an ADMIN key: (server, url, key)."""
    embedded = EmbeddedPostgres(tmp_path / "pg")
    url = await asyncio.to_thread(embedded.start)
    engine = create_engine(async_url(url))
    try:
        await upgrade(engine)
        key = await new_key(session_factory(engine), "ADMIN", name="restart")
    finally:
        await engine.dispose()
    try:
        yield embedded, url, key
    finally:
        await asyncio.to_thread(embedded.delete)


async def test_a_subscriber_gets_every_event_committed_after_a_restart_once(
    own_postgres: tuple[EmbeddedPostgres, str, str], tmp_path: Path
) -> None:
    embedded, url, key = own_postgres
    received: list[tuple[str, str, str]] = []
    first = asyncio.Event()

    async def subscribe(ws_url: str, after: str | None, until: int) -> None:
        transport = WebsocketsTransport(url=ws_url, init_payload=bearer_payload(key), ping_interval=None)
        async with Client(transport=transport) as session:
            request = gql(EVENTS)
            request.variable_values = {"after": after}
            async for result in session.subscribe(request):
                event = result["opportunityEvents"]
                received.append((event["id"], event["type"], event["opportunityNo"]))
                first.set()
                if len(received) >= until:
                    return

    with serving([], cli_env(DATABASE_URL=url), tmp_path / "serve.log", ready="/readyz") as base:
        ws_url = base.replace("http://", "ws://") + "/graphql"
        listening = asyncio.create_task(subscribe(ws_url, "0", 3))  # "0": whenever it registers
        await asyncio.sleep(1)
        await publish_events(async_url(url), (EventType.CREATED, "R1", None))
        await asyncio.wait_for(first.wait(), 5)

        await asyncio.to_thread(embedded.stop)
        await asyncio.to_thread(embedded.start)
        await publish_events(async_url(url), (EventType.UPDATED, "R1", None))
        await publish_events(async_url(url), (EventType.CREATED, "R2", None))
        await asyncio.wait_for(listening, 30)

        assert [(t, no) for _, t, no in received] == [("CREATED", "R1"), ("UPDATED", "R1"), ("CREATED", "R2")]

        # Away: what commits meanwhile comes first when the client resubscribes with `after`.
        last_seen = received[-1][0]
        await publish_events(async_url(url), (EventType.DELETED, "R1", None))
        await publish_events(async_url(url), (EventType.CLOSED, "R2", None))
        received.clear()
        await asyncio.wait_for(subscribe(ws_url, last_seen, 2), 15)

    assert [(t, no) for _, t, no in received] == [("DELETED", "R1"), ("CLOSED", "R2")]
    assert (
        "event feed: the event feed's connection was closed; reconnecting"
        in (tmp_path / "serve.log").read_text()
    )
