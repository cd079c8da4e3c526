"""Writing the outbox: a use case records its events on the session, ``publish`` inserts them
just before COMMIT.

Event ids are in commit order, which is what lets every process read "the events after the last
one I delivered" without ever skipping one committed later with a smaller id. The insert first
takes one transaction-scoped advisory lock (the same constant everywhere), so between the insert
and the end of its transaction no other writer takes ids; the lock is held only from that last
statement to the commit. The same statement calls ``pg_notify``: PostgreSQL delivers a
notification only when (and if) the transaction commits, in commit order, so a rolled-back change
and a dry run (which never publishes) wake nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from models.event import EventType

#: The channel every server process LISTENs on; the payload is the greatest id committed.
CHANNEL = "salesgraph_events"
#: The advisory lock that orders the outbox's ids (any constant no other code uses: "sg events").
ORDER_LOCK = 0x7367_6576

_INFO_KEY = "events"

_PUBLISH = text(
    f"""
    WITH ordered AS (SELECT pg_advisory_xact_lock({ORDER_LOCK})),
    written AS (
        INSERT INTO opportunity_event (type, opportunity_no, salesperson_code, entry_no)
        SELECT e.type, e.opportunity_no, e.salesperson_code, e.entry_no
        FROM unnest(
            CAST(:types AS text[]), CAST(:opportunity_nos AS text[]),
            CAST(:salesperson_codes AS text[]), CAST(:entry_nos AS bigint[])
        ) WITH ORDINALITY AS e(type, opportunity_no, salesperson_code, entry_no, n)
        WHERE EXISTS (SELECT FROM ordered)
        ORDER BY e.n
        RETURNING id
    )
    SELECT pg_notify('{CHANNEL}', max(id)::text) FROM written
    """
)


@dataclass(frozen=True, slots=True)
class Event:
    """An event a use case recorded, not yet written."""

    type: EventType
    opportunity_no: str
    salesperson_code: str | None
    entry_no: int | None = None


def record(
    session: AsyncSession,
    type: EventType,
    opportunity_no: str,
    salesperson_code: str | None,
    entry_no: int | None = None,
) -> None:
    """Record an event of the change ``session``'s transaction makes; written by :func:`publish`.

    Several events of one opportunity in one transaction are kept as they are (a close after a
    stage move is two facts); the same event recorded twice is kept once.
    """
    event = Event(type, opportunity_no, salesperson_code, entry_no)
    events: list[Event] = session.info.setdefault(_INFO_KEY, [])
    if event not in events:
        events.append(event)


def recorded(session: AsyncSession) -> list[Event]:
    """The events recorded on ``session`` and not yet published."""
    events: list[Event] = session.info.get(_INFO_KEY, [])
    return list(events)


def discard(session: AsyncSession) -> None:
    """Forget the recorded events (the transaction rolled back, or was a dry run)."""
    session.info.pop(_INFO_KEY, None)


async def publish(session: AsyncSession) -> None:
    """Write the recorded events in one statement (see the module docstring); call it last,
    right before COMMIT. Nothing recorded: no statement."""
    events: list[Event] = session.info.pop(_INFO_KEY, [])
    if not events:
        return
    await session.execute(
        _PUBLISH,
        {
            "types": [e.type.value for e in events],
            "opportunity_nos": [e.opportunity_no for e in events],
            "salesperson_codes": [e.salesperson_code for e in events],
            "entry_nos": [e.entry_no for e in events],
        },
    )
