"""The subscription tests' servers: two real ``salesgraph serve`` processes on one database of the
module's own, with an ``ADMIN`` key and a ``SALESPERSON`` key (SP1), and two opportunities: OPA
("Alpha deal", SP1's) and OPB ("Beta deal", SP2's), not started, and the two-stage cycle CY."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from resolvers.session import session_factory
from server.engine import create_engine
from tests.events.sockets import Cluster
from tests.server.cli_process import cli_env
from tests.server.serving import serving
from tests.support.api import new_key
from tests.support.factories import add, company, cycle, opportunity, salesperson
from tests.support.pg import admin_execute, drop_database, unique_name, with_database


@pytest.fixture(scope="module")
async def cluster_db(pg_url: str, template_db: str) -> AsyncIterator[tuple[str, dict[str, str]]]:
    name = unique_name("sg_events")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    url = with_database(pg_url, name)
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        customer = company("C1")
        await add(sessions, salesperson("SP1"), salesperson("SP2"), customer, *cycle("CY", stages=2))
        await add(
            sessions,
            opportunity("OPA", customer, "SP1", None, description="Alpha deal"),
            opportunity("OPB", customer, "SP2", None, description="Beta deal"),
        )
        keys = {
            "admin": await new_key(sessions, "ADMIN", name="admin"),
            "sp1": await new_key(sessions, "SALESPERSON", name="sp1", salesperson="SP1"),
        }
    finally:
        await engine.dispose()
    yield url, keys
    await drop_database(pg_url, name)


@pytest.fixture(scope="module")
def cluster(
    cluster_db: tuple[str, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    url, keys = cluster_db
    logs: Path = tmp_path_factory.mktemp("events")
    env = cli_env(DATABASE_URL=url)
    with (
        serving([], env, logs / "a.log", ready="/readyz") as a,
        serving([], env, logs / "b.log", ready="/readyz") as b,
    ):
        yield Cluster(url, (a, b), keys)
