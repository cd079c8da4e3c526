"""Issue 12's acceptance, on two real server processes and one database: a subscriber on process B
receives, within a second and in commit order, the events of the mutations sent to process A; a
``SALESPERSON`` subscriber receives only its own opportunities'; a refused mutation emits nothing."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.events.sockets import Cluster, collect, last_event_id

pytestmark = pytest.mark.own_database

EVENTS = """subscription($after: String) {
  opportunityEvents(after: $after) { type opportunityNo opportunity { description } } }"""
UPDATE = """mutation($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) {
  userErrors { code } } }"""
CREATE = """mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
  opportunity { no } userErrors { code field } } }"""
DELETE = """mutation($input: DeleteOpportunityInput!) { deleteOpportunity(input: $input) {
  userErrors { code } } }"""


async def _mutate(http: httpx.AsyncClient, key: str, document: str, **input: Any) -> dict[str, Any]:
    answer = await http.post(
        "/graphql",
        json={"query": document, "variables": {"input": input}},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 200, answer.text
    payload: dict[str, Any] = next(iter(answer.json()["data"].values()))
    return payload


async def test_mutations_on_one_process_reach_subscribers_on_the_other_in_order(cluster: Cluster) -> None:
    admin, sp1 = cluster.keys["admin"], cluster.keys["sp1"]
    # From the last event so far, so that a subscription registered after the first commit below
    # misses nothing either; by the time the mutations run, both are live.
    since = {"after": str(await last_event_id(cluster.db_url))}
    everything = asyncio.create_task(collect(cluster.ws(1), admin, EVENTS, since, 4))
    own = asyncio.create_task(collect(cluster.ws(1), sp1, EVENTS, since, 2))
    await asyncio.sleep(1.5)

    async with httpx.AsyncClient(base_url=cluster.bases[0], timeout=10) as http:
        assert (await _mutate(http, admin, UPDATE, no="OPA", description="Alpha, renamed"))[
            "userErrors"
        ] == []
        assert (await _mutate(http, admin, UPDATE, no="OPB", description="Beta, renamed"))["userErrors"] == []
        refused = await _mutate(http, admin, UPDATE, no="OPA", description="Stale", expectedVersion=99)
        assert refused["userErrors"] == [{"code": "STALE_VERSION"}]
        created = await _mutate(
            http,
            admin,
            CREATE,
            description="Gamma",
            contactNo="C1",
            salespersonCode="SP1",
            salesCycleCode="CY",
        )
        assert created["userErrors"] == []
        assert (await _mutate(http, admin, DELETE, no="OPB"))["userErrors"] == []
        committed = time.monotonic()
        new_no = created["opportunity"]["no"]

        received = await asyncio.wait_for(asyncio.gather(everything, own), 10)
        delay = time.monotonic() - committed

    assert [(e["type"], e["opportunityNo"]) for e in received[0]] == [
        ("UPDATED", "OPA"),
        ("UPDATED", "OPB"),
        ("CREATED", new_no),
        ("DELETED", "OPB"),
    ]
    assert [(e["type"], e["opportunityNo"]) for e in received[1]] == [("UPDATED", "OPA"), ("CREATED", new_no)]
    assert received[1][0]["opportunity"] == {"description": "Alpha, renamed"}
    assert delay < 1.0
