"""The reads behind ``opportunityEvents``: stored events by id, and which of them a subscriber
gets, with the opportunity's current state, in one statement per batch.

Who gets an event (api.md §7.6, §7.1): every role but ``SALESPERSON`` gets every event; a
``SALESPERSON`` gets the events whose ``salesperson_code`` (the opportunity's salesperson when the
event happened) is its own, so it still learns that one of its opportunities was deleted.

A filter is judged on the opportunity as it is when the event is delivered (the read layer's own
conditions, ``resolvers.reads.opportunity``). An opportunity that no longer exists can only be
judged by what its event kept: its ``DELETED`` event passes a filter unless the filter names
another salesperson; its earlier events (replayed with ``after``) pass no filter.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import and_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from models import Opportunity, OpportunityEntry
from models.event import EventType, OpportunityEvent
from resolvers.errors import RequestError, unavailability
from resolvers.reads.filters import code_value
from resolvers.reads.opportunity import OpportunityFilter, opportunity_conditions, opportunity_rows
from resolvers.session import SessionFactory
from resolvers.viewer import Viewer, restrict

T = TypeVar("T")

#: Events read per statement, replaying or catching up.
BATCH = 500
#: How long events are kept (api.md §7.6 promises at least 24 h).
RETENTION = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    occurred_at: dt.datetime
    type: EventType
    opportunity_no: str
    salesperson_code: str | None
    entry_no: int | None


@dataclass(frozen=True, slots=True)
class Delivery:
    """An event as one subscriber gets it: with the opportunity's current state (``None`` when it
    is gone or the subscriber may no longer read it), read when the event is delivered."""

    event: StoredEvent
    opportunity: tuple[Opportunity, OpportunityEntry | None] | None


#: The columns of a stored event, in :class:`StoredEvent`'s order.
COLUMNS = (
    OpportunityEvent.id,
    OpportunityEvent.occurred_at,
    OpportunityEvent.type,
    OpportunityEvent.opportunity_no,
    OpportunityEvent.salesperson_code,
    OpportunityEvent.entry_no,
)

#: The outbox after an id, as the per-process feed reads it on its own asyncpg connection
#: (``$1``: the last id delivered, ``$2``: the batch size).
AFTER_SQL = (
    "SELECT id, occurred_at, type, opportunity_no, salesperson_code, entry_no FROM opportunity_event"
    " WHERE id > $1 ORDER BY id LIMIT $2"
)
#: The greatest id written so far (where a feed starts).
LAST_SQL = "SELECT coalesce(max(id), 0) FROM opportunity_event"
#: The events past :data:`RETENTION` (``$1``, an interval), deleted by every feed now and then.
PRUNE_SQL = "DELETE FROM opportunity_event WHERE occurred_at < now() - $1::interval"


def stored_event(row: Sequence[Any]) -> StoredEvent:
    """A row of :data:`AFTER_SQL` (the type as text) or of :data:`COLUMNS`."""
    id_, occurred_at, type_, opportunity_no, salesperson_code, entry_no = row
    return StoredEvent(
        id_,
        occurred_at,
        EventType(type_) if isinstance(type_, str) else type_,
        opportunity_no,
        salesperson_code,
        entry_no,
    )


def event_cursor(event_id: int) -> str:
    return str(event_id)


def decode_event_cursor(cursor: str) -> int:
    """The event id of an ``after`` cursor, or ``INVALID_CURSOR``."""
    text = cursor.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise RequestError(
            "INVALID_CURSOR", "`after` is not an event id: pass the `id` of an event received."
        )
    return int(text)


async def events_between(
    session: AsyncSession, after: int, upto: int, limit: int = BATCH
) -> list[StoredEvent]:
    """Stored events with ``after < id <= upto``, in id (commit) order, at most ``limit``."""
    rows = await session.execute(
        select(*COLUMNS)
        .where(OpportunityEvent.id > after, OpportunityEvent.id <= upto)
        .order_by(OpportunityEvent.id)
        .limit(limit)
    )
    return [stored_event(row) for row in rows]


def may_receive(viewer: Viewer, event: StoredEvent) -> bool:
    return viewer.reads_everything or (
        viewer.salesperson_code is not None and event.salesperson_code == viewer.salesperson_code
    )


async def deliveries(
    session: AsyncSession, viewer: Viewer, f: OpportunityFilter | None, events: Sequence[StoredEvent]
) -> list[Delivery]:
    """The events of ``events`` the subscriber gets (see the module docstring), in their order,
    each with its opportunity's current state; one statement for the batch, none when the viewer
    may receive none of them."""
    allowed = [e for e in events if may_receive(viewer, e)]
    if not allowed:
        return []
    matches = and_(true(), *opportunity_conditions(f)) if f is not None else true()
    stmt = restrict(
        opportunity_rows()
        .add_columns(matches.label("matches"))
        .where(Opportunity.no.in_(sorted({e.opportunity_no for e in allowed}))),
        viewer,
    )
    states = {row[0].no: (row[0], row[1], bool(row[2])) for row in (await session.execute(stmt)).all()}
    wanted_salesperson = None if f is None else code_value(f.salesperson_code)
    out: list[Delivery] = []
    for event in allowed:
        state = states.get(event.opportunity_no)
        if state is not None:
            if state[2]:
                out.append(Delivery(event, (state[0], state[1])))
        elif f is None or (
            event.type is EventType.DELETED and wanted_salesperson in (None, event.salesperson_code)
        ):
            out.append(Delivery(event, None))
    return out


async def patiently(
    sessions: SessionFactory,
    read: Callable[[AsyncSession], Awaitable[T]],
    *,
    patience: float = 60.0,
    backoff: tuple[float, float] = (0.1, 2.0),
) -> T:
    """``read`` in a session of its own, tried again while the database is unavailable (a restart:
    the pool's connections are dead and new ones are refused for a while) for up to ``patience``
    seconds. A subscription has its events already; giving up at the first failed statement would
    end it for an outage its feed rides out."""
    deadline = time.monotonic() + patience
    delay = backoff[0]
    while True:
        try:
            async with sessions() as session:
                return await read(session)
        except Exception as exc:
            if unavailability(exc) is None or time.monotonic() + delay > deadline:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, backoff[1])
