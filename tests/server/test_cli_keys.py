"""``salesgraph keys``: create prints the key alone on stdout's last line, list never shows a secret,
revoke stops the key; refusals are one error line and exit 2 (api.md §7.1).

Each test runs the installed command as a subprocess (tests/server/cli_process.py) on a database
of its own, except those that never reach one.
"""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.access.keys import KEY_PREFIX, find_viewer, hash_key
from resolvers.session import session_factory
from resolvers.viewer import Role, Viewer
from tests.server.cli_process import Finished, cli_env, run_cli
from tests.support.factories import add, salesperson


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


async def keys(db_url: str, *args: str) -> Finished:
    return await run_cli("keys", *args, env=cli_env(DATABASE_URL=db_url))


async def add_salesperson(engine: AsyncEngine, code: str) -> None:
    await add(session_factory(engine), salesperson(code))


@pytest.mark.own_database
async def test_create_prints_the_key_alone_on_the_last_line(db_url: str, engine: AsyncEngine) -> None:
    finished = await keys(db_url, "create", "--name", "partner", "--role", "READ_ONLY")

    assert finished.code == 0, finished.stderr
    key = finished.stdout.splitlines()[-1]
    assert finished.stdout == key + "\n"
    assert key.startswith(KEY_PREFIX)
    assert "Created key partner (READ_ONLY); it is shown once:" in finished.stderr
    assert key not in finished.stderr
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT key_hash FROM api_key")) == hash_key(key)
        assert await find_viewer(conn, key) == Viewer(Role.READ_ONLY, None, key_name="partner")


@pytest.mark.own_database
async def test_a_salesperson_key_is_bound_to_its_salesperson(db_url: str, engine: AsyncEngine) -> None:
    await add_salesperson(engine, "SP1")

    finished = await keys(db_url, "create", "--name", "anna", "--role", "SALESPERSON", "--salesperson", "sp1")

    assert finished.code == 0, finished.stderr
    async with engine.connect() as conn:
        viewer = await find_viewer(conn, finished.stdout.splitlines()[-1])
    assert viewer == Viewer(Role.SALESPERSON, "SP1", key_name="anna")


@pytest.mark.own_database
async def test_list_shows_the_keys_and_no_secret(db_url: str, engine: AsyncEngine) -> None:
    await add_salesperson(engine, "SP1")
    admin = await keys(db_url, "create", "--name", "ops", "--role", "ADMIN")
    seller = await keys(db_url, "create", "--name", "anna", "--role", "SALESPERSON", "--salesperson", "SP1")
    secrets = [admin.stdout.strip(), seller.stdout.strip()]

    finished = await keys(db_url, "list")

    assert finished.code == 0, finished.stderr
    header, *rows = finished.stdout.splitlines()
    assert header.split() == ["NAME", "ROLE", "SALESPERSON", "CREATED", "LAST", "USED", "REVOKED"]
    assert [row.split()[:3] for row in rows] == [["anna", "SALESPERSON", "SP1"], ["ops", "ADMIN", "-"]]
    # Never used, never revoked
    assert all(row.split()[-2:] == ["-", "-"] for row in rows)
    async with engine.connect() as conn:
        stored = await conn.scalars(text("SELECT key_hash FROM api_key"))
        hashes = [h.hex() for h in stored]
    for secret in [*secrets, *hashes]:
        assert secret not in finished.stdout
        assert secret not in finished.stderr


@pytest.mark.own_database
async def test_revoke_stops_the_key(db_url: str, engine: AsyncEngine) -> None:
    key = (await keys(db_url, "create", "--name", "leaked", "--role", "MANAGER")).stdout.strip()

    finished = await keys(db_url, "revoke", "leaked")

    assert finished.code == 0, finished.stderr
    async with engine.connect() as conn:
        assert await find_viewer(conn, key) is None
    listed = await keys(db_url, "list")
    row = listed.stdout.splitlines()[1]
    assert row.split()[:2] == ["leaked", "MANAGER"]
    assert row.split()[-1] != "-"


@pytest.mark.own_database
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("create", "--name", "k", "--role", "OWNER"),
            "unknown role 'OWNER': the roles are ADMIN, MANAGER, SALESPERSON, READ_ONLY",
        ),
        (
            ("create", "--name", "k", "--role", "SALESPERSON"),
            "a SALESPERSON key needs --salesperson CODE",
        ),
        (
            ("create", "--name", "k", "--role", "ADMIN", "--salesperson", "SP1"),
            "--salesperson is for SALESPERSON keys only, not ADMIN",
        ),
        (("create", "--name", "bad name", "--role", "ADMIN"), "may only contain letters"),
        (
            ("create", "--name", "k", "--role", "SALESPERSON", "--salesperson", "nobody"),
            "unknown salesperson 'NOBODY'",
        ),
        (("revoke", "nobody"), "no key named 'nobody'"),
    ],
    ids=[
        "bad-role",
        "missing-salesperson",
        "salesperson-for-admin",
        "bad-name",
        "unknown-salesperson",
        "revoke-unknown",
    ],
)
async def test_a_refused_request_is_exit_2_and_writes_nothing(
    args: tuple[str, ...], message: str, db_url: str, engine: AsyncEngine
) -> None:
    finished = await keys(db_url, *args)

    finished.assert_one_error(2, message)
    assert finished.stdout == ""
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM api_key")) == 0


@pytest.mark.own_database
async def test_a_duplicate_name_is_exit_2_and_keeps_the_first_key(db_url: str, engine: AsyncEngine) -> None:
    first = (await keys(db_url, "create", "--name", "twice", "--role", "ADMIN")).stdout.strip()

    finished = await keys(db_url, "create", "--name", "twice", "--role", "READ_ONLY")

    finished.assert_one_error(2, "a key named 'twice' already exists")
    assert finished.stdout == ""
    async with engine.connect() as conn:
        assert await find_viewer(conn, first) == Viewer(Role.ADMIN, None, key_name="twice")


@pytest.mark.own_database
async def test_revoking_twice_is_exit_2(db_url: str) -> None:
    await keys(db_url, "create", "--name", "once", "--role", "ADMIN")
    assert (await keys(db_url, "revoke", "once")).code == 0

    finished = await keys(db_url, "revoke", "once")

    finished.assert_one_error(2, "the key 'once' is already revoked (since ")


async def test_a_bad_argument_is_refused_before_the_database_is_touched(closed_port: int) -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port}/salesgraph"

    finished = await run_cli(
        "keys", "create", "--name", "k", "--role", "OWNER", env=cli_env(DATABASE_URL=url)
    )

    finished.assert_one_error(2, "unknown role 'OWNER'")


async def test_an_unreachable_database_is_exit_1(closed_port: int) -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port}/salesgraph"

    finished = await run_cli("keys", "list", env=cli_env(DATABASE_URL=url))

    finished.assert_one_error(
        1, f"cannot connect to postgresql://postgres@127.0.0.1:{closed_port}/salesgraph"
    )
