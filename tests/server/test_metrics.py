"""api.md §7.7: ``GET /metrics`` in Prometheus text format: requests, latency, cost, throttling,
errors, the database pool, subscriptions and undelivered events; summed over ``--workers``."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.session import SessionFactory
from server import metrics
from server.engine import create_engine
from tests.conftest import TestDatabase
from tests.server.cli_process import cli_env, create_key_with_cli
from tests.server.serving import serving
from tests.support.api import bearer, new_key, partner_client, settings
from tests.support.pg import admin_execute, drop_database, unique_name, with_database

SETUP = "query Setup { setup { timeZone } }"
#: Every metric family (a labelled one has samples once a label value was seen).
FAMILIES = {
    "salesgraph_requests",
    "salesgraph_request_duration_seconds",
    "salesgraph_query_cost",
    "salesgraph_throttled_requests",
    "salesgraph_errors",
    "salesgraph_db_pool_in_use",
    "salesgraph_db_pool_waiting",
    "salesgraph_subscriptions_open",
    "salesgraph_events_undelivered",
    "salesgraph_worker_requests",
}


def families(exposition: str) -> set[str]:
    return {family.name for family in text_string_to_metric_families(exposition)}


def samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(scrape: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(
    client: httpx.AsyncClient, **headers: str
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_metrics_need_no_key_and_list_every_series(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")

    assert response.status_code == 200
    assert families(response.text) >= FAMILIES
    scraped = samples(response.text)
    # Gauges without labels have their sample from the start: no subscription or webhook exists yet.
    for gauge in (
        "salesgraph_subscriptions_open",
        "salesgraph_events_undelivered",
        "salesgraph_db_pool_in_use",
    ):
        assert (gauge, ()) in scraped


async def test_a_request_is_counted_by_operation_and_status_with_its_latency_and_cost(
    client: httpx.AsyncClient,
) -> None:
    before = await scrape(client)

    response = await client.post("/graphql", json={"query": SETUP})
    after = await scrape(client)

    assert response.status_code == 200
    requests = "salesgraph_requests_total"
    assert (
        value(after, requests, operation="Setup", status="200")
        == value(before, requests, operation="Setup", status="200") + 1
    )
    latency = "salesgraph_request_duration_seconds_count"
    assert value(after, latency, operation="Setup") == value(before, latency, operation="Setup") + 1
    for kind in ("requested", "actual"):
        cost = "salesgraph_query_cost_count"
        assert value(after, cost, kind=kind) == value(before, cost, kind=kind) + 1


async def test_an_operation_name_is_a_label_only_when_the_operation_ran(client: httpx.AsyncClient) -> None:
    # A name the document does not have: refused 400 before anything ran.
    refused = await client.post("/graphql", json={"query": SETUP, "operationName": "Invented"})
    scraped = await scrape(client)

    assert refused.status_code == 400
    assert not any(dict(labels).get("operation") == "Invented" for _, labels in scraped)
    assert value(scraped, "salesgraph_requests_total", operation="none", status="400") >= 1
    assert (
        value(scraped, "salesgraph_errors_total", code="GRAPHQL_VALIDATION_FAILED")
        + value(scraped, "salesgraph_errors_total", code="OPERATION_NOT_FOUND")
        + value(scraped, "salesgraph_errors_total", code="BAD_USER_INPUT")
        >= 1
    )


def test_operation_labels_stop_growing_at_their_limit() -> None:
    label = metrics.BoundedLabel(2)

    assert [label(name) for name in ["A", "B", "C", "A", "D", "B"]] == ["A", "B", "other", "A", "other", "B"]


async def test_a_throttled_request_is_counted(database: TestDatabase, sessions: SessionFactory) -> None:
    key = await new_key(sessions, "READ_ONLY")
    async with partner_client(database, cost_bucket=2, cost_restore_rate=1) as client:
        before = await scrape(client)
        statuses = [
            (
                await client.post(
                    "/graphql",
                    json={"query": "{ a: setup { timeZone } b: setup { timeZone } c: setup { timeZone } }"},
                    headers=bearer(key),
                )
            ).status_code
            for _ in range(2)
        ]
        after = await scrape(client)

    assert 429 in statuses
    throttled = "salesgraph_throttled_requests_total"
    assert value(after, throttled) == value(before, throttled) + statuses.count(429)
    errors = "salesgraph_errors_total"
    assert value(after, errors, code="THROTTLED") == value(before, errors, code="THROTTLED") + statuses.count(
        429
    )


async def test_the_scrape_token_when_set_is_required(database: TestDatabase) -> None:
    token = "t" * 32
    async with partner_client(database, metrics_token=token) as client:
        without = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 32})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})

    assert without.status_code == 401
    assert wrong.status_code == 401
    assert right.status_code == 200
    assert "salesgraph_requests_total" in right.text


@pytest.fixture
async def one_connection_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    # Any database will do: the test only holds connections.
    engine = create_engine(pg_url, settings(pool_size=1, max_overflow=0, pool_timeout_ms=10_000))
    yield engine
    await engine.dispose()


def gauge(name: str) -> float:
    return value(samples(metrics.exposition().decode()), name)


async def test_the_pool_gauges_count_connections_in_use_and_checkouts_waiting(
    one_connection_engine: AsyncEngine,
) -> None:
    in_use, waiting = gauge("salesgraph_db_pool_in_use"), gauge("salesgraph_db_pool_waiting")

    async with one_connection_engine.connect() as held:
        await held.execute(text("SELECT 1"))
        assert gauge("salesgraph_db_pool_in_use") == in_use + 1

        async def second() -> None:
            async with one_connection_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        queued = asyncio.create_task(second())
        for _ in range(100):
            if gauge("salesgraph_db_pool_waiting") == waiting + 1:
                break
            await asyncio.sleep(0.01)
        assert gauge("salesgraph_db_pool_waiting") == waiting + 1
    await queued

    assert gauge("salesgraph_db_pool_in_use") == in_use
    assert gauge("salesgraph_db_pool_waiting") == waiting


def test_the_subscription_and_outbox_gauges_move_by_their_functions() -> None:
    opened = gauge("salesgraph_subscriptions_open")

    metrics.subscription_opened()
    metrics.subscription_opened()
    metrics.subscription_closed()
    metrics.set_events_undelivered(7)

    assert gauge("salesgraph_subscriptions_open") == opened + 1
    assert gauge("salesgraph_events_undelivered") == 7
    metrics.subscription_closed()
    metrics.set_events_undelivered(0)


# --- several workers: a real ``salesgraph serve --workers 2`` --------------------------------


@pytest.fixture(scope="module")
async def workers_db(pg_url: str, template_db: str) -> AsyncIterator[str]:
    name = unique_name("sg_metrics")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_database(pg_url, name)
    await drop_database(pg_url, name)


@pytest.fixture(scope="module")
def two_workers(workers_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("metrics") / "serve.log"
    with serving(["--workers", "2"], cli_env(DATABASE_URL=workers_db), log, ready="/readyz") as base:
        yield base


def _per_worker(scraped: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> dict[str, float]:
    return {
        dict(labels)["pid"]: v
        for (name, labels), v in scraped.items()
        if name == "salesgraph_worker_requests"
    }


def _scrape(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    # A new connection each time: the workers share the listening socket, either may answer.
    response = httpx.get(f"{base}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    return samples(response.text)


@contextmanager
def _only(base: str, pid: str) -> Iterator[None]:
    """Every connection accepted by worker ``pid``: the other one is stopped (SIGSTOP) meanwhile.
    The kernel hands a new connection to either worker, and under light load mostly to the same
    one; a stopped one cannot take it. A second or so, far below uvicorn's 5 s health check."""
    workers = _per_worker(_scrape(base))
    assert len(workers) == 2, workers
    (other,) = set(workers) - {pid}
    os.kill(int(other), signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(int(other), signal.SIGCONT)


@pytest.mark.own_database
def test_two_workers_report_requests_summed_over_both(workers_db: str, two_workers: str) -> None:
    key = create_key_with_cli(workers_db, "metrics-partner")
    before = _scrape(two_workers)
    workers = sorted(_per_worker(before))
    assert len(workers) == 2, workers  # both live, each with its own sample
    counted = "salesgraph_requests_total"
    start = value(before, counted, operation="Setup", status="200")

    def post() -> httpx.Response:
        return httpx.post(f"{two_workers}/graphql", json={"query": SETUP}, headers=bearer(key), timeout=10)

    # Worker 1 answers 3 requests, worker 2 answers 5 (and one 401), then both take turns.
    for pid, count in zip(workers, (3, 5), strict=True):
        with _only(two_workers, pid):
            assert [post().status_code for _ in range(count)] == [200] * count
    with _only(two_workers, workers[1]):
        assert httpx.post(f"{two_workers}/graphql", json={"query": SETUP}, timeout=10).status_code == 401
    assert {post().status_code for _ in range(10)} == {200}
    sent = 3 + 5 + 10

    # Each worker answers scrapes in turn: both report what both answered.
    responses = []
    for pid in workers * 2:
        with _only(two_workers, pid):
            responses.append(httpx.get(f"{two_workers}/metrics", timeout=10))
    assert all(families(response.text) >= FAMILIES for response in responses)
    for scraped in (samples(response.text) for response in responses):
        per_worker = _per_worker(scraped)
        assert per_worker[workers[0]] >= 3, per_worker
        assert per_worker[workers[1]] >= 6, per_worker
        assert sum(per_worker.values()) - sum(_per_worker(before).values()) == sent + 1
        assert value(scraped, counted, operation="Setup", status="200") == start + sent
        latency = "salesgraph_request_duration_seconds_count"
        assert value(scraped, latency, operation="Setup") == value(before, latency, operation="Setup") + sent
        cost = "salesgraph_query_cost_count"
        assert value(scraped, cost, kind="actual") == value(before, cost, kind="actual") + sent
        assert value(scraped, "salesgraph_errors_total", code="UNAUTHENTICATED") == 1
        assert value(scraped, "salesgraph_db_pool_in_use") >= 0
        assert value(scraped, "salesgraph_subscriptions_open") == 0
