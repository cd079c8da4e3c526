"""A SALESPERSON writes quotes and orders on its own opportunities only (api.md §7.1).

A quote belongs to the salesperson of the opportunity it is linked to, else to its own
salesperson. Another salesperson's opportunity or quote is NOT_FOUND, in the words a missing one
gets; quoting for another salesperson's contact is FORBIDDEN; either way nothing is written.
"""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.session import SessionFactory
from tests.support.scoping import (
    ERRORS,
    MANAGER,
    SP1,
    given_two_salespeople,
    ok,
    refusal,
    run_as,
    tables,
)

LINES = [{"description": "Item", "quantity": "1", "unitPrice": "10"}]
CREATE_QUOTE = f"""mutation($input: CreateSalesQuoteInput!) {{ createSalesQuote(input: $input) {{
  salesQuote {{ no salesperson {{ code }} }} opportunity {{ no }} {ERRORS} }} }}"""
ASSIGN = f"""mutation($input: AssignSalesQuoteInput!) {{ assignSalesQuote(input: $input) {{
  opportunity {{ no }} {ERRORS} }} }}"""
UNASSIGN = f"""mutation($input: UnassignSalesDocumentInput!) {{ unassignSalesDocument(input: $input) {{
  opportunity {{ no }} {ERRORS} }} }}"""
MAKE_ORDER = f"""mutation($input: MakeOrderFromQuoteInput!) {{ makeOrderFromQuote(input: $input) {{
  salesOrder {{ no }} {ERRORS} }} }}"""
DELETE_QUOTE = f"""mutation($input: DeleteSalesQuoteInput!) {{ deleteSalesQuote(input: $input) {{
  deletedId {ERRORS} }} }}"""

Refusal = tuple[str, list[str] | None, str]

#: (document, input, the refusal SP1 gets) for every sales-document mutation on SP2's rows.
THEIRS: list[tuple[str, dict[str, Any], Refusal]] = [
    (
        CREATE_QUOTE,
        {"opportunityNo": "O2", "lines": LINES},
        ("NOT_FOUND", ["opportunityNo"], "Opportunity O2 does not exist."),
    ),
    (
        ASSIGN,
        {"opportunityNo": "O2", "quoteNo": "Q2"},
        ("NOT_FOUND", ["opportunityNo"], "Opportunity O2 does not exist."),
    ),
    (
        ASSIGN,
        {"opportunityNo": "O1", "quoteNo": "QC2"},
        ("NOT_FOUND", ["quoteNo"], "Sales quote QC2 does not exist."),
    ),
    (
        UNASSIGN,
        {"opportunityNo": "O2"},
        ("NOT_FOUND", ["opportunityNo"], "Opportunity O2 does not exist."),
    ),
    (
        MAKE_ORDER,
        {"quoteNo": "L2", "closeOpportunityCode": "WON1"},
        ("NOT_FOUND", ["quoteNo"], "Sales quote L2 does not exist."),
    ),
    (MAKE_ORDER, {"quoteNo": "Q2"}, ("NOT_FOUND", ["quoteNo"], "Sales quote Q2 does not exist.")),
    (DELETE_QUOTE, {"no": "L2"}, ("NOT_FOUND", ["no"], "Sales quote L2 does not exist.")),
    (DELETE_QUOTE, {"no": "Q2"}, ("NOT_FOUND", ["no"], "Sales quote Q2 does not exist.")),
]
THEIR_IDS = [
    "quote-their-opportunity",
    "assign-to-their-opportunity",
    "assign-their-quote",
    "unassign-theirs",
    "order-from-their-linked-quote",
    "order-from-their-quote",
    "delete-their-linked-quote",
    "delete-their-quote",
]


@pytest.fixture
async def world(sessions: SessionFactory) -> SessionFactory:
    await given_two_salespeople(sessions)
    return sessions


@pytest.mark.parametrize(("document", "input", "expected"), THEIRS, ids=THEIR_IDS)
async def test_another_salespersons_document_or_opportunity_is_not_found_and_nothing_is_written(
    world: SessionFactory, document: str, input: dict[str, Any], expected: Refusal
) -> None:
    before = await tables(world)

    payload = await run_as(SP1, world, document, **input)

    assert refusal(payload) == [expected]
    assert await tables(world) == before


@pytest.mark.parametrize(("document", "input", "expected"), THEIRS, ids=THEIR_IDS)
async def test_a_manager_is_refused_none_of_them_for_whose_they_are(
    world: SessionFactory, document: str, input: dict[str, Any], expected: Refusal
) -> None:
    del expected

    payload = await run_as(MANAGER, world, document, **input)

    # Some break a rule of their own (O2 already holds a quote); none is about whose rows they are.
    assert {code for code, _, _ in refusal(payload)} <= {"QUOTE_ALREADY_ASSIGNED"}


async def test_a_salesperson_quotes_its_own_opportunity(world: SessionFactory) -> None:
    payload = ok(await run_as(SP1, world, CREATE_QUOTE, opportunityNo="O1", lines=LINES))

    assert payload["opportunity"] == {"no": "O1"}
    assert payload["salesQuote"]["salesperson"] == {"code": "SP1"}


async def test_a_salesperson_quotes_its_own_contact(world: SessionFactory) -> None:
    payload = ok(await run_as(SP1, world, CREATE_QUOTE, contactNo="C", lines=LINES))

    assert payload["salesQuote"]["salesperson"] == {"code": "SP1"}


async def test_quoting_another_salespersons_contact_is_forbidden(world: SessionFactory) -> None:
    before = await tables(world)

    payload = await run_as(SP1, world, CREATE_QUOTE, contactNo="D", lines=LINES)

    assert [(code, field) for code, field, _ in refusal(payload)] == [("FORBIDDEN", ["contactNo"])]
    assert await tables(world) == before


async def test_a_salesperson_links_unlinks_orders_and_deletes_its_own_quotes(world: SessionFactory) -> None:
    ok(await run_as(SP1, world, ASSIGN, opportunityNo="O1", quoteNo="Q1"))
    ok(await run_as(SP1, world, UNASSIGN, opportunityNo="O1"))
    ok(await run_as(SP1, world, ASSIGN, opportunityNo="O1", quoteNo="Q1"))
    order = ok(await run_as(SP1, world, MAKE_ORDER, quoteNo="Q1", closeOpportunityCode="WON1"))
    quote = ok(await run_as(SP1, world, CREATE_QUOTE, contactNo="C", lines=LINES))
    ok(await run_as(SP1, world, DELETE_QUOTE, no=quote["salesQuote"]["no"]))

    rows = await tables(world)
    assert [row[0] for row in rows["sales_order"]] == [order["salesOrder"]["no"]]
    assert [row[0] for row in rows["sales_quote"]] == ["L2", "Q2", "QC2"]
