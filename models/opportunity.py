"""Opportunity and its append-only history of entries (domain.md §1.8, §1.9).

The opportunity's KPIs (stage, values, percentages, estimated closing date) are *not* stored on
the opportunity: they are read from its single active entry (§3.4). The database enforces that
there is at most one active entry per opportunity with a partial unique index.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import (
    CODE10,
    CODE20,
    MONEY,
    PCT,
    TEXT100,
    ZERO,
    Base,
    code,
    enum_column,
    pct_check,
)
from models.enums import ActionTaken, OpportunityStatus, Priority

ACTIVE = text("active")


class Opportunity(Base):
    __tablename__ = "opportunity"
    __table_args__ = (
        CheckConstraint("no <> '' AND no = upper(no)", name="no_upper_not_blank"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("closed = (status IN ('WON', 'LOST'))", name="closed_matches_status"),
        CheckConstraint("(date_closed IS NOT NULL) = closed", name="date_closed_when_closed"),
        CheckConstraint("num_nonnulls(sales_quote_no, sales_order_no) <= 1", name="one_document"),
        Index("ix_opportunity_contact_company", "contact_company_no", "contact_no", "closed"),
        Index("ix_opportunity_contact_no", "contact_no", "no"),
        Index("ix_opportunity_company_no", "contact_company_no", "no"),
        Index("ix_opportunity_salesperson", "salesperson_code", "closed", "no"),
        Index("ix_opportunity_salesperson_no", "salesperson_code", "no"),
        Index("ix_opportunity_campaign", "campaign_no", "closed", "no"),
        Index("ix_opportunity_sales_cycle", "sales_cycle_code", "no"),
        Index("ix_opportunity_status", "status", "no"),
        Index("ix_opportunity_creation_date", "creation_date", "no"),
        Index("ix_opportunity_date_closed", "date_closed", "no"),
        # Days to close per cycle (velocity): closed opportunities only.
        Index(
            "ix_opportunity_cycle_closed",
            "sales_cycle_code",
            "date_closed",
            postgresql_include=["creation_date", "status"],
            postgresql_where=text("closed"),
        ),
        Index("ix_opportunity_description", "description", "no"),
        Index("uq_opportunity_sales_quote_no", "sales_quote_no", unique=True),
        Index("uq_opportunity_sales_order_no", "sales_order_no", unique=True),
    )

    no: Mapped[str] = mapped_column(code(CODE20), primary_key=True)
    no_series: Mapped[str] = mapped_column(code(CODE20), default="")
    description: Mapped[str] = mapped_column(String(TEXT100), default="")
    salesperson_code: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("salesperson.code"))
    campaign_no: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("campaign.no"))
    contact_no: Mapped[str] = mapped_column(code(CODE20), ForeignKey("contact.no"))
    contact_company_no: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("contact.no"))
    sales_cycle_code: Mapped[str | None] = mapped_column(code(CODE10), ForeignKey("sales_cycle.code"))
    sales_quote_no: Mapped[str | None] = mapped_column(
        code(CODE20), ForeignKey("sales_quote.no", ondelete="SET NULL")
    )
    sales_order_no: Mapped[str | None] = mapped_column(
        code(CODE20), ForeignKey("sales_order.no", ondelete="SET NULL")
    )
    creation_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[OpportunityStatus] = mapped_column(
        enum_column(OpportunityStatus, "opportunity_status"), default=OpportunityStatus.NOT_STARTED
    )
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, "priority"), default=Priority.NORMAL)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    date_closed: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OpportunityEntry(Base):
    """One step of an opportunity's history. Exactly one entry of a started opportunity is active."""

    __tablename__ = "opportunity_entry"
    __table_args__ = (
        CheckConstraint("sales_cycle_stage >= 0", name="stage_not_negative"),
        CheckConstraint("previous_sales_cycle_stage >= 0", name="previous_stage_not_negative"),
        CheckConstraint("days_open >= 0", name="days_open_not_negative"),
        CheckConstraint(pct_check("completed_pct"), name="completed_pct_range"),
        CheckConstraint(pct_check("chances_of_success_pct"), name="chances_of_success_pct_range"),
        CheckConstraint(pct_check("probability_pct"), name="probability_pct_range"),
        CheckConstraint(
            "(action_taken IN ('WON', 'LOST')) = (sales_cycle_stage = 0)",
            name="closing_entries_on_stage_zero",
        ),
        CheckConstraint(
            "(action_taken IN ('WON', 'LOST')) = (date_closed IS NOT NULL)",
            name="date_closed_on_closing_entries",
        ),
        # The backstop for the lifecycle's central invariant (domain.md §10).
        Index(
            "uq_opportunity_entry_one_active",
            "opportunity_no",
            unique=True,
            postgresql_where=ACTIVE,
        ),
        Index("ix_opportunity_entry_opportunity", "opportunity_no", "entry_no"),
        Index(
            "ix_opportunity_entry_active_stage",
            "sales_cycle_code",
            "sales_cycle_stage",
            "estimated_close_date",
            postgresql_where=ACTIVE,
        ),
        Index(
            "ix_opportunity_entry_cycle_stage",
            "sales_cycle_code",
            "sales_cycle_stage",
            "active",
        ),
        Index(
            "ix_opportunity_entry_active_salesperson",
            "salesperson_code",
            "date_of_change",
            postgresql_where=ACTIVE,
        ),
        Index(
            "ix_opportunity_entry_active_contact",
            "contact_company_no",
            "contact_no",
            postgresql_where=ACTIVE,
        ),
        Index("ix_opportunity_entry_active_campaign", "campaign_no", postgresql_where=ACTIVE),
        Index("ix_opportunity_entry_close_code", "close_opportunity_code"),
        # Stage moves in entry order per opportunity: velocity, stage conversion and the date the
        # current stage was entered (UPDATED entries never change the stage).
        Index(
            "ix_opportunity_entry_stage_moves",
            "sales_cycle_code",
            "opportunity_no",
            "entry_no",
            postgresql_include=["sales_cycle_stage", "date_of_change", "action_taken"],
            postgresql_where=text("action_taken <> 'UPDATED'"),
        ),
        # Closing entries by closing date: win rates.
        Index(
            "ix_opportunity_entry_closing",
            "date_closed",
            postgresql_include=[
                "action_taken",
                "salesperson_code",
                "sales_cycle_code",
                "estimated_value",
                "calculated_current_value",
            ],
            postgresql_where=text("active AND date_closed IS NOT NULL"),
        ),
        # Open opportunities' active entries: the stalled filter and its count.
        Index(
            "ix_opportunity_entry_active_open",
            "opportunity_no",
            postgresql_include=["entry_no", "sales_cycle_code", "action_taken", "date_of_change"],
            postgresql_where=text("active AND date_closed IS NULL"),
        ),
        Index("ix_opportunity_entry_date_of_change", "date_of_change", "entry_no"),
        # Sort keys of the opportunity list that live on the active entry (api.md §4).
        Index(
            "ix_opportunity_entry_active_estimated_value",
            "estimated_value",
            "opportunity_no",
            postgresql_where=ACTIVE,
        ),
        Index(
            "ix_opportunity_entry_active_calculated_value",
            "calculated_current_value",
            "opportunity_no",
            postgresql_where=ACTIVE,
        ),
        Index(
            "ix_opportunity_entry_active_close_date",
            "estimated_close_date",
            "opportunity_no",
            postgresql_where=ACTIVE,
        ),
        Index(
            "ix_opportunity_entry_active_probability",
            "probability_pct",
            "opportunity_no",
            postgresql_where=ACTIVE,
        ),
    )

    # created_at comes from the database: fetch it with the INSERT, so a new entry is complete.
    __mapper_args__ = {"eager_defaults": True}

    entry_no: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    opportunity_no: Mapped[str] = mapped_column(
        code(CODE20), ForeignKey("opportunity.no", ondelete="CASCADE")
    )
    sales_cycle_code: Mapped[str | None] = mapped_column(code(CODE10), ForeignKey("sales_cycle.code"))
    sales_cycle_stage: Mapped[int] = mapped_column(Integer, default=0)
    sales_cycle_stage_description: Mapped[str] = mapped_column(String(TEXT100), default="")
    previous_sales_cycle_stage: Mapped[int] = mapped_column(Integer, default=0)
    contact_no: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("contact.no"))
    contact_company_no: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("contact.no"))
    salesperson_code: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("salesperson.code"))
    campaign_no: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("campaign.no"))
    date_of_change: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    date_closed: Mapped[dt.date | None] = mapped_column(Date)
    days_open: Mapped[int] = mapped_column(Integer, default=0)
    action_taken: Mapped[ActionTaken] = mapped_column(enum_column(ActionTaken, "action_taken"))
    estimated_value: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    calculated_current_value: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    completed_pct: Mapped[Decimal] = mapped_column(PCT, default=ZERO)
    chances_of_success_pct: Mapped[Decimal] = mapped_column(PCT, default=ZERO)
    probability_pct: Mapped[Decimal] = mapped_column(PCT, default=ZERO)
    close_opportunity_code: Mapped[str | None] = mapped_column(
        code(CODE10), ForeignKey("close_opportunity_code.code")
    )
    estimated_close_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
