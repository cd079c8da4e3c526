"""The relation fields of an opportunity, read with exact values: its contact, company, salesperson,
cycle and campaign, its figures and current stage from the active entry, its entries and tasks, and
its sales document (api.md §5)."""

from __future__ import annotations

from typing import Any

from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.reads.relations_helpers import given_a_sales_world, page


async def opportunity_of(gql: GraphQLClient, no: str, selection: str) -> dict[str, Any]:
    data = await gql.query(f"query($no: String!) {{ opportunity(no: $no) {{ {selection} }} }}", {"no": no})
    result: dict[str, Any] = data["opportunity"]
    return result


async def test_opportunity_links_to_contact_company_salesperson_cycle_and_campaign(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_sales_world(sessions)
    selection = (
        "contact { no } contactCompany { no } salesperson { code name } salesCycle { code } campaign { no }"
    )

    op1, op2, op3 = [await opportunity_of(gql, no, selection) for no in ("OP1", "OP2", "OP3")]

    assert op1 == {
        "contact": {"no": "P1"}, "contactCompany": {"no": "C1"},
        "salesperson": {"code": "SP1", "name": "Ann Smith"},
        "salesCycle": {"code": "CYC"}, "campaign": {"no": "CA1"},
    }  # fmt: skip
    assert op2 == {
        "contact": {"no": "C1"}, "contactCompany": {"no": "C1"}, "salesperson": None, "salesCycle": None,
        "campaign": None,
    }  # fmt: skip
    assert op3["contact"] == {"no": "P3"}
    assert op3["contactCompany"] is None


KPIS = """status priority closed dateClosed creationDate version description estimatedValue
  calculatedCurrentValue probabilityPct chancesOfSuccessPct completedPct estimatedClosingDate"""


async def test_kpis_and_current_stage_of_a_started_opportunity_come_from_its_active_entry(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    entries = await given_a_sales_world(sessions)
    selection = (
        KPIS + " currentStage { salesCycleCode stage description } activeEntry { entryNo stageNo active }"
    )

    op1 = await opportunity_of(gql, "OP1", selection)

    assert op1 == {
        "status": "IN_PROGRESS", "priority": "HIGH", "closed": False, "dateClosed": None,
        "creationDate": "2024-01-10", "version": 1, "description": "Deal OP1",
        "estimatedValue": "1000.00", "calculatedCurrentValue": "212.50", "probabilityPct": "21.25",
        "chancesOfSuccessPct": "50", "completedPct": "42.5", "estimatedClosingDate": "2024-02-29",
        "currentStage": {"salesCycleCode": "CYC", "stage": 2, "description": "Stage 2"},
        "activeEntry": {"entryNo": entries["e2"], "stageNo": 2, "active": True},
    }  # fmt: skip


async def test_not_started_opportunity_has_zero_kpis_and_no_stage_or_entries(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_sales_world(sessions)

    op2 = await opportunity_of(
        gql,
        "OP2",
        KPIS + " currentStage { stage } activeEntry { entryNo } entries { totalCount nodes { entryNo } }",
    )

    assert op2 == {
        "status": "NOT_STARTED", "priority": "NORMAL", "closed": False, "dateClosed": None,
        "creationDate": "2024-01-10", "version": 1, "description": "Deal OP2",
        "estimatedValue": "0.00", "calculatedCurrentValue": "0.00", "probabilityPct": "0",
        "chancesOfSuccessPct": "0", "completedPct": "0", "estimatedClosingDate": None,
        "currentStage": None, "activeEntry": None, "entries": {"totalCount": 0, "nodes": []},
    }  # fmt: skip


async def test_closed_opportunity_has_no_current_stage_but_its_closing_entry_is_active(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    entries = await given_a_sales_world(sessions)

    op3 = await opportunity_of(
        gql,
        "OP3",
        "status closed dateClosed estimatedValue currentStage { stage }"
        " activeEntry { entryNo stageNo actionTaken closeOpportunityCode { code type } }",
    )

    assert op3 == {
        "status": "WON", "closed": True, "dateClosed": "2024-01-20", "estimatedValue": "500.00",
        "currentStage": None,
        "activeEntry": {
            "entryNo": entries["e4"], "stageNo": 0, "actionTaken": "WON",
            "closeOpportunityCode": {"code": "WON1", "type": "WON"},
        },
    }  # fmt: skip


async def test_opportunity_entries_and_tasks_are_in_ascending_key_order(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    entries = await given_a_sales_world(sessions)
    selection = "entries { totalCount nodes { entryNo } } tasks { totalCount nodes { no } }"

    op1, op3 = await opportunity_of(gql, "OP1", selection), await opportunity_of(gql, "OP3", selection)

    assert op1 == {"entries": page(entries["e1"], entries["e2"], key="entryNo"), "tasks": page("TD1")}
    assert op3 == {"entries": page(entries["e3"], entries["e4"], key="entryNo"), "tasks": page("TD3")}


DOCUMENT = """salesDocument { __typename
  ... on SalesQuote { no amount lines { amount } }
  ... on SalesOrder { no quoteNo amount lines { amount } } }"""


async def test_sales_document_is_the_linked_quote_or_order(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_sales_world(sessions)

    op1, op2, op3 = [await opportunity_of(gql, no, DOCUMENT) for no in ("OP1", "OP2", "OP3")]

    assert op1["salesDocument"] == {
        "__typename": "SalesQuote", "no": "SQ1", "amount": "110.12",
        "lines": [{"amount": "20.00"}, {"amount": "89.99"}, {"amount": "0.13"}],
    }  # fmt: skip
    assert op2["salesDocument"] is None
    assert op3["salesDocument"] == {
        "__typename": "SalesOrder", "no": "SO1", "quoteNo": "SQ0", "amount": "25.99",
        "lines": [{"amount": "25.00"}, {"amount": "0.99"}],
    }  # fmt: skip
