"""updateOpportunity through GraphQL (domain.md §4, §5.3, §6.2, §6.3, §11.18; api.md §6): Maybe
semantics, editability by status, reference checks, and propagation to the active entry, the open
tasks and the linked quote."""

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

UPDATE = """mutation($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) {
  opportunity { no description priority status version contact { no } contactCompany { no }
    salesperson { code } salesCycle { code } campaign { no }
    activeEntry { entryNo salesperson { code } contact { no } } }
  userErrors { code field message } } }"""

Row = tuple[Any, ...]


async def given_opportunities(sessions: SessionFactory, *extra: Any) -> None:
    """O1 not started and O2 in progress, both for company C with salesperson S on cycle NEW in
    campaign CAMP, created 2024-01-10. O2 has entries 1 (inactive) and 2 (active) and tasks T1 (open,
    carrying S/C/CAMP), T2 (closed, S/C/CAMP) and T3 (open, S3/P/no campaign)."""
    c = f.company("C")
    o1 = f.opportunity("O1", c, "S", "NEW", campaign_no="CAMP")
    o2 = f.opportunity("O2", c, "S", "NEW", campaign_no="CAMP", status=OpportunityStatus.IN_PROGRESS)
    carried = {"salesperson_code": "S", "contact_no": "C", "contact_company_no": "C", "campaign_no": "CAMP"}
    await b.insert(
        sessions,
        *(f.salesperson(code) for code in ("S", "S2", "S3")),
        f.salesperson("SB", blocked=True),
        c,
        f.person("P", "C"),
        f.person("P2", "C"),
        f.company("D"),
        f.person("DP", "D"),
        *f.cycle("NEW"),
        *f.cycle("OLD"),
        *f.cycle("BLK", blocked=True),
        b.campaign(
            "CAMP", activated=True, starting_date=dt.date(2024, 1, 1), ending_date=dt.date(2024, 1, 31)
        ),
        b.campaign("CAMP2", activated=True),
        b.campaign("OFF", activated=False),
        b.campaign("LATE", activated=True, starting_date=dt.date(2024, 2, 1)),
        *extra,
        o1,
        o2,
        f.entry(o2, 1, "100", active=False, campaign_no="CAMP"),
        f.entry(o2, 2, "100", action_taken=ActionTaken.NEXT, campaign_no="CAMP"),
        b.task("T1", opportunity_no="O2", opportunity_entry_no=1, **carried),
        b.task("T2", opportunity_no="O2", opportunity_entry_no=1, closed=True, **carried),
        b.task(
            "T3",
            opportunity_no="O2",
            opportunity_entry_no=2,
            salesperson_code="S3",
            contact_no="P",
            contact_company_no="C",
        ),
    )


async def update(gql: GraphQLClient, no: str, **changes: Any) -> dict[str, Any]:
    data = await gql.query(UPDATE, {"input": {"no": no, **changes}})
    payload: dict[str, Any] = data["updateOpportunity"]
    return payload


def updated(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    opp: dict[str, Any] = payload["opportunity"]
    return opp


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def snapshot(sessions: SessionFactory) -> tuple[list[Row], list[Row], list[Row], list[Row]]:
    """Opportunities, entries, tasks and quotes: every column an update may touch."""
    o, e, t = models.Opportunity, models.OpportunityEntry, models.Task
    async with sessions() as session:
        opps = await session.execute(
            select(
                o.no,
                o.description,
                o.priority,
                o.contact_no,
                o.contact_company_no,
                o.salesperson_code,
                o.campaign_no,
                o.sales_cycle_code,
                o.version,
            ).order_by(o.no)
        )
        entries = await session.execute(
            select(
                e.entry_no, e.active, e.salesperson_code, e.contact_no, e.contact_company_no, e.campaign_no
            ).order_by(e.entry_no)
        )
        tasks = await session.execute(
            select(
                t.no, t.closed, t.salesperson_code, t.contact_no, t.contact_company_no, t.campaign_no
            ).order_by(t.no)
        )
        quotes = await session.execute(select(models.SalesQuote.no, models.SalesQuote.contact_no))
        return (
            [tuple(r) for r in opps],
            [tuple(r) for r in entries],
            [tuple(r) for r in tasks],
            [tuple(r) for r in quotes],
        )


async def close(sessions: SessionFactory, no: str, status: OpportunityStatus) -> None:
    async with sessions() as session, session.begin():
        opp = await session.get(models.Opportunity, no)
        assert opp is not None
        opp.status, opp.closed, opp.date_closed = status, True, dt.date(2024, 1, 20)


# --- Maybe semantics and the version -----------------------------------------------------------------


async def test_update_changes_only_the_given_fields_and_increments_the_version(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)

    opp = updated(await update(gql, "o1", description=" Bigger deal ", priority="HIGH"))

    assert opp == {
        "no": "O1",
        "description": "Bigger deal",
        "priority": "HIGH",
        "status": "NOT_STARTED",
        "version": 2,
        "contact": {"no": "C"},
        "contactCompany": {"no": "C"},
        "salesperson": {"code": "S"},
        "salesCycle": {"code": "NEW"},
        "campaign": {"no": "CAMP"},
        "activeEntry": None,
    }
    assert updated(await update(gql, "O1", expectedVersion=2))["version"] == 3


async def test_update_with_a_null_campaign_clears_it(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_opportunities(sessions)

    opp = updated(await update(gql, "O2", campaignNo=None))

    assert (opp["campaign"], opp["version"], opp["salesperson"]) == (None, 2, {"code": "S"})
    _, entries, tasks, _ = await snapshot(sessions)
    assert [e[5] for e in entries] == ["CAMP", None]
    assert [(t[0], t[5]) for t in tasks] == [("T1", None), ("T2", "CAMP"), ("T3", None)]


@pytest.mark.parametrize("field", ["salespersonCode", "contactNo", "description", "priority"])
async def test_update_refuses_to_clear_a_required_field(
    gql: GraphQLClient, sessions: SessionFactory, field: str
) -> None:
    await given_opportunities(sessions)
    before = await snapshot(sessions)

    payload = await update(gql, "O2", **{field: None})

    assert errors(payload) == [("REQUIRED", [field])]
    assert payload["opportunity"] is None
    assert await snapshot(sessions) == before


async def test_update_refuses_a_stale_version_and_changes_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)
    before = await snapshot(sessions)

    payload = await update(gql, "O2", description="New", expectedVersion=2)

    assert errors(payload) == [("STALE_VERSION", ["expectedVersion"])]
    assert await snapshot(sessions) == before


async def test_update_reports_an_unknown_opportunity(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_opportunities(sessions)

    payload = await update(gql, "NOPE", description="New")

    assert errors(payload) == [("NOT_FOUND", ["no"])]


@pytest.mark.parametrize("status", [OpportunityStatus.WON, OpportunityStatus.LOST])
async def test_update_refuses_any_change_to_a_closed_opportunity(
    gql: GraphQLClient, sessions: SessionFactory, status: OpportunityStatus
) -> None:
    await given_opportunities(sessions)
    await close(sessions, "O2", status)
    before = await snapshot(sessions)

    payload = await update(gql, "O2", description="New", priority="LOW", salespersonCode="S2")

    assert errors(payload) == [("OPPORTUNITY_CLOSED", None)]
    assert await snapshot(sessions) == before


# --- editability and references ----------------------------------------------------------------------


async def test_update_changes_the_sales_cycle_while_not_started(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)

    opp = updated(await update(gql, "O1", salesCycleCode="old"))

    assert (opp["salesCycle"], opp["version"]) == ({"code": "OLD"}, 2)


async def test_update_refuses_a_new_sales_cycle_once_in_progress(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)
    before = await snapshot(sessions)

    payload = await update(gql, "O2", salesCycleCode="OLD", description="New")

    assert errors(payload) == [("NOT_EDITABLE", ["salesCycleCode"])]
    assert await snapshot(sessions) == before
    # Repeating the current cycle is no change, so it is accepted.
    assert updated(await update(gql, "O2", salesCycleCode="new"))["salesCycle"] == {"code": "NEW"}


@pytest.mark.parametrize(
    ("no", "changes", "error"),
    [
        ("O1", {"salesCycleCode": "BLK"}, ("BLOCKED", ["salesCycleCode"])),
        ("O1", {"salesCycleCode": "NOPE"}, ("NOT_FOUND", ["salesCycleCode"])),
        ("O2", {"salespersonCode": "SB"}, ("BLOCKED", ["salespersonCode"])),
        ("O2", {"salespersonCode": "NOPE"}, ("NOT_FOUND", ["salespersonCode"])),
        ("O2", {"contactNo": "NOPE"}, ("NOT_FOUND", ["contactNo"])),
        ("O2", {"contactNo": "D"}, ("CONTACT_OTHER_COMPANY", ["contactNo"])),
        ("O2", {"contactNo": "DP"}, ("CONTACT_OTHER_COMPANY", ["contactNo"])),
        ("O2", {"campaignNo": "NOPE"}, ("NOT_FOUND", ["campaignNo"])),
        ("O2", {"campaignNo": "OFF"}, ("INVALID", ["campaignNo"])),
        ("O2", {"campaignNo": "LATE"}, ("INVALID", ["campaignNo"])),
        ("O2", {"description": "x" * 101}, ("TOO_LONG", ["description"])),
    ],
    ids=[
        "blocked-cycle",
        "unknown-cycle",
        "blocked-salesperson",
        "unknown-salesperson",
        "unknown-contact",
        "other-company-once-started",
        "person-of-other-company-once-started",
        "unknown-campaign",
        "campaign-not-activated",
        "creation-date-before-campaign",
        "description-too-long",
    ],
)
async def test_update_refuses_a_broken_rule_and_changes_nothing(
    gql: GraphQLClient,
    sessions: SessionFactory,
    no: str,
    changes: dict[str, Any],
    error: tuple[str, list[str]],
) -> None:
    await given_opportunities(sessions)
    before = await snapshot(sessions)

    payload = await update(gql, no, **changes)

    assert errors(payload) == [error]
    assert payload["opportunity"] is None
    assert await snapshot(sessions) == before


async def test_update_reports_every_broken_rule_once(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_opportunities(sessions)
    before = await snapshot(sessions)

    payload = await update(gql, "O2", description=None, salespersonCode="SB", contactNo="D", campaignNo="OFF")

    assert sorted(errors(payload)) == [
        ("BLOCKED", ["salespersonCode"]),
        ("CONTACT_OTHER_COMPANY", ["contactNo"]),
        ("INVALID", ["campaignNo"]),
        ("REQUIRED", ["description"]),
    ]
    assert await snapshot(sessions) == before


async def test_update_accepts_a_person_of_the_same_company_once_started(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)

    opp = updated(await update(gql, "O2", contactNo="p2"))

    assert (opp["contact"], opp["contactCompany"], opp["version"]) == ({"no": "P2"}, {"no": "C"}, 2)


async def test_update_accepts_a_contact_of_another_company_while_not_started(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)

    opp = updated(await update(gql, "O1", contactNo="DP"))

    assert (opp["contact"], opp["contactCompany"]) == ({"no": "DP"}, {"no": "D"})


async def test_update_accepts_an_activated_campaign_running_on_the_creation_date(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)

    opp = updated(await update(gql, "O1", campaignNo="camp2"))

    assert opp["campaign"] == {"no": "CAMP2"}


# --- propagation -------------------------------------------------------------------------------------


async def test_update_propagates_to_the_active_entry_and_the_open_tasks_that_carried_the_old_value(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)

    opp = updated(await update(gql, "O2", salespersonCode="S2", contactNo="P2", campaignNo="CAMP2"))

    assert opp["activeEntry"] == {"entryNo": 2, "salesperson": {"code": "S2"}, "contact": {"no": "P2"}}
    opps, entries, tasks, _ = await snapshot(sessions)
    assert opps[1] == ("O2", "Deal O2", models.Priority.NORMAL, "P2", "C", "S2", "CAMP2", "NEW", 2)
    assert entries == [
        (1, False, "S", "C", "C", "CAMP"),
        (2, True, "S2", "P2", "C", "CAMP2"),
    ]
    assert tasks == [
        ("T1", False, "S2", "P2", "C", "CAMP2"),
        ("T2", True, "S", "C", "C", "CAMP"),
        ("T3", False, "S3", "P", "C", None),
    ]


async def test_update_without_propagation_leaves_the_tasks_but_moves_the_active_entry(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions)
    _, _, tasks_before, _ = await snapshot(sessions)

    updated(
        await update(
            gql, "O2", salespersonCode="S2", contactNo="P2", campaignNo="CAMP2", propagateToOpenTasks=False
        )
    )

    _, entries, tasks, _ = await snapshot(sessions)
    assert entries == [
        (1, False, "S", "C", "C", "CAMP"),
        (2, True, "S2", "P2", "C", "CAMP2"),
    ]
    assert tasks == tasks_before


async def test_update_moves_the_linked_quote_to_the_new_contact(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_opportunities(sessions, *b.quote("Q1", "C", ("1", "100", "0")), *b.quote("Q2", "C"))
    async with sessions() as session, session.begin():
        opp = await session.get(models.Opportunity, "O2")
        assert opp is not None
        opp.sales_quote_no = "Q1"

    updated(await update(gql, "O2", contactNo="P"))

    _, _, _, quotes = await snapshot(sessions)
    assert sorted(quotes) == [("Q1", "P"), ("Q2", "C")]
