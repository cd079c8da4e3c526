"""A salesperson's statistics and analytics are computed on its own opportunities and entries only
(api.md §7.1): every figure it reads equals what ADMIN reads when only its rows exist."""

from __future__ import annotations

from typing import Any

from resolvers.session import SessionFactory
from tests.reads.scoping_helpers import (
    ADMIN,
    SP1,
    given_master_data,
    given_rows_of,
    run,
)

MEASURES = "noOfOpportunities estimatedValue calculatedCurrentValue averageEstimatedValue"
WIN_RATE = """salespersonCode salesCycleCode won lost wonValue lostValue winRateByCount winRateByValue
  wonSalesValue"""

STATISTICS = f"""{{
  salespeople {{ nodes {{ code statistics {{ {MEASURES} }} }} }}
  contacts {{ nodes {{ no statistics {{ {MEASURES} }} }} }}
  campaigns {{ nodes {{ no statistics {{ {MEASURES} }} }} }}
  salesCycles {{
    nodes {{
      code statistics {{ {MEASURES} }}
      stages {{
        stage statistics {{ noOfOpportunities estimatedValue calculatedCurrentValue averageNoOfDays }}
      }}
    }}
  }}
  closeOpportunityCodes {{ nodes {{ code noOfOpportunities }} }}
  won: salesperson(code: "SP1") {{ statistics(filter: {{actionTaken: [WON]}}) {{ {MEASURES} }} }}
}}"""

ANALYTICS = f"""{{
  pipeline(groupBy: [SALESPERSON, STATUS]) {{
    groups {{ key {{ salespersonCode status }} measures {{ {MEASURES} }} }}
    total {{ {MEASURES} }}
  }}
  byStage: pipeline(groupBy: [SALES_CYCLE, STAGE]) {{
    groups {{ key {{ salesCycleCode stage }} measures {{ {MEASURES} }} }}
  }}
  asOf: pipeline(groupBy: [STATUS], asOf: "2024-01-13") {{
    groups {{ key {{ status }} measures {{ {MEASURES} }} }}
    total {{ {MEASURES} }}
  }}
  winRate(groupBy: SALESPERSON) {{ {WIN_RATE} }}
  byCycle: winRate(groupBy: SALES_CYCLE) {{ {WIN_RATE} }}
  winRateTotal {{ {WIN_RATE} }}
  velocity(salesCycleCode: "CYC") {{
    closed averageDaysToClose medianDaysToClose
    won {{ opportunities averageDaysToClose medianDaysToClose }}
    lost {{ opportunities averageDaysToClose medianDaysToClose }}
    stages {{ stageNo entries averageDaysInStage medianDaysInStage }}
  }}
  stageConversion(salesCycleCode: "CYC") {{ stageNo reached converted conversionRate }}
}}"""

LISTS = """{
  opportunities { totalCount nodes { no estimatedValue daysInCurrentStage } }
  opportunityEntries { totalCount nodes { entryNo } }
  tasks { totalCount nodes { no } }
  salesQuotes { totalCount nodes { no amount } }
  salesOrders { totalCount nodes { no amount } }
}"""


async def figures(sessions: SessionFactory, viewer: Any) -> list[dict[str, Any]]:
    return [await run(sessions, viewer, query) for query in (STATISTICS, ANALYTICS, LISTS)]


async def test_a_salespersons_figures_are_those_of_its_own_rows(sessions: SessionFactory) -> None:
    await given_master_data(sessions)
    await given_rows_of(sessions, 1)
    only_sp1_rows = await figures(sessions, ADMIN)

    await given_rows_of(sessions, 2)
    everything = await figures(sessions, ADMIN)
    as_sp1 = await figures(sessions, SP1)

    assert as_sp1[0] == only_sp1_rows[0]  # statistics
    assert as_sp1[1] == only_sp1_rows[1]  # analytics
    assert as_sp1[2] == only_sp1_rows[2]  # lists and counts
    assert everything[0] != only_sp1_rows[0]
    assert everything[1] != only_sp1_rows[1]


async def test_the_figures_are_not_empty(sessions: SessionFactory) -> None:
    """The comparison above means something: SP1's figures count its rows."""
    await given_master_data(sessions)
    await given_rows_of(sessions, 1)
    await given_rows_of(sessions, 2)

    statistics, analytics, _ = await figures(sessions, SP1)

    sp1 = next(n for n in statistics["salespeople"]["nodes"] if n["code"] == "SP1")
    sp2 = next(n for n in statistics["salespeople"]["nodes"] if n["code"] == "SP2")
    assert sp1["statistics"]["noOfOpportunities"] == 3  # OA1, OW1, OL1 (ON1 has no entry)
    assert sp2["statistics"]["noOfOpportunities"] == 0
    assert {n["code"]: n["noOfOpportunities"] for n in statistics["closeOpportunityCodes"]["nodes"]} == {
        "LOSE": 1,
        "WIN": 1,
    }
    assert analytics["pipeline"]["total"]["noOfOpportunities"] == 4
    assert [g["salespersonCode"] for g in analytics["winRate"]] == ["SP1"]
    assert (analytics["winRateTotal"]["won"], analytics["winRateTotal"]["lost"]) == (1, 1)
    assert analytics["velocity"]["closed"] == 2
    assert analytics["stageConversion"][0]["reached"] == 3
