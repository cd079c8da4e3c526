"""Everything that happens to an operation before it runs: parse, validate, pick the operation,
coerce its variables and plan it (cost, depth, aliases), each refusal with its api.md §7.2 code.

Parsing and validation are cached per query text (a partner or an SPA sends the same few documents
over and over), so a warm request pays one dictionary lookup for both; variables and the plan are
per request. Every step is linear in the size of the document: the parser stops at
``MAX_TOKENS``, graphql-core's validation rules are linear, and the planner costs each fragment once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.values import VariableValues, get_variable_values
from graphql.validation import MaxIntrospectionDepthRule, NoSchemaIntrospectionCustomRule

from graph.planner import Plan, PlanError, plan

MAX_TOKENS = 5000
#: Documents longer than this are parsed and validated every time instead of cached, so the
#: caches stay small (a bounded number of entries of bounded size).
MAX_CACHED_QUERY_LENGTH = 32_768
CACHE_SIZE = 512
#: Field selections a document may expand to once every fragment spread is replaced by its
#: fragment; far above any sensible query (``nested.graphql``: 27), far below a fragment bomb.
MAX_EXPANDED_FIELDS = 50_000


class OperationRefusedError(Exception):
    """The operation cannot run; ``code`` is its ``extensions.code`` (HTTP 400 for all of them)."""

    def __init__(self, code: str, message: str, *, cost: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.cost = cost


@dataclass(frozen=True, slots=True)
class Prepared:
    document: DocumentNode
    plan: Plan
    variables: dict[str, Any]
    #: The operation picked from the document and its coerced variables (for the read compiler).
    operation: OperationDefinitionNode
    values: VariableValues


def prepare(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    variables: Mapping[str, Any],
    *,
    introspection: bool,
    max_cost: int,
    websocket: bool = False,
) -> Prepared:
    """The operation ready to run, or ``OperationRefusedError`` saying why it cannot. Over the
    ``websocket`` only subscriptions run, elsewhere only queries and mutations."""
    document = _document(schema, query, introspection)
    operation = _operation(document, operation_name)
    values = _coerce(schema, operation, variables, websocket=websocket)
    try:
        if len(query) > MAX_CACHED_QUERY_LENGTH:
            operation_plan = plan(schema, document, operation, values.coerced, max_cost=max_cost)
        else:
            operation_plan = _cached_plan(schema, query, document, operation, values, max_cost)
    except PlanError as exc:
        raise OperationRefusedError(exc.code, exc.message, cost=exc.cost) from None
    return Prepared(document, operation_plan, dict(variables), operation, values)


_plans: OrderedDict[tuple[object, ...], Plan | PlanError] = OrderedDict()
#: Plans kept (least recently used first out): a plan is a few small tuples.
MAX_CACHED_PLANS = 4_096


def _cached_plan(
    schema: GraphQLSchema,
    query: str,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    values: VariableValues,
    max_cost: int,
) -> Plan:
    """The plan of ``operation``, measured once per document and per what of its variables a cost
    depends on (:func:`_cost_shape`): a warm request skips the walk."""
    name = operation.name.value if operation.name else None
    key = (id(schema), query, name, max_cost, _cost_shape(values.coerced))
    found = _plans.get(key)
    if found is None:
        try:
            found = plan(schema, document, operation, values.coerced, max_cost=max_cost)
        except PlanError as exc:
            found = exc
        _plans[key] = found
        if len(_plans) > MAX_CACHED_PLANS:
            _plans.popitem(last=False)
    else:
        _plans.move_to_end(key)
    if isinstance(found, PlanError):
        raise found
    return found


def _cost_shape(value: Any) -> Any:
    """What of a variable value a query's cost can depend on: numbers (page sizes), booleans
    (``@include``), nulls and list lengths, never a string's text (nor a date's or a decimal's)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return "s"
    if isinstance(value, list):
        return tuple(_cost_shape(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _cost_shape(v)) for k, v in sorted(value.items()))
    return type(value).__name__


def _document(schema: GraphQLSchema, query: str, introspection: bool) -> DocumentNode:
    if len(query) > MAX_CACHED_QUERY_LENGTH:
        outcome = _parse_and_validate(schema, query, introspection)
    else:
        outcome = _cached_parse_and_validate(schema, query, introspection)
    if isinstance(outcome, OperationRefusedError):
        raise outcome
    return outcome


def _parse_and_validate(
    schema: GraphQLSchema, query: str, introspection: bool
) -> DocumentNode | OperationRefusedError:
    try:
        document = parse(query, max_tokens=MAX_TOKENS, no_location=False)
    except GraphQLSyntaxError as exc:
        if "tokens" in exc.message and "more than" in exc.message:
            return OperationRefusedError(
                "MAX_TOKENS_EXCEEDED", f"The document has more than {MAX_TOKENS} tokens."
            )
        return OperationRefusedError("GRAPHQL_PARSE_FAILED", exc.message)
    expanded = expanded_fields(document, MAX_EXPANDED_FIELDS)
    if expanded > MAX_EXPANDED_FIELDS:
        # A fragment bomb: refused before validation, whose rules walk every fragment (linear,
        # but tens of milliseconds for a kilobyte of nested spreads).
        return OperationRefusedError(
            "MAX_COST_EXCEEDED",
            f"The document expands to more than {MAX_EXPANDED_FIELDS} fields (fragments spread "
            "within fragments): its cost is far above the limit.",
        )
    errors = validate(schema, document, _rules(introspection))
    if errors:
        return OperationRefusedError("GRAPHQL_VALIDATION_FAILED", _first_message(errors))
    return document


_cached_parse_and_validate = lru_cache(maxsize=CACHE_SIZE)(_parse_and_validate)


@lru_cache(maxsize=2)
def _rules(introspection: bool) -> tuple[Any, ...]:
    extra = (MaxIntrospectionDepthRule,) if introspection else (NoSchemaIntrospectionCustomRule,)
    return (*specified_rules, *extra)


def expanded_fields(document: DocumentNode, cap: int) -> int:
    """How many field selections ``document`` holds with every spread expanded (at most
    ``cap + 1``), in one pass over each definition: a fragment's size is computed once, from
    the fragments it spreads, in dependency order. Spreads in a cycle (refused by validation)
    and of unknown fragments count as nothing."""
    own: dict[str | None, int] = {}
    spreads: dict[str | None, dict[str, int]] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            name: str | None = definition.name.value
        elif isinstance(definition, OperationDefinitionNode):
            name = None
        else:
            continue
        fields, spread = _shallow(definition.selection_set)
        own[name] = own.get(name, 0) + fields
        merged = spreads.setdefault(name, {})
        for target, times in spread.items():
            merged[target] = merged.get(target, 0) + times
    size: dict[str | None, int] = {}
    pending = {name: {t for t in targets if t in own} for name, targets in spreads.items()}
    ready = [name for name, targets in pending.items() if not targets]
    dependents: dict[str, list[str | None]] = {}
    for name, targets in pending.items():
        for target in targets:
            dependents.setdefault(target, []).append(name)
    while ready:
        name = ready.pop()
        total = own[name] + sum(times * size.get(t, 0) for t, times in spreads[name].items())
        size[name] = min(total, cap + 1)
        if name is None:
            continue
        for dependent in dependents.get(name, ()):
            waiting = pending[dependent]
            waiting.discard(name)
            if not waiting:
                ready.append(dependent)
    return size.get(None, 0)


def _shallow(selection_set: SelectionSetNode) -> tuple[int, dict[str, int]]:
    """The fields of ``selection_set`` (nested ones and inline fragments' included) and how often
    it spreads each fragment, without following the spreads."""
    fields = 0
    spreads: dict[str, int] = {}
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                spreads[selection.name.value] = spreads.get(selection.name.value, 0) + 1
                continue
            if isinstance(selection, FieldNode):
                fields += 1
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                stack.append(selection.selection_set)
    return fields, spreads


def _first_message(errors: list[GraphQLError]) -> str:
    message = errors[0].message
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    return message


def _operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise OperationRefusedError(
                "GRAPHQL_VALIDATION_FAILED",
                "The document has several operations: say which to run with `operationName`.",
            )
        return operations[0]
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    raise OperationRefusedError(
        "GRAPHQL_VALIDATION_FAILED", f"The document has no operation named {operation_name!r}."
    )


def _coerce(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    *,
    websocket: bool = False,
) -> VariableValues:
    subscription = operation.operation is OperationType.SUBSCRIPTION
    if subscription and not websocket:
        raise OperationRefusedError(
            "GRAPHQL_VALIDATION_FAILED", "Subscriptions run over the WebSocket endpoint only."
        )
    if websocket and not subscription:
        raise OperationRefusedError(
            "GRAPHQL_VALIDATION_FAILED", "Queries and mutations are sent with POST /graphql."
        )
    for name, value in variables.items():
        problem = _unstorable(value)
        if problem is not None:
            raise OperationRefusedError(
                "BAD_USER_INPUT", f"Variable '${name}' holds {problem}, which cannot be stored."
            )
    outcome = get_variable_values(schema, operation.variable_definitions or (), dict(variables), max_errors=1)
    if isinstance(outcome, list):
        raise OperationRefusedError("BAD_USER_INPUT", outcome[0].message)
    return outcome


def _unstorable(value: Any) -> str | None:
    """What in ``value`` PostgreSQL cannot store as text: NUL or a lone surrogate (else ``None``)."""
    if isinstance(value, str):
        if "\x00" in value:
            return "a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "a lone surrogate"
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _unstorable(key) or _unstorable(item)
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _unstorable(item)
            if found is not None:
                return found
    return None
