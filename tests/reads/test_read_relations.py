"""Every relation field of every type, read with exact values (api.md §5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import models
from models import ActionTaken, CloseOutcome, OpportunityStatus, Priority
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.builders import activity, campaign, close_code, closed, insert, order, quote, stage, task
from tests.support.factories import DAY, company, entry, opportunity, person, salesperson

WON_ON = dt.date(2024, 1, 20)


async def given_a_sales_world(sessions: SessionFactory) -> dict[str, int]:
    """Two salespeople, a company with persons, a cycle, three opportunities in three states.

    OP1 is in progress at stage 2 with a quote, OP2 is not started, OP3 was won with an order.
    Returns the entry numbers by name.
    """
    c1, p3 = company("C1", salesperson_code="SP1"), person("P3", None)
    p1 = person("P1", "C1", salesperson_code="SP2")
    op1 = opportunity(
        "OP1", p1, "SP1", "CYC", campaign_no="CA1", sales_quote_no="SQ1",
        status=OpportunityStatus.IN_PROGRESS, priority=Priority.HIGH,
    )  # fmt: skip
    op2 = opportunity("OP2", c1, None, None)
    op3 = opportunity("OP3", p3, "SP2", "CYC", sales_order_no="SO1", **closed(OpportunityStatus.WON, WON_ON))
    e1 = entry(op1, 1, "800", active=False, days_open=5)
    e2 = entry(
        op1, 2, "1000", action_taken=ActionTaken.NEXT, previous_sales_cycle_stage=1,
        date_of_change=DAY + dt.timedelta(days=5), completed_pct=Decimal("42.5"),
        probability_pct=Decimal("21.25"), calculated_current_value=Decimal("212.50"),
        estimated_close_date=dt.date(2024, 2, 29),
    )  # fmt: skip
    e3 = entry(op3, 3, "500", active=False)
    e4 = entry(
        op3, 0, "500", action_taken=ActionTaken.WON, previous_sales_cycle_stage=3,
        date_closed=WON_ON, close_opportunity_code="WON1",
    )  # fmt: skip
    await insert(
        sessions,
        salesperson("SP1", "Ann Smith", job_title="Account manager", commission_pct=Decimal("2.5")),
        salesperson("SP2"),
        c1, p1, person("P2", "C1"), p3,
        *activity("ACT", (2, "Send offer"), (1, "Call")),
        models.SalesCycle(code="CYC", description="Standard"),
        stage("CYC", 3, quote_required=True),
        stage("CYC", 1, date_formula="1W"),
        stage("CYC", 2, activity_code="ACT", allow_skip=True),
        close_code("WON1", CloseOutcome.WON, "Best price"),
        close_code("LOST1", CloseOutcome.LOST),
        campaign("CA1", "SP2", activated=True, starting_date=DAY, ending_date=dt.date(2024, 12, 31)),
        *quote("SQ1", "P1", ("2", "10", "0"), ("3", "33.33", "10"), ("1", "0.125", "0"),
               salesperson_code="SP1"),
        *quote("SQ2", "P2"),
        *order("SO1", "C1", ("4", "12.5", "50"), ("1", "0.99", "0"), quote_no="SQ0", salesperson_code="SP2"),
        op1, op2, op3, e1, e2, e3, e4,
    )  # fmt: skip
    await insert(
        sessions,
        task("TD1", salesperson_code="SP1", contact_no="P1", opportunity_no="OP1",
             opportunity_entry_no=e2.entry_no),
        task("TD2", salesperson_code="SP1", closed=True),
        task("TD3", salesperson_code="SP2", opportunity_no="OP3"),
    )  # fmt: skip
    return {"e1": e1.entry_no, "e2": e2.entry_no, "e3": e3.entry_no, "e4": e4.entry_no}


async def opportunity_of(gql: GraphQLClient, no: str, selection: str) -> dict[str, Any]:
    data = await gql.query(f"query($no: String!) {{ opportunity(no: $no) {{ {selection} }} }}", {"no": no})
    result: dict[str, Any] = data["opportunity"]
    return result


def page(*keys: object, key: str = "no") -> dict[str, Any]:
    """The expected ``totalCount`` and ``nodes`` of a connection."""
    return {"totalCount": len(keys), "nodes": [{key: k} for k in keys]}


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


async def test_contact_links_to_company_salesperson_persons_and_opportunities(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_sales_world(sessions)
    query = """{ c1: contact(no: "C1") { ...C } p1: contact(no: "P1") { ...C }
      p3: contact(no: "P3") { ...C } }
      fragment C on Contact { companyNo company { no } salesperson { code }
        persons { totalCount nodes { no } } opportunities { totalCount nodes { no } } }"""

    data = await gql.query(query)

    def contact(company: str | None, sp: str | None, persons: list[str], opps: list[str]) -> dict[str, Any]:
        return {
            "companyNo": company, "company": company and {"no": company}, "salesperson": sp and {"code": sp},
            "persons": page(*persons), "opportunities": page(*opps),
        }  # fmt: skip

    assert data == {
        "c1": contact("C1", "SP1", ["P1", "P2"], ["OP2"]),
        "p1": contact("C1", "SP2", [], ["OP1"]),
        "p3": contact(None, None, [], ["OP3"]),
    }


async def test_salesperson_lists_its_opportunities_and_tasks(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_sales_world(sessions)

    data = await gql.query(
        """{ salespeople { nodes { code jobTitle commissionPct
             opportunities { totalCount nodes { no } } tasks { totalCount nodes { no } } } } }"""
    )

    assert data["salespeople"]["nodes"] == [
        {"code": "SP1", "jobTitle": "Account manager", "commissionPct": "2.5", "opportunities": page("OP1"),
         "tasks": page("TD1", "TD2")},
        {"code": "SP2", "jobTitle": "", "commissionPct": "0", "opportunities": page("OP3"),
         "tasks": page("TD3")},
    ]  # fmt: skip


async def test_sales_cycle_stages_are_in_ascending_order_whatever_the_insert_order(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_sales_world(sessions)

    data = await gql.query(
        """{ salesCycle(code: "CYC") { code description probabilityCalculation blocked
             opportunities { totalCount nodes { no } }
             stages { salesCycleCode stage description completedPct chancesOfSuccessPct quoteRequired
                      allowSkip dateFormula salesCycle { code } activity { code } } } }"""
    )

    def stage_of(no: int, completed: str, **kw: Any) -> dict[str, Any]:
        return {
            "salesCycleCode": "CYC", "stage": no, "description": f"Stage {no}", "completedPct": completed,
            "chancesOfSuccessPct": "12.5", "quoteRequired": False, "allowSkip": False, "dateFormula": "",
            "salesCycle": {"code": "CYC"}, "activity": None, **kw,
        }  # fmt: skip

    assert data["salesCycle"] == {
        "code": "CYC", "description": "Standard", "probabilityCalculation": "MULTIPLY", "blocked": False,
        "opportunities": page("OP1", "OP3"),
        "stages": [
            stage_of(1, "25", dateFormula="1W"),
            stage_of(2, "50", allowSkip=True, activity={"code": "ACT"}),
            stage_of(3, "75", quoteRequired=True),
        ],
    }  # fmt: skip


async def test_activity_steps_are_in_step_order(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_a_sales_world(sessions)

    data = await gql.query(
        '{ activity(code: "ACT") { steps { stepNo type description priority dateFormula } } }'
    )

    assert data["activity"]["steps"] == [
        {"stepNo": 1, "type": "PHONE_CALL", "description": "Call", "priority": "HIGH", "dateFormula": "1D"},
        {"stepNo": 2, "type": "MEETING", "description": "Send offer", "priority": "NORMAL",
         "dateFormula": "2D"},
    ]  # fmt: skip


async def test_close_opportunity_codes_show_their_outcome(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_sales_world(sessions)

    data = await gql.query("{ closeOpportunityCodes { nodes { code description type } } }")

    assert data["closeOpportunityCodes"]["nodes"] == [
        {"code": "LOST1", "description": "Code LOST1", "type": "LOST"},
        {"code": "WON1", "description": "Best price", "type": "WON"},
    ]


async def test_campaign_links_to_its_salesperson_and_opportunities(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_sales_world(sessions)

    data = await gql.query(
        """{ campaign(no: "CA1") { no description startingDate endingDate activated salesperson { code }
             opportunities { totalCount nodes { no } } } }"""
    )

    assert data["campaign"] == {
        "no": "CA1", "description": "Campaign CA1", "startingDate": "2024-01-10", "endingDate": "2024-12-31",
        "activated": True, "salesperson": {"code": "SP2"},
        "opportunities": page("OP1"),
    }  # fmt: skip


ENTRY = """entryNo stageNo previousStageNo stageDescription actionTaken dateOfChange active dateClosed
  daysOpen estimatedValue calculatedCurrentValue completedPct chancesOfSuccessPct probabilityPct
  estimatedCloseDate
  createdAt opportunity { no } salesCycle { code } stage { stage } closeOpportunityCode { code }
  salesperson { code } contact { no }"""


async def test_entry_links_to_its_opportunity_cycle_stage_code_salesperson_and_contact(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    entries = await given_a_sales_world(sessions)
    query = f"""query($a: Int!, $b: Int!) {{
      a: opportunityEntry(entryNo: $a) {{ {ENTRY} }} b: opportunityEntry(entryNo: $b) {{ {ENTRY} }} }}"""

    data = await gql.query(query, {"a": entries["e2"], "b": entries["e4"]})

    stage_entry, won_entry = data["a"], data["b"]
    assert stage_entry.pop("createdAt").endswith("+00:00")
    assert won_entry.pop("createdAt").endswith("+00:00")
    assert stage_entry == {
        "entryNo": entries["e2"], "stageNo": 2, "previousStageNo": 1, "stageDescription": "Stage 2",
        "actionTaken": "NEXT", "dateOfChange": "2024-01-15", "active": True, "dateClosed": None,
        "daysOpen": 0,
        "estimatedValue": "1000.00", "calculatedCurrentValue": "212.50", "completedPct": "42.5",
        "chancesOfSuccessPct": "50", "probabilityPct": "21.25", "estimatedCloseDate": "2024-02-29",
        "opportunity": {"no": "OP1"}, "salesCycle": {"code": "CYC"}, "stage": {"stage": 2},
        "closeOpportunityCode": None, "salesperson": {"code": "SP1"}, "contact": {"no": "P1"},
    }  # fmt: skip
    assert won_entry == {
        "entryNo": entries["e4"], "stageNo": 0, "previousStageNo": 3, "stageDescription": "Stage 0",
        "actionTaken": "WON", "dateOfChange": "2024-01-10", "active": True, "dateClosed": "2024-01-20",
        "daysOpen": 0, "estimatedValue": "500.00", "calculatedCurrentValue": "50.00", "completedPct": "20",
        "chancesOfSuccessPct": "50", "probabilityPct": "10", "estimatedCloseDate": "2024-01-17",
        "opportunity": {"no": "OP3"}, "salesCycle": {"code": "CYC"}, "stage": None,
        "closeOpportunityCode": {"code": "WON1"}, "salesperson": {"code": "SP2"}, "contact": {"no": "P3"},
    }  # fmt: skip


async def test_task_links_to_its_salesperson_contact_opportunity_and_entry(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    entries = await given_a_sales_world(sessions)

    data = await gql.query(
        """{ tasks { nodes { no type date priority status closed canceled dateClosed systemTaskType
             salesperson { code } contact { no } opportunity { no } opportunityEntry { entryNo } } } }"""
    )

    common: dict[str, Any] = {
        "type": "NONE",
        "date": "2024-01-10",
        "priority": "NORMAL",
        "status": "NOT_STARTED",
    }
    common |= {"canceled": False, "systemTaskType": "ORGANIZER"}
    assert data["tasks"]["nodes"] == [
        {
            "no": "TD1", **common, "closed": False, "dateClosed": None, "salesperson": {"code": "SP1"},
            "contact": {"no": "P1"}, "opportunity": {"no": "OP1"},
            "opportunityEntry": {"entryNo": entries["e2"]},
        },
        {
            "no": "TD2", **common, "closed": True, "dateClosed": "2024-01-10", "salesperson": {"code": "SP1"},
            "contact": None, "opportunity": None, "opportunityEntry": None,
        },
        {
            "no": "TD3", **common, "closed": False, "dateClosed": None, "salesperson": {"code": "SP2"},
            "contact": None, "opportunity": {"no": "OP3"}, "opportunityEntry": None,
        },
    ]  # fmt: skip


LINES = "lines { lineNo description quantity unitPrice lineDiscountPct amount }"


def line(i: int, quantity: str, price: str, discount: str, amount: str) -> dict[str, Any]:
    return {
        "lineNo": i * 10000, "description": f"Item {i}", "quantity": quantity, "unitPrice": price,
        "lineDiscountPct": discount, "amount": amount,
    }  # fmt: skip


async def test_sales_quote_links_and_line_amounts(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_a_sales_world(sessions)

    data = await gql.query(
        f"""{{ salesQuote(no: "SQ1") {{ no documentDate orderDate shipmentDate amount contact {{ no }}
             salesperson {{ code }} opportunity {{ no }} {LINES} }}
           empty: salesQuote(no: "SQ2") {{ amount contact {{ no }} salesperson {{ code }} opportunity {{ no }}
             {LINES} }} }}"""
    )

    assert data["salesQuote"] == {
        "no": "SQ1", "documentDate": "2024-01-10", "orderDate": None, "shipmentDate": None,
        "amount": "110.12", "contact": {"no": "P1"}, "salesperson": {"code": "SP1"},
        "opportunity": {"no": "OP1"},
        "lines": [
            line(1, "2.0000", "10.0000", "0", "20.00"),
            line(2, "3.0000", "33.3300", "10", "89.99"),
            line(3, "1.0000", "0.1250", "0", "0.13"),  # half-up: 0.125 → 0.13
        ],
    }  # fmt: skip
    assert data["empty"] == {
        "amount": "0.00", "contact": {"no": "P2"}, "salesperson": None, "opportunity": None, "lines": []
    }  # fmt: skip


async def test_sales_order_links_and_line_amounts(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_a_sales_world(sessions)

    data = await gql.query(
        f"""{{ salesOrder(no: "SO1") {{ no quoteNo documentDate amount contact {{ no }} salesperson {{ code }}
             opportunity {{ no }} {LINES} }} }}"""
    )

    assert data["salesOrder"] == {
        "no": "SO1", "quoteNo": "SQ0", "documentDate": "2024-01-10", "amount": "25.99",
        "contact": {"no": "C1"}, "salesperson": {"code": "SP2"}, "opportunity": {"no": "OP3"},
        "lines": [line(1, "4.0000", "12.5000", "50", "25.00"), line(2, "1.0000", "0.9900", "0", "0.99")],
    }  # fmt: skip
