"""Closing through GraphQL, and the tasks of stage moves and closes (domain.md §2.2, §2.7, §3.4,
§4, §11.4)."""

from __future__ import annotations

import datetime as dt

import pytest

from models import OpportunityStatus, TaskStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.lifecycle_api import close, figures, given, kpis, link_quote, stage, state, tasks, today

OPEN = (False, False, TaskStatus.NOT_STARTED)
CANCELED = (True, True, TaskStatus.COMPLETED)
DONE = (True, False, TaskStatus.COMPLETED)


# --- tasks on a stage move -----------------------------------------------------------------------


@pytest.mark.parametrize("cancel", [True, False])
async def test_cancel_old_tasks_cancels_the_open_ones_before_the_new_stages_are_created(
    gql: GraphQLClient, sessions: SessionFactory, cancel: bool
) -> None:
    await given(sessions, stage=4)

    entry_no = (await stage(gql, action="NEXT", dateOfChange="2024-01-20", cancelOldTasks=cancel))["entry"][
        "entryNo"
    ]

    old_t1 = (*CANCELED, today()) if cancel else (*OPEN, None)
    assert await tasks(sessions) == [
        ("O-T1", *old_t1, None),
        ("O-T2", *DONE, dt.date(2024, 1, 10), None),
        ("TD000001", *OPEN, None, entry_no),
        ("TD000002", *OPEN, None, entry_no),
    ]


# --- Close (§2.7, §3.4) --------------------------------------------------------------------------


async def test_closing_lost_zeroes_value_and_chances_and_completes_the_cycle(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given(sessions, stage=4)

    payload = await close(
        gql, outcome="LOST", closeOpportunityCode="LOST1", closingDate="2024-01-20", salesValue="999"
    )

    assert figures(payload["entry"]) == (
        0,
        4,
        "LOST",
        "2024-01-20",
        "10000.00",
        "0.00",
        "100",
        "0",
        "0",
        "2024-01-20",
    )
    assert kpis(payload["opportunity"]) == (
        "LOST",
        True,
        "2024-01-20",
        2,
        None,
        "10000.00",
        "0.00",
        "0",
        "100",
        "0",
        "2024-01-20",
    )
    assert [t[:4] for t in await tasks(sessions)] == [("O-T1", *CANCELED), ("O-T2", *DONE)]


@pytest.mark.parametrize(
    ("outcome", "code", "sales_value", "calculated", "chances", "probability"),
    [("WON", "WON1", "500", "500.00", "100", "100"), ("LOST", "LOST1", None, "0.00", "0", "0")],
)
async def test_closing_a_never_started_opportunity_starts_from_stage_0_and_value_0(
    gql: GraphQLClient,
    sessions: SessionFactory,
    outcome: str,
    code: str,
    sales_value: str | None,
    calculated: str,
    chances: str,
    probability: str,
) -> None:
    await given(sessions, stage=None)

    payload = await close(
        gql, outcome=outcome, closeOpportunityCode=code, closingDate="2024-01-20", salesValue=sales_value
    )

    assert figures(payload["entry"]) == (
        0,
        0,
        outcome,
        "2024-01-20",
        "0.00",
        calculated,
        "100",
        chances,
        probability,
        "2024-01-20",
    )
    after = await state(sessions)
    assert (after.status, after.version) == (OpportunityStatus[outcome], 2)
    assert [e[:4] for e in after.entries] == [(1, 0, True, 0)]


async def test_closing_without_cancelling_old_tasks_leaves_them_open(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given(sessions, stage=4)

    await close(
        gql, outcome="LOST", closeOpportunityCode="LOST1", closingDate="2024-01-20", cancelOldTasks=False
    )

    assert [t[:4] for t in await tasks(sessions)] == [("O-T1", *OPEN), ("O-T2", *DONE)]


async def test_the_closing_date_defaults_to_today_after_a_past_active_entry(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given(sessions, stage=4)

    payload = await close(gql, outcome="LOST", closeOpportunityCode="LOST1")

    now = today().isoformat()
    assert (payload["entry"]["dateOfChange"], payload["opportunity"]["dateClosed"]) == (now, now)


@pytest.mark.parametrize("sales_value", [None, "500"])
async def test_winning_with_a_linked_quote_takes_the_quotes_amount_as_sales_value(
    gql: GraphQLClient, sessions: SessionFactory, sales_value: str | None
) -> None:
    await given(sessions, stage=4)
    await link_quote(sessions, "O", "Q1", ("2", "100.50", "0"), ("1", "50", "10"))

    payload = await close(
        gql, outcome="WON", closeOpportunityCode="WON1", closingDate="2024-01-20", salesValue=sales_value
    )

    assert payload["entry"]["calculatedCurrentValue"] == "246.00"
    assert payload["opportunity"]["calculatedCurrentValue"] == "246.00"
