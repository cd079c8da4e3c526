"""Small helpers that turn filter values into SQL conditions.

A filter's text or code that PostgreSQL cannot even compare (a NUL, an unpaired surrogate) is the
top-level ``INVALID_FILTER`` (api.md §7.2): no stored value holds one, and the driver would fail
on it. A lookup by such a key (:func:`lookup_key`) simply finds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement

from models.validation import unstorable
from resolvers.errors import RequestError

UNSTORABLE_FILTER = "A filter value contains a NUL or an unpaired surrogate, which no stored value holds."


def storable(text: str) -> str:
    """``text``, or ``INVALID_FILTER`` when PostgreSQL cannot compare it (never quoted back)."""
    if unstorable(text):
        raise RequestError("INVALID_FILTER", UNSTORABLE_FILTER)
    return text


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Any, text: str | None) -> list[ColumnElement[bool]]:
    """Case-insensitive substring match of the trimmed text; no condition for a blank search."""
    text = storable(text or "").strip()
    if not text:
        return []
    return [column.ilike(f"%{escape_like(text)}%", escape="\\")]


def code_key(value: str) -> str:
    """Codes and numbers are upper-cased on input (api.md §2), so lookups are case-insensitive."""
    return storable(value).strip().upper()


def lookup_key(value: str) -> str | None:
    """The key of a lookup by code or number (:func:`code_key`); ``None``, so that the lookup
    answers null, for a key no row can have (one PostgreSQL cannot store)."""
    return None if unstorable(value) else code_key(value)


def code_value(value: str | None) -> str | None:
    """:func:`code_key` of an optional value."""
    return None if value is None else code_key(value)


def equal(pairs: Iterable[tuple[Any, Any]]) -> list[ColumnElement[bool]]:
    """``column = value`` for every pair whose value is given."""
    return [
        column == (storable(value) if isinstance(value, str) else value)
        for column, value in pairs
        if value is not None
    ]


def one_of(column: Any, values: Sequence[Any] | None) -> list[ColumnElement[bool]]:
    return [] if values is None else [column.in_(list(values))]


def date_range(column: Any, low: dt.date | None, high: dt.date | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if low is not None:
        conditions.append(column >= low)
    if high is not None:
        conditions.append(column <= high)
    return conditions
