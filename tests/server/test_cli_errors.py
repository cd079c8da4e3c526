"""``salesgraph`` refusing what it cannot use: one ``salesgraph: error: …`` line, an exit code, no traceback.

Each test runs the installed command as a subprocess (tests/server/cli_process.py).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from server.engine import create_engine
from server.migrate import head_revision
from tests.server.cli_process import cli_env, run_cli
from tests.server.serving import free_port

EVERY_COMMAND = [
    ("serve",),
    ("migrate",),
    ("seed", "--demo"),
    ("export-schema", "--output", "-"),
    ("make-migration", "-m", "nothing"),
]
DATABASE_COMMANDS = [("serve",), ("migrate",), ("seed", "--demo")]


def runnable(command: tuple[str, ...]) -> tuple[str, ...]:
    """``command``, on a free port when it serves (the port is checked before the database)."""
    return (*command, "--port", str(free_port())) if command[0] == "serve" else command


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=" ".join)
async def test_a_bad_setting_stops_every_command_with_exit_2(command: tuple[str, ...]) -> None:
    finished = await run_cli(*runnable(command), env=cli_env(SALESGRAPH_POOL_SIZE="0"))

    line = finished.assert_one_error(2, "SALESGRAPH_POOL_SIZE must be 1 or more, not '0'")
    assert line == "salesgraph: error: SALESGRAPH_POOL_SIZE must be 1 or more, not '0'"
    assert finished.stdout == ""


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "DATABASE_URL",
            "postgresql://x:s3cret@h:notaport/db",
            "DATABASE_URL has a port that is not a number",
        ),
        (
            "DATABASE_URL",
            "mysql://x:s3cret@h/db",
            "DATABASE_URL must be a PostgreSQL URL (postgresql://…), not mysql://…",
        ),
        (
            "SALESGRAPH_STATEMENT_TIMEOUT_MS",
            "0",
            "SALESGRAPH_STATEMENT_TIMEOUT_MS must be 1 or more, not '0'",
        ),
        (
            "SALESGRAPH_LOG_LEVEL",
            "LOUD",
            "SALESGRAPH_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'",
        ),
    ],
    ids=["url-port", "url-mysql", "statement-timeout", "log-level"],
)
async def test_each_bad_setting_is_one_line_naming_it(variable: str, value: str, message: str) -> None:
    finished = await run_cli("migrate", env=cli_env(**{variable: value}))

    assert finished.assert_one_error(2, message) == f"salesgraph: error: {message}"
    assert "s3cret" not in finished.stderr


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word, as a hung server would."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port: int = listener.getsockname()[1]
        yield port


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
async def test_a_refused_connection_is_exit_1_naming_the_database(
    command: tuple[str, ...], closed_port: int
) -> None:
    url = f"postgresql://postgres:s3cret@127.0.0.1:{closed_port}/salesgraph"

    finished = await run_cli(*runnable(command), env=cli_env(DATABASE_URL=url))

    line = finished.assert_one_error(
        1, f"cannot connect to postgresql://postgres:***@127.0.0.1:{closed_port}/salesgraph"
    )
    assert "s3cret" not in finished.stderr, line


async def test_a_database_that_does_not_answer_is_exit_1_after_the_connect_timeout(
    silent_server: int,
) -> None:
    env = cli_env(
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{silent_server}/salesgraph",
        SALESGRAPH_CONNECT_TIMEOUT_MS="500",
    )

    finished = await run_cli("migrate", env=env, wait_seconds=30)

    finished.assert_one_error(1, "no answer within 500 ms (SALESGRAPH_CONNECT_TIMEOUT_MS)")


async def test_a_database_that_does_not_exist_is_exit_1(pg_url: str) -> None:
    url = pg_url.rsplit("/", 1)[0] + "/sg_no_such_database"

    finished = await run_cli("migrate", env=cli_env(DATABASE_URL=url))

    finished.assert_one_error(1, 'database "sg_no_such_database" does not exist')


@pytest.mark.own_database
@pytest.mark.parametrize("command", [*DATABASE_COMMANDS, ("make-migration", "-m", "x")], ids=" ".join)
async def test_a_database_migrated_past_this_code_is_refused_and_left_alone(
    command: tuple[str, ...], db_url: str
) -> None:
    # Given a database stamped by a newer salesgraph (a revision migrations/versions lacks)
    engine = create_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))

        # When a command meets it, even one asked to migrate
        migrate = () if command[0] == "migrate" else ("--migrate",)
        finished = await run_cli(*runnable(command), *migrate, env=cli_env(DATABASE_URL=db_url))

        # Then it is refused, and nothing was changed
        finished.assert_one_error(
            1, f"is at migration ffff, which this salesgraph does not know (its newest is {head_revision()})"
        )
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == "ffff"
            assert await conn.scalar(text("SELECT count(*) FROM salesperson")) == 0
    finally:
        await engine.dispose()


@pytest.mark.own_database
async def test_serve_on_a_port_in_use_is_exit_1_before_touching_the_database(db_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        finished = await run_cli("serve", "--demo", "--port", str(port), env=cli_env(DATABASE_URL=db_url))

    finished.assert_one_error(1, f"cannot listen on 127.0.0.1:{port}: Address already in use")
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM salesperson")) == 0
    finally:
        await engine.dispose()


@pytest.mark.parametrize("port", ["0", "65536", "http"])
async def test_serve_refuses_a_port_outside_the_range_as_a_bad_argument(port: str) -> None:
    finished = await run_cli("serve", "--port", port, env=cli_env())

    assert finished.code == 2, finished.stderr
    assert "argument --port" in finished.stderr
    assert "Traceback" not in finished.stderr
