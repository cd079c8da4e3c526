"""Sales quotes and orders, as far as opportunities touch them (domain.md §1.11, §5).

The link between an opportunity and its document lives on the opportunity only
(``sales_quote_no`` / ``sales_order_no``), so it cannot disagree with a second copy.
A line's amount is a generated column: ``round(quantity × unit price × (1 − discount/100), 2)``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Computed, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CODE10, CODE20, MONEY, PCT, QTY, TEXT100, ZERO, Base, code, pct_check

LINE_AMOUNT = "round(quantity * unit_price * (1 - line_discount_pct / 100), 2)"


class SalesQuote(Base):
    __tablename__ = "sales_quote"
    __table_args__ = (
        CheckConstraint("no <> '' AND no = upper(no)", name="no_upper_not_blank"),
        Index("ix_sales_quote_contact", "contact_no", "no"),
        Index("ix_sales_quote_salesperson", "salesperson_code", "no"),
        Index("ix_sales_quote_document_date", "document_date", "no"),
    )

    no: Mapped[str] = mapped_column(code(CODE20), primary_key=True)
    contact_no: Mapped[str] = mapped_column(code(CODE20), ForeignKey("contact.no"))
    salesperson_code: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("salesperson.code"))
    campaign_no: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("campaign.no"))
    document_date: Mapped[dt.date] = mapped_column(Date)
    order_date: Mapped[dt.date | None] = mapped_column(Date)
    shipment_date: Mapped[dt.date | None] = mapped_column(Date)
    currency_code: Mapped[str] = mapped_column(String(CODE10), default="")


class SalesQuoteLine(Base):
    __tablename__ = "sales_quote_line"
    __table_args__ = (
        CheckConstraint("line_no >= 1", name="line_no_positive"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint(pct_check("line_discount_pct"), name="line_discount_pct_range"),
    )

    quote_no: Mapped[str] = mapped_column(
        code(CODE20), ForeignKey("sales_quote.no", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT100), default="")
    quantity: Mapped[Decimal] = mapped_column(QTY)
    unit_price: Mapped[Decimal] = mapped_column(QTY)
    line_discount_pct: Mapped[Decimal] = mapped_column(PCT, default=ZERO)
    amount: Mapped[Decimal] = mapped_column(MONEY, Computed(LINE_AMOUNT, persisted=True))


class SalesOrder(Base):
    __tablename__ = "sales_order"
    __table_args__ = (
        CheckConstraint("no <> '' AND no = upper(no)", name="no_upper_not_blank"),
        Index("ix_sales_order_contact", "contact_no", "no"),
        Index("ix_sales_order_salesperson", "salesperson_code", "no"),
        Index("ix_sales_order_quote_no", "quote_no"),
        Index("ix_sales_order_document_date", "document_date", "no"),
    )

    no: Mapped[str] = mapped_column(code(CODE20), primary_key=True)
    quote_no: Mapped[str] = mapped_column(code(CODE20), default="")
    contact_no: Mapped[str] = mapped_column(code(CODE20), ForeignKey("contact.no"))
    salesperson_code: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("salesperson.code"))
    campaign_no: Mapped[str | None] = mapped_column(code(CODE20), ForeignKey("campaign.no"))
    document_date: Mapped[dt.date] = mapped_column(Date)
    order_date: Mapped[dt.date | None] = mapped_column(Date)
    currency_code: Mapped[str] = mapped_column(String(CODE10), default="")


class SalesOrderLine(Base):
    __tablename__ = "sales_order_line"
    __table_args__ = (
        CheckConstraint("line_no >= 1", name="line_no_positive"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint(pct_check("line_discount_pct"), name="line_discount_pct_range"),
    )

    order_no: Mapped[str] = mapped_column(
        code(CODE20), ForeignKey("sales_order.no", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT100), default="")
    quantity: Mapped[Decimal] = mapped_column(QTY)
    unit_price: Mapped[Decimal] = mapped_column(QTY)
    line_discount_pct: Mapped[Decimal] = mapped_column(PCT, default=ZERO)
    amount: Mapped[Decimal] = mapped_column(MONEY, Computed(LINE_AMOUNT, persisted=True))
