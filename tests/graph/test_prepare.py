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


def bomb(levels: int) -> str:
    fragments = ["fragment F0 on Query { setup { timeZone } }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return f"query {{ ...F{levels} }}\n" + "\n".join(fragments)


def test_expanded_fields_count_every_spread_once_per_use() -> None:
    from graphql import parse

    assert preparing.expanded_fields(parse(bomb(10)), 10**6) == 2 * 2**10
    assert preparing.expanded_fields(parse(bomb(60)), 1000) == 1001  # capped, no huge integers
    cyclic = "query { ...A } fragment A on Query { ...B setup { timeZone } } fragment B on Query { ...A }"
    assert preparing.expanded_fields(parse(cyclic), 1000) == 0  # left to validation, which refuses it


def test_a_fragment_bomb_is_refused_before_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_validation(*_: object) -> list[object]:
        raise AssertionError("validated a fragment bomb")

    monkeypatch.setattr(preparing, "validate", no_validation)
    preparing._cached_parse_and_validate.cache_clear()
    with pytest.raises(OperationRefusedError) as refused:
        run(bomb(30))

    assert refused.value.code == "MAX_COST_EXCEEDED"
    preparing._cached_parse_and_validate.cache_clear()


def test_fragments_reused_within_reason_are_fine() -> None:
    query = (
        "query { a: contacts(first: 2) { nodes { ...C } } b: contacts(first: 2) { nodes { ...C } } }"
        " fragment C on Contact { no name opportunities(first: 2) { nodes { no } } }"
    )
    assert run(query).plan.kind == "query"
