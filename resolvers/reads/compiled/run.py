"""Running a compiled read: one statement on one connection, without a transaction.

A read needs neither BEGIN nor ROLLBACK: its one statement sees one snapshot on its own, so the
connection runs in autocommit (:func:`autocommit_connections`). Tests pass
:func:`session_connections`, whose connection is their rolled-back transaction's.
The statement goes through SQLAlchemy's asyncpg adapter, which prepares it once per connection
(its prepared-statement cache is keyed by the SQL text, and a plan's text never changes).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from resolvers.reads.compiled.compiler import Compiled
from resolvers.reads.compiled.sql import EMPTY_OBJECT
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


async def fetch(connection: AsyncConnection, plan: Compiled, parameters: list[Any]) -> bytes:
    """The ``data`` object's JSON, as UTF-8."""
    result = await connection.exec_driver_sql(plan.sql, tuple(parameters))
    return bytes(result.scalar_one())


#: An object's start: ``{"`` and its first key's first character (a GraphQL name's).
_OBJECT = re.compile(rb'\{"[_A-Za-z]')


def objects_below_data(data: bytes) -> int:
    """The objects of an answer below its ``data`` object (the actual cost of a query), counted in
    PostgreSQL's JSON text without decoding it.

    Every object the compiler builds has at least one key, so it opens with ``{"`` and its first
    key's first character. Inside a string a ``"`` is always escaped, so the only other ``{"`` is
    a string ending in ``{`` and its closing quote, which a comma, a bracket or a brace follows,
    never a letter. One regular-expression pass: 0.5 ms for nested.graphql's 370 kB, where
    counting the two-character pattern and subtracting each false match took 1.8 ms. An object
    without keys is written ``{`` line break ``}`` (:data:`~resolvers.reads.compiled.sql.EMPTY_OBJECT`),
    which no string holds unescaped.
    """
    return len(_OBJECT.findall(data)) + data.count(EMPTY_OBJECT) - 1
