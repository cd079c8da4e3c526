"""``opportunityEvents`` over graphql-transport-ws on real server processes (api.md §7.6): text
frames, the caller authenticated by the ``connection_init`` payload, subscriptions only, and the
events committed through one process delivered to a subscriber of the other, in order."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping

import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import ConnectionClosed

from models.event import EventType
from tests.events.sockets import Cluster, bearer_payload, last_event_id, open_socket, publish_events

pytestmark = pytest.mark.own_database

EVENTS = "subscription($after: String) { opportunityEvents(after: $after) { id type opportunityNo } }"


def _close_code(
    ws_url: str, payload: Mapping[str, object] | None, then: Mapping[str, object] | None = None
) -> int:
    with open_socket(ws_url, payload) as ws:
        if then is not None:
            ws.send(json.dumps(then))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None
        return closed.value.rcvd.code


def test_a_connection_init_without_a_key_is_refused_4403(cluster: Cluster) -> None:
    assert _close_code(cluster.ws(0), {}) == 4403


def test_an_unknown_key_is_refused_4403(cluster: Cluster) -> None:
    assert _close_code(cluster.ws(0), bearer_payload("sg_not_a_key")) == 4403


def test_a_subscribe_before_connection_init_is_refused_4401(cluster: Cluster) -> None:
    subscribe = {"id": "1", "type": "subscribe", "payload": {"query": EVENTS}}
    assert _close_code(cluster.ws(0), None, subscribe) == 4401


def test_frames_are_text_and_a_valid_key_is_acknowledged(cluster: Cluster) -> None:
    with open_socket(cluster.ws(1), bearer_payload(cluster.keys["admin"])) as ws:
        ack = ws.recv(timeout=10)
    assert isinstance(ack, str)
    assert json.loads(ack) == {"type": "connection_ack"}


def test_a_query_over_the_websocket_is_refused(cluster: Cluster) -> None:
    with open_socket(cluster.ws(0), bearer_payload(cluster.keys["admin"])) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "q", "type": "subscribe", "payload": {"query": "{ setup { timeZone } }"}}))
        answer = json.loads(ws.recv(timeout=10))
    assert answer["type"] == "error"
    assert answer["id"] == "q"


def test_an_after_that_is_not_an_event_id_is_invalid_cursor(cluster: Cluster) -> None:
    with open_socket(cluster.ws(0), bearer_payload(cluster.keys["admin"])) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        subscribe = {"query": EVENTS, "variables": {"after": "abc"}}
        ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": subscribe}))
        answer = json.loads(ws.recv(timeout=10))
    assert answer["type"] in {"next", "error"}
    errors = answer["payload"]["errors"] if answer["type"] == "next" else answer["payload"]
    assert errors[0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_gql_receives_on_one_process_what_commits_through_the_other_in_order(cluster: Cluster) -> None:
    transport = WebsocketsTransport(url=cluster.ws(1), init_payload=bearer_payload(cluster.keys["admin"]))
    received: list[tuple[str, str]] = []
    async with Client(transport=transport) as session:
        # From the last event so far: whether the subscription is registered before the first
        # commit below or after, nothing is missed.
        request = gql(EVENTS)
        request.variable_values = {"after": str(await last_event_id(cluster.db_url))}

        async def listen() -> None:
            async for result in session.subscribe(request):
                event = result["opportunityEvents"]
                received.append((event["type"], event["opportunityNo"]))
                if len(received) == 3:
                    return

        listening = asyncio.create_task(listen())
        await asyncio.sleep(1)  # subscribed: the events below are live ones
        started = time.monotonic()
        await publish_events(cluster.db_url, (EventType.CREATED, "T1", "SP1"))
        await publish_events(
            cluster.db_url, (EventType.UPDATED, "T1", "SP1"), (EventType.CREATED, "T2", "SP1")
        )
        await asyncio.wait_for(listening, 10)
        elapsed = time.monotonic() - started
    assert received == [("CREATED", "T1"), ("UPDATED", "T1"), ("CREATED", "T2")]
    assert elapsed < 1.5


def test_a_subscription_past_the_cost_limit_is_refused_before_it_runs(cluster: Cluster) -> None:
    costly = """subscription { opportunityEvents { opportunity { contact {
      opportunities(first: 100) { nodes { contact { opportunities(first: 100) { nodes {
        contact { opportunities(first: 100) { nodes { no } } } } } } } } } } } }"""
    with open_socket(cluster.ws(0), bearer_payload(cluster.keys["admin"])) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "c", "type": "subscribe", "payload": {"query": costly}}))
        answer = json.loads(ws.recv(timeout=10))
    assert answer["type"] == "error"
    assert answer["payload"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
