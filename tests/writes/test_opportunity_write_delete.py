"""deleteOpportunity and deleteClosedOpportunities (domain.md §6.1, §11.8; api.md §6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

import models
from models import ActionTaken, OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

DELETE = """mutation($input: DeleteOpportunityInput!) {
  deleteOpportunity(input: $input) { deletedId userErrors { code field message } } }"""
DELETE_CLOSED = """mutation($input: DeleteClosedOpportunitiesInput!) {
  deleteClosedOpportunities(input: $input) { deletedCount deletedIds userErrors { code field } } }"""
GLOBAL_ID = "query($no: String!) { opportunity(no: $no) { id } }"

JAN = dt.date(2024, 1, 10)


def won(no: str, salesperson: str = "S", on: dt.date = JAN, **kw: Any) -> list[Any]:
    """A won opportunity with a started entry and its won entry."""
    opp = f.opportunity(
        no,
        kw.pop("contact", f.company("C")),
        salesperson,
        kw.pop("cycle", "NEW"),
        **b.closed(OpportunityStatus.WON, on),
        **kw,
    )
    return [
        opp,
        f.entry(opp, 1, "100", active=False),
        f.entry(opp, 0, "100", action_taken=ActionTaken.WON, date_of_change=on, date_closed=on),
    ]


def lost(no: str, salesperson: str = "S", on: dt.date = JAN, **kw: Any) -> list[Any]:
    opp = f.opportunity(
        no,
        kw.pop("contact", f.company("C")),
        salesperson,
        kw.pop("cycle", "NEW"),
        **b.closed(OpportunityStatus.LOST, on),
        **kw,
    )
    return [opp, f.entry(opp, 0, "100", action_taken=ActionTaken.LOST, date_of_change=on, date_closed=on)]


def in_progress(no: str, salesperson: str = "S", **kw: Any) -> list[Any]:
    opp = f.opportunity(
        no, kw.pop("contact", f.company("C")), salesperson, "NEW", status=OpportunityStatus.IN_PROGRESS, **kw
    )
    return [opp, f.entry(opp, 1, "100")]


async def given_master_data(sessions: SessionFactory, *rows: Any) -> None:
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.salesperson("S2"),
        f.company("C"),
        f.company("D"),
        *f.cycle("NEW"),
        *f.cycle("OLD"),
        b.campaign("CAMP", activated=True),
        *rows,
    )


async def state(
    sessions: SessionFactory,
) -> tuple[list[str], list[tuple[str, int]], list[tuple[str, str | None, int | None]]]:
    """Opportunities, entries (opportunity, entry no) and tasks (no, opportunity, entry no)."""
    async with sessions() as session:
        opps = list(await session.scalars(select(models.Opportunity.no).order_by(models.Opportunity.no)))
        entries = await session.execute(
            select(models.OpportunityEntry.opportunity_no, models.OpportunityEntry.entry_no).order_by(
                models.OpportunityEntry.entry_no
            )
        )
        tasks = await session.execute(
            select(models.Task.no, models.Task.opportunity_no, models.Task.opportunity_entry_no).order_by(
                models.Task.no
            )
        )
        return opps, [(o, n) for o, n in entries], [(t, o, n) for t, o, n in tasks]


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


# --- deleteOpportunity -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["not-started", "won", "lost"])
async def test_delete_removes_a_not_started_or_closed_opportunity_with_its_entries_keeping_its_tasks(
    gql: GraphQLClient, sessions: SessionFactory, kind: str
) -> None:
    rows = {
        "not-started": [f.opportunity("O1", f.company("C"), "S", "NEW")],
        "won": won("O1"),
        "lost": lost("O1"),
    }[kind]
    await given_master_data(
        sessions,
        *won("O2"),  # entries 1 and 2
        *rows,  # entries from 3
        b.task("T1", opportunity_no="O1", opportunity_entry_no=None if kind == "not-started" else 3),
        b.task("T2", opportunity_no="O1", closed=True),
        b.task("T3", opportunity_no="O2", opportunity_entry_no=2),
    )
    global_id = (await gql.query(GLOBAL_ID, {"no": "O1"}))["opportunity"]["id"]

    data = await gql.query(DELETE, {"input": {"no": "o1"}})

    assert data["deleteOpportunity"] == {"deletedId": global_id, "userErrors": []}
    assert await state(sessions) == (
        ["O2"],
        [("O2", 1), ("O2", 2)],
        [("T1", None, None), ("T2", None, None), ("T3", "O2", 2)],
    )
    assert (await gql.query(GLOBAL_ID, {"no": "O1"}))["opportunity"] is None


async def test_delete_refuses_an_opportunity_in_progress_and_deletes_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(
        sessions, *in_progress("O1"), b.task("T1", opportunity_no="O1", opportunity_entry_no=1)
    )
    before = await state(sessions)

    data = await gql.query(DELETE, {"input": {"no": "O1"}})

    assert errors(data["deleteOpportunity"]) == [("OPPORTUNITY_IN_PROGRESS", None)]
    assert data["deleteOpportunity"]["deletedId"] is None
    assert await state(sessions) == before == (["O1"], [("O1", 1)], [("T1", "O1", 1)])


async def test_delete_reports_an_unknown_opportunity(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_master_data(sessions, f.opportunity("O1", f.company("C"), "S", "NEW"))

    data = await gql.query(DELETE, {"input": {"no": "NOPE"}})

    assert data["deleteOpportunity"]["deletedId"] is None
    assert errors(data["deleteOpportunity"]) == [("NOT_FOUND", ["no"])]
    assert (await state(sessions))[0] == ["O1"]


async def test_delete_refuses_a_stale_version(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_master_data(sessions, f.opportunity("O1", f.company("C"), "S", "NEW", version=3))

    data = await gql.query(DELETE, {"input": {"no": "O1", "expectedVersion": 2}})

    assert errors(data["deleteOpportunity"]) == [("STALE_VERSION", ["expectedVersion"])]
    assert (await state(sessions))[0] == ["O1"]


# --- deleteClosedOpportunities -----------------------------------------------------------------------


async def given_closed_and_open_opportunities(sessions: SessionFactory) -> None:
    """W1 won (S, 01-10), W2 won (S2, 02-15, cycle OLD), L1 lost (S, 03-01, contact D, campaign
    CAMP); open ones N1 (not started, S) and I1 (in progress, S) that match every filter but status."""
    await given_master_data(
        sessions,
        *won("W1"),
        *won("W2", "S2", dt.date(2024, 2, 15), cycle="OLD"),
        *lost("L1", on=dt.date(2024, 3, 1), contact=f.company("D"), campaign_no="CAMP"),
        f.opportunity("N1", f.company("D"), "S", "OLD", campaign_no="CAMP"),
        *in_progress("I1", contact=f.company("D"), campaign_no="CAMP"),
        b.task("T1", opportunity_no="W1", opportunity_entry_no=2),
    )


@pytest.mark.parametrize(
    ("filters", "deleted"),
    [
        ({}, ["L1", "W1", "W2"]),
        ({"salespersonCode": "s"}, ["L1", "W1"]),
        ({"dateClosedFrom": "2024-02-15"}, ["L1", "W2"]),
        ({"dateClosedTo": "2024-02-15"}, ["W1", "W2"]),
        ({"dateClosedFrom": "2024-01-11", "dateClosedTo": "2024-02-29"}, ["W2"]),
        ({"nos": ["w1", "L1", "N1", "I1", "NOPE"]}, ["L1", "W1"]),
        ({"salesCycleCode": "OLD"}, ["W2"]),
        ({"contactNo": "D"}, ["L1"]),
        ({"campaignNo": "CAMP"}, ["L1"]),
        ({"salespersonCode": "S", "dateClosedTo": "2024-02-29"}, ["W1"]),
        ({"salespersonCode": "S2", "contactNo": "D"}, []),
    ],
    ids=[
        "all-closed",
        "salesperson",
        "closed-from",
        "closed-to",
        "closed-between",
        "numbers",
        "cycle",
        "contact",
        "campaign",
        "salesperson-and-date",
        "no-match",
    ],
)
async def test_delete_closed_removes_only_closed_opportunities_matching_every_filter(
    gql: GraphQLClient, sessions: SessionFactory, filters: dict[str, Any], deleted: list[str]
) -> None:
    await given_closed_and_open_opportunities(sessions)
    opps, entries, _ = await state(sessions)
    ids = {no: (await gql.query(GLOBAL_ID, {"no": no}))["opportunity"]["id"] for no in opps}

    data = await gql.query(DELETE_CLOSED, {"input": filters})

    payload = data["deleteClosedOpportunities"]
    assert payload["userErrors"] == []
    assert payload["deletedCount"] == len(deleted)
    assert sorted(payload["deletedIds"]) == sorted(ids[no] for no in deleted)
    after, after_entries, tasks = await state(sessions)
    assert after == [no for no in opps if no not in deleted]
    assert after_entries == [e for e in entries if e[0] not in deleted]
    assert tasks == [("T1", None, None) if "W1" in deleted else ("T1", "W1", 2)]
    assert {"N1", "I1"} <= set(after)
