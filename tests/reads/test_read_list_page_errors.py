"""Root-list pagination refused: cursors of another list or ordering, malformed cursors, page sizes
above the limit, and contradictory or negative sizes, each with its error code (api.md §4, §6)."""

from __future__ import annotations

import pytest

from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.reads.lists_helpers import given_opportunities, keys, list_query, listed, numbered, variables
from tests.support.builders import errors_of

CURSOR_MISMATCHES = [
    ("opportunities", [{"field": "NO"}], [{"field": "CREATION_DATE"}]),
    ("opportunities", [{"field": "NO", "direction": "ASC"}], [{"field": "NO", "direction": "DESC"}]),
    ("opportunities", [{"field": "ESTIMATED_VALUE"}], [{"field": "PROBABILITY_PCT"}]),
    ("contacts", None, None),
]


@pytest.mark.parametrize(("source", "source_order", "target_order"), CURSOR_MISMATCHES)
async def test_cursor_of_another_ordering_or_list_is_an_invalid_cursor_error(
    gql: GraphQLClient,
    sessions: SessionFactory,
    source: str,
    source_order: list[dict[str, str]] | None,
    target_order: list[dict[str, str]] | None,
) -> None:
    await given_opportunities(sessions, *numbered(1, 5))
    cursor = (await listed(gql, source, order_by=source_order, first=2))["pageInfo"]["endCursor"]

    for after, before in ((cursor, None), (None, cursor)):
        body = await gql.raw(
            list_query("opportunities"), variables(None, target_order, after=after, before=before)
        )

        assert body["data"] is None
        assert [code for code, _ in errors_of(body)] == ["INVALID_CURSOR"]


@pytest.mark.parametrize("cursor", ["", "garbage", "W10", "WyJ4IiwgW11d"])
async def test_malformed_cursor_is_an_invalid_cursor_error(gql: GraphQLClient, cursor: str) -> None:
    body = await gql.raw(list_query("opportunities"), variables(None, None, after=cursor))

    assert errors_of(body) == [
        ("INVALID_CURSOR", "The cursor is not valid for this list and ordering; start again without it.")
    ]


@pytest.mark.parametrize("argument", ["first", "last"])
async def test_page_size_above_100_is_an_error_naming_the_limit(
    gql: GraphQLClient, sessions: SessionFactory, argument: str
) -> None:
    await given_opportunities(sessions, *numbered(1, 3))

    refused = await gql.raw(list_query("opportunities"), variables(None, None, **{argument: 101}))
    allowed = await gql.query(list_query("opportunities"), variables(None, None, **{argument: 100}))

    assert refused["data"] is None
    assert errors_of(refused) == [
        ("PAGE_SIZE_EXCEEDED", f"`{argument}` is 101, above the limit of 100 items per page.")
    ]
    assert keys(allowed["items"]) == numbered(1, 3)


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ({"first": 2, "last": 2}, "Pass either `first` or `last`, not both."),
        ({"first": -1}, "`first` must not be negative."),
        ({"last": -1}, "`last` must not be negative."),
    ],
)
async def test_contradictory_or_negative_page_sizes_are_refused(
    gql: GraphQLClient, page: dict[str, int], message: str
) -> None:
    body = await gql.raw(list_query("opportunities"), variables(None, None, **page))

    assert body["data"] is None
    assert errors_of(body) == [("INVALID_PAGINATION", message)]
