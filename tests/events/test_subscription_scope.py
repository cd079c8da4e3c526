"""Who receives which ``opportunityEvents`` (api.md §7.6, §7.1): a ``SALESPERSON`` only the events
of its own opportunities (also their deletion); a filter is judged on the opportunity as it is;
``opportunity`` is the current state, null once deleted."""

from __future__ import annotations

import pytest

from models.event import EventType
from tests.events.sockets import Cluster, collect, last_event_id, publish_events

pytestmark = pytest.mark.own_database

EVENTS = """
subscription($after: String, $filter: OpportunityFilter) {
  opportunityEvents(after: $after, filter: $filter) { id type opportunityNo opportunity { no description } }
}
"""


async def _publish_mixed(url: str) -> None:
    await publish_events(url, (EventType.CREATED, "OPB", "SP2"), (EventType.CREATED, "OPA", "SP1"))
    await publish_events(url, (EventType.UPDATED, "OPB", "SP2"))
    await publish_events(url, (EventType.DELETED, "GONE", "SP2"), (EventType.DELETED, "LOST", "SP1"))
    await publish_events(url, (EventType.UPDATED, "OPA", "SP1"))


async def test_a_salesperson_receives_only_its_own_opportunities_events(cluster: Cluster) -> None:
    after = await last_event_id(cluster.db_url)
    await _publish_mixed(cluster.db_url)

    events = await collect(cluster.ws(0), cluster.keys["sp1"], EVENTS, {"after": str(after)}, 3)

    assert [(e["type"], e["opportunityNo"], e["opportunity"]) for e in events] == [
        ("CREATED", "OPA", {"no": "OPA", "description": "Alpha deal"}),
        ("DELETED", "LOST", None),
        ("UPDATED", "OPA", {"no": "OPA", "description": "Alpha deal"}),
    ]


async def test_an_admin_receives_every_event_in_commit_order(cluster: Cluster) -> None:
    after = await last_event_id(cluster.db_url)
    await _publish_mixed(cluster.db_url)

    events = await collect(cluster.ws(1), cluster.keys["admin"], EVENTS, {"after": str(after)}, 6)

    assert [(e["type"], e["opportunityNo"]) for e in events] == [
        ("CREATED", "OPB"),
        ("CREATED", "OPA"),
        ("UPDATED", "OPB"),
        ("DELETED", "GONE"),
        ("DELETED", "LOST"),
        ("UPDATED", "OPA"),
    ]
    assert [int(e["id"]) for e in events] == sorted(int(e["id"]) for e in events)
    assert int(events[0]["id"]) > after


async def test_a_filter_is_judged_on_the_opportunity_and_deletions_on_the_salesperson(
    cluster: Cluster,
) -> None:
    after = await last_event_id(cluster.db_url)
    await _publish_mixed(cluster.db_url)

    by_search = await collect(
        cluster.ws(0), cluster.keys["admin"], EVENTS, {"after": str(after), "filter": {"search": "beta"}}, 3
    )
    by_salesperson = await collect(
        cluster.ws(0),
        cluster.keys["admin"],
        EVENTS,
        {"after": str(after), "filter": {"salespersonCode": "sp2"}},
        3,
    )

    # A deleted opportunity cannot be searched: its deletion passes unless another salesperson is named.
    assert [(e["type"], e["opportunityNo"]) for e in by_search] == [
        ("CREATED", "OPB"),
        ("UPDATED", "OPB"),
        ("DELETED", "GONE"),
    ]
    assert [(e["type"], e["opportunityNo"]) for e in by_salesperson] == [
        ("CREATED", "OPB"),
        ("UPDATED", "OPB"),
        ("DELETED", "GONE"),
    ]
