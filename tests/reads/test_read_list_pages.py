"""Root-list keyset pagination: ``first``/``after`` and ``last``/``before`` pages, ``pageInfo``, the
default page size, and cursors that stay valid while rows come and go (api.md §4)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete

import models
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.reads.lists_helpers import day, given_opportunities, keys, listed, numbered


def page_info(page: dict[str, Any], has_next: bool, has_previous: bool) -> dict[str, Any]:
    """The ``pageInfo`` a page should have: flags as given, cursors of its first and last edges."""
    edges = page["edges"]
    start, end = (edges[0]["cursor"], edges[-1]["cursor"]) if edges else (None, None)
    return {"hasNextPage": has_next, "hasPreviousPage": has_previous, "startCursor": start, "endCursor": end}


async def test_first_and_after_page_forwards_through_the_list(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions, *reversed(numbered(1, 25)))

    one = await listed(gql, "opportunities", first=10)
    two = await listed(gql, "opportunities", first=10, after=one["pageInfo"]["endCursor"])
    three = await listed(gql, "opportunities", first=10, after=two["pageInfo"]["endCursor"])

    assert [keys(one), keys(two), keys(three)] == [numbered(1, 10), numbered(11, 20), numbered(21, 25)]
    assert one["pageInfo"] == page_info(one, has_next=True, has_previous=False)
    assert two["pageInfo"] == page_info(two, has_next=True, has_previous=True)
    assert three["pageInfo"] == page_info(three, has_next=False, has_previous=True)
    assert [e["node"] for e in one["edges"]] == one["nodes"]
    assert {one["totalCount"], two["totalCount"], three["totalCount"]} == {25}


async def test_last_and_before_page_backwards_through_the_list(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions, *reversed(numbered(1, 25)))

    one = await listed(gql, "opportunities", last=10)
    two = await listed(gql, "opportunities", last=10, before=one["pageInfo"]["startCursor"])
    three = await listed(gql, "opportunities", last=10, before=two["pageInfo"]["startCursor"])

    assert [keys(one), keys(two), keys(three)] == [numbered(16, 25), numbered(6, 15), numbered(1, 5)]
    assert one["pageInfo"] == page_info(one, has_next=False, has_previous=True)
    assert two["pageInfo"] == page_info(two, has_next=True, has_previous=True)
    assert three["pageInfo"] == page_info(three, has_next=True, has_previous=False)


async def test_default_page_size_is_20(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_opportunities(sessions, *numbered(1, 25))

    page = await listed(gql, "opportunities")

    assert (keys(page), page["pageInfo"]["hasNextPage"]) == (numbered(1, 20), True)


async def test_after_and_before_together_bound_a_window(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_opportunities(sessions, *numbered(1, 25))
    cursors = [e["cursor"] for e in (await listed(gql, "opportunities", first=25))["edges"]]

    page = await listed(gql, "opportunities", first=100, after=cursors[4], before=cursors[11])

    assert keys(page) == numbered(6, 11)


async def test_cursor_stays_valid_while_rows_are_inserted_and_deleted(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions, *[f"OP{n:02}" for n in range(2, 21, 2)])
    first = await listed(gql, "opportunities", first=5)
    assert keys(first) == ["OP02", "OP04", "OP06", "OP08", "OP10"]

    await given_opportunities(sessions, "OP01", "OP09", "OP11", "OP21")
    async with sessions() as session, session.begin():
        await session.execute(delete(models.Opportunity).where(models.Opportunity.no.in_(["OP10", "OP12"])))
    rest = await listed(gql, "opportunities", first=100, after=first["pageInfo"]["endCursor"])

    assert keys(rest) == ["OP11", "OP14", "OP16", "OP18", "OP20", "OP21"]
    assert (rest["pageInfo"]["hasPreviousPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)


@pytest.mark.parametrize(
    ("direction", "first_page", "rest"),
    [
        ("ASC", ["OP02", "OP04"], ["OP05", "OP06", "OP08", "OP01", "OP10"]),
        ("DESC", ["OP10", "OP04"], ["OP05", "OP06", "OP08", "OP02", "OP09"]),
    ],
)
async def test_cursor_on_a_tied_sort_key_stays_valid_while_rows_are_inserted(
    gql: GraphQLClient, sessions: SessionFactory, direction: str, first_page: list[str], rest: list[str]
) -> None:
    # Creation dates: OP02 on the 1st; OP04, OP06, OP08 on the 2nd; OP10 on the 3rd.
    await given_opportunities(sessions, "OP02", created=day(1))
    await given_opportunities(sessions, "OP04", "OP06", "OP08", created=day(2))
    await given_opportunities(sessions, "OP10", created=day(3))
    order_by = [{"field": "CREATION_DATE", "direction": direction}]
    page = await listed(gql, "opportunities", order_by=order_by, first=2)
    assert keys(page) == first_page

    # OP03 ties with the cursor row (OP04) and precedes it by NO; OP05 ties and follows it.
    await given_opportunities(sessions, "OP03", "OP05", created=day(2))
    await given_opportunities(sessions, "OP01", created=day(3))
    await given_opportunities(sessions, "OP09", created=day(1))
    page = await listed(
        gql, "opportunities", order_by=order_by, first=100, after=page["pageInfo"]["endCursor"]
    )

    assert keys(page) == rest


async def test_first_zero_gives_an_empty_page_that_still_counts(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions, *numbered(1, 3))

    page = await listed(gql, "opportunities", first=0)

    assert (page["nodes"], page["edges"], page["totalCount"]) == ([], [], 3)
    assert (page["pageInfo"]["startCursor"], page["pageInfo"]["endCursor"]) == (None, None)
    assert (page["pageInfo"]["hasNextPage"], page["pageInfo"]["hasPreviousPage"]) == (True, False)
