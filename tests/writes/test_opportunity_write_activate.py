"""createOpportunity with activateFirstStage (domain.md §2.3, §2.6, §4, §11.3), and concurrent
creates drawing numbers from one series (§11.16)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

import models
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

ENTRY = """entryNo stageNo previousStageNo actionTaken dateOfChange active daysOpen estimatedValue
  calculatedCurrentValue completedPct chancesOfSuccessPct probabilityPct estimatedCloseDate"""
CREATE = f"""mutation($input: CreateOpportunityInput!) {{ createOpportunity(input: $input) {{
  opportunity {{ no status version currentStage {{ stage }} estimatedValue estimatedClosingDate
    activeEntry {{ entryNo }}
    tasks(first: 10) {{ nodes {{ no description type priority date status closed
      salesperson {{ code }} contact {{ no }} opportunityEntry {{ entryNo }} }} }} }}
  entry {{ {ENTRY} }}
  createdTasks {{ no }}
  userErrors {{ code field message }} }} }}"""

ACTIVATED: dict[str, Any] = {
    "description": "Deal",
    "contactNo": "P",
    "salespersonCode": "S",
    "salesCycleCode": "NEW",
    "creationDate": "2024-01-10",
    "activateFirstStage": True,
    "estimatedValue": "1000",
    "chancesOfSuccessPct": "30",
    "estimatedClosingDate": "2024-02-01",
}


async def given_a_cycle_with_an_activity(sessions: SessionFactory) -> None:
    """Cycle NEW with stages 10 (completed 10, chances 50, activity ACT with two steps) and 20;
    cycle EMPTY without stages; salesperson S; company C and its person P."""
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.company("C"),
        f.person("P", "C"),
        *b.activity("ACT", (1, "Call"), (2, "Meet")),
        *f.cycle("NEW", stages=0),
        b.stage("NEW", 20, completed_pct=Decimal(60), chances_of_success_pct=Decimal(70)),
        b.stage(
            "NEW",
            10,
            description="Initial",
            completed_pct=Decimal(10),
            chances_of_success_pct=Decimal(50),
            activity_code="ACT",
            date_formula="1W",
        ),
        *f.cycle("EMPTY", stages=0),
    )


async def counts(sessions: SessionFactory) -> tuple[int, int, int, list[tuple[str, int]]]:
    """Opportunities, entries, tasks and every series' next number."""
    async with sessions() as session:
        opps, entries, tasks = [
            await session.scalar(select(func.count()).select_from(table))
            for table in (models.Opportunity, models.OpportunityEntry, models.Task)
        ]
        series = await session.execute(
            select(models.NumberSeries.code, models.NumberSeries.next_no).order_by(models.NumberSeries.code)
        )
        return opps or 0, entries or 0, tasks or 0, [(code, no) for code, no in series]


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def test_create_and_activate_enters_the_lowest_stage_with_the_given_estimates(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_cycle_with_an_activity(sessions)

    data = await gql.query(CREATE, {"input": ACTIVATED})

    payload = data["createOpportunity"]
    assert payload["userErrors"] == []
    entry = payload["entry"]
    assert entry == {
        "entryNo": 1,
        "stageNo": 10,
        "previousStageNo": 0,
        "actionTaken": "STARTED",
        "dateOfChange": "2024-01-10",
        "active": True,
        "daysOpen": 0,
        "estimatedValue": "1000.00",
        "calculatedCurrentValue": "30.00",
        "completedPct": "10",
        "chancesOfSuccessPct": "30",
        "probabilityPct": "3",
        "estimatedCloseDate": "2024-02-01",
    }
    opp = payload["opportunity"]
    assert (opp["no"], opp["status"], opp["version"], opp["currentStage"]) == (
        "OP000001",
        "IN_PROGRESS",
        1,
        {"stage": 10},
    )
    assert (opp["estimatedValue"], opp["estimatedClosingDate"], opp["activeEntry"]) == (
        "1000.00",
        "2024-02-01",
        {"entryNo": 1},
    )
    assert [t["no"] for t in payload["createdTasks"]] == ["TD000001", "TD000002"]
    assert opp["tasks"]["nodes"] == [
        {
            "no": "TD000001",
            "description": "Call",
            "type": "PHONE_CALL",
            "priority": "HIGH",
            "date": "2024-01-11",
            "status": "NOT_STARTED",
            "closed": False,
            "salesperson": {"code": "S"},
            "contact": {"no": "P"},
            "opportunityEntry": {"entryNo": 1},
        },
        {
            "no": "TD000002",
            "description": "Meet",
            "type": "MEETING",
            "priority": "NORMAL",
            "date": "2024-01-12",
            "status": "NOT_STARTED",
            "closed": False,
            "salesperson": {"code": "S"},
            "contact": {"no": "P"},
            "opportunityEntry": {"entryNo": 1},
        },
    ]
    assert await counts(sessions) == (
        1,
        1,
        2,
        [("CAMP", 1), ("CONT", 1), ("OPP", 2), ("S-ORD", 1), ("S-QUO", 1), ("TASK", 3)],
    )


async def test_create_and_activate_accepts_a_closing_date_equal_to_the_creation_date(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_cycle_with_an_activity(sessions)

    data = await gql.query(CREATE, {"input": {**ACTIVATED, "estimatedClosingDate": "2024-01-10"}})

    payload = data["createOpportunity"]
    assert payload["userErrors"] == []
    # Equal to the date of change: the stage's formula (1W) proposes the date (domain.md §3.2).
    assert payload["entry"]["estimatedCloseDate"] == "2024-01-17"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"estimatedValue": "0", "chancesOfSuccessPct": "0"},
            [("MUST_BE_POSITIVE", ["estimatedValue"]), ("MUST_BE_POSITIVE", ["chancesOfSuccessPct"])],
        ),
        (
            {"estimatedValue": None, "chancesOfSuccessPct": None, "estimatedClosingDate": None},
            [
                ("REQUIRED", ["estimatedValue"]),
                ("REQUIRED", ["chancesOfSuccessPct"]),
                ("REQUIRED", ["estimatedClosingDate"]),
            ],
        ),
        ({"estimatedClosingDate": "2024-01-09"}, [("CLOSE_DATE_BEFORE_CHANGE", ["estimatedClosingDate"])]),
        ({"salesCycleCode": "EMPTY"}, [("NO_STAGES", None)]),
    ],
    ids=["zero-value-and-chances", "missing-estimates", "closing-before-creation", "cycle-without-stages"],
)
async def test_create_and_activate_refuses_a_broken_rule_and_writes_nothing(
    gql: GraphQLClient,
    sessions: SessionFactory,
    changes: dict[str, Any],
    expected: list[tuple[str, list[str] | None]],
) -> None:
    await given_a_cycle_with_an_activity(sessions)
    before = await counts(sessions)

    data = await gql.query(CREATE, {"input": {**ACTIVATED, **changes}})

    payload = data["createOpportunity"]
    assert errors(payload) == expected
    assert (payload["opportunity"], payload["entry"], payload["createdTasks"]) == (None, None, [])
    assert await counts(sessions) == before
    assert before[:3] == (0, 0, 0)


async def test_create_without_activation_ignores_the_estimates(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_cycle_with_an_activity(sessions)
    inputs = {**ACTIVATED, "activateFirstStage": False, "estimatedValue": "0", "estimatedClosingDate": None}

    data = await gql.query(CREATE, {"input": inputs})

    payload = data["createOpportunity"]
    assert payload["userErrors"] == []
    assert (payload["opportunity"]["status"], payload["entry"], payload["createdTasks"]) == (
        "NOT_STARTED",
        None,
        [],
    )
    assert (await counts(sessions))[:3] == (1, 0, 0)


@pytest.mark.own_database  # the creates must overlap in real parallel transactions
async def test_concurrent_creates_get_distinct_consecutive_numbers(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_a_cycle_with_an_activity(sessions)
    n = 24

    results = await asyncio.gather(
        *(gql.query(CREATE, {"input": {**ACTIVATED, "description": f"Deal {i}"}}) for i in range(n))
    )

    payloads = [r["createOpportunity"] for r in results]
    assert [p["userErrors"] for p in payloads] == [[]] * n
    numbers = sorted(p["opportunity"]["no"] for p in payloads)
    assert numbers == [f"OP{i:06d}" for i in range(1, n + 1)]
    tasks = sorted(t["no"] for p in payloads for t in p["createdTasks"])
    assert tasks == [f"TD{i:06d}" for i in range(1, 2 * n + 1)]
    assert sorted(p["entry"]["entryNo"] for p in payloads) == list(range(1, n + 1))
    opps, entries, task_count, series = await counts(sessions)
    assert (opps, entries, task_count) == (n, n, 2 * n)
    assert dict(series)["OPP"] == n + 1
    assert dict(series)["TASK"] == 2 * n + 1
