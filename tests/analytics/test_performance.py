"""Win rate, velocity and stage conversion: exact figures on a hand-built history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import models
from models import ActionTaken, OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient, StatementLog
from tests.support import factories as f
from tests.support.builders import closed, errors_of, insert

STARTED, NEXT, PREVIOUS = ActionTaken.STARTED, ActionTaken.NEXT, ActionTaken.PREVIOUS
UPDATED, JUMPED, WON, LOST = ActionTaken.UPDATED, ActionTaken.JUMPED, ActionTaken.WON, ActionTaken.LOST
CLOSING = {WON: OpportunityStatus.WON, LOST: OpportunityStatus.LOST}


def d(month: int, day: int) -> dt.date:
    return dt.date(2024, month, day)


def deal(
    no: str,
    salesperson: str | None,
    cycle: str,
    steps: list[tuple[ActionTaken, int, dt.date]],
    created: dt.date,
    value: str = "1000",
    sales: str = "0",
) -> list[Any]:
    """An opportunity and its entries, each (action, stage, date). Every entry but the last is
    inactive with daysOpen = next date − its date (domain.md §2.2); a closing last entry closes it."""
    last_action, _, last_day = steps[-1]
    status = {"status": OpportunityStatus.IN_PROGRESS}
    if last_action in CLOSING:
        status = closed(CLOSING[last_action], last_day)
    opp = f.opportunity(no, f.company("C1"), salesperson, cycle, creation_date=created, **status)
    rows: list[Any] = [opp]
    for n, (action, stage, day) in enumerate(steps):
        last = n == len(steps) - 1
        rows.append(
            f.entry(
                opp,
                stage,
                value,
                active=last,
                action_taken=action,
                date_of_change=day,
                days_open=0 if last else (steps[n + 1][2] - day).days,
                date_closed=day if action in CLOSING else None,
                calculated_current_value=Decimal(sales if action is WON else "0"),
            )
        )
    return rows


async def given_master_data(sessions: SessionFactory) -> None:
    await insert(
        sessions,
        f.salesperson("A"),
        f.salesperson("B"),
        f.company("C1"),
        *f.cycle("CYC", stages=2),
        *f.cycle("OTHER", stages=2),
        *f.cycle("VEL", stages=4),
    )


# --- win rate ------------------------------------------------------------------------------------


async def given_closed_deals(sessions: SessionFactory) -> None:
    await given_master_data(sessions)
    await insert(
        sessions,
        *deal("O1", "A", "CYC", [(STARTED, 1, d(2, 1)), (WON, 0, d(3, 5))], d(2, 1), "1000", "900"),
        *deal("O2", "A", "CYC", [(STARTED, 1, d(2, 1)), (LOST, 0, d(3, 10))], d(2, 1), "500"),
        *deal("O3", "A", "CYC", [(STARTED, 1, d(2, 1)), (WON, 0, d(4, 1))], d(2, 1), "3000", "3100"),
        *deal("O4", "B", "CYC", [(STARTED, 1, d(2, 1)), (LOST, 0, d(3, 20))], d(2, 1), "2000"),
        # Closed without ever being started: a closing entry with no estimate.
        *deal("O5", "B", "CYC", [(LOST, 0, d(3, 31))], d(3, 1), "0"),
        *deal("O6", None, "OTHER", [(STARTED, 1, d(3, 1)), (WON, 0, d(3, 15))], d(3, 1), "600", "600"),
        # Open: never part of a win rate.
        *deal("O7", "A", "CYC", [(STARTED, 1, d(3, 1))], d(3, 1), "9999"),
    )


WIN_RATE = """
query($groupBy: WinRateDimension!, $from: Date, $to: Date, $filter: WinRateFilter) {
  winRate(groupBy: $groupBy, from: $from, to: $to, filter: $filter) {
    salespersonCode salesCycleCode won lost closed winRateByCount
    wonValue lostValue closedValue winRateByValue wonSalesValue
  }
  winRateTotal(from: $from, to: $to, filter: $filter) {
    won lost closed winRateByCount wonValue closedValue winRateByValue wonSalesValue
  }
}
"""

MARCH = {"from": "2024-03-01", "to": "2024-03-31"}


def rate(sp: str | None, cycle: str | None, won: int, lost: int, *values: str) -> dict[str, Any]:
    by_count, won_value, lost_value, closed_value, by_value, sales = values
    return {
        "salespersonCode": sp, "salesCycleCode": cycle, "won": won, "lost": lost, "closed": won + lost,
        "winRateByCount": by_count, "wonValue": won_value, "lostValue": lost_value,
        "closedValue": closed_value, "winRateByValue": by_value, "wonSalesValue": sales,
    }  # fmt: skip


async def test_win_rate_by_salesperson_counts_closings_in_the_range(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_closed_deals(sessions)

    data = await gql.query(WIN_RATE, {"groupBy": "SALESPERSON", **MARCH})

    assert data["winRate"] == [
        # O1 won (1000, sold for 900), O2 lost (500); O3 is closed in April: 1/2, 1000/1500.
        rate("A", None, 1, 1, "50", "1000.00", "500.00", "1500.00", "66.6667", "900.00"),
        # O4 lost (2000), O5 lost unstarted (0).
        rate("B", None, 0, 2, "0", "0.00", "2000.00", "2000.00", "0", "0.00"),
        # O6 has no salesperson: its group comes last.
        rate(None, None, 1, 0, "100", "600.00", "0.00", "600.00", "100", "600.00"),
    ]
    # 2 of 5; 1600 of 4100 = 39.02439… → 39.0244.
    assert data["winRateTotal"] == {
        "won": 2, "lost": 3, "closed": 5, "winRateByCount": "40", "wonValue": "1600.00",
        "closedValue": "4100.00", "winRateByValue": "39.0244", "wonSalesValue": "1500.00",
    }  # fmt: skip


async def test_win_rate_by_sales_cycle_without_a_range_takes_every_closing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_closed_deals(sessions)

    data = await gql.query(WIN_RATE, {"groupBy": "SALES_CYCLE"})

    assert data["winRate"] == [
        # O1, O3 won (4000, sold 4000); O2, O4, O5 lost (2500): 2/5 = 40, 4000/6500 = 61.538… .
        rate(None, "CYC", 2, 3, "40", "4000.00", "2500.00", "6500.00", "61.5385", "4000.00"),
        rate(None, "OTHER", 1, 0, "100", "600.00", "0.00", "600.00", "100", "600.00"),
    ]
    assert data["winRateTotal"]["closed"] == 6


async def test_win_rate_filter_narrows_to_a_salesperson_and_cycle(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_closed_deals(sessions)

    data = await gql.query(
        WIN_RATE, {"groupBy": "SALESPERSON", "filter": {"salespersonCode": "a", "salesCycleCode": "cyc"}}
    )

    # O1, O3 won, O2 lost: 2/3 = 66.6667; 4000/4500 = 88.8889.
    assert data["winRate"] == [
        rate("A", None, 2, 1, "66.6667", "4000.00", "500.00", "4500.00", "88.8889", "4000.00")
    ]


async def test_win_rate_of_an_empty_range_is_empty_with_a_zero_total(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_closed_deals(sessions)

    data = await gql.query(WIN_RATE, {"groupBy": "SALESPERSON", "from": "2023-01-01", "to": "2023-12-31"})

    assert data["winRate"] == []
    assert data["winRateTotal"] == {
        "won": 0, "lost": 0, "closed": 0, "winRateByCount": "0", "wonValue": "0.00",
        "closedValue": "0.00", "winRateByValue": "0", "wonSalesValue": "0.00",
    }  # fmt: skip


async def test_a_range_that_ends_before_it_starts_is_refused(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_closed_deals(sessions)

    body = await gql.raw(
        "query($from: Date, $to: Date) { winRateTotal(from: $from, to: $to) { closed } }",
        {"from": "2024-03-02", "to": "2024-03-01"},
    )

    assert errors_of(body) == [("INVALID_DATE_RANGE", "`from` (2024-03-02) is after `to` (2024-03-01).")]


@pytest.mark.parametrize("group_by", ["SALESPERSON", "SALES_CYCLE"])
async def test_win_rate_groups_load_their_salesperson_and_cycle_in_one_statement_each(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog, group_by: str
) -> None:
    await given_closed_deals(sessions)
    sql_log.clear()

    data = await gql.query(
        "query($g: WinRateDimension!) { winRate(groupBy: $g) { salesperson { name } salesCycle { code } } }",
        {"g": group_by},
    )

    assert len(data["winRate"]) == (3 if group_by == "SALESPERSON" else 2)
    assert sql_log.count == 2, sql_log.statements  # the groups, then one batch of related rows


# --- velocity and stage conversion ------------------------------------------------------------------


async def given_cycle_history(sessions: SessionFactory) -> None:
    """Five opportunities on VEL (stages 1–4; nobody reaches 4). Stays, as (stage: days, ending):

    P1 1:10 (01-11)  2:20 (01-31, through an UPDATE)  3:10 (02-10)  won 02-10, created 01-01 → 40
    P2 1:4 (01-09)   2:30 (02-08)  1:2 (02-10)  2:5 (02-15)          lost 02-15, created 01-05 → 41
    P3 1:7 (02-08)   3: still running (jumped, then updated the same day)
    P4 1:13 (02-02)                                                 lost 02-02, created 01-20 → 13
    P5 1:3 (01-30)                                                  won 01-30, created 01-25 → 5
    """
    await given_master_data(sessions)
    v = "VEL"
    await insert(
        sessions,
        *deal("P1", "A", v, [(STARTED, 1, d(1, 1)), (NEXT, 2, d(1, 11)), (UPDATED, 2, d(1, 16)),
                             (NEXT, 3, d(1, 31)), (WON, 0, d(2, 10))], d(1, 1), sales="1000"),
        *deal("P2", "A", v, [(STARTED, 1, d(1, 5)), (NEXT, 2, d(1, 9)), (PREVIOUS, 1, d(2, 8)),
                             (NEXT, 2, d(2, 10)), (LOST, 0, d(2, 15))], d(1, 5)),
        *deal("P3", "B", v, [(STARTED, 1, d(2, 1)), (JUMPED, 3, d(2, 8)), (UPDATED, 3, d(2, 8))], d(2, 1)),
        *deal("P4", "B", v, [(STARTED, 1, d(1, 20)), (LOST, 0, d(2, 2))], d(1, 20)),
        *deal("P5", "B", v, [(STARTED, 1, d(1, 27)), (WON, 0, d(1, 30))], d(1, 25), sales="1000"),
        # Another cycle's history stays out.
        *deal("Q1", "A", "CYC", [(STARTED, 1, d(1, 1)), (NEXT, 2, d(1, 2)), (WON, 0, d(1, 3))], d(1, 1)),
    )  # fmt: skip


VELOCITY = """
query($code: String!, $from: Date, $to: Date) {
  velocity(salesCycleCode: $code, from: $from, to: $to) {
    salesCycleCode
    stages { stageNo entries averageDaysInStage medianDaysInStage }
    closed averageDaysToClose medianDaysToClose
    won { opportunities averageDaysToClose medianDaysToClose }
    lost { opportunities averageDaysToClose medianDaysToClose }
  }
}
"""


def stage(no: int, entries: int, average: str | None, median: str | None) -> dict[str, Any]:
    return {"stageNo": no, "entries": entries, "averageDaysInStage": average, "medianDaysInStage": median}


def closing(count: int, average: str | None, median: str | None) -> dict[str, Any]:
    return {"opportunities": count, "averageDaysToClose": average, "medianDaysToClose": median}


async def test_velocity_over_all_time_measures_every_ended_stay_and_closing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle_history(sessions)

    data = await gql.query(VELOCITY, {"code": "vel"})

    assert data["velocity"] == {
        "salesCycleCode": "VEL",
        "stages": [
            # [2, 3, 4, 7, 10, 13]: 39 / 6 = 6.5; even count, median (4 + 7) / 2 = 5.5.
            stage(1, 6, "6.5", "5.5"),
            # [5, 20, 30]: P1's stay is 20 days, not 5 + 15; 55 / 3 = 18.33; median 20.
            stage(2, 3, "18.33", "20"),
            stage(3, 1, "10", "10"),  # P3's stay in 3 has not ended
            stage(4, 0, None, None),  # nobody reached it
        ],
        # [5, 13, 40, 41] from creation: 99 / 4 = 24.75; median (13 + 40) / 2 = 26.5.
        "closed": 4,
        "averageDaysToClose": "24.75",
        "medianDaysToClose": "26.5",
        "won": closing(2, "22.5", "22.5"),  # [5, 40]
        "lost": closing(2, "27", "27"),  # [13, 41]
    }


async def test_velocity_in_a_range_counts_the_stays_that_ended_in_it(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle_history(sessions)

    data = await gql.query(VELOCITY, {"code": "VEL", "from": "2024-01-01", "to": "2024-01-31"})

    assert data["velocity"]["stages"] == [
        stage(1, 3, "5.67", "4"),  # P2 4 (01-09), P1 10 (01-11), P5 3 (01-30): 17 / 3
        stage(2, 1, "20", "20"),  # P1, ending on 01-31 (the last day counts)
        stage(3, 0, None, None),
        stage(4, 0, None, None),
    ]
    assert (data["velocity"]["closed"], data["velocity"]["medianDaysToClose"]) == (1, "5")  # P5
    assert data["velocity"]["lost"] == closing(0, None, None)


async def test_velocity_of_an_empty_range_lists_the_stages_with_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle_history(sessions)

    data = await gql.query(VELOCITY, {"code": "VEL", "from": "2025-01-01"})

    assert data["velocity"]["stages"] == [stage(n, 0, None, None) for n in (1, 2, 3, 4)]
    assert data["velocity"]["won"] == closing(0, None, None)
    assert (data["velocity"]["closed"], data["velocity"]["averageDaysToClose"]) == (0, None)


CONVERSION = """
query($code: String!, $from: Date, $to: Date) {
  stageConversion(salesCycleCode: $code, from: $from, to: $to) {
    stageNo reached converted conversionRate
  }
}
"""


def conv(no: int, reached: int, converted: int, rate: str) -> dict[str, Any]:
    return {"stageNo": no, "reached": reached, "converted": converted, "conversionRate": rate}


async def test_stage_conversion_counts_each_opportunity_once_per_stage(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle_history(sessions)

    data = await gql.query(CONVERSION, {"code": "VEL"})

    assert data["stageConversion"] == [
        conv(1, 5, 4, "80"),  # P2 entered twice, counts once; P4 was lost from stage 1
        conv(2, 2, 1, "50"),  # P1 moved on; P2 went back, returned, and was lost
        conv(3, 2, 1, "50"),  # P1 won; P3 is still there (its UPDATE does not count as entering)
        conv(4, 0, 0, "0"),
    ]


async def test_stage_conversion_in_a_range_follows_the_entries_dated_in_it(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle_history(sessions)

    data = await gql.query(CONVERSION, {"code": "VEL", "from": "2024-02-01", "to": "2024-02-29"})

    assert data["stageConversion"] == [
        conv(1, 2, 2, "100"),  # P2's return on 02-08 then NEXT; P3 started 02-01 then jumped
        conv(2, 1, 0, "0"),  # P2's second entry into 2 (02-10), then lost
        conv(3, 1, 0, "0"),  # P3's jump on 02-08; P1 entered 3 in January
        conv(4, 0, 0, "0"),
    ]


async def test_velocity_and_conversion_of_an_unknown_cycle_are_refused(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_cycle_history(sessions)

    velocity = await gql.raw(VELOCITY, {"code": "NOPE"})
    conversion = await gql.raw(CONVERSION, {"code": "NOPE"})

    assert [code for code, _ in errors_of(velocity) + errors_of(conversion)] == ["NOT_FOUND", "NOT_FOUND"]


async def test_a_cycle_without_stages_has_empty_figures(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await insert(sessions, models.SalesCycle(code="BARE", description="No stages"))

    data = await gql.query(VELOCITY, {"code": "BARE"})
    conversion = await gql.query(CONVERSION, {"code": "BARE"})

    assert (data["velocity"]["stages"], data["velocity"]["closed"]) == ([], 0)
    assert conversion["stageConversion"] == []


async def test_velocity_and_conversion_cost_one_statement_each_and_one_for_the_stages(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_cycle_history(sessions)
    sql_log.clear()

    data = await gql.query(
        """query { velocity(salesCycleCode: "VEL") { salesCycle { code } stages { stage { description } } }
                   stageConversion(salesCycleCode: "VEL") { stage { description } } }"""
    )

    assert [s["stage"]["description"] for s in data["velocity"]["stages"]] == [
        f"Stage {n}" for n in range(1, 5)
    ]
    assert len(data["stageConversion"]) == 4
    assert sql_log.count == 3, sql_log.statements  # velocity, conversion, the cycle with its stages
