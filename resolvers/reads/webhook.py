"""Listing webhook deliveries (api.md §7.6): newest first, ``ADMIN`` only."""

from __future__ import annotations

from sqlalchemy import select

from models.webhook import DeliveryStatus, WebhookDelivery
from resolvers.errors import RequestError
from resolvers.reads.pagination import Listing, Order
from resolvers.viewer import Role, Viewer


def require_admin(viewer: Viewer, field: str) -> None:
    """Webhooks carry where events go and with which secret: only ``ADMIN`` reads them."""
    if viewer.role is not Role.ADMIN:
        raise RequestError("ADMIN_ONLY", f"Only ADMIN may read {field}.")


def delivery_listing(webhook_id: int | None, status: DeliveryStatus | None) -> Listing:
    stmt = select(WebhookDelivery)
    if webhook_id is not None:
        stmt = stmt.where(WebhookDelivery.webhook_id == webhook_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    return Listing(stmt, (Order(WebhookDelivery.__table__.c.id, descending=True),), "webhookDeliveries")
