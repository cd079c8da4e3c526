"""The userErrors of activateFirstStage, updateOpportunityStage and closeOpportunity about the
opportunity's position (api.md §6, domain.md §2.4, §2.5, §11.1, §11.2): closed, not started, no
stages, an action or stage not offered, a quote required, dates before the last change. Each checks
the exact code and field, a payload without opportunity or entry, and that nothing was written."""

from __future__ import annotations

from typing import Any

import pytest

from models import OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.lifecycle_api import ACTIVATE, CLOSE, STAGE, given, link_quote, ok, refuse, state

WON, LOST = OpportunityStatus.WON, OpportunityStatus.LOST


# --- OPPORTUNITY_CLOSED, OPPORTUNITY_NOT_STARTED, NO_STAGES --------------------------------------


@pytest.mark.parametrize("status", [WON, LOST])
@pytest.mark.parametrize(
    ("document", "input"),
    [
        (ACTIVATE, {}),
        (STAGE, {"action": "UPDATE", "estimatedValue": "100"}),
        (STAGE, {"action": "FIRST", "estimatedValue": "100"}),
        (CLOSE, {"outcome": "LOST", "closeOpportunityCode": "LOST1"}),
        (CLOSE, {"outcome": "WON", "closeOpportunityCode": "WON1", "salesValue": "100"}),
    ],
)
async def test_a_won_or_lost_opportunity_is_closed_to_every_lifecycle_change(
    gql: GraphQLClient,
    sessions: SessionFactory,
    status: OpportunityStatus,
    document: str,
    input: dict[str, Any],
) -> None:
    before = await given(sessions, stage=None, status=status)

    assert await refuse(gql, document, **input) == [("OPPORTUNITY_CLOSED", None)]
    assert await state(sessions) == before


@pytest.mark.parametrize("action", ["NEXT", "PREVIOUS", "UPDATE", "SKIP", "JUMP"])
async def test_a_stage_action_other_than_first_needs_a_started_opportunity(
    gql: GraphQLClient, sessions: SessionFactory, action: str
) -> None:
    before = await given(sessions, stage=None)

    errors = await refuse(gql, STAGE, action=action, estimatedValue="100")

    assert errors == [("OPPORTUNITY_NOT_STARTED", ["action"])]
    assert await state(sessions) == before


async def test_first_on_a_cycle_without_stages_finds_no_stages(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions, stage=None, cycle="EMPTY")

    errors = await refuse(gql, STAGE, action="FIRST", estimatedValue="100", dateOfChange="2024-01-10")

    assert errors == [("NO_STAGES", None)]
    assert await state(sessions) == before


async def test_activating_on_a_cycle_without_stages_finds_no_stages(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions, stage=None, cycle="EMPTY")

    assert await refuse(gql, ACTIVATE, dateOfChange="2024-01-10") == [("NO_STAGES", None)]
    assert await state(sessions) == before


# --- ACTION_NOT_AVAILABLE, STAGE_NOT_AVAILABLE ---------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "input"),
    [
        (2, {"action": "FIRST"}),
        (3, {"action": "SKIP"}),  # Skip from 3 reaches only [4]
        (3, {"action": "SKIP", "stage": 4}),
        (2, {"action": "JUMP"}),  # Jump from 2 reaches only [1]
        (2, {"action": "JUMP", "stage": 1}),
        (1, {"action": "PREVIOUS"}),
        (5, {"action": "NEXT"}),
    ],
)
async def test_an_action_that_is_not_offered_is_not_available(
    gql: GraphQLClient, sessions: SessionFactory, stage: int, input: dict[str, Any]
) -> None:
    before = await given(sessions, stage=stage)

    errors = await refuse(gql, STAGE, dateOfChange="2024-01-20", **input)

    assert errors == [("ACTION_NOT_AVAILABLE", ["action"])]
    assert await state(sessions) == before


async def test_activating_a_started_opportunity_is_not_available(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions, stage=1)

    assert await refuse(gql, ACTIVATE, dateOfChange="2024-01-20") == [("ACTION_NOT_AVAILABLE", ["no"])]
    assert await state(sessions) == before


@pytest.mark.parametrize(
    ("stage", "action", "target"),
    [
        (1, "SKIP", 5),  # Skip from 1 stops after 4, the first stage without allowSkip
        (1, "SKIP", 1),
        (1, "SKIP", 9),
        (3, "JUMP", 4),  # Jump goes back only
        (3, "JUMP", 3),
    ],
)
async def test_a_target_outside_the_actions_list_is_not_available(
    gql: GraphQLClient, sessions: SessionFactory, stage: int, action: str, target: int
) -> None:
    before = await given(sessions, stage=stage)

    errors = await refuse(gql, STAGE, action=action, stage=target, dateOfChange="2024-01-20")

    assert errors == [("STAGE_NOT_AVAILABLE", ["stage"])]
    assert await state(sessions) == before


# --- QUOTE_REQUIRED ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "input"),
    [(2, {"action": "NEXT"}), (2, {"action": "SKIP", "stage": 3}), (1, {"action": "SKIP", "stage": 3})],
)
async def test_next_or_skip_into_a_quote_required_stage_without_a_quote_is_refused(
    gql: GraphQLClient, sessions: SessionFactory, stage: int, input: dict[str, Any]
) -> None:
    before = await given(sessions, stage=stage)

    errors = await refuse(gql, STAGE, dateOfChange="2024-01-20", **input)

    assert errors == [("QUOTE_REQUIRED", ["stage"])]
    assert await state(sessions) == before


async def test_next_into_a_quote_required_stage_with_a_linked_quote_goes_ahead(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given(sessions, stage=2)
    await link_quote(sessions, "O", "Q1", ("1", "8000", "0"))

    data = await gql.query(STAGE, {"input": {"no": "O", "action": "NEXT", "dateOfChange": "2024-01-20"}})

    entry = ok(data, "updateOpportunityStage")["entry"]
    assert (entry["stageNo"], entry["actionTaken"], entry["estimatedValue"]) == (3, "NEXT", "8000.00")


# --- DATE_BEFORE_LAST_CHANGE, CLOSE_DATE_BEFORE_CHANGE -------------------------------------------


async def test_a_date_of_change_before_the_active_entrys_is_refused(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions)

    errors = await refuse(gql, STAGE, action="UPDATE", dateOfChange="2024-01-09")

    assert errors == [("DATE_BEFORE_LAST_CHANGE", ["dateOfChange"])]
    assert await state(sessions) == before


async def test_a_closing_date_before_the_active_entrys_is_refused(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions)

    errors = await refuse(gql, CLOSE, outcome="LOST", closeOpportunityCode="LOST1", closingDate="2024-01-09")

    assert errors == [("DATE_BEFORE_LAST_CHANGE", ["closingDate"])]
    assert await state(sessions) == before


async def test_a_stage_update_on_the_active_entrys_date_goes_ahead(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given(sessions)

    data = await gql.query(STAGE, {"input": {"no": "O", "action": "UPDATE", "dateOfChange": "2024-01-10"}})

    assert ok(data, "updateOpportunityStage")["entry"]["dateOfChange"] == "2024-01-10"
    assert [(e[0], e[2], e[3]) for e in (await state(sessions)).entries] == [
        (1, False, 5),
        (2, False, 0),
        (3, True, 0),
    ]


async def test_a_close_on_the_active_entrys_date_goes_ahead(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given(sessions)

    data = await gql.query(
        CLOSE,
        {
            "input": {
                "no": "O",
                "outcome": "LOST",
                "closeOpportunityCode": "LOST1",
                "closingDate": "2024-01-10",
            }
        },
    )

    payload = ok(data, "closeOpportunity")
    assert (payload["entry"]["dateOfChange"], payload["opportunity"]["dateClosed"]) == (
        "2024-01-10",
        "2024-01-10",
    )
    assert [(e[0], e[2], e[3]) for e in (await state(sessions)).entries] == [
        (1, False, 5),
        (2, False, 0),
        (3, True, 0),
    ]


async def test_an_estimated_close_date_before_the_date_of_change_is_refused(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions, stage=1)

    errors = await refuse(
        gql, STAGE, action="UPDATE", dateOfChange="2024-01-15", estimatedCloseDate="2024-01-14"
    )

    assert errors == [("CLOSE_DATE_BEFORE_CHANGE", ["estimatedCloseDate"])]
    assert await state(sessions) == before


async def test_an_estimated_close_date_equal_to_the_date_of_change_takes_the_stage_formula(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given(sessions, stage=1)

    data = await gql.query(
        STAGE,
        {
            "input": {
                "no": "O",
                "action": "UPDATE",
                "dateOfChange": "2024-01-15",
                "estimatedCloseDate": "2024-01-15",
            }
        },
    )

    assert ok(data, "updateOpportunityStage")["entry"]["estimatedCloseDate"] == "2024-01-22"  # 1W
