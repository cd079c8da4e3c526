"""Webhook deliveries end to end (api.md §7.6, issue 12's acceptance): two real ``salesgraph
serve`` processes on one database, a real local receiver. Each event is accepted exactly once, in
order per opportunity, with a signature that verifies; a receiver that fails twice gets the
retries; two processes never deliver one event twice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from resolvers.session import session_factory
from server.engine import create_engine
from tests.server.cli_process import cli_env
from tests.server.serving import serving
from tests.support.api import new_key
from tests.support.factories import add, company, cycle, opportunity, salesperson
from tests.support.pg import admin_execute, drop_database, unique_name, with_database
from tests.webhooks.receiver import Received, receiving, verifies

pytestmark = pytest.mark.own_database

SECRET = "whsec-0123456789abcdef"
CREATE = """mutation($input: CreateWebhookInput!) { createWebhook(input: $input) {
  webhook { id } userErrors { code field } } }"""
DELETE = """mutation($input: DeleteWebhookInput!) { deleteWebhook(input: $input) { userErrors { code } } }"""
UPDATE = """mutation($input: UpdateOpportunityInput!) {
  updateOpportunity(input: $input) { userErrors { code } } }"""
DELIVERIES = """query($filter: WebhookDeliveryFilter) { webhookDeliveries(filter: $filter, first: 100) {
  nodes { eventId status attempts lastStatusCode } } }"""


@pytest.fixture(scope="module")
async def hook_db(pg_url: str, template_db: str) -> AsyncIterator[tuple[str, str]]:
    name = unique_name("sg_hooks")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    url = with_database(pg_url, name)
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        customer = company("C1")
        await add(sessions, salesperson("SP1"), customer, *cycle("CY", stages=2))
        await add(
            sessions,
            opportunity("OPA", customer, "SP1", None, description="Alpha"),
            opportunity("OPB", customer, "SP1", None, description="Beta"),
        )
        key = await new_key(sessions, "ADMIN", name="admin")
    finally:
        await engine.dispose()
    yield url, key
    await drop_database(pg_url, name)


@pytest.fixture(scope="module")
def servers(hook_db: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    url, _ = hook_db
    logs: Path = tmp_path_factory.mktemp("hooks")
    env = cli_env(DATABASE_URL=url)
    with (
        serving([], env, logs / "a.log", ready="/readyz") as a,
        serving([], env, logs / "b.log", ready="/readyz") as b,
    ):
        yield [a, b]


def call(base: str, key: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    assert payload.get("userErrors", []) == [], payload
    return payload


def register(base: str, key: str, url: str) -> str:
    created = call(base, key, CREATE, input={"url": url, "events": ["UPDATED"], "secret": SECRET})
    webhook_id: str = created["webhook"]["id"]
    return webhook_id


def per_opportunity(received: list[Received]) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {}
    for r in received:
        ids.setdefault(r.event["opportunityNo"], []).append(int(r.event["id"]))
    return ids


def test_a_receiver_failing_twice_gets_every_event_once_in_order_signed(
    hook_db: tuple[str, str], servers: list[str]
) -> None:
    _, key = hook_db
    a, b = servers
    with receiving(failures=2) as receiver:
        webhook = register(a, key, receiver.url)
        for n, (base, no) in enumerate([(a, "OPA"), (b, "OPB"), (a, "OPA"), (b, "OPA"), (a, "OPB")]):
            call(base, key, UPDATE, input={"no": no, "description": f"Change {n}"})

        accepted = receiver.wait_for(5)
        deliveries = call(a, key, DELIVERIES, filter={"webhookId": webhook})["nodes"]
        call(a, key, DELETE, input={"id": webhook})

    ids = [int(r.event["id"]) for r in accepted]
    assert len(ids) == len(set(ids)) == 5
    order = per_opportunity(accepted)
    assert {no: len(got) for no, got in order.items()} == {"OPA": 3, "OPB": 2}
    assert all(got == sorted(got) for got in order.values())
    assert all(verifies(SECRET, r) for r in receiver.received)
    assert not verifies("another-secret-16chars", accepted[0])
    assert [r.status for r in receiver.received[:2]] == [500, 500]
    assert {r.event["type"] for r in accepted} == {"UPDATED"}
    assert set(accepted[0].event) == {"id", "type", "occurredAt", "opportunityNo", "entryNo"}
    assert sorted(int(d["eventId"]) for d in deliveries) == sorted(ids)
    assert {(d["status"], d["lastStatusCode"]) for d in deliveries} == {("DELIVERED", 200)}
    assert sum(d["attempts"] for d in deliveries) == 5 + 2


def test_two_processes_deliver_each_event_once(hook_db: tuple[str, str], servers: list[str]) -> None:
    _, key = hook_db
    a, b = servers
    with receiving(delay_seconds=0.05) as receiver:
        webhook = register(b, key, receiver.url)
        for n in range(12):
            call(servers[n % 2], key, UPDATE, input={"no": "OPA" if n % 3 else "OPB", "description": f"D{n}"})

        accepted = receiver.wait_for(12)
        call(a, key, DELETE, input={"id": webhook})

    ids = [int(r.event["id"]) for r in receiver.received]
    assert len(accepted) == len(ids) == len(set(ids)) == 12
    assert all(got == sorted(got) for got in per_opportunity(accepted).values())
