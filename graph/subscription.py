"""The root Subscription (api.md §7.6): live opportunity events over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from functools import partial
from typing import Annotated

import strawberry

from graph.context import Info
from graph.types.common import to_filter
from graph.types.event import OpportunityEvent
from graph.types.opportunity import OpportunityFilter
from resolvers.errors import RequestError
from resolvers.events.reads import (
    StoredEvent,
    decode_event_cursor,
    deliveries,
    events_between,
    patiently,
)
from resolvers.reads import opportunity as opportunity_reads


@strawberry.type(description="Live changes, over WebSocket (graphql-transport-ws).")
class Subscription:
    @strawberry.subscription(
        description="Every committed change to an opportunity the caller may read, in commit order, "
        "from every server process: CREATED, UPDATED, STAGE_CHANGED, CLOSED, DELETED. A SALESPERSON "
        "receives the events of its own opportunities only. With `after`, the stored events after "
        "that id come first (events are kept 7 days), then the live ones, with no gap and no "
        "duplicate. The filter is judged on the opportunity as it is when the event is delivered; "
        "a DELETED event passes any filter that does not name another salesperson."
    )
    async def opportunity_events(
        self,
        info: Info,
        filter: Annotated[
            OpportunityFilter | None,
            strawberry.argument(description="Only events of opportunities like these."),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(description="Resume after this event `id` (INVALID_CURSOR if not one)."),
        ] = None,
    ) -> AsyncGenerator[OpportunityEvent, None]:
        context = info.context
        if context.events is None:
            raise RequestError("SUBSCRIPTION_ENDED", "This server has no event feed.")
        wanted = to_filter(filter, opportunity_reads.OpportunityFilter)
        if wanted is not None:
            opportunity_reads.opportunity_conditions(wanted)  # INVALID_FILTER now, not at the first event
        resume = None if after is None else decode_event_cursor(after)
        subscriber = context.events.subscribe()
        try:
            cursor = resume
            while cursor is not None and cursor < subscriber.start:
                stored = await patiently(
                    context.sessions, partial(events_between, after=cursor, upto=subscriber.start)
                )
                if not stored:
                    break
                cursor = stored[-1].id
                for event in await _deliver(info, wanted, stored):
                    yield event
            async for batch in subscriber.batches():
                live = batch if resume is None else [e for e in batch if e.id > resume]
                for event in await _deliver(info, wanted, live):
                    yield event
        finally:
            subscriber.close()


async def _deliver(
    info: Info, wanted: opportunity_reads.OpportunityFilter | None, stored: list[StoredEvent]
) -> list[OpportunityEvent]:
    if not stored:
        return []
    context = info.context
    given = await patiently(context.sessions, lambda s: deliveries(s, context.viewer, wanted, stored))
    context.reset_loaders()  # relations of these events read the state of now, not a cached one
    return [OpportunityEvent.from_delivery(delivery) for delivery in given]
