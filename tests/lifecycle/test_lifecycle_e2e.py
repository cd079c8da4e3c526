"""The end-to-end example of domain.md §9, through HTTP, asserting every number in it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import models
from models import CloseOutcome, Priority, ProbabilityCalculation, TaskType
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

ENTRY = """entryNo stageNo previousStageNo actionTaken dateOfChange active daysOpen dateClosed
  estimatedValue calculatedCurrentValue completedPct chancesOfSuccessPct probabilityPct
  estimatedCloseDate closeOpportunityCode { code }"""
OPPORTUNITY = f"""no status closed dateClosed version estimatedValue calculatedCurrentValue probabilityPct
  currentStage {{ stage }}
  entries(first: 10) {{ nodes {{ {ENTRY} }} }}
  tasks(first: 10) {{ nodes {{ no date description closed canceled status opportunityEntry {{ entryNo }} }} }}
  availableStageActions {{
    action isDefault stages {{ stage }} defaultStage {{ stage }} blockers {{ code }}
  }}"""
PAYLOAD = f"opportunity {{ {OPPORTUNITY} }} userErrors {{ code field message }}"

CREATE = (
    f"""mutation($input: CreateOpportunityInput!) {{ createOpportunity(input: $input) {{ {PAYLOAD} }} }}"""
)
ACTIVATE = f"""mutation($input: ActivateFirstStageInput!) {{
  activateFirstStage(input: $input) {{ {PAYLOAD} entry {{ {ENTRY} }} createdTasks {{ no date }} }} }}"""
STAGE = f"""mutation($input: UpdateOpportunityStageInput!) {{
  updateOpportunityStage(input: $input) {{ {PAYLOAD} entry {{ {ENTRY} }} createdTasks {{ no }} }} }}"""
CLOSE = f"""mutation($input: CloseOpportunityInput!) {{
  closeOpportunity(input: $input) {{ {PAYLOAD} entry {{ {ENTRY} }} }} }}"""


async def given_the_example_cycle(sessions: SessionFactory) -> None:
    """Cycle NEW of domain.md §9, a contact C with salesperson S, and the won code WON1."""
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.company("C"),
        models.Activity(code="INIT", description="Initial activity"),
        models.ActivityStep(
            activity_code="INIT",
            step_no=1,
            type=TaskType.PHONE_CALL,
            description="Call",
            priority=Priority.HIGH,
            date_formula="0D",
        ),
        models.ActivityStep(
            activity_code="INIT",
            step_no=2,
            type=TaskType.MEETING,
            description="Meet",
            priority=Priority.NORMAL,
            date_formula="3D",
        ),
        *f.cycle("NEW", stages=0, probability_calculation=ProbabilityCalculation.MULTIPLY),
        b.stage(
            "NEW",
            1,
            description="Initial",
            completed_pct=Decimal(10),
            chances_of_success_pct=Decimal(50),
            date_formula="1W",
            activity_code="INIT",
        ),
        b.stage(
            "NEW",
            2,
            description="Presentation",
            completed_pct=Decimal(40),
            chances_of_success_pct=Decimal(60),
            allow_skip=True,
        ),
        b.stage(
            "NEW",
            3,
            description="Proposal",
            completed_pct=Decimal(60),
            chances_of_success_pct=Decimal(70),
            quote_required=True,
            allow_skip=True,
        ),
        b.stage(
            "NEW", 4, description="Negotiation", completed_pct=Decimal(80), chances_of_success_pct=Decimal(80)
        ),
        b.close_code("WON1", CloseOutcome.WON),
    )


def ok(data: dict[str, Any], field: str) -> dict[str, Any]:
    payload: dict[str, Any] = data[field]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


def entry_figures(entry: dict[str, Any]) -> tuple[Any, ...]:
    return (
        entry["entryNo"],
        entry["stageNo"],
        entry["previousStageNo"],
        entry["actionTaken"],
        entry["dateOfChange"],
        entry["active"],
        entry["daysOpen"],
        entry["estimatedValue"],
        entry["calculatedCurrentValue"],
        entry["completedPct"],
        entry["chancesOfSuccessPct"],
        entry["probabilityPct"],
        entry["estimatedCloseDate"],
    )


async def test_the_worked_example_of_domain_9(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_the_example_cycle(sessions)

    # 1. Create: not started, no entries.
    data = await gql.query(
        CREATE,
        {
            "input": {
                "description": "Example",
                "contactNo": "C",
                "salespersonCode": "S",
                "salesCycleCode": "NEW",
                "creationDate": "2024-01-10",
                "no": "O",
            }
        },
    )
    opp = ok(data, "createOpportunity")["opportunity"]
    assert (opp["no"], opp["status"], opp["closed"], opp["version"]) == ("O", "NOT_STARTED", False, 1)
    assert opp["entries"]["nodes"] == []
    assert [
        (a["action"], a["isDefault"], [s["stage"] for s in a["stages"]]) for a in opp["availableStageActions"]
    ] == [("FIRST", True, [1])]

    # 2. Activate the first stage: entry 1 and the two tasks of activity INIT.
    data = await gql.query(ACTIVATE, {"input": {"no": "O", "dateOfChange": "2024-01-10"}})
    payload = ok(data, "activateFirstStage")
    assert entry_figures(payload["entry"]) == (
        1,
        1,
        0,
        "STARTED",
        "2024-01-10",
        True,
        0,
        "0.00",
        "0.00",
        "10",
        "50",
        "5",
        "2024-01-17",
    )
    assert [t["date"] for t in payload["createdTasks"]] == ["2024-01-10", "2024-01-13"]
    opp = payload["opportunity"]
    assert (opp["status"], opp["version"], opp["currentStage"]) == ("IN_PROGRESS", 2, {"stage": 1})
    assert [(t["date"], t["opportunityEntry"]["entryNo"], t["closed"]) for t in opp["tasks"]["nodes"]] == [
        ("2024-01-10", 1, False),
        ("2024-01-13", 1, False),
    ]
    actions = {a["action"]: a for a in opp["availableStageActions"]}
    assert list(actions) == ["NEXT", "SKIP", "UPDATE"]
    assert actions["NEXT"]["isDefault"]
    assert [s["stage"] for s in actions["SKIP"]["stages"]] == [2, 3, 4]

    # 3. Next on 01-15 with value 10 000: chances 60, P 24, value 2 400; entry 1 open 5 days.
    data = await gql.query(
        STAGE,
        {"input": {"no": "O", "action": "NEXT", "dateOfChange": "2024-01-15", "estimatedValue": "10000"}},
    )
    payload = ok(data, "updateOpportunityStage")
    assert entry_figures(payload["entry"]) == (
        2,
        2,
        1,
        "NEXT",
        "2024-01-15",
        True,
        0,
        "10000.00",
        "2400.00",
        "40",
        "60",
        "24",
        "2024-01-15",
    )
    assert payload["createdTasks"] == []
    first = payload["opportunity"]["entries"]["nodes"][0]
    assert (first["active"], first["daysOpen"]) == (False, 5)
    actions = {a["action"]: a for a in payload["opportunity"]["availableStageActions"]}
    assert [b["code"] for b in actions["NEXT"]["blockers"]] == ["QUOTE_REQUIRED"]

    # 4. Next into stage 3 needs a quote: refused, nothing written.
    data = await gql.query(STAGE, {"input": {"no": "O", "action": "NEXT", "dateOfChange": "2024-01-20"}})
    assert [e["code"] for e in data["updateOpportunityStage"]["userErrors"]] == ["QUOTE_REQUIRED"]
    assert data["updateOpportunityStage"]["opportunity"] is None
    #    Skip to 3 would record NEXT but fails the quote check too.
    data = await gql.query(
        STAGE, {"input": {"no": "O", "action": "SKIP", "stage": 3, "dateOfChange": "2024-01-20"}}
    )
    assert [e["code"] for e in data["updateOpportunityStage"]["userErrors"]] == ["QUOTE_REQUIRED"]
    #    Skip to 4 on 01-20: JUMPED, chances forced to 80, P 64, value 6 400; entry 2 open 5 days.
    data = await gql.query(
        STAGE,
        {
            "input": {
                "no": "O",
                "action": "SKIP",
                "stage": 4,
                "dateOfChange": "2024-01-20",
                "estimatedValue": "10000",
                "chancesOfSuccessPct": "55",
            }
        },
    )
    payload = ok(data, "updateOpportunityStage")
    assert entry_figures(payload["entry"]) == (
        3,
        4,
        2,
        "JUMPED",
        "2024-01-20",
        True,
        0,
        "10000.00",
        "6400.00",
        "80",
        "80",
        "64",
        "2024-01-20",
    )
    entries = payload["opportunity"]["entries"]["nodes"]
    assert [(e["entryNo"], e["active"], e["daysOpen"]) for e in entries] == [
        (1, False, 5),
        (2, False, 5),
        (3, True, 0),
    ]
    assert payload["opportunity"]["version"] == 4

    # 5. Close Won on 02-01 with WON1 and 9 500: entry 4 on stage 0; the open tasks are cancelled.
    data = await gql.query(
        CLOSE,
        {
            "input": {
                "no": "O",
                "outcome": "WON",
                "closeOpportunityCode": "WON1",
                "closingDate": "2024-02-01",
                "salesValue": "9500",
            }
        },
    )
    payload = ok(data, "closeOpportunity")
    assert entry_figures(payload["entry"]) == (
        4,
        0,
        4,
        "WON",
        "2024-02-01",
        True,
        0,
        "10000.00",
        "9500.00",
        "100",
        "100",
        "100",
        "2024-02-01",
    )
    assert payload["entry"]["dateClosed"] == "2024-02-01"
    assert payload["entry"]["closeOpportunityCode"] == {"code": "WON1"}
    opp = payload["opportunity"]
    assert (opp["status"], opp["closed"], opp["dateClosed"], opp["currentStage"]) == (
        "WON",
        True,
        "2024-02-01",
        None,
    )
    assert (opp["estimatedValue"], opp["calculatedCurrentValue"], opp["probabilityPct"]) == (
        "10000.00",
        "9500.00",
        "100",
    )
    assert [(e["entryNo"], e["active"], e["daysOpen"]) for e in opp["entries"]["nodes"]] == [
        (1, False, 5),
        (2, False, 5),
        (3, False, 12),
        (4, True, 0),
    ]
    assert [(t["closed"], t["canceled"], t["status"]) for t in opp["tasks"]["nodes"]] == [
        (True, True, "COMPLETED"),
        (True, True, "COMPLETED"),
    ]
    assert opp["availableStageActions"] == []
