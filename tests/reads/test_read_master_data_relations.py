"""The relation fields of the master data, read with exact values: contacts, salespeople, sales cycles
and their stages, activities and their steps, close codes and campaigns (api.md §5)."""

from __future__ import annotations

from typing import Any

from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.reads.relations_helpers import given_a_sales_world, page


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
