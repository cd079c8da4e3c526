"""makeOrderFromQuote and deleteSalesQuote through GraphQL (domain.md §5.4, §5.5; api.md §6)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

import models
from models import CloseOutcome, OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support.sales_documents import (
    ASSIGN,
    DELETE_QUOTE,
    LINES,
    LINES_AMOUNT,
    MAKE_ORDER,
    READ_OPPORTUNITY,
    READ_QUOTE,
    closed_opportunity,
    count,
    errors,
    given_the_world,
    ok,
    opportunity_row,
    payload,
    snapshot,
)

ORDER_LINES = [
    {
        "lineNo": 10000 * i,
        "description": f"Item {i}",
        "quantity": qty,
        "unitPrice": price,
        "lineDiscountPct": discount,
        "amount": amount,
    }
    for i, (qty, price, discount, amount) in enumerate(
        [
            ("2.0000", "100.0000", "10", "180.00"),
            ("3.0000", "19.9900", "15", "50.97"),
            ("2.5000", "10.0100", "0", "25.03"),
        ],
        start=1,
    )
]


async def given_a_quote_on_o(sessions: SessionFactory, *rows: Any) -> None:
    """Quote SQ1 (C, salesperson S, the three lines) linked to the in-progress opportunity O."""
    await given_the_world(sessions, *b.quote("SQ1", "C", *LINES, salesperson_code="S"), *rows)
    async with sessions() as s, s.begin():
        opp = await s.get(models.Opportunity, "O")
        assert opp is not None
        opp.sales_quote_no = "SQ1"


async def make_order(gql: GraphQLClient, **fields: Any) -> dict[str, Any]:
    return await gql.query(MAKE_ORDER, {"input": fields})


# --- makeOrderFromQuote --------------------------------------------------------------------------


async def test_making_an_order_wins_the_opportunity_and_moves_it_to_the_order(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_quote_on_o(sessions)
    before = await snapshot(sessions)

    data = await make_order(gql, quoteNo="sq1", closingDate="2024-02-01")

    result = ok(data, "makeOrderFromQuote")
    assert result["salesOrder"] == {
        "no": "SO000001",
        "quoteNo": "SQ1",
        "documentDate": "2024-02-01",
        "amount": LINES_AMOUNT,
        "contact": {"no": "C"},
        "salesperson": {"code": "S"},
        "opportunity": {"no": "O"},
        "lines": ORDER_LINES,
    }
    opp = result["opportunity"]
    assert (opp["no"], opp["status"], opp["closed"], opp["dateClosed"]) == ("O", "WON", True, "2024-02-01")
    assert opp["salesDocument"] == {
        "__typename": "SalesOrder",
        "no": "SO000001",
        "amount": LINES_AMOUNT,
        "quoteNo": "SQ1",
    }
    assert opp["activeEntry"] == {
        "entryNo": before.entries + 1,
        "actionTaken": "WON",
        "dateOfChange": "2024-02-01",
        "calculatedCurrentValue": LINES_AMOUNT,
        "closeOpportunityCode": {"code": "WON1"},
    }
    assert opp["calculatedCurrentValue"] == LINES_AMOUNT
    assert opp["tasks"]["nodes"] == [{"no": "T1", "closed": True, "canceled": True}]
    # The quote and its lines are gone; nothing else moved but O.
    assert (await gql.query(READ_QUOTE, {"no": "SQ1"}))["salesQuote"] is None
    after = await snapshot(sessions)
    assert after == replace(
        before,
        quotes=[],
        quote_lines=0,
        orders=["SO000001"],
        order_series=before.order_series + 1,
        opportunities=[
            (no, OpportunityStatus.WON, after_version(after, no), None, "SO000001")
            if no == "O"
            else (no, status, version, quote, order)
            for no, status, version, quote, order in before.opportunities
        ],
        entries=before.entries + 1,
        open_tasks=before.open_tasks - 1,
    )
    assert after_version(after, "O") == after_version(before, "O") + 1  # one mutation, one version


def after_version(snap: Any, no: str) -> int:
    return next(int(version) for n, _, version, _, _ in snap.opportunities if n == no)


async def test_without_a_close_code_two_won_codes_make_it_required_and_nothing_is_written(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_quote_on_o(sessions, b.close_code("WON2", CloseOutcome.WON))
    before = await snapshot(sessions)

    data = await make_order(gql, quoteNo="SQ1", closingDate="2024-02-01")

    assert errors(data, "makeOrderFromQuote") == [("REQUIRED", ["closeOpportunityCode"])]
    result = payload(data, "makeOrderFromQuote")
    assert (result["salesOrder"], result["opportunity"]) == (None, None)
    assert await snapshot(sessions) == before
    opp = (await gql.query(READ_OPPORTUNITY, {"no": "O"}))["opportunity"]
    assert (opp["status"], opp["salesDocument"]["no"]) == ("IN_PROGRESS", "SQ1")
    #  Naming one of them works.
    data = await make_order(gql, quoteNo="SQ1", closeOpportunityCode="won2", closingDate="2024-02-01")
    assert ok(data, "makeOrderFromQuote")["opportunity"]["activeEntry"]["closeOpportunityCode"] == {
        "code": "WON2"
    }


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        pytest.param(
            {"closeOpportunityCode": "LOST1"},
            "CLOSE_CODE_TYPE_MISMATCH",
            "closeOpportunityCode",
            id="lost-code",
        ),
        pytest.param(
            {"closeOpportunityCode": "NOPE"}, "NOT_FOUND", "closeOpportunityCode", id="unknown-code"
        ),
        pytest.param(
            {"closingDate": "2024-01-09"}, "DATE_BEFORE_LAST_CHANGE", "closingDate", id="early-date"
        ),
    ],
)
async def test_a_refused_won_close_refuses_the_order(
    gql: GraphQLClient, sessions: SessionFactory, fields: dict[str, str], code: str, field: str
) -> None:
    await given_a_quote_on_o(sessions)
    before = await snapshot(sessions)

    data = await make_order(gql, **{"quoteNo": "SQ1", "closingDate": "2024-02-01", **fields})

    assert errors(data, "makeOrderFromQuote") == [(code, [field])]
    assert payload(data, "makeOrderFromQuote")["salesOrder"] is None
    assert await snapshot(sessions) == before


async def test_making_an_order_from_a_zero_quote_is_refused_by_the_won_close(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(sessions, *b.quote("SQ0", "C", ("3", "0", "0")))
    async with sessions() as s, s.begin():
        opp = await s.get(models.Opportunity, "O")
        assert opp is not None
        opp.sales_quote_no = "SQ0"
    before = await snapshot(sessions)

    data = await make_order(gql, quoteNo="SQ0", closingDate="2024-02-01")

    assert errors(data, "makeOrderFromQuote") == [("MUST_BE_POSITIVE", ["quoteNo"])]
    assert await snapshot(sessions) == before


async def test_an_order_from_the_quote_of_a_won_opportunity_takes_its_place(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    """Won earlier with the quote linked: no new entry, the document link moves to the order."""
    await given_the_world(
        sessions,
        *b.quote("SQW", "C", ("2", "30", "0")),
        *closed_opportunity("WQ", OpportunityStatus.WON, sales_quote_no="SQW"),
    )
    before = await snapshot(sessions)

    data = await make_order(gql, quoteNo="SQW", closingDate="2024-02-01")

    opp = ok(data, "makeOrderFromQuote")["opportunity"]
    assert (opp["no"], opp["status"], opp["calculatedCurrentValue"]) == ("WQ", "WON", "60.00")
    assert opp["salesDocument"] == {
        "__typename": "SalesOrder",
        "no": "SO000001",
        "amount": "60.00",
        "quoteNo": "SQW",
    }
    assert opp["activeEntry"]["actionTaken"] == "WON"
    after = await snapshot(sessions)
    assert (after.entries, after.quotes, after.orders) == (before.entries, [], ["SO000001"])


async def test_an_order_from_a_quote_without_opportunity_is_just_the_order(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(sessions, *b.quote("SQD", "D", ("4", "25", "50")))
    before = await snapshot(sessions)

    data = await make_order(gql, quoteNo="SQD", closingDate="2024-02-01")

    result = ok(data, "makeOrderFromQuote")
    order = result["salesOrder"]
    assert (order["no"], order["quoteNo"], order["contact"], order["amount"], order["opportunity"]) == (
        "SO000001",
        "SQD",
        {"no": "D"},
        "50.00",
        None,
    )
    assert result["opportunity"] is None
    after = await snapshot(sessions)
    assert after == replace(
        before, quotes=[], quote_lines=0, orders=["SO000001"], order_series=before.order_series + 1
    )


async def test_an_order_from_the_quote_of_a_lost_opportunity_clears_its_link(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(
        sessions,
        *b.quote("SQL", "C", ("1", "10", "0")),
        *closed_opportunity("L", OpportunityStatus.LOST, sales_quote_no="SQL"),
    )
    before = await snapshot(sessions)

    data = await make_order(gql, quoteNo="SQL", closingDate="2024-02-01")

    result = ok(data, "makeOrderFromQuote")
    assert (result["salesOrder"]["no"], result["salesOrder"]["opportunity"]) == ("SO000001", None)
    lost = await opportunity_row(sessions, "L")
    assert (lost.status, lost.sales_quote_no, lost.sales_order_no) == (OpportunityStatus.LOST, None, None)
    after = await snapshot(sessions)
    assert (after.entries, after.quotes, after.orders) == (before.entries, [], ["SO000001"])


async def test_making_an_order_from_an_unknown_quote_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(sessions)
    before = await snapshot(sessions)

    data = await make_order(gql, quoteNo="NOPE")

    assert errors(data, "makeOrderFromQuote") == [("NOT_FOUND", ["quoteNo"])]
    assert await snapshot(sessions) == before


# --- deleteSalesQuote ----------------------------------------------------------------------------


async def test_deleting_a_linked_quote_clears_the_link_without_an_entry(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_quote_on_o(sessions)
    quote_id = (await gql.query(READ_QUOTE, {"no": "SQ1"}))["salesQuote"]["id"]
    before = await snapshot(sessions)

    data = await gql.query(DELETE_QUOTE, {"input": {"no": "sq1"}})

    assert ok(data, "deleteSalesQuote")["deletedId"] == quote_id
    assert (await gql.query(READ_QUOTE, {"no": "SQ1"}))["salesQuote"] is None
    opp = (await gql.query(READ_OPPORTUNITY, {"no": "O"}))["opportunity"]
    assert (opp["status"], opp["salesDocument"]) == ("IN_PROGRESS", None)
    after = await snapshot(sessions)
    assert after == replace(
        before,
        quotes=[],
        quote_lines=0,
        opportunities=[
            (no, status, version + 1, None, order) if no == "O" else (no, status, version, quote, order)
            for no, status, version, quote, order in before.opportunities
        ],
    )
    async with sessions() as s:
        assert await count(s, models.SalesQuoteLine, models.SalesQuoteLine.quote_no == "SQ1") == 0


async def test_deleting_a_free_quote_touches_no_opportunity(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(sessions, *b.quote("SQD", "D", ("1", "10", "0")))
    before = await snapshot(sessions)

    data = await gql.query(DELETE_QUOTE, {"input": {"no": "SQD"}})

    assert ok(data, "deleteSalesQuote")["deletedId"] is not None
    assert await snapshot(sessions) == replace(before, quotes=[], quote_lines=0)


async def test_deleting_an_unknown_quote_is_not_found(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_the_world(sessions)
    before = await snapshot(sessions)

    data = await gql.query(DELETE_QUOTE, {"input": {"no": "NOPE"}})

    assert errors(data, "deleteSalesQuote") == [("NOT_FOUND", ["no"])]
    assert payload(data, "deleteSalesQuote")["deletedId"] is None
    assert await snapshot(sessions) == before


async def test_a_quote_made_through_the_api_can_be_assigned_after_deleting_the_old_one(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_quote_on_o(sessions, *b.quote("SQ2", "C", ("1", "10", "0")))
    ok(await gql.query(DELETE_QUOTE, {"input": {"no": "SQ1"}}), "deleteSalesQuote")

    data = await gql.query(ASSIGN, {"input": {"opportunityNo": "O", "quoteNo": "SQ2"}})

    assert ok(data, "assignSalesQuote")["opportunity"]["salesDocument"]["no"] == "SQ2"
