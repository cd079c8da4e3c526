"""Connections in SQL: a page of a list with its cursors, ``pageInfo`` and ``totalCount``, exactly
as ``resolvers/reads/pagination.py`` computes them (same ordering terms, same seek, same
``LIMIT n + 1`` to tell whether more rows follow, same cursors).

The statement of one connection, from the inside out::

    page:  SELECT row, its sort keys, row_number() … WHERE parent link, filter, visibility, seek
           ORDER BY keys LIMIT size + 1                -- whole rows, before any relation
    rows:  each row's JSON (its relations as scalar subqueries) and cursor
    conn:  json_agg of the kept rows (rn <= size), pageInfo, totalCount
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from graphql import GraphQLObjectType, get_named_type
from graphql.execution.collect_fields import FieldDetails

from resolvers.reads.compiled.arguments import (
    FallbackError,
    Getter,
    Runtime,
    UncoveredError,
    Value,
    guarded,
    index,
    item,
    mapped,
    memoised,
)
from resolvers.reads.compiled.catalog import SOURCES
from resolvers.reads.compiled.listings import LISTINGS, ListingSpec
from resolvers.reads.compiled.sql import cursor, json_object, quote
from resolvers.reads.compiled.statistics import BUSINESS_TODAY, STAGE_ENTERED_ON
from resolvers.reads.filters import code_key, escape_like, storable
from resolvers.reads.pagination import Listing, PageArgs, decode_cursor
from resolvers.reads.stage_age import MAX_STALLED_DAYS

if TYPE_CHECKING:
    from resolvers.reads.compiled.compiler import Compiler, Row

#: The Python type a cursor value of each kind decodes to, and its SQL type.
KINDS: dict[str, tuple[type, str]] = {
    "s": (str, "text"),
    "i": (int, "bigint"),
    "n": (Decimal, "numeric"),
    "d": (dt.date, "date"),
    "b": (bool, "boolean"),
}


def name_of(value: Any) -> str:
    """An enum value as its GraphQL name: literals arrive as Python enums, variables as names."""
    return value.name if isinstance(value, enum.Enum) else str(value)


def ordering(spec: ListingSpec, requested: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """``resolvers.reads.pagination.ordering`` on field names: deduplicated, ending in the unique key."""
    terms: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for name, descending in requested:
        if name in seen:
            continue
        seen.add(name)
        terms.append((name, descending))
        if name == spec.unique:
            break
    if spec.unique not in seen:
        terms.append((spec.unique, False))
    return terms


def _page_args(args: dict[str, Value]) -> Getter:
    def get(rt: Runtime) -> PageArgs:
        return PageArgs(
            first=args["first"].getter(rt),
            after=args["after"].getter(rt),
            last=args["last"].getter(rt),
            before=args["before"].getter(rt),
        ).checked()

    return memoised(guarded(get))


def _seek_values(listing: Listing, kinds: list[str], get_cursor: Getter) -> Getter:
    def get(rt: Runtime) -> list[Any]:
        values = decode_cursor(listing, get_cursor(rt))
        for value, kind in zip(values, kinds, strict=True):
            python_type = KINDS[kind][0]
            if not isinstance(value, python_type) or (python_type is int and isinstance(value, bool)):
                raise FallbackError("a cursor value of another type")  # what would the resolvers do? ask them
        return values

    return memoised(guarded(get))


def _seek(keys: list[tuple[str, bool]], values: list[str], forward: bool) -> str:
    """``pagination._seek``: rows strictly after (``forward``) or before the cursor's row."""
    directions = {descending for _, descending in keys}
    if len(directions) == 1:
        greater = forward != keys[0][1]
        left = "(" + ", ".join(sql for sql, _ in keys) + ")"
        right = "(" + ", ".join(values) + ")"
        return f"{left} {'>' if greater else '<'} {right}"
    terms = []
    for i, (sql, descending) in enumerate(keys):
        greater = forward != descending
        equal = [f"{keys[j][0]} = {values[j]}" for j in range(i)]
        terms.append("(" + " AND ".join([*equal, f"{sql} {'>' if greater else '<'} {values[i]}"]) + ")")
    return "(" + " OR ".join(terms) + ")"


def _filters(compiler: Compiler, spec: ListingSpec, value: Value, t: str, e: str) -> list[str]:
    """The filter's conditions, as ``resolvers/reads/*`` build them (see ``catalog.Filter``)."""
    if value.value is None:
        return []
    conditions: list[str] = []
    for key, given in value.value.items():
        if given is None:
            continue
        if key not in spec.filters:
            raise UncoveredError(f"filter {key}")
        kind, column = spec.filters[key]
        column = column.format(t=t, e=e)
        get = item(value.getter, key)
        if kind == "eq":
            cast = "boolean" if isinstance(given, bool) else "int" if isinstance(given, int) else "text"
            text_get = guarded(mapped(get, lambda v: storable(v) if isinstance(v, str) else v))
            conditions.append(f"{column} = {compiler.param(text_get, cast)}")
        elif kind == "code":
            conditions.append(f"{column} = {compiler.param(guarded(mapped(get, code_key)), 'text')}")
        elif kind == "enum":
            conditions.append(f"{column} = {compiler.param(mapped(get, name_of), 'text')}")
        elif kind == "any":
            names = compiler.param(mapped(get, lambda vs: [name_of(v) for v in vs]), "text[]")
            conditions.append(f"{column} = ANY({names})")
        elif kind == "from":
            conditions.append(f"{column} >= {compiler.param(get, 'date')}")
        elif kind == "to":
            conditions.append(f"{column} <= {compiler.param(get, 'date')}")
        elif kind == "contains":
            pattern = compiler.param(guarded(mapped(get, _pattern)), "text")
            conditions.append(f"({pattern} IS NULL OR {column} ILIKE {pattern} ESCAPE '\\')")
        elif kind == "active_on":
            on = compiler.param(get, "date")
            conditions.append(
                f"({column}.starting_date IS NULL OR {column}.starting_date <= {on}) AND "
                f"({column}.ending_date IS NULL OR {column}.ending_date >= {on})"
            )
        elif kind == "stalled":
            days = compiler.param(guarded(mapped(get, _stalled_days)), "int")
            conditions.append(
                f"{e}.date_closed IS NULL AND {e}.entry_no IS NOT NULL AND "
                f"({STAGE_ENTERED_ON.format(e=e)}) < {BUSINESS_TODAY} - {days}"
            )
        else:
            raise UncoveredError(kind)
    return conditions


def _pattern(text: str | None) -> str | None:
    """``filters.contains``: the ILIKE pattern of the trimmed text; ``None`` for a blank search."""
    trimmed = storable(text or "").strip()
    return f"%{escape_like(trimmed)}%" if trimmed else None


def _stalled_days(days: int) -> int:
    """``stage_age.stalled_for``'s range check: outside it the resolvers answer INVALID_FILTER."""
    if not 0 <= days <= MAX_STALLED_DAYS:
        raise FallbackError("INVALID_FILTER")
    return days


def connection(
    compiler: Compiler,
    listing_name: str,
    details: list[FieldDetails],
    field_def: Any,
    parent: Row | None,
    on: str | None,
    guard: str | None,
) -> str:
    """A connection field's JSON: a scalar subquery over its page."""
    return _Page(compiler, LISTINGS[listing_name], details, field_def).build(parent, on, guard)


class _Page:
    """One connection field being compiled: the page's statement and the selection over it."""

    def __init__(
        self, compiler: Compiler, spec: ListingSpec, details: list[FieldDetails], field_def: Any
    ) -> None:
        from resolvers.reads.compiled.compiler import Row

        self.compiler, self.spec, self.details = compiler, spec, details
        self.source = SOURCES[spec.target]
        self.args = compiler.args.of(field_def, details[0].node)
        self.conn_type = get_named_type(field_def.type)
        assert isinstance(self.conn_type, GraphQLObjectType)
        orders = self.args["orderBy"].value or ()
        self.terms = ordering(
            spec, [(name_of(o["field"]), name_of(o["direction"]) == "DESC") for o in orders]
        )
        self.listing = spec.resolver_listing(self.terms)
        first, self.after, last, self.before = (
            self.args[k].value for k in ("first", "after", "last", "before")
        )
        self.backwards = last is not None or (self.before is not None and first is None)
        page = _page_args(self.args)
        kinds = [spec.orders[name][1] for name, _ in self.terms]
        self.seeks = {
            name: _seek_values(self.listing, kinds, self.args[name].getter)
            for name in ("after", "before")
            if self.args[name].value is not None
        }
        seeks = list(self.seeks.values())

        def size(rt: Runtime) -> int:
            # The page's arguments and cursors are checked for every request, as the resolver
            # does, even when only `totalCount` is selected and no parameter needs them.
            for seek in seeks:
                seek(rt)
            size_of: int = page(rt).size
            return size_of

        self.size = compiler.param(size, "int")
        self.t, self.e, self.x, self.w = (compiler.alias(p) for p in ("t", "e", "x", "w"))
        self.row = Row(f"({self.x}.r)", f"({self.x}.re)")
        self.row_columns: list[str] = []  # each row's JSON, once per distinct selection of it
        self.needs_rows = self.needs_cursor = self.needs_more = False
        self.kept = f"{self.w}.rn <= {self.size}"
        self.ordered = f"{self.w}.rn DESC" if self.backwards else f"{self.w}.rn"

    def build(self, parent: Row | None, on: str | None, guard: str | None) -> str:
        conditions = self._conditions(parent, on, guard)
        pairs: list[tuple[str, str]] = []
        for key, sub in self.compiler.subfields(self.conn_type, self.details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                pairs.append((key, quote(self.conn_type.name)))
            elif name == "totalCount":
                total = " AND ".join(conditions) if conditions else "true"
                pairs.append((key, f"(SELECT count(*) FROM {self._from()} WHERE {total})"))
            elif name == "nodes":
                column = self._row_json(sub)
                pairs.append((key, self._aggregate(f"json_agg({self.w}.{column} ORDER BY {self.ordered})")))
            elif name == "edges":
                pairs.append((key, self._edges(sub)))
            elif name == "pageInfo":
                pairs.append((key, self._page_info(sub)))
            else:
                raise UncoveredError(f"{self.conn_type.name}.{name}")
        json = json_object(pairs)
        if not self.needs_rows:
            return f"(SELECT {json} WHERE {self.size} IS NOT NULL)"
        return f"(SELECT {json} FROM ({self._rows(conditions)}) {self.w})"

    def _from(self) -> str:
        return self.compiler.from_clause(self.source, self.t, self.e)

    def _conditions(self, parent: Row | None, on: str | None, guard: str | None) -> list[str]:
        """The list's rows: the parent's, meeting the filter, visible to the viewer (no seek)."""
        t, e = self.t, self.e
        conditions: list[str] = []
        if on is not None:
            assert parent is not None
            conditions.append(on.replace("{t}", t).replace("{p}", parent.t).replace("{pe}", parent.e))
        if guard is not None:
            conditions.append(guard)
        conditions += _filters(self.compiler, self.spec, self.args["filter"], t, e)
        visible = self.compiler.visibility(self.source, t)
        if visible is not None:
            conditions.append(visible)
        return conditions

    def _keys(self) -> list[tuple[str, bool]]:
        return [(self.spec.orders[name][0].format(t=self.t, e=self.e), desc) for name, desc in self.terms]

    def _kinds(self) -> list[str]:
        return [self.spec.orders[name][1] for name, _ in self.terms]

    def _rows(self, conditions: list[str]) -> str:
        """The page's rows (one more when ``pageInfo`` asks whether more follow), each with its
        JSON, cursor and position ``rn`` in the order read."""
        keys, kinds = self._keys(), self._kinds()
        where = list(conditions)
        for cursor_name, forward in (("after", True), ("before", False)):
            if cursor_name not in self.seeks:
                continue
            seek = self.seeks[cursor_name]
            values = [self.compiler.param(index(seek, i), KINDS[kind][1]) for i, kind in enumerate(kinds)]
            where.append(_seek(keys, values, forward))
        order = ", ".join(f"{sql} {'DESC' if desc != self.backwards else 'ASC'}" for sql, desc in keys)
        t, e, x = self.t, self.e, self.x
        composite = f"{t} AS r, {e} AS re" if self.source.active_entry else f"{t} AS r, NULL::int AS re"
        key_columns = "".join(f", {sql} AS k{i}" for i, (sql, _) in enumerate(keys))
        limit = f"{self.size} + 1" if self.needs_more else self.size
        # A scalar subquery, not the bare parameter: PostgreSQL then plans the statement the same
        # whatever the page size, and keeps one generic plan for it instead of planning each
        # execution again (custom plans, 10 % of nested.graphql's time).
        page = (
            f"SELECT {composite}{key_columns}, row_number() OVER (ORDER BY {order}) AS rn "
            f"FROM {self._from()} WHERE {' AND '.join(where) or 'true'} ORDER BY {order} LIMIT (SELECT {limit})"
        )
        columns = [f"{x}.rn", *self.row_columns]
        if self.needs_cursor:
            columns.append(
                cursor(self.listing.fingerprint, [(f"{x}.k{i}", kind) for i, kind in enumerate(kinds)])
                + " AS cur"
            )
        return f"SELECT {', '.join(columns)} FROM ({page}) {x}"

    def _row_json(self, details: list[FieldDetails]) -> str:
        """A column of each row: its JSON for this selection."""
        self.needs_rows = True
        json = self.compiler.object(self.spec.target, details, self.row)
        column = f"j{len(self.row_columns)}"
        self.row_columns.append(f"{json} AS {column}")
        return column

    def _aggregate(self, aggregate: str) -> str:
        return f"coalesce({aggregate} FILTER (WHERE {self.kept}), '[]'::json)"

    def _edges(self, details: list[FieldDetails]) -> str:
        self.needs_rows = True
        edge_type = get_named_type(self.conn_type.fields["edges"].type)
        assert isinstance(edge_type, GraphQLObjectType)
        pairs: list[tuple[str, str]] = []
        for key, sub in self.compiler.subfields(edge_type, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                pairs.append((key, quote(edge_type.name)))
            elif name == "cursor":
                self.needs_cursor = True
                pairs.append((key, f"{self.w}.cur"))
            else:  # node
                column = self._row_json(sub)
                pairs.append((key, f"{self.w}.{column}"))
        return self._aggregate(f"json_agg({json_object(pairs)} ORDER BY {self.ordered})")

    def _page_info(self, details: list[FieldDetails]) -> str:
        """``pagination._page``: whether rows follow or precede the page, and its end cursors."""
        self.needs_rows = True
        w, kept = self.w, self.kept
        more = f"coalesce(max({w}.rn), 0) > {self.size}"
        given = {"after": self.after is not None, "before": self.before is not None}
        info_type = get_named_type(self.conn_type.fields["pageInfo"].type)
        assert isinstance(info_type, GraphQLObjectType)
        pairs: list[tuple[str, str]] = []
        for key, sub in self.compiler.subfields(info_type, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                value = quote(info_type.name)
            elif name in ("hasNextPage", "hasPreviousPage"):
                follows = (name == "hasNextPage") != self.backwards
                if follows:
                    self.needs_more = True
                    value = more
                else:
                    value = "true" if given["before" if self.backwards else "after"] else "false"
            else:  # startCursor, endCursor: the first and last of the page as returned
                self.needs_cursor = True
                last = (name == "endCursor") != self.backwards
                value = (
                    f"(array_agg({w}.cur ORDER BY {w}.rn{' DESC' if last else ''}) FILTER (WHERE {kept}))[1]"
                )
            pairs.append((key, value))
        return json_object(pairs)
