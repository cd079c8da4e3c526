"""Every userError of activateFirstStage, updateOpportunityStage and closeOpportunity about the
request's own values (api.md §6): unknown or missing references, values out of range or not
positive, a close code of the other outcome, a stale version. Each checks the exact code and field,
a payload without opportunity or entry, and that nothing was written (entries, days open, version,
tasks, the task number series). The rules about the opportunity's position are in
``test_lifecycle_stage_errors.py``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from models import ActionTaken, OpportunityStatus, TaskStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.lifecycle_api import (
    ACTIVATE,
    CLOSE,
    MUTATION,
    STAGE,
    State,
    given,
    link_quote,
    ok,
    refuse,
    state,
)


async def test_the_given_opportunity_at_stage_2_has_history_and_tasks(sessions: SessionFactory) -> None:
    # What the refusals below must leave untouched.
    before = await given(sessions)

    assert before == State(
        version=1,
        status=OpportunityStatus.IN_PROGRESS,
        entries=(
            (1, 1, False, 5, ActionTaken.STARTED, Decimal("10000.00")),
            (2, 2, True, 0, ActionTaken.NEXT, Decimal("10000.00")),
        ),
        tasks=(("O-T1", False, False, TaskStatus.NOT_STARTED), ("O-T2", True, False, TaskStatus.COMPLETED)),
        next_task_no=1,
    )


# --- NOT_FOUND, REQUIRED -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "input"),
    [
        (ACTIVATE, {}),
        (STAGE, {"action": "UPDATE"}),
        (CLOSE, {"outcome": "LOST", "closeOpportunityCode": "LOST1"}),
    ],
)
async def test_an_unknown_opportunity_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory, document: str, input: dict[str, Any]
) -> None:
    before = await given(sessions)

    assert await refuse(gql, document, **{**input, "no": "NOPE"}) == [("NOT_FOUND", ["no"])]
    assert await state(sessions) == before


async def test_closing_with_an_unknown_close_code_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions)

    errors = await refuse(gql, CLOSE, outcome="LOST", closeOpportunityCode="NOPE")

    assert errors == [("NOT_FOUND", ["closeOpportunityCode"])]
    assert await state(sessions) == before


async def test_closing_with_a_blank_close_code_is_required(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions)

    errors = await refuse(gql, CLOSE, outcome="LOST", closeOpportunityCode=" ")

    assert errors == [("REQUIRED", ["closeOpportunityCode"])]
    assert await state(sessions) == before


async def test_winning_without_sales_value_or_quote_requires_the_sales_value(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions)

    errors = await refuse(gql, CLOSE, outcome="WON", closeOpportunityCode="WON1", closingDate="2024-01-20")

    assert errors == [("REQUIRED", ["salesValue"])]
    assert await state(sessions) == before


async def test_activating_without_a_sales_cycle_requires_one(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await given(sessions, stage=None, cycle=None)

    assert await refuse(gql, ACTIVATE, dateOfChange="2024-01-10") == [("REQUIRED", None)]
    assert await state(sessions) == before


# --- INVALID, MUST_BE_POSITIVE -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("chancesOfSuccessPct", "101"),
        ("chancesOfSuccessPct", "-1"),
        ("chancesOfSuccessPct", "NaN"),
        ("estimatedValue", "1e30"),
        ("estimatedValue", "Infinity"),
        ("estimatedValue", "NaN"),
        ("estimatedValue", "10000000000000000.00"),
    ],
)
async def test_a_stage_update_with_a_value_out_of_range_is_invalid(
    gql: GraphQLClient, sessions: SessionFactory, field: str, value: str
) -> None:
    before = await given(sessions)

    errors = await refuse(gql, STAGE, action="UPDATE", dateOfChange="2024-01-20", **{field: value})

    assert errors == [("INVALID", [field])]
    assert await state(sessions) == before


@pytest.mark.parametrize("value", ["1e30", "-Infinity", "NaN"])
async def test_a_close_with_a_sales_value_that_is_not_an_amount_is_invalid(
    gql: GraphQLClient, sessions: SessionFactory, value: str
) -> None:
    before = await given(sessions)

    errors = await refuse(gql, CLOSE, outcome="WON", closeOpportunityCode="WON1", salesValue=value)

    assert errors == [("INVALID", ["salesValue"])]
    assert await state(sessions) == before


@pytest.mark.parametrize("value", ["0", "0.00", "-5"])
async def test_an_estimated_value_that_is_not_positive_is_refused(
    gql: GraphQLClient, sessions: SessionFactory, value: str
) -> None:
    before = await given(sessions)

    errors = await refuse(gql, STAGE, action="UPDATE", dateOfChange="2024-01-20", estimatedValue=value)

    assert errors == [("MUST_BE_POSITIVE", ["estimatedValue"])]
    assert await state(sessions) == before


@pytest.mark.parametrize("chances", [None, "0"])
async def test_chances_that_end_up_0_on_a_stage_whose_default_is_0_are_refused(
    gql: GraphQLClient, sessions: SessionFactory, chances: str | None
) -> None:
    before = await given(sessions, stage=1, cycle="ZERO")

    errors = await refuse(gql, STAGE, action="UPDATE", dateOfChange="2024-01-20", chancesOfSuccessPct=chances)

    assert errors == [("MUST_BE_POSITIVE", ["chancesOfSuccessPct"])]
    assert await state(sessions) == before


@pytest.mark.parametrize("value", ["0", "-1"])
async def test_winning_with_a_sales_value_that_is_not_positive_is_refused(
    gql: GraphQLClient, sessions: SessionFactory, value: str
) -> None:
    before = await given(sessions)

    errors = await refuse(gql, CLOSE, outcome="WON", closeOpportunityCode="WON1", salesValue=value)

    assert errors == [("MUST_BE_POSITIVE", ["salesValue"])]
    assert await state(sessions) == before


async def test_winning_with_a_linked_quote_of_amount_0_is_refused(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    # domain.md §11.4: the quote's amount replaces the entered sales value, so it must be > 0.
    await given(sessions)
    await link_quote(sessions, "O", "Q0", ("2", "50", "100"))
    before = await state(sessions)

    errors = await refuse(gql, CLOSE, outcome="WON", closeOpportunityCode="WON1", salesValue="500")

    assert errors == [("MUST_BE_POSITIVE", ["salesValue"])]
    assert await state(sessions) == before


# --- CLOSE_CODE_TYPE_MISMATCH, STALE_VERSION -----------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "code", "extra"), [("WON", "LOST1", {"salesValue": "500"}), ("LOST", "WON1", {})]
)
async def test_a_close_code_of_the_other_outcome_is_refused(
    gql: GraphQLClient, sessions: SessionFactory, outcome: str, code: str, extra: dict[str, Any]
) -> None:
    before = await given(sessions)

    errors = await refuse(gql, CLOSE, outcome=outcome, closeOpportunityCode=code, **extra)

    assert errors == [("CLOSE_CODE_TYPE_MISMATCH", ["closeOpportunityCode"])]
    assert await state(sessions) == before


STALE_CASES = [
    (ACTIVATE, None, {"dateOfChange": "2024-01-10"}),
    (STAGE, 2, {"action": "UPDATE", "dateOfChange": "2024-01-20"}),
    (CLOSE, 2, {"outcome": "LOST", "closeOpportunityCode": "LOST1", "closingDate": "2024-01-20"}),
]


@pytest.mark.parametrize(("document", "stage", "input"), STALE_CASES)
async def test_an_expected_version_that_is_not_the_current_one_is_stale(
    gql: GraphQLClient, sessions: SessionFactory, document: str, stage: int | None, input: dict[str, Any]
) -> None:
    before = await given(sessions, stage=stage)

    assert await refuse(gql, document, expectedVersion=2, **input) == [("STALE_VERSION", ["expectedVersion"])]
    assert await state(sessions) == before


@pytest.mark.parametrize(("document", "stage", "input"), STALE_CASES)
async def test_the_current_expected_version_goes_ahead_and_increments_it_by_1(
    gql: GraphQLClient, sessions: SessionFactory, document: str, stage: int | None, input: dict[str, Any]
) -> None:
    await given(sessions, stage=stage)

    data = await gql.query(document, {"input": {"no": "O", "expectedVersion": 1, **input}})

    assert ok(data, MUTATION[document])["opportunity"]["version"] == 2
    assert (await state(sessions)).version == 2
