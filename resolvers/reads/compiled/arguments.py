"""Arguments of a compiled operation: their values when it is compiled (which decide the SQL's
shape) and getters that compute its parameters for each request (which never change the SQL).

A plan is cached per variable *shape* (:func:`variable_shape`): enum values, booleans and which
values are null or absent, and list lengths, are part of the shape; strings and numbers are not,
they only reach the SQL as parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    type_from_ast,
    value_from_ast,
)
from graphql.execution.values import VariableValues
from graphql.language import FieldNode, ListValueNode, ObjectValueNode

from resolvers.errors import RequestError
from resolvers.reads.filters import lookup_key
from resolvers.viewer import Viewer


class UncoveredError(Exception):
    """The operation selects something the compiler does not compile: run it on resolvers."""


class FallbackError(Exception):
    """This request's values need the resolver path (which reports their error as always)."""


@dataclass(slots=True)
class Runtime:
    """What a request's parameters are computed from."""

    variables: dict[str, Any]
    viewer: Viewer
    memo: dict[int, Any] = field(default_factory=dict)


Getter = Callable[[Runtime], Any]


@dataclass(frozen=True, slots=True)
class Value:
    """An argument: its value for the request being compiled, and how to get it for any request."""

    value: Any
    getter: Getter


def _has_variables(node: ValueNode) -> bool:
    if isinstance(node, VariableNode):
        return True
    if isinstance(node, ListValueNode):
        return any(_has_variables(v) for v in node.values)
    if isinstance(node, ObjectValueNode):
        return any(_has_variables(f.value) for f in node.fields)
    return False


def guarded(get: Getter) -> Getter:
    """``get``, with the resolver path's refusals (``RequestError``) turned into :class:`FallbackError`."""

    def getter(rt: Runtime) -> Any:
        try:
            return get(rt)
        except RequestError as exc:
            raise FallbackError(exc.code) from exc

    return getter


def memoised(get: Getter) -> Getter:
    """``get``, computed once per request however many parameters use it."""
    slot = id(get)

    def getter(rt: Runtime) -> Any:
        if slot not in rt.memo:
            rt.memo[slot] = get(rt)
        return rt.memo[slot]

    getter.__dict__["keep"] = get  # keeps ``get`` alive, so its id stays unique
    return getter


class Arguments:
    def __init__(self, values: VariableValues) -> None:
        self.values = values
        self.getters: list[Getter] = []

    def param(self, getter: Getter, cast: str) -> str:
        self.getters.append(getter)
        return f"${len(self.getters)}::{cast}"

    def of(self, field_def: GraphQLField, node: FieldNode) -> dict[str, Value]:
        """Every argument of the field, given or defaulted."""
        given = {arg.name.value: arg.value for arg in node.arguments or ()}
        return {name: self._value(arg, given.get(name)) for name, arg in field_def.args.items()}

    def _value(self, arg: GraphQLArgument, node: ValueNode | None) -> Value:
        if node is None:
            default = None if arg.default_value is _undefined() else arg.default_value
            return Value(default, lambda rt: default)
        if isinstance(node, VariableNode):
            name = node.name.value
            value = self.values.coerced.get(name)
            return Value(value, lambda rt: rt.variables.get(name))
        arg_type = arg.type
        value = value_from_ast(node, arg_type, self.values.coerced)
        if not _has_variables(node):
            return Value(value, lambda rt: value)

        def evaluate(rt: Runtime) -> Any:
            return value_from_ast(node, arg_type, rt.variables)

        return Value(value, memoised(evaluate))

    @staticmethod
    def lookup_key(get: Getter) -> Getter:
        return lambda rt: lookup_key(get(rt))


def mapped(get: Getter, function: Callable[[Any], Any]) -> Getter:
    """``function`` of ``get``'s value."""
    return lambda rt: function(get(rt))


def index(get: Getter, i: int) -> Getter:
    """Item ``i`` of ``get``'s list."""
    return lambda rt: get(rt)[i]


def item(get: Getter, key: str) -> Getter:
    """The ``key`` of an input object's value (``None`` when absent)."""

    def getter(rt: Runtime) -> Any:
        value = get(rt)
        return None if value is None else value.get(key)

    return getter


def _undefined() -> Any:
    from graphql.pyutils import Undefined

    return Undefined


def variable_shape(schema: GraphQLSchema, operation: OperationDefinitionNode, coerced: dict[str, Any]) -> Any:
    """What of the variables a plan depends on (see the module docstring); hashable."""
    shape: list[Any] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        var_type = type_from_ast(schema, definition.type)
        if name not in coerced:
            shape.append((name, "absent"))
        else:
            shape.append((name, _shape(var_type, coerced[name])))  # type: ignore[arg-type]
    return tuple(shape)


def _shape(t: GraphQLInputType, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(t, GraphQLNonNull):
        return _shape(t.of_type, value)
    if isinstance(t, GraphQLList):
        return tuple(_shape(t.of_type, v) for v in value)
    if isinstance(t, GraphQLInputObjectType):
        return tuple((k, _shape(t.fields[k].type, v)) for k, v in sorted(value.items()))
    if isinstance(t, GraphQLEnumType) or isinstance(value, bool):
        return value
    return type(value).__name__
