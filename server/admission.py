"""Admitting a read in one round trip: the key lookup, its ``last_used_at`` touch and the bucket
reservation folded into one statement (issue 11), run on the connection the compiled read then
uses. The statement commits on its own (autocommit) without waiting for its WAL to reach disk
(``set_config('synchronous_commit', 'off', true)`` in the same implicit transaction): a bucket and
a last-used time lost in a crash are harmless.

The separate steps (``resolvers.access.keys.find_viewer``, ``server.throttle.reserve``) remain
for mutations and for refusals, which need their detail (why a key is refused, how long until a
bucket holds the cost); this statement only answers who the caller is and whether the cost fits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers.access.keys import KEY_MAX_LENGTH, KEY_PREFIX, LAST_USED_RESOLUTION_SECONDS, hash_key
from resolvers.viewer import Role, Viewer
from server.throttle import Budget

_REFILLED = (
    "least(CAST(:capacity AS float8), b.available + CAST(:rate AS float8)"
    " * greatest(0, extract(epoch FROM clock_timestamp() - b.updated_at)))"
)

ADMIT = text(
    f"""
    WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true) AS setting),
    caller AS (
        SELECT name, role, salesperson_code FROM api_key WHERE key_hash = :key_hash AND revoked_at IS NULL
    ),
    touched AS (
        UPDATE api_key SET last_used_at = now()
        WHERE name = (
            SELECT name FROM api_key
            WHERE key_hash = :key_hash AND revoked_at IS NULL
              AND (last_used_at IS NULL
                   OR last_used_at < now() - interval '{LAST_USED_RESOLUTION_SECONDS} seconds')
            FOR NO KEY UPDATE SKIP LOCKED
        )
    ),
    reserved AS (
        INSERT INTO cost_bucket AS b (key_name, available, updated_at)
        SELECT name, CAST(:capacity AS float8) - :cost, clock_timestamp() FROM caller
        WHERE CAST(:capacity AS float8) >= :cost
        ON CONFLICT (key_name) DO UPDATE
            SET available = least(CAST(:capacity AS float8), {_REFILLED} + :refund) - :cost,
                updated_at = clock_timestamp()
            WHERE least(CAST(:capacity AS float8), {_REFILLED} + :refund) >= :cost
        RETURNING b.available
    )
    SELECT c.name, c.role, c.salesperson_code, (SELECT available FROM reserved),
           (SELECT setting FROM async_commit)
    FROM caller c
    """
)


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
    params = {
        "key_hash": key_hash,
        "cost": cost,
        "capacity": budget.capacity,
        "rate": budget.rate,
        "refund": refund,
    }
    row = (await conn.execute(ADMIT, params)).first()
    if row is None:
        return None
    name, role, salesperson_code, available, _ = row
    viewer = Viewer(Role[role], salesperson_code, key_name=name)
    return Admission(viewer, None if available is None else float(available))
