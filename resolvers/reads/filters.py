"""Small helpers that turn filter values into SQL conditions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Any, text: str | None) -> list[ColumnElement[bool]]:
    """Case-insensitive substring match of the trimmed text; no condition for a blank search."""
    text = (text or "").strip()
    if not text:
        return []
    return [column.ilike(f"%{escape_like(text)}%", escape="\\")]


def code_key(value: str) -> str:
    """Codes and numbers are upper-cased on input (api.md §2), so lookups are case-insensitive."""
    return value.strip().upper()


def code_value(value: str | None) -> str | None:
    """:func:`code_key` of an optional value."""
    return None if value is None else code_key(value)


def equal(pairs: Iterable[tuple[Any, Any]]) -> list[ColumnElement[bool]]:
    """``column = value`` for every pair whose value is given."""
    return [column == value for column, value in pairs if value is not None]


def one_of(column: Any, values: Sequence[Any] | None) -> list[ColumnElement[bool]]:
    return [] if values is None else [column.in_(list(values))]


def date_range(column: Any, low: dt.date | None, high: dt.date | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if low is not None:
        conditions.append(column >= low)
    if high is not None:
        conditions.append(column <= high)
    return conditions
