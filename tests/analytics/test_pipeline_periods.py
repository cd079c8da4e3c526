"""The pipeline grouped by period: weeks from Monday, quarters, months, days and years, on each period
date, with a null period for a missing date."""

from __future__ import annotations

from resolvers.session import SessionFactory
from tests.analytics.pipeline_helpers import given_six_opportunities, grouped
from tests.conftest import GraphQLClient


async def test_weeks_run_monday_to_sunday_and_a_missing_date_has_a_null_period(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)

    assert await grouped(gql, ["PERIOD"], period="WEEK", date="ESTIMATED_CLOSE_DATE") == [
        ("2024-03-11", "2024-03-17", 1, "2000.00", "2000.00", "2000.00", "2000.00"),  # OP3, Fri 03-15
        ("2024-03-25", "2024-03-31", 1, "1000.00", "250.00", "1000.00", "250.00"),  # OP1, Sun 03-31
        # OP2 (Mon 04-01) and OP4 (Tue 04-02): 100.01 ÷ 2 = 50.005, half-up 50.01
        ("2024-04-01", "2024-04-07", 2, "800.00", "100.01", "400.00", "50.01"),
        ("2024-06-24", "2024-06-30", 1, "333.33", "111.11", "333.33", "111.11"),  # OP6, Sun 06-30
        (None, None, 1, "0.00", "0.00", "0.00", "0.00"),  # OP5 is not started: no date
    ]


async def test_estimated_close_date_is_the_default_period_date_and_quarters_split_at_april(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)

    assert await grouped(gql, ["PERIOD"], period="QUARTER") == [
        ("2024-01-01", "2024-03-31", 2, "3000.00", "2250.00", "1500.00", "1125.00"),  # OP1, OP3
        # OP2, OP4, OP6: 500 + 300 + 333.33 and 100.01 + 0 + 111.11 = 211.12 (÷ 3 = 70.373…)
        ("2024-04-01", "2024-06-30", 3, "1133.33", "211.12", "377.78", "70.37"),
        (None, None, 1, "0.00", "0.00", "0.00", "0.00"),
    ]


async def test_creation_date_by_month_ends_february_on_the_leap_day(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)

    assert await grouped(gql, ["PERIOD"], period="MONTH", date="CREATION_DATE") == [
        ("2024-01-01", "2024-01-31", 2, "1500.00", "350.01", "750.00", "175.01"),  # OP1, OP2
        ("2024-02-01", "2024-02-29", 2, "2300.00", "2000.00", "1150.00", "1000.00"),  # OP3, OP4
        ("2024-03-01", "2024-03-31", 2, "333.33", "111.11", "166.67", "55.56"),  # OP5, OP6
    ]


async def test_date_closed_by_day_and_year_leaves_open_opportunities_without_a_period(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)
    open_ones = (4, "1833.33", "461.12", "458.33", "115.28")  # OP1, OP2, OP5, OP6

    assert await grouped(gql, ["PERIOD"], period="DAY", date="DATE_CLOSED") == [
        ("2024-03-15", "2024-03-15", 1, "2000.00", "2000.00", "2000.00", "2000.00"),
        ("2024-04-02", "2024-04-02", 1, "300.00", "0.00", "300.00", "0.00"),
        (None, None, *open_ones),
    ]
    assert await grouped(gql, ["PERIOD"], period="YEAR", date="DATE_CLOSED") == [
        ("2024-01-01", "2024-12-31", 2, "2300.00", "2000.00", "1150.00", "1000.00"),
        (None, None, *open_ones),
    ]
