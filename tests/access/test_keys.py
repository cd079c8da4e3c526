"""API keys (api.md §7.1): created with only a hash stored, listed, revoked, looked up per request."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from resolvers.access.keys import (
    KEY_PREFIX,
    KeyInfo,
    KeyRefused,
    create_key,
    find_viewer,
    generate_key,
    hash_key,
    list_keys,
    revoke_key,
)
from resolvers.session import SessionFactory, session_factory
from resolvers.viewer import Role, Viewer
from tests.conftest import StatementLog
from tests.support.factories import add, salesperson


async def new_key(
    sessions: SessionFactory, name: str, role: str = "READ_ONLY", salesperson_code: str | None = None
) -> str:
    async with sessions() as session, session.begin():
        return await create_key(session, name=name, role=role, salesperson_code=salesperson_code)


async def key_row(conn: AsyncConnection, name: str) -> dict[str, Any]:
    row = (await conn.execute(text("SELECT * FROM api_key WHERE name = :n"), {"n": name})).mappings().one()
    return dict(row)


async def set_last_used(conn: AsyncConnection, name: str, seconds_ago: int) -> None:
    await conn.execute(
        text("UPDATE api_key SET last_used_at = now() - make_interval(secs => :s) WHERE name = :n"),
        {"s": seconds_ago, "n": name},
    )


def test_a_generated_key_has_the_prefix_and_256_random_bits() -> None:
    key = generate_key()

    assert key.startswith(KEY_PREFIX)
    assert len(key) == len(KEY_PREFIX) + 43
    assert generate_key() != key


def test_the_hash_is_the_32_byte_sha256_of_the_key() -> None:
    # The FIPS 180-2 test vector
    assert hash_key("abc") == bytes.fromhex(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


async def test_create_stores_the_hash_and_never_the_key(
    sessions: SessionFactory, connection: AsyncConnection
) -> None:
    key = await new_key(sessions, "partner-1")

    row = await key_row(connection, "partner-1")
    assert row["key_hash"] == hash_key(key)
    assert row["role"] == "READ_ONLY"
    assert row["salesperson_code"] is None
    assert row["last_used_at"] is None
    assert row["revoked_at"] is None
    for value in row.values():
        assert key not in str(value)
        if isinstance(value, bytes):
            assert key.encode() not in value


async def test_a_salesperson_key_is_bound_to_the_upper_cased_code(
    sessions: SessionFactory, connection: AsyncConnection
) -> None:
    await add(sessions, salesperson("SP1"))

    key = await new_key(sessions, "anna@example.com", role="salesperson", salesperson_code="sp1")

    row = await key_row(connection, "anna@example.com")
    assert (row["role"], row["salesperson_code"]) == ("SALESPERSON", "SP1")
    assert await find_viewer(connection, key) == Viewer(Role.SALESPERSON, "SP1", key_name="anna@example.com")


async def test_list_shows_every_key_by_name_revoked_ones_included(
    sessions: SessionFactory, connection: AsyncConnection
) -> None:
    await add(sessions, salesperson("SP1"))
    await new_key(sessions, "zed", role="ADMIN")
    await new_key(sessions, "amy", role="SALESPERSON", salesperson_code="SP1")
    await new_key(sessions, "mid.1", role="MANAGER")
    async with sessions() as session, session.begin():
        await revoke_key(session, "zed")

    async with sessions() as session:
        keys = await list_keys(session)

    assert [(k.name, k.role, k.salesperson_code) for k in keys] == [
        ("amy", Role.SALESPERSON, "SP1"),
        ("mid.1", Role.MANAGER, None),
        ("zed", Role.ADMIN, None),
    ]
    assert all(isinstance(k, KeyInfo) and k.created_at is not None for k in keys)
    assert [k.revoked_at is not None for k in keys] == [False, False, True]
    assert [k.last_used_at for k in keys] == [None, None, None]


async def test_find_viewer_returns_the_keys_caller(
    sessions: SessionFactory, connection: AsyncConnection
) -> None:
    key = await new_key(sessions, "ops", role="ADMIN")

    assert await find_viewer(connection, key) == Viewer(Role.ADMIN, None, key_name="ops")


async def test_find_viewer_is_one_statement(
    sessions: SessionFactory, connection: AsyncConnection, sql_log: StatementLog
) -> None:
    key = await new_key(sessions, "ops", role="ADMIN")
    sql_log.clear()

    await find_viewer(connection, key)

    assert sql_log.count == 1


@pytest.mark.parametrize(
    "candidate",
    ["", "Bearer sg_x", "nope_" + "a" * 43, "sg_" + "a" * 198, "sg_é"],
    ids=["empty", "bearer-prefix", "no-prefix", "too-long", "not-ascii"],
)
async def test_a_string_that_cannot_be_a_key_is_none_without_sql(
    candidate: str, connection: AsyncConnection, sql_log: StatementLog
) -> None:
    assert await find_viewer(connection, candidate) is None
    assert sql_log.count == 0


async def test_an_unknown_key_is_none(connection: AsyncConnection) -> None:
    assert await find_viewer(connection, generate_key()) is None


async def test_a_revoked_key_is_none_at_once(sessions: SessionFactory, connection: AsyncConnection) -> None:
    key = await new_key(sessions, "gone")
    assert await find_viewer(connection, key) is not None

    async with sessions() as session, session.begin():
        await revoke_key(session, "gone")

    assert await find_viewer(connection, key) is None
    row = await key_row(connection, "gone")
    assert row["revoked_at"] is not None


async def test_last_used_is_recorded_at_most_once_a_minute(
    sessions: SessionFactory, connection: AsyncConnection
) -> None:
    key = await new_key(sessions, "busy")
    now = await connection.scalar(text("SELECT now()"))

    # A first use records it
    await find_viewer(connection, key)
    assert (await key_row(connection, "busy"))["last_used_at"] == now

    # A use 30 s after the recorded one leaves it as it is
    await set_last_used(connection, "busy", 30)
    recorded = (await key_row(connection, "busy"))["last_used_at"]
    await find_viewer(connection, key)
    assert (await key_row(connection, "busy"))["last_used_at"] == recorded

    # A use more than a minute after it records the new time
    await set_last_used(connection, "busy", 61)
    assert await find_viewer(connection, key) == Viewer(Role.READ_ONLY, None, key_name="busy")
    assert (await key_row(connection, "busy"))["last_used_at"] == now


async def test_a_revoked_key_is_not_marked_used(
    sessions: SessionFactory, connection: AsyncConnection
) -> None:
    key = await new_key(sessions, "gone")
    async with sessions() as session, session.begin():
        await revoke_key(session, "gone")

    await find_viewer(connection, key)

    assert (await key_row(connection, "gone"))["last_used_at"] is None


@pytest.mark.parametrize(
    ("name", "role", "code", "message"),
    [
        ("", "ADMIN", None, "the key name must not be blank"),
        ("k" * 65, "ADMIN", None, "the key name must be at most 64 characters, not 65"),
        ("two words", "ADMIN", None, "may only contain letters"),
        ("café", "ADMIN", None, "may only contain letters"),
        ("tab\t", "ADMIN", None, "may only contain letters"),
        ("taken", "ADMIN", None, "a key named 'taken' already exists"),
        ("new", "OWNER", None, "unknown role 'OWNER': the roles are ADMIN, MANAGER, SALESPERSON, READ_ONLY"),
        ("new", "ANONYMOUS", None, "unknown role 'ANONYMOUS'"),
        ("new", "SALESPERSON", None, "a SALESPERSON key needs --salesperson CODE"),
        ("new", "SALESPERSON", "", "a SALESPERSON key needs --salesperson CODE"),
        ("new", "READ_ONLY", "SP1", "--salesperson is for SALESPERSON keys only, not READ_ONLY"),
        ("new", "SALESPERSON", "nobody", "unknown salesperson 'NOBODY'"),
        ("new", "SALESPERSON", "X" * 21, "unknown salesperson"),
    ],
    ids=[
        "blank",
        "too-long",
        "space",
        "non-ascii",
        "control",
        "duplicate",
        "unknown-role",
        "anonymous-role",
        "salesperson-missing",
        "salesperson-empty",
        "salesperson-for-other-role",
        "unknown-salesperson",
        "salesperson-too-long",
    ],
)
async def test_a_refused_create_writes_nothing(
    name: str,
    role: str,
    code: str | None,
    message: str,
    sessions: SessionFactory,
    connection: AsyncConnection,
) -> None:
    await add(sessions, salesperson("SP1"))
    await new_key(sessions, "taken")
    before = (await connection.execute(text("SELECT * FROM api_key ORDER BY name"))).all()

    with pytest.raises(KeyRefused) as refused:
        await new_key(sessions, name, role=role, salesperson_code=code)

    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert (await connection.execute(text("SELECT * FROM api_key ORDER BY name"))).all() == before


@pytest.mark.parametrize(
    ("name", "message"),
    [("nobody", "no key named 'nobody'"), ("revoked", "the key 'revoked' is already revoked (since ")],
    ids=["unknown", "already-revoked"],
)
async def test_a_refused_revoke_writes_nothing(
    name: str, message: str, sessions: SessionFactory, connection: AsyncConnection
) -> None:
    await new_key(sessions, "revoked")
    await connection.execute(text("UPDATE api_key SET revoked_at = now() - interval '1 day'"))
    before = (await connection.execute(text("SELECT * FROM api_key ORDER BY name"))).all()

    with pytest.raises(KeyRefused) as refused:
        async with sessions() as session, session.begin():
            await revoke_key(session, name)

    assert message in str(refused.value)
    assert (await connection.execute(text("SELECT * FROM api_key ORDER BY name"))).all() == before


@pytest.mark.own_database
async def test_find_viewer_on_a_connection_without_a_transaction_commits_its_touch(
    engine: AsyncEngine,
) -> None:
    key = await new_key(session_factory(engine), "solo")

    # The documented use: a connection of its own, no transaction open
    async with engine.connect() as conn:
        viewer = await find_viewer(conn, key)
        assert not conn.in_transaction()
        await conn.commit()

    assert viewer == Viewer(Role.READ_ONLY, None, key_name="solo")
    async with engine.connect() as other:
        assert await other.scalar(text("SELECT last_used_at IS NOT NULL FROM api_key")) is True


@pytest.mark.own_database
async def test_a_revoke_committed_elsewhere_stops_the_key_on_the_next_lookup(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    key = await new_key(sessions, "leaked")
    async with engine.connect() as conn:
        assert await find_viewer(conn, key) is not None

    async with sessions() as session, session.begin():
        await revoke_key(session, "leaked")

    async with engine.connect() as conn:
        assert await find_viewer(conn, key) is None


@pytest.mark.own_database
async def test_a_lookup_never_waits_for_a_transaction_holding_the_key_row(engine: AsyncEngine) -> None:
    # Given a key due for a touch, whose row another transaction holds locked
    key = await new_key(session_factory(engine), "hot")
    async with engine.connect() as holder:
        await holder.begin()
        await holder.execute(text("SELECT 1 FROM api_key WHERE name = 'hot' FOR UPDATE"))

        # When a request looks the key up, it answers at once and leaves the touch to later
        async with engine.connect() as conn:
            viewer = await asyncio.wait_for(find_viewer(conn, key), timeout=5)
        await holder.rollback()

    assert viewer == Viewer(Role.READ_ONLY, None, key_name="hot")
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT last_used_at FROM api_key")) is None
        assert await find_viewer(conn, key) is not None
        assert await conn.scalar(text("SELECT last_used_at IS NOT NULL FROM api_key")) is True
