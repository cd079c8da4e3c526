"""createSalesCycle, updateSalesCycle and deleteSalesCycle (domain.md §1.4, §6.1, §11.9; api.md §6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

import models
from models import OpportunityStatus, ProbabilityCalculation
from models.setup import SETUP_ID
from resolvers.session import SessionFactory
from resolvers.writes.sales_cycle import MAX_STAGES
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

CYCLE = """salesCycle { id code description probabilityCalculation blocked
  stages { stage description completedPct chancesOfSuccessPct quoteRequired allowSkip dateFormula
    activity { code } } }"""
CREATE = f"""mutation($input: CreateSalesCycleInput!) {{ createSalesCycle(input: $input) {{
  {CYCLE} userErrors {{ code field message }} }} }}"""
UPDATE = f"""mutation($input: UpdateSalesCycleInput!) {{ updateSalesCycle(input: $input) {{
  {CYCLE} userErrors {{ code field message }} }} }}"""
DELETE = """mutation($input: DeleteSalesCycleInput!) {
  deleteSalesCycle(input: $input) { deletedId userErrors { code field message } } }"""

Cycle = tuple[str, str, ProbabilityCalculation, bool]
Stage = tuple[str, int, str, Decimal, Decimal, str | None, bool, bool, str]


async def stored(sessions: SessionFactory) -> tuple[list[Cycle], list[Stage]]:
    """Every cycle and stage in the database, in key order."""
    async with sessions() as session:
        cycles = await session.scalars(select(models.SalesCycle).order_by(models.SalesCycle.code))
        stages = await session.scalars(
            select(models.SalesCycleStage).order_by(
                models.SalesCycleStage.sales_cycle_code, models.SalesCycleStage.stage
            )
        )
        return (
            [(c.code, c.description, c.probability_calculation, c.blocked) for c in cycles],
            [
                (
                    s.sales_cycle_code,
                    s.stage,
                    s.description,
                    s.completed_pct,
                    s.chances_of_success_pct,
                    s.activity_code,
                    s.quote_required,
                    s.allow_skip,
                    s.date_formula,
                )
                for s in stages
            ],
        )


def errors(data: dict[str, Any], name: str) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in data[name]["userErrors"]]


async def test_create_sales_cycle_stores_the_cycle_and_its_stages(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await b.insert(sessions, *b.activity("ACT", (1, "Call")))
    stages = [
        {"stage": 20, "description": "Close", "completedPct": "90", "chancesOfSuccessPct": "80.5"},
        {
            "stage": 10,
            "description": " Qualify ",
            "completedPct": "10",
            "chancesOfSuccessPct": "25",
            "activityCode": "act",
            "quoteRequired": True,
            "allowSkip": True,
            "dateFormula": "<1w + 2d>",
        },
    ]
    data = await gql.query(
        CREATE,
        {
            "input": {
                "code": " big ",
                "description": "Big deals",
                "probabilityCalculation": "ADD",
                "blocked": True,
                "stages": stages,
            }
        },
    )

    payload = data["createSalesCycle"]
    assert payload["userErrors"] == []
    cycle = payload["salesCycle"]
    assert (cycle["code"], cycle["description"], cycle["probabilityCalculation"], cycle["blocked"]) == (
        "BIG",
        "Big deals",
        "ADD",
        True,
    )
    assert [(s["stage"], s["description"], s["dateFormula"], s["activity"]) for s in cycle["stages"]] == [
        (10, "Qualify", "1W+2D", {"code": "ACT"}),
        (20, "Close", "", None),
    ]
    assert await stored(sessions) == (
        [("BIG", "Big deals", ProbabilityCalculation.ADD, True)],
        [
            ("BIG", 10, "Qualify", Decimal(10), Decimal(25), "ACT", True, True, "1W+2D"),
            ("BIG", 20, "Close", Decimal(90), Decimal("80.5"), None, False, False, ""),
        ],
    )


async def test_create_sales_cycle_without_stages_takes_the_defaults(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    data = await gql.query(CREATE, {"input": {"code": "NEW", "description": "New"}})

    assert data["createSalesCycle"]["userErrors"] == []
    assert data["createSalesCycle"]["salesCycle"]["stages"] == []
    assert await stored(sessions) == ([("NEW", "New", ProbabilityCalculation.MULTIPLY, False)], [])


async def test_create_sales_cycle_refuses_a_code_that_exists(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await b.insert(sessions, *f.cycle("NEW", stages=1))
    before = await stored(sessions)

    data = await gql.query(CREATE, {"input": {"code": "new", "description": "Again"}})

    assert errors(data, "createSalesCycle") == [("DUPLICATE", ["code"])]
    assert data["createSalesCycle"]["salesCycle"] is None
    assert await stored(sessions) == before


@pytest.mark.parametrize(
    ("code", "description", "expected"),
    [
        ("  ", "Fine", [("REQUIRED", ["code"])]),
        ("ELEVENCHARS", "Fine", [("TOO_LONG", ["code"])]),
        ("OK", " ", [("REQUIRED", ["description"])]),
        ("OK", "x" * 101, [("TOO_LONG", ["description"])]),
    ],
)
async def test_create_sales_cycle_checks_its_code_and_description(
    gql: GraphQLClient,
    sessions: SessionFactory,
    code: str,
    description: str,
    expected: list[tuple[str, list[str]]],
) -> None:
    data = await gql.query(CREATE, {"input": {"code": code, "description": description}})

    assert errors(data, "createSalesCycle") == expected
    assert await stored(sessions) == ([], [])


async def test_create_sales_cycle_reports_every_broken_stage_rule_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await b.insert(sessions, *b.activity("ACT", (1, "Call")))
    stages = [
        {"stage": 0, "description": "Zero", "activityCode": "ACT"},
        {"stage": 2, "description": "", "completedPct": "100.5", "chancesOfSuccessPct": "-1"},
        {"stage": 2, "description": "x" * 101, "activityCode": "NOPE", "dateFormula": "1X"},
        {"stage": 3, "description": "Long formula", "dateFormula": "+".join(["1D"] * 12)},
    ]

    data = await gql.query(CREATE, {"input": {"code": "BIG", "description": "Big", "stages": stages}})

    assert errors(data, "createSalesCycle") == [
        ("INVALID", ["stages", "0", "stage"]),
        ("REQUIRED", ["stages", "1", "description"]),
        ("INVALID", ["stages", "1", "completedPct"]),
        ("INVALID", ["stages", "1", "chancesOfSuccessPct"]),
        ("DUPLICATE", ["stages", "2", "stage"]),
        ("TOO_LONG", ["stages", "2", "description"]),
        ("NOT_FOUND", ["stages", "2", "activityCode"]),
        ("INVALID", ["stages", "2", "dateFormula"]),
        ("TOO_LONG", ["stages", "3", "dateFormula"]),
    ]
    assert data["createSalesCycle"]["salesCycle"] is None
    assert await stored(sessions) == ([], [])


async def test_create_sales_cycle_takes_at_most_max_stages_stages(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    stages = [{"stage": i, "description": f"Stage {i}"} for i in range(1, MAX_STAGES + 2)]

    refused = await gql.query(CREATE, {"input": {"code": "BIG", "description": "Big", "stages": stages}})
    accepted = await gql.query(
        CREATE, {"input": {"code": "FULL", "description": "Full", "stages": stages[:MAX_STAGES]}}
    )

    assert MAX_STAGES == 40
    assert errors(refused, "createSalesCycle") == [("INVALID", ["stages"])]
    assert len(accepted["createSalesCycle"]["salesCycle"]["stages"]) == MAX_STAGES


async def test_create_sales_cycle_stage_refuses_a_stage_beyond_max_stages(gql: GraphQLClient) -> None:
    stages = [{"stage": i, "description": f"Stage {i}"} for i in range(1, MAX_STAGES)]
    await gql.query(CREATE, {"input": {"code": "FULL", "description": "Full", "stages": stages}})
    add = """mutation($input: CreateSalesCycleStageInput!) { createSalesCycleStage(input: $input) {
      salesCycleStage { stage } userErrors { code field } } }"""

    accepted = await gql.query(
        add, {"input": {"salesCycleCode": "FULL", "stage": MAX_STAGES, "description": "Last"}}
    )
    refused = await gql.query(
        add, {"input": {"salesCycleCode": "FULL", "stage": 99, "description": "Beyond"}}
    )

    assert errors(accepted, "createSalesCycleStage") == []
    assert errors(refused, "createSalesCycleStage") == [("INVALID", ["salesCycleCode"])]
    assert refused["createSalesCycleStage"]["salesCycleStage"] is None
    cycle = await gql.query('{ salesCycle(code: "FULL") { stages { stage } } }')
    assert [s["stage"] for s in cycle["salesCycle"]["stages"]] == list(range(1, MAX_STAGES + 1))


async def test_update_sales_cycle_changes_only_the_given_fields(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await b.insert(sessions, *f.cycle("NEW", stages=2))
    _, stages_before = await stored(sessions)

    first = await gql.query(UPDATE, {"input": {"code": "new", "description": " Renamed "}})
    assert first["updateSalesCycle"]["userErrors"] == []
    assert await stored(sessions) == (
        [("NEW", "Renamed", ProbabilityCalculation.MULTIPLY, False)],
        stages_before,
    )

    second = await gql.query(
        UPDATE,
        {"input": {"code": "NEW", "probabilityCalculation": "COMPLETED", "blocked": True}},
    )

    cycle = second["updateSalesCycle"]["salesCycle"]
    assert (cycle["description"], cycle["probabilityCalculation"], cycle["blocked"]) == (
        "Renamed",
        "COMPLETED",
        True,
    )
    assert [s["stage"] for s in cycle["stages"]] == [1, 2]
    assert await stored(sessions) == (
        [("NEW", "Renamed", ProbabilityCalculation.COMPLETED, True)],
        stages_before,
    )


async def test_update_sales_cycle_refuses_to_clear_its_fields(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await b.insert(sessions, *f.cycle("NEW", stages=1))
    before = await stored(sessions)

    data = await gql.query(
        UPDATE,
        {"input": {"code": "NEW", "description": None, "probabilityCalculation": None, "blocked": None}},
    )

    assert errors(data, "updateSalesCycle") == [
        ("REQUIRED", ["description"]),
        ("REQUIRED", ["probabilityCalculation"]),
        ("REQUIRED", ["blocked"]),
    ]
    assert data["updateSalesCycle"]["salesCycle"] is None
    assert await stored(sessions) == before


async def test_update_sales_cycle_of_an_unknown_code_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    data = await gql.query(UPDATE, {"input": {"code": "NOPE", "description": "X"}})

    assert errors(data, "updateSalesCycle") == [("NOT_FOUND", ["code"])]
    assert await stored(sessions) == ([], [])


async def default_cycle(sessions: SessionFactory) -> str | None:
    async with sessions() as session:
        setup = await session.get(models.Setup, SETUP_ID)
        assert setup is not None
        return setup.default_sales_cycle_code


async def test_delete_sales_cycle_deletes_its_stages_and_clears_the_setup_default(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await b.insert(sessions, *f.cycle("NEW", stages=3), *f.cycle("OLD", stages=1))
    async with sessions() as session, session.begin():
        setup = await session.get(models.Setup, SETUP_ID)
        assert setup is not None
        setup.default_sales_cycle_code = "NEW"
    node = await gql.query('{ salesCycle(code: "NEW") { id } }')

    data = await gql.query(DELETE, {"input": {"code": " new "}})

    assert data["deleteSalesCycle"] == {"deletedId": node["salesCycle"]["id"], "userErrors": []}
    cycles, stages = await stored(sessions)
    assert [c[0] for c in cycles] == ["OLD"]
    assert [(s[0], s[1]) for s in stages] == [("OLD", 1)]
    assert await default_cycle(sessions) is None


async def test_delete_sales_cycle_is_refused_while_an_opportunity_is_in_progress_on_it(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    opp = f.opportunity("OP1", f.company("C"), "S", "NEW", status=OpportunityStatus.IN_PROGRESS)
    await b.insert(
        sessions, f.salesperson("S"), f.company("C"), *f.cycle("NEW", stages=2), opp, f.entry(opp, 1, "100")
    )
    before = await stored(sessions)

    data = await gql.query(DELETE, {"input": {"code": "NEW"}})

    assert errors(data, "deleteSalesCycle") == [("IN_USE", ["code"])]
    assert "in progress" in data["deleteSalesCycle"]["userErrors"][0]["message"]
    assert data["deleteSalesCycle"]["deletedId"] is None
    assert await stored(sessions) == before


@pytest.mark.parametrize(
    "status", [OpportunityStatus.NOT_STARTED, OpportunityStatus.WON, OpportunityStatus.LOST]
)
async def test_delete_sales_cycle_is_refused_while_any_other_opportunity_refers_to_it(
    gql: GraphQLClient, sessions: SessionFactory, status: OpportunityStatus
) -> None:
    fields = b.closed(status, f.DAY) if status is not OpportunityStatus.NOT_STARTED else {"status": status}
    opp = f.opportunity("OP1", f.company("C"), "S", "NEW", **fields)
    await b.insert(sessions, f.salesperson("S"), f.company("C"), *f.cycle("NEW", stages=2), opp)
    before = await stored(sessions)

    data = await gql.query(DELETE, {"input": {"code": "NEW"}})

    assert errors(data, "deleteSalesCycle") == [("IN_USE", ["code"])]
    assert "block it instead" in data["deleteSalesCycle"]["userErrors"][0]["message"]
    assert await stored(sessions) == before


async def test_delete_sales_cycle_of_an_unknown_code_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await b.insert(sessions, *f.cycle("NEW", stages=1))
    before = await stored(sessions)

    data = await gql.query(DELETE, {"input": {"code": "NOPE"}})

    assert errors(data, "deleteSalesCycle") == [("NOT_FOUND", ["code"])]
    assert await stored(sessions) == before
