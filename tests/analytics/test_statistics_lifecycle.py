"""Statistics through the lifecycle, as Microsoft's own tests check them (domain.md §7), and the
statement count of statistics over a page of parents (one statement per level)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from models import CloseOutcome
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient, StatementLog
from tests.support import builders as b
from tests.support import factories as f

STATS = "noOfOpportunities estimatedValue calculatedCurrentValue"
EVERYWHERE = f"""{{
  opportunity(no: "O") {{ status estimatedValue calculatedCurrentValue probabilityPct }}
  contact(no: "C") {{ statistics {{ {STATS} }} }}
  person: contact(no: "P") {{ statistics {{ {STATS} }} }}
  salesperson(code: "S") {{ statistics {{ {STATS} }} }}
  salesCycle(code: "NEW") {{ statistics {{ {STATS} }} stages {{ statistics {{ {STATS} }} }} }}
}}"""


async def test_statistics_before_and_after_a_won_close(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.company("C"),
        f.person("P", "C"),
        *f.cycle("NEW", stages=0),
        b.stage("NEW", 1, completed_pct=Decimal(25), chances_of_success_pct=Decimal(60)),
        b.close_code("WON1", CloseOutcome.WON),
    )
    created = await gql.query(
        "mutation($input: CreateOpportunityInput!) {"
        " createOpportunity(input: $input) { userErrors { code } } }",
        {
            "input": {
                "no": "O",
                "description": "Deal",
                "contactNo": "P",
                "salespersonCode": "S",
                "salesCycleCode": "NEW",
                "creationDate": "2024-01-10",
                "activateFirstStage": True,
                "estimatedValue": "10000",
                "chancesOfSuccessPct": "60",
                "estimatedClosingDate": "2024-03-01",
            }
        },
    )
    assert created["createOpportunity"]["userErrors"] == []

    before = await gql.query(EVERYWHERE)

    # V = 10 000, C = 60, K = 25: everyone shows one opportunity worth 10 000, calculated 1 500.
    one = {"noOfOpportunities": 1, "estimatedValue": "10000.00", "calculatedCurrentValue": "1500.00"}
    assert before["opportunity"] == {
        "status": "IN_PROGRESS",
        "estimatedValue": "10000.00",
        "calculatedCurrentValue": "1500.00",
        "probabilityPct": "15",
    }
    assert before["contact"]["statistics"] == one
    assert before["person"]["statistics"] == one
    assert before["salesperson"]["statistics"] == one
    assert before["salesCycle"]["statistics"] == one
    assert before["salesCycle"]["stages"] == [{"statistics": one}]

    closed = await gql.query(
        "mutation($input: CloseOpportunityInput!) {"
        " closeOpportunity(input: $input) { userErrors { code } } }",
        {
            "input": {
                "no": "O",
                "outcome": "WON",
                "closeOpportunityCode": "WON1",
                "closingDate": "2024-02-01",
                "salesValue": "12000",
            }
        },
    )
    assert closed["closeOpportunity"]["userErrors"] == []

    after = await gql.query(EVERYWHERE)

    # The opportunity, contact and salesperson keep it (value 10 000, won at 12 000, 100 %);
    # the cycle and the stage no longer count it.
    won = {"noOfOpportunities": 1, "estimatedValue": "10000.00", "calculatedCurrentValue": "12000.00"}
    none = {"noOfOpportunities": 0, "estimatedValue": "0.00", "calculatedCurrentValue": "0.00"}
    assert after["opportunity"] == {
        "status": "WON",
        "estimatedValue": "10000.00",
        "calculatedCurrentValue": "12000.00",
        "probabilityPct": "100",
    }
    assert after["contact"]["statistics"] == won
    assert after["person"]["statistics"] == won
    assert after["salesperson"]["statistics"] == won
    assert after["salesCycle"]["statistics"] == none
    assert after["salesCycle"]["stages"] == [{"statistics": none}]


async def given_parents_with_entries(sessions: SessionFactory, n: int) -> None:
    people = [f.salesperson(f"S{i:02d}") for i in range(n)]
    companies = [f.company(f"C{i:02d}") for i in range(n)]
    cycles = [row for i in range(n) for row in f.cycle(f"Y{i:02d}", stages=3)]
    opportunities = [f.opportunity(f"O{i:02d}", companies[i], people[i].code, f"Y{i:02d}") for i in range(n)]
    entries = [f.entry(o, 1 + i % 3, str(100 * (i + 1))) for i, o in enumerate(opportunities)]
    await b.insert(sessions, *people, *companies, *cycles, *opportunities, *entries)


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize(
    "query",
    [
        f"query($n: Int) {{ salespeople(first: $n) {{ nodes {{ code statistics {{ {STATS} }} }} }} }}",
        f"query($n: Int) {{ contacts(first: $n) {{ nodes {{ no statistics {{ {STATS} }} }} }} }}",
        f"query($n: Int) {{ salesCycles(first: $n) {{ nodes {{ statistics {{ {STATS} }} "
        f"stages {{ statistics {{ {STATS} averageNoOfDays }} }} }} }} }}",
    ],
    ids=["salespeople", "contacts", "cycles-and-stages"],
)
async def test_statistics_of_a_page_cost_one_statement_per_level(
    read_path: tuple[str, GraphQLClient],
    sessions: SessionFactory,
    sql_log: StatementLog,
    size: int,
    query: str,
) -> None:
    await given_parents_with_entries(sessions, 50)
    sql_log.clear()
    path, gql = read_path

    data: dict[str, Any] = await gql.query(query, {"n": size})

    nodes = next(iter(data.values()))["nodes"]
    assert len(nodes) == size
    # Compiled: one statement. Resolvers: the page, then one statement of statistics per level
    # (cycles: their stages come with them, the cycle and the stage statistics are one each).
    resolvers = 4 if "stages" in query else 2
    assert sql_log.count == (1 if path == "compiled" else resolvers), sql_log.statements
