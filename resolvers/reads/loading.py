"""Building blocks for the per-request loaders: by key, grouped by parent, and paged per parent.

Each batch opens its own short session (sibling fields resolve concurrently, and one
``AsyncSession`` must never be shared between them) and runs exactly one statement. A read
request's sessions all use the request's one connection, taking turns
(:func:`resolvers.session.request_sessions`). The key and group statements are built once per
relation and scope, with the batch's keys bound as a parameter (``keys``), and cached by the
loaders; building a ``select()`` costs more than running the cached one.

Every loader is a :class:`Loader`: a field error inside a list makes graphql-core cancel the
list's pending siblings, and a batch's future is shared by every field that asked for one of its
keys, in any branch of the query. Awaited bare, cancelling one waiter cancelled the batch for all
of them, and another branch's field got the ``CancelledError``, which the executor does not treat
as a field error (a 500).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import bindparam, tuple_
from strawberry.dataloader import DataLoader

from resolvers.reads.pagination import AnySelect, Listing, Page, PageArgs, count_per_parent, fetch_pages
from resolvers.session import SessionFactory
from resolvers.viewer import Role, Viewer

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class Loader(DataLoader[K, T]):
    """Strawberry's loader whose waiters are shielded from each other's cancellation."""

    def load(self, key: K) -> Awaitable[T]:
        return asyncio.shield(super().load(key))  # a done future is returned as it is


#: The bound parameter holding a batch's keys (an expanding ``IN``).
KEYS = "keys"


def scope_of(viewer: Viewer) -> Viewer:
    """What of ``viewer`` decides which rows it reads (:func:`resolvers.viewer.restrict`): one
    scope for every role that reads everything, one per salesperson. Statements are cached per
    scope, never per key or request."""
    if viewer.reads_everything:
        return READS_EVERYTHING
    return Viewer(Role.SALESPERSON, viewer.salesperson_code)


READS_EVERYTHING = Viewer(Role.ADMIN)


@dataclass(frozen=True, slots=True)
class KeyedStatement:
    """A statement whose ``WHERE`` matches a batch of keys (the ``keys`` parameter), and how to
    tell the key of one of its rows."""

    stmt: AnySelect
    key_of: Callable[[Any], Any]


def keyed_statement(stmt: AnySelect, key: Any, key_of: Callable[[Any], Any]) -> KeyedStatement:
    """``stmt`` narrowed to the rows whose ``key`` (a column or a tuple of columns) is in the batch."""
    column = tuple_(*key) if isinstance(key, Sequence) else key
    return KeyedStatement(stmt.where(column.in_(bindparam(KEYS, expanding=True))), key_of)


async def fetch_rows(sessions: SessionFactory, stmt: AnySelect, keys: Sequence[Any]) -> Sequence[Any]:
    async with sessions() as session:
        return (await session.execute(stmt, {KEYS: list(keys)})).all()


def key_loader(sessions: SessionFactory, keyed: KeyedStatement) -> DataLoader[Any, Any]:
    """Rows by a unique key (or a tuple of columns); a missing key gives ``None``."""

    async def load(keys: list[Any]) -> list[Any]:
        key_of = keyed.key_of
        found = {key_of(row): row for row in await fetch_rows(sessions, keyed.stmt, keys)}
        return [found.get(k) for k in keys]

    return Loader(load_fn=load)


def group_loader(sessions: SessionFactory, keyed: KeyedStatement) -> DataLoader[Any, list[Any]]:
    """All rows of each parent, in the statement's order; a parent without rows gives ``[]``."""

    async def load(keys: list[Any]) -> list[list[Any]]:
        grouped: dict[Any, list[Any]] = {}
        parent_of = keyed.key_of
        for row in await fetch_rows(sessions, keyed.stmt, keys):
            grouped.setdefault(parent_of(row), []).append(row)
        return [grouped.get(k, []) for k in keys]

    return Loader(load_fn=load)


class StatementCache:
    """Statements by what determines them (relation, filter and order values, page arguments,
    scope), the least recently used dropped beyond ``size``: the values come from clients."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        try:
            self._items.move_to_end(key)
            item: T = self._items[key]
        except KeyError:
            item = self._items[key] = build()
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return item


def page_loader(
    sessions: SessionFactory,
    paged: Callable[[], tuple[Listing, AnySelect]],
    parent: Any,
    args: PageArgs,
) -> DataLoader[K, Page]:
    """One page per parent for one set of arguments; ``paged`` gives the (scoped) listing and its
    :func:`~resolvers.reads.pagination.pages_statement` (built on the first batch)."""

    async def load(keys: list[K]) -> list[Page]:
        listing, stmt = paged()
        async with sessions() as session:
            return await fetch_pages(session, listing, parent, keys, args, stmt=stmt)

    return Loader(load_fn=load)


def count_loader(
    sessions: SessionFactory, counted: Callable[[], tuple[Listing, AnySelect]], parent: Any
) -> DataLoader[K, int]:
    """``totalCount`` per parent."""

    async def load(keys: list[K]) -> list[int]:
        listing, stmt = counted()
        async with sessions() as session:
            return await count_per_parent(session, listing, parent, keys, stmt=stmt)

    return Loader(load_fn=load)
