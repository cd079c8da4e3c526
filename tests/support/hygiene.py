"""Helpers of the input-hygiene tests (``tests/writes/test_input_hygiene.py``): every string field
of every mutation input, generated from the schema; a fingerprint of every table, to prove that a
refused request wrote nothing; and a POST whose JSON body can carry a lone surrogate."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
)
from sqlalchemy import text

from graph.schema import schema
from models.base import Base
from resolvers.session import SessionFactory

#: A valid value of each scalar, for the required fields around the one under test.
PLACEHOLDERS: dict[str, Any] = {
    "String": "X",
    "ID": "X",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Decimal": "1",
    "Date": "2024-01-01",
    "DateTime": "2024-01-01T00:00:00Z",
}
STRINGS = ("String", "ID")


@dataclass(frozen=True)
class StringField:
    """One string field of one mutation's input: where it is, and the input that sets it."""

    mutation: str
    input_type: GraphQLInputObjectType
    path: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.mutation}.{'.'.join(self.path)}"

    def input_with(self, value: str) -> dict[str, Any]:
        """The required fields with placeholders, and ``value`` at :attr:`path` (a list gets one item)."""
        result: dict[str, Any] = _with(self.input_type, list(self.path), value)
        return result


def _named(t: GraphQLInputType) -> GraphQLInputType:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _placeholder(t: GraphQLInputType) -> Any:
    if isinstance(t, GraphQLNonNull):
        return _placeholder(t.of_type)
    if isinstance(t, GraphQLList):
        return [_placeholder(t.of_type)]
    if isinstance(t, GraphQLInputObjectType):
        return {
            name: _placeholder(f.type)
            for name, f in t.fields.items()
            if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
        }
    if isinstance(t, GraphQLEnumType):
        return next(iter(t.values))
    assert isinstance(t, GraphQLScalarType)
    return PLACEHOLDERS[t.name]


def _with(t: GraphQLInputType, path: list[str], value: str) -> Any:
    if not path:
        return value
    if isinstance(t, GraphQLNonNull):
        return _with(t.of_type, path, value)
    if isinstance(t, GraphQLList):
        assert path[0] == "0"
        return [_with(t.of_type, path[1:], value)]
    assert isinstance(t, GraphQLInputObjectType)
    result = _placeholder(t)
    result[path[0]] = _with(t.fields[path[0]].type, path[1:], value)
    return result


def _string_paths(t: GraphQLInputType, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    named = _named(t)
    if isinstance(named, GraphQLScalarType) and named.name in STRINGS:
        inner = t.of_type if isinstance(t, GraphQLNonNull) else t
        return [(*path, "0")] if isinstance(inner, GraphQLList) else [path]
    if not isinstance(named, GraphQLInputObjectType):
        return []
    inner = t.of_type if isinstance(t, GraphQLNonNull) else t
    prefix = (*path, "0") if isinstance(inner, GraphQLList) else path
    return [p for name, f in named.fields.items() for p in _string_paths(f.type, (*prefix, name))]


def string_fields() -> list[StringField]:
    """Every string (String, ID, lists of them) of every mutation input, nested ones included."""
    mutation = schema._schema.mutation_type
    assert mutation is not None
    found = []
    for name, field in mutation.fields.items():
        input_type = _named(field.args["input"].type)
        assert isinstance(input_type, GraphQLInputObjectType)
        found += [StringField(name, input_type, p) for p in _string_paths(input_type, ())]
    return found


def literal(value: Any, t: GraphQLInputType) -> str:
    """``value`` as a GraphQL literal of type ``t`` (strings with JSON's escapes, which GraphQL's are)."""
    if isinstance(t, GraphQLNonNull):
        return literal(value, t.of_type)
    if isinstance(t, GraphQLList):
        items = value if isinstance(value, list) else [value]
        return "[" + ", ".join(literal(v, t.of_type) for v in items) + "]"
    if isinstance(t, GraphQLInputObjectType):
        return "{" + ", ".join(f"{k}: {literal(v, t.fields[k].type)}" for k, v in value.items()) + "}"
    if isinstance(t, GraphQLEnumType):
        return str(value)
    return json.dumps(value)


def inline_mutation(field: StringField, value: str) -> str:
    body = literal(field.input_with(value), field.input_type)
    return f"mutation {{ {field.mutation}(input: {body}) {{ userErrors {{ code field message }} }} }}"


def variable_mutation(field: StringField) -> str:
    return (
        f"mutation($input: {field.input_type.name}!) {{ {field.mutation}(input: $input) "
        "{ userErrors { code field message } } }"
    )


async def post_ascii(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> httpx.Response:
    """POST with an ASCII JSON body: a lone surrogate travels as its ``\\uXXXX`` escape."""
    body = json.dumps({"query": query, "variables": variables})
    return await client.post("/graphql", content=body, headers={"content-type": "application/json"})


async def fingerprint(sessions: SessionFactory) -> dict[str, str]:
    """A digest of every table's rows: equal before and after means nothing was written."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    columns = ", ".join(
        f"(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {name} x) AS {name}"
        for name in tables
    )
    async with sessions() as session:
        row = (await session.execute(text(f"SELECT {columns}"))).one()
    return dict(zip(tables, row, strict=True))


@dataclass(frozen=True)
class StringArgument:
    """One string inside one root query field's arguments (a lookup key, a filter field, a cursor)."""

    field: str
    path: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.field}.{'.'.join(self.path)}"

    def query(self, value: str) -> str:
        """The root field with its required arguments and ``value`` at :attr:`path`, inline."""
        query_type = schema._schema.query_type
        assert query_type is not None
        args = query_type.fields[self.field].args
        values = {
            name: _placeholder(a.type)
            for name, a in args.items()
            if isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
        }
        values[self.path[0]] = _with(args[self.path[0]].type, list(self.path[1:]), value)
        rendered = ", ".join(f"{name}: {literal(v, args[name].type)}" for name, v in values.items())
        return f"{{ {self.field}({rendered}) {{ {_selection(query_type.fields[self.field].type)} }} }}"


def _selection(t: Any) -> str:
    """A selection that makes the field run its SQL (a connection's nodes, the pipeline's total)."""
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    fields = getattr(t, "fields", {})
    if "nodes" in fields:
        return "nodes { __typename }"
    if "total" in fields:
        return "total { noOfOpportunities }"
    return "__typename"


def string_arguments() -> list[StringArgument]:
    """Every string argument (and string field of an input argument) of every root query field."""
    query_type = schema._schema.query_type
    assert query_type is not None
    return [
        StringArgument(name, p)
        for name, field in query_type.fields.items()
        for arg_name, arg in field.args.items()
        for p in _string_paths(arg.type, (arg_name,))
    ]
