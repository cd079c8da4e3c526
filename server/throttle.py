"""Per-key leaky buckets of cost points in PostgreSQL, shared by every server process (api.md §7.3).

A bucket holds at most ``capacity`` points and refills at ``rate`` points per second; it is stored
as (points available, when) and refilled arithmetically when touched, so no process runs a timer.
A request first *reserves* its requested cost in one statement that succeeds only when the bucket
holds that much (row-locked, so two processes cannot both spend the same points). The difference
between what was reserved and what was returned (the actual cost) goes back into the bucket with
the key's next reservation in the same process (``refund``), so a request costs one bucket
statement, not two; until then the bucket looks emptier than it is, never fuller. Written here
rather than taken from a rate-limiting library because the bucket must live in the database every
process already shares, in one round trip per request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_REFILLED = (
    "least(CAST(:capacity AS float8), b.available + CAST(:rate AS float8)"
    " * greatest(0, extract(epoch FROM clock_timestamp() - b.updated_at)))"
)

RESERVE = text(
    f"""
    INSERT INTO cost_bucket AS b (key_name, available, updated_at)
    VALUES (:key, CAST(:capacity AS float8) - :cost, clock_timestamp())
    ON CONFLICT (key_name) DO UPDATE
        SET available = least(CAST(:capacity AS float8), {_REFILLED} + :refund) - :cost,
            updated_at = clock_timestamp()
        WHERE least(CAST(:capacity AS float8), {_REFILLED} + :refund) >= :cost
    RETURNING b.available
    """
)

ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")

PEEK = text(
    f"SELECT least(CAST(:capacity AS float8), {_REFILLED} + :refund) FROM cost_bucket AS b"
    " WHERE b.key_name = :key"
)

SETTLE = text(
    f"""
    UPDATE cost_bucket AS b
        SET available = least(CAST(:capacity AS float8), {_REFILLED} + :refund),
            updated_at = clock_timestamp()
        WHERE b.key_name = :key
    RETURNING b.available
    """
)


@dataclass(frozen=True, slots=True)
class Budget:
    capacity: int
    rate: int


@dataclass(frozen=True, slots=True)
class Reservation:
    """What a reserve left in the bucket; ``granted`` false means the request may not run."""

    granted: bool
    available: float
    retry_after: int = 0


async def without_waiting_for_disk(conn: AsyncConnection) -> None:
    """Let the current transaction commit without waiting for its WAL to reach disk: for bucket
    and last-used writes only, whose loss in a crash is harmless (a bucket a little fuller). Never
    in a transaction that holds a mutation's effects."""
    await conn.execute(ASYNC_COMMIT)


async def reserve(
    conn: AsyncConnection, key: str, cost: int, budget: Budget, refund: float = 0.0
) -> Reservation:
    """Give back ``refund`` and take ``cost`` points from ``key``'s bucket, or say how long until
    they would be there (a refused reservation gives nothing back: the caller keeps the refund)."""
    params = {"key": key, "cost": cost, "capacity": budget.capacity, "rate": budget.rate, "refund": refund}
    if cost > budget.capacity:
        # Never fits: an operator set the bucket below the maximum query cost.
        available = await _peek(conn, params, budget)
        return Reservation(False, available, retry_after=_never(budget))
    row = (await conn.execute(RESERVE, params)).first()
    if row is not None:
        return Reservation(True, float(row[0]))
    available = await _peek(conn, params, budget)
    wait = math.ceil(max(cost - available, 0) / budget.rate) or 1
    return Reservation(False, available, retry_after=wait)


async def settle(conn: AsyncConnection, key: str, refund: float, budget: Budget) -> float:
    """Give back ``refund`` points (negative: charge more); the points available afterwards."""
    params = {"key": key, "refund": refund, "capacity": budget.capacity, "rate": budget.rate}
    row = (await conn.execute(SETTLE, params)).first()
    return float(row[0]) if row is not None else float(budget.capacity)


async def _peek(conn: AsyncConnection, params: dict[str, object], budget: Budget) -> float:
    row = (await conn.execute(PEEK, params)).first()
    return float(row[0]) if row is not None else float(budget.capacity)


def _never(budget: Budget) -> int:
    return math.ceil(budget.capacity / budget.rate) or 1
