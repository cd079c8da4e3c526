"""Webhook endpoints and their deliveries (api.md §7.6), as ``ADMIN`` reads them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from graph.relay import encode_id
from graph.types.event import EventType
from models import event as event_models
from models import webhook as webhook_models

DeliveryStatus = webhook_models.DeliveryStatus
strawberry.enum(
    webhook_models.DeliveryStatus,
    name="WebhookDeliveryStatus",
    description=(
        "PENDING: not delivered yet (being retried); DELIVERED: the endpoint answered 2xx; FAILED: "
        "no 2xx within 24 h of the event, or the webhook was deleted first."
    ),
)


def webhook_id(key: int) -> strawberry.ID:
    return strawberry.ID(encode_id("Webhook", [key]))


@strawberry.type(description="An endpoint each event of its types is POSTed to (signed; api.md §7.6).")
class Webhook:
    id: strawberry.ID = strawberry.field(description="Opaque ID (pass it to `deleteWebhook`).")
    url: str = strawberry.field(description="Where the events are POSTed.")
    events: list[EventType] = strawberry.field(description="The event types delivered.")
    created_at: dt.datetime = strawberry.field(description="When it was registered.")
    deleted_at: dt.datetime | None = strawberry.field(description="When it was deleted; null while live.")

    @classmethod
    def from_row(cls, row: webhook_models.Webhook) -> Webhook:
        return cls(
            id=webhook_id(row.id),
            url=row.url,
            events=[event_models.EventType[e] for e in row.events],
            created_at=row.created_at,
            deleted_at=row.deleted_at,
        )


@strawberry.type(description="One event owed to one webhook, and how its delivery went.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="Opaque ID.")
    webhook_id: strawberry.ID = strawberry.field(description="The webhook's ID.")
    event_id: str = strawberry.field(description="The event's id (as `opportunityEvents` gives it).")
    opportunity_no: str = strawberry.field(description="The event's opportunity.")
    status: DeliveryStatus = strawberry.field(description="Where the delivery stands.")
    attempts: int = strawberry.field(description="POSTs made so far.")
    next_attempt_at: dt.datetime | None = strawberry.field(
        description="When the next POST is due; null once DELIVERED or FAILED."
    )
    last_status_code: int | None = strawberry.field(
        description="The HTTP status of the last POST; null before one, or when it got no answer."
    )
    last_error: str | None = strawberry.field(description="Why the last POST failed, when it did.")
    delivered_at: dt.datetime | None = strawberry.field(description="When the endpoint answered 2xx.")

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> WebhookDelivery:
        d: webhook_models.WebhookDelivery = row[0]
        pending = d.status is DeliveryStatus.PENDING
        return cls(
            id=strawberry.ID(encode_id("WebhookDelivery", [d.id])),
            webhook_id=webhook_id(d.webhook_id),
            event_id=str(d.event_id),
            opportunity_no=d.opportunity_no,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at if pending else None,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            delivered_at=d.delivered_at,
        )


@strawberry.input(description="Only deliveries meeting all these conditions.")
class WebhookDeliveryFilter:
    webhook_id: strawberry.ID | None = strawberry.field(default=None, description="Of this webhook.")
    status: DeliveryStatus | None = strawberry.field(default=None, description="In this status.")
