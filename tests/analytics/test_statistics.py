"""Business Central's statistics (domain.md §7, §11.10) on a small hand-built history.

O1  P1 (of company C)  S1  campaign CA  stage 1 (4 days, inactive) → stage 2: 2000 / 600, closes 03-01
O2  P2 (of company C)  S1               stage 1: 3000 / 300, closes 02-15
O3  C itself           S2  campaign CA  stage 2 (6 days, inactive) → WON1: 500 / 450, closes 01-31
O4  D                  S2               not started
O5  D                  S1               stage 2 (3 days, inactive) → LOST1: 800 / 0, closes 01-20
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from models import ActionTaken, CloseOutcome, OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

STATS = (
    "noOfOpportunities estimatedValue calculatedCurrentValue averageEstimatedValue "
    "averageCalculatedCurrentValue"
)
JAN31, FEB15, MAR1, JAN20 = (
    dt.date(2024, 1, 31),
    dt.date(2024, 2, 15),
    dt.date(2024, 3, 1),
    dt.date(2024, 1, 20),
)


def entry(opp: Any, stage: int, value: str, calculated: str, **kw: Any) -> Any:
    kw.setdefault("campaign_no", opp.campaign_no)
    return f.entry(opp, stage, value, calculated_current_value=Decimal(calculated), **kw)


async def given_the_history(sessions: SessionFactory) -> None:
    c, p1, p2, d = f.company("C"), f.person("P1", "C"), f.person("P2", "C"), f.company("D")
    o1 = f.opportunity("O1", p1, "S1", "NEW", campaign_no="CA", status=OpportunityStatus.IN_PROGRESS)
    o2 = f.opportunity("O2", p2, "S1", "NEW", status=OpportunityStatus.IN_PROGRESS)
    o3 = f.opportunity("O3", c, "S2", "NEW", campaign_no="CA", **b.closed(OpportunityStatus.WON, JAN31))
    o4 = f.opportunity("O4", d, "S2", "NEW")
    o5 = f.opportunity("O5", d, "S1", "NEW", **b.closed(OpportunityStatus.LOST, JAN20))
    won = {"action_taken": ActionTaken.WON, "date_closed": JAN31, "date_of_change": JAN31}
    lost = {"action_taken": ActionTaken.LOST, "date_closed": JAN20, "date_of_change": JAN20}
    await b.insert(
        sessions,
        f.salesperson("S1"),
        f.salesperson("S2"),
        f.salesperson("S3"),
        c,
        p1,
        p2,
        d,
        b.campaign("CA"),
        *f.cycle("NEW", stages=3),
        b.close_code("WON1", CloseOutcome.WON),
        b.close_code("LOST1", CloseOutcome.LOST),
        b.close_code("LOST2", CloseOutcome.LOST),
        o1,
        o2,
        o3,
        o4,
        o5,
        entry(o1, 1, "1000", "100", active=False, days_open=4),
        entry(o1, 2, "2000", "600", action_taken=ActionTaken.NEXT, estimated_close_date=MAR1),
        entry(o2, 1, "3000", "300", estimated_close_date=FEB15),
        entry(o3, 2, "500", "50", active=False, days_open=6),
        entry(o3, 0, "500", "450", close_opportunity_code="WON1", estimated_close_date=JAN31, **won),
        entry(o5, 2, "800", "80", active=False, days_open=3),
        entry(o5, 0, "800", "0", close_opportunity_code="LOST1", estimated_close_date=JAN20, **lost),
    )


def figures(stats: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(stats.values())


async def test_salesperson_statistics_include_won_and_lost_unless_narrowed(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_history(sessions)

    data = await gql.query(
        f"""query($open: StatisticsFilter) {{
          s1: salesperson(code: "S1") {{
            all: statistics {{ {STATS} }} open: statistics(filter: $open) {{ {STATS} }}
          }}
          s2: salesperson(code: "S2") {{ statistics {{ {STATS} }} }}
          s3: salesperson(code: "S3") {{ statistics {{ {STATS} }} }}
        }}""",
        {"open": {"actionTaken": ["STARTED", "NEXT", "PREVIOUS", "UPDATED", "JUMPED"]}},
    )

    # S1: O1's 2000/600, O2's 3000/300 and O5's lost 800/0.
    assert figures(data["s1"]["all"]) == (3, "5800.00", "900.00", "1933.33", "300.00")
    assert figures(data["s1"]["open"]) == (2, "5000.00", "900.00", "2500.00", "450.00")
    assert figures(data["s2"]["statistics"]) == (1, "500.00", "450.00", "500.00", "450.00")
    assert figures(data["s3"]["statistics"]) == (0, "0.00", "0.00", "0.00", "0.00")


async def test_a_company_counts_its_persons_and_a_person_only_itself(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_history(sessions)

    data = await gql.query(
        f"""{{ c: contact(no: "C") {{ statistics {{ {STATS} }} }}
              p1: contact(no: "P1") {{ statistics {{ {STATS} }} }}
              p2: contact(no: "P2") {{ statistics {{ {STATS} }} }}
              d: contact(no: "D") {{ statistics {{ {STATS} }} }} }}"""
    )

    assert figures(data["c"]["statistics"]) == (3, "5500.00", "1350.00", "1833.33", "450.00")
    assert figures(data["p1"]["statistics"]) == (1, "2000.00", "600.00", "2000.00", "600.00")
    assert figures(data["p2"]["statistics"]) == (1, "3000.00", "300.00", "3000.00", "300.00")
    assert figures(data["d"]["statistics"]) == (1, "800.00", "0.00", "800.00", "0.00")


async def test_campaign_and_cycle_statistics(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_the_history(sessions)

    data = await gql.query(
        f"""{{ campaign(no: "CA") {{ statistics {{ {STATS} }} }}
              salesCycle(code: "NEW") {{ statistics {{ {STATS} }} }} }}"""
    )

    assert figures(data["campaign"]["statistics"]) == (2, "2500.00", "1050.00", "1250.00", "525.00")
    # The cycle counts open opportunities only: O1 and O2.
    assert figures(data["salesCycle"]["statistics"]) == (2, "5000.00", "900.00", "2500.00", "450.00")


async def test_stage_statistics_count_active_entries_and_average_the_inactive_days(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_history(sessions)

    data = await gql.query(
        """{ salesCycle(code: "NEW") { stages { stage statistics {
               noOfOpportunities estimatedValue calculatedCurrentValue averageNoOfDays } } } }"""
    )

    assert [(s["stage"], figures(s["statistics"])) for s in data["salesCycle"]["stages"]] == [
        (1, (1, "3000.00", "300.00", "4.00")),  # O2 on it; O1 stayed 4 days
        (2, (1, "2000.00", "600.00", "4.50")),  # O1 on it; O3 and O5 stayed 6 and 3 days
        (3, (0, "0.00", "0.00", "0.00")),
    ]


async def test_close_codes_count_every_entry_carrying_them(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_history(sessions)

    data = await gql.query("{ closeOpportunityCodes { nodes { code noOfOpportunities } } }")

    assert data["closeOpportunityCodes"]["nodes"] == [
        {"code": "LOST1", "noOfOpportunities": 1},
        {"code": "LOST2", "noOfOpportunities": 0},
        {"code": "WON1", "noOfOpportunities": 1},
    ]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"estimatedCloseDateTo": "2024-02-20"}, (2, "3800.00", "300.00", "1900.00", "150.00")),  # O2, O5
        ({"estimatedCloseDateFrom": "2024-02-16"}, (1, "2000.00", "600.00", "2000.00", "600.00")),  # O1
        ({"actionTaken": ["LOST"]}, (1, "800.00", "0.00", "800.00", "0.00")),
        ({"stage": 1}, (1, "3000.00", "300.00", "3000.00", "300.00")),
        ({"salesCycleCode": "other"}, (0, "0.00", "0.00", "0.00", "0.00")),
        ({"salesCycleCode": "new", "stage": 2}, (1, "2000.00", "600.00", "2000.00", "600.00")),
    ],
)
async def test_the_statistics_filter_narrows_the_entries(
    gql: GraphQLClient, sessions: SessionFactory, condition: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    await given_the_history(sessions)

    data = await gql.query(
        f'query($f: StatisticsFilter) {{ salesperson(code: "S1") {{ '
        f"statistics(filter: $f) {{ {STATS} }} }} }}",
        {"f": condition},
    )

    assert figures(data["salesperson"]["statistics"]) == expected
