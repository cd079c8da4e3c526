"""assignSalesQuote / unassignSalesDocument, and what a linked quote does to the lifecycle
(domain.md §3.2, §5.3, §11.4; api.md §6)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from models import OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support.sales_documents import (
    ASSIGN,
    CLOSE,
    LINES,
    LINES_AMOUNT,
    READ_QUOTE,
    STAGE,
    UNASSIGN,
    closed_opportunity,
    errors,
    given_the_world,
    in_progress,
    ok,
    payload,
    snapshot,
)


async def given_quotes(sessions: SessionFactory) -> None:
    """Quotes SQ1 (C, the three lines), SQ2 (C, on opportunity O2), SQ3 (C), SQD (contact D)."""
    await given_the_world(
        sessions,
        *b.quote("SQ1", "C", *LINES, salesperson_code="S"),
        *b.quote("SQ2", "C", ("1", "50", "0")),
        *b.quote("SQ3", "C", ("1", "70", "0")),
        *b.quote("SQD", "D", ("1", "10", "0")),
        *in_progress("O2", sales_quote_no="SQ2"),
    )


# --- assignSalesQuote ----------------------------------------------------------------------------


async def test_assigning_a_quote_of_the_same_contact_links_it(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_quotes(sessions)

    data = await gql.query(ASSIGN, {"input": {"opportunityNo": "o", "quoteNo": "sq1"}})

    opp = ok(data, "assignSalesQuote")["opportunity"]
    assert (opp["no"], opp["version"]) == ("O", 2)
    assert opp["salesDocument"] == {"__typename": "SalesQuote", "no": "SQ1", "amount": LINES_AMOUNT}
    quote = (await gql.query(READ_QUOTE, {"no": "SQ1"}))["salesQuote"]
    assert quote["opportunity"] == {"no": "O"}


async def test_assigning_the_same_quote_again_changes_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_quotes(sessions)
    ok(await gql.query(ASSIGN, {"input": {"opportunityNo": "O", "quoteNo": "SQ1"}}), "assignSalesQuote")
    before = await snapshot(sessions)

    data = await gql.query(ASSIGN, {"input": {"opportunityNo": "O", "quoteNo": "SQ1"}})

    opp = ok(data, "assignSalesQuote")["opportunity"]
    assert (opp["version"], opp["salesDocument"]["no"]) == (2, "SQ1")
    assert await snapshot(sessions) == before


@pytest.mark.parametrize(
    ("opportunity_no", "quote_no", "code", "field"),
    [
        pytest.param("O", "SQ2", "QUOTE_ALREADY_ASSIGNED", ["quoteNo"], id="quote-on-another-opportunity"),
        pytest.param("O2", "SQ1", "QUOTE_ALREADY_ASSIGNED", ["opportunityNo"], id="opportunity-has-a-quote"),
        pytest.param("O", "SQD", "INVALID", ["quoteNo"], id="quote-of-another-contact"),
        pytest.param("O", "NOPE", "NOT_FOUND", ["quoteNo"], id="unknown-quote"),
        pytest.param("NOPE", "SQ1", "NOT_FOUND", ["opportunityNo"], id="unknown-opportunity"),
        pytest.param("N", "SQ1", "OPPORTUNITY_NOT_STARTED", ["opportunityNo"], id="not-started"),
        pytest.param("W", "SQ1", "OPPORTUNITY_CLOSED", ["opportunityNo"], id="won"),
    ],
)
async def test_a_refused_assignment_writes_nothing(
    gql: GraphQLClient,
    sessions: SessionFactory,
    opportunity_no: str,
    quote_no: str,
    code: str,
    field: list[str],
) -> None:
    await given_quotes(sessions)
    before = await snapshot(sessions)

    data = await gql.query(ASSIGN, {"input": {"opportunityNo": opportunity_no, "quoteNo": quote_no}})

    assert errors(data, "assignSalesQuote") == [(code, field)]
    assert payload(data, "assignSalesQuote")["opportunity"] is None
    assert await snapshot(sessions) == before


# --- unassignSalesDocument -----------------------------------------------------------------------


async def test_unassigning_clears_the_link_and_keeps_the_quote(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_quotes(sessions)
    before = await snapshot(sessions)

    data = await gql.query(UNASSIGN, {"input": {"opportunityNo": "O2"}})

    opp = ok(data, "unassignSalesDocument")["opportunity"]
    assert (opp["no"], opp["version"], opp["salesDocument"]) == ("O2", 2, None)
    quote = (await gql.query(READ_QUOTE, {"no": "SQ2"}))["salesQuote"]
    assert (quote["no"], quote["opportunity"], len(quote["lines"])) == ("SQ2", None, 1)
    after = await snapshot(sessions)
    assert (after.quotes, after.quote_lines, after.entries) == (
        before.quotes,
        before.quote_lines,
        before.entries,
    )
    #  The quote is free again: another opportunity of the contact can take it.
    data = await gql.query(ASSIGN, {"input": {"opportunityNo": "O", "quoteNo": "SQ2"}})
    assert ok(data, "assignSalesQuote")["opportunity"]["salesDocument"]["no"] == "SQ2"


async def test_unassigning_without_a_document_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_quotes(sessions)
    before = await snapshot(sessions)

    data = await gql.query(UNASSIGN, {"input": {"opportunityNo": "O"}})

    assert errors(data, "unassignSalesDocument") == [("NOT_FOUND", ["opportunityNo"])]
    assert payload(data, "unassignSalesDocument")["opportunity"] is None
    assert await snapshot(sessions) == before


async def test_unassigning_on_a_closed_opportunity_is_refused(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(
        sessions,
        *b.quote("SQL", "C", ("1", "10", "0")),
        *closed_opportunity("L", OpportunityStatus.LOST, sales_quote_no="SQL"),
    )
    before = await snapshot(sessions)

    data = await gql.query(UNASSIGN, {"input": {"opportunityNo": "L"}})

    assert errors(data, "unassignSalesDocument") == [("OPPORTUNITY_CLOSED", ["opportunityNo"])]
    assert await snapshot(sessions) == before


# --- the linked quote in the lifecycle -----------------------------------------------------------


async def test_winning_with_a_linked_quote_takes_the_quotes_amount_over_the_sales_value(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_quotes(sessions)
    ok(await gql.query(ASSIGN, {"input": {"opportunityNo": "O", "quoteNo": "SQ1"}}), "assignSalesQuote")

    data = await gql.query(
        CLOSE,
        {
            "input": {
                "no": "O",
                "outcome": "WON",
                "closeOpportunityCode": "WON1",
                "closingDate": "2024-02-01",
                "salesValue": "9999",
            }
        },
    )

    result = ok(data, "closeOpportunity")
    assert result["entry"] == {
        "actionTaken": "WON",
        "estimatedValue": "1000.00",
        "calculatedCurrentValue": LINES_AMOUNT,
    }
    opp = result["opportunity"]
    assert (opp["status"], opp["calculatedCurrentValue"], opp["version"]) == ("WON", LINES_AMOUNT, 3)
    assert opp["salesDocument"] == {"__typename": "SalesQuote", "no": "SQ1", "amount": LINES_AMOUNT}


async def test_winning_with_a_linked_quote_of_amount_zero_is_refused(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(
        sessions,
        *b.quote("SQ0", "C", ("5", "0", "0"), ("1", "10", "100")),
        *in_progress("O0", sales_quote_no="SQ0"),
    )
    before = await snapshot(sessions)

    data = await gql.query(
        CLOSE,
        {
            "input": {
                "no": "O0",
                "outcome": "WON",
                "closeOpportunityCode": "WON1",
                "closingDate": "2024-02-01",
                "salesValue": "100",
            }
        },
    )

    assert errors(data, "closeOpportunity") == [("MUST_BE_POSITIVE", ["salesValue"])]
    assert payload(data, "closeOpportunity")["opportunity"] is None
    assert await snapshot(sessions) == before


async def test_losing_with_a_linked_quote_values_it_at_zero(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_quotes(sessions)

    data = await gql.query(
        CLOSE,
        {
            "input": {
                "no": "O2",
                "outcome": "LOST",
                "closeOpportunityCode": "LOST1",
                "closingDate": "2024-02-01",
            }
        },
    )

    result = ok(data, "closeOpportunity")
    assert (result["entry"]["actionTaken"], result["entry"]["calculatedCurrentValue"]) == ("LOST", "0.00")


async def test_a_stage_update_defaults_the_estimated_value_to_the_linked_quotes_amount(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_quotes(sessions)
    ok(await gql.query(ASSIGN, {"input": {"opportunityNo": "O", "quoteNo": "SQ1"}}), "assignSalesQuote")
    before = await snapshot(sessions)

    data = await gql.query(STAGE, {"input": {"no": "O", "action": "NEXT", "dateOfChange": "2024-01-20"}})

    result = ok(data, "updateOpportunityStage")
    assert result["entry"] == {"actionTaken": "NEXT", "stageNo": 2, "estimatedValue": LINES_AMOUNT}
    assert result["opportunity"]["version"] == 3
    assert await snapshot(sessions) == replace(
        before,
        entries=before.entries + 1,
        opportunities=[
            (no, status, version + 1, quote, order) if no == "O" else (no, status, version, quote, order)
            for no, status, version, quote, order in before.opportunities
        ],
    )
    #  UPDATE in the same stage defaults to the quote's amount too (O2's active entry says 1000).
    data = await gql.query(STAGE, {"input": {"no": "O2", "action": "UPDATE", "dateOfChange": "2024-01-20"}})
    assert ok(data, "updateOpportunityStage")["entry"] == {
        "actionTaken": "UPDATED",
        "stageNo": 1,
        "estimatedValue": "50.00",
    }
    #  An entered value still wins over the default.
    data = await gql.query(
        STAGE,
        {"input": {"no": "O", "action": "UPDATE", "dateOfChange": "2024-01-21", "estimatedValue": "700"}},
    )
    assert ok(data, "updateOpportunityStage")["entry"]["estimatedValue"] == "700.00"
