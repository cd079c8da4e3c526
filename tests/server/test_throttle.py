"""api.md §7.3: per-key leaky buckets of cost points, 429 with Retry-After, ``extensions.cost``."""

from __future__ import annotations

from typing import Any

import httpx

from resolvers.session import SessionFactory
from tests.conftest import TestDatabase
from tests.support.api import bearer, new_key, partner_client
from tests.support.factories import add, company

PAGE = "{ contacts(first: 30) { nodes { no } } }"


async def post(client: httpx.AsyncClient, key: str, query: str = PAGE) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, headers=bearer(key))


def cost(response: httpx.Response) -> dict[str, Any]:
    value: dict[str, Any] = response.json()["extensions"]["cost"]
    return value


async def test_a_key_is_charged_what_it_got_and_throttled_when_its_bucket_is_short(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    await add(sessions, *[company(f"C{i:02}") for i in range(30)])
    key = await new_key(sessions, "READ_ONLY")
    async with partner_client(database, cost_bucket=100, cost_restore_rate=1) as client:
        first = await post(client, key)
        requested = cost(first)["requestedQueryCost"]
        actual = cost(first)["actualQueryCost"]
        assert actual == 31  # the connection and its thirty contacts
        assert requested >= actual
        left = cost(first)["throttleStatus"]["currentlyAvailable"]
        assert 100 - actual - 1 <= left <= 100 - actual + 1  # refilled by a second at most
        responses = [first]
        while len(responses) < 10:
            response = await post(client, key)
            responses.append(response)
            if response.status_code == 429:
                break
        throttled = responses[-1]

    assert throttled.status_code == 429
    assert throttled.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    available = cost(throttled)["throttleStatus"]["currentlyAvailable"]
    assert available < requested
    assert int(throttled.headers["retry-after"]) >= requested - available - 1
    assert cost(throttled)["requestedQueryCost"] == requested
    assert cost(throttled)["actualQueryCost"] is None
    assert [r.status_code for r in responses[:-1]] == [200] * (len(responses) - 1)


async def test_buckets_are_per_key(database: TestDatabase, sessions: SessionFactory) -> None:
    await add(sessions, *[company(f"C{i:02}") for i in range(30)])
    one = await new_key(sessions, "READ_ONLY", name="one")
    other = await new_key(sessions, "READ_ONLY", name="other")
    async with partner_client(database, cost_bucket=50, cost_restore_rate=1) as client:
        assert (await post(client, one)).status_code == 200
        assert (await post(client, one)).status_code == 429
        assert (await post(client, other)).status_code == 200


async def test_a_query_above_the_whole_bucket_is_throttled_and_says_so(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    key = await new_key(sessions, "READ_ONLY")
    async with partner_client(database, cost_bucket=10, cost_restore_rate=1) as client:
        response = await post(client, key)

    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 10


async def test_the_dev_loopback_caller_is_not_throttled(database: TestDatabase) -> None:
    async with partner_client(database, dev=True, cost_bucket=10, cost_restore_rate=1) as client:
        responses = [await client.post("/graphql", json={"query": PAGE}) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert cost(responses[-1])["throttleStatus"]["currentlyAvailable"] == 10


async def test_what_was_reserved_but_not_returned_goes_back_to_the_bucket(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    key = await new_key(sessions, "READ_ONLY")  # no contacts: each request returns one object
    async with partner_client(database, cost_bucket=100, cost_restore_rate=1) as client:
        responses = [await post(client, key) for _ in range(6)]

    # Six requests of 31 points each would empty a 100-point bucket after three; each is charged 1.
    assert [r.status_code for r in responses] == [200] * 6
    assert cost(responses[0])["requestedQueryCost"] == 31
    assert cost(responses[-1])["actualQueryCost"] == 1
    assert cost(responses[-1])["throttleStatus"]["currentlyAvailable"] >= 100 - 6
