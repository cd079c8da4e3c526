"""The grouped pipeline today: every dimension alone and together, the order of the groups, the
filter, the totals, and no dimension or no match at all."""

from __future__ import annotations

from resolvers.session import SessionFactory
from tests.analytics.pipeline_helpers import (
    given_six_opportunities,
    grouped,
    measures,
    pipeline,
    total,
)
from tests.conftest import GraphQLClient

# Sums and averages of the whole set: value 1000 + 500 + 2000 + 300 + 0 + 333.33 = 4133.33,
# calculated 250 + 100.01 + 2000 + 0 + 0 + 111.11 = 2461.12; averages ÷ 6 = 688.888… and 410.186…
ALL = (6, "4133.33", "2461.12", "688.89", "410.19")


async def test_salesperson_groups_sum_the_active_entries_and_the_total_sums_all(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)

    assert await grouped(gql, ["SALESPERSON"]) == [
        # OP1 + OP2 + OP5: 1500.00 and 350.01; ÷ 3 = 500.00 and 116.67
        ("SP1", 3, "1500.00", "350.01", "500.00", "116.67"),
        # OP3 + OP4 + OP6: 2633.33 and 2111.11; ÷ 3 = 877.776… and 703.703…
        ("SP2", 3, "2633.33", "2111.11", "877.78", "703.70"),
    ]
    assert await total(gql, ["SALESPERSON"]) == ALL


async def test_status_groups_come_in_lifecycle_order_with_not_started_at_zero(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)

    assert await grouped(gql, ["STATUS"]) == [
        ("NOT_STARTED", 1, "0.00", "0.00", "0.00", "0.00"),
        # OP1 + OP2 + OP6: 1833.33 and 461.12; ÷ 3 = 611.11 and 153.706…
        ("IN_PROGRESS", 3, "1833.33", "461.12", "611.11", "153.71"),
        ("WON", 1, "2000.00", "2000.00", "2000.00", "2000.00"),
        ("LOST", 1, "300.00", "0.00", "300.00", "0.00"),
    ]


async def test_salesperson_and_status_together_round_averages_half_up(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)

    assert await grouped(gql, ["SALESPERSON", "STATUS"]) == [
        ("SP1", "NOT_STARTED", 1, "0.00", "0.00", "0.00", "0.00"),
        # 350.01 ÷ 2 = 175.005, half-up 175.01 (half-even would give 175.00)
        ("SP1", "IN_PROGRESS", 2, "1500.00", "350.01", "750.00", "175.01"),
        ("SP2", "IN_PROGRESS", 1, "333.33", "111.11", "333.33", "111.11"),
        ("SP2", "WON", 1, "2000.00", "2000.00", "2000.00", "2000.00"),
        ("SP2", "LOST", 1, "300.00", "0.00", "300.00", "0.00"),
    ]
    assert await total(gql, ["SALESPERSON", "STATUS"]) == ALL


async def test_cycle_and_stage_put_closed_on_stage_zero_and_not_started_last(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)

    assert await grouped(gql, ["SALES_CYCLE", "STAGE"]) == [
        ("BIG", 0, 1, "2000.00", "2000.00", "2000.00", "2000.00"),
        ("BIG", 2, 1, "333.33", "111.11", "333.33", "111.11"),
        ("BIG", None, 1, "0.00", "0.00", "0.00", "0.00"),
        ("NEW", 0, 1, "300.00", "0.00", "300.00", "0.00"),
        ("NEW", 1, 1, "500.00", "100.01", "500.00", "100.01"),
        ("NEW", 2, 1, "1000.00", "250.00", "1000.00", "250.00"),
    ]


async def test_company_and_campaign_count_persons_under_their_company(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)

    assert await grouped(gql, ["CONTACT_COMPANY", "CAMPAIGN"]) == [
        # OP1 + OP6 (both for person P1): 1333.33 and 361.11; ÷ 2 = 666.665 and 180.555
        ("C1", "CA1", 2, "1333.33", "361.11", "666.67", "180.56"),
        ("C1", None, 1, "500.00", "100.01", "500.00", "100.01"),
        ("C2", "CA1", 1, "2000.00", "2000.00", "2000.00", "2000.00"),
        ("C2", None, 2, "300.00", "0.00", "150.00", "0.00"),
    ]


async def test_groups_sort_by_the_dimensions_in_the_order_asked(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)

    rows = await grouped(gql, ["PERIOD", "SALESPERSON"], period="MONTH", date="CREATION_DATE")

    assert [row[:3] for row in rows] == [
        ("2024-01-01", "2024-01-31", "SP1"),
        ("2024-02-01", "2024-02-29", "SP2"),
        ("2024-03-01", "2024-03-31", "SP1"),
        ("2024-03-01", "2024-03-31", "SP2"),
    ]
    assert [row[3] for row in rows] == [2, 2, 1, 1]


async def test_the_opportunity_filter_narrows_groups_and_total(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)

    open_only = {"closed": False}
    assert await grouped(gql, ["SALESPERSON"], filter=open_only) == [
        ("SP1", 3, "1500.00", "350.01", "500.00", "116.67"),  # OP1, OP2, OP5
        ("SP2", 1, "333.33", "111.11", "333.33", "111.11"),  # OP6
    ]
    assert await total(gql, ["SALESPERSON"], filter=open_only) == (4, "1833.33", "461.12", "458.33", "115.28")
    on_stage_2_from_april = {"currentStage": 2, "estimatedClosingDateFrom": "2024-04-01"}
    assert await grouped(gql, ["SALESPERSON"], filter=on_stage_2_from_april) == [
        ("SP2", 1, "333.33", "111.11", "333.33", "111.11"),  # OP6 (OP1 closes 03-31)
    ]
    sp2_closed = {"salespersonCode": "sp2", "status": ["WON", "LOST"], "contactCompanyNo": "C2"}
    assert await grouped(gql, ["STATUS"], filter=sp2_closed) == [
        ("WON", 1, "2000.00", "2000.00", "2000.00", "2000.00"),
        ("LOST", 1, "300.00", "0.00", "300.00", "0.00"),
    ]


async def test_no_dimension_gives_one_group_of_everything(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)

    assert await grouped(gql, []) == [ALL]
    assert await total(gql, []) == ALL


async def test_nothing_matching_gives_no_groups_and_a_zero_total(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)
    nobody = {"salespersonCode": "NOBODY"}

    for group_by in (["SALESPERSON"], []):
        result = await pipeline(gql, group_by, filter=nobody)
        assert result["groups"] == []
        assert measures(result["total"]) == (0, "0.00", "0.00", "0.00", "0.00")
