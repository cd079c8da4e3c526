"""The canonical reads execute a fixed number of SQL statements, whatever the page sizes.

nested.graphql is four levels deep (contacts → opportunities → salesperson / sales cycle /
current stage → stages) and costs four statements: the contact page, the opportunity pages of
all contacts (one LATERAL statement, active entries joined), the salespeople, and the sales
cycles with their stages (which also answer ``currentStage`` and ``stages``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from models import OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient, StatementLog
from tests.support import factories as f

QUERIES = Path(__file__).parents[1] / "queries"
NESTED = (QUERIES / "nested.graphql").read_text()
ONE = (QUERIES / "one.graphql").read_text()


async def given_contacts_with_opportunities(
    sessions: SessionFactory, contacts: int, per_contact: int
) -> None:
    salespeople = [f.salesperson(f"SP{i}") for i in range(3)]
    cycles = f.cycle("NEW", stages=5) + f.cycle("BIG", stages=4)
    await f.add(sessions, *salespeople, *cycles)
    rows: list[object] = [f.company(f"C{i:03d}") for i in range(contacts)]
    await f.add(sessions, *rows)
    opportunities = [
        f.opportunity(
            f"OP{i:03d}{j:03d}",
            f.company(f"C{i:03d}"),
            f"SP{(i + j) % 3}",
            "NEW" if j % 2 else "BIG",
            status=OpportunityStatus.IN_PROGRESS if j % 3 else OpportunityStatus.NOT_STARTED,
        )
        for i in range(contacts)
        for j in range(per_contact)
    ]
    await f.add(sessions, *opportunities)
    await f.add(sessions, *[f.entry(o, 1 + n % 4, "1000") for n, o in enumerate(opportunities) if n % 3])


@pytest.mark.parametrize(("contacts", "opportunities"), [(3, 2), (25, 10)])
async def test_nested_read_costs_four_statements_at_any_page_size(
    gql: GraphQLClient,
    sessions: SessionFactory,
    sql_log: StatementLog,
    contacts: int,
    opportunities: int,
) -> None:
    await given_contacts_with_opportunities(sessions, contacts=30, per_contact=12)
    sql_log.clear()

    data = await gql.query(NESTED, {"contacts": contacts, "opportunities": opportunities})

    pages = data["contacts"]["nodes"]
    assert len(pages) == contacts
    assert all(len(c["opportunities"]["nodes"]) == opportunities for c in pages)
    started = [o for c in pages for o in c["opportunities"]["nodes"] if o["currentStage"]]
    assert started
    assert all(o["salesCycle"]["stages"] for c in pages for o in c["opportunities"]["nodes"])
    assert sql_log.count == 4, sql_log.statements


@pytest.mark.parametrize("per_contact", [3, 12])
async def test_one_contact_read_costs_four_statements_at_any_size(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog, per_contact: int
) -> None:
    await given_contacts_with_opportunities(sessions, contacts=2, per_contact=per_contact)
    sql_log.clear()

    data = await gql.query(ONE, {"no": "c001"})

    assert data["contact"]["no"] == "C001"
    assert len(data["contact"]["opportunities"]["nodes"]) == per_contact
    assert sql_log.count == 4, sql_log.statements


async def test_total_count_is_queried_only_when_selected(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_contacts_with_opportunities(sessions, contacts=3, per_contact=2)
    query = (
        "query($count: Boolean!) { opportunities(first: 2) { nodes { no } totalCount @include(if: $count) } }"
    )

    sql_log.clear()
    without = await gql.query(query, {"count": False})
    statements_without = sql_log.count
    sql_log.clear()
    with_count = await gql.query(query, {"count": True})

    assert "totalCount" not in without["opportunities"]
    assert with_count["opportunities"]["totalCount"] == 6
    assert statements_without == 1
    assert sql_log.count == 2


async def test_nested_total_counts_cost_one_statement_for_all_parents(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_contacts_with_opportunities(sessions, contacts=5, per_contact=4)
    sql_log.clear()

    data = await gql.query("{ contacts(first: 5) { nodes { opportunities(first: 1) { totalCount } } } }")

    assert [c["opportunities"]["totalCount"] for c in data["contacts"]["nodes"]] == [4] * 5
    assert sql_log.count == 3
