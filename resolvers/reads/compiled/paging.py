"""Connections in SQL: a page of a list with its cursors, ``pageInfo`` and ``totalCount``, exactly
as ``resolvers/reads/pagination.py`` computes them (same ordering terms, same seek, same
``LIMIT n + 1`` to tell whether more rows follow, same cursors).

The statement of one connection, from the inside out::

    page:  SELECT row, its sort keys, row_number() … WHERE parent link, filter, visibility, seek
           ORDER BY keys LIMIT size + 1                -- whole rows, before any relation
    rows:  each row's JSON (its relations as laterals) and cursor
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
    from resolvers.reads.compiled.compiler import Built, Compiler, Row

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
    laterals: list[str],
) -> Built:
    from resolvers.reads.compiled.compiler import Built, Row

    spec = LISTINGS[listing_name]
    source = SOURCES[spec.target]
    args = compiler.args.of(field_def, details[0].node)
    for other in details[1:]:
        if compiler.args.of(field_def, other.node).keys() != args.keys():
            raise UncoveredError("merged fields")  # identical arguments are guaranteed by validation
    terms = ordering(
        spec, [(name_of(o["field"]), name_of(o["direction"]) == "DESC") for o in args["orderBy"].value or ()]
    )
    listing = spec.resolver_listing(terms)
    first, after, last, before = (args[k].value for k in ("first", "after", "last", "before"))
    backwards = last is not None or (before is not None and first is None)
    page = _page_args(args)
    # The page's arguments are checked for every request (as the resolver does), even when only
    # `totalCount` is selected and no parameter needs the size.
    size = compiler.param(lambda rt: page(rt).size, "int")
    check = f"{size} IS NOT NULL"

    t, e, x, w, lat = (compiler.alias(p) for p in ("t", "e", "x", "w", "c"))
    conditions: list[str] = []
    if on is not None:
        assert parent is not None
        conditions.append(on.replace("{t}", t).replace("{p}", parent.t).replace("{pe}", parent.e))
    if guard is not None:
        conditions.append(guard)
    conditions += _filters(compiler, spec, args["filter"], t, e)
    visible = compiler.visibility(source, t)
    if visible is not None:
        conditions.append(visible)
    count_conditions = list(conditions)

    keys = [(spec.orders[name][0].format(t=t, e=e), descending) for name, descending in terms]
    kinds = [spec.orders[name][1] for name, _ in terms]
    for cursor_name, forward in (("after", True), ("before", False)):
        if args[cursor_name].value is None:
            continue
        seek = _seek_values(listing, kinds, args[cursor_name].getter)
        values = [compiler.param(index(seek, i), KINDS[kind][1]) for i, kind in enumerate(kinds)]
        conditions.append(_seek(keys, values, forward))
    order = ", ".join(f"{sql} {'DESC' if descending != backwards else 'ASC'}" for sql, descending in keys)
    where = " AND ".join(conditions) if conditions else "true"
    from_clause = compiler.from_clause(source, t, e)

    conn_type = get_named_type(field_def.type)
    assert isinstance(conn_type, GraphQLObjectType)
    pairs: list[tuple[str, str]] = []
    counts = ["1"]
    row_pairs: list[str] = []  # JSON of each row, once per distinct selection
    row_laterals: list[str] = []
    row = Row(f"({x}.r)", f"({x}.re)")
    kept = f"{w}.rn <= {size}"
    ordered = f"{w}.rn DESC" if backwards else f"{w}.rn"
    needs_rows = False
    for key, sub in compiler.subfields(conn_type, details).items():
        name = sub[0].node.name.value
        if name == "__typename":
            pairs.append((key, quote(conn_type.name)))
        elif name == "totalCount":
            total = " AND ".join(count_conditions) if count_conditions else "true"
            pairs.append((key, f"(SELECT count(*) FROM {from_clause} WHERE {total})"))
        elif name == "nodes":
            needs_rows = True
            built = compiler.object(spec.target, sub, row, row_laterals)
            column = f"j{len(row_pairs)}"
            row_pairs.append(f"{built.json} AS {column}, {built.count} AS n{column}")
            pairs.append(
                (
                    key,
                    f"coalesce(json_agg({w}.{column} ORDER BY {ordered}) FILTER (WHERE {kept}), '[]'::json)",
                )
            )
            counts.append(f"coalesce(sum({w}.n{column}) FILTER (WHERE {kept}), 0)")
        elif name == "edges":
            needs_rows = True
            edge_type = get_named_type(conn_type.fields["edges"].type)
            assert isinstance(edge_type, GraphQLObjectType)
            edge_pairs: list[tuple[str, str]] = []
            edge_counts = ["1"]
            for edge_key, edge_sub in compiler.subfields(edge_type, sub).items():
                edge_field = edge_sub[0].node.name.value
                if edge_field == "__typename":
                    edge_pairs.append((edge_key, quote(edge_type.name)))
                elif edge_field == "cursor":
                    edge_pairs.append((edge_key, f"{w}.cur"))
                elif edge_field == "node":
                    built = compiler.object(spec.target, edge_sub, row, row_laterals)
                    column = f"j{len(row_pairs)}"
                    row_pairs.append(f"{built.json} AS {column}, {built.count} AS n{column}")
                    edge_pairs.append((edge_key, f"{w}.{column}"))
                    edge_counts.append(f"{w}.n{column}")
            edges = f"json_agg({json_object(edge_pairs)} ORDER BY {ordered}) FILTER (WHERE {kept})"
            pairs.append((key, f"coalesce({edges}, '[]'::json)"))
            counts.append(f"coalesce(sum({' + '.join(edge_counts)}) FILTER (WHERE {kept}), 0)")
        elif name == "pageInfo":
            needs_rows = True
            more = f"coalesce(max({w}.rn), 0) > {size}"
            info = {
                "hasNextPage": ("true" if before is not None else "false") if backwards else more,
                "hasPreviousPage": more if backwards else ("true" if after is not None else "false"),
                "startCursor": f"(array_agg({w}.cur ORDER BY {ordered}) FILTER (WHERE {kept}))[1]",
                "endCursor": f"(array_agg({w}.cur ORDER BY {w}.rn{'' if backwards else ' DESC'}) "
                f"FILTER (WHERE {kept}))[1]",
                "__typename": quote("PageInfo"),
            }
            info_type = get_named_type(conn_type.fields["pageInfo"].type)
            assert isinstance(info_type, GraphQLObjectType)
            info_pairs = [
                (k, info[s[0].node.name.value]) for k, s in compiler.subfields(info_type, sub).items()
            ]
            pairs.append((key, json_object(info_pairs)))
            counts.append("1")
        else:
            raise UncoveredError(f"{conn_type.name}.{name}")
    json = json_object(pairs)
    count = " + ".join(counts)
    if not needs_rows:
        laterals.append(f" LEFT JOIN LATERAL (SELECT {json} AS j, {count} AS n WHERE {check}) {lat} ON true")
        return Built(f"{lat}.j", f"{lat}.n")
    composite = f"{t} AS r, {e} AS re" if source.active_entry else f"{t} AS r, NULL::int AS re"
    key_columns = ", ".join(f"{sql} AS k{i}" for i, (sql, _) in enumerate(keys))
    page_sql = (
        f"SELECT {composite}, {key_columns}, row_number() OVER (ORDER BY {order}) AS rn "
        f"FROM {from_clause} WHERE {where} ORDER BY {order} LIMIT {size} + 1"
    )
    cursor_sql = cursor(listing.fingerprint, [(f"{x}.k{i}", kind) for i, kind in enumerate(kinds)])
    rows_sql = (
        f"SELECT {x}.rn, {cursor_sql} AS cur{''.join(', ' + p for p in row_pairs)} "
        f"FROM ({page_sql}) {x}{''.join(row_laterals)}"
    )
    laterals.append(
        f" LEFT JOIN LATERAL (SELECT {json} AS j, {count} AS n FROM ({rows_sql}) {w}) {lat} ON true"
    )
    return Built(f"{lat}.j", f"{lat}.n")
