"""Admitting a read in one round trip: the key lookup, its ``last_used_at`` touch and the bucket
reservation folded into one statement (issue 11), run on the connection the compiled read then
uses. The statement commits on its own (autocommit) without waiting for its WAL to reach disk
(``set_config('synchronous_commit', 'off', true)`` in the same implicit transaction): a bucket and
a last-used time lost in a crash are harmless.

The separate steps (``resolvers.access.keys.find_viewer``, ``server.throttle.reserve``) remain
for mutations and for refusals, which need their detail (why a key is refused, how long until a
bucket holds the cost); this statement only answers who the caller is and whether the cost fits.

**The bucket row is locked last.** Every request of a key updates that key's one bucket row, and
a row lock is held until the statement's implicit transaction ends. Reserving first would hold it
while the read runs (14 ms for ``nested.graphql``) and serialise every concurrent request of the
key on it: 32 connections with one partner key ran one read at a time. So the read comes first,
guarded by the bucket as the statement's snapshot sees it, and the reservation, which decides,
runs after it (PostgreSQL evaluates a row's output columns in order, and an uncorrelated scalar
subquery when its column is reached); the ``last_used_at`` touch, whose result nothing reads,
runs at the statement's end. When concurrent requests drained the bucket meanwhile, the
reservation fails and the read is discarded: at most the reads already in flight are wasted, and
the answer is the same 429 as ever. ``tests/server/test_admission.py`` proves the read runs
before the statement holds any lock or has written anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers.access.keys import KEY_MAX_LENGTH, KEY_PREFIX, LAST_USED_RESOLUTION_SECONDS, hash_key
from resolvers.viewer import Role, Viewer
from server.throttle import Budget


@dataclass(frozen=True, slots=True)
class Admission:
    viewer: Viewer
    #: Points left after the reservation; ``None`` when the cost did not fit (nothing was taken),
    #: or for the unthrottled dev caller.
    available: float | None


def token_hash(token: str) -> bytes | None:
    """The stored hash of ``token``; ``None`` for a string that cannot be a key (no lookup then)."""
    if not token.startswith(KEY_PREFIX) or len(token) > KEY_MAX_LENGTH or not token.isascii():
        return None
    return hash_key(token)


async def admit(
    conn: AsyncConnection, key_hash: bytes, cost: int, budget: Budget, refund: float
) -> Admission | None:
    """The caller of the key and its reservation of ``cost`` (giving ``refund`` back first), or
    ``None`` for a key that is unknown or revoked (then nothing was written)."""
    sql = _ADMIT_ALONE
    parameters = (key_hash, cost, budget.capacity, budget.rate, refund, None, None)
    row: Any = (await conn.exec_driver_sql(sql, parameters)).first()
    if row is None:
        return None
    name, role, salesperson_code, _, _, available = row
    viewer = Viewer(Role[role], salesperson_code, key_name=name)
    return Admission(viewer, None if available is None else float(available))


def _admit_and_read_sql(read_sql: str, first: int) -> str:
    """The admission and a compiled read in one statement; the admission's parameters follow the
    read's ``first - 1`` ones. The read runs only for an admitted caller of the expected scope
    (``NULL`` as ``read_sql``: the admission alone). The key lookup and the reservation are those of
    ``resolvers.access.keys.find_viewer`` and ``server.throttle.reserve``, in one statement."""
    h, cost, cap, rate, refund, role, sp = (f"${first + i}" for i in range(7))
    cap, cost, rate, refund = (f"{p}::float8" for p in (cap, cost, rate, refund))
    elapsed = "greatest(0, extract(epoch FROM clock_timestamp() - b.updated_at))"
    refilled = f"least({cap}, b.available + {rate} * {elapsed})"
    key = f"key_hash = {h}::bytea AND revoked_at IS NULL"
    fits = f"""coalesce(
            (SELECT least({cap}, {refilled} + {refund}) FROM cost_bucket b WHERE b.key_name = c.name), {cap}
        ) >= {cost}"""
    return f"""
    WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true) AS setting),
    caller AS (SELECT name, role, salesperson_code FROM api_key WHERE {key}),
    touched AS (
        UPDATE api_key SET last_used_at = now()
        WHERE name = (
            SELECT name FROM api_key
            WHERE {key}
              AND (last_used_at IS NULL
                   OR last_used_at < now() - interval '{LAST_USED_RESOLUTION_SECONDS} seconds')
            FOR NO KEY UPDATE SKIP LOCKED
        )
    ),
    reserved AS (
        INSERT INTO cost_bucket AS b (key_name, available, updated_at)
        SELECT name, {cap} - {cost}, clock_timestamp() FROM caller WHERE {cap} >= {cost}
        ON CONFLICT (key_name) DO UPDATE
            SET available = least({cap}, {refilled} + {refund}) - {cost}, updated_at = clock_timestamp()
            WHERE least({cap}, {refilled} + {refund}) >= {cost}
        RETURNING b.available
    )
    SELECT c.name, c.role, c.salesperson_code, (SELECT setting FROM async_commit),
           CASE WHEN c.role = {role}::text AND c.salesperson_code IS NOT DISTINCT FROM {sp}::text
                     AND {fits}
                THEN ({read_sql}) END,
           (SELECT available FROM reserved)
    FROM caller c
    """


_ADMIT_ALONE = _admit_and_read_sql("NULL::bytea", 1)
_combined: dict[str, str] = {}


async def admit_and_read(
    conn: AsyncConnection,
    key_hash: bytes,
    cost: int,
    budget: Budget,
    refund: float,
    expected: Viewer,
    read_sql: str,
    read_parameters: list[object],
) -> tuple[Admission | None, bytes | None]:
    """:func:`admit` and the compiled read of ``read_sql`` in one round trip: the read's JSON
    when the caller is admitted and is ``expected`` (the viewer the plan was chosen for), else
    ``None`` (nothing was read; the admission says what happened)."""
    sql = _combined.get(read_sql)
    if sql is None:
        sql = _combined[read_sql] = _admit_and_read_sql(read_sql, len(read_parameters) + 1)
        if len(_combined) > 4_096:  # plans are bounded; so is this
            _combined.pop(next(iter(_combined)))
    parameters = (
        *read_parameters,
        key_hash,
        cost,
        budget.capacity,
        budget.rate,
        refund,
        expected.role.name,
        expected.salesperson_code,
    )
    row: Any = (await conn.exec_driver_sql(sql, parameters)).first()
    if row is None:
        return None, None
    name, role, salesperson_code, _, data, available = row
    viewer = Viewer(Role[role], salesperson_code, key_name=name)
    if available is None:
        return Admission(viewer, None), None  # the cost did not fit: what was read is discarded
    return Admission(viewer, float(available)), None if data is None else bytes(data)
