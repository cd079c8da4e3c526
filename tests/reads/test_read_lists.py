"""Root lists: default order, filters, orderings, ``totalCount`` and keyset pagination (api.md §3, §4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete

import models
from models import ActionTaken, CloseOutcome, Priority, TaskStatus
from models import OpportunityStatus as S
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.builders import (
    activity,
    campaign,
    close_code,
    closed,
    errors_of,
    insert,
    order,
    quote,
    task,
)
from tests.support.factories import company, cycle, entry, opportunity, person, salesperson

# root field: (filter input, order input, key field)
LISTS = {
    "salespeople": ("SalespersonFilter", "SalespersonOrder", "code"),
    "contacts": ("ContactFilter", "ContactOrder", "no"),
    "salesCycles": ("SalesCycleFilter", "SalesCycleOrder", "code"),
    "closeOpportunityCodes": ("CloseOpportunityCodeFilter", "CloseOpportunityCodeOrder", "code"),
    "activities": ("ActivityFilter", "ActivityOrder", "code"),
    "campaigns": ("CampaignFilter", "CampaignOrder", "no"),
    "opportunities": ("OpportunityFilter", "OpportunityOrder", "no"),
    "opportunityEntries": ("OpportunityEntryFilter", "OpportunityEntryOrder", "entryNo"),
    "tasks": ("TaskFilter", "TaskOrder", "no"),
    "salesQuotes": ("SalesDocumentFilter", "SalesDocumentOrder", "no"),
    "salesOrders": ("SalesDocumentFilter", "SalesDocumentOrder", "no"),
}


def list_query(field: str) -> str:
    filter_type, order_type, key = LISTS[field]
    return f"""query($f: {filter_type}, $o: [{order_type}!], $first: Int, $after: String, $last: Int,
      $before: String) {{ items: {field}(filter: $f, orderBy: $o, first: $first, after: $after, last: $last,
      before: $before) {{ totalCount nodes {{ {key} }} edges {{ cursor node {{ {key} }} }}
      pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"""


def variables(
    filter: dict[str, Any] | None, order_by: list[dict[str, str]] | None, **page: Any
) -> dict[str, Any]:
    return {"f": filter, "o": order_by, **page}


async def listed(
    gql: GraphQLClient,
    field: str,
    filter: dict[str, Any] | None = None,
    order_by: list[dict[str, str]] | None = None,
    **page: Any,
) -> dict[str, Any]:
    data = await gql.query(list_query(field), variables(filter, order_by, **page))
    items: dict[str, Any] = data["items"]
    return items


def keys(connection: dict[str, Any]) -> list[Any]:
    key = next(iter(connection["nodes"][0])) if connection["nodes"] else "no"
    return [node[key] for node in connection["nodes"]]


def day(d: int, month: int = 1) -> dt.date:
    return dt.date(2024, month, d)


async def given_a_catalog(sessions: SessionFactory) -> None:
    """A few rows of every entity, inserted out of key order."""
    c1, c2, p1, p2 = company("C1", "Acme"), company("C2", "Beta Corp"), person("P1", "C1"), person("P2", "C2")
    ops = [
        opportunity("OP03", c2, "SP1", "CYC2", campaign_no="CA2", creation_date=day(10),
                    priority=Priority.LOW, description="Gamma", **closed(S.WON, day(10, 2))),
        opportunity("OP01", c1, "SP1", "CYC1", campaign_no="CA1", creation_date=day(1),
                    priority=Priority.HIGH, description="Alpha 100% deal", status=S.IN_PROGRESS),
        opportunity("OP05", c1, "SP1", "CYC1", creation_date=day(20), priority=Priority.HIGH,
                    description="Delta betaXx 100 units"),
        opportunity("OP02", p1, "SP2", "CYC1", creation_date=day(5), description="beta_x",
                    status=S.IN_PROGRESS),
        opportunity("OP04", p2, None, "CYC1", creation_date=day(15), description="alphabet",
                    **closed(S.LOST, day(10, 3))),
    ]  # fmt: skip
    op3, op1, _, op2, op4 = ops
    entries = [
        entry(op1, 1, "100", entry_no=5, date_of_change=day(1), estimated_close_date=day(1, 2)),
        entry(op2, 1, "200", entry_no=3, active=False, date_of_change=day(5)),
        entry(op2, 2, "200", entry_no=6, action_taken=ActionTaken.NEXT, date_of_change=day(12),
              estimated_close_date=day(1, 3)),
        entry(op3, 1, "300", entry_no=1, active=False, date_of_change=day(10)),
        entry(op3, 0, "300", entry_no=4, action_taken=ActionTaken.WON, date_of_change=day(10, 2),
              date_closed=day(10, 2), close_opportunity_code="WON1", estimated_close_date=day(10, 2)),
        entry(op4, 0, "400", entry_no=2, action_taken=ActionTaken.LOST, date_of_change=day(10, 3),
              date_closed=day(10, 3), close_opportunity_code="LOST1", estimated_close_date=day(10, 3)),
    ]  # fmt: skip
    await insert(
        sessions,
        salesperson("SP3", "Bob Day", blocked=True), salesperson("SP1", "Zed Doe"),
        salesperson("SP2", "Ann Lee"),
        c2, c1, p2, p1, person("P3", None, "Person without company", salesperson_code="SP2"),
        models.SalesCycle(code="CYC2", description="Big deals", blocked=True),
        models.SalesCycle(code="CYC1", description="Standard"),
        close_code("WON2", CloseOutcome.WON, "Relationship"),
        close_code("LOST1", CloseOutcome.LOST, "Too expensive"),
        close_code("WON1", CloseOutcome.WON, "Best price"),
        *activity("ACT2", description="Demo"), *activity("ACT1", description="Call"),
        campaign("CA2", "SP1", activated=True, starting_date=day(1), ending_date=day(31),
                 description="Spring"),
        campaign("CA1", "SP2", description="Winter"),
        campaign("CA3", "SP1", activated=True, starting_date=day(1, 3), ending_date=day(31, 3),
                 description="Summer"),
        *ops, *entries,
        task("TD3", salesperson_code="SP1", contact_no="C1", opportunity_no="OP01", date=day(20),
             status=TaskStatus.COMPLETED, closed=True, description="Agenda"),
        task("TD1", salesperson_code="SP2", contact_no="P1", date=day(5), description="Call 100 times"),
        task("TD4", salesperson_code="SP2", date=day(25), closed=True, canceled=True, description="Visit"),
        task("TD2", salesperson_code="SP1", contact_no="C1", opportunity_no="OP01", date=day(10),
             status=TaskStatus.IN_PROGRESS, description="Send 100% offer"),
        *quote("SQ2", "C1", salesperson_code="SP1", document_date=day(15)),
        *quote("SQ1", "P1", salesperson_code="SP2", document_date=day(5)),
        *quote("SQ3", "C1", document_date=day(25)),
        *order("SO2", "C1", salesperson_code="SP1", document_date=day(15)),
        *order("SO1", "P1", salesperson_code="SP2", document_date=day(5)),
    )  # fmt: skip


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


OPPORTUNITY_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"status": ["IN_PROGRESS"]}, ["OP01", "OP02"]), ({"status": ["WON", "LOST"]}, ["OP03", "OP04"]),
    ({"status": ["NOT_STARTED"]}, ["OP05"]),
    ({"closed": True}, ["OP03", "OP04"]), ({"closed": False}, ["OP01", "OP02", "OP05"]),
    ({"salespersonCode": "sp1"}, ["OP01", "OP03", "OP05"]), ({"contactNo": "c1"}, ["OP01", "OP05"]),
    ({"contactCompanyNo": "c1"}, ["OP01", "OP02", "OP05"]), ({"campaignNo": "ca2"}, ["OP03"]),
    ({"salesCycleCode": "cyc2"}, ["OP03"]), ({"currentStage": 1}, ["OP01"]), ({"currentStage": 2}, ["OP02"]),
    ({"priority": ["HIGH", "LOW"]}, ["OP01", "OP03", "OP05"]),
    ({"creationDateFrom": "2024-01-05", "creationDateTo": "2024-01-15"}, ["OP02", "OP03", "OP04"]),
    ({"creationDateFrom": "2024-01-16"}, ["OP05"]),
    ({"estimatedClosingDateFrom": "2024-02-01", "estimatedClosingDateTo": "2024-03-01"},
     ["OP01", "OP02", "OP03"]),
    ({"estimatedClosingDateTo": "2024-02-05"}, ["OP01"]),
    ({"dateClosedFrom": "2024-03-01"}, ["OP04"]), ({"dateClosedTo": "2024-03-01"}, ["OP03"]),
    ({"search": "ALPHA"}, ["OP01", "OP04"]), ({"search": "100%"}, ["OP01"]), ({"search": "a_x"}, ["OP02"]),
    ({"search": ""}, ["OP01", "OP02", "OP03", "OP04", "OP05"]),
    ({"search": "   "}, ["OP01", "OP02", "OP03", "OP04", "OP05"]), ({"search": "  alpha "}, ["OP01", "OP04"]),
    ({"closed": False, "salespersonCode": "SP1", "priority": ["HIGH"]}, ["OP01", "OP05"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("filter", "expected"), OPPORTUNITY_FILTERS, ids=[str(f) for f, _ in OPPORTUNITY_FILTERS]
)
async def test_opportunity_filter_keeps_only_matching_rows(
    gql: GraphQLClient, sessions: SessionFactory, filter: dict[str, Any], expected: list[str]
) -> None:
    await given_a_catalog(sessions)

    connection = await listed(gql, "opportunities", filter)

    assert (keys(connection), connection["totalCount"]) == (expected, len(expected))


OTHER_FILTERS: list[tuple[str, dict[str, Any], list[Any]]] = [
    ("salespeople", {"blocked": True}, ["SP3"]),
    ("salespeople", {"blocked": False, "search": "ANN"}, ["SP2"]),
    ("contacts", {"type": "COMPANY"}, ["C1", "C2"]), ("contacts", {"type": "PERSON"}, ["P1", "P2", "P3"]),
    ("contacts", {"companyNo": "c1"}, ["C1", "P1"]), ("contacts", {"salespersonCode": "sp2"}, ["P3"]),
    ("contacts", {"search": "corp"}, ["C2"]),
    ("salesCycles", {"blocked": True}, ["CYC2"]), ("salesCycles", {"search": "STAND"}, ["CYC1"]),
    ("closeOpportunityCodes", {"type": "WON"}, ["WON1", "WON2"]),
    ("closeOpportunityCodes", {"search": "expensive"}, ["LOST1"]),
    ("activities", {"search": "dem"}, ["ACT2"]),
    ("campaigns", {"activated": True}, ["CA2", "CA3"]), ("campaigns", {"salespersonCode": "sp2"}, ["CA1"]),
    ("campaigns", {"activeOn": "2024-01-15"}, ["CA1", "CA2"]), ("campaigns", {"search": "SUM"}, ["CA3"]),
    ("opportunityEntries", {"opportunityNo": "op02"}, [3, 6]),
    ("opportunityEntries", {"active": False}, [1, 3]),
    ("opportunityEntries", {"actionTaken": ["WON", "LOST"]}, [2, 4]),
    ("opportunityEntries", {"salesCycleCode": "cyc2"}, [1, 4]),
    ("opportunityEntries", {"stage": 1}, [1, 3, 5]),
    ("opportunityEntries", {"salespersonCode": "sp2"}, [3, 6]),
    ("opportunityEntries", {"contactNo": "p2"}, [2]),
    ("opportunityEntries", {"closeOpportunityCode": "won1"}, [4]),
    ("opportunityEntries", {"dateOfChangeFrom": "2024-01-05", "dateOfChangeTo": "2024-01-12"}, [1, 3, 6]),
    ("tasks", {"status": ["IN_PROGRESS", "COMPLETED"]}, ["TD2", "TD3"]),
    ("tasks", {"closed": True}, ["TD3", "TD4"]),
    ("tasks", {"canceled": True}, ["TD4"]), ("tasks", {"salespersonCode": "sp2"}, ["TD1", "TD4"]),
    ("tasks", {"contactNo": "p1"}, ["TD1"]), ("tasks", {"opportunityNo": "op01"}, ["TD2", "TD3"]),
    ("tasks", {"dateFrom": "2024-01-10"}, ["TD2", "TD3", "TD4"]),
    ("tasks", {"dateTo": "2024-01-10"}, ["TD1", "TD2"]),
    ("tasks", {"search": "100%"}, ["TD2"]),
    ("salesQuotes", {"contactNo": "c1"}, ["SQ2", "SQ3"]),
    ("salesQuotes", {"salespersonCode": "sp2"}, ["SQ1"]),
    ("salesQuotes", {"documentDateFrom": "2024-01-10"}, ["SQ2", "SQ3"]),
    ("salesQuotes", {"documentDateTo": "2024-01-15"}, ["SQ1", "SQ2"]),
    ("salesOrders", {"contactNo": "p1"}, ["SO1"]), ("salesOrders", {"salespersonCode": "sp1"}, ["SO2"]),
    ("salesOrders", {"documentDateFrom": "2024-01-10", "documentDateTo": "2024-01-31"}, ["SO2"]),
]  # fmt: skip


@pytest.mark.parametrize("case", OTHER_FILTERS, ids=[f"{f}-{x}" for f, x, _ in OTHER_FILTERS])
async def test_list_filter_keeps_only_matching_rows(
    gql: GraphQLClient, sessions: SessionFactory, case: tuple[str, dict[str, Any], list[Any]]
) -> None:
    field, filter, expected = case
    await given_a_catalog(sessions)

    connection = await listed(gql, field, filter)

    assert (keys(connection), connection["totalCount"]) == (expected, len(expected))


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


async def given_opportunities(sessions: SessionFactory, *nos: str, created: dt.date | None = None) -> None:
    """Opportunities of contact C1 (created first when missing), inserted in the order given."""
    async with sessions() as session:
        has_contact = await session.get(models.Contact, "C1") is not None
    contact = company("C1")
    rows = [opportunity(no, contact, None, None, creation_date=created or day(1)) for no in nos]
    await insert(sessions, *([] if has_contact else [contact]), *rows)


def numbered(first: int, last: int) -> list[str]:
    return [f"OP{n:02}" for n in range(first, last + 1)]


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


async def test_first_zero_gives_an_empty_page_that_still_counts(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions, *numbered(1, 3))

    page = await listed(gql, "opportunities", first=0)

    assert (page["nodes"], page["edges"], page["totalCount"]) == ([], [], 3)
    assert (page["pageInfo"]["startCursor"], page["pageInfo"]["endCursor"]) == (None, None)
    assert (page["pageInfo"]["hasNextPage"], page["pageInfo"]["hasPreviousPage"]) == (True, False)


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
