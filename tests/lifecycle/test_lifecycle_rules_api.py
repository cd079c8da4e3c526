"""The lifecycle rules through GraphQL: several broken rules at once, dry runs, the Update
command's defaults, and what Jump and Skip record (domain.md §2.5, §11.1, §11.6; api.md §6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.lifecycle_api import (
    ACTIVATE,
    ACTIVE_DAY,
    CLOSE,
    STAGE,
    close,
    figures,
    given,
    kpis,
    link_quote,
    ok,
    refuse,
    stage,
    state,
    today,
)

# --- several rules at once -----------------------------------------------------------------------


async def test_a_stage_update_breaking_several_rules_gets_one_error_each_in_order(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions, stage=2)
    input = {
        "action": "NEXT",
        "dateOfChange": "2024-01-09",
        "estimatedValue": "0",
        "estimatedCloseDate": "2024-01-08",
    }

    errors = await refuse(gql, STAGE, **input)

    assert errors == [
        ("DATE_BEFORE_LAST_CHANGE", ["dateOfChange"]),
        ("QUOTE_REQUIRED", ["stage"]),
        ("MUST_BE_POSITIVE", ["estimatedValue"]),
        ("CLOSE_DATE_BEFORE_CHANGE", ["estimatedCloseDate"]),
    ]
    assert await state(sessions) == before


async def test_value_and_chances_not_positive_are_two_errors_after_the_date(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions, stage=1, cycle="ZERO")

    errors = await refuse(gql, STAGE, action="UPDATE", dateOfChange="2024-01-09", estimatedValue="-1")

    assert errors == [
        ("DATE_BEFORE_LAST_CHANGE", ["dateOfChange"]),
        ("MUST_BE_POSITIVE", ["estimatedValue"]),
        ("MUST_BE_POSITIVE", ["chancesOfSuccessPct"]),
    ]
    assert await state(sessions) == before


async def test_a_close_breaking_several_rules_gets_one_error_each_in_order(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions)
    input = {
        "outcome": "WON",
        "closeOpportunityCode": "LOST1",
        "closingDate": "2024-01-09",
        "salesValue": "0",
    }

    errors = await refuse(gql, CLOSE, **input)

    assert errors == [
        ("CLOSE_CODE_TYPE_MISMATCH", ["closeOpportunityCode"]),
        ("DATE_BEFORE_LAST_CHANGE", ["closingDate"]),
        ("MUST_BE_POSITIVE", ["salesValue"]),
    ]
    assert await state(sessions) == before


# --- dry runs ------------------------------------------------------------------------------------


async def test_a_dry_run_stage_move_returns_the_would_be_entry_and_tasks_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions, stage=4)
    input = {
        "action": "NEXT",
        "dateOfChange": "2024-01-20",
        "estimatedValue": "20000",
        "cancelOldTasks": True,
    }

    dry = await stage(gql, **input, dryRun=True)

    would_be = (5, 4, "NEXT", "2024-01-20", "20000.00", "16200.00", "90", "90", "81", "2024-02-03")
    assert figures(dry["entry"]) == would_be
    assert dry["entry"]["active"] is True
    new_tasks = [
        ("TD000001", "2024-01-21", "Call", False, False, "NOT_STARTED"),
        ("TD000002", "2024-01-22", "Meet", False, False, "NOT_STARTED"),
    ]
    assert [tuple(t.values()) for t in dry["createdTasks"]] == new_tasks
    kpi = ("IN_PROGRESS", False, None, 2, 5, "20000.00", "16200.00", "90", "90", "81", "2024-02-03")
    assert kpis(dry["opportunity"]) == kpi
    assert await state(sessions) == before  # entries, version, tasks, and the task series' next number

    # The real move writes what the dry run showed, numbering its tasks from the same next number.
    real = await stage(gql, **input)
    assert (figures(real["entry"]), kpis(real["opportunity"])) == (would_be, kpi)
    assert [tuple(t.values()) for t in real["createdTasks"]] == new_tasks


async def test_a_dry_run_close_returns_the_would_be_entry_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions, stage=4)

    dry = await close(
        gql,
        outcome="WON",
        closeOpportunityCode="WON1",
        closingDate="2024-01-20",
        salesValue="9000",
        dryRun=True,
    )

    assert figures(dry["entry"]) == (
        0,
        4,
        "WON",
        "2024-01-20",
        "10000.00",
        "9000.00",
        "100",
        "100",
        "100",
        "2024-01-20",
    )
    assert (dry["entry"]["dateClosed"], dry["entry"]["closeOpportunityCode"]) == (
        "2024-01-20",
        {"code": "WON1"},
    )
    assert kpis(dry["opportunity"]) == (
        "WON",
        True,
        "2024-01-20",
        2,
        None,
        "10000.00",
        "9000.00",
        "100",
        "100",
        "100",
        "2024-01-20",
    )
    assert await state(sessions) == before  # the open task O-T1 was not cancelled either


# --- the Update command's defaults (§2.5) --------------------------------------------------------


async def test_the_date_of_change_defaults_to_today_after_a_past_active_entry(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given(sessions, stage=2)

    entry = (await stage(gql, action="UPDATE"))["entry"]

    now = today()
    assert (entry["dateOfChange"], entry["estimatedCloseDate"]) == (now.isoformat(), now.isoformat())
    assert [e[3] for e in (await state(sessions)).entries] == [5, (now - ACTIVE_DAY).days, 0]


async def test_the_date_of_change_defaults_to_a_later_active_entrys_date(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    later = today() + dt.timedelta(days=5)
    await given(sessions, stage=2, on=later)

    entry = (await stage(gql, action="UPDATE"))["entry"]

    assert entry["dateOfChange"] == later.isoformat()
    assert [(e[2], e[3]) for e in (await state(sessions)).entries][1:] == [(False, 0), (True, 0)]


@pytest.mark.parametrize(
    ("quote", "value", "expected"),
    [(False, None, "10000.00"), (True, None, "246.00"), (True, "300", "300.00")],
)
async def test_the_estimated_value_defaults_to_the_current_one_or_the_linked_quotes_amount(
    gql: GraphQLClient, sessions: SessionFactory, quote: bool, value: str | None, expected: str
) -> None:
    await given(sessions, stage=2)
    if quote:
        await link_quote(sessions, "O", "Q1", ("2", "100.50", "0"), ("1", "50", "10"))  # 201 + 45

    entry = (await stage(gql, action="UPDATE", dateOfChange="2024-01-20", estimatedValue=value))["entry"]

    assert entry["estimatedValue"] == expected


@pytest.mark.parametrize(
    ("chances", "expected", "probability"), [(None, "60", "24"), ("0", "60", "24"), ("33", "33", "13.2")]
)
async def test_the_chances_default_to_the_stages_when_omitted_or_0(
    gql: GraphQLClient, sessions: SessionFactory, chances: str | None, expected: str, probability: str
) -> None:
    await given(sessions, stage=2)

    entry = (await stage(gql, action="UPDATE", dateOfChange="2024-01-20", chancesOfSuccessPct=chances))[
        "entry"
    ]

    assert (entry["chancesOfSuccessPct"], entry["completedPct"], entry["probabilityPct"]) == (
        expected,
        "40",
        probability,
    )


async def test_update_records_updated_and_creates_no_tasks_even_on_a_stage_with_an_activity(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions, stage=1)

    payload = await stage(gql, action="UPDATE", dateOfChange="2024-01-20")

    assert figures(payload["entry"])[:4] == (1, 1, "UPDATED", "2024-01-20")
    assert payload["createdTasks"] == []
    after = await state(sessions)
    assert (after.tasks, after.next_task_no) == (before.tasks, 1)


# --- what Jump and Skip record, and where quotes are not checked (§2.5, §11.1, §11.6) -------------


@pytest.mark.parametrize(
    ("target", "taken", "chances", "probability", "tasks_created"),
    [(3, "PREVIOUS", "70", "42", 0), (None, "PREVIOUS", "70", "42", 0), (1, "JUMPED", "50", "5", 2)],
)
async def test_jump_records_previous_for_the_adjacent_stage_else_jumped_with_forced_chances(
    gql: GraphQLClient,
    sessions: SessionFactory,
    target: int | None,
    taken: str,
    chances: str,
    probability: str,
    tasks_created: int,
) -> None:
    await given(sessions, stage=4)

    payload = await stage(
        gql, action="JUMP", stage=target, dateOfChange="2024-01-20", chancesOfSuccessPct="33"
    )

    entry = payload["entry"]
    assert (entry["stageNo"], entry["actionTaken"]) == (target or 3, taken)
    assert (entry["chancesOfSuccessPct"], entry["probabilityPct"]) == (chances, probability)
    assert len(payload["createdTasks"]) == tasks_created


@pytest.mark.parametrize(
    ("target", "taken", "chances", "probability"), [(2, "NEXT", "60", "24"), (4, "JUMPED", "80", "64")]
)
async def test_skip_records_next_for_the_adjacent_stage_else_jumped_with_forced_chances(
    gql: GraphQLClient, sessions: SessionFactory, target: int, taken: str, chances: str, probability: str
) -> None:
    await given(sessions, stage=1)

    payload = await stage(
        gql, action="SKIP", stage=target, dateOfChange="2024-01-20", chancesOfSuccessPct="33"
    )

    entry = payload["entry"]
    assert (entry["stageNo"], entry["previousStageNo"], entry["actionTaken"]) == (target, 1, taken)
    assert (entry["chancesOfSuccessPct"], entry["probabilityPct"]) == (chances, probability)


@pytest.mark.parametrize(
    ("cycle", "at", "input", "expected"),
    [
        ("CYC", 4, {"action": "PREVIOUS"}, (3, "PREVIOUS", "15")),
        ("CYC", 5, {"action": "JUMP", "stage": 3}, (3, "JUMPED", "70")),
        ("CYC", 3, {"action": "UPDATE"}, (3, "UPDATED", "15")),
        ("CYC", 2, {"action": "SKIP", "stage": 4}, (4, "JUMPED", "80")),  # passes over stage 3
        ("QFIRST", None, {"action": "FIRST", "estimatedValue": "500"}, (1, "STARTED", "15")),
    ],
)
async def test_quote_required_is_not_checked_outside_next_and_skip_into_the_stage(
    gql: GraphQLClient,
    sessions: SessionFactory,
    cycle: str,
    at: int | None,
    input: dict[str, Any],
    expected: tuple[int, str, str],
) -> None:
    # Skip and Jump force the target stage's default chances; the other actions keep the input.
    await given(sessions, stage=at, cycle=cycle)

    entry = (await stage(gql, dateOfChange="2024-01-20", chancesOfSuccessPct="15", **input))["entry"]

    assert (entry["stageNo"], entry["actionTaken"], entry["chancesOfSuccessPct"]) == expected


async def test_activating_the_first_stage_does_not_check_its_quote_requirement(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given(sessions, stage=None, cycle="QFIRST")

    data = await gql.query(ACTIVATE, {"input": {"no": "O", "dateOfChange": "2024-01-20"}})

    entry = ok(data, "activateFirstStage")["entry"]
    assert figures(entry) == (1, 0, "STARTED", "2024-01-20", "0.00", "0.00", "20", "30", "6", "2024-01-20")
