"""Sales cycle and its ordered stages (domain.md §1.4, §1.5)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.activity import DATE_FORMULA_LENGTH
from models.base import CODE10, PCT, TEXT100, ZERO, Base, code, enum_column, pct_check
from models.enums import ProbabilityCalculation


class SalesCycle(Base):
    __tablename__ = "sales_cycle"
    __table_args__ = (
        CheckConstraint("code <> '' AND code = upper(code)", name="code_upper_not_blank"),
        Index("ix_sales_cycle_description", "description", "code"),
    )

    code: Mapped[str] = mapped_column(code(CODE10), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT100), default="")
    probability_calculation: Mapped[ProbabilityCalculation] = mapped_column(
        enum_column(ProbabilityCalculation, "probability_calculation"),
        default=ProbabilityCalculation.MULTIPLY,
    )
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)


class SalesCycleStage(Base):
    """A stage of a cycle. Stages are ordered by ``stage``; the numbers need not be consecutive."""

    __tablename__ = "sales_cycle_stage"
    __table_args__ = (
        CheckConstraint("stage >= 1", name="stage_positive"),
        CheckConstraint(pct_check("completed_pct"), name="completed_pct_range"),
        CheckConstraint(pct_check("chances_of_success_pct"), name="chances_of_success_pct_range"),
        Index("ix_sales_cycle_stage_activity_code", "activity_code"),
    )

    sales_cycle_code: Mapped[str] = mapped_column(
        code(CODE10), ForeignKey("sales_cycle.code", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT100), default="")
    completed_pct: Mapped[Decimal] = mapped_column(PCT, default=ZERO)
    chances_of_success_pct: Mapped[Decimal] = mapped_column(PCT, default=ZERO)
    activity_code: Mapped[str | None] = mapped_column(code(CODE10), ForeignKey("activity.code"))
    quote_required: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_skip: Mapped[bool] = mapped_column(Boolean, default=False)
    date_formula: Mapped[str] = mapped_column(String(DATE_FORMULA_LENGTH), default="")
