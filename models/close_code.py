"""Close opportunity code: why an opportunity was won or lost (domain.md §1.7)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CODE10, TEXT100, Base, code, enum_column
from models.enums import CloseOutcome


class CloseOpportunityCode(Base):
    __tablename__ = "close_opportunity_code"
    __table_args__ = (
        CheckConstraint("code <> '' AND code = upper(code)", name="code_upper_not_blank"),
        Index("ix_close_opportunity_code_type", "type", "code"),
    )

    code: Mapped[str] = mapped_column(code(CODE10), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT100), default="")
    type: Mapped[CloseOutcome] = mapped_column(enum_column(CloseOutcome, "close_outcome"))
