"""Declarative base, column types and constraint naming shared by every table."""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import Enum, MetaData, Numeric, String
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Business Central's Code[n] and Text[n] lengths.
CODE10 = 10
CODE20 = 20
TEXT30 = 30
TEXT50 = 50
TEXT80 = 80
TEXT100 = 100

#: Money: 2 decimals, rounded half-up when written (domain.md §11.12).
MONEY = Numeric(18, 2)
#: Percentages: 4 decimals.
PCT = Numeric(9, 4)
#: Quantities and unit prices on sales lines.
QTY = Numeric(18, 4)

ZERO = Decimal(0)


def code(length: int) -> String:
    """A Business Central ``Code[length]`` column: upper-cased by the API before it is stored."""
    return String(length)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A text column holding an enum's member names, checked by the database."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.name) for m in enum_cls),
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def pct_check(column: str) -> str:
    """SQL for a percentage column's 0–100 range check."""
    return f"{column} >= 0 AND {column} <= 100"
