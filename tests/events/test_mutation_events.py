"""Every mutation that changes an opportunity writes exactly its event, in its own transaction
(api.md §7.6); a refused mutation and a dry run write none. One event per opportunity per
mutation: a create that activates the first stage is CREATED (with its entry), a quote turned
into an order closes the opportunity and is CLOSED."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models.event import OpportunityEvent
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.sales_documents import LINES, given_the_world

Event = tuple[str, str, str | None, int | None]

ERRORS = "userErrors { code field }"
CREATE = f"""mutation($input: CreateOpportunityInput!) {{ createOpportunity(input: $input) {{
  opportunity {{ no }} entry {{ entryNo }} {ERRORS} }} }}"""
UPDATE = (
    f"""mutation($input: UpdateOpportunityInput!) {{ updateOpportunity(input: $input) {{ {ERRORS} }} }}"""
)
DELETE = (
    f"""mutation($input: DeleteOpportunityInput!) {{ deleteOpportunity(input: $input) {{ {ERRORS} }} }}"""
)
DELETE_CLOSED = f"""mutation($input: DeleteClosedOpportunitiesInput!) {{
  deleteClosedOpportunities(input: $input) {{ deletedIds {ERRORS} }} }}"""
ACTIVATE = f"""mutation($input: ActivateFirstStageInput!) {{ activateFirstStage(input: $input) {{
  entry {{ entryNo }} {ERRORS} }} }}"""
STAGE = f"""mutation($input: UpdateOpportunityStageInput!) {{ updateOpportunityStage(input: $input) {{
  entry {{ entryNo }} {ERRORS} }} }}"""
CLOSE = f"""mutation($input: CloseOpportunityInput!) {{ closeOpportunity(input: $input) {{
  entry {{ entryNo }} {ERRORS} }} }}"""
CREATE_QUOTE = (
    f"""mutation($input: CreateSalesQuoteInput!) {{ createSalesQuote(input: $input) {{ {ERRORS} }} }}"""
)
MAKE_ORDER = f"""mutation($input: MakeOrderFromQuoteInput!) {{ makeOrderFromQuote(input: $input) {{
  opportunity {{ activeEntry {{ entryNo }} }} {ERRORS} }} }}"""
CREATE_SALESPERSON = f"""mutation($input: CreateSalespersonInput!) {{
  createSalesperson(input: $input) {{ {ERRORS} }} }}"""

NEW = {"description": "New deal", "contactNo": "C", "salespersonCode": "S", "salesCycleCode": "NEW"}


async def events(sessions: SessionFactory) -> list[Event]:
    async with sessions() as session:
        rows = await session.execute(
            select(
                OpportunityEvent.type,
                OpportunityEvent.opportunity_no,
                OpportunityEvent.salesperson_code,
                OpportunityEvent.entry_no,
            ).order_by(OpportunityEvent.id)
        )
        return [(t.value, no, code, entry) for t, no, code, entry in rows]


async def run(gql: GraphQLClient, document: str, **input: Any) -> dict[str, Any]:
    data = await gql.query(document, {"input": input})
    payload: dict[str, Any] = next(iter(data.values()))
    return payload


async def ok(gql: GraphQLClient, document: str, **input: Any) -> dict[str, Any]:
    payload = await run(gql, document, **input)
    assert payload["userErrors"] == []
    return payload


@pytest.fixture
async def world(sessions: SessionFactory) -> None:
    """``given_the_world``: O in progress (S), N not started (S), W won (S); and no event yet."""
    await given_the_world(sessions)
    assert await events(sessions) == []


@pytest.mark.usefixtures("world")
async def test_a_create_is_created(gql: GraphQLClient, sessions: SessionFactory) -> None:
    created = await ok(gql, CREATE, **NEW)

    assert await events(sessions) == [("CREATED", created["opportunity"]["no"], "S", None)]


@pytest.mark.usefixtures("world")
async def test_a_create_that_activates_is_one_created_event_with_its_entry(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    created = await ok(
        gql,
        CREATE,
        **NEW,
        creationDate="2024-01-10",
        activateFirstStage=True,
        estimatedValue="100",
        chancesOfSuccessPct="50",
        estimatedClosingDate="2024-03-01",
    )

    no, entry = created["opportunity"]["no"], created["entry"]["entryNo"]
    assert await events(sessions) == [("CREATED", no, "S", entry)]


@pytest.mark.usefixtures("world")
async def test_an_update_is_updated_and_scoped_to_the_new_salesperson(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await ok(gql, UPDATE, no="O", description="Renamed")
    await ok(gql, UPDATE, no="O", salespersonCode="S2")

    assert await events(sessions) == [("UPDATED", "O", "S", None), ("UPDATED", "O", "S2", None)]


@pytest.mark.usefixtures("world")
async def test_activating_and_moving_are_stage_changes_with_their_entries(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    activated = await ok(gql, ACTIVATE, no="N", dateOfChange="2024-01-10")
    moved = await ok(gql, STAGE, no="O", action="NEXT", dateOfChange="2024-01-20")

    assert await events(sessions) == [
        ("STAGE_CHANGED", "N", "S", activated["entry"]["entryNo"]),
        ("STAGE_CHANGED", "O", "S", moved["entry"]["entryNo"]),
    ]


@pytest.mark.usefixtures("world")
async def test_a_close_is_closed_with_its_entry(gql: GraphQLClient, sessions: SessionFactory) -> None:
    closed = await ok(
        gql,
        CLOSE,
        no="O",
        outcome="WON",
        closeOpportunityCode="WON1",
        closingDate="2024-02-01",
        salesValue="1000",
    )

    assert await events(sessions) == [("CLOSED", "O", "S", closed["entry"]["entryNo"])]


@pytest.mark.usefixtures("world")
async def test_deletions_are_deleted_and_keep_the_salesperson(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await ok(gql, DELETE, no="N")
    deleted = await ok(gql, DELETE_CLOSED, nos=["W"])

    assert len(deleted["deletedIds"]) == 1
    assert await events(sessions) == [("DELETED", "N", "S", None), ("DELETED", "W", "S", None)]


@pytest.mark.usefixtures("world")
async def test_a_quote_for_an_opportunity_updates_it_and_an_order_from_it_closes_it(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    lines = [{"description": f"Item {n}", "quantity": q, "unitPrice": p} for n, (q, p, _) in enumerate(LINES)]
    await ok(gql, CREATE_QUOTE, opportunityNo="O", lines=lines)
    order = await ok(gql, MAKE_ORDER, quoteNo="SQ000001", closingDate="2024-02-01")

    entry = order["opportunity"]["activeEntry"]["entryNo"]
    assert await events(sessions) == [("UPDATED", "O", "S", None), ("CLOSED", "O", "S", entry)]


@pytest.mark.usefixtures("world")
async def test_a_refused_mutation_writes_no_event(gql: GraphQLClient, sessions: SessionFactory) -> None:
    refused = await run(gql, UPDATE, no="W", description="Too late")
    refused_close = await run(gql, CLOSE, no="O", outcome="WON", closeOpportunityCode="LOST1")

    assert [e["code"] for e in refused["userErrors"]] == ["OPPORTUNITY_CLOSED"]
    assert refused_close["userErrors"] != []
    assert await events(sessions) == []


@pytest.mark.usefixtures("world")
async def test_a_dry_run_writes_no_event(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await ok(gql, STAGE, no="O", action="NEXT", dateOfChange="2024-01-20", dryRun=True)
    await ok(
        gql,
        CLOSE,
        no="O",
        outcome="WON",
        closeOpportunityCode="WON1",
        closingDate="2024-02-01",
        salesValue="1000",
        dryRun=True,
    )

    assert await events(sessions) == []


@pytest.mark.usefixtures("world")
async def test_a_mutation_that_changes_no_opportunity_writes_no_event(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await ok(gql, CREATE_SALESPERSON, code="S3", name="Third")

    assert await events(sessions) == []
