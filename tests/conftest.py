"""Fixtures: a real PostgreSQL, one migrated database shared by the run, a rolled-back transaction
per test (``tests/support/isolation.py``), and a database of its own for a test marked
``own_database``.

The app-facing fixtures (``sessions``, ``client``, ``gql``, ``sql_log``) serve both kinds of test:
they follow the test's ``database``.

``gql`` shadow-runs every query document on a second app whose reads are never compiled
(``tests/support/differential.py``) and fails the test when the two answers differ; ``sql_log``
does not count the shadow run's statements. ``SALESGRAPH_SHADOW_READS=0`` turns the shadow off.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from resolvers.session import SessionFactory, session_factory
from server.app import create_app
from server.engine import create_engine
from server.migrate import upgrade
from tests.support.differential import (
    Answer,
    app_client,
    compare_answers,
    is_read,
    is_shadowing,
    settle,
    shadowing,
)
from tests.support.isolation import (
    ISOLATION_STATEMENT,
    begin_isolated,
    end_isolated,
    rolled_back_sessions,
)
from tests.support.pg import admin_execute, drop_database, server_url, unique_name, with_database

OWN_DATABASE = "own_database"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with server_url() as url:
        yield url


async def _migrated_database(pg_url: str, prefix: str) -> str:
    name = unique_name(prefix)
    await admin_execute(pg_url, f'CREATE DATABASE "{name}"')
    engine = create_engine(with_database(pg_url, name))
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    return name


@pytest.fixture(scope="session")
async def template_db(pg_url: str) -> AsyncIterator[str]:
    """The migrated database that ``own_database`` tests get a copy of (nobody connects to it)."""
    name = await _migrated_database(pg_url, "sg_template")
    yield name
    await drop_database(pg_url, name)


@pytest.fixture(scope="session")
async def shared_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    """The migrated database every isolated test runs in; nothing is ever committed to it."""
    name = await _migrated_database(pg_url, "sg_shared")
    eng = create_engine(with_database(pg_url, name))
    yield eng
    await eng.dispose()
    await drop_database(pg_url, name)


@pytest.fixture
async def connection(shared_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """The one connection of an isolated test, inside a transaction rolled back at its end."""
    async with shared_engine.connect() as conn:
        await begin_isolated(conn)
        try:
            yield conn
        finally:
            await end_isolated(conn)


@pytest.fixture
async def db_url(request: pytest.FixtureRequest, pg_url: str, template_db: str) -> AsyncIterator[str]:
    """A fresh, migrated, empty database of the test's own, for real commits."""
    if request.node.get_closest_marker(OWN_DATABASE) is None:
        pytest.fail(f"{request.node.nodeid} needs a database of its own: mark it @pytest.mark.{OWN_DATABASE}")
    name = unique_name("sg_test")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_database(pg_url, name)
    await drop_database(pg_url, name)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's own database (``own_database`` tests only)."""
    eng = create_engine(db_url)
    yield eng
    await eng.dispose()


@dataclass(frozen=True)
class TestDatabase:
    """Where a test's rows live: the engine whose statements to watch and the sessions to use."""

    __test__ = False  # a fixture's value, not a test class

    engine: AsyncEngine
    sessions: SessionFactory


@pytest.fixture
def database(request: pytest.FixtureRequest) -> TestDatabase:
    if request.node.get_closest_marker(OWN_DATABASE) is not None:
        own: AsyncEngine = request.getfixturevalue("engine")
        return TestDatabase(own, session_factory(own))
    shared: AsyncEngine = request.getfixturevalue("shared_engine")
    conn: AsyncConnection = request.getfixturevalue("connection")
    return TestDatabase(shared, rolled_back_sessions(conn))


@pytest.fixture
def sessions(database: TestDatabase) -> SessionFactory:
    return database.sessions


@dataclass
class StatementLog:
    """The SQL statements an engine executed, for query-count assertions."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def clear(self) -> None:
        self.statements.clear()


@pytest.fixture
def sql_log(database: TestDatabase) -> Iterator[StatementLog]:
    """The statements the app runs, without the savepoints an isolated test adds and without the
    ``gql`` fixture's shadow runs."""
    log = StatementLog()
    engine = database.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not is_shadowing() and not ISOLATION_STATEMENT.match(statement):
            log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield log
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
async def client(database: TestDatabase) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(database.engine, dev=True, sessions=database.sessions)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


class GraphQLClient:
    """Posts GraphQL documents with variables and returns ``data``, failing on top-level errors.

    With a ``shadow`` client (the resolver-path app), every query document is posted there too,
    not counted by ``sql_log``, and the two answers must be identical (status, data, errors, cost).
    """

    def __init__(self, http: httpx.AsyncClient, shadow: httpx.AsyncClient | None = None) -> None:
        self.http = http
        self.shadow = shadow
        self.shadowed = 0

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        payload = {"query": query, "variables": variables or {}}
        response = await self.http.post("/graphql", json=payload)
        if self.shadow is not None and is_read(query):
            await self._shadow(payload, response)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def _shadow(self, payload: dict[str, Any], response: httpx.Response) -> None:
        assert self.shadow is not None
        headers = {"x-request-id": response.headers.get("x-request-id", "shadow")}
        shadow = self.shadow

        async def resolve() -> Answer:
            with shadowing():
                return Answer.of(await shadow.post("/graphql", json=payload, headers=headers))

        comparison = await settle(compare_answers(await resolve(), Answer.of(response)), resolve)
        self.shadowed += 1
        assert comparison.same, comparison.report(payload["query"], payload["variables"])

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.raw(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


def shadow_reads() -> bool:
    return os.environ.get("SALESGRAPH_SHADOW_READS", "1") not in ("0", "false", "no", "off")


@pytest.fixture
async def gql(client: httpx.AsyncClient, database: TestDatabase) -> AsyncIterator[GraphQLClient]:
    if not shadow_reads():
        yield GraphQLClient(client)
        return
    async with app_client(database, compile_reads=False) as resolver:
        yield GraphQLClient(client, shadow=resolver)


@pytest.fixture(params=["compiled", "resolvers"])
async def read_path(
    request: pytest.FixtureRequest, database: TestDatabase
) -> AsyncIterator[tuple[str, GraphQLClient]]:
    """The dev-mode app with the read compiler on (``compiled``) or off (``resolvers``), for tests
    of what each path costs: a compiled read is one statement, the resolvers batch per level."""
    from dataclasses import replace

    from server.settings import Settings

    settings = replace(Settings.from_env({}), compile_reads=request.param == "compiled")
    app = create_app(database.engine, dev=True, sessions=database.sessions, settings=settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield request.param, GraphQLClient(c)
