"""Writing the outbox: a use case records its events on the session, ``publish`` inserts them
just before COMMIT.

Event ids are in commit order, which is what lets every process read "the events after the last
one I delivered" without ever skipping one committed later with a smaller id. The insert first
takes one transaction-scoped advisory lock (the same constant everywhere), so between the insert
and the end of its transaction no other writer takes ids; the lock is held only from that last
statement to the commit. The same statement calls ``pg_notify``: PostgreSQL delivers a
notification only when (and if) the transaction commits, in commit order, so a rolled-back change
and a dry run (which never publishes) wake nobody.

The same statement also writes each event's webhook deliveries (``models.webhook``): one per live
endpoint whose ``events`` list its type. In the change's transaction, so a committed event always
has them and the delivery worker needs no high-water mark of its own; and in the same statement,
so a write costs no extra round trip.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from models.event import EventType

#: The channel every server process LISTENs on; the payload is the greatest id committed.
CHANNEL = "salesgraph_events"
#: The advisory lock that orders the outbox's ids (any constant no other code uses: "sg events").
ORDER_LOCK = 0x7367_6576

_INFO_KEY = "events"

# The salesperson an event is scoped by is the opportunity's as the transaction leaves it (read in
# the publishing statement itself, after the flush), or, for a deleted one, the one recorded.
_PUBLISH = f"""
    WITH ordered AS (SELECT pg_advisory_xact_lock({ORDER_LOCK})),
    written AS (
        INSERT INTO opportunity_event (type, opportunity_no, salesperson_code, entry_no)
        SELECT e.type, e.opportunity_no,
               CASE WHEN o.no IS NULL THEN e.salesperson_code ELSE o.salesperson_code END,
               e.entry_no
        FROM unnest(
            $1::text[], $2::text[], $3::text[], $4::bigint[]
        ) WITH ORDINALITY AS e(type, opportunity_no, salesperson_code, entry_no, n)
        LEFT JOIN opportunity o ON o.no = e.opportunity_no
        WHERE EXISTS (SELECT FROM ordered)
        ORDER BY e.n
        RETURNING id, type, opportunity_no
    ),
    owed AS (
        INSERT INTO webhook_delivery (webhook_id, event_id, opportunity_no, status)
        SELECT w.id, e.id, e.opportunity_no, 'PENDING'
        FROM written e JOIN webhook w ON w.deleted_at IS NULL AND e.type = ANY (w.events)
    )
    SELECT pg_notify('{CHANNEL}', max(id)::text) FROM written
    """

#: One event per opportunity per transaction: what the change amounts to, the strongest first.
PRECEDENCE = (
    EventType.CREATED,
    EventType.DELETED,
    EventType.CLOSED,
    EventType.STAGE_CHANGED,
    EventType.UPDATED,
)


@dataclass(frozen=True, slots=True)
class Event:
    """An event a use case recorded, not yet written."""

    type: EventType
    opportunity_no: str
    salesperson_code: str | None
    entry_no: int | None = None

    def merged(self, later: Event) -> Event:
        """This event and a later one of the same opportunity in the same transaction, as one: a
        create that activates the first stage is CREATED with its entry, a close that also
        re-links an order is CLOSED, an edit that is also a stage move is STAGE_CHANGED."""
        strongest = min(self.type, later.type, key=PRECEDENCE.index)
        return Event(
            strongest,
            self.opportunity_no,
            later.salesperson_code if later.salesperson_code is not None else self.salesperson_code,
            later.entry_no if later.entry_no is not None else self.entry_no,
        )


def record(
    session: AsyncSession | Session,
    type: EventType,
    opportunity_no: str,
    salesperson_code: str | None,
    entry_no: int | None = None,
) -> None:
    """Record that ``session``'s transaction changes an opportunity; written by :func:`publish`.
    (A synchronous ``Session`` is an ``AsyncSession``'s own: they share ``info``.)

    A committed change is one event per opportunity (api.md §7.6): what is recorded for the same
    opportunity again is merged into its event (:meth:`Event.merged`), which keeps its place.
    """
    events: dict[str, Event] = session.info.setdefault(_INFO_KEY, {})
    event = Event(type, opportunity_no, salesperson_code, entry_no)
    before = events.get(opportunity_no)
    events[opportunity_no] = event if before is None else before.merged(event)


def recorded(session: AsyncSession) -> list[Event]:
    """The events recorded on ``session`` and not yet published, in the order first recorded."""
    events: dict[str, Event] = session.info.get(_INFO_KEY, {})
    return list(events.values())


def discard(session: AsyncSession) -> None:
    """Forget the recorded events (the transaction rolled back, or was a dry run)."""
    session.info.pop(_INFO_KEY, None)


async def publish(session: AsyncSession) -> None:
    """Write the recorded events in one statement (see the module docstring); call it last,
    after the flush, right before COMMIT. Nothing recorded: no statement."""
    events = recorded(session)
    discard(session)
    if not events:
        return
    # Driver SQL, as the lifecycle statements: a fixed statement, nothing for SQLAlchemy to compile.
    connection = await session.connection()
    await connection.exec_driver_sql(
        _PUBLISH,
        (
            [e.type.value for e in events],
            [e.opportunity_no for e in events],
            [e.salesperson_code for e in events],
            [e.entry_no for e in events],
        ),
    )
