"""Building blocks for the per-request loaders: by key, grouped by parent, and paged per parent.

Each batch opens its own short session (sibling fields resolve concurrently, and one
``AsyncSession`` must never be shared between them) and runs exactly one statement.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import tuple_
from strawberry.dataloader import DataLoader

from resolvers.reads.pagination import AnySelect, Listing, Page, PageArgs, count_per_parent, fetch_pages
from resolvers.session import SessionFactory

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


def key_loader(
    sessions: SessionFactory,
    stmt: AnySelect,
    key: Any,
    key_of: Callable[[Any], K],
) -> DataLoader[K, Any]:
    """Rows by a unique key (or a tuple of columns); a missing key gives ``None``."""

    async def load(keys: list[K]) -> list[Any]:
        where = tuple_(*key).in_(list(keys)) if isinstance(key, Sequence) else key.in_(list(keys))
        async with sessions() as session:
            rows = (await session.execute(stmt.where(where))).all()
        found = {key_of(row): row for row in rows}
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def group_loader(
    sessions: SessionFactory,
    stmt: AnySelect,
    parent: Any,
    parent_of: Callable[[Any], K],
) -> DataLoader[K, list[Any]]:
    """All rows of each parent, in the statement's order; a parent without rows gives ``[]``."""

    async def load(keys: list[K]) -> list[list[Any]]:
        async with sessions() as session:
            rows = (await session.execute(stmt.where(parent.in_(list(keys))))).all()
        grouped: dict[K, list[Any]] = {}
        for row in rows:
            grouped.setdefault(parent_of(row), []).append(row)
        return [grouped.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


def page_loader(
    sessions: SessionFactory, listing: Listing, parent: Any, args: PageArgs
) -> DataLoader[K, Page]:
    """One page per parent for one set of arguments."""

    async def load(keys: list[K]) -> list[Page]:
        async with sessions() as session:
            return await fetch_pages(session, listing, parent, keys, args, key_type=parent.type)

    return DataLoader(load_fn=load)


def count_loader(sessions: SessionFactory, listing: Listing, parent: Any) -> DataLoader[K, int]:
    """``totalCount`` per parent."""

    async def load(keys: list[K]) -> list[int]:
        async with sessions() as session:
            return await count_per_parent(session, listing, parent, keys)

    return DataLoader(load_fn=load)
