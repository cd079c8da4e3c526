"""Webhook endpoints and their deliveries (api.md §7.6, "Webhooks").

A ``webhook`` is an endpoint an ``ADMIN`` registered, with the event types it wants; deleting one
sets ``deleted_at`` (its deliveries stay queryable). A ``webhook_delivery`` is one event owed to
one endpoint: written by the outbox's publishing statement, in the transaction of the change, for
every live endpoint whose ``events`` list the event's type (``resolvers.events.outbox``); so a
committed event always has its deliveries and a rolled-back one has none.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column

#: The longest URL an endpoint may have.
URL_LENGTH = 2000
#: The shortest secret an endpoint may have (api.md is silent; 16 characters is the brief's floor).
SECRET_MIN = 16
SECRET_MAX = 200
#: How long a delivery is retried after its event, before it is FAILED (api.md §7.6: 24 h).
RETRY_HOURS = 24


class DeliveryStatus(enum.Enum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


class Webhook(Base):
    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    #: ``EventType`` names.
    events: Mapped[list[str]] = mapped_column(ARRAY(Text))
    secret: Mapped[str] = mapped_column(String(SECRET_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class WebhookDelivery(Base):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        # What the worker claims: the pending ones that are due.
        Index("ix_webhook_delivery_due", "next_attempt_at", postgresql_where=text("status = 'PENDING'")),
        Index("ix_webhook_delivery_webhook_id_id", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    webhook_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("webhook.id"))
    #: No foreign key: the outbox is pruned after 7 days, the deliveries stay.
    event_id: Mapped[int] = mapped_column(BigInteger)
    #: The event's opportunity, copied: deliveries are ordered per webhook and opportunity.
    opportunity_no: Mapped[str] = mapped_column(String(20))
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
