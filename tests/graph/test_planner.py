"""The query planner's cost, depth and alias measures (api.md §7.3), and that they are linear.

Longer than 400 lines because it gives one exact figure per cost rule, then the attack documents
of issue 10 and the benchmark reads, which share its helpers.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    GraphQLObjectType,
    OperationDefinitionNode,
    get_introspection_query,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_composite_type,
    is_list_type,
    parse,
    validate,
)

from graph import planner
from graph.planner import (
    INTROSPECTION_COST,
    LIST_BOUNDS,
    MAX_ALIASES,
    MAX_DEPTH,
    MUTATION_COST,
    Plan,
    PlanError,
    declared_bound,
    is_connection,
    plan,
)
from graph.schema import schema
from resolvers.lifecycle.sales_document import MAX_LINES
from resolvers.writes.sales_cycle import MAX_STAGES
from server.settings import Settings

SCHEMA = schema._schema
DEFAULT_MAX_COST: int = next(f.default for f in dataclasses.fields(Settings) if f.name == "max_query_cost")  # type: ignore[assignment]
BENCH = Path("/work/shared/bench")
MAX_COST = 25_000
#: Generous against a noisy shared machine; the planner itself takes a few milliseconds.
FAST = 0.5


def parsed(query: str) -> tuple[DocumentNode, OperationDefinitionNode]:
    document = parse(query)
    assert validate(SCHEMA, document) == []
    operation = get_operation_ast(document)
    assert operation is not None
    return document, operation


def measure(query: str, variables: Mapping[str, object] | None = None, **limits: int) -> Plan:
    document, operation = parsed(query)
    return plan(SCHEMA, document, operation, variables or {}, **{"max_cost": MAX_COST, **limits})


def refusal(query: str, variables: Mapping[str, object] | None = None, **limits: int) -> PlanError:
    with pytest.raises(PlanError) as refused:
        measure(query, variables, **limits)
    return refused.value


def cost(query: str, variables: Mapping[str, object] | None = None) -> int:
    return measure(query, variables).requested_cost


def bomb(levels: int) -> str:
    """Issue 10, item 2: each fragment spreads the one below twice."""
    fragments = ["fragment F0 on Query { setup { timeZone } }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return f"query {{ ...F{levels} }}\n" + "\n".join(fragments)


CIRCULAR = (  # issue 10, item 3
    "{contacts(first:100){nodes{opportunities(first:100){nodes{contact{opportunities(first:100){nodes"
    "{contact{opportunities(first:100){nodes{no}}}}}}}}}}}"
)


# --- objects, connections, lists ------------------------------------------------------------


def test_an_object_costs_one_and_its_scalars_nothing() -> None:
    plan_ = measure("{ setup { timeZone } }")

    assert (plan_.requested_cost, plan_.depth, plan_.aliases) == (1, 1, 0)
    assert (plan_.kind, plan_.root_fields, plan_.introspection) == ("query", ("setup",), False)
    assert cost("{ __typename setup { __typename timeZone } }") == 1


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("", 1 + 20),
        ("(first: 5)", 1 + 5),
        ("(last: 7)", 1 + 7),
        ("(first: 3, last: 9)", 1 + 9),  # both: the larger (the resolver refuses the pair anyway)
        ("(first: 0)", 1),
        ("(first: 500)", 1 + 100),  # the resolver refuses a page above 100
    ],
)
def test_a_connection_costs_one_plus_its_page_of_nodes(arguments: str, expected: int) -> None:
    assert cost(f"{{ contacts{arguments} {{ nodes {{ no }} }} }}") == expected


def test_edges_cost_as_much_as_nodes_and_page_info_is_an_object() -> None:
    edges = "{ contacts(first: 5) { totalCount pageInfo { hasNextPage } edges { cursor node { no } } } }"

    assert cost(edges) == 1 + 1 + 5
    assert cost("{ contacts(first: 5) { nodes { no } edges { node { no } } } }") == 1 + 5 + 5


def test_nested_connections_multiply() -> None:
    query = """{ contacts(first: 10) { nodes {
      opportunities(first: 5) { nodes { no salesperson { code } } } } } }"""

    assert cost(query) == 1 + 10 * (1 + (1 + 5 * (1 + 1)))


def test_a_plain_list_costs_its_declared_bound() -> None:
    query = "{ salesCycles(first: 2) { nodes { code stages { stage activity { code } } } } }"

    assert cost(query) == 1 + 2 * (1 + MAX_STAGES * (1 + 1))


def test_nodes_costs_one_per_id_up_to_the_id_limit() -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"

    assert cost(query, {"ids": ["a", "b", "c"]}) == 3
    assert cost(query, {"ids": ["a"] * 150}) == 100
    assert cost('{ nodes(ids: ["a", "b"]) { id } }') == 2


# --- fragments, abstract types --------------------------------------------------------------


def test_fragments_cost_what_they_select_at_each_spread() -> None:
    fragments = """
      fragment N on Contact { no salesperson { code } company { ...M } }
      fragment M on Contact { name }"""

    assert cost(
        "query { ...C } fragment C on Query { contacts(first: 3) { nodes { ...N } } }" + fragments
    ) == (1 + 3 * (1 + 1 + 1))
    assert cost('{ a: contact(no: "1") { ...N } b: contact(no: "2") { ...N } }' + fragments) == 2 * (1 + 2)


def test_a_fragment_on_a_connection_type_is_sized_by_the_page_it_is_spread_in() -> None:
    query = """{ a: contacts(first: 2) { ...Page } b: contacts(first: 30) { ...Page } }
      fragment Page on ContactConnection { pageInfo { hasNextPage } nodes { salesperson { code } } }"""

    assert cost(query) == (1 + 1 + 2 * 2) + (1 + 1 + 30 * 2)


def test_an_abstract_type_costs_its_most_expensive_concrete_type() -> None:
    node = """query($id: ID!) { node(id: $id) { id
      ... on Contact { opportunities(first: 4) { nodes { no } } }
      ... on Opportunity { contact { no } salesperson { code } } } }"""
    document = """{ opportunity(no: "O1") { salesDocument {
      ... on SalesQuote { lines { amount } } ... on SalesOrder { contact { no } } } } }"""

    assert cost(node, {"id": "x"}) == 1 + max(1 + 4, 1 + 1)
    assert cost(document) == 1 + (1 + max(MAX_LINES, 1))


def test_fragments_on_an_interface_apply_to_the_concrete_type() -> None:
    query = """{ contact(no: "1") { ... on Node { id } ... { salesperson { code } } ...I } }
      fragment I on Node { ... on Contact { company { no } } ... on Opportunity { contact { no } } }"""

    assert cost(query) == 1 + 1 + 1


# --- variables and directives ---------------------------------------------------------------


def test_first_as_a_variable() -> None:
    assert cost("query($n: Int) { contacts(first: $n) { nodes { no } } }", {"n": 7}) == 8
    assert cost("query($n: Int) { contacts(first: $n) { nodes { no } } }", {"n": None}) == 21
    assert cost("query($n: Int) { contacts(first: $n) { nodes { no } } }") == 21
    assert cost("query($n: Int = 3) { contacts(first: $n) { nodes { no } } }") == 4


def test_skipped_selections_cost_nothing() -> None:
    query = """query($yes: Boolean!, $no: Boolean!) {
      setup @skip(if: true) { timeZone }
      contacts(first: 2) @include(if: $yes) { nodes { no salesperson @include(if: $no) { code } } }
      ...F @skip(if: $yes)
      ... on Query @include(if: $no) { opportunities { totalCount } }
      a: salesCycles(first: 1) @include(if: false) { totalCount }
    }
    fragment F on Query { b: salespeople { nodes { code } } }"""

    plan_ = measure(query, {"yes": True, "no": False})

    assert (plan_.requested_cost, plan_.root_fields, plan_.aliases) == (1 + 2, ("contacts",), 0)
    assert measure(query, {"yes": False, "no": True}).root_fields == ("salespeople", "opportunities")


# --- mutations, introspection ---------------------------------------------------------------


def test_a_mutation_costs_ten_plus_its_payload() -> None:
    query = """mutation($input: CreateContactInput!) {
      createContact(input: $input) { contact { no salesperson { code } } userErrors { code } } }"""
    two = """mutation($a: CreateContactInput!, $b: DeleteContactInput!) {
      createContact(input: $a) { userErrors { code } } deleteContact(input: $b) { deletedId } }"""

    plan_ = measure(query)

    assert (plan_.kind, plan_.root_fields) == ("mutation", ("createContact",))
    assert plan_.requested_cost == MUTATION_COST + (1 + 1) + planner.USER_ERRORS
    assert measure(two).requested_cost == MUTATION_COST + planner.USER_ERRORS + MUTATION_COST


def test_introspection_costs_a_fixed_amount_and_no_depth() -> None:
    query = """{ __schema { types { name fields { name type { ...T } } } } }
      fragment T on __Type { name ofType { name ofType { name } } }"""

    plan_ = measure(query)

    assert (plan_.requested_cost, plan_.depth, plan_.introspection) == (INTROSPECTION_COST, 0, True)
    assert plan_.root_fields == ("__schema",)
    full = measure(get_introspection_query(descriptions=True, input_value_deprecation=True))
    assert (full.requested_cost, full.depth, full.introspection) == (INTROSPECTION_COST, 0, True)
    assert cost('{ __type(name: "Contact") { name } setup { timeZone } }') == INTROSPECTION_COST + 1


def test_introspection_is_found_through_fragments_and_its_aliases_count() -> None:
    through = measure('{ ...F } fragment F on Query { __typename __type(name: "Query") { name } }')
    aliased = measure("{ __schema { a: types { name } b: types { name } } }")

    assert through.introspection is True
    assert measure("{ __typename setup { __typename } }").introspection is False
    assert aliased.aliases == 2


# --- aliases and depth ----------------------------------------------------------------------


def test_aliases_are_counted_once_per_definition() -> None:
    plan_ = measure("{ a: setup { timeZone } b: setup { tz: timeZone } }")
    spread = measure("{ ...F ...F x: setup { timeZone } } fragment F on Query { a: setup { timeZone } }")

    assert (plan_.aliases, plan_.requested_cost, plan_.root_fields) == (3, 2, ("setup",))
    assert (spread.aliases, spread.requested_cost) == (2, 3)


def test_more_aliases_than_the_limit_are_refused() -> None:
    def aliased(n: int) -> str:
        return "{ " + " ".join(f"a{i}: setup {{ timeZone }}" for i in range(n)) + " }"

    assert MAX_ALIASES == 30
    assert measure(aliased(MAX_ALIASES)).aliases == MAX_ALIASES
    refused = refusal(aliased(MAX_ALIASES + 1))
    assert (refused.code, refused.message) == (
        "MAX_ALIASES_EXCEEDED",
        "The query has 31 aliases, above the limit of 30.",
    )
    assert refusal(aliased(3), max_aliases=2).code == "MAX_ALIASES_EXCEEDED"


def companies(levels: int) -> str:
    """A query ``levels`` + 1 deep: a contact and its company's company…"""
    return '{ contact(no: "1") { ' + "company { " * levels + "no" + " }" * levels + " } }"


def test_depth_counts_nested_fields_with_a_selection() -> None:
    assert MAX_DEPTH == 12
    assert measure(companies(MAX_DEPTH - 1)).depth == MAX_DEPTH
    refused = refusal(companies(MAX_DEPTH))
    assert (refused.code, refused.message) == (
        "MAX_DEPTH_EXCEEDED",
        "The query is nested 13 levels deep, above the limit of 12.",
    )
    assert refusal(companies(3), max_depth=3).code == "MAX_DEPTH_EXCEEDED"


def test_depth_through_fragments_adds_up() -> None:
    query = '{ contact(no: "1") { ...A } } fragment A on Contact { company { ...B } } ' + (
        "fragment B on Contact { company { company { no } } }"
    )

    assert measure(query).depth == 4


def test_absurd_nesting_is_refused_without_exhausting_the_stack() -> None:
    inline = "{ " + "... on Query { " * 40 + "setup { timeZone }" + " }" * 40 + " }"
    refused = refusal(companies(60))

    assert (refused.code, refused.message) == (
        "MAX_DEPTH_EXCEEDED",
        "The query is nested too deeply, above the limit of 12.",
    )
    assert refusal(inline).code == "MAX_DEPTH_EXCEEDED"
    assert measure("{ " + "... on Query { " * 10 + "setup { timeZone }" + " }" * 10 + " }").depth == 1


def test_the_limits_are_checked_depth_first_then_aliases_then_cost() -> None:
    deep_aliased_costly = "{ " + " ".join(f"a{i}: {CIRCULAR[1:-1]}" for i in range(31)) + " }"

    assert refusal(deep_aliased_costly, max_depth=9).code == "MAX_DEPTH_EXCEEDED"
    assert refusal(deep_aliased_costly).code == "MAX_ALIASES_EXCEEDED"
    assert refusal(CIRCULAR).code == "MAX_COST_EXCEEDED"


def test_root_fields_are_names_once_each_in_document_order() -> None:
    query = """query { b: setup { timeZone } ...R contacts(first: 1) { totalCount } setup { timeZone } }
      fragment R on Query { salespeople(first: 1) { totalCount } ...S }
      fragment S on Query { setup { timeZone } }"""
    document, operation = parsed(query)

    plan_ = plan(SCHEMA, document, operation, {}, max_cost=MAX_COST)

    assert plan_.root_fields == ("setup", "salespeople", "contacts")
    assert plan_.operation is operation


# --- the documents of issue 10 and the benchmarks -------------------------------------------


def test_the_fragment_bomb_is_refused_in_milliseconds() -> None:
    started = time.perf_counter()
    document = parse(bomb(30))
    parsed_at = time.perf_counter()
    errors = validate(SCHEMA, document)
    validated_at = time.perf_counter()
    operation = get_operation_ast(document)
    assert errors == []
    assert operation is not None
    with pytest.raises(PlanError) as refused:
        plan(SCHEMA, document, operation, {}, max_cost=MAX_COST)
    planned_at = time.perf_counter()

    print(
        f"fragment bomb F30 ({len(bomb(30))} bytes): parse {1000 * (parsed_at - started):.1f} ms, "
        f"validate {1000 * (validated_at - parsed_at):.1f} ms, "
        f"plan {1000 * (planned_at - validated_at):.1f} ms"
    )
    assert refused.value.code == "MAX_COST_EXCEEDED"
    assert refused.value.message.startswith(
        f"The query's requested cost is {2**30}, above the limit of 25000"
    )
    assert planned_at - started < FAST


def test_the_circular_query_is_refused() -> None:
    five = "{ " + " ".join(f"a{i}: {CIRCULAR[1:-1]}" for i in range(5)) + " }"
    opportunities = 1 + 100 * 1
    opportunities = 1 + 100 * (1 + 1 + opportunities)
    opportunities = 1 + 100 * (1 + 1 + opportunities)
    expected = 1 + 100 * (1 + opportunities)

    refused = refusal(CIRCULAR)

    assert expected == 103_030_201
    assert (refused.code, refused.message.split(",")[0]) == (
        "MAX_COST_EXCEEDED",
        f"The query's requested cost is {expected}",
    )
    assert measure(CIRCULAR, max_cost=expected).requested_cost == expected
    assert refusal(five).message.startswith(f"The query's requested cost is {5 * expected},")


@pytest.mark.parametrize(
    ("name", "variables", "expected"),
    [
        # 50 contacts × (1 + 10 opportunities × (1 + stage + salesperson + cycle with its stages)).
        ("nested", {}, 1 + 50 * (1 + 1 + 10 * (1 + 1 + 1 + 1 + MAX_STAGES))),
        ("nested", {"contacts": 50, "opportunities": 10}, 22_101),
        ("one", {"no": "C1"}, 1 + 1 + 20 * (1 + 1 + 1 + 1 + MAX_STAGES)),
    ],
)
def test_the_benchmark_reads_fit_the_default_cost_limit(
    name: str, variables: dict[str, object], expected: int
) -> None:
    plan_ = measure((BENCH / f"{name}.graphql").read_text(encoding="utf-8"), variables)

    print(f"{name}.graphql costs {plan_.requested_cost} (depth {plan_.depth})")
    assert plan_.requested_cost == expected
    assert plan_.requested_cost <= DEFAULT_MAX_COST == MAX_COST


def test_each_fragment_is_measured_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # 150 levels: graphql-core's validation aborts ("Validation aborted.") beyond ~197.
    measured: list[int] = []
    definition = planner._Walk.definition

    def counting(self: planner._Walk, *args: object) -> object:
        measured.append(1)
        return definition(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(planner._Walk, "definition", counting)
    document, operation = parsed(bomb(150))
    started = time.perf_counter()
    with pytest.raises(PlanError) as refused:
        plan(SCHEMA, document, operation, {}, max_cost=MAX_COST)
    elapsed = time.perf_counter() - started

    print(f"150-level fragment bomb: planned in {1000 * elapsed:.1f} ms")
    assert refused.value.code == "MAX_COST_EXCEEDED"
    assert f"requested cost is {2**150}," in refused.value.message
    assert len(measured) == 150 + 1 + 1  # each fragment and the operation
    assert elapsed < FAST


def test_a_long_chain_of_fragments_does_not_exhaust_the_stack() -> None:
    # Beyond what graphql-core validates (it aborts past ~197 levels): the planner still copes.
    chain = "query { ...F400 } fragment F0 on Query { setup { timeZone } } " + " ".join(
        f"fragment F{i} on Query {{ ...F{i - 1} }}" for i in range(1, 401)
    )
    document = parse(chain)
    operation = get_operation_ast(document)
    assert operation is not None

    plan_ = plan(SCHEMA, document, operation, {}, max_cost=MAX_COST)

    assert (plan_.requested_cost, plan_.depth, plan_.root_fields) == (1, 1, ("setup",))


# --- the schema and the bounds --------------------------------------------------------------


def object_lists() -> list[tuple[str, str]]:
    found = []
    for type_ in SCHEMA.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            is_list = is_list_type(get_nullable_type(field.type))
            if is_list and is_composite_type(get_named_type(field.type)):
                found.append((type_.name, name))
    return sorted(found)


def test_every_plain_object_list_of_the_schema_has_a_declared_bound() -> None:
    pages = [(t, f) for t, f in object_lists() if t.endswith("Connection") and f in ("nodes", "edges")]
    plain = [key for key in object_lists() if key not in pages]

    assert [key for key in plain if declared_bound(*key) is None] == []
    assert pages, "the connections' nodes and edges are sized by their page"


def test_every_declared_bound_names_a_list_of_the_schema() -> None:
    fields = {name for _, name in object_lists()}

    assert [key for key in LIST_BOUNDS if key not in object_lists() and key[0] != "*"] == []
    assert [key for key in LIST_BOUNDS if key[0] == "*" and key[1] not in fields] == []


def test_every_connection_field_takes_first_and_last() -> None:
    connections = [
        (type_.name, name, sorted(field.args))
        for type_ in SCHEMA.type_map.values()
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__")
        for name, field in type_.fields.items()
        if is_connection(field)
    ]

    assert len(connections) > 10
    assert [(t, f) for t, f, args in connections if not {"first", "last"} <= set(args)] == []
