"""Relay plumbing: global IDs, the ``Node`` interface, connections and their arguments."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from resolvers.reads.ids import decode_id as decode_id
from resolvers.reads.ids import encode_id as encode_id
from resolvers.reads.pagination import Page, PageArgs

T = TypeVar("T")


@strawberry.interface(description="An object with a globally unique, opaque ID.")
class Node:
    @strawberry.field(description="Opaque global ID; resolve it with `node(id:)`.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(type(self).__name__, self.node_key()))

    def node_key(self) -> list[str | int]:
        """The natural key, for the global ID."""
        raise TypeError(f"{type(self).__name__} does not define node_key")


@strawberry.enum(description="Sort direction.")
class OrderDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(
        description="Items precede this page (known when paging with `after`, or backwards)."
    )
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


@strawberry.type(description="An item of a connection with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque keyset cursor of this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list (Relay connection, keyset-paginated).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items with their cursors.")
    nodes: list[T] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Number of items in the whole list (computed only when asked).")
    async def total_count(self) -> int:
        return await self.counter()


def connection(
    page: Page, convert: Callable[[tuple[Any, ...]], T], counter: Callable[[], Awaitable[int]]
) -> Connection[T]:
    nodes = [convert(row) for row in page.rows]
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        counter=counter,
    )


def page_args(first: int | None, after: str | None, last: int | None, before: str | None) -> PageArgs:
    return PageArgs(first=first, after=after, last=last, before=before).checked()


def order_terms(order_by: Sequence[Any] | None) -> list[tuple[str, bool]]:
    """``orderBy`` inputs (each with ``field`` and ``direction``) as (field name, descending)."""
    return [(o.field.value, o.direction is OrderDirection.DESC) for o in order_by or []]


FIRST_DESCRIPTION = "Page forwards: at most this many items (default 20, limit 100)."
AFTER_DESCRIPTION = "Cursor to continue after (from `pageInfo.endCursor`)."
LAST_DESCRIPTION = "Page backwards: at most this many items before `before` (limit 100)."
BEFORE_DESCRIPTION = "Cursor to continue before (from `pageInfo.startCursor`)."


async def root_connection(
    info: Any, listing: Any, args: PageArgs, convert: Callable[[tuple[Any, ...]], T]
) -> Connection[T]:
    """A root list: one statement for the page, one more for ``totalCount`` when selected.

    Both read only the rows the caller may read (:func:`resolvers.viewer.scoped`).
    """
    from resolvers.reads.pagination import count, fetch_page
    from resolvers.viewer import scoped

    sessions = info.context.sessions
    listing = scoped(listing, info.context.viewer)
    async with sessions() as session:
        page = await fetch_page(session, listing, args)

    async def counter() -> int:
        async with sessions() as session:
            return await count(session, listing)

    return connection(page, convert, counter)


async def nested_connection(
    info: Any,
    relation: str,
    params: Any,
    listing: Any,
    parent_column: Any,
    parent_key: Any,
    args: PageArgs,
    convert: Callable[[tuple[Any, ...]], T],
) -> Connection[T]:
    """A parent's page of a relation, batched with the other parents' pages of the same request.

    The loaders scope ``listing`` to the caller (:meth:`resolvers.reads.loaders.Loaders.page_by`).
    """
    loaders = info.context.loaders
    page = await loaders.page_by(relation, params, lambda: listing, parent_column, args).load(parent_key)

    async def counter() -> int:
        loader = loaders.count_by(relation, params, lambda: listing, parent_column)
        result: int = await loader.load(parent_key)
        return result

    return connection(page, convert, counter)
