"""Campaign (domain.md §1.12): opportunities validate against its dates and activation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CODE20, TEXT100, Base, code


class Campaign(Base):
    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("no <> '' AND no = upper(no)", name="no_upper_not_blank"),
        CheckConstraint(
            "starting_date IS NULL OR ending_date IS NULL OR starting_date <= ending_date",
            name="dates_in_order",
        ),
        Index("ix_campaign_salesperson_code", "salesperson_code"),
        Index("ix_campaign_description", "description", "no"),
    )

    no: Mapped[str] = mapped_column(code(CODE20), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT100), default="")
    starting_date: Mapped[dt.date | None] = mapped_column(Date)
    ending_date: Mapped[dt.date | None] = mapped_column(Date)
    activated: Mapped[bool] = mapped_column(Boolean, default=False)
    salesperson_code: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("salesperson.code"))
