"""createSalesQuote through GraphQL (domain.md §5.1, §11.12, §11.13, §11.16; api.md §6)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

import models
from models import OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support.sales_documents import (
    CLOSE_DATE,
    CREATE_QUOTE,
    LINES,
    LINES_AMOUNT,
    closed_opportunity,
    errors,
    given_the_world,
    in_progress,
    line_input,
    ok,
    payload,
    snapshot,
)

LINE_INPUTS = [line_input(*line, description=f"Item {i}") for i, line in enumerate(LINES, start=1)]


async def create(gql: GraphQLClient, **fields: Any) -> dict[str, Any]:
    lines = fields.pop("lines", LINE_INPUTS)
    return await gql.query(CREATE_QUOTE, {"input": {"lines": lines, **fields}})


async def test_a_quote_for_an_opportunity_is_numbered_filled_from_it_and_linked(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(sessions)

    data = await create(gql, opportunityNo="O", documentDate="2024-01-20")

    result = ok(data, "createSalesQuote")
    assert result["salesQuote"] == {
        "no": "SQ000001",
        "documentDate": "2024-01-20",
        "orderDate": CLOSE_DATE,
        "shipmentDate": CLOSE_DATE,
        "amount": LINES_AMOUNT,
        "contact": {"no": "C"},
        "salesperson": {"code": "S"},
        "opportunity": {"no": "O"},
        "lines": [
            {
                "lineNo": 1,
                "description": "Item 1",
                "quantity": "2.0000",
                "unitPrice": "100.0000",
                "lineDiscountPct": "10",
                "amount": "180.00",
            },
            {
                "lineNo": 2,
                "description": "Item 2",
                "quantity": "3.0000",
                "unitPrice": "19.9900",
                "lineDiscountPct": "15",
                "amount": "50.97",
            },
            {
                "lineNo": 3,
                "description": "Item 3",
                "quantity": "2.5000",
                "unitPrice": "10.0100",
                "lineDiscountPct": "0",
                "amount": "25.03",
            },
        ],
    }
    opp = result["opportunity"]
    assert (opp["no"], opp["status"], opp["version"]) == ("O", "IN_PROGRESS", 2)
    assert opp["salesDocument"] == {"__typename": "SalesQuote", "no": "SQ000001", "amount": LINES_AMOUNT}
    async with sessions() as s:
        quote = await s.get(models.SalesQuote, "SQ000001")
        assert quote is not None
        assert (quote.contact_no, quote.salesperson_code, quote.campaign_no) == ("C", "S", "K")
        opportunity = await s.get(models.Opportunity, "O")
        assert opportunity is not None
        assert (opportunity.sales_quote_no, opportunity.sales_order_no) == ("SQ000001", None)
    after = await snapshot(sessions)
    assert (after.quote_series, after.entries) == (2, 2)


async def test_the_next_quote_takes_the_next_number(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_the_world(sessions)
    ok(await create(gql, contactNo="D"), "createSalesQuote")

    data = await create(gql, opportunityNo="O")

    assert ok(data, "createSalesQuote")["salesQuote"]["no"] == "SQ000002"


async def test_a_quote_for_a_contact_takes_the_contacts_salesperson_and_links_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(sessions)
    before = await snapshot(sessions)

    data = await create(gql, contactNo="c", documentDate="2024-01-20", lines=[line_input("1", "0", "0")])

    result = ok(data, "createSalesQuote")
    quote = result["salesQuote"]
    assert (quote["no"], quote["contact"], quote["salesperson"], quote["opportunity"]) == (
        "SQ000001",
        {"no": "C"},
        {"code": "S2"},
        None,
    )
    assert (quote["orderDate"], quote["shipmentDate"], quote["amount"]) == (None, None, "0.00")
    assert result["opportunity"] is None
    after = await snapshot(sessions)
    assert after.opportunities == before.opportunities
    async with sessions() as s:
        assert await s.scalar(select(models.SalesQuote.campaign_no)) is None


@pytest.mark.parametrize(
    "target",
    [
        pytest.param({"opportunityNo": "O", "contactNo": "C"}, id="both"),
        pytest.param({}, id="neither"),
    ],
)
async def test_a_quote_needs_exactly_one_of_opportunity_and_contact(
    gql: GraphQLClient, sessions: SessionFactory, target: dict[str, str]
) -> None:
    await given_the_world(sessions)
    before = await snapshot(sessions)

    data = await create(gql, **target)

    assert errors(data, "createSalesQuote") == [("INVALID", ["opportunityNo"])]
    assert payload(data, "createSalesQuote")["salesQuote"] is None
    assert await snapshot(sessions) == before


@pytest.mark.parametrize(
    ("opportunity_no", "code"),
    [
        pytest.param("N", "OPPORTUNITY_NOT_STARTED", id="not-started"),
        pytest.param("W", "OPPORTUNITY_CLOSED", id="won"),
        pytest.param("L", "OPPORTUNITY_CLOSED", id="lost"),
        pytest.param("Q", "QUOTE_ALREADY_ASSIGNED", id="has-a-quote"),
        pytest.param("NOPE", "NOT_FOUND", id="unknown"),
    ],
)
async def test_a_quote_is_created_only_for_an_in_progress_opportunity_without_one(
    gql: GraphQLClient, sessions: SessionFactory, opportunity_no: str, code: str
) -> None:
    await given_the_world(
        sessions,
        *closed_opportunity("L", OpportunityStatus.LOST),
        *b.quote("SQ-OLD", "C", ("1", "10", "0")),
        *in_progress("Q", sales_quote_no="SQ-OLD"),
    )
    before = await snapshot(sessions)

    data = await create(gql, opportunityNo=opportunity_no)

    assert errors(data, "createSalesQuote") == [(code, ["opportunityNo"])]
    result = payload(data, "createSalesQuote")
    assert (result["salesQuote"], result["opportunity"]) == (None, None)
    assert await snapshot(sessions) == before


async def test_a_quote_for_an_unknown_contact_is_refused(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(sessions)
    before = await snapshot(sessions)

    data = await create(gql, contactNo="NOPE")

    assert errors(data, "createSalesQuote") == [("NOT_FOUND", ["contactNo"])]
    assert await snapshot(sessions) == before


@pytest.mark.parametrize(
    ("line", "code", "field"),
    [
        pytest.param(line_input("-1", "10", "0"), "INVALID", "quantity", id="negative-quantity"),
        pytest.param(line_input("1", "-0.01", "0"), "INVALID", "unitPrice", id="negative-price"),
        pytest.param(line_input("1", "10", "101"), "INVALID", "lineDiscountPct", id="discount-over-100"),
        pytest.param(line_input("1", "10", "-1"), "INVALID", "lineDiscountPct", id="negative-discount"),
        pytest.param(line_input("1", "10", "0", "x" * 101), "TOO_LONG", "description", id="long-text"),
    ],
)
async def test_a_bad_line_is_refused_with_its_path(
    gql: GraphQLClient, sessions: SessionFactory, line: dict[str, str], code: str, field: str
) -> None:
    await given_the_world(sessions)
    before = await snapshot(sessions)

    data = await create(gql, opportunityNo="O", lines=[LINE_INPUTS[0], line])

    assert errors(data, "createSalesQuote") == [(code, ["lines", "1", field])]
    assert payload(data, "createSalesQuote")["salesQuote"] is None
    assert await snapshot(sessions) == before


async def test_every_bad_line_is_reported(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_the_world(sessions)
    before = await snapshot(sessions)

    data = await create(gql, contactNo="C", lines=[line_input("-1", "-1", "101")])

    assert errors(data, "createSalesQuote") == [
        ("INVALID", ["lines", "0", "quantity"]),
        ("INVALID", ["lines", "0", "unitPrice"]),
        ("INVALID", ["lines", "0", "lineDiscountPct"]),
    ]
    assert await snapshot(sessions) == before


async def test_a_description_of_100_characters_and_100_lines_are_accepted(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(sessions)

    data = await create(gql, opportunityNo="O", lines=[line_input("1", "1", "0", "x" * 100)] * 100)

    quote = ok(data, "createSalesQuote")["salesQuote"]
    assert (len(quote["lines"]), quote["lines"][-1]["lineNo"], quote["amount"]) == (100, 100, "100.00")
    assert quote["lines"][0]["description"] == "x" * 100


async def test_more_than_100_lines_are_refused(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_the_world(sessions)
    before = await snapshot(sessions)

    data = await create(gql, opportunityNo="O", lines=[line_input("1", "1", "0")] * 101)

    assert errors(data, "createSalesQuote") == [("INVALID", ["lines"])]
    assert await snapshot(sessions) == before


async def test_a_refused_quote_leaves_no_gap_in_the_numbers(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(sessions)
    before = await snapshot(sessions)
    await create(gql, opportunityNo="N")

    data = await create(gql, opportunityNo="O")

    assert ok(data, "createSalesQuote")["salesQuote"]["no"] == "SQ000001"
    after = await snapshot(sessions)
    assert after == replace(
        before,
        quotes=["SQ000001"],
        quote_lines=3,
        quote_series=before.quote_series + 1,
        opportunities=[
            (no, status, version + 1, "SQ000001", order) if no == "O" else (no, status, version, quote, order)
            for no, status, version, quote, order in before.opportunities
        ],
    )


@pytest.mark.own_database  # the two requests must overlap in real parallel transactions
async def test_two_concurrent_quotes_for_one_opportunity_link_only_one(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(sessions)

    first, second = await asyncio.gather(create(gql, opportunityNo="O"), create(gql, opportunityNo="O"))

    outcomes = sorted([errors(first, "createSalesQuote"), errors(second, "createSalesQuote")])
    assert outcomes == [[], [("QUOTE_ALREADY_ASSIGNED", ["opportunityNo"])]]
    after = await snapshot(sessions)
    assert (after.quotes, after.quote_series) == (["SQ000001"], 2)
    assert [row for row in after.opportunities if row[0] == "O"] == [
        ("O", OpportunityStatus.IN_PROGRESS, 2, "SQ000001", None)
    ]
