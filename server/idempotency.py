"""Idempotent mutation POSTs (api.md §7.4), as Stripe does them: a mutation sent with an
``Idempotency-Key`` runs at most once per (key, API key); a retry gets the stored response.

The claim, the mutation's effects and the stored response are one transaction: the request claims
the key by inserting its row (a concurrent retry's insert waits on that row until the first
commits or rolls back, at most ``WAIT_SECONDS``), the mutation's sessions join the same
transaction through savepoints, and the response is stored before the commit. A crash at any
point leaves either everything or nothing; a request that fails unexpectedly (5xx) stores
nothing, so its retry runs again. A row older than ``TTL`` is reclaimed by the next use of its key
and deleted by the sweep that runs with every claim.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from server.http import RefusalError

HEADER = "idempotency-key"
KEY = re.compile(r"[\x21-\x7e]{1,255}")
WAIT_SECONDS = 5
TTL = "24 hours"
LOCK_NOT_AVAILABLE = "55P03"

CLAIM = text(
    f"""
    INSERT INTO idempotent_response AS r
        (key_name, idempotency_key, request_hash, status, body, created_at)
    VALUES (:owner, :key, :hash, 0, ''::bytea, clock_timestamp())
    ON CONFLICT (key_name, idempotency_key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, status = 0, body = ''::bytea,
            created_at = clock_timestamp()
        WHERE r.created_at < clock_timestamp() - interval '{TTL}'
    RETURNING 1
    """
)
STORED = text(
    "SELECT request_hash, status, body FROM idempotent_response"
    " WHERE key_name = :owner AND idempotency_key = :key"
)
STORE = text(
    "UPDATE idempotent_response SET status = :status, body = :body"
    " WHERE key_name = :owner AND idempotency_key = :key"
)
SWEEP = text(
    "DELETE FROM idempotent_response WHERE ctid IN (SELECT ctid FROM idempotent_response"
    f" WHERE created_at < clock_timestamp() - interval '{TTL}' LIMIT 100)"
)


def idempotency_key(value: str | None) -> str | None:
    """The header's key, ``None`` without one, 400 when it is not 1–255 printable ASCII."""
    if value is None:
        return None
    if not KEY.fullmatch(value):
        raise RefusalError(
            400,
            "BAD_REQUEST",
            "The Idempotency-Key header must be 1-255 printable ASCII characters without spaces.",
        )
    return value


@dataclass(frozen=True, slots=True)
class Stored:
    status: int
    body: bytes


def request_hash(canonical_request: bytes) -> bytes:
    return hashlib.sha256(canonical_request).digest()


async def claim(session: AsyncSession, owner: str, key: str, digest: bytes) -> Literal[True] | Stored:
    """``True`` when this request owns the key (and must run); the stored response of the first
    request with that key otherwise. 409 while another request holding the key still runs past
    ``WAIT_SECONDS``; 422 when the key came with another body."""
    await session.execute(text(f"SET LOCAL lock_timeout = '{WAIT_SECONDS}s'"))
    try:
        claimed = (await session.execute(CLAIM, {"owner": owner, "key": key, "hash": digest})).first()
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise RefusalError(
                409,
                "IDEMPOTENCY_KEY_IN_USE",
                "A request with this Idempotency-Key is still running; retry later.",
                headers={"Retry-After": "1"},
            ) from None
        raise
    await session.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
    if claimed is not None:
        await session.execute(SWEEP)
        return True
    row = (await session.execute(STORED, {"owner": owner, "key": key})).one()
    if bytes(row.request_hash) != digest:
        raise RefusalError(
            422,
            "IDEMPOTENCY_KEY_REUSED",
            "This Idempotency-Key was used with a different request; use a new key.",
        )
    return Stored(int(row.status), bytes(row.body))


async def store(session: AsyncSession, owner: str, key: str, status: int, body: bytes) -> None:
    await session.execute(STORE, {"owner": owner, "key": key, "status": status, "body": body})
