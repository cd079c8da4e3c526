"""Salesperson/Purchaser (domain.md §1.2)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CODE20, PCT, TEXT30, TEXT50, TEXT80, ZERO, Base, code, pct_check


class Salesperson(Base):
    __tablename__ = "salesperson"
    __table_args__ = (
        CheckConstraint("code <> '' AND code = upper(code)", name="code_upper_not_blank"),
        CheckConstraint(pct_check("commission_pct"), name="commission_pct_range"),
        Index("ix_salesperson_name", "name", "code"),
    )

    code: Mapped[str] = mapped_column(code(CODE20), primary_key=True)
    name: Mapped[str] = mapped_column(String(TEXT50), default="")
    email: Mapped[str] = mapped_column(String(TEXT80), default="")
    phone_no: Mapped[str] = mapped_column(String(TEXT30), default="")
    job_title: Mapped[str] = mapped_column(String(TEXT30), default="")
    commission_pct: Mapped[Decimal] = mapped_column(PCT, default=ZERO)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    privacy_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
