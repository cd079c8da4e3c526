"""Marketing setup (a singleton) and the number series it numbers documents from (domain.md §1.1, §11.16)."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CODE10, CODE20, TEXT50, Base, code

SETUP_ID = 1


class NumberSeries(Base):
    """A number series: ``prefix`` + ``next_no`` zero-padded to ``width`` digits (``OP000001``)."""

    __tablename__ = "number_series"
    __table_args__ = (
        CheckConstraint("width >= 1 AND width <= 18", name="width_range"),
        CheckConstraint("next_no >= 1", name="next_no_positive"),
    )

    code: Mapped[str] = mapped_column(code(CODE20), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT50), default="")
    prefix: Mapped[str] = mapped_column(String(CODE20), default="")
    width: Mapped[int] = mapped_column(Integer, default=6)
    next_no: Mapped[int] = mapped_column(Integer, default=1)
    manual_nos: Mapped[bool] = mapped_column(Boolean, default=True)


class Setup(Base):
    """The marketing setup: one row (``id = 1``)."""

    __tablename__ = "setup"
    __table_args__ = (CheckConstraint(f"id = {SETUP_ID}", name="singleton"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=SETUP_ID)
    opportunity_nos: Mapped[str] = mapped_column(ForeignKey("number_series.code"))
    task_nos: Mapped[str] = mapped_column(ForeignKey("number_series.code"))
    contact_nos: Mapped[str] = mapped_column(ForeignKey("number_series.code"))
    quote_nos: Mapped[str] = mapped_column(ForeignKey("number_series.code"))
    order_nos: Mapped[str] = mapped_column(ForeignKey("number_series.code"))
    campaign_nos: Mapped[str] = mapped_column(ForeignKey("number_series.code"))
    default_sales_cycle_code: Mapped[str | None] = mapped_column(
        code(CODE10), ForeignKey("sales_cycle.code", ondelete="SET NULL")
    )
    default_salesperson_code: Mapped[str | None] = mapped_column(
        code(CODE20), ForeignKey("salesperson.code", ondelete="SET NULL")
    )
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency_code: Mapped[str] = mapped_column(String(CODE10), default="USD")
