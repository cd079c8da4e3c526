"""Pagination walks for the differential tests: a connection, an order and a page size, then the
pages one after another with real cursors (``first``/``after`` forwards from the first page,
``last``/``before`` backwards from the last one reached). hypothesis-graphql cannot chain requests
(a cursor comes from the previous answer), so the walk is drawn here and followed in the test.

The connections are found in the schema: every root field and every field of a ``Node`` type that
returns a ``…Connection`` with ``first``/``after``/``last``/``before``; its orders are the values
of its ``orderBy`` input's ``field`` enum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import graphql
from hypothesis import strategies as st

from tests.compiled.generate import Pool

PAGING_ARGS = {"first", "after", "last", "before"}
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


@dataclass(frozen=True)
class Connection:
    parent: str | None  # the Node type the field is on; None for a root list
    field: str
    order_type: str | None  # the orderBy input's type name
    order_fields: tuple[str, ...]
    page: str  # the selection of one page

    @property
    def label(self) -> str:
        return f"{self.parent or 'Query'}.{self.field}"

    def document(self) -> str:
        order_variable = f", $orderBy: [{self.order_type}!]" if self.order_type else ""
        order_argument = ", orderBy: $orderBy" if self.order_type else ""
        paged = (
            f"conn: {self.field}(first: $first, after: $after, last: $last, before: $before"
            f"{order_argument}) {{ {self.page} }}"
        )
        variables = f"$first: Int, $after: String, $last: Int, $before: String{order_variable}"
        if self.parent is None:
            return f"query Walk({variables}) {{ {paged} }}"
        return (
            f"query Walk($id: ID!, {variables}) "
            f"{{ node(id: $id) {{ __typename ... on {self.parent} {{ {paged} }} }} }}"
        )


def _leaves(type_: graphql.GraphQLObjectType | graphql.GraphQLInterfaceType) -> list[str]:
    names = []
    for name, definition in type_.fields.items():
        if any(graphql.is_required_argument(a) for a in definition.args.values()):
            continue
        if graphql.is_leaf_type(graphql.get_named_type(definition.type)):
            names.append(name)
    return names


def _connection(parent: str | None, name: str, definition: graphql.GraphQLField) -> Connection | None:
    target = graphql.get_named_type(definition.type)
    if not (target.name.endswith("Connection") and set(definition.args) >= PAGING_ARGS):
        return None
    assert isinstance(target, graphql.GraphQLObjectType)
    node_type = graphql.get_named_type(target.fields["nodes"].type)
    assert isinstance(node_type, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType)
    leaves = " ".join(_leaves(node_type))
    parts = [part for part in ("totalCount", "pageInfo") if part in target.fields]
    page = " ".join(PAGE_INFO if part == "pageInfo" else part for part in parts)
    page += f" edges {{ cursor node {{ {leaves} }} }} nodes {{ __typename }}"
    order_type: str | None = None
    order_fields: tuple[str, ...] = ()
    if "orderBy" in definition.args:
        order_input = graphql.get_named_type(definition.args["orderBy"].type)
        assert isinstance(order_input, graphql.GraphQLInputObjectType)
        enum = graphql.get_named_type(order_input.fields["field"].type)
        assert isinstance(enum, graphql.GraphQLEnumType)
        order_type, order_fields = order_input.name, tuple(enum.values)
    return Connection(parent, name, order_type, order_fields, page)


def connections(schema: graphql.GraphQLSchema, pool: Pool) -> list[Connection]:
    """Every paged connection: root lists, and those of the node types ``pool`` has keys of."""
    assert schema.query_type is not None
    found = [_connection(None, n, d) for n, d in schema.query_type.fields.items()]
    for type_name in sorted(pool.keys):
        type_ = schema.type_map[type_name]
        assert isinstance(type_, graphql.GraphQLObjectType)
        found.extend(_connection(type_name, n, d) for n, d in type_.fields.items())
    return [c for c in found if c is not None]


@dataclass(frozen=True)
class Walk:
    connection: Connection
    parent_id: str | None
    order: list[dict[str, str]]
    size: int
    steps: int

    def variables(self, **paging: Any) -> dict[str, Any]:
        variables: dict[str, Any] = {"first": None, "after": None, "last": None, "before": None, **paging}
        if self.connection.order_type is not None:
            variables["orderBy"] = self.order
        if self.parent_id is not None:
            variables["id"] = self.parent_id
        return variables

    def page(self, body: Any) -> dict[str, Any] | None:
        """The page in an answer (``None`` when the parent is not found or the read failed)."""
        data = body.get("data") if isinstance(body, dict) else None
        if self.connection.parent is not None:
            data = data.get("node") if isinstance(data, dict) else None
        page = data.get("conn") if isinstance(data, dict) else None
        return page if isinstance(page, dict) else None


def walks(schema: graphql.GraphQLSchema, pool: Pool) -> st.SearchStrategy[Walk]:
    found = connections(schema, pool)

    @st.composite
    def walk(draw: st.DrawFn) -> Walk:
        connection = draw(st.sampled_from(found))
        parent_id = None
        if connection.parent is not None:
            parent_id = draw(st.sampled_from(pool.ids_of(connection.parent)))
        order: list[dict[str, str]] = []
        if connection.order_fields:
            fields = draw(st.lists(st.sampled_from(connection.order_fields), max_size=2, unique=True))
            order = [{"field": f, "direction": draw(st.sampled_from(["ASC", "DESC"]))} for f in fields]
        return Walk(connection, parent_id, order, draw(st.integers(1, 7)), draw(st.integers(1, 4)))

    return walk()
