"""OpportunityEvent: one committed change to an opportunity, as ``opportunityEvents`` delivers it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from graph.context import Info
from graph.types.common import load_one
from graph.types.entry import OpportunityEntry
from graph.types.opportunity import Opportunity
from models import event as event_models
from resolvers.events.reads import Delivery, event_cursor

EventType = event_models.EventType
strawberry.enum(
    event_models.EventType,
    name="OpportunityEventType",
    description=(
        "What happened to the opportunity: CREATED, UPDATED (its fields, quote or order), "
        "STAGE_CHANGED (a stage entry was written), CLOSED (won or lost), DELETED."
    ),
)


@strawberry.type(description="A committed change to an opportunity (api.md §7.6).")
class OpportunityEvent:
    id: str = strawberry.field(
        description="The event's cursor: pass it as `after` to resume after this event. Ids grow in "
        "commit order; there may be gaps."
    )
    type: EventType = strawberry.field(description="What happened.")
    occurred_at: dt.datetime = strawberry.field(description="When the change was written (UTC).")
    opportunity_no: str = strawberry.field(description="The opportunity's number.")
    opportunity: Annotated[Opportunity, strawberry.lazy("graph.types.opportunity")] | None = strawberry.field(
        description="The opportunity as it is now (read when the event is delivered, not as it was "
        "when the event happened); null after a delete, or when the caller may no longer read it."
    )
    entry_no: strawberry.Private[int | None]

    @strawberry.field(
        description="The entry a STAGE_CHANGED or CLOSED event wrote; null for the other types."
    )
    async def entry(self, info: Info) -> OpportunityEntry | None:
        return await load_one(info.context.loaders.entry_by_no, self.entry_no, OpportunityEntry.from_row)

    @classmethod
    def from_delivery(cls, delivery: Delivery) -> OpportunityEvent:
        event = delivery.event
        return cls(
            id=event_cursor(event.id),
            type=event.type,
            occurred_at=event.occurred_at,
            opportunity_no=event.opportunity_no,
            opportunity=None if delivery.opportunity is None else Opportunity.from_row(delivery.opportunity),
            entry_no=event.entry_no,
        )
