"""Role × query area: what each role reads of the scoping world (api.md §7.1, ``scoping_helpers``).

Every role but SALESPERSON reads every row ("all"); SALESPERSON (bound to SP1) reads master data in
full and only SP1's opportunities, entries, tasks, quotes and orders ("own"), in every area alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from graph.relay import encode_id
from resolvers.session import SessionFactory
from resolvers.viewer import Viewer
from tests.reads.scoping_helpers import (
    ADMIN,
    ANONYMOUS,
    MANAGER,
    READ_ONLY,
    SP1,
    given_the_world,
    nos,
    run,
)


@dataclass(frozen=True)
class Area:
    name: str
    query: str
    read: Callable[[dict[str, Any]], Any]
    all: Any
    own: Any


def _present(data: dict[str, Any]) -> list[str]:
    return sorted(name for name, value in data.items() if value is not None)


LISTS = Area(
    "lists",
    """{ opportunities { nodes { no } } tasks { nodes { no } } salesQuotes { nodes { no } }
         salesOrders { nodes { no } } opportunityEntries { totalCount } }""",
    lambda d: {
        **{name: nos(d[name]) for name in ("opportunities", "tasks", "salesQuotes", "salesOrders")},
        "entries": d["opportunityEntries"]["totalCount"],
    },
    all={
        "opportunities": ["OA1", "OA2", "OL1", "OL2", "ON1", "ON2", "OW1", "OW2"],
        "tasks": ["TA1", "TA2", "TB1", "TB2", "XA1", "XA2"],
        "salesQuotes": ["QL1", "QL2", "QU1", "QU2"],
        "salesOrders": ["RL1", "RL2", "RU1", "RU2"],
        "entries": 12,
    },
    own={
        "opportunities": ["OA1", "OL1", "ON1", "OW1"],
        "tasks": ["TA1", "TB1", "XA1"],
        "salesQuotes": ["QL1", "QU1"],
        "salesOrders": ["RL1", "RU1"],
        "entries": 6,
    },
)

LOOKUPS = Area(
    "lookups",
    """{ oa1: opportunity(no: "OA1") { no } oa2: opportunity(no: "oa2") { no } ta2: task(no: "TA2") { no }
         qu2: salesQuote(no: "QU2") { no } ru2: salesOrder(no: "RU2") { no } }""",
    _present,
    all=["oa1", "oa2", "qu2", "ru2", "ta2"],
    own=["oa1"],
)

NODE_IDS = {
    "oa1": encode_id("Opportunity", ["OA1"]),
    "oa2": encode_id("Opportunity", ["OA2"]),
    "ta2": encode_id("Task", ["TA2"]),
    "ql2": encode_id("SalesQuote", ["QL2"]),
    "rl2": encode_id("SalesOrder", ["RL2"]),
}
NODE = Area(
    "node",
    "{ " + " ".join(f'{name}: node(id: "{id_}") {{ id }}' for name, id_ in NODE_IDS.items()) + " }",
    _present,
    all=["oa1", "oa2", "ql2", "rl2", "ta2"],
    own=["oa1"],
)

NESTED = Area(
    "nested",
    """{ contact(no: "P1") { opportunities { nodes { no } } }
         salesperson(code: "SP2") { opportunities { nodes { no } } tasks { nodes { no } } }
         campaign(no: "CMP") { opportunities { nodes { no } } }
         opportunity(no: "OA1") { tasks { nodes { no } } entries { totalCount } } }""",
    lambda d: {
        "contact": nos(d["contact"]["opportunities"]),
        "salesperson": nos(d["salesperson"]["opportunities"]) + nos(d["salesperson"]["tasks"]),
        "campaign": nos(d["campaign"]["opportunities"]),
        "opportunity": [*nos(d["opportunity"]["tasks"]), d["opportunity"]["entries"]["totalCount"]],
    },
    all={
        "contact": ["OA1", "OA2", "OL1", "OL2"],
        "salesperson": ["OA2", "OL2", "ON2", "OW2", "TA2", "TB2", "XA2"],
        "campaign": ["OA1", "OA2", "OW1", "OW2"],
        "opportunity": ["TA1", "XA2", 2],
    },
    own={"contact": ["OA1", "OL1"], "salesperson": [], "campaign": ["OA1", "OW1"], "opportunity": ["TA1", 2]},
)

STATISTICS = Area(
    "statistics",
    """{ salesperson(code: "SP2") { statistics { noOfOpportunities } }
         contact(no: "C1") { statistics { noOfOpportunities } }
         salesCycle(code: "CYC") {
           statistics { noOfOpportunities } stages { statistics { noOfOpportunities } }
         }
         closeOpportunityCode(code: "WIN") { noOfOpportunities } }""",
    lambda d: [
        d["salesperson"]["statistics"]["noOfOpportunities"],
        d["contact"]["statistics"]["noOfOpportunities"],
        d["salesCycle"]["statistics"]["noOfOpportunities"],
        [s["statistics"]["noOfOpportunities"] for s in d["salesCycle"]["stages"]],
        d["closeOpportunityCode"]["noOfOpportunities"],
    ],
    all=[3, 6, 2, [0, 2, 0], 2],
    own=[0, 3, 1, [0, 1, 0], 1],
)

ANALYTICS = Area(
    "analytics",
    """{ pipeline(groupBy: []) { total { noOfOpportunities } }
         winRateTotal { closed } winRate(groupBy: SALESPERSON) { salespersonCode }
         velocity(salesCycleCode: "CYC") { closed }
         stageConversion(salesCycleCode: "CYC") { reached } }""",
    lambda d: [
        d["pipeline"]["total"]["noOfOpportunities"],
        d["winRateTotal"]["closed"],
        [g["salespersonCode"] for g in d["winRate"]],
        d["velocity"]["closed"],
        [s["reached"] for s in d["stageConversion"]],
    ],
    all=[8, 4, ["SP1", "SP2"], 4, [6, 2, 0]],
    own=[4, 2, ["SP1"], 2, [3, 1, 0]],
)

MASTER = {
    "salespeople": ["SP1", "SP2"],
    "contacts": ["C1", "P1"],
    "salesCycles": ["CYC"],
    "closeOpportunityCodes": ["LOSE", "WIN"],
    "campaigns": ["CMP"],
    "activities": [],
    "setup": True,
}
MASTER_DATA = Area(
    "master data",
    """{ salespeople { nodes { code } } contacts { nodes { no } } salesCycles { nodes { code } }
         closeOpportunityCodes { nodes { code } } campaigns { nodes { no } } activities { nodes { code } }
         setup { currencyCode } }""",
    lambda d: {
        "salespeople": nos(d["salespeople"], "code"),
        "contacts": nos(d["contacts"]),
        "salesCycles": nos(d["salesCycles"], "code"),
        "closeOpportunityCodes": nos(d["closeOpportunityCodes"], "code"),
        "campaigns": nos(d["campaigns"]),
        "activities": nos(d["activities"], "code"),
        "setup": d["setup"] is not None,
    },
    all=MASTER,
    own=MASTER,
)

AREAS = [LISTS, LOOKUPS, NODE, NESTED, STATISTICS, ANALYTICS, MASTER_DATA]
#: What each role reads: every row, or (SALESPERSON) its own.
ROLES: list[tuple[Viewer, str]] = [
    (ADMIN, "all"),
    (MANAGER, "all"),
    (READ_ONLY, "all"),
    (ANONYMOUS, "all"),
    (SP1, "own"),
]


@pytest.mark.parametrize("area", AREAS, ids=lambda a: a.name)
@pytest.mark.parametrize(("viewer", "visibility"), ROLES, ids=[viewer.role.value for viewer, _ in ROLES])
async def test_what_each_role_reads_in_each_area(
    sessions: SessionFactory, viewer: Viewer, visibility: str, area: Area
) -> None:
    await given_the_world(sessions)

    data = await run(sessions, viewer, area.query)

    assert area.read(data) == (area.all if visibility == "all" else area.own)
