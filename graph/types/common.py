"""Argument aliases and conversions shared by the types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from graph.relay import AFTER_DESCRIPTION, BEFORE_DESCRIPTION, FIRST_DESCRIPTION, LAST_DESCRIPTION

First = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
After = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]
Last = Annotated[int | None, strawberry.argument(description=LAST_DESCRIPTION)]
Before = Annotated[str | None, strawberry.argument(description=BEFORE_DESCRIPTION)]

F = TypeVar("F")


def to_filter(value: Any, data_class: type[F]) -> F | None:
    """A GraphQL filter input as the resolvers' frozen filter (lists become tuples)."""
    if value is None:
        return None
    values: dict[str, Any] = {}
    for f in fields(data_class):  # type: ignore[arg-type]
        item = getattr(value, f.name, None)
        values[f.name] = tuple(item) if isinstance(item, list) else item
    return data_class(**values)


def pct(value: Decimal) -> Decimal:
    """A percentage without the storage's trailing zeros (``42.5``, ``100``, ``0``)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


T = TypeVar("T")


async def load_one(
    loader: DataLoader[Any, Any], key: Any | None, convert: Callable[[tuple[Any, ...]], T]
) -> T | None:
    """A related object through its loader: ``None`` for a missing key or a missing row."""
    if key is None:
        return None
    row = await loader.load(key)
    return None if row is None else convert(row)
