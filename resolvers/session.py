"""Sessions: every loader batch, list query and mutation opens its own (never shared between
concurrently resolving fields).

``request_sessions`` gives a read request's sessions one connection between them: checked out on
first use, in AUTOCOMMIT (a read needs no transaction: no BEGIN, no ROLLBACK round trip, one
pre-ping per request instead of one per batch), used by one session at a time (batches resolve
concurrently), returned to the pool when the request ends. A mutation keeps the factory's own
sessions, each its own transaction.

``joined_sessions`` is the other way to open them: every session joins one connection's open
transaction through a savepoint, one session at a time. An idempotent mutation request runs that
way, so that its effects and its stored response commit together (api.md §7.4); the tests run
that way, so that each test rolls back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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


class RequestConnection:
    """One read request's connection, checked out on first use and taken in turns."""

    def __init__(self, engine: AsyncEngine, *, wait_seconds: float) -> None:
        self._engine = engine
        self._wait_seconds = wait_seconds
        self._turn = asyncio.Lock()
        self._connection: AsyncConnection | None = None
        self._closed = False

    async def take(self) -> AsyncConnection:
        """The connection, for the caller alone until :meth:`give_back`."""
        try:
            await asyncio.wait_for(self._turn.acquire(), self._wait_seconds)
        except TimeoutError:
            raise SessionStillOpenError(
                "a session waited for another one to close: a session opened inside another "
                "session's block cannot run on the request's one connection"
            ) from None
        try:
            if self._closed:
                raise RuntimeError("the request has ended: its connection is closed")
            if self._connection is None:
                connection = await self._engine.connect()
                self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        except BaseException:
            self._turn.release()
            raise
        return self._connection

    def give_back(self) -> None:
        self._turn.release()

    async def close(self) -> None:
        """Return the connection to the pool once the session using it (if any) has closed."""
        async with self._turn:
            self._closed = True
            if self._connection is not None:
                connection, self._connection = self._connection, None
                await connection.close()


class RequestSession(AsyncSession):
    """A session on its request's one connection, bound to it while the session is open."""

    def __init__(self, *, request_connection: RequestConnection, **kw: Any) -> None:
        super().__init__(**kw)
        self._request_connection = request_connection

    async def __aenter__(self) -> RequestSession:
        connection = await self._request_connection.take()
        self.bind = connection
        self.sync_session.bind = connection.sync_connection
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await super().__aexit__(*exc)
        finally:
            self._request_connection.give_back()


@asynccontextmanager
async def request_sessions(sessions: SessionFactory, *, wait_seconds: float) -> AsyncIterator[SessionFactory]:
    """Sessions for one read request that share one connection (see the module docstring).

    ``sessions`` bound to a connection already (``joined_sessions``: the tests' rolled-back
    transaction, an idempotent request's) are one connection's sessions: they are given back as
    they are.
    """
    engine = sessions.kw.get("bind")
    if not isinstance(engine, AsyncEngine):
        yield sessions
        return
    shared = RequestConnection(engine, wait_seconds=wait_seconds)
    try:
        yield async_sessionmaker(
            class_=RequestSession,
            request_connection=shared,
            expire_on_commit=False,
            autoflush=False,
        )
    finally:
        await shared.close()
