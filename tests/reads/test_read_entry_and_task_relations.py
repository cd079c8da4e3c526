"""The relation fields of opportunity entries and tasks, read with exact values (api.md §5)."""

from __future__ import annotations

from typing import Any

from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.reads.relations_helpers import given_a_sales_world

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
