"""The query planner's first pass: what an operation may cost before anything runs (api.md §7.3).

Longer than 400 lines because the cost rules, the bounds they rely on and the one walk that
applies them read best together; the next pass (compiling reads from the same walk) gets its own
module.

:func:`plan` walks a parsed, validated operation once, with its coerced variables, and measures
its requested cost, depth and aliases; above a limit it raises :class:`PlanError`. It is pure
(the AST and the schema, no I/O) and linear in the size of the document: each fragment
definition is measured once, in dependency order, and every spread of it reuses that measure,
so a document of fragments spread twice at each of 30 levels costs 30 small steps, not 2³⁰.

The cost is the number of objects the operation may return:

* scalars, enums and ``__typename`` are free; an object-typed field costs 1 plus its selection;
* a connection (a ``…Connection`` type) costs 1 plus n × its node's cost, n being ``first`` or
  ``last`` (the larger if both are given, 20 if neither, at most the page-size limit of 100,
  which the resolvers refuse beyond). ``nodes { … }`` costs 1 + the node's selection per item;
  in ``edges { node { … } }`` the edge wrapper is free, so both spellings cost the same (and
  selecting both pays twice, as both are returned). ``pageInfo`` is an object like any other (1),
  ``totalCount`` a scalar (free);
* a plain object list costs its bound (:data:`LIST_BOUNDS`, a test keeps it complete) times
  1 + its item's selection;
* on an interface or union, the selections for different concrete types are not added up: the
  cost is the largest of any one concrete type (an object is of only one);
* each root mutation field costs :data:`MUTATION_COST` (its payload object included) plus its
  payload's selection;
* ``__schema`` and ``__type`` cost :data:`INTROSPECTION_COST` each, whatever they select.

The depth is that of Strawberry's ``QueryDepthLimiter`` it replaces: the number of nested fields
with a selection, introspection fields not counted. Aliases are counted once per definition: in
the operation, plus in each fragment definition it reaches (not once per spread: spreading a
fragment again multiplies its cost, which the cost limit charges, not its aliases). Selections
under ``@skip(if: true)`` or ``@include(if: false)`` (literal or variable) count for nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLCompositeType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    Undefined,
    assert_composite_type,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_introspection_type,
    is_list_type,
    type_from_ast,
    value_from_ast,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from graph.node import MAX_IDS
from models.enums import StageAction
from resolvers.analytics import performance, pipeline
from resolvers.lifecycle.sales_document import MAX_LINES
from resolvers.reads.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from resolvers.writes.activity import MAX_STEPS
from resolvers.writes.sales_cycle import MAX_STAGES

MAX_DEPTH = 12
MAX_ALIASES = 30
#: What a root mutation field costs before its payload's selection.
MUTATION_COST = 10
#: What ``__schema`` or ``__type`` costs, whatever it selects (the schema is small and fixed).
INTROSPECTION_COST = 100
#: ``userErrors`` of a payload: an estimate (a write reports one error per broken rule; one that
#: breaks more is rare and is charged its actual cost anyway).
USER_ERRORS = 10

#: The value of one argument of the field being costed, coerced (``None`` when absent).
ArgumentOf = Callable[[str], object]
Bound = int | Callable[[ArgumentOf], int]


def _ids(argument: ArgumentOf) -> int:
    ids = argument("ids")
    return min(len(ids), MAX_IDS) if isinstance(ids, list) else 1


#: How many items each plain object-list field of the schema may hold, by (type, field); ``*``
#: stands for every type. Connections' ``nodes``/``edges`` are sized by the page instead.
LIST_BOUNDS: Mapping[tuple[str, str], Bound] = {
    ("*", "userErrors"): USER_ERRORS,
    ("AvailableStageAction", "blockers"): 1,  # action_blockers gives the first reason only
    ("AvailableStageAction", "stages"): MAX_STAGES,
    ("Opportunity", "availableStageActions"): len(StageAction),
    ("SalesCycle", "stages"): MAX_STAGES,
    ("Velocity", "stages"): MAX_STAGES,
    ("Query", "stageConversion"): MAX_STAGES,
    ("Activity", "steps"): MAX_STEPS,
    # The tasks a stage's activity generates: one per step.
    ("ActivateFirstStagePayload", "createdTasks"): MAX_STEPS,
    ("CreateOpportunityPayload", "createdTasks"): MAX_STEPS,
    ("UpdateOpportunityStagePayload", "createdTasks"): MAX_STEPS,
    ("SalesQuote", "lines"): MAX_LINES,
    ("SalesOrder", "lines"): MAX_LINES,
    ("Pipeline", "groups"): pipeline.MAX_GROUPS,
    ("Query", "winRate"): performance.MAX_GROUPS,
    ("Query", "nodes"): _ids,
}
#: A list missing from :data:`LIST_BOUNDS` (a test says none is) is costed as a full page.
FALLBACK_BOUND = MAX_PAGE_SIZE
_PAGE_LISTS = ("nodes", "edges")
_BOOLEAN = GraphQLNonNull(GraphQLBoolean)
_INTROSPECTION = ("__schema", "__type")

Kind = Literal["query", "mutation", "subscription"]


@dataclass(frozen=True, slots=True)
class Plan:
    """What the planner found out about an operation it accepted."""

    operation: OperationDefinitionNode
    kind: Kind
    #: Root field names (not aliases), each once, in document order, fragments included.
    root_fields: tuple[str, ...]
    requested_cost: int
    depth: int
    aliases: int
    #: Whether it selects ``__schema`` or ``__type`` anywhere (through fragments too).
    introspection: bool


class PlanError(Exception):
    """An operation above a limit: ``MAX_COST_EXCEEDED``, ``MAX_DEPTH_EXCEEDED`` or
    ``MAX_ALIASES_EXCEEDED`` (each 400, api.md §7.2), refused before anything runs."""

    def __init__(self, code: str, message: str, *, cost: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        #: The requested cost, when the refusal is about it.
        self.cost = cost


def declared_bound(type_name: str, field_name: str) -> Bound | None:
    """The bound :data:`LIST_BOUNDS` declares for a plain object list, if any."""
    return LIST_BOUNDS.get((type_name, field_name), LIST_BOUNDS.get(("*", field_name)))


def is_connection(field: GraphQLField) -> bool:
    return get_named_type(field.type).name.endswith("Connection")


def plan(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, object],
    *,
    max_cost: int,
    max_depth: int = MAX_DEPTH,
    max_aliases: int = MAX_ALIASES,
) -> Plan:
    """Measure ``operation`` (of the validated ``document``) with its coerced ``variables``;
    :class:`PlanError` if it is deeper, has more aliases or costs more than allowed (checked in
    that order)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root = schema.get_root_type(operation.operation)
    if root is None:  # validation refuses an operation type the schema lacks
        raise ValueError(f"The schema has no {operation.operation.value} type.")
    walk = _Walk(schema, _with_defaults(schema, operation, variables), max_depth)
    for name in _dependency_order(operation, fragments):
        fragment = fragments[name]
        condition = assert_composite_type(schema.get_type(fragment.type_condition.name.value))
        walk.done[name] = walk.definition(fragment.selection_set, condition)
    measured = walk.definition(operation.selection_set, root)
    reached = [walk.done[name] for name in _reached(measured, walk.done)]

    depth = measured.measure.depth
    aliases = measured.aliases + sum(d.aliases for d in reached)
    cost = measured.measure.costs[root.name].fixed
    if depth > max_depth:
        raise _too_deep(depth, max_depth)
    if aliases > max_aliases:
        raise PlanError(
            "MAX_ALIASES_EXCEEDED", f"The query has {aliases} aliases, above the limit of {max_aliases}."
        )
    if cost > max_cost:
        raise PlanError(
            "MAX_COST_EXCEEDED",
            f"The query's requested cost is {cost}, above the limit of {max_cost}: ask for smaller pages "
            "(`first`/`last`) or fewer nested lists.",
            cost=cost,
        )
    kind: Kind = operation.operation.value
    return Plan(
        operation=operation,
        kind=kind,
        root_fields=_root_fields(operation, fragments, walk.included),
        requested_cost=cost,
        depth=depth,
        aliases=aliases,
        introspection=measured.introspection or any(d.introspection for d in reached),
    )


def _too_deep(depth: int | None, max_depth: int) -> PlanError:
    how = f"{depth} levels deep" if depth is not None else "too deeply"
    return PlanError("MAX_DEPTH_EXCEEDED", f"The query is nested {how}, above the limit of {max_depth}.")


class _Cost(NamedTuple):
    fixed: int
    #: Times the page size: only the ``nodes``/``edges`` of a connection's own selection have it.
    per_item: int = 0


_FREE = _Cost(0)


@dataclass(frozen=True, slots=True)
class _Measure:
    #: The cost of the selection on an object of each concrete type it may apply to.
    costs: dict[str, _Cost]
    depth: int


@dataclass(frozen=True, slots=True)
class _Definition:
    """An operation's or fragment's own measure; what it spreads is measured on its own."""

    measure: _Measure
    aliases: int
    introspection: bool
    spreads: tuple[str, ...]


class _Walk:
    """One plan's walk: the measured fragments and the counters of the definition being walked."""

    def __init__(self, schema: GraphQLSchema, variables: Mapping[str, object], max_depth: int) -> None:
        self.schema = schema
        self.variables = dict(variables)
        self.max_depth = max_depth
        # Selection sets (fields and inline fragments) nested in one definition: an accepted
        # query stays far below this, and the recursion stays far below Python's limit.
        self.nesting_limit = 2 * max_depth + 2
        self.done: dict[str, _Definition] = {}
        self._possible: dict[str, tuple[str, ...]] = {}
        self._aliases = 0
        self._introspection = False
        self._spreads: list[str] = []

    def definition(self, selection_set: SelectionSetNode, type_: GraphQLCompositeType) -> _Definition:
        self._aliases, self._introspection, self._spreads = 0, False, []
        measure = self._selections(selection_set, type_, 0)
        return _Definition(measure, self._aliases, self._introspection, tuple(self._spreads))

    def included(self, node: SelectionNode) -> bool:
        """False under ``@skip(if: true)`` or ``@include(if: false)``."""
        for directive in node.directives or ():
            name = directive.name.value
            if name in ("skip", "include"):
                given = next((a for a in directive.arguments or () if a.name.value == "if"), None)
                value = value_from_ast(given.value if given else None, _BOOLEAN, self.variables)
                if value is (name == "skip"):
                    return False
        return True

    def _selections(
        self, selection_set: SelectionSetNode, parent: GraphQLCompositeType, level: int
    ) -> _Measure:
        if level > self.nesting_limit:
            raise _too_deep(None, self.max_depth)
        keys = self._types_of(parent)
        fixed = dict.fromkeys(keys, 0)
        per_item = dict.fromkeys(keys, 0)
        depth = 0
        for selection in selection_set.selections:
            if not self.included(selection):
                continue
            if isinstance(selection, FieldNode):
                cost, field_depth = self._field(selection, parent, level)
                for key in keys:
                    fixed[key] += cost.fixed
                    per_item[key] += cost.per_item
                depth = max(depth, field_depth)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = parent
                if selection.type_condition is not None:
                    condition = assert_composite_type(
                        self.schema.get_type(selection.type_condition.name.value)
                    )
                sub = self._selections(selection.selection_set, condition, level + 1)
            else:
                assert isinstance(selection, FragmentSpreadNode)
                self._spreads.append(selection.name.value)
                sub = self.done[selection.name.value].measure
            for key in keys:
                cost = sub.costs.get(key, _FREE)
                fixed[key] += cost.fixed
                per_item[key] += cost.per_item
            depth = max(depth, sub.depth)
        return _Measure({key: _Cost(fixed[key], per_item[key]) for key in keys}, depth)

    def _field(self, node: FieldNode, parent: GraphQLCompositeType, level: int) -> tuple[_Cost, int]:
        if node.alias is not None:
            self._aliases += 1
        name = node.name.value
        if name == "__typename":
            return _FREE, 0
        field = self._field_of(parent, name)
        is_mutation = parent is self.schema.mutation_type
        if node.selection_set is None:
            return _Cost(MUTATION_COST if is_mutation else 0), 0
        named = assert_composite_type(get_named_type(field.type))
        sub = self._selections(node.selection_set, named, level + 1)
        if name in _INTROSPECTION:
            self._introspection = True
            return _Cost(INTROSPECTION_COST), 0
        if is_introspection_type(parent):
            return _FREE, 0  # inside __schema/__type: walked for its aliases only
        depth = 1 + sub.depth
        if is_connection(field):
            own = next(iter(sub.costs.values()))  # a connection type is an object type
            return _Cost(1 + own.fixed + self._page_size(node, field) * own.per_item), depth
        inner = max((cost.fixed for cost in sub.costs.values()), default=0)
        if name in _PAGE_LISTS and parent.name.endswith("Connection"):
            # A page's objects are the nodes: the edge wrapping each is free.
            return _Cost(0, inner + (1 if name == "nodes" else 0)), depth
        if is_mutation:
            return _Cost(MUTATION_COST + inner), depth
        if is_list_type(get_nullable_type(field.type)):
            return _Cost(self._bound(parent, name, node, field) * (1 + inner)), depth
        return _Cost(1 + inner), depth

    def _field_of(self, parent: GraphQLCompositeType, name: str) -> GraphQLField:
        if parent is self.schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        if name == "__typename":
            return TypeNameMetaFieldDef
        if isinstance(parent, GraphQLUnionType):  # validation lets a union select __typename only
            raise KeyError(name)
        field: GraphQLField = parent.fields[name]
        return field

    def _types_of(self, parent: GraphQLCompositeType) -> tuple[str, ...]:
        found = self._possible.get(parent.name)
        if found is None:
            if is_abstract_type(parent):
                found = tuple(t.name for t in self.schema.get_possible_types(parent))
            else:
                found = (parent.name,)
            self._possible[parent.name] = found
        return found

    def _argument(self, node: FieldNode, field: GraphQLField, name: str) -> object:
        definition = field.args.get(name)
        if definition is None:
            return None
        given = next((a for a in node.arguments or () if a.name.value == name), None)
        if given is None:
            value = definition.default_value
        else:
            value = value_from_ast(given.value, definition.type, self.variables)
        return None if value is Undefined else value

    def _page_size(self, node: FieldNode, field: GraphQLField) -> int:
        sizes = [
            v
            for v in (self._argument(node, field, "first"), self._argument(node, field, "last"))
            if isinstance(v, int)
        ]
        size = max(sizes) if sizes else DEFAULT_PAGE_SIZE
        return min(max(size, 0), MAX_PAGE_SIZE)

    def _bound(self, parent: GraphQLCompositeType, name: str, node: FieldNode, field: GraphQLField) -> int:
        bound = declared_bound(parent.name, name)
        if bound is None:
            return FALLBACK_BOUND
        if isinstance(bound, int):
            return bound
        return bound(lambda argument: self._argument(node, field, argument))


def _with_defaults(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Mapping[str, object]
) -> dict[str, object]:
    """The variables, with the operation's defaults for those not given (coerced values carry
    them already; raw ``{}`` in a test does not)."""
    values = dict(variables)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            type_ = type_from_ast(schema, definition.type)
            if type_ is not None:
                value = value_from_ast(definition.default_value, type_)  # type: ignore[arg-type]
                if value is not Undefined:
                    values[name] = value
    return values


def _spreads_in(selection_set: SelectionSetNode) -> Iterator[str]:
    """The fragments a selection set spreads, at any nesting, whatever the directives say."""
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif selection.selection_set is not None:  # type: ignore[attr-defined]
                stack.append(selection.selection_set)  # type: ignore[attr-defined]


def _dependency_order(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[str]:
    """The fragments the operation may spread, each after those it spreads (validation forbids
    cycles). Iterative, so that a long chain of fragments cannot exhaust the Python stack."""
    order: list[str] = []
    seen: set[str] = set()
    stack: list[tuple[str | None, Iterator[str]]] = [(None, _spreads_in(operation.selection_set))]
    while stack:
        name, spreads = stack[-1]
        spread = next(spreads, None)
        if spread is None:
            stack.pop()
            if name is not None:
                order.append(name)
        elif spread not in seen:
            seen.add(spread)
            stack.append((spread, _spreads_in(fragments[spread].selection_set)))
    return order


def _reached(operation: _Definition, done: Mapping[str, _Definition]) -> list[str]:
    """The fragments the operation spreads where the directives include them, each once."""
    reached: dict[str, None] = {}
    pending = list(operation.spreads)
    while pending:
        name = pending.pop()
        if name not in reached:
            reached[name] = None
            pending.extend(done[name].spreads)
    return list(reached)


def _root_fields(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    included: Callable[[SelectionNode], bool],
) -> tuple[str, ...]:
    names: dict[str, None] = {}
    seen: set[str] = set()
    stack = [iter(operation.selection_set.selections)]
    while stack:
        selection = next(stack[-1], None)
        if selection is None:
            stack.pop()
        elif not included(selection):
            continue
        elif isinstance(selection, FieldNode):
            names.setdefault(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            stack.append(iter(selection.selection_set.selections))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            stack.append(iter(fragments[selection.name.value].selection_set.selections))
    return tuple(names)
