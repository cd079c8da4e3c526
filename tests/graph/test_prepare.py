"""graph.prepare: what happens to an operation before it runs, cached where it can be."""

from __future__ import annotations

import pytest

from graph import prepare as preparing
from graph.prepare import OperationRefusedError, Prepared, prepare
from graph.schema import schema

SCHEMA = schema._schema
QUERY = "query Page($n: Int = 5) { contacts(first: $n) { nodes { no } } }"


def run(query: str = QUERY, name: str | None = None, variables: dict[str, object] | None = None) -> Prepared:
    return prepare(SCHEMA, query, name, variables or {}, introspection=True, max_cost=25_000)


def test_a_warm_document_is_neither_parsed_nor_validated_again() -> None:
    preparing._cached_parse_and_validate.cache_clear()
    first = run()
    second = run(variables={"n": 7})

    assert second.document is first.document
    info = preparing._cached_parse_and_validate.cache_info()
    assert (info.hits, info.misses) == (1, 1)
    assert (first.plan.requested_cost, second.plan.requested_cost) == (6, 8)


def test_strawberrys_own_validation_cache_hits_too() -> None:
    # Only the parser and validation caches remain as extensions: no per-request rule classes
    # that would make every request a cache miss.
    names = [getattr(e, "__name__", "") or type(e).__name__ for e in schema.extensions]
    assert not any("Limiter" in name for name in names)


def test_a_long_document_is_not_cached() -> None:
    preparing._cached_parse_and_validate.cache_clear()
    long_query = QUERY + " " * preparing.MAX_CACHED_QUERY_LENGTH
    run(long_query)

    assert preparing._cached_parse_and_validate.cache_info().currsize == 0


@pytest.mark.parametrize(
    ("query", "name", "variables", "code"),
    [
        ("{ setup { ", None, {}, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", None, {}, "GRAPHQL_VALIDATION_FAILED"),
        (
            "query A { setup { timeZone } } query B { setup { timeZone } }",
            None,
            {},
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (QUERY, "Other", {}, "GRAPHQL_VALIDATION_FAILED"),
        (QUERY, None, {"n": "five"}, "BAD_USER_INPUT"),
        ("query($s: String!) { contact(no: $s) { no } }", None, {"s": "\x00"}, "BAD_USER_INPUT"),
        ("query($s: [ID!]!) { nodes(ids: $s) { id } }", None, {"s": ["ok", "\ud800"]}, "BAD_USER_INPUT"),
        ("{ setup { timeZone } }", None, {}, None),
    ],
)
def test_each_refusal_has_its_code(
    query: str, name: str | None, variables: dict[str, object], code: str | None
) -> None:
    if code is None:
        assert run(query, name, variables).plan.kind == "query"
        return
    with pytest.raises(OperationRefusedError) as refused:
        run(query, name, variables)
    assert refused.value.code == code


def test_introspection_can_be_refused() -> None:
    with pytest.raises(OperationRefusedError) as refused:
        prepare(SCHEMA, "{ __schema { types { name } } }", None, {}, introspection=False, max_cost=25_000)

    assert refused.value.code == "GRAPHQL_VALIDATION_FAILED"
