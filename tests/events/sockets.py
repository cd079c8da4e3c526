"""A graphql-transport-ws client over ``websockets`` for the subscription tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from sqlalchemy import func, select
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from models.event import EventType, OpportunityEvent
from resolvers.events.outbox import publish, record
from resolvers.session import session_factory
from server.engine import create_engine

PROTOCOL = Subprotocol("graphql-transport-ws")


@dataclass(frozen=True)
class Cluster:
    """The database, the two servers' base URLs, and a key per name."""

    db_url: str
    bases: tuple[str, str]
    keys: dict[str, str]

    def ws(self, which: int) -> str:
        return self.bases[which].replace("http://", "ws://") + "/graphql"


@contextmanager
def open_socket(url: str, payload: Mapping[str, Any] | None) -> Iterator[ClientConnection]:
    """A graphql-transport-ws connection, initialised with ``payload`` (``None``: not initialised)."""
    with connect(url, subprotocols=[PROTOCOL], open_timeout=10) as ws:
        if payload is not None:
            ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        yield ws


def bearer_payload(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def publish_events(url: str, *events: tuple[EventType, str, str | None]) -> None:
    """Commit ``events`` as a use case would (for tests of the transport alone)."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            for type_, no, code in events:
                record(session, type_, no, code)
            await publish(session)
            await session.commit()
    finally:
        await engine.dispose()


async def last_event_id(url: str) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            last = await session.scalar(select(func.coalesce(func.max(OpportunityEvent.id), 0)))
            return int(last or 0)
    finally:
        await engine.dispose()


async def collect(
    ws_url: str, key: str, query: str, variables: dict[str, Any], count: int, within: float = 15
) -> list[dict[str, Any]]:
    """The first ``count`` events of a subscription, with the ``gql`` client."""
    transport = WebsocketsTransport(url=ws_url, init_payload=bearer_payload(key))
    received: list[dict[str, Any]] = []
    async with asyncio.timeout(within), Client(transport=transport) as session:
        request = gql(query)
        request.variable_values = variables
        async for result in session.subscribe(request):
            received.append(result["opportunityEvents"])
            if len(received) >= count:
                break
    return received
