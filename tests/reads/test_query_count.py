"""The canonical reads execute a fixed number of SQL statements, whatever the page sizes.

On the compiled path (the default) every read is one statement: its one row is the whole answer.

On the resolver path (``SALESGRAPH_COMPILE_READS=0``) nested.graphql, four levels deep (contacts →
opportunities → salesperson / sales cycle / current stage → stages), costs four statements: the
contact page, the opportunity pages of all contacts (one LATERAL statement, active entries
joined), the salespeople, and the sales cycles with their stages (which also answer
``currentStage`` and ``stages``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from models import OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient, StatementLog, TestDatabase
from tests.support import factories as f
from tests.support.api import bearer, new_key, partner_client

COMPILED = "compiled"


def expected(path: str, resolvers: int) -> int:
    return 1 if path == COMPILED else resolvers


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
async def test_nested_read_costs_one_statement_compiled_and_four_on_resolvers_at_any_page_size(
    read_path: tuple[str, GraphQLClient],
    sessions: SessionFactory,
    sql_log: StatementLog,
    contacts: int,
    opportunities: int,
) -> None:
    await given_contacts_with_opportunities(sessions, contacts=30, per_contact=12)
    sql_log.clear()

    name, gql = read_path
    data = await gql.query(NESTED, {"contacts": contacts, "opportunities": opportunities})

    pages = data["contacts"]["nodes"]
    assert len(pages) == contacts
    assert all(len(c["opportunities"]["nodes"]) == opportunities for c in pages)
    started = [o for c in pages for o in c["opportunities"]["nodes"] if o["currentStage"]]
    assert started
    assert all(o["salesCycle"]["stages"] for c in pages for o in c["opportunities"]["nodes"])
    assert sql_log.count == expected(name, 4), sql_log.statements


@pytest.mark.parametrize("per_contact", [3, 12])
async def test_one_contact_read_costs_one_statement_compiled_and_four_on_resolvers_at_any_size(
    read_path: tuple[str, GraphQLClient], sessions: SessionFactory, sql_log: StatementLog, per_contact: int
) -> None:
    await given_contacts_with_opportunities(sessions, contacts=2, per_contact=per_contact)
    sql_log.clear()
    name, gql = read_path

    data = await gql.query(ONE, {"no": "c001"})

    assert data["contact"]["no"] == "C001"
    assert len(data["contact"]["opportunities"]["nodes"]) == per_contact
    assert sql_log.count == expected(name, 4), sql_log.statements


async def test_total_count_is_queried_only_when_selected(
    read_path: tuple[str, GraphQLClient], sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_contacts_with_opportunities(sessions, contacts=3, per_contact=2)
    name, gql = read_path
    query = (
        "query($count: Boolean!) { opportunities(first: 2) { nodes { no } totalCount @include(if: $count) } }"
    )

    sql_log.clear()
    without = await gql.query(query, {"count": False})
    statements_without = sql_log.count
    statements_without_text = list(sql_log.statements)
    sql_log.clear()
    with_count = await gql.query(query, {"count": True})

    assert "totalCount" not in without["opportunities"]
    assert with_count["opportunities"]["totalCount"] == 6
    assert statements_without == 1
    assert sql_log.count == expected(name, 2)
    if name == COMPILED:
        assert "count(*)" not in statements_without_text[0]
        assert "count(*)" in sql_log.statements[0]


async def test_nested_total_counts_cost_one_statement_for_all_parents(
    read_path: tuple[str, GraphQLClient], sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_contacts_with_opportunities(sessions, contacts=5, per_contact=4)
    sql_log.clear()
    name, gql = read_path

    data = await gql.query("{ contacts(first: 5) { nodes { opportunities(first: 1) { totalCount } } } }")

    assert [c["opportunities"]["totalCount"] for c in data["contacts"]["nodes"]] == [4] * 5
    assert sql_log.count == expected(name, 3)


@pytest.mark.parametrize("document", ["nested", "one"])
async def test_a_partner_read_is_one_statement_with_its_admission_folded_in(
    database: TestDatabase, sessions: SessionFactory, sql_log: StatementLog, document: str
) -> None:
    """With an API key, the key lookup, its last use and the bucket (the admission) are one
    statement with the read. A process that has not seen the key yet (it does not know its
    viewer, which picks the plan) admits first, then reads: two statements, once."""
    await given_contacts_with_opportunities(sessions, contacts=4, per_contact=3)
    key = await new_key(sessions, "READ_ONLY")
    query, variables = (NESTED, {"contacts": 4}) if document == "nested" else (ONE, {"no": "C001"})
    async with partner_client(database) as http:
        for expected_statements in (2, 1, 1):  # the later requests also pay back unused cost
            sql_log.clear()
            response = await http.post(
                "/graphql", json={"query": query, "variables": variables}, headers=bearer(key)
            )
            assert response.status_code == 200, response.text
            assert response.headers["x-salesgraph-plan"] == "compiled"
            assert "errors" not in response.json()
            assert len(sql_log.statements) == expected_statements, sql_log.statements
            assert all("cost_bucket" in s for s in sql_log.statements[:1])
