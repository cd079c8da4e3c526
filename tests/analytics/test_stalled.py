"""``Opportunity.daysInCurrentStage`` and the ``stalledForDays`` filter, against today's date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from models import ActionTaken, OpportunityStatus
from resolvers.session import SessionFactory
from resolvers.writes.transaction import today_in
from tests.conftest import GraphQLClient, StatementLog
from tests.support import factories as f
from tests.support.builders import closed, errors_of, insert

STARTED, NEXT, PREVIOUS = ActionTaken.STARTED, ActionTaken.NEXT, ActionTaken.PREVIOUS
UPDATED, WON = ActionTaken.UPDATED, ActionTaken.WON


def deal(no: str, salesperson: str, steps: list[tuple[ActionTaken, int, int]], **kw: Any) -> list[Any]:
    """An opportunity and its entries, each (action, stage, days before today); the last is active."""
    today = today_in("UTC")  # the setup's default time zone
    opp = f.opportunity(no, f.company("C1"), salesperson, "CYC", **kw)
    rows: list[Any] = [opp]
    for n, (action, stage, ago) in enumerate(steps):
        last = n == len(steps) - 1
        day = today - dt.timedelta(days=ago)
        rows.append(
            f.entry(
                opp,
                stage,
                "1000",
                active=last,
                action_taken=action,
                date_of_change=day,
                days_open=0 if last else ago - steps[n + 1][2],
                date_closed=day if action is WON else None,
            )
        )
    return rows


IN_PROGRESS = {"status": OpportunityStatus.IN_PROGRESS}


async def given_opportunities(sessions: SessionFactory) -> None:
    await insert(sessions, f.salesperson("A"), f.salesperson("B"), f.company("C1"), *f.cycle("CYC", stages=3))
    won_on = today_in("UTC") - dt.timedelta(days=50)
    await insert(
        sessions,
        *deal("S1", "A", [(STARTED, 1, 40), (NEXT, 2, 30)], **IN_PROGRESS),  # 30: not more than 30
        # The update 5 days ago does not move the stage: in it since the NEXT, 45 days ago.
        *deal("S2", "A", [(STARTED, 1, 50), (NEXT, 2, 45), (UPDATED, 2, 5)], **IN_PROGRESS),
        *deal("S3", "B", [(STARTED, 1, 10)], **IN_PROGRESS),
        *deal("S4", "A", [(STARTED, 1, 90), (WON, 0, 50)], **closed(OpportunityStatus.WON, won_on)),
        f.opportunity("S5", f.company("C1"), "A", "CYC"),  # not started
        # Two updates in a row: back to the STARTED entry, 100 days ago.
        *deal("S6", "B", [(STARTED, 1, 100), (UPDATED, 1, 40), (UPDATED, 1, 1)], **IN_PROGRESS),
        # Back to stage 1 31 days ago: a PREVIOUS enters a stage like any move.
        *deal("S7", "A", [(STARTED, 1, 60), (NEXT, 2, 40), (PREVIOUS, 1, 31)], **IN_PROGRESS),
        *deal("S8", "B", [(STARTED, 1, -3)], **IN_PROGRESS),  # entered on a future date
        *deal("S9", "B", [(STARTED, 1, 0)], **IN_PROGRESS),  # today
    )


LIST = """
query($filter: OpportunityFilter, $first: Int) {
  opportunities(filter: $filter, first: $first) { totalCount nodes { no daysInCurrentStage } }
}
"""


async def test_days_in_current_stage_counts_from_the_latest_move(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)

    data = await gql.query(LIST, {"first": 20})

    days = {o["no"]: o["daysInCurrentStage"] for o in data["opportunities"]["nodes"]}
    assert days == {
        "S1": 30, "S2": 45, "S3": 10, "S4": None, "S5": None, "S6": 100, "S7": 31, "S8": -3, "S9": 0,
    }  # fmt: skip


async def test_stalled_for_days_keeps_open_opportunities_in_their_stage_longer_than_that(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)

    thirty = await gql.query(LIST, {"filter": {"stalledForDays": 30}, "first": 20})
    zero = await gql.query(LIST, {"filter": {"stalledForDays": 0}, "first": 20})

    # S1 has 30 days (not more); S4 is won long ago and S5 not started.
    assert thirty["opportunities"] == {
        "totalCount": 3,
        "nodes": [
            {"no": "S2", "daysInCurrentStage": 45},
            {"no": "S6", "daysInCurrentStage": 100},
            {"no": "S7", "daysInCurrentStage": 31},
        ],
    }
    # More than 0: everything started and open except today's S9 and the future S8.
    assert [o["no"] for o in zero["opportunities"]["nodes"]] == ["S1", "S2", "S3", "S6", "S7"]


async def test_stalled_for_days_combines_with_other_conditions_and_nested_lists(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)

    data = await gql.query(
        """query($filter: OpportunityFilter) {
             opportunities(filter: $filter) { nodes { no } }
             salespeople { nodes { code opportunities(filter: $filter) { totalCount nodes { no } } } }
           }""",
        {"filter": {"stalledForDays": 30, "currentStage": 2}},
    )

    assert data["opportunities"]["nodes"] == [{"no": "S2"}]
    assert [(s["code"], s["opportunities"]["totalCount"]) for s in data["salespeople"]["nodes"]] == [
        ("A", 1),  # S2 (S7 is back on stage 1)
        ("B", 0),  # S6 is on stage 1
    ]


@pytest.mark.parametrize("days", [-1, 36501])
async def test_stalled_for_days_out_of_bounds_is_refused(
    gql: GraphQLClient, sessions: SessionFactory, days: int
) -> None:
    await given_opportunities(sessions)

    body = await gql.raw(LIST, {"filter": {"stalledForDays": days}})

    assert errors_of(body) == [
        ("INVALID_FILTER", f"`stalledForDays` must be between 0 and 36500, not {days}.")
    ]


@pytest.mark.parametrize("first", [2, 9])
async def test_days_in_current_stage_costs_one_statement_for_a_page(
    read_path: tuple[str, GraphQLClient], sessions: SessionFactory, sql_log: StatementLog, first: int
) -> None:
    await given_opportunities(sessions)
    sql_log.clear()
    path, gql = read_path

    data = await gql.query(
        "query($first: Int) { opportunities(first: $first) { nodes { no daysInCurrentStage } } }",
        {"first": first},
    )

    assert len(data["opportunities"]["nodes"]) == first
    # Compiled: one statement; resolvers: the page, then the days of its open opportunities.
    assert sql_log.count == (1 if path == "compiled" else 2), sql_log.statements


ZONE = "mutation($zone: String) { updateSetup(input: {timeZone: $zone}) { userErrors { code } } }"
S3 = 'query { opportunity(no: "S3") { daysInCurrentStage } }'


async def test_days_in_current_stage_follows_the_setup_time_zone(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)
    east, west = "Pacific/Kiritimati", "Pacific/Pago_Pago"  # UTC+14 and UTC-11: never the same date

    await gql.query(ZONE, {"zone": east})
    in_the_east = await gql.query(S3)
    await gql.query(ZONE, {"zone": west})
    in_the_west = await gql.query(S3)

    # S3 entered its stage 10 days before today in UTC.
    shift = {zone: (today_in(zone) - today_in("UTC")).days for zone in (east, west)}
    assert in_the_east["opportunity"]["daysInCurrentStage"] == 10 + shift[east]
    assert in_the_west["opportunity"]["daysInCurrentStage"] == 10 + shift[west]
