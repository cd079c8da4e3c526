"""A salesperson reads only its own opportunities, entries, tasks, quotes and orders (api.md §7.1):
in root lists and their counts and cursors, lookups, ``node``/``nodes``, nested lists and
relations. The other roles read every row. The world is in ``scoping_helpers``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.relay import encode_id
from resolvers.session import SessionFactory
from resolvers.viewer import Viewer
from tests.conftest import StatementLog
from tests.reads.scoping_helpers import (
    EVERYTHING,
    SP1,
    SP2,
    given_the_world,
    nos,
    opportunities_of,
    orders_of,
    quotes_of,
    run,
    tasks_of,
)

ROOT_LISTS = """{
  opportunities(first: 100) { totalCount nodes { no } }
  tasks(first: 100) { totalCount nodes { no } }
  salesQuotes(first: 100) { totalCount nodes { no } }
  salesOrders(first: 100) { totalCount nodes { no } }
  opportunityEntries(first: 100) { totalCount nodes { opportunity { no } } }
}"""


def entry_owners(data: dict[str, Any]) -> list[str]:
    return sorted({node["opportunity"]["no"] for node in data["opportunityEntries"]["nodes"]})


async def test_a_salesperson_lists_and_counts_only_its_own_rows(sessions: SessionFactory) -> None:
    await given_the_world(sessions)

    data = await run(sessions, SP1, ROOT_LISTS)

    assert nos(data["opportunities"]) == opportunities_of(1)
    assert nos(data["tasks"]) == sorted([*tasks_of(1), "XA1"])  # its task on SP2's opportunity too
    assert nos(data["salesQuotes"]) == quotes_of(1)
    assert nos(data["salesOrders"]) == orders_of(1)
    assert entry_owners(data) == ["OA1", "OL1", "OW1"]  # ON1 has no entries
    assert [data[name]["totalCount"] for name in ROOT_LIST_NAMES] == [4, 3, 2, 2, 6]


ROOT_LIST_NAMES = ["opportunities", "tasks", "salesQuotes", "salesOrders", "opportunityEntries"]


async def test_the_link_to_an_opportunity_decides_whose_quote_it_is(sessions: SessionFactory) -> None:
    """QL1 names SP2 but is linked to SP1's opportunity; QL2 names SP1 but is linked to SP2's."""
    await given_the_world(sessions)

    sp1 = await run(sessions, SP1, "{ salesQuotes { nodes { no salesperson { code } } } }")
    sp2 = await run(sessions, SP2, "{ salesQuotes { nodes { no salesperson { code } } } }")

    assert sp1["salesQuotes"]["nodes"] == [
        {"no": "QL1", "salesperson": {"code": "SP2"}},
        {"no": "QU1", "salesperson": {"code": "SP1"}},
    ]
    assert nos(sp2["salesQuotes"]) == ["QL2", "QU2"]


@pytest.mark.parametrize("viewer", EVERYTHING, ids=lambda v: v.role.value)
async def test_every_other_role_lists_and_counts_every_row(sessions: SessionFactory, viewer: Viewer) -> None:
    await given_the_world(sessions)

    data = await run(sessions, viewer, ROOT_LISTS)

    assert nos(data["opportunities"]) == opportunities_of(1, 2)
    assert nos(data["tasks"]) == sorted([*tasks_of(1, 2), "XA1", "XA2"])
    assert nos(data["salesQuotes"]) == quotes_of(1, 2)
    assert nos(data["salesOrders"]) == orders_of(1, 2)
    assert entry_owners(data) == ["OA1", "OA2", "OL1", "OL2", "OW1", "OW2"]
    assert [data[name]["totalCount"] for name in ROOT_LIST_NAMES] == [8, 6, 4, 4, 12]


PAGE = """query($after: String, $before: String, $first: Int, $last: Int) {
  opportunities(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { no } } pageInfo { hasNextPage endCursor }
  }
}"""


async def test_paging_walks_only_the_own_rows(sessions: SessionFactory) -> None:
    await given_the_world(sessions)
    seen: list[str] = []
    after = None

    for _ in range(10):
        page = (await run(sessions, SP1, PAGE, {"first": 1, "after": after}))["opportunities"]
        seen += [edge["node"]["no"] for edge in page["edges"]]
        assert page["totalCount"] == 4
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == ["OA1", "OL1", "ON1", "OW1"]
    assert page["pageInfo"]["hasNextPage"] is False


async def test_a_cursor_at_an_invisible_row_shows_only_the_own_rows_around_it(
    sessions: SessionFactory,
) -> None:
    await given_the_world(sessions)
    admin = (await run(sessions, EVERYTHING[0], PAGE, {"first": 2}))["opportunities"]
    at_oa2 = admin["edges"][1]["cursor"]
    assert admin["edges"][1]["node"]["no"] == "OA2"

    after = (await run(sessions, SP1, PAGE, {"first": 10, "after": at_oa2}))["opportunities"]
    before = (await run(sessions, SP1, PAGE, {"last": 10, "before": at_oa2}))["opportunities"]

    assert [e["node"]["no"] for e in after["edges"]] == ["OL1", "ON1", "OW1"]
    assert [e["node"]["no"] for e in before["edges"]] == ["OA1"]
    assert after["totalCount"] == before["totalCount"] == 4


LOOKUPS = """query($entry: Int!) {
  opportunity(no: "OA2") { no } task(no: "TA2") { no } salesQuote(no: "QL2") { no }
  salesOrder(no: "RU2") { no } opportunityEntry(entryNo: $entry) { entryNo }
  own: opportunity(no: "OA1") { no } ownQuote: salesQuote(no: "QL1") { no }
}"""


async def first_entry_of(sessions: SessionFactory, opportunity_no: str) -> int:
    data = await run(
        sessions, EVERYTHING[0], "query($no: String!) { opportunity(no: $no) { activeEntry { entryNo } } }",
        {"no": opportunity_no},
    )  # fmt: skip
    entry_no: int = data["opportunity"]["activeEntry"]["entryNo"]
    return entry_no


async def test_lookups_of_another_salespersons_rows_are_null(sessions: SessionFactory) -> None:
    await given_the_world(sessions)
    entry_no = await first_entry_of(sessions, "OA2")

    data = await run(sessions, SP1, LOOKUPS, {"entry": entry_no})

    assert data == {
        "opportunity": None,
        "task": None,
        "salesQuote": None,
        "salesOrder": None,
        "opportunityEntry": None,
        "own": {"no": "OA1"},
        "ownQuote": {"no": "QL1"},
    }


NODES = """query($ids: [ID!]!, $id: ID!) {
  nodes(ids: $ids) { id }
  node(id: $id) { id }
}"""


async def test_node_and_nodes_of_another_salespersons_rows_are_null(sessions: SessionFactory) -> None:
    await given_the_world(sessions)
    entry_no = await first_entry_of(sessions, "OA2")
    theirs = [
        encode_id("Opportunity", ["OA2"]),
        encode_id("Task", ["TA2"]),
        encode_id("SalesQuote", ["QL2"]),
        encode_id("SalesOrder", ["RL2"]),
        encode_id("OpportunityEntry", [entry_no]),
    ]
    own = [encode_id("Opportunity", ["OA1"]), encode_id("Salesperson", ["SP2"]), encode_id("Contact", ["P1"])]

    data = await run(sessions, SP1, NODES, {"ids": [*theirs, *own], "id": theirs[0]})

    assert data["nodes"] == [None] * len(theirs) + [{"id": i} for i in own]
    assert data["node"] is None


NESTED = """{
  contact(no: "P1") { opportunities { totalCount nodes { no } } }
  company: contact(no: "C1") { opportunities { totalCount nodes { no } } }
  campaign(no: "CMP") { opportunities { totalCount nodes { no } } }
  salesCycle(code: "CYC") { opportunities(first: 3) { totalCount nodes { no } pageInfo { hasNextPage } } }
  sp2: salesperson(code: "SP2") {
    opportunities { totalCount nodes { no } } tasks { totalCount nodes { no } }
  }
  sp1: salesperson(code: "SP1") {
    opportunities { totalCount nodes { no } } tasks { totalCount nodes { no } }
  }
  opportunity(no: "OA1") {
    entries { totalCount nodes { stageNo } }
    tasks { totalCount nodes { no } }
    salesDocument { ... on SalesQuote { no } }
  }
}"""


async def test_nested_lists_show_only_the_own_rows(sessions: SessionFactory) -> None:
    await given_the_world(sessions)

    data = await run(sessions, SP1, NESTED)

    def listed(connection: dict[str, Any]) -> tuple[int, list[str]]:
        return connection["totalCount"], nos(connection)

    assert listed(data["contact"]["opportunities"]) == (2, ["OA1", "OL1"])
    assert listed(data["company"]["opportunities"]) == (2, ["ON1", "OW1"])
    assert listed(data["campaign"]["opportunities"]) == (2, ["OA1", "OW1"])
    cycle = data["salesCycle"]["opportunities"]
    assert (listed(cycle), cycle["pageInfo"]["hasNextPage"]) == ((4, ["OA1", "OL1", "ON1"]), True)
    assert listed(data["sp2"]["opportunities"]) == (0, [])
    assert listed(data["sp2"]["tasks"]) == (0, [])
    assert listed(data["sp1"]["opportunities"]) == (4, opportunities_of(1))
    assert listed(data["sp1"]["tasks"]) == (3, sorted([*tasks_of(1), "XA1"]))
    opportunity = data["opportunity"]
    assert listed(opportunity["tasks"]) == (1, ["TA1"])  # SP2's XA2 on OA1 is not SP1's
    assert nos(opportunity["entries"], "stageNo") == [1, 2]
    assert opportunity["salesDocument"] == {"no": "QL1"}


RELATIONS = """{
  tasks { nodes { no opportunity { no } opportunityEntry { stageNo } } }
  salesQuotes { nodes { no opportunity { no } } }
  salesOrders { nodes { no opportunity { no } } }
  opportunityEntries { nodes { opportunity { no } } }
}"""


async def test_relations_to_another_salespersons_rows_are_null(sessions: SessionFactory) -> None:
    """SP1's task XA1 is on SP2's opportunity OA2: SP1 reads the task, not the opportunity or entry.

    ``OpportunityEntry.opportunity`` is non-null and never needs to be null: an entry is visible
    exactly when its opportunity is.
    """
    await given_the_world(sessions)

    data = await run(sessions, SP1, RELATIONS)

    tasks = {node["no"]: node for node in data["tasks"]["nodes"]}
    assert tasks["XA1"] == {"no": "XA1", "opportunity": None, "opportunityEntry": None}
    assert tasks["TA1"] == {"no": "TA1", "opportunity": {"no": "OA1"}, "opportunityEntry": {"stageNo": 2}}
    assert {n["no"]: n["opportunity"] for n in data["salesQuotes"]["nodes"]} == {
        "QL1": {"no": "OA1"},
        "QU1": None,
    }
    assert {n["no"]: n["opportunity"] for n in data["salesOrders"]["nodes"]} == {
        "RL1": {"no": "OW1"},
        "RU1": None,
    }
    assert all(node["opportunity"] is not None for node in data["opportunityEntries"]["nodes"])


async def test_a_salesperson_without_a_salesperson_code_reads_none_of_the_scoped_rows(
    sessions: SessionFactory,
) -> None:
    await given_the_world(sessions)
    unbound = Viewer(SP1.role, None, "unbound")

    data = await run(sessions, unbound, ROOT_LISTS)

    assert [data[name]["totalCount"] for name in ROOT_LIST_NAMES] == [0, 0, 0, 0, 0]


VIEWER = "{ viewer { role keyName salespersonCode salesperson { code name } } }"


async def test_viewer_says_who_is_calling(sessions: SessionFactory) -> None:
    await given_the_world(sessions)

    sp1 = await run(sessions, SP1, VIEWER)
    admin = await run(sessions, EVERYTHING[0], VIEWER)

    assert sp1["viewer"] == {
        "role": "SALESPERSON",
        "keyName": "sp1-key",
        "salespersonCode": "SP1",
        "salesperson": {"code": "SP1", "name": "Salesperson SP1"},
    }
    assert admin["viewer"] == {
        "role": "ADMIN",
        "keyName": "admin-key",
        "salespersonCode": None,
        "salesperson": None,
    }


QUERIES = Path(__file__).parents[1] / "queries"


@pytest.mark.parametrize(
    "query",
    [(QUERIES / "nested.graphql").read_text(), ROOT_LISTS, NESTED, RELATIONS],
    ids=["nested.graphql", "root lists", "nested lists", "relations"],
)
async def test_scoping_adds_conditions_never_statements(
    sessions: SessionFactory, sql_log: StatementLog, query: str
) -> None:
    await given_the_world(sessions)
    counts = []

    for viewer in (EVERYTHING[0], SP1):
        sql_log.clear()
        await run(sessions, viewer, query)
        counts.append(sql_log.count)

    assert counts[0] == counts[1]
