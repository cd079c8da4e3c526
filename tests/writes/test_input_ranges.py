"""Codes refuse control, bidi and zero-width characters; texts refuse C0 controls but keep any other
Unicode; every stored date lies in 1900-01-01 … 2999-12-31, also one a date formula computes;
``MUST_BE_POSITIVE`` judges the value as stored (api.md §7.2, issue 10 items 4, 11, 13). Each refusal
writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from models import OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f
from tests.support.hygiene import fingerprint
from tests.support.lifecycle_api import ACTIVE_DAY, given_cycles, given_opportunity

Errors = list[tuple[str, list[str] | None]]


async def mutate(gql: GraphQLClient, mutation: str, **input: Any) -> Errors:
    """Run ``mutation`` with ``input``; its userErrors as (code, field)."""
    type_name = mutation[0].upper() + mutation[1:] + "Input"
    document = (
        f"mutation($input: {type_name}!) {{ {mutation}(input: $input) {{ userErrors {{ code field }} }} }}"
    )
    data = await gql.query(document, {"input": input})
    return [(e["code"], e["field"]) for e in data[mutation]["userErrors"]]


async def refused(gql: GraphQLClient, sessions: SessionFactory, mutation: str, **input: Any) -> Errors:
    """The userErrors of a mutation that must write nothing."""
    before = await fingerprint(sessions)
    errors = await mutate(gql, mutation, **input)
    assert errors, f"{mutation} was accepted"
    assert await fingerprint(sessions) == before
    return errors


# --- characters in codes and texts ----------------------------------------------------------------

CODE_CHARACTERS = [
    "\u202eABC\u200b",  # the example: right-to-left override, zero-width space
    "A\u200bB",
    "A\u200fB",
    "A\u202aB",
    "A\u2066B",
    "A\u2069B",
    "A\u2060B",
    "\ufeffAB",
    "A\u0007B",
    "A\tB",
    "A\u0085B",  # a C1 control
    "A\u00adB",  # soft hyphen, also a format character
]


@pytest.mark.parametrize("code", CODE_CHARACTERS, ids=ascii)
async def test_a_code_with_a_control_bidi_or_zero_width_character_is_invalid(
    gql: GraphQLClient, sessions: SessionFactory, code: str
) -> None:
    assert await refused(gql, sessions, "createSalesperson", code=code, name="N") == [("INVALID", ["code"])]


@pytest.mark.parametrize(
    ("mutation", "input", "field"),
    [
        ("createContact", {"type": "COMPANY", "name": "N", "no": "C\u200b"}, "no"),
        ("createContact", {"type": "COMPANY", "name": "N", "salespersonCode": "S\u202e"}, "salespersonCode"),
        ("createCloseOpportunityCode", {"code": "W\u2066", "type": "WON", "description": "D"}, "code"),
        ("createActivity", {"code": "\ufeffA", "description": "D"}, "code"),
        ("createSalesCycle", {"code": "CY\u200d", "description": "D"}, "code"),
        ("createCampaign", {"description": "D", "no": "K\u2060"}, "no"),
        ("updateSetup", {"defaultSalespersonCode": "S\u200e"}, "defaultSalespersonCode"),
        ("updateSetup", {"currencyCode": "EU\u200bR"}, "currencyCode"),
    ],
)
async def test_every_kind_of_code_refuses_invisible_characters(
    gql: GraphQLClient, sessions: SessionFactory, mutation: str, input: dict[str, Any], field: str
) -> None:
    assert await refused(gql, sessions, mutation, **input) == [("INVALID", [field])]


@pytest.mark.parametrize("name", ["Tab\there", "Line\nbreak", "CR\r\nLF"], ids=ascii)
async def test_a_text_may_hold_tabs_and_line_breaks(gql: GraphQLClient, name: str) -> None:
    assert await mutate(gql, "createSalesperson", code="SP", name=name) == []


@pytest.mark.parametrize("name", ["A\u0001B", "A\u001bB", "A\u007fB", "A\u009bB"], ids=ascii)
async def test_a_text_refuses_other_control_characters(
    gql: GraphQLClient, sessions: SessionFactory, name: str
) -> None:
    assert await refused(gql, sessions, "createSalesperson", code="SP", name=name) == [("INVALID", ["name"])]


async def test_a_text_keeps_any_other_unicode_including_bidi_marks_and_joiners(gql: GraphQLClient) -> None:
    name = "\u0645\u0631\u062d\u0628\u0627\u200f \U0001f468\u200d\U0001f469 Z\u00fcrich"

    assert await mutate(gql, "createSalesperson", code="SP", name=name) == []
    data = await gql.query('{ salesperson(code: "SP") { name } }')
    assert data["salesperson"]["name"] == name


# --- dates ------------------------------------------------------------------------------------------

OUTSIDE = ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"]


@pytest.mark.parametrize("day", OUTSIDE)
async def test_an_opportunity_is_refused_a_creation_or_closing_date_outside_the_range(
    gql: GraphQLClient, sessions: SessionFactory, day: str
) -> None:
    await given_cycles(sessions)
    base = {"description": "D", "contactNo": "C", "salespersonCode": "S", "salesCycleCode": "CYC"}

    created = await refused(gql, sessions, "createOpportunity", **base, creationDate=day)
    activated = await refused(
        gql,
        sessions,
        "createOpportunity",
        **base,
        creationDate="2024-01-10",
        activateFirstStage=True,
        estimatedValue="100",
        chancesOfSuccessPct="50",
        estimatedClosingDate=day,
    )

    assert created == [("INVALID", ["creationDate"])]
    assert ("INVALID", ["estimatedClosingDate"]) in activated


@pytest.mark.parametrize("day", OUTSIDE)
async def test_lifecycle_dates_outside_the_range_are_invalid(
    gql: GraphQLClient, sessions: SessionFactory, day: str
) -> None:
    # Issue 10 item 4: a closing date and an estimated close date of 9999-12-31 were accepted.
    await given_cycles(sessions)
    await given_opportunity(sessions, "O")
    await given_opportunity(sessions, "N", stage=None)
    stage = {"no": "O", "action": "UPDATE"}

    assert await refused(gql, sessions, "updateOpportunityStage", **stage, estimatedCloseDate=day) == [
        ("INVALID", ["estimatedCloseDate"])
    ]
    moved = await refused(gql, sessions, "updateOpportunityStage", **stage, dateOfChange=day)
    assert ("INVALID", ["dateOfChange"]) in moved
    closed = await refused(
        gql,
        sessions,
        "closeOpportunity",
        no="O",
        outcome="LOST",
        closeOpportunityCode="LOST1",
        closingDate=day,
    )
    assert ("INVALID", ["closingDate"]) in closed
    assert ("INVALID", ["dateOfChange"]) in await refused(
        gql, sessions, "activateFirstStage", no="N", dateOfChange=day
    )


async def test_a_date_formula_pushing_the_close_date_past_2999_is_invalid(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    # CYC's stage 1 proposes the close date one week (1W) after the date of change.
    await given_cycles(sessions)
    await given_opportunity(sessions, "N", stage=None)

    errors = await refused(gql, sessions, "activateFirstStage", no="N", dateOfChange="2999-12-28")

    assert errors == [("INVALID", ["estimatedCloseDate"])]
    assert await mutate(gql, "activateFirstStage", no="N", dateOfChange="2999-12-24") == []


async def test_the_last_day_of_the_range_is_accepted_for_the_lifecycle(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycles(sessions)
    await given_opportunity(sessions, "O")

    assert (
        await mutate(gql, "updateOpportunityStage", no="O", action="UPDATE", estimatedCloseDate="2999-12-31")
        == []
    )
    assert (
        await mutate(
            gql,
            "closeOpportunity",
            no="O",
            outcome="LOST",
            closeOpportunityCode="LOST1",
            closingDate="2999-12-31",
        )
        == []
    )


@pytest.mark.parametrize("day", OUTSIDE)
async def test_campaign_quote_order_and_task_dates_outside_the_range_are_invalid(
    gql: GraphQLClient, sessions: SessionFactory, day: str
) -> None:
    await b.insert(sessions, f.company("C"), *b.quote("Q1", "C", ("1", "10", "0")))
    await b.insert(sessions, b.task("T1", contact_no="C"))

    assert await refused(gql, sessions, "createCampaign", description="D", startingDate=day) == [
        ("INVALID", ["startingDate"])
    ]
    assert await refused(gql, sessions, "createCampaign", description="D", endingDate=day) == [
        ("INVALID", ["endingDate"])
    ]
    quote = {
        "contactNo": "C",
        "documentDate": day,
        "lines": [{"description": "L", "quantity": "1", "unitPrice": "1"}],
    }
    assert await refused(gql, sessions, "createSalesQuote", **quote) == [("INVALID", ["documentDate"])]
    assert await refused(gql, sessions, "makeOrderFromQuote", quoteNo="Q1", closingDate=day) == [
        ("INVALID", ["closingDate"])
    ]
    assert await refused(gql, sessions, "updateTask", no="T1", date=day) == [("INVALID", ["date"])]


async def test_a_campaign_may_run_over_the_whole_range(gql: GraphQLClient) -> None:
    errors = await mutate(
        gql, "createCampaign", description="D", startingDate="1900-01-01", endingDate="2999-12-31"
    )

    assert errors == []


# --- positive as stored -----------------------------------------------------------------------------


async def test_an_estimated_value_that_rounds_to_zero_is_not_positive(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    # Issue 10 item 11: "0.004" was accepted and stored as 0.00.
    await given_cycles(sessions)
    await given_opportunity(sessions, "O")
    base = {"description": "D", "contactNo": "C", "salespersonCode": "S", "salesCycleCode": "CYC"}
    activation = {
        "activateFirstStage": True,
        "creationDate": "2024-01-10",
        "chancesOfSuccessPct": "50",
        "estimatedClosingDate": "2024-02-01",
    }

    created = await refused(gql, sessions, "createOpportunity", **base, **activation, estimatedValue="0.004")
    moved = await refused(
        gql, sessions, "updateOpportunityStage", no="O", action="UPDATE", estimatedValue="0.004"
    )
    chances = await refused(
        gql,
        sessions,
        "createOpportunity",
        **base,
        **{**activation, "estimatedValue": "1", "chancesOfSuccessPct": "0.00004"},
    )

    assert created == [("MUST_BE_POSITIVE", ["estimatedValue"])]
    assert moved == [("MUST_BE_POSITIVE", ["estimatedValue"])]
    assert chances == [("MUST_BE_POSITIVE", ["chancesOfSuccessPct"])]
    assert await mutate(gql, "updateOpportunityStage", no="O", action="UPDATE", estimatedValue="0.005") == []


async def test_a_won_sales_value_that_rounds_to_zero_is_not_positive(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycles(sessions)
    await given_opportunity(sessions, "O")
    won = {"no": "O", "outcome": "WON", "closeOpportunityCode": "WON1"}

    assert await refused(gql, sessions, "closeOpportunity", **won, salesValue="0.004") == [
        ("MUST_BE_POSITIVE", ["salesValue"])
    ]
    assert await mutate(gql, "closeOpportunity", **won, salesValue="0.005") == []
    data = await gql.query('{ opportunity(no: "O") { status calculatedCurrentValue } }')
    assert data["opportunity"] == {"status": OpportunityStatus.WON.value, "calculatedCurrentValue": "0.01"}


async def test_the_entries_keep_the_range_after_the_refusals(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycles(sessions)
    await given_opportunity(sessions, "O", on=ACTIVE_DAY)

    await mutate(gql, "updateOpportunityStage", no="O", action="UPDATE", estimatedCloseDate="9999-12-31")

    data = await gql.query('{ opportunity(no: "O") { estimatedClosingDate } }')
    assert data["opportunity"]["estimatedClosingDate"] != dt.date(9999, 12, 31).isoformat()
