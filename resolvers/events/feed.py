"""One process's feed of committed events: a dedicated connection LISTENs, and every event is
handed to the process's subscribers once, in commit order.

Hand-written because it is the glue between two things no library joins for us: asyncpg's
LISTEN (``add_listener``) and the outbox's id order (``resolvers.events.outbox``). It is small:

* the connection is not from the pool (a pooled one would be reset and returned; LISTEN lives on a
  session), so a process holds exactly one more connection than its pool;
* a notification only wakes the pump: it reads ``id > last_delivered ORDER BY id`` in batches, so
  a notification lost, merged or arriving late costs nothing; the pump also reads every
  ``poll_seconds`` in case one never comes;
* when the connection drops (a database restart), the pump reconnects with exponential backoff,
  LISTENs again, and reads from the last id it delivered: nothing is missed, nothing repeated;
* every ``prune_seconds`` it deletes the events older than ``RETENTION`` (7 days; api.md §7.6
  promises 24 h);
* a subscriber gets batches on a bounded queue; one that falls behind by more than
  ``max_pending`` batches is dropped (:class:`SubscriberTooSlowError`) instead of holding memory
  for ever; it can resubscribe with ``after``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import URL

from resolvers.errors import RequestError
from resolvers.events.outbox import CHANNEL
from resolvers.events.reads import (
    AFTER_SQL,
    BATCH,
    LAST_SQL,
    PRUNE_SQL,
    RETENTION,
    StoredEvent,
    stored_event,
)

log = logging.getLogger("salesgraph.events")


#: The feed connection's ``application_name`` (how an operator tells it from the pool's).
APPLICATION_NAME = "salesgraph-events"


def listen_dsn(url: URL) -> str:
    """The asyncpg DSN of an engine's URL (the feed connects with asyncpg itself)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class SubscriberTooSlowError(RequestError):
    """The subscriber did not take its events as fast as they came."""

    def __init__(self) -> None:
        super().__init__(
            "SUBSCRIPTION_ENDED",
            "The subscription fell too far behind its events and was ended; resubscribe with `after`.",
        )


class FeedStoppedError(RequestError):
    """The feed is not connected yet, or the server is shutting down."""

    def __init__(self, message: str) -> None:
        super().__init__("SUBSCRIPTION_ENDED", message)


class Subscriber:
    """One subscription's place in the feed: the live batches after ``start``."""

    def __init__(self, feed: EventFeed, start: int, max_pending: int) -> None:
        self._feed = feed
        #: The last id delivered when the subscription began: later ones come through the queue.
        self.start = start
        self._queue: asyncio.Queue[list[StoredEvent] | BaseException] = asyncio.Queue(max_pending)

    def offer(self, batch: list[StoredEvent]) -> bool:
        try:
            self._queue.put_nowait(batch)
        except asyncio.QueueFull:
            return False
        return True

    def end(self, reason: BaseException) -> None:
        """Deliver ``reason`` next, dropping queued batches to make room (they would not be
        delivered anyway)."""
        while True:
            try:
                self._queue.put_nowait(reason)
            except asyncio.QueueFull:
                self._queue.get_nowait()
            else:
                return

    async def batches(self) -> AsyncIterator[list[StoredEvent]]:
        """The live batches, in order, until the subscriber is closed or dropped."""
        while True:
            item = await self._queue.get()
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._feed.unsubscribe(self)


class EventFeed:
    def __init__(
        self,
        dsn: str,
        *,
        batch: int = BATCH,
        poll_seconds: float = 5.0,
        max_pending: int = 1000,
        backoff: tuple[float, float] = (0.1, 5.0),
        connect_timeout: float = 10.0,
        prune_seconds: float = 3600.0,
        on_open: Callable[[], None] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        """``on_open`` and ``on_close`` are called as a subscriber joins and leaves (however it
        leaves): the server counts the subscriptions open with them."""
        self._dsn = dsn
        self._batch = batch
        self._poll_seconds = poll_seconds
        self._max_pending = max_pending
        self._backoff = backoff
        self._connect_timeout = connect_timeout
        self._prune_seconds = prune_seconds
        self._pruned_at = -prune_seconds
        self._subscribers: set[Subscriber] = set()
        self._on_open = on_open or _nothing
        self._on_close = on_close or _nothing
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        #: The last event id handed to the subscribers (or, before any, the last one written when
        #: the feed started: a subscription without ``after`` begins with what comes next).
        self.last_delivered = 0
        #: Times the pump (re)connected: 1 after the start, more after each lost connection.
        self.connections = 0

    async def start(self) -> None:
        """Connect and begin; returns once the feed knows where the outbox stands (or after a
        first failed attempt: the pump keeps trying in the background)."""
        self._task = asyncio.create_task(self._pump(), name="salesgraph-event-feed")
        await self._ready.wait()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for subscriber in list(self._subscribers):
            self._leave(subscriber)
            subscriber.end(FeedStoppedError("The server is shutting down; resubscribe with `after`."))

    def subscribe(self) -> Subscriber:
        """A subscriber of the events after :attr:`last_delivered` (now)."""
        if self._task is None or self.connections == 0:
            raise FeedStoppedError("The event feed is not connected to the database yet; retry later.")
        subscriber = Subscriber(self, self.last_delivered, self._max_pending)
        self._subscribers.add(subscriber)
        self._on_open()
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._leave(subscriber)

    def _leave(self, subscriber: Subscriber) -> None:
        if subscriber in self._subscribers:
            self._subscribers.discard(subscriber)
            self._on_close()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def _pump(self) -> None:
        delay = self._backoff[0]
        first = True
        while True:
            connection: Any = None
            try:
                connection = await asyncpg.connect(
                    self._dsn,
                    timeout=self._connect_timeout,
                    server_settings={"application_name": APPLICATION_NAME},
                )
                connection.add_termination_listener(self._notified)
                # LISTEN before reading where the outbox stands: whatever commits after that read
                # notifies us.
                await connection.add_listener(CHANNEL, self._notified)
                if first:
                    self.last_delivered = int(await connection.fetchval(LAST_SQL))
                    first = False
                self.connections += 1
                self._ready.set()
                delay = self._backoff[0]
                while not connection.is_closed():
                    await self._catch_up(connection)
                    await self._prune(connection)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
                    self._wake.clear()
                raise ConnectionError("the event feed's connection was closed")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: reconnect, and read from the last id delivered
                log.warning("event feed: %s; reconnecting in %.1f s", exc or type(exc).__name__, delay)
                self._ready.set()
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff[1])
            finally:
                if connection is not None:
                    try:
                        await asyncio.wait_for(connection.close(), 2)
                    except Exception:  # a dead connection: just drop it
                        connection.terminate()

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def _catch_up(self, connection: Any) -> None:
        while True:
            rows = await connection.fetch(AFTER_SQL, self.last_delivered, self._batch)
            if not rows:
                return
            batch = [stored_event(tuple(row)) for row in rows]
            self.last_delivered = batch[-1].id
            self._hand_out(batch)
            if len(rows) < self._batch:
                return

    async def _prune(self, connection: Any) -> None:
        """Delete the events past their retention, every ``prune_seconds`` (each process does, an
        idempotent statement; older rows only, so never one a subscriber still waits for)."""
        now = asyncio.get_running_loop().time()
        if now - self._pruned_at >= self._prune_seconds:
            self._pruned_at = now
            await connection.execute(PRUNE_SQL, RETENTION)

    def _hand_out(self, batch: list[StoredEvent]) -> None:
        for subscriber in list(self._subscribers):
            if not subscriber.offer(batch):
                self._leave(subscriber)
                subscriber.end(SubscriberTooSlowError())


def _nothing() -> None:
    pass
