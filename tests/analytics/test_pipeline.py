"""The grouped pipeline today: every dimension, periods, filters, totals, bounds and query count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from models import ActionTaken
from models import OpportunityStatus as S
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient, StatementLog
from tests.support import builders as b
from tests.support import factories as f

PIPELINE = """query($g: [PipelineDimension!]!, $p: PeriodUnit, $d: PeriodDate, $f: OpportunityFilter,
  $a: Date) { pipeline(groupBy: $g, period: $p, periodDate: $d, filter: $f, asOf: $a) {
    groups { key { salespersonCode salesCycleCode stage contactCompanyNo campaignNo status periodStart
      periodEnd } measures { ...M } }
    total { ...M } } }
  fragment M on PipelineMeasures { noOfOpportunities estimatedValue calculatedCurrentValue
    averageEstimatedValue averageCalculatedCurrentValue }"""

KEY_FIELDS = {
    "SALESPERSON": ["salespersonCode"],
    "SALES_CYCLE": ["salesCycleCode"],
    "STAGE": ["stage"],
    "CONTACT_COMPANY": ["contactCompanyNo"],
    "CAMPAIGN": ["campaignNo"],
    "STATUS": ["status"],
    "PERIOD": ["periodStart", "periodEnd"],
}
MEASURES = [
    "noOfOpportunities",
    "estimatedValue",
    "calculatedCurrentValue",
    "averageEstimatedValue",
    "averageCalculatedCurrentValue",
]


def measures(m: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(m[name] for name in MEASURES)


async def pipeline(gql: GraphQLClient, group_by: list[str], **args: Any) -> dict[str, Any]:
    """``pipeline`` with the arguments given (an omitted one takes its default)."""
    names = {"period": "p", "date": "d", "filter": "f", "as_of": "a"}
    variables = {names[name]: value for name, value in args.items() if value is not None}
    data = await gql.query(PIPELINE, {"g": group_by, **variables})
    result: dict[str, Any] = data["pipeline"]
    return result


async def grouped(gql: GraphQLClient, group_by: list[str], **args: Any) -> list[tuple[Any, ...]]:
    """Each group as (its grouped key values in ``groupBy`` order…, its five measures…); the key
    fields of the dimensions not grouped by must be null."""
    result = await pipeline(gql, group_by, **args)
    rows = []
    for group in result["groups"]:
        key = group["key"]
        named = [name for dimension in group_by for name in KEY_FIELDS[dimension]]
        assert all(value is None for name, value in key.items() if name not in named), key
        rows.append((*[key[name] for name in named], *measures(group["measures"])))
    return rows


async def total(gql: GraphQLClient, group_by: list[str], **args: Any) -> tuple[Any, ...]:
    return measures((await pipeline(gql, group_by, **args))["total"])


def day(month: int, d: int) -> dt.date:
    return dt.date(2024, month, d)


async def given_six_opportunities(sessions: SessionFactory) -> None:
    """Salespeople SP1, SP2; companies C1 (person P1) and C2; cycles NEW and BIG; campaign CA1.

    ====  ========  ===  ====  ====  =======  ===========  ======  ===========  ======  ===========
    no    contact   sp   cyc   camp  created  status       stage   value        calc    est. close
    ====  ========  ===  ====  ====  =======  ===========  ======  ===========  ======  ===========
    OP1   P1 (C1)   SP1  NEW   CA1   01-01    IN_PROGRESS  2       1000.00      250.00  03-31 (Sun)
    OP2   C1        SP1  NEW   -     01-10    IN_PROGRESS  1        500.00      100.01  04-01 (Mon)
    OP3   C2        SP2  BIG   CA1   02-05    WON 03-15    0       2000.00     2000.00  03-15
    OP4   C2        SP2  NEW   -     02-20    LOST 04-02   0        300.00        0.00  04-02
    OP5   C2        SP1  BIG   -     03-01    NOT_STARTED  -          0             0   -
    OP6   P1 (C1)   SP2  BIG   CA1   03-30    IN_PROGRESS  2        333.33      111.11  06-30 (Sun)
    ====  ========  ===  ====  ====  =======  ===========  ======  ===========  ======  ===========

    OP1, OP3 and OP4 also have an older, inactive entry (other values), which must not count.
    """
    c1, c2, p1 = f.company("C1"), f.company("C2"), f.person("P1", "C1")
    ops = [
        f.opportunity("OP1", p1, "SP1", "NEW", campaign_no="CA1", creation_date=day(1, 1),
                      status=S.IN_PROGRESS),
        f.opportunity("OP2", c1, "SP1", "NEW", creation_date=day(1, 10), status=S.IN_PROGRESS),
        f.opportunity("OP3", c2, "SP2", "BIG", campaign_no="CA1", creation_date=day(2, 5),
                      **b.closed(S.WON, day(3, 15))),
        f.opportunity("OP4", c2, "SP2", "NEW", creation_date=day(2, 20), **b.closed(S.LOST, day(4, 2))),
        f.opportunity("OP5", c2, "SP1", "BIG", creation_date=day(3, 1)),
        f.opportunity("OP6", p1, "SP2", "BIG", campaign_no="CA1", creation_date=day(3, 30),
                      status=S.IN_PROGRESS),
    ]  # fmt: skip
    op1, op2, op3, op4, _, op6 = ops

    def e(o: Any, stage: int, value: str, calc: str, on: dt.date, close: dt.date, **kw: Any) -> Any:
        return f.entry(o, stage, value, calculated_current_value=calc, date_of_change=on,
                       estimated_close_date=close, campaign_no=o.campaign_no, **kw)  # fmt: skip

    won, lost = ActionTaken.WON, ActionTaken.LOST
    entries = [
        e(op1, 1, "800.00", "80.00", day(1, 1), day(3, 1), active=False, days_open=14),
        e(op1, 2, "1000.00", "250.00", day(1, 15), day(3, 31), action_taken=ActionTaken.NEXT),
        e(op2, 1, "500.00", "100.01", day(1, 10), day(4, 1)),
        e(op3, 1, "2000.00", "600.00", day(2, 5), day(3, 20), active=False, days_open=39),
        e(op3, 0, "2000.00", "2000.00", day(3, 15), day(3, 15), action_taken=won, date_closed=day(3, 15)),
        e(op4, 1, "300.00", "90.00", day(2, 20), day(4, 30), active=False, days_open=42),
        e(op4, 0, "300.00", "0.00", day(4, 2), day(4, 2), action_taken=lost, date_closed=day(4, 2)),
        e(op6, 2, "333.33", "111.11", day(3, 30), day(6, 30)),
    ]
    await b.insert(
        sessions,
        f.salesperson("SP1"),
        f.salesperson("SP2"),
        c1,
        c2,
        p1,
        *f.cycle("NEW"),
        *f.cycle("BIG"),
        b.campaign("CA1"),
        *ops,
        *entries,
    )


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


@pytest.mark.parametrize(
    ("group_by", "period", "code"),
    [
        (["PERIOD"], None, "PERIOD_REQUIRED"),
        (["STATUS"], "MONTH", "PERIOD_NOT_GROUPED"),
        (["STATUS", "SALESPERSON", "STATUS"], None, "DUPLICATE_DIMENSION"),
        (["STATUS", "SALESPERSON", "STAGE", "CAMPAIGN", "SALES_CYCLE"], None, "TOO_MANY_DIMENSIONS"),
    ],
)
async def test_malformed_grouping_is_refused_with_its_code(
    gql: GraphQLClient, group_by: list[str], period: str | None, code: str
) -> None:
    body = await gql.raw(PIPELINE, {"g": group_by, "p": period})

    assert [c for c, _ in b.errors_of(body)] == [code]
    assert body["data"] is None


async def test_a_thousand_groups_are_answered_and_one_more_is_refused(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    # 1,001 opportunities created on 1,001 consecutive days: one group each by creation day.
    first = day(1, 1)
    contact = f.company("C1")
    opportunities = [
        f.opportunity(f"OP{n:04d}", contact, None, None, creation_date=first + dt.timedelta(days=n))
        for n in range(1001)
    ]
    await f.add(sessions, contact)
    await f.add(sessions, *opportunities)
    last_of_1000 = (first + dt.timedelta(days=999)).isoformat()

    result = await pipeline(
        gql, ["PERIOD"], period="DAY", date="CREATION_DATE", filter={"creationDateTo": last_of_1000}
    )
    body = await gql.raw(PIPELINE, {"g": ["PERIOD"], "p": "DAY", "d": "CREATION_DATE"})

    assert len(result["groups"]) == 1000
    assert result["groups"][-1]["key"]["periodStart"] == last_of_1000
    assert result["total"]["noOfOpportunities"] == 1000
    assert [c for c, _ in b.errors_of(body)] == ["TOO_MANY_GROUPS"]


OBJECTS = """query { pipeline(groupBy: [SALESPERSON, SALES_CYCLE, STAGE, CONTACT_COMPANY]) {
  groups { key { salesperson { code name } salesCycle { code description } salesCycleStage { stage
    description } contactCompany { no name } campaign { no } } measures { noOfOpportunities } } } }"""


@pytest.mark.parametrize("companies", [1, 12])
async def test_group_objects_cost_one_statement_per_related_type(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog, companies: int
) -> None:
    # Per company: an opportunity of SP1 on NEW stage 1 and one of SP2 on BIG stage 2.
    contacts = [f.company(f"C{n:02d}") for n in range(companies)]
    opportunities = [
        f.opportunity(f"OP{n:02d}{sp}", c, f"SP{sp}", "NEW" if sp == 1 else "BIG", status=S.IN_PROGRESS)
        for n, c in enumerate(contacts)
        for sp in (1, 2)
    ]
    entries = [f.entry(o, 1 if o.salesperson_code == "SP1" else 2, "100") for o in opportunities]
    await b.insert(sessions, f.salesperson("SP1"), f.salesperson("SP2"), *f.cycle("NEW"), *f.cycle("BIG"))
    await b.insert(sessions, *contacts, *opportunities, *entries)
    sql_log.clear()

    data = await gql.query(OBJECTS)

    keys = [group["key"] for group in data["pipeline"]["groups"]]
    assert len(keys) == 2 * companies
    assert keys[0] == {
        "salesperson": {"code": "SP1", "name": "Salesperson SP1"},
        "salesCycle": {"code": "NEW", "description": "Cycle NEW"},
        "salesCycleStage": {"stage": 1, "description": "Stage 1"},
        "contactCompany": {"no": "C00", "name": "Company C00"},
        "campaign": None,
    }
    assert keys[-1]["salesCycleStage"] == {"stage": 2, "description": "Stage 2"}
    # the groups; the salespeople; the cycles with their stages; the companies
    assert sql_log.count == 4, sql_log.statements
