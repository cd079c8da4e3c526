"""Read requests generated from the schema, for the differential tests (test_parity.py).

hypothesis-graphql draws the selections and inline argument values of a query; ``requests`` then
rewrites the document the way clients write them: some arguments become variables (some with a
default in the document instead of a value), some fields get aliases, ``@include``/``@skip`` or
``__typename`` beside them, some selection sets move into named fragments, and the operation is
sometimes named and chosen among two by ``operationName``.

Scalars are drawn from the seeded data most of the time (``Pool``), so that lookups, filters and
``node(id:)`` hit rows: global IDs encode real keys (``graph.relay.encode_id``), strings are real
codes, numbers and names, ints are small page sizes, stage numbers and entry numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import graphql
from hypothesis import strategies as st
from hypothesis_graphql import queries
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.relay import encode_id

T = TypeVar("T")

#: Node type -> the SQL that lists its natural keys.
NODE_KEYS = {
    "Salesperson": "SELECT code FROM salesperson",
    "Contact": "SELECT no FROM contact",
    "SalesCycle": "SELECT code FROM sales_cycle",
    "SalesCycleStage": "SELECT sales_cycle_code, stage FROM sales_cycle_stage",
    "CloseOpportunityCode": "SELECT code FROM close_opportunity_code",
    "Activity": "SELECT code FROM activity",
    "Campaign": "SELECT no FROM campaign",
    "Opportunity": "SELECT no FROM opportunity",
    "OpportunityEntry": "SELECT entry_no FROM opportunity_entry",
    "Task": "SELECT no FROM task",
    "SalesQuote": "SELECT no FROM sales_quote",
    "SalesOrder": "SELECT no FROM sales_order",
}
#: Strings the filters and lookups compare with, besides the keys.
STRINGS = (
    "SELECT name FROM contact UNION ALL SELECT description FROM opportunity "
    "UNION ALL SELECT name FROM salesperson UNION ALL SELECT description FROM campaign"
)


#: IDs that name nothing: not base64, an unknown type, a key of the wrong length, a missing key.
BAD_IDS = ("", "4", encode_id("Nope", ["X"]), encode_id("Contact", ["C1", 2]), encode_id("Contact", ["NOPE"]))


@dataclass(frozen=True)
class Pool:
    """Values that exist in the seeded database."""

    keys: dict[str, list[tuple[Any, ...]]]
    strings: list[str]
    ints: list[int]

    @property
    def ids(self) -> list[str]:
        return [encode_id(type_name, list(key)) for type_name, keys in self.keys.items() for key in keys]

    def ids_of(self, type_name: str) -> list[str]:
        return [encode_id(type_name, list(key)) for key in self.keys[type_name]]


async def load_pool(engine: AsyncEngine, per_type: int = 60) -> Pool:
    """Up to ``per_type`` keys of every node type (a fixed sample: the examples stay reproducible)."""
    keys: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as conn:
        for type_name, sql in NODE_KEYS.items():
            rows = (await conn.execute(text(f"{sql} ORDER BY 1 LIMIT {per_type}"))).all()
            spread = (
                await conn.execute(text(f"SELECT * FROM ({sql}) t ORDER BY md5(t::text) LIMIT 20"))
            ).all()
            keys[type_name] = sorted({tuple(r) for r in [*rows, *spread]})
        words = (await conn.execute(text(f"SELECT s FROM ({STRINGS}) t(s) ORDER BY s LIMIT 200"))).scalars()
        strings = sorted({w for w in words if w})
    texts = [str(key[0]) for type_keys in keys.values() for key in type_keys if isinstance(key[0], str)]
    fragments = [s.split()[0][:4] for s in strings if s.split()]
    ints = sorted({int(key[0]) for key in keys["OpportunityEntry"]} | set(range(11)))
    return Pool(keys, sorted(set(texts + strings + fragments)), ints)


def scalar_strategies(pool: Pool) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Value nodes for every scalar the schema's arguments take: real ones most of the time."""

    def string(value: str) -> graphql.ValueNode:
        return graphql.StringValueNode(value=value)

    def integer(value: int) -> graphql.ValueNode:
        return graphql.IntValueNode(value=str(value))

    odd_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6)
    days = st.dates(dt.date(2024, 6, 1), dt.date(2027, 6, 30)).map(dt.date.isoformat)
    moments = st.datetimes(dt.datetime(2024, 6, 1), dt.datetime(2027, 6, 30)).map(
        lambda d: d.isoformat() + "Z"
    )
    amounts = st.decimals(-1000, 100_000, places=2, allow_nan=False, allow_infinity=False).map(str)
    small = st.one_of(st.integers(-1, 12), st.sampled_from(pool.ints))
    # A bad value makes the whole document invalid, and a document holds many dates and IDs: a
    # bad one is rare (but there).
    bad_day = st.one_of(st.sampled_from(["2026-02-30", "26-1-1", ""]), odd_text)
    return {
        "String": mostly(st.sampled_from(pool.strings), odd_text, one_in=8).map(string),
        "ID": mostly(st.sampled_from(pool.ids), st.sampled_from(BAD_IDS), one_in=40).map(string),
        "Int": mostly(small, st.integers(-(2**31), 2**31 - 1), one_in=10).map(integer),
        "Date": mostly(days, bad_day, one_in=80).map(string),
        "DateTime": mostly(moments, st.just("yesterday"), one_in=40).map(string),
        "Decimal": mostly(amounts, st.sampled_from(["1e3", "12,5", "x"]), one_in=40).map(string),
    }


def mostly(good: st.SearchStrategy[T], bad: st.SearchStrategy[T], *, one_in: int) -> st.SearchStrategy[T]:
    """``good``, and ``bad`` about once in ``one_in`` draws (``one_of`` would draw each half the time)."""
    return st.sampled_from(range(one_in)).flatmap(lambda i: bad if i == 0 else good)


@dataclass(frozen=True)
class Request:
    query: str
    variables: dict[str, Any]
    operation_name: str | None


@dataclass
class _Rewrite:
    """One document's rewriting: the choices drawn and the definitions it adds."""

    draw: st.DrawFn
    schema: graphql.GraphQLSchema
    variables: dict[str, Any] = field(default_factory=dict)
    definitions: list[graphql.VariableDefinitionNode] = field(default_factory=list)
    fragments: list[graphql.FragmentDefinitionNode] = field(default_factory=list)
    counter: int = 0

    def chance(self, probability: float) -> bool:
        return bool(self.draw(st.integers(0, 99)) < probability * 100)

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def variable(
        self, type_node: graphql.TypeNode, value: Any, literal: graphql.ValueNode | None
    ) -> graphql.VariableNode:
        """A new variable of ``type_node`` holding ``value`` (or with ``literal`` as its default)."""
        name = self.name("v")
        default = None
        if literal is not None and self.chance(0.25):
            default = cast("graphql.ConstValueNode", literal)  # an argument's literal, no variables
        else:
            self.variables[name] = value
        self.definitions.append(
            graphql.VariableDefinitionNode(
                variable=graphql.VariableNode(name=graphql.NameNode(value=name)),
                type=type_node,
                default_value=default,
                directives=(),
            )
        )
        return graphql.VariableNode(name=graphql.NameNode(value=name))

    def selections(
        self, nodes: Sequence[graphql.SelectionNode], parent: graphql.GraphQLNamedType
    ) -> list[graphql.SelectionNode]:
        out: list[graphql.SelectionNode] = []
        for node in nodes:
            if isinstance(node, graphql.FieldNode):
                out.append(self.field(node, parent))
            elif isinstance(node, graphql.InlineFragmentNode):
                on = parent
                if node.type_condition is not None:
                    on = self.schema.type_map[node.type_condition.name.value]
                inner = self.selections(node.selection_set.selections, on)
                out.append(_inline(node.type_condition, inner))
            else:
                out.append(node)
        if self.chance(0.15):
            out.append(_field("__typename"))
        if len(out) > 1 and self.chance(0.1):
            out = [_inline(None, out)]
        return out

    def field(self, node: graphql.FieldNode, parent: graphql.GraphQLNamedType) -> graphql.FieldNode:
        assert isinstance(parent, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType)
        definition = parent.fields[node.name.value]
        arguments = []
        given = node.arguments or ()
        if {"first", "last"} <= {a.name.value for a in given} and self.chance(0.85):
            # Both at once is an error (INVALID_PAGINATION): mostly one of them, to reach the data.
            dropped = self.draw(st.sampled_from(["first", "last"]))
            given = tuple(a for a in given if a.name.value != dropped)
        for argument in given:
            value = argument.value
            if self.chance(0.35):
                type_node = graphql.parse_type(str(definition.args[argument.name.value].type))
                value = self.variable(type_node, graphql.value_from_ast_untyped(value), value)
            arguments.append(graphql.ArgumentNode(name=argument.name, value=value))
        directives: list[graphql.DirectiveNode] = []
        if self.chance(0.08):
            directives.append(self.condition())
        selection_set = node.selection_set
        if selection_set is not None:
            target = graphql.get_named_type(definition.type)
            inner = self.selections(selection_set.selections, target)
            if self.chance(0.2):
                name = self.name("F")
                self.fragments.append(
                    graphql.FragmentDefinitionNode(
                        name=graphql.NameNode(value=name),
                        type_condition=graphql.NamedTypeNode(name=graphql.NameNode(value=target.name)),
                        directives=(),
                        selection_set=graphql.SelectionSetNode(selections=tuple(inner)),
                    )
                )
                inner = [graphql.FragmentSpreadNode(name=graphql.NameNode(value=name), directives=())]
            selection_set = graphql.SelectionSetNode(selections=tuple(inner))
        alias = node.alias
        if alias is None and self.chance(0.15):
            alias = graphql.NameNode(value=self.name("a"))
        return graphql.FieldNode(
            alias=alias,
            name=node.name,
            arguments=tuple(arguments),
            directives=tuple(directives),
            selection_set=selection_set,
        )

    def condition(self) -> graphql.DirectiveNode:
        keep = self.draw(st.booleans())
        skip = self.draw(st.booleans())
        name = "skip" if skip else "include"
        value: graphql.ValueNode = graphql.BooleanValueNode(value=keep != skip)
        if self.chance(0.5):
            value = self.variable(graphql.parse_type("Boolean!"), keep != skip, None)
        argument = graphql.ArgumentNode(name=graphql.NameNode(value="if"), value=value)
        return graphql.DirectiveNode(name=graphql.NameNode(value=name), arguments=(argument,))


def _field(name: str) -> graphql.FieldNode:
    return graphql.FieldNode(name=graphql.NameNode(value=name), arguments=(), directives=())


def _inline(
    on: graphql.NamedTypeNode | None, selections: list[graphql.SelectionNode]
) -> graphql.InlineFragmentNode:
    return graphql.InlineFragmentNode(
        type_condition=on, directives=(), selection_set=graphql.SelectionSetNode(selections=tuple(selections))
    )


def requests(schema: graphql.GraphQLSchema, pool: Pool) -> st.SearchStrategy[Request]:
    """Query requests over every root field of ``schema``'s ``Query``."""
    documents = queries(schema, custom_scalars=scalar_strategies(pool), print_ast=_identity, allow_x00=False)

    @st.composite
    def rewritten(draw: st.DrawFn) -> Request:
        document = draw(documents)
        operation = document.definitions[0]
        assert isinstance(operation, graphql.OperationDefinitionNode)
        assert schema.query_type is not None
        rewrite = _Rewrite(draw, schema)
        selections = rewrite.selections(operation.selection_set.selections, schema.query_type)
        name = graphql.NameNode(value="Generated") if rewrite.chance(0.3) else None
        operations: list[graphql.DefinitionNode] = [
            graphql.OperationDefinitionNode(
                operation=graphql.OperationType.QUERY,
                name=name,
                variable_definitions=tuple(rewrite.definitions),
                directives=(),
                selection_set=graphql.SelectionSetNode(selections=tuple(selections)),
            )
        ]
        operation_name = None
        if name is not None and rewrite.chance(0.5):
            other = graphql.parse("query Other { viewer { role } }").definitions[0]
            operations.insert(draw(st.integers(0, 1)), other)
            operation_name = "Generated"
        final = graphql.DocumentNode(definitions=(*operations, *rewrite.fragments))
        return Request(graphql.print_ast(final), rewrite.variables, operation_name)

    return rewritten()


def _identity(document: graphql.DocumentNode) -> graphql.DocumentNode:
    return document
