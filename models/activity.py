"""Activity and its steps: the tasks a sales cycle stage generates (domain.md §1.6, §4)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import CODE10, TEXT100, Base, code, enum_column
from models.enums import Priority, TaskType

DATE_FORMULA_LENGTH = 32


class Activity(Base):
    __tablename__ = "activity"
    __table_args__ = (CheckConstraint("code <> '' AND code = upper(code)", name="code_upper_not_blank"),)

    code: Mapped[str] = mapped_column(code(CODE10), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT100), default="")


class ActivityStep(Base):
    __tablename__ = "activity_step"
    __table_args__ = (CheckConstraint("step_no >= 1", name="step_no_positive"),)

    activity_code: Mapped[str] = mapped_column(
        code(CODE10), ForeignKey("activity.code", ondelete="CASCADE"), primary_key=True
    )
    step_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[TaskType] = mapped_column(enum_column(TaskType, "task_type"), default=TaskType.NONE)
    description: Mapped[str] = mapped_column(String(TEXT100), default="")
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, "priority"), default=Priority.NORMAL)
    date_formula: Mapped[str] = mapped_column(String(DATE_FORMULA_LENGTH), default="")
