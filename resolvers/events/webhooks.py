"""The webhook worker: POSTs each owed delivery (``models.webhook``), signed, until a 2xx or 24 h.

Every server process runs one; together they deliver each event once, in order per webhook and
opportunity (api.md §7.6). Hand-written because it is a small loop over two statements, and the
job-queue libraries would bring a broker or tables of their own for what ``FOR UPDATE SKIP
LOCKED`` already gives:

* the claim (:data:`CLAIM_SQL`) picks due PENDING deliveries of live webhooks, skips rows another
  process holds (``SKIP LOCKED``) and any delivery with an earlier PENDING one of the same webhook
  and opportunity (so at most one per webhook and opportunity is in flight, and a later event never
  overtakes an earlier one), and in the same statement takes a *lease*: ``next_attempt_at`` moves
  ``lease`` ahead and ``attempts`` grows; it commits before any POST, so no row lock is held
  during HTTP. A process that dies mid-POST leaves the lease to run out: the delivery is retried
  (at least once, as §7.6 says; receivers dedupe by event id);
* each POST's outcome is one UPDATE: a 2xx is DELIVERED; anything else (a status, a timeout, a
  refused connection) sets the next attempt after an exponential backoff (1 s doubling, capped at
  1 h), or FAILED when that would be later than 24 h after the event;
* a failure never overwrites another status: a webhook deleted while its POST was in flight has
  already FAILED its pending deliveries (``resolvers.writes.webhook``), and a retry would leave
  one PENDING for ever (deleted webhooks are not claimed);
* it polls every ``poll_seconds`` (one cheap statement on the partial index of due deliveries).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from models.webhook import RETRY_HOURS

log = logging.getLogger("salesgraph.webhooks")

SIGNATURE_HEADER = "Salesgraph-Signature"
#: The first retry's delay; each later one doubles, up to ``BACKOFF_CAP``.
BACKOFF_FIRST = dt.timedelta(seconds=1)
BACKOFF_CAP = dt.timedelta(hours=1)

CLAIM_SQL = """
    WITH due AS (
        SELECT d.id FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
        WHERE d.status = 'PENDING' AND d.next_attempt_at <= now() AND w.deleted_at IS NULL
          AND NOT EXISTS (
              SELECT FROM webhook_delivery p
              WHERE p.webhook_id = d.webhook_id AND p.opportunity_no = d.opportunity_no
                AND p.status = 'PENDING' AND p.event_id < d.event_id
          )
        ORDER BY d.next_attempt_at, d.event_id
        LIMIT $1
        FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_delivery d
    SET next_attempt_at = now() + $2::interval, attempts = d.attempts + 1
    FROM due, webhook w, opportunity_event e
    WHERE d.id = due.id AND w.id = d.webhook_id AND e.id = d.event_id
    RETURNING d.id, d.attempts, w.url, w.secret, e.id, e.type, e.occurred_at, e.opportunity_no, e.entry_no
    """

DELIVERED_SQL = """
    UPDATE webhook_delivery
    SET status = 'DELIVERED', delivered_at = now(), last_status_code = $2, last_error = NULL
    WHERE id = $1
    """

RETRY_SQL = """
    UPDATE webhook_delivery
    SET status = CASE WHEN $4::timestamptz > $5::timestamptz THEN 'FAILED' ELSE 'PENDING' END,
        next_attempt_at = $4, last_status_code = $2, last_error = $3
    WHERE id = $1 AND status = 'PENDING'
    """


@dataclass(frozen=True, slots=True)
class Claimed:
    """One delivery this process leased, with what its POST needs."""

    id: int
    attempts: int
    url: str
    secret: str
    event_id: int
    event_type: str
    occurred_at: dt.datetime
    opportunity_no: str
    entry_no: int | None

    @classmethod
    def of(cls, row: Any) -> Claimed:
        return cls(*row)

    def body(self) -> bytes:
        return orjson.dumps(
            {
                "id": str(self.event_id),
                "type": self.event_type,
                "occurredAt": self.occurred_at.astimezone(dt.UTC).isoformat(),
                "opportunityNo": self.opportunity_no,
                "entryNo": self.entry_no,
            }
        )


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Salesgraph-Signature`` value: ``t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed POST: 1 s, 2 s, 4 s, … at most 1 h."""
    delay: dt.timedelta = BACKOFF_FIRST * 2 ** min(attempts - 1, 20)
    return min(delay, BACKOFF_CAP)


class WebhookWorker:
    """Claims and POSTs deliveries until stopped; ``run_once`` is one claim and its POSTs."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        poll_seconds: float = 1.0,
        timeout_seconds: float = 5.0,
        batch: int = 20,
    ) -> None:
        self._engine = engine
        self._poll = poll_seconds
        self._timeout = timeout_seconds
        self._batch = batch
        # The lease outlasts the POST's timeout, so no other process takes a delivery in flight.
        self._lease = dt.timedelta(seconds=2 * timeout_seconds + 5)
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        self._task = asyncio.create_task(self._loop(), name="salesgraph-webhooks")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _loop(self) -> None:
        while True:
            try:
                claimed = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The database is away (a restart) or a bug: log it, and try again next poll.
                log.exception("webhook delivery round failed")
                claimed = 0
            if claimed < self._batch:
                await asyncio.sleep(self._poll)

    async def run_once(self) -> int:
        """Claim the due deliveries, POST them concurrently, record each outcome; how many."""
        async with self._engine.begin() as connection:
            rows = (await connection.exec_driver_sql(CLAIM_SQL, (self._batch, self._lease))).all()
        claimed = [Claimed.of(row) for row in rows]
        if claimed:
            await asyncio.gather(*(self._deliver(c) for c in claimed))
        return len(claimed)

    async def _deliver(self, delivery: Claimed) -> None:
        assert self._client is not None, "start() the worker first"
        body = delivery.body()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(delivery.secret, int(time.time()), body),
        }
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(delivery.url, content=body, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        async with self._engine.begin() as connection:
            if error is None:
                await connection.exec_driver_sql(DELIVERED_SQL, (delivery.id, status))
            else:
                now = dt.datetime.now(dt.UTC)
                give_up = delivery.occurred_at + dt.timedelta(hours=RETRY_HOURS)
                await connection.exec_driver_sql(
                    RETRY_SQL, (delivery.id, status, error, now + backoff(delivery.attempts), give_up)
                )
