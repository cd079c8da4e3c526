"""Analytics over rows at the extremes of every range the API accepts (api.md §7.2): dates on
1900-01-01 and 2999-12-31, the largest amount, 100 % chances. No variant of ``pipeline``,
``winRate``, ``winRateTotal``, ``velocity``, ``stageConversion`` or the statistics may fail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from models import ActionTaken, OpportunityStatus
from models.validation import MAX_DATE, MAX_MONEY, MIN_DATE
from resolvers.session import SessionFactory
from tests.analytics.pipeline_helpers import PIPELINE
from tests.conftest import GraphQLClient
from tests.support import factories as f
from tests.support.builders import closed, insert

PERIODS = ["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"]
PERIOD_DATES = ["ESTIMATED_CLOSE_DATE", "CREATION_DATE", "DATE_CLOSED"]
MAX = str(MAX_MONEY)


def _deal(no: str, created: dt.date, steps: list[tuple[ActionTaken, int, dt.date]], value: str) -> list[Any]:
    last_action, _, last_day = steps[-1]
    status: dict[str, Any] = {"status": OpportunityStatus.IN_PROGRESS}
    if last_action is ActionTaken.WON:
        status = closed(OpportunityStatus.WON, last_day)
    elif last_action is ActionTaken.LOST:
        status = closed(OpportunityStatus.LOST, last_day)
    opp = f.opportunity(no, f.company("C1"), "SP1", "CYC", creation_date=created, **status)
    rows: list[Any] = [opp]
    for n, (action, stage, day) in enumerate(steps):
        last = n == len(steps) - 1
        closing = action in (ActionTaken.WON, ActionTaken.LOST)
        rows.append(
            f.entry(
                opp,
                stage,
                value,
                active=last,
                action_taken=action,
                date_of_change=day,
                days_open=0 if last else (steps[n + 1][2] - day).days,
                date_closed=day if closing else None,
                estimated_close_date=day,
                calculated_current_value=Decimal(value),
                chances_of_success_pct=Decimal(100),
                completed_pct=Decimal(100),
                probability_pct=Decimal(100),
            )
        )
    return rows


async def given_extreme_rows(sessions: SessionFactory) -> None:
    """Opportunities at both ends of the date range, with the largest amounts, one of them spanning
    the whole range, won and lost on the last and the first day."""
    s, n, w, lo = ActionTaken.STARTED, ActionTaken.NEXT, ActionTaken.WON, ActionTaken.LOST
    await insert(sessions, f.salesperson("SP1"), f.company("C1"), *f.cycle("CYC", stages=4))
    await insert(
        sessions,
        *_deal("OLD", MIN_DATE, [(s, 1, MIN_DATE)], MAX),
        *_deal("NEW", MAX_DATE, [(s, 1, MAX_DATE)], MAX),
        *_deal("SPAN", MIN_DATE, [(s, 1, MIN_DATE), (n, 2, MAX_DATE), (w, 0, MAX_DATE)], MAX),
        *_deal("LOSTOLD", MIN_DATE, [(s, 1, MIN_DATE), (lo, 0, MIN_DATE)], MAX),
        *_deal("WONNEW", MAX_DATE, [(s, 1, MAX_DATE), (w, 0, MAX_DATE)], MAX),
    )


def _no_errors(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


#: Besides the stored range, the ends of what the ``Date`` scalar reads (asyncpg sends 9999-12-31
#: as PostgreSQL's ``infinity``).
AS_OF = [None, MIN_DATE.isoformat(), MAX_DATE.isoformat(), "0001-01-01", "9999-12-31"]


@pytest.mark.parametrize("as_of", AS_OF)
@pytest.mark.parametrize("period_date", PERIOD_DATES)
@pytest.mark.parametrize("period", PERIODS)
async def test_every_pipeline_period_variant_answers_over_extreme_rows(
    gql: GraphQLClient, sessions: SessionFactory, period: str, period_date: str, as_of: str | None
) -> None:
    await given_extreme_rows(sessions)

    body = await gql.raw(PIPELINE, {"g": ["PERIOD", "STATUS"], "p": period, "d": period_date, "a": as_of})

    data = _no_errors(body)
    groups = data["pipeline"]["groups"]
    keys = [g["key"] for g in groups if g["key"]["periodStart"] is not None]
    # A period is a whole calendar period: the ISO week of 2999-12-31 ends on 3000-01-05.
    assert all(MIN_DATE.isoformat() <= k["periodStart"] <= MAX_DATE.isoformat() for k in keys)
    assert all(k["periodStart"] <= k["periodEnd"] for k in keys)


@pytest.mark.parametrize("as_of", AS_OF)
async def test_the_pipeline_without_periods_adds_up_the_largest_amounts(
    gql: GraphQLClient, sessions: SessionFactory, as_of: str | None
) -> None:
    await given_extreme_rows(sessions)

    body = await gql.raw(PIPELINE, {"g": ["SALESPERSON", "STAGE"], "a": as_of})

    total = _no_errors(body)["pipeline"]["total"]
    if as_of is None:
        assert total["noOfOpportunities"] == 5
        assert Decimal(total["estimatedValue"]) == 5 * MAX_MONEY


PERFORMANCE = """query($from: Date, $to: Date) {
  winRate(groupBy: SALESPERSON, from: $from, to: $to) { won lost closed winRateByCount wonValue
    lostValue closedValue winRateByValue wonSalesValue }
  bySalesCycle: winRate(groupBy: SALES_CYCLE, from: $from, to: $to) { closed winRateByValue }
  winRateTotal(from: $from, to: $to) { won lost closed winRateByCount winRateByValue wonSalesValue }
  velocity(salesCycleCode: "CYC", from: $from, to: $to) {
    stages { stageNo entries averageDaysInStage medianDaysInStage } closed averageDaysToClose
    medianDaysToClose won { opportunities averageDaysToClose medianDaysToClose }
    lost { opportunities averageDaysToClose medianDaysToClose } }
  stageConversion(salesCycleCode: "CYC", from: $from, to: $to) { stageNo reached converted conversionRate }
}"""


@pytest.mark.parametrize(
    ("from_", "to"),
    [
        (None, None),
        (MIN_DATE.isoformat(), MAX_DATE.isoformat()),
        (MIN_DATE.isoformat(), MIN_DATE.isoformat()),
        (MAX_DATE.isoformat(), MAX_DATE.isoformat()),
        ("0001-01-01", "9999-12-31"),
    ],
)
async def test_win_rate_velocity_and_conversion_answer_over_extreme_rows(
    gql: GraphQLClient, sessions: SessionFactory, from_: str | None, to: str | None
) -> None:
    await given_extreme_rows(sessions)

    data = _no_errors(await gql.raw(PERFORMANCE, {"from": from_, "to": to}))

    if from_ is None:
        assert data["winRateTotal"]["closed"] == 3
        assert data["velocity"]["closed"] == 3
        assert Decimal(data["winRateTotal"]["wonSalesValue"]) == 2 * MAX_MONEY


STATISTICS = """query($f: StatisticsFilter) {
  salesperson(code: "SP1") { statistics(filter: $f) { ...S } }
  contact(no: "C1") { statistics(filter: $f) { ...S } }
  salesCycle(code: "CYC") { statistics(filter: $f) { ...S }
    stages { statistics(filter: $f) { noOfOpportunities estimatedValue calculatedCurrentValue
      averageNoOfDays } } }
}
fragment S on OpportunityStatistics { noOfOpportunities estimatedValue calculatedCurrentValue
  averageEstimatedValue averageCalculatedCurrentValue }"""


@pytest.mark.parametrize(
    "filter_",
    [
        None,
        {"estimatedCloseDateFrom": MIN_DATE.isoformat(), "estimatedCloseDateTo": MAX_DATE.isoformat()},
        {"estimatedCloseDateFrom": "0001-01-01", "estimatedCloseDateTo": "9999-12-31"},
    ],
)
async def test_statistics_answer_over_extreme_rows(
    gql: GraphQLClient, sessions: SessionFactory, filter_: dict[str, str] | None
) -> None:
    await given_extreme_rows(sessions)

    data = _no_errors(await gql.raw(STATISTICS, {"f": filter_}))

    assert data["salesperson"]["statistics"]["noOfOpportunities"] == 5


@pytest.mark.parametrize("unit", PERIODS)
def test_a_period_at_the_end_of_the_calendar_ends_on_its_last_day(unit: str) -> None:
    from resolvers.analytics.pipeline import PeriodUnit, period_end

    assert period_end(dt.date(9999, 12, 27), PeriodUnit(unit)) == dt.date(
        9999, 12, 27 if unit == "DAY" else 31
    )
