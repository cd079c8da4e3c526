"""Running a compiled read: one statement on one connection, without a transaction.

A read needs neither BEGIN nor ROLLBACK: its one statement sees one snapshot on its own, so the
connection runs in autocommit (:func:`autocommit_connections`). Tests pass
:func:`session_connections`, whose connection is their rolled-back transaction's.
The statement goes through SQLAlchemy's asyncpg adapter, which prepares it once per connection
(its prepared-statement cache is keyed by the SQL text, and a plan's text never changes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from resolvers.reads.compiled.compiler import Compiled
from resolvers.session import SessionFactory

ReadConnections = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


def autocommit_connections(engine: AsyncEngine) -> ReadConnections:
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    return autocommit.connect


def session_connections(sessions: SessionFactory) -> ReadConnections:
    @asynccontextmanager
    async def connect() -> AsyncIterator[AsyncConnection]:
        async with sessions() as session:
            yield await session.connection()
            await session.commit()  # what the connection wrote (the admission) is kept

    return connect


async def fetch(connection: AsyncConnection, plan: Compiled, parameters: list[Any]) -> str:
    """The ``data`` object's JSON text."""
    result = await connection.exec_driver_sql(plan.sql, tuple(parameters))
    return str(result.scalar_one())


def objects_below_data(text: str) -> int:
    """The objects of an answer below its ``data`` object (the actual cost of a query)."""
    return count_objects(text) - 1


#: What may follow ``{"`` when the ``"`` closes a string that ends in ``{`` (in PostgreSQL's JSON
#: text a value is followed by a comma, a closing bracket or brace, or a space or line break).
_AFTER_A_STRING = (",", "}", "]", " ", "\n")


def count_objects(text: str) -> int:
    """The JSON objects in PostgreSQL's JSON text, without decoding it: every object the compiler
    builds has at least one key, so it opens with ``{"`` followed by its first key's first
    character. Inside a string a ``"`` is always escaped, so the only other ``{"`` is a string
    ending in ``{`` and its closing quote, which is followed by one of :data:`_AFTER_A_STRING`,
    never by a key's character."""
    return text.count('{"') - sum(text.count('{"' + after) for after in _AFTER_A_STRING)
