"""createSalesCycleStage, updateSalesCycleStage and deleteSalesCycleStage (domain.md §1.5, §6.1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

import models
from models import OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

STAGE = """salesCycleStage { id stage description completedPct chancesOfSuccessPct quoteRequired
  allowSkip dateFormula activity { code } salesCycle { code stages { stage } } }"""
ERRORS = "userErrors { code field message }"
CREATE = f"""mutation($input: CreateSalesCycleStageInput!) {{
  createSalesCycleStage(input: $input) {{ {STAGE} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateSalesCycleStageInput!) {{
  updateSalesCycleStage(input: $input) {{ {STAGE} {ERRORS} }} }}"""
DELETE = f"""mutation($input: DeleteSalesCycleStageInput!) {{
  deleteSalesCycleStage(input: $input) {{ deletedId {ERRORS} }} }}"""
NEXT = f"""mutation($input: UpdateOpportunityStageInput!) {{ updateOpportunityStage(input: $input) {{
  entry {{ stageNo stageDescription completedPct chancesOfSuccessPct }} {ERRORS} }} }}"""

Stage = tuple[int, str, Decimal, Decimal, str | None, bool, bool, str]


async def stages(sessions: SessionFactory, cycle: str = "NEW") -> list[Stage]:
    async with sessions() as session:
        rows = await session.scalars(
            select(models.SalesCycleStage)
            .where(models.SalesCycleStage.sales_cycle_code == cycle)
            .order_by(models.SalesCycleStage.stage)
        )
        return [
            (
                s.stage,
                s.description,
                s.completed_pct,
                s.chances_of_success_pct,
                s.activity_code,
                s.quote_required,
                s.allow_skip,
                s.date_formula,
            )
            for s in rows
        ]


async def entries(sessions: SessionFactory) -> list[tuple[int, str, Decimal, Decimal, bool]]:
    async with sessions() as session:
        rows = await session.scalars(
            select(models.OpportunityEntry).order_by(models.OpportunityEntry.entry_no)
        )
        return [
            (
                e.sales_cycle_stage,
                e.sales_cycle_stage_description,
                e.completed_pct,
                e.chances_of_success_pct,
                e.active,
            )
            for e in rows
        ]


def errors(data: dict[str, Any], name: str) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in data[name]["userErrors"]]


async def given_cycle(sessions: SessionFactory, *rows: Any) -> None:
    """Cycle NEW with stages 1–3 (completed 20·n %, chances 40 + 10·n %), activity ACT, salesperson S
    and company C."""
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.company("C"),
        *b.activity("ACT", (1, "Call")),
        *f.cycle("NEW", 3),
        *rows,
    )


def on_stage(no: str, stage: int, *, active: bool) -> list[Any]:
    """An in-progress opportunity on cycle NEW whose entry on ``stage`` is active or was left."""
    opp = f.opportunity(no, f.company("C"), "S", "NEW", status=OpportunityStatus.IN_PROGRESS)
    if active:
        return [opp, f.entry(opp, stage, "100")]
    return [opp, f.entry(opp, stage, "100", active=False), f.entry(opp, stage + 1, "100")]


async def test_create_sales_cycle_stage_stores_the_stage(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle(sessions)
    fields = {
        "salesCycleCode": "new",
        "stage": 7,
        "description": " Negotiate ",
        "completedPct": "85",
        "chancesOfSuccessPct": "72.5",
        "activityCode": "act",
        "quoteRequired": True,
        "allowSkip": True,
        "dateFormula": "<cm + 1d>",
    }

    data = await gql.query(CREATE, {"input": fields})

    payload = data["createSalesCycleStage"]
    assert payload["userErrors"] == []
    stage = payload["salesCycleStage"]
    node = await gql.query('{ salesCycle(code: "NEW") { stages { id stage } } }')
    assert stage["id"] == node["salesCycle"]["stages"][-1]["id"]
    assert (stage["stage"], stage["description"], stage["dateFormula"], stage["activity"]) == (
        7,
        "Negotiate",
        "CM+1D",
        {"code": "ACT"},
    )
    assert [s["stage"] for s in stage["salesCycle"]["stages"]] == [1, 2, 3, 7]
    assert (await stages(sessions))[-1] == (
        7,
        "Negotiate",
        Decimal(85),
        Decimal("72.5"),
        "ACT",
        True,
        True,
        "CM+1D",
    )


async def test_create_sales_cycle_stage_takes_the_defaults(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle(sessions)

    data = await gql.query(CREATE, {"input": {"salesCycleCode": "NEW", "stage": 4, "description": "Won?"}})

    assert data["createSalesCycleStage"]["userErrors"] == []
    assert (await stages(sessions))[-1] == (4, "Won?", Decimal(0), Decimal(0), None, False, False, "")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"salesCycleCode": "NOPE"}, [("NOT_FOUND", ["salesCycleCode"])]),
        ({"stage": 2}, [("DUPLICATE", ["stage"])]),
        (
            {"stage": 0, "description": " ", "completedPct": "-0.5", "chancesOfSuccessPct": "101"},
            [
                ("INVALID", ["stage"]),
                ("REQUIRED", ["description"]),
                ("INVALID", ["completedPct"]),
                ("INVALID", ["chancesOfSuccessPct"]),
            ],
        ),
        (
            {"description": "x" * 101, "activityCode": "NOPE", "dateFormula": "2 weeks"},
            [("TOO_LONG", ["description"]), ("NOT_FOUND", ["activityCode"]), ("INVALID", ["dateFormula"])],
        ),
    ],
)
async def test_create_sales_cycle_stage_refuses_broken_rules_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory, fields: dict[str, Any], expected: list[Any]
) -> None:
    await given_cycle(sessions)
    before = await stages(sessions)

    data = await gql.query(
        CREATE, {"input": {"salesCycleCode": "NEW", "stage": 9, "description": "Stage", **fields}}
    )

    assert errors(data, "createSalesCycleStage") == expected
    assert data["createSalesCycleStage"]["salesCycleStage"] is None
    assert await stages(sessions) == before


async def test_update_sales_cycle_stage_changes_only_the_given_fields_and_clears_with_null(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle(
        sessions,
        b.stage("NEW", 5, completed_pct=Decimal(80), activity_code="ACT", date_formula="2W", allow_skip=True),
    )
    untouched = (await stages(sessions))[:3]

    first = await gql.query(
        UPDATE, {"input": {"salesCycleCode": "NEW", "stage": 5, "description": "Closing"}}
    )
    assert first["updateSalesCycleStage"]["userErrors"] == []
    assert (await stages(sessions))[3] == (
        5,
        "Closing",
        Decimal(80),
        Decimal("12.5"),
        "ACT",
        False,
        True,
        "2W",
    )

    second = await gql.query(
        UPDATE,
        {
            "input": {
                "salesCycleCode": "NEW",
                "stage": 5,
                "completedPct": "95",
                "chancesOfSuccessPct": "90",
                "activityCode": None,
                "quoteRequired": True,
                "allowSkip": False,
                "dateFormula": None,
            }
        },
    )

    stage = second["updateSalesCycleStage"]["salesCycleStage"]
    assert (stage["description"], stage["activity"], stage["dateFormula"]) == ("Closing", None, "")
    assert await stages(sessions) == [
        *untouched,
        (5, "Closing", Decimal(95), Decimal(90), None, True, False, ""),
    ]


async def test_update_sales_cycle_stage_refuses_to_clear_required_fields(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle(sessions)
    before = await stages(sessions)
    nulls = ["newStage", "description", "completedPct", "chancesOfSuccessPct", "quoteRequired", "allowSkip"]

    data = await gql.query(UPDATE, {"input": {"salesCycleCode": "NEW", "stage": 2, **dict.fromkeys(nulls)}})

    assert errors(data, "updateSalesCycleStage") == [("REQUIRED", [name]) for name in nulls]
    assert await stages(sessions) == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"newStage": 3}, [("DUPLICATE", ["newStage"])]),
        ({"newStage": 0}, [("INVALID", ["newStage"])]),
        ({"description": "  "}, [("REQUIRED", ["description"])]),
        (
            {
                "completedPct": "100.01",
                "chancesOfSuccessPct": "-3",
                "activityCode": "NOPE",
                "dateFormula": "X",
            },
            [
                ("INVALID", ["completedPct"]),
                ("INVALID", ["chancesOfSuccessPct"]),
                ("NOT_FOUND", ["activityCode"]),
                ("INVALID", ["dateFormula"]),
            ],
        ),
        ({"salesCycleCode": "NOPE"}, [("NOT_FOUND", ["salesCycleCode"])]),
        ({"stage": 4}, [("NOT_FOUND", ["stage"])]),
    ],
)
async def test_update_sales_cycle_stage_refuses_broken_rules_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory, fields: dict[str, Any], expected: list[Any]
) -> None:
    await given_cycle(sessions)
    before = await stages(sessions)

    data = await gql.query(UPDATE, {"input": {"salesCycleCode": "NEW", "stage": 2, **fields}})

    assert errors(data, "updateSalesCycleStage") == expected
    assert data["updateSalesCycleStage"]["salesCycleStage"] is None
    assert await stages(sessions) == before


async def test_update_sales_cycle_stage_renumbers_a_stage_no_entry_sits_on(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle(sessions, *on_stage("OP1", 1, active=False))

    data = await gql.query(UPDATE, {"input": {"salesCycleCode": "NEW", "stage": 3, "newStage": 10}})

    stage = data["updateSalesCycleStage"]["salesCycleStage"]
    assert data["updateSalesCycleStage"]["userErrors"] == []
    assert stage["stage"] == 10
    assert [s["stage"] for s in stage["salesCycle"]["stages"]] == [1, 2, 10]
    assert [(s[0], s[1]) for s in await stages(sessions)] == [(1, "Stage 1"), (2, "Stage 2"), (10, "Stage 3")]


@pytest.mark.parametrize("active", [True, False])
async def test_update_sales_cycle_stage_refuses_to_renumber_a_stage_with_entries(
    gql: GraphQLClient, sessions: SessionFactory, active: bool
) -> None:
    await given_cycle(sessions, *on_stage("OP1", 2, active=active))
    before = await stages(sessions)

    data = await gql.query(
        UPDATE, {"input": {"salesCycleCode": "NEW", "stage": 2, "newStage": 20, "description": "Renamed"}}
    )

    assert errors(data, "updateSalesCycleStage") == [("IN_USE", ["newStage"])]
    assert await stages(sessions) == before


async def test_changed_stage_values_reach_later_entries_only(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle(sessions, *on_stage("OP1", 1, active=True))
    for stage, description, completed, chances in [(1, "Qualify", "15", "35"), (2, "Propose", "55", "65")]:
        changes = {"description": description, "completedPct": completed, "chancesOfSuccessPct": chances}
        data = await gql.query(UPDATE, {"input": {"salesCycleCode": "NEW", "stage": stage, **changes}})
        assert data["updateSalesCycleStage"]["userErrors"] == []
    assert await entries(sessions) == [(1, "Stage 1", Decimal(20), Decimal(50), True)]

    moved = await gql.query(
        NEXT,
        {
            "input": {
                "no": "OP1",
                "action": "NEXT",
                "dateOfChange": (f.DAY + dt.timedelta(days=1)).isoformat(),
            }
        },
    )

    assert moved["updateOpportunityStage"]["userErrors"] == []
    assert moved["updateOpportunityStage"]["entry"] == {
        "stageNo": 2,
        "stageDescription": "Propose",
        "completedPct": "55",
        "chancesOfSuccessPct": "65",
    }
    assert await entries(sessions) == [
        (1, "Stage 1", Decimal(20), Decimal(50), False),
        (2, "Propose", Decimal(55), Decimal(65), True),
    ]


async def test_delete_sales_cycle_stage_deletes_it_and_inactive_entries_keep_its_number(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle(sessions, *on_stage("OP1", 2, active=False))
    node = await gql.query('{ salesCycle(code: "NEW") { stages { id } } }')

    data = await gql.query(DELETE, {"input": {"salesCycleCode": "new", "stage": 2}})

    assert data["deleteSalesCycleStage"] == {
        "deletedId": node["salesCycle"]["stages"][1]["id"],
        "userErrors": [],
    }
    assert [s[0] for s in await stages(sessions)] == [1, 3]
    assert [(e[0], e[4]) for e in await entries(sessions)] == [(2, False), (3, True)]


async def test_delete_sales_cycle_stage_is_refused_while_an_active_entry_sits_on_it(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle(sessions, *on_stage("OP1", 2, active=True))
    before = await stages(sessions)

    data = await gql.query(DELETE, {"input": {"salesCycleCode": "NEW", "stage": 2}})

    assert errors(data, "deleteSalesCycleStage") == [("IN_USE", ["stage"])]
    assert data["deleteSalesCycleStage"]["userErrors"][0]["message"] == (
        "You cannot delete a stage which has active entries."
    )
    assert data["deleteSalesCycleStage"]["deletedId"] is None
    assert await stages(sessions) == before


@pytest.mark.parametrize(("key", "expected"), [(("NOPE", 1), ["salesCycleCode"]), (("NEW", 4), ["stage"])])
async def test_delete_sales_cycle_stage_of_an_unknown_stage_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory, key: tuple[str, int], expected: list[str]
) -> None:
    await given_cycle(sessions)
    before = await stages(sessions)

    data = await gql.query(DELETE, {"input": {"salesCycleCode": key[0], "stage": key[1]}})

    assert errors(data, "deleteSalesCycleStage") == [("NOT_FOUND", expected)]
    assert await stages(sessions) == before
