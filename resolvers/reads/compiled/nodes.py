"""``node(id:)`` and ``nodes(ids:)``: a global ID names its type only at run time, so every Node
type gets a branch whose key parameters are null unless the ID is of that type (as
``graph/node.py`` resolves it: the wrong number or type of key parts finds nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql.execution.collect_fields import FieldDetails

from resolvers.reads.compiled.arguments import FallbackError, Getter, Runtime, guarded, index, memoised
from resolvers.reads.compiled.catalog import SOURCES
from resolvers.reads.ids import decode_id

if TYPE_CHECKING:
    from resolvers.reads.compiled.compiler import Built, Compiler

MAX_IDS = 100
_TYPES = {"s": str, "i": int}


def _key_part(decoded: Getter, type_name: str, index: int) -> Getter:
    kinds = [kind for _, kind in SOURCES[type_name].key]

    def get(rt: Runtime) -> Any:
        found, parts = decoded(rt)
        if found != type_name or len(parts) != len(kinds):
            return None
        for part, kind in zip(parts, kinds, strict=True):
            if kind == "i" and isinstance(part, bool):
                raise FallbackError("a boolean where the key is a number")
            if not isinstance(part, _TYPES[kind]):
                return None
        return parts[index]

    return get


def _branches(compiler: Compiler, details: list[FieldDetails], get_id: Getter, laterals: list[str]) -> Built:
    from resolvers.reads.compiled.compiler import Built, node_types

    decoded = memoised(guarded(lambda rt: _decode(get_id(rt))))
    jsons: list[str] = []
    counts: list[str] = []
    branches: list[str] = []  # kept inside this ID's own subquery: the planner sees 12 joins, not 12 × ids
    for type_name in node_types(compiler.schema):
        source = SOURCES[type_name]
        conditions = []
        for i, (column, kind) in enumerate(source.key):
            value = compiler.param(_key_part(decoded, type_name, i), "bigint" if kind == "i" else "text")
            conditions.append(f"{{t}}.{column} = {value}")
        built = compiler.to_one_lateral(type_name, details, " AND ".join(conditions), branches)
        jsons.append(built.json)
        counts.append(built.count)
    if not jsons:
        return Built("NULL::json", "0")
    lat = compiler.alias("n")
    laterals.append(
        f" LEFT JOIN LATERAL (SELECT coalesce({', '.join(jsons)}) AS j, {' + '.join(counts)} AS n "
        f"FROM (SELECT) one{''.join(branches)}) {lat} ON true"
    )
    return Built(f"{lat}.j", f"{lat}.n")


def _decode(global_id: str) -> tuple[str, list[Any]]:
    return decode_id(global_id)


def node_field(compiler: Compiler, details: list[FieldDetails], field_def: Any, laterals: list[str]) -> Built:
    value = compiler.args.of(field_def, details[0].node)["id"]
    return _branches(compiler, details, value.getter, laterals)


def nodes_field(
    compiler: Compiler, details: list[FieldDetails], field_def: Any, laterals: list[str]
) -> Built:
    from resolvers.reads.compiled.compiler import Built

    value = compiler.args.of(field_def, details[0].node)["ids"]
    ids: list[Any] = value.value or []
    if len(ids) > MAX_IDS:
        raise FallbackError("TOO_MANY_IDS")  # the resolvers refuse it; the plan is never cached

    def checked(rt: Runtime) -> list[str]:
        given = value.getter(rt)
        if len(given) > MAX_IDS:
            raise FallbackError("TOO_MANY_IDS")
        return list(given)

    every = memoised(checked)
    items = [_branches(compiler, details, index(every, i), laterals) for i in range(len(ids))]
    if not items:
        return Built("'[]'::json", "0")
    return Built(
        "json_build_array(" + ", ".join(b.json for b in items) + ")", " + ".join(b.count for b in items)
    )
