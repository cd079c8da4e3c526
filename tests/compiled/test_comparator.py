"""The comparator can fail: two answers that differ anywhere that matters are reported as
different, with a path to each difference; the bucket's state alone is not a difference.

And the ``gql`` fixture's shadow run is really there and really not counted by ``sql_log``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import GraphQLClient, StatementLog
from tests.support.differential import (
    REFERENCE_RERUNS,
    Answer,
    canonical,
    compare_answers,
    differences,
    is_read,
    racing_errors_agree,
    settle,
)


def body(**changes: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "data": {"contacts": {"nodes": [{"no": "C1", "name": "Ada"}, {"no": "C2", "name": "Bo"}]}},
        "errors": [{"message": "x", "path": ["contacts"], "extensions": {"code": "BAD"}}],
        "extensions": {
            "cost": {
                "requestedQueryCost": 12,
                "actualQueryCost": 3,
                "throttleStatus": {"maximumAvailable": 100, "currentlyAvailable": 88, "restoreRate": 10},
            }
        },
    }
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = answer
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return answer


def test_identical_answers_in_another_key_order_are_the_same() -> None:
    resolver = body()
    compiled = {key: copy.deepcopy(resolver[key]) for key in reversed(list(resolver))}
    nodes = resolver["data"]["contacts"]["nodes"]
    compiled["data"]["contacts"]["nodes"] = [dict(reversed(n.items())) for n in nodes]

    comparison = compare_answers(Answer(200, resolver, None), Answer(200, compiled, "compiled"))

    assert comparison.same, comparison.differences
    assert comparison.was_compiled


def test_errors_compare_in_any_order_but_in_full() -> None:
    first = {"message": "a", "path": ["x"], "extensions": {"code": "NOT_FOUND"}}
    second = {"message": "b", "path": ["y"], "extensions": {"code": "NOT_FOUND"}}
    resolver = body(errors=[first, second])

    assert compare_answers(Answer(200, resolver, None), Answer(200, body(errors=[second, first]), None)).same
    changed = compare_answers(Answer(200, resolver, None), Answer(200, body(errors=[second, second]), None))
    assert changed.differences == ('$.errors[0].message: "a" ≠ "b"', '$.errors[0].path[0]: "x" ≠ "y"')


def test_the_bucket_state_is_not_compared() -> None:
    compiled = body()
    compiled["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] = 5

    assert compare_answers(Answer(200, body(), None), Answer(200, compiled, None)).same
    assert "currentlyAvailable" not in str(canonical(compiled))
    assert canonical(compiled)["extensions"]["cost"]["requestedQueryCost"] == 12


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"data__contacts__nodes__1__name": "Bob"}, "$.data.contacts.nodes[1].name"),
        ({"data__contacts__nodes": [{"no": "C2", "name": "Bo"}, {"no": "C1", "name": "Ada"}]}, "nodes[0].no"),
        ({"data__contacts__nodes": [{"no": "C1", "name": "Ada"}]}, "2 items on the resolver path, 1"),
        ({"errors__0__message": "y"}, "$.errors[0].message"),
        ({"errors__0__path": ["contact"]}, "$.errors[0].path[0]"),
        ({"errors__0__extensions": {"code": "NOT_FOUND"}}, "$.errors[0].extensions.code"),
        ({"extensions__cost__actualQueryCost": 4}, "$.extensions.cost.actualQueryCost"),
        ({"extensions__cost__requestedQueryCost": 13}, "$.extensions.cost.requestedQueryCost"),
        ({"data__contacts__nodes__0__no": 1}, "$.data.contacts.nodes[0].no"),
        ({"data__extra": None}, "$.data.extra: only the compiled path has it"),
    ],
)
def test_a_difference_is_reported_with_its_path(change: dict[str, Any], where: str) -> None:
    comparison = compare_answers(Answer(200, body(), None), Answer(200, body(**change), "compiled"))

    assert not comparison.same
    assert any(where in line for line in comparison.differences), comparison.differences
    assert where.split(":")[0] in comparison.report("{ contacts { nodes { no } } }", {"a": 1})


def test_a_missing_key_and_a_status_are_differences() -> None:
    compiled = body()
    del compiled["errors"]

    comparison = compare_answers(Answer(200, body(), None), Answer(400, compiled, None))

    assert comparison.differences[0] == "HTTP status: 200 ≠ 400"
    assert any(line.startswith("$.errors: only the resolver path") for line in comparison.differences)


def test_true_is_not_one_and_null_is_not_absent() -> None:
    assert differences({"a": True}, {"a": 1}) == ["$.a: true ≠ 1"]
    assert differences({"a": 1.0}, {"a": 1}) == ["$.a: 1.0 ≠ 1"]
    assert differences({"a": None}, {}) == ["$.a: only the resolver path has it (null)"]


async def test_errors_alone_are_settled_by_asking_the_resolver_path_again() -> None:
    other = body(errors=[{"message": "other", "path": ["contacts"], "extensions": {"code": "BAD"}}])
    answers = [Answer(200, other, None), Answer(200, body(), None)]
    asked: list[Answer] = []

    async def rerun() -> Answer:
        asked.append(answers[len(asked) % 2])
        return asked[-1]

    settled = await settle(compare_answers(Answer(200, other, None), Answer(200, body(), None)), rerun)

    assert settled.same
    assert settled.reruns == 2
    assert len(asked) == 2


async def test_racing_errors_agree_when_they_fall_in_the_same_nulled_place() -> None:
    def nulled(*errors: tuple[str, list[Any]]) -> dict[str, Any]:
        return {
            "data": {"a": None, "b": {"c": None}},
            "errors": [{"message": m, "path": p} for m, p in errors],
        }

    async def never() -> Answer:
        raise AssertionError("no rerun needed")

    # data.a is null because a non-null child of it failed, x or y, whichever failed first: either
    # error is right. b.c is the failed field's own null, the same error every time.
    resolver = nulled(("x failed", ["a", "x"]), ("c failed", ["b", "c"]))
    compiled = nulled(("y failed", ["a", "y"]), ("c failed", ["b", "c"]))
    settled = await settle(compare_answers(Answer(200, resolver, None), Answer(200, compiled, None)), never)
    assert settled.same
    assert settled.racing

    other_own_error = nulled(("x failed", ["a", "x"]), ("c broke", ["b", "c"]))
    assert not racing_errors_agree(resolver, other_own_error)
    elsewhere = nulled(("c failed", ["b", "c"]))
    assert not racing_errors_agree(resolver, elsewhere)


async def test_a_difference_in_data_or_errors_the_resolver_path_never_gives_stays() -> None:
    asked: list[int] = []

    async def rerun() -> Answer:
        asked.append(1)
        return Answer(200, body(errors=[]), None)

    data_differs = compare_answers(Answer(200, body(), None), Answer(200, body(data=None), None))
    assert await settle(data_differs, rerun) is data_differs
    assert not asked
    errors_differ = compare_answers(Answer(200, body(errors=[]), None), Answer(200, body(), None))
    assert not (await settle(errors_differ, rerun)).same
    assert len(asked) == REFERENCE_RERUNS


@pytest.mark.parametrize(
    ("document", "operation", "read"),
    [
        ("{ viewer { role } }", None, True),
        ("query Q { viewer { role } }", "Q", True),
        ("mutation M { x }", None, False),
        ("subscription S { x }", None, False),
        ("query Q { a } mutation M { x }", "Q", True),
        ("query Q { a } mutation M { x }", None, False),
        ("{ not graphql", None, True),
    ],
)
def test_only_query_documents_are_reads(document: str, operation: str | None, read: bool) -> None:
    assert is_read(document, operation) is read


async def test_the_shadow_run_happens_and_is_not_counted(gql: GraphQLClient, sql_log: StatementLog) -> None:
    if gql.shadow is None:
        pytest.skip("SALESGRAPH_SHADOW_READS=0")
    sql_log.clear()

    await gql.query("{ salespeople(first: 5) { nodes { code } } }")
    once = list(sql_log.statements)
    await gql.http.post("/graphql", json={"query": "{ salespeople(first: 5) { nodes { code } } }"})

    assert gql.shadowed == 1
    assert once
    assert sql_log.statements == once + once  # the unshadowed post ran exactly what the query counted
