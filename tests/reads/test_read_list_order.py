"""Root-list order: ascending natural key by default, each ``orderBy`` field in both directions, ties
broken by the key on every page (api.md §3, §4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from models import ActionTaken
from models import OpportunityStatus as S
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.reads.lists_helpers import day, given_a_catalog, keys, listed
from tests.support.builders import closed, insert
from tests.support.factories import company, cycle, entry, opportunity, salesperson

DEFAULT_ORDERS: dict[str, list[Any]] = {
    "salespeople": ["SP1", "SP2", "SP3"],
    "contacts": ["C1", "C2", "P1", "P2", "P3"],
    "salesCycles": ["CYC1", "CYC2"],
    "closeOpportunityCodes": ["LOST1", "WON1", "WON2"],
    "activities": ["ACT1", "ACT2"],
    "campaigns": ["CA1", "CA2", "CA3"],
    "opportunities": ["OP01", "OP02", "OP03", "OP04", "OP05"],
    "opportunityEntries": [1, 2, 3, 4, 5, 6],
    "tasks": ["TD1", "TD2", "TD3", "TD4"],
    "salesQuotes": ["SQ1", "SQ2", "SQ3"],
    "salesOrders": ["SO1", "SO2"],
}


@pytest.mark.parametrize("field", list(DEFAULT_ORDERS))
async def test_root_list_is_in_ascending_natural_key_order_by_default(
    gql: GraphQLClient, sessions: SessionFactory, field: str
) -> None:
    await given_a_catalog(sessions)

    connection = await listed(gql, field)

    assert keys(connection) == DEFAULT_ORDERS[field]
    assert connection["totalCount"] == len(DEFAULT_ORDERS[field])
    assert connection["pageInfo"]["hasNextPage"] is False


OTHER_ORDERS: list[tuple[str, dict[str, Any] | None, str, str, list[Any]]] = [
    ("salespeople", None, "NAME", "ASC", ["SP2", "SP3", "SP1"]),
    ("contacts", None, "NAME", "DESC", ["P3", "P2", "P1", "C2", "C1"]),
    ("salesCycles", None, "DESCRIPTION", "ASC", ["CYC2", "CYC1"]),
    ("closeOpportunityCodes", None, "DESCRIPTION", "DESC", ["LOST1", "WON2", "WON1"]),
    ("activities", None, "DESCRIPTION", "DESC", ["ACT2", "ACT1"]),
    ("campaigns", None, "DESCRIPTION", "ASC", ["CA2", "CA3", "CA1"]),
    ("campaigns", {"activated": True}, "STARTING_DATE", "DESC", ["CA3", "CA2"]),
    ("opportunityEntries", None, "DATE_OF_CHANGE", "DESC", [2, 4, 6, 1, 3, 5]),
    ("tasks", None, "DATE", "DESC", ["TD4", "TD3", "TD2", "TD1"]),
    ("tasks", None, "DESCRIPTION", "ASC", ["TD3", "TD1", "TD2", "TD4"]),
    ("salesQuotes", None, "DOCUMENT_DATE", "DESC", ["SQ3", "SQ2", "SQ1"]),
    ("salesOrders", None, "DOCUMENT_DATE", "DESC", ["SO2", "SO1"]),
]


@pytest.mark.parametrize("case", OTHER_ORDERS, ids=[f"{f}-{o}-{d}" for f, _, o, d, _ in OTHER_ORDERS])
async def test_list_order_by_field_and_direction(
    gql: GraphQLClient, sessions: SessionFactory, case: tuple[str, dict[str, Any] | None, str, str, list[Any]]
) -> None:
    field, filter, order_field, direction, expected = case
    await given_a_catalog(sessions)

    connection = await listed(gql, field, filter, [{"field": order_field, "direction": direction}])

    assert keys(connection) == expected


async def test_campaign_without_a_starting_date_sorts_first_by_starting_date(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_catalog(sessions)

    connection = await listed(gql, "campaigns", order_by=[{"field": "STARTING_DATE", "direction": "ASC"}])

    assert keys(connection) == ["CA1", "CA2", "CA3"]


async def given_opportunities_with_ties(sessions: SessionFactory) -> None:
    """Five opportunities whose sort values tie in pairs; OP4 is not started (sorts as 0 / earliest)."""
    c = company("C1")
    rows: list[Any] = [salesperson("SP1"), c, *cycle("CYC", stages=1)]
    # no, description, created, active entry's (value, calculated value, close date, probability), closed on
    table: list[tuple[str, str, dt.date, tuple[str, str, dt.date, str] | None, dt.date | None]] = [
        ("OP1", "b", day(3), ("500", "50", day(1, 2), "20"), None),
        ("OP2", "a", day(1), ("900", "10", day(15), "50"), day(20)),
        ("OP3", "b", day(3), ("500", "90", day(1, 2), "20"), day(25)),
        ("OP4", "c", day(2), None, None),
        ("OP5", "a", day(5), ("100", "50", day(1, 3), "5"), day(20)),
    ]
    for no, description, created, kpis, closed_on in table:
        status = S.IN_PROGRESS if kpis else S.NOT_STARTED
        state = closed(S.WON, closed_on) if closed_on else {"status": status}
        opp = opportunity(no, c, "SP1", "CYC", description=description, creation_date=created, **state)
        rows.append(opp)
        if kpis:
            value, calculated, close_date, probability = kpis
            won: dict[str, Any] = (
                {"action_taken": ActionTaken.WON, "date_closed": closed_on} if closed_on else {}
            )
            rows.append(
                entry(opp, 0 if closed_on else 1, value, calculated_current_value=Decimal(calculated),
                      estimated_close_date=close_date, probability_pct=Decimal(probability), **won)
            )  # fmt: skip
    await insert(sessions, *rows)


OPPORTUNITY_ORDERS = {  # field: (ascending, descending); ties are broken by NO ascending
    "NO": ("12345", "54321"),
    "DESCRIPTION": ("25134", "41325"),
    "CREATION_DATE": ("24135", "51342"),
    "ESTIMATED_VALUE": ("45132", "21354"),
    "CALCULATED_CURRENT_VALUE": ("42153", "31524"),
    "ESTIMATED_CLOSING_DATE": ("42135", "51324"),
    "PROBABILITY_PCT": ("45132", "21354"),
    "DATE_CLOSED": ("14253", "32514"),
}
ORDER_CASES = [
    (f, d, order)
    for f, pair in OPPORTUNITY_ORDERS.items()
    for d, order in zip(("ASC", "DESC"), pair, strict=True)
]


@pytest.mark.parametrize(
    ("field", "direction", "expected"), ORDER_CASES, ids=[f"{f}-{d}" for f, d, _ in ORDER_CASES]
)
async def test_opportunities_order_by_each_field_in_both_directions_with_ties_broken_by_no(
    gql: GraphQLClient, sessions: SessionFactory, field: str, direction: str, expected: str
) -> None:
    await given_opportunities_with_ties(sessions)
    order_by = [{"field": field, "direction": direction}]

    whole = await listed(gql, "opportunities", order_by=order_by)
    forwards: list[str] = []
    after = None
    for _ in range(3):
        page = await listed(gql, "opportunities", order_by=order_by, first=2, after=after)
        forwards += keys(page)
        after = page["pageInfo"]["endCursor"]
    backwards: list[str] = []
    before = None
    for _ in range(3):
        page = await listed(gql, "opportunities", order_by=order_by, last=2, before=before)
        backwards = keys(page) + backwards
        before = page["pageInfo"]["startCursor"]

    assert keys(whole) == [f"OP{n}" for n in expected]
    assert forwards == backwards == keys(whole)
