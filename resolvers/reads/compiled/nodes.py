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
    from resolvers.reads.compiled.compiler import Compiler

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


def _branches(compiler: Compiler, details: list[FieldDetails], get_id: Getter) -> str:
    from resolvers.reads.compiled.compiler import node_types

    decoded = memoised(guarded(lambda rt: _decode(get_id(rt))))
    branches: list[str] = []
    for type_name in node_types(compiler.schema):
        conditions = []
        for i, (column, kind) in enumerate(SOURCES[type_name].key):
            value = compiler.param(_key_part(decoded, type_name, i), "bigint" if kind == "i" else "text")
            conditions.append(f"{{t}}.{column} = {value}")
        branches.append(compiler.to_one(type_name, details, " AND ".join(conditions)))
    return f"coalesce({', '.join(branches)})" if branches else "NULL::json"


def _decode(global_id: str) -> tuple[str, list[Any]]:
    return decode_id(global_id)


def node_field(compiler: Compiler, details: list[FieldDetails], field_def: Any) -> str:
    value = compiler.args.of(field_def, details[0].node)["id"]
    return _branches(compiler, details, value.getter)


def nodes_field(compiler: Compiler, details: list[FieldDetails], field_def: Any) -> str:
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
    items = [_branches(compiler, details, index(every, i)) for i in range(len(ids))]
    return f"json_build_array({', '.join(items)})" if items else "'[]'::json"
