"""createActivity, updateActivity and deleteActivity through GraphQL (domain.md §1.6, §4, §6.1;
api.md §6): validation of the activity and its steps, steps replaced as a whole, the IN_USE guard,
and tasks generated from the new steps after an update."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

import models
from models import OpportunityStatus, Priority, TaskType
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

ACTIVITY = "activity { id code description steps { stepNo type description priority dateFormula } }"
ERRORS = "userErrors { code field message }"
CREATE = f"""mutation($input: CreateActivityInput!) {{
  createActivity(input: $input) {{ {ACTIVITY} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateActivityInput!) {{
  updateActivity(input: $input) {{ {ACTIVITY} {ERRORS} }} }}"""
DELETE = (
    f"""mutation($input: DeleteActivityInput!) {{ deleteActivity(input: $input) {{ deletedId {ERRORS} }} }}"""
)
ACTIVATE = """mutation($input: ActivateFirstStageInput!) { activateFirstStage(input: $input) {
  createdTasks { description type priority date } userErrors { code field } } }"""
STAGE = """mutation($input: UpdateOpportunityStageInput!) { updateOpportunityStage(input: $input) {
  createdTasks { description type priority date } userErrors { code field } } }"""

Row = tuple[Any, ...]
Errors = list[tuple[str, list[str] | None]]


async def call(gql: GraphQLClient, document: str, **input: Any) -> dict[str, Any]:
    data = await gql.query(document, {"input": input})
    payload: dict[str, Any] = next(iter(data.values()))
    return payload


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    activity: dict[str, Any] = payload["activity"]
    return activity


def refused(payload: dict[str, Any]) -> Errors:
    assert payload.get("activity") is None
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def stored(sessions: SessionFactory) -> tuple[list[Row], list[Row]]:
    """Every activity (code, description) and step (activity, no, type, description, priority, formula)."""
    a, s = models.Activity, models.ActivityStep
    async with sessions() as session:
        activities = await session.execute(select(a.code, a.description).order_by(a.code))
        steps = await session.execute(
            select(s.activity_code, s.step_no, s.type, s.description, s.priority, s.date_formula).order_by(
                s.activity_code, s.step_no
            )
        )
        return [tuple(r) for r in activities], [tuple(r) for r in steps]


async def given_activity(sessions: SessionFactory) -> None:
    """Activity ACT with steps 1 "Call" (phone call, high, 1D) and 2 "Meet" (meeting, normal, 2D)."""
    await b.insert(sessions, *b.activity("ACT", (1, "Call"), (2, "Meet"), description="Follow-up"))


OLD_STEPS: list[Row] = [
    ("ACT", 1, TaskType.PHONE_CALL, "Call", Priority.HIGH, "1D"),
    ("ACT", 2, TaskType.MEETING, "Meet", Priority.NORMAL, "2D"),
]

# --- create ----------------------------------------------------------------------------------------


async def test_create_activity_stores_it_with_its_steps(gql: GraphQLClient, sessions: SessionFactory) -> None:
    steps = [
        {
            "stepNo": 20,
            "type": "MEETING",
            "description": " Demo ",
            "priority": "HIGH",
            "dateFormula": "<1w + 2d>",
        },
        {"stepNo": 10, "description": "Intro call"},
    ]

    activity = ok(await call(gql, CREATE, code=" init ", description=" Initial ", steps=steps))

    assert activity["code"] == "INIT"
    assert activity["description"] == "Initial"
    assert activity["steps"] == [
        {"stepNo": 10, "type": "NONE", "description": "Intro call", "priority": "NORMAL", "dateFormula": ""},
        {"stepNo": 20, "type": "MEETING", "description": "Demo", "priority": "HIGH", "dateFormula": "1W+2D"},
    ]
    assert await stored(sessions) == (
        [("INIT", "Initial")],
        [
            ("INIT", 10, TaskType.NONE, "Intro call", Priority.NORMAL, ""),
            ("INIT", 20, TaskType.MEETING, "Demo", Priority.HIGH, "1W+2D"),
        ],
    )
    node = await gql.query(
        "query($id: ID!) { node(id: $id) { ... on Activity { code } } }", {"id": activity["id"]}
    )
    assert node == {"node": {"code": "INIT"}}


async def test_create_activity_without_steps(gql: GraphQLClient, sessions: SessionFactory) -> None:
    activity = ok(await call(gql, CREATE, code="EMPTY", description="No steps"))

    assert activity["steps"] == []
    assert await stored(sessions) == ([("EMPTY", "No steps")], [])


async def test_create_activity_refuses_an_existing_code(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_activity(sessions)

    errors = refused(
        await call(gql, CREATE, code="act", description="Other", steps=[{"stepNo": 1, "description": "X"}])
    )

    assert errors == [("DUPLICATE", ["code"])]
    assert await stored(sessions) == ([("ACT", "Follow-up")], OLD_STEPS)


STEP = {"stepNo": 1, "description": "Call"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"code": "  "}, [("REQUIRED", ["code"])]),
        ({"code": "A" * 11}, [("TOO_LONG", ["code"])]),
        ({"description": " "}, [("REQUIRED", ["description"])]),
        ({"description": "D" * 101}, [("TOO_LONG", ["description"])]),
        ({"steps": [STEP, {"stepNo": 0, "description": "Zero"}]}, [("INVALID", ["steps", "1", "stepNo"])]),
        ({"steps": [STEP, {**STEP, "description": "Again"}]}, [("DUPLICATE", ["steps", "1", "stepNo"])]),
        ({"steps": [{"stepNo": 1, "description": ""}]}, [("REQUIRED", ["steps", "0", "description"])]),
        ({"steps": [{"stepNo": 1, "description": "D" * 101}]}, [("TOO_LONG", ["steps", "0", "description"])]),
        ({"steps": [{**STEP, "dateFormula": "1X"}]}, [("INVALID", ["steps", "0", "dateFormula"])]),
        ({"steps": [{**STEP, "dateFormula": "+1D" * 12}]}, [("TOO_LONG", ["steps", "0", "dateFormula"])]),
        ({"steps": [{"stepNo": n, "description": "S"} for n in range(1, 102)]}, [("INVALID", ["steps"])]),
    ],
)
async def test_create_activity_refuses_a_broken_rule_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory, change: dict[str, Any], expected: Errors
) -> None:
    input = {"code": "NEW", "description": "New", "steps": [STEP], **change}

    assert refused(await call(gql, CREATE, **input)) == expected
    assert await stored(sessions) == ([], [])


async def test_create_activity_reports_every_broken_rule(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    steps = [{"stepNo": -1, "description": " ", "dateFormula": "soon"}, STEP, STEP]

    errors = refused(await call(gql, CREATE, code="", description="", steps=steps))

    assert errors == [
        ("REQUIRED", ["code"]),
        ("REQUIRED", ["description"]),
        ("INVALID", ["steps", "0", "stepNo"]),
        ("REQUIRED", ["steps", "0", "description"]),
        ("INVALID", ["steps", "0", "dateFormula"]),
        ("DUPLICATE", ["steps", "2", "stepNo"]),
    ]
    assert await stored(sessions) == ([], [])


async def test_create_activity_takes_100_steps(gql: GraphQLClient, sessions: SessionFactory) -> None:
    steps = [{"stepNo": n, "description": f"Step {n}"} for n in range(1, 101)]

    activity = ok(await call(gql, CREATE, code="BIG", description="Many", steps=steps))

    assert [s["stepNo"] for s in activity["steps"]] == list(range(1, 101))
    assert len((await stored(sessions))[1]) == 100


# --- update ----------------------------------------------------------------------------------------


async def test_update_activity_replaces_the_steps_as_a_whole(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_activity(sessions)
    steps = [
        {"stepNo": 2, "description": "Send offer", "priority": "LOW", "dateFormula": "CM"},
        {"stepNo": 5, "description": "Close"},
    ]

    activity = ok(await call(gql, UPDATE, code="act", description="Revised", steps=steps))

    assert activity["description"] == "Revised"
    assert [(s["stepNo"], s["description"]) for s in activity["steps"]] == [(2, "Send offer"), (5, "Close")]
    assert await stored(sessions) == (
        [("ACT", "Revised")],
        [
            ("ACT", 2, TaskType.NONE, "Send offer", Priority.LOW, "CM"),
            ("ACT", 5, TaskType.NONE, "Close", Priority.NORMAL, ""),
        ],
    )


async def test_update_activity_leaves_omitted_fields_unchanged(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_activity(sessions)

    assert ok(await call(gql, UPDATE, code="ACT", description="Only the text"))["steps"] != []
    assert await stored(sessions) == ([("ACT", "Only the text")], OLD_STEPS)

    ok(await call(gql, UPDATE, code="ACT", steps=[{"stepNo": 1, "description": "Only the steps"}]))
    assert await stored(sessions) == (
        [("ACT", "Only the text")],
        [("ACT", 1, TaskType.NONE, "Only the steps", Priority.NORMAL, "")],
    )

    ok(await call(gql, UPDATE, code="ACT"))
    assert (await stored(sessions))[0] == [("ACT", "Only the text")]


@pytest.mark.parametrize("steps", [None, []])
async def test_update_activity_with_null_or_no_steps_removes_them(
    gql: GraphQLClient, sessions: SessionFactory, steps: list[Any] | None
) -> None:
    await given_activity(sessions)

    assert ok(await call(gql, UPDATE, code="ACT", steps=steps))["steps"] == []
    assert await stored(sessions) == ([("ACT", "Follow-up")], [])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"code": "NOPE"}, [("NOT_FOUND", ["code"])]),
        ({"description": None}, [("REQUIRED", ["description"])]),
        ({"description": "  "}, [("REQUIRED", ["description"])]),
        ({"steps": [STEP, {"stepNo": 1, "description": "Twice"}]}, [("DUPLICATE", ["steps", "1", "stepNo"])]),
        (
            {"description": None, "steps": [{"stepNo": 0, "description": "Zero", "dateFormula": "1Z"}]},
            [
                ("REQUIRED", ["description"]),
                ("INVALID", ["steps", "0", "stepNo"]),
                ("INVALID", ["steps", "0", "dateFormula"]),
            ],
        ),
    ],
)
async def test_update_activity_refuses_a_broken_rule_and_keeps_the_old_steps(
    gql: GraphQLClient, sessions: SessionFactory, change: dict[str, Any], expected: Errors
) -> None:
    await given_activity(sessions)

    assert refused(await call(gql, UPDATE, **{"code": "ACT", **change})) == expected
    assert await stored(sessions) == ([("ACT", "Follow-up")], OLD_STEPS)


# --- delete ----------------------------------------------------------------------------------------


async def test_delete_activity_deletes_its_steps(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_activity(sessions)
    await b.insert(sessions, *b.activity("KEEP", (1, "Stay")))
    ids = await gql.query('{ activity(code: "ACT") { id } }')

    payload = await call(gql, DELETE, code=" act ")

    assert payload == {"deletedId": ids["activity"]["id"], "userErrors": []}
    activities, steps = await stored(sessions)
    assert activities == [("KEEP", "Activity KEEP")]
    assert [s[:2] for s in steps] == [("KEEP", 1)]


async def test_delete_activity_refuses_while_a_stage_uses_it(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_activity(sessions)
    await b.insert(
        sessions,
        *f.cycle("CYC", stages=0),
        b.stage("CYC", 1),
        b.stage("CYC", 3, activity_code="ACT"),
        *f.cycle("ZZZ", stages=0),
        b.stage("ZZZ", 1, activity_code="ACT"),
    )

    payload = await call(gql, DELETE, code="ACT")

    assert payload["deletedId"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("IN_USE", ["code"])]
    assert "stage 3 of sales cycle CYC and 1 other" in payload["userErrors"][0]["message"]
    assert await stored(sessions) == ([("ACT", "Follow-up")], OLD_STEPS)


async def test_delete_activity_of_an_unknown_code_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_activity(sessions)

    payload = await call(gql, DELETE, code="NOPE")

    assert payload == {
        "deletedId": None,
        "userErrors": [{"code": "NOT_FOUND", "field": ["code"], "message": "Activity NOPE does not exist."}],
    }
    assert await stored(sessions) == ([("ACT", "Follow-up")], OLD_STEPS)


# --- generated tasks ------------------------------------------------------------------------------


async def test_a_stage_entered_after_an_update_generates_tasks_from_the_new_steps(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_activity(sessions)
    contact = f.company("C")
    await b.insert(
        sessions,
        f.salesperson("S"),
        contact,
        *f.cycle("CYC", stages=0),
        b.stage("CYC", 1, activity_code="ACT", chances_of_success_pct=Decimal(50)),
        b.stage("CYC", 2, activity_code="ACT", chances_of_success_pct=Decimal(60)),
        f.opportunity("O", contact, "S", "CYC", status=OpportunityStatus.NOT_STARTED, version=1),
    )
    first = await call(gql, ACTIVATE, no="O", dateOfChange="2024-03-01")
    assert first["userErrors"] == []
    assert [(t["description"], t["date"]) for t in first["createdTasks"]] == [
        ("Call", "2024-03-02"),
        ("Meet", "2024-03-03"),
    ]
    new_steps = [
        {
            "stepNo": 7,
            "type": "PHONE_CALL",
            "description": "Check budget",
            "priority": "HIGH",
            "dateFormula": "1W",
        }
    ]
    ok(await call(gql, UPDATE, code="ACT", steps=new_steps))

    second = await call(gql, STAGE, no="O", action="NEXT", dateOfChange="2024-03-04", estimatedValue="100")

    assert second["userErrors"] == []
    assert second["createdTasks"] == [
        {"description": "Check budget", "type": "PHONE_CALL", "priority": "HIGH", "date": "2024-03-11"}
    ]
    async with sessions() as session:
        tasks = await session.execute(
            select(models.Task.description, models.Task.date).order_by(models.Task.no)
        )
    assert [tuple(t) for t in tasks] == [
        ("Call", dt.date(2024, 3, 2)),
        ("Meet", dt.date(2024, 3, 3)),
        ("Check budget", dt.date(2024, 3, 11)),
    ]
