"""``webhookDeliveries`` (api.md §7.6): how each event's delivery to each webhook went."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.relay import Connection, page_args, root_connection
from graph.types.common import After, Before, First, Last
from graph.types.webhook import WebhookDelivery, WebhookDeliveryFilter
from resolvers.reads import webhook as reads
from resolvers.reads.filters import storable
from resolvers.reads.ids import decode_id


def _webhook_key(global_id: str | None) -> int | None:
    if global_id is None:
        return None
    type_name, key = decode_id(storable(global_id))
    # Another type's ID, or a webhook that never was, simply matches no delivery.
    return key[0] if type_name == "Webhook" and len(key) == 1 and isinstance(key[0], int) else -1


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="Webhook deliveries, newest first (ADMIN only: another role gets FORBIDDEN)."
    )
    async def webhook_deliveries(
        self,
        info: Info,
        filter: Annotated[
            WebhookDeliveryFilter | None,
            strawberry.argument(description="Only deliveries meeting all these."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[WebhookDelivery]:
        reads.require_admin(info.context.viewer, "webhookDeliveries")
        listing = reads.delivery_listing(
            _webhook_key(filter.webhook_id if filter else None), filter.status if filter else None
        )
        return await root_connection(
            info, listing, page_args(first, after, last, before), WebhookDelivery.from_row
        )
