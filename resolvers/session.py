"""Sessions: every loader batch, list query and mutation opens its own (never shared between
concurrently resolving fields).

``joined_sessions`` is the other way to open them: every session joins one connection's open
transaction through a savepoint, one session at a time. An idempotent mutation request runs that
way, so that its effects and its stored response commit together (api.md §7.4); the tests run
that way, so that each test rolls back.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

SessionFactory = async_sessionmaker[AsyncSession]


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class SessionStillOpenError(RuntimeError):
    """A session waited too long for the one before it on the same connection to close."""


def connection_turn(connection: AsyncConnection) -> asyncio.Lock:
    """The lock that lets one session at a time use ``connection``."""
    turn: asyncio.Lock = connection.sync_connection.info.setdefault("session_turn", asyncio.Lock())  # type: ignore[union-attr]
    return turn


def joined_sessions(
    connection: AsyncConnection, *, wait_seconds: float, turn: asyncio.Lock | None = None
) -> SessionFactory:
    """Sessions that join ``connection``'s transaction through savepoints, one at a time.

    A session's commit releases its savepoint after checking the deferred constraints, as COMMIT
    would (``SET CONSTRAINTS ALL IMMEDIATE``), so a violation still fails that session's commit;
    its rollback returns to the savepoint. Concurrently resolving fields each open their own
    session, so they take turns; a session opened inside another one's block would wait forever,
    so waiting is bounded by ``wait_seconds`` and names the cause. ``turn`` (default: the
    connection's own) is the lock they take turns with: sessions opened inside another session's
    savepoint, which holds the connection's, take turns among themselves with a lock of their own.
    """
    lock = turn if turn is not None else connection_turn(connection)

    class SavepointSession(AsyncSession):
        async def __aenter__(self) -> SavepointSession:
            try:
                await asyncio.wait_for(lock.acquire(), wait_seconds)
            except TimeoutError:
                raise SessionStillOpenError(
                    "a session waited for another one to close: a session opened inside another "
                    "session's block cannot run on a single connection"
                ) from None
            return self

        async def __aexit__(self, *exc: Any) -> None:
            try:
                await super().__aexit__(*exc)
            finally:
                lock.release()

        async def commit(self) -> None:
            await self.flush()
            # What COMMIT checks: constraints deferred to the end of the transaction.
            await self.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
            await self.execute(text("SET CONSTRAINTS ALL DEFERRED"))
            await super().commit()

    return async_sessionmaker(
        bind=connection,
        class_=SavepointSession,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=False,
    )
