"""Tests isolated by a transaction that is rolled back at their end, instead of a database each.

Every session the app (or the test) opens joins the test's one outer transaction on one
connection through a savepoint (SQLAlchemy's ``join_transaction_mode="create_savepoint"``): a
mutation's commit releases its savepoint, its rollback returns to it, and the test's end rolls
everything back. What a real commit would do beyond that is kept:

* deferred constraints (``contact.company_no``) are checked when a session commits, as COMMIT
  would (``SET CONSTRAINTS ALL IMMEDIATE``), so a violation still fails the commit;
* the entry-number identity restarts at 1 for every test, as in a fresh database;
* sessions are opened one at a time: savepoints on one connection must nest, and concurrently
  resolving fields each open their own session. A session opened while another one is still open
  in the same task would wait forever, so waiting is bounded and names the cause.

Tests that need what only separate connections show (parallel transactions, row locks, seeding,
migrations, other processes) are marked ``own_database`` and get a database of their own.
"""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers.session import SessionFactory, connection_turn, joined_sessions

#: Seconds a session waits for the one before it to close; far above any single test statement.
SESSION_WAIT_SECONDS = 30.0

#: The statements the isolation adds, which production does not run (its BEGIN and COMMIT are not
#: statements the cursor executes); query-count tests leave them out.
ISOLATION_STATEMENT = re.compile(
    r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|SET CONSTRAINTS)\b", re.IGNORECASE
)

RESET_IDENTITIES = "SELECT setval(pg_get_serial_sequence('opportunity_entry', 'entry_no'), 1, false)"


def rolled_back_sessions(connection: AsyncConnection) -> SessionFactory:
    """Sessions that join ``connection``'s transaction, one at a time."""
    return joined_sessions(connection, wait_seconds=SESSION_WAIT_SECONDS)


async def begin_isolated(connection: AsyncConnection) -> None:
    """Open the test's outer transaction and make its database look fresh."""
    await connection.begin()
    await connection.execute(text(RESET_IDENTITIES))


async def end_isolated(connection: AsyncConnection) -> None:
    """Roll the test back once every session has closed.

    A request can end while a field's task still runs (a sibling field failed first, and
    ``asyncio.gather`` does not cancel the others); on a pool that task finishes on its own
    connection, here it must finish before the rollback may use the one connection.
    """
    async with asyncio.timeout(SESSION_WAIT_SECONDS), connection_turn(connection):
        await connection.rollback()
