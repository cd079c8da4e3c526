"""Two real ``salesgraph serve`` processes on one database share the keys and the cost buckets:
a key revoked from the CLI stops working on both at once, and a bucket drained on one is drained on
the other (api.md §7.1, §7.3)."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.server.cli_process import cli_env, salesgraph
from tests.server.serving import serving
from tests.support.pg import admin_execute, drop_database, unique_name, with_database

THREE = "{ a: setup { timeZone } b: setup { timeZone } c: setup { timeZone } }"


@pytest.fixture(scope="module")
async def shared_db(pg_url: str, template_db: str) -> AsyncIterator[str]:
    name = unique_name("sg_two")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_database(pg_url, name)
    await drop_database(pg_url, name)


def _env(url: str) -> dict[str, str]:
    # A bucket of 5 points refilled at 1 point a second: three points a request.
    return cli_env(DATABASE_URL=url, SALESGRAPH_COST_BUCKET="5", SALESGRAPH_COST_RESTORE_RATE="1")


@pytest.fixture(scope="module")
def servers(shared_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    logs = tmp_path_factory.mktemp("two")
    env = _env(shared_db)
    with (
        serving([], env, logs / "a.log", ready="/readyz") as a,
        serving([], env, logs / "b.log", ready="/readyz") as b,
    ):
        yield [a, b]


def _cli(url: str, *args: str) -> str:
    done = subprocess.run(
        [salesgraph(), "keys", *args], env=_env(url), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _post(base: str, key: str, query: str = "{ setup { timeZone } }") -> httpx.Response:
    return httpx.post(
        f"{base}/graphql", json={"query": query}, headers={"Authorization": f"Bearer {key}"}, timeout=10
    )


@pytest.mark.own_database
def test_a_key_revoked_from_the_cli_stops_working_on_every_process(
    shared_db: str, servers: list[str]
) -> None:
    key = _cli(shared_db, "create", "--name", "revoked-partner", "--role", "READ_ONLY")
    assert key.startswith("sg_")
    assert [_post(base, key).status_code for base in servers] == [200, 200]

    _cli(shared_db, "revoke", "revoked-partner")

    after = [_post(base, key) for base in servers]
    assert [r.status_code for r in after] == [401, 401]
    assert all(r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED" for r in after)


@pytest.mark.own_database
def test_a_bucket_drained_on_one_process_is_drained_on_the_other(shared_db: str, servers: list[str]) -> None:
    key = _cli(shared_db, "create", "--name", "busy-partner", "--role", "READ_ONLY")
    first, second = servers

    on_first = _post(first, key, THREE)
    on_second = _post(second, key, THREE)

    assert on_first.status_code == 200
    assert on_first.json()["extensions"]["cost"]["actualQueryCost"] == 3
    assert on_second.status_code == 429, on_second.text
    assert on_second.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert int(on_second.headers["retry-after"]) >= 1
