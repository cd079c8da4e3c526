"""Keyset (seek) pagination for root lists and for nested lists paged per parent.

A list is a ``Listing``: a SELECT of one or more ORM entities with its joins and filters, and an
ordering whose last term is unique (the natural key). A cursor encodes the ordering's values of
one row (plus a fingerprint of the ordering), so it stays valid while rows are inserted and the
cost of a page does not depend on how deep it is.

Nested lists (``contact.opportunities(first: 10)`` for 50 contacts) are fetched in one statement:
``unnest(parent keys) JOIN LATERAL (… WHERE parent = key ORDER BY … LIMIT n + 1)``, which pages
each parent on its own (a flat LIMIT across parents would give wrong pages) and lets PostgreSQL
walk the (parent, sort key) index once per parent.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
    true,
)
from sqlalchemy import tuple_ as sql_tuple
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeEngine

from models.validation import unstorable
from resolvers.errors import RequestError

#: A SELECT of any columns (SQLAlchemy 2.1 types selects by their column tuple).
AnySelect = Select[*tuple[Any, ...]]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class PageArgs:
    """Relay arguments. Use :meth:`checked` before fetching."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def checked(self) -> PageArgs:
        if self.first is not None and self.last is not None:
            raise RequestError("INVALID_PAGINATION", "Pass either `first` or `last`, not both.")
        for name, value in (("first", self.first), ("last", self.last)):
            if value is not None and value < 0:
                raise RequestError("INVALID_PAGINATION", f"`{name}` must not be negative.")
            if value is not None and value > MAX_PAGE_SIZE:
                raise RequestError(
                    "PAGE_SIZE_EXCEEDED",
                    f"`{name}` is {value}, above the limit of {MAX_PAGE_SIZE} items per page.",
                )
        return self

    @property
    def backwards(self) -> bool:
        return self.last is not None or (self.before is not None and self.first is None)

    @property
    def size(self) -> int:
        size = self.last if self.backwards else self.first
        return DEFAULT_PAGE_SIZE if size is None else size


@dataclass(frozen=True, slots=True)
class Order:
    """One term of an ordering. ``key`` must not be NULL (coalesce nullable columns)."""

    key: ColumnElement[Any]
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Listing:
    """What to list: a SELECT of entities (no ORDER BY/LIMIT) and an ordering ending in a unique key."""

    stmt: AnySelect
    orders: tuple[Order, ...]
    name: str

    @property
    def fingerprint(self) -> str:
        text = self.name + "|" + "|".join(f"{o.key}:{'d' if o.descending else 'a'}" for o in self.orders)
        return hashlib.blake2s(text.encode(), digest_size=4).hexdigest()


@dataclass(frozen=True, slots=True)
class Page:
    """One page of rows. Each row is a tuple of the listing's entities."""

    rows: list[tuple[Any, ...]]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


# --- cursors -------------------------------------------------------------------------------


def _encode_value(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, Decimal):
        return ["n", str(value)]
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, str):
        return ["s", value]
    if hasattr(value, "name"):  # enums sort by their stored name
        return ["s", value.name]
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


def _decode_value(item: Any) -> Any:
    kind, raw = item
    if kind == "s" and unstorable(raw):
        raise ValueError("a string no row can hold")
    if kind in ("b", "i", "s"):
        return raw
    if kind == "n":
        return Decimal(raw)
    if kind == "d":
        return dt.date.fromisoformat(raw)
    if kind == "t":
        return dt.datetime.fromisoformat(raw)
    raise ValueError(kind)


def encode_cursor(listing: Listing, values: Sequence[Any]) -> str:
    return _encode_cursor(listing.fingerprint, values)


def _encode_cursor(fingerprint: str, values: Sequence[Any]) -> str:
    payload = orjson.dumps([fingerprint, [_encode_value(v) for v in values]])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(listing: Listing, cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        fingerprint, items = orjson.loads(base64.urlsafe_b64decode(padded))
        if fingerprint != listing.fingerprint or len(items) != len(listing.orders):
            raise ValueError("cursor of another list or ordering")
        return [_decode_value(item) for item in items]
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise RequestError(
            "INVALID_CURSOR",
            "The cursor is not valid for this list and ordering; start again without it.",
        ) from exc


# --- SQL -----------------------------------------------------------------------------------


def _seek(orders: Sequence[Order], values: Sequence[Any], forward: bool) -> ColumnElement[bool]:
    """Rows strictly after (``forward``) or before the row whose sort values are ``values``."""
    keys = [o.key for o in orders]
    directions = {o.descending for o in orders}
    if len(directions) == 1:
        # One direction: a row comparison, which PostgreSQL answers from a composite index.
        greater = forward != orders[0].descending
        left, right = sql_tuple(*keys), sql_tuple(*values)
        return left > right if greater else left < right
    terms: list[ColumnElement[bool]] = []
    for i, order in enumerate(orders):
        greater = forward != order.descending
        step = order.key > values[i] if greater else order.key < values[i]
        terms.append(and_(*[keys[j] == values[j] for j in range(i)], step))
    return or_(*terms)


def _ordered(listing: Listing, reverse: bool) -> list[ColumnElement[Any]]:
    return [o.key.desc() if o.descending != reverse else o.key.asc() for o in listing.orders]


def _key_labels(listing: Listing) -> list[str]:
    return [f"sort_key_{i}" for i in range(len(listing.orders))]


def _windowed(listing: Listing, args: PageArgs) -> AnySelect:
    """The listing restricted to one page (+1 row to tell whether more exist), keys labelled."""
    stmt = listing.stmt.add_columns(
        *[o.key.label(label) for o, label in zip(listing.orders, _key_labels(listing), strict=True)]
    )
    if args.after is not None:
        stmt = stmt.where(_seek(listing.orders, decode_cursor(listing, args.after), forward=True))
    if args.before is not None:
        stmt = stmt.where(_seek(listing.orders, decode_cursor(listing, args.before), forward=False))
    return stmt.order_by(*_ordered(listing, reverse=args.backwards)).limit(args.size + 1)


def _page(
    listing: Listing, args: PageArgs, rows: Sequence[Sequence[Any]], fingerprint: str | None = None
) -> Page:
    """``fingerprint`` (the listing's, computed once for a batch of pages) saves compiling the
    ordering's SQL for every page."""
    n_keys = len(listing.orders)
    more = len(rows) > args.size
    kept = list(rows[: args.size])
    if args.backwards:
        kept.reverse()
    entities = [tuple(row[:-n_keys]) for row in kept]
    fingerprint = listing.fingerprint if fingerprint is None else fingerprint
    cursors = [_encode_cursor(fingerprint, row[-n_keys:]) for row in kept]
    if args.backwards:
        return Page(entities, cursors, has_next_page=args.before is not None, has_previous_page=more)
    return Page(entities, cursors, has_next_page=more, has_previous_page=args.after is not None)


async def fetch_page(session: AsyncSession, listing: Listing, args: PageArgs) -> Page:
    """One page of a root list: one statement."""
    args = args.checked()
    # Even an empty page (`first: 0`) asks for one row, to tell whether there is a next page.
    result = await session.execute(_windowed(listing, args))
    return _page(listing, args, result.all())


#: The bound parameter holding the parent keys of a batch of nested pages.
PARENT_KEYS = "parent_keys"


def pages_statement(
    listing: Listing, parent: ColumnElement[Any], args: PageArgs, key_type: TypeEngine[Any] | None = None
) -> AnySelect:
    """The statement of one page per parent (keys in the ``parent_keys`` parameter): the parent
    key, then the listing's entities and sort keys, the rows of each parent in page order."""
    args = args.checked()
    parents = (
        func.unnest(bindparam(PARENT_KEYS, type_=ARRAY(key_type or String())))
        .table_valued("key")
        .render_derived(name="parents")
    )
    page = _windowed(listing, args).where(parent == parents.c.key).lateral("page")
    # Map the lateral page's columns back onto the listing's entities (and plain columns).
    entities = [
        page.c[desc["name"]] if desc["entity"] is None else aliased(desc["expr"], page)
        for desc in listing.stmt.column_descriptions
    ]
    labels = _key_labels(listing)
    return (
        select(parents.c.key, *entities, *[page.c[label] for label in labels])
        .select_from(parents)
        .join(page, true())
    )


async def fetch_pages(
    session: AsyncSession,
    listing: Listing,
    parent: ColumnElement[Any],
    keys: Sequence[Hashable],
    args: PageArgs,
    key_type: TypeEngine[Any] | None = None,
    stmt: AnySelect | None = None,
) -> list[Page]:
    """One page per parent key, in key order: one statement for all parents (``stmt``: the
    :func:`pages_statement` of these arguments, built already)."""
    args = args.checked()
    if not keys:
        return []
    if stmt is None:
        stmt = pages_statement(listing, parent, args, key_type)
    by_parent: dict[Any, list[Sequence[Any]]] = {}
    for row in (await session.execute(stmt, {PARENT_KEYS: list(keys)})).all():
        by_parent.setdefault(row[0], []).append(row[1:])
    fingerprint = listing.fingerprint
    return [_page(listing, args, by_parent.get(key, []), fingerprint) for key in keys]


async def count(session: AsyncSession, listing: Listing) -> int:
    stmt = select(func.count()).select_from(listing.stmt.order_by(None).subquery())
    return int((await session.execute(stmt)).scalar_one())


def counts_statement(listing: Listing, parent: ColumnElement[Any]) -> AnySelect:
    """(parent, count) of the parents in the ``parent_keys`` parameter (those with rows)."""
    return (
        listing.stmt.with_only_columns(parent, func.count())
        .where(parent.in_(bindparam(PARENT_KEYS, expanding=True)))
        .group_by(parent)
    )


async def count_per_parent(
    session: AsyncSession,
    listing: Listing,
    parent: ColumnElement[Any],
    keys: Sequence[Hashable],
    stmt: AnySelect | None = None,
) -> list[int]:
    """``totalCount`` of a nested list for several parents: one grouped statement (``stmt``: the
    :func:`counts_statement`, built already)."""
    if not keys:
        return []
    if stmt is None:
        stmt = counts_statement(listing, parent)
    counts = {k: int(n) for k, n in (await session.execute(stmt, {PARENT_KEYS: list(keys)})).all()}
    return [counts.get(key, 0) for key in keys]


def ordering(
    requested: Sequence[tuple[str, bool]],
    columns: Mapping[str, Any],
    unique: str,
) -> tuple[Order, ...]:
    """The ``Order`` terms for ``orderBy`` (field name, descending), ending in the unique field.

    The default is the unique (natural) key ascending; any other ordering gets it as tie-breaker.
    """
    orders: list[Order] = []
    seen: set[str] = set()
    for name, descending in requested:
        if name in seen:
            continue
        seen.add(name)
        orders.append(Order(columns[name], descending))
        if name == unique:
            break
    if unique not in seen:
        orders.append(Order(columns[unique], False))
    return tuple(orders)
