"""The outbox: one row per committed change to an opportunity (api.md §7.6).

Rows are written in the transaction of the change (``resolvers.events.outbox``), so a rolled-back
change leaves none; their ``id`` order is their commit order (the writer takes one advisory lock
from the insert to the commit). Subscriptions and, later, webhooks read from here.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Identity, String, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CODE20, Base, code, enum_column


class EventType(enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    STAGE_CHANGED = "STAGE_CHANGED"
    CLOSED = "CLOSED"
    DELETED = "DELETED"


class OpportunityEvent(Base):
    __tablename__ = "opportunity_event"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    type: Mapped[EventType] = mapped_column(enum_column(EventType, "event_type"))
    opportunity_no: Mapped[str] = mapped_column(code(CODE20))
    #: The opportunity's salesperson when the event happened: who may read the event, also after
    #: the opportunity is gone.
    salesperson_code: Mapped[str | None] = mapped_column(String(CODE20), default=None)
    #: The entry a stage change or a close wrote.
    entry_no: Mapped[int | None] = mapped_column(BigInteger, default=None)
