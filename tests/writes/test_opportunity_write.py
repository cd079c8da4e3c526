"""createOpportunity through GraphQL (domain.md §2.3, §6.2, §11.16; api.md §6): numbering, defaults,
validation, and that a refused create writes nothing. Activation and concurrency are in
test_opportunity_write_activate.py, deletion in test_opportunity_write_delete.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, update

import models
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

CREATE = """mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
  opportunity { no description status priority closed dateClosed creationDate version
    contact { no } contactCompany { no } salesperson { code } salesCycle { code } campaign { no }
    entries(first: 5) { nodes { entryNo } } }
  entry { entryNo }
  createdTasks { no }
  userErrors { code field message } } }"""

BASE: dict[str, Any] = {
    "description": "Deal",
    "contactNo": "C",
    "salespersonCode": "S",
    "salesCycleCode": "NEW",
    "creationDate": "2024-01-10",
}


async def given_master_data(sessions: SessionFactory) -> None:
    """Salespeople S, S2 and blocked SB; company C (salesperson S2), its person P, company D with no
    salesperson; cycles NEW, blocked BLK; campaigns CAMP (activated, January 2024) and OFF (not
    activated); an existing opportunity O1."""
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.salesperson("S2"),
        f.salesperson("SB", blocked=True),
        f.company("C", salesperson_code="S2"),
        f.person("P", "C"),
        f.company("D"),
        *f.cycle("NEW", stages=2),
        *f.cycle("BLK", stages=2, blocked=True),
        b.campaign(
            "CAMP", activated=True, starting_date=dt.date(2024, 1, 1), ending_date=dt.date(2024, 1, 31)
        ),
        b.campaign("OFF", activated=False),
        f.opportunity("O1", f.company("C"), "S", "NEW"),
    )


async def create(gql: GraphQLClient, **changes: Any) -> dict[str, Any]:
    data = await gql.query(CREATE, {"input": {**BASE, **changes}})
    payload: dict[str, Any] = data["createOpportunity"]
    return payload


def created(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    opp: dict[str, Any] = payload["opportunity"]
    return opp


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def set_setup(sessions: SessionFactory, **values: Any) -> None:
    async with sessions() as session, session.begin():
        await session.execute(update(models.Setup).values(**values))


async def opportunity_series(sessions: SessionFactory) -> tuple[int, bool]:
    async with sessions() as session:
        row = (
            await session.execute(
                select(models.NumberSeries.next_no, models.NumberSeries.manual_nos).where(
                    models.NumberSeries.code == "OPP"
                )
            )
        ).one()
    return row[0], row[1]


async def stored(sessions: SessionFactory) -> dict[str, str]:
    """Every opportunity's number with the series it came from."""
    async with sessions() as session:
        rows = await session.execute(select(models.Opportunity.no, models.Opportunity.no_series))
    return dict(rows.all())


async def written_rows(sessions: SessionFactory) -> tuple[dict[str, str], int, int, tuple[int, bool]]:
    """What a refused create must leave alone: opportunities, entries, tasks and the series."""
    async with sessions() as session:
        entries = await session.scalar(select(func.count()).select_from(models.OpportunityEntry))
        tasks = await session.scalar(select(func.count()).select_from(models.Task))
    return await stored(sessions), entries or 0, tasks or 0, await opportunity_series(sessions)


# --- success ---------------------------------------------------------------------------------------


async def test_create_numbers_from_the_series_and_stores_every_value(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    opp = created(await create(gql, campaignNo="CAMP", priority="HIGH", contactNo="P"))

    assert opp == {
        "no": "OP000001",
        "description": "Deal",
        "status": "NOT_STARTED",
        "priority": "HIGH",
        "closed": False,
        "dateClosed": None,
        "creationDate": "2024-01-10",
        "version": 1,
        "contact": {"no": "P"},
        "contactCompany": {"no": "C"},
        "salesperson": {"code": "S"},
        "salesCycle": {"code": "NEW"},
        "campaign": {"no": "CAMP"},
        "entries": {"nodes": []},
    }
    assert await stored(sessions) == {"O1": "", "OP000001": "OPP"}
    assert await opportunity_series(sessions) == (2, True)
    again = created(await create(gql))
    assert again["no"] == "OP000002"


async def test_create_defaults_creation_date_to_today_in_utc_and_priority_to_normal(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    inputs = {k: v for k, v in BASE.items() if k != "creationDate"}

    data = await gql.query(CREATE, {"input": inputs})

    opp = created(data["createOpportunity"])
    assert opp["creationDate"] == dt.datetime.now(dt.UTC).date().isoformat()
    assert (opp["priority"], opp["status"], opp["version"]) == ("NORMAL", "NOT_STARTED", 1)


async def test_create_takes_the_contacts_salesperson_when_none_is_given(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    opp = created(await create(gql, salespersonCode=None))

    assert opp["salesperson"] == {"code": "S2"}


async def test_create_requires_a_salesperson_when_the_contact_has_none(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    await set_setup(sessions, default_salesperson_code="S")  # for new contacts, not opportunities
    before = await written_rows(sessions)

    payload = await create(gql, contactNo="D", salespersonCode=None)

    assert errors(payload) == [("REQUIRED", ["salespersonCode"])]
    assert payload["opportunity"] is None
    assert await written_rows(sessions) == before


async def test_create_takes_the_setups_default_sales_cycle(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    await set_setup(sessions, default_sales_cycle_code="NEW")

    opp = created(await create(gql, salesCycleCode=None))

    assert opp["salesCycle"] == {"code": "NEW"}


@pytest.mark.parametrize("default", [None, "BLK"], ids=["no-default", "blocked-default"])
async def test_create_requires_a_sales_cycle_when_there_is_no_usable_default(
    gql: GraphQLClient, sessions: SessionFactory, default: str | None
) -> None:
    await given_master_data(sessions)
    await set_setup(sessions, default_sales_cycle_code=default)
    before = await written_rows(sessions)

    payload = await create(gql, salesCycleCode=None)

    assert errors(payload) == [("REQUIRED", ["salesCycleCode"])]
    assert await written_rows(sessions) == before


async def test_create_accepts_a_manual_number_upper_cased_with_a_blank_series(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    opp = created(
        await create(
            gql, no=" op-7 ", contactNo="c", salespersonCode="s2", salesCycleCode="new", campaignNo="camp"
        )
    )

    assert (opp["no"], opp["contact"], opp["salesperson"], opp["salesCycle"], opp["campaign"]) == (
        "OP-7",
        {"no": "C"},
        {"code": "S2"},
        {"code": "NEW"},
        {"no": "CAMP"},
    )
    assert await stored(sessions) == {"O1": "", "OP-7": ""}
    assert await opportunity_series(sessions) == (1, True)


async def test_create_accepts_a_number_and_description_of_the_maximum_length(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    opp = created(await create(gql, no="N" * 20, description="x" * 100))

    assert (opp["no"], opp["description"]) == ("N" * 20, "x" * 100)


async def test_create_refuses_a_manual_number_when_the_series_forbids_them(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    async with sessions() as session, session.begin():
        await session.execute(
            update(models.NumberSeries).where(models.NumberSeries.code == "OPP").values(manual_nos=False)
        )
    before = await written_rows(sessions)

    payload = await create(gql, no="OP-7")

    assert errors(payload) == [("INVALID", ["no"])]
    assert await written_rows(sessions) == before
    assert created(await create(gql))["no"] == "OP000001"


# --- refusals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"no": "o1"}, ("DUPLICATE", ["no"])),
        ({"no": "N" * 21}, ("TOO_LONG", ["no"])),
        ({"description": "   "}, ("REQUIRED", ["description"])),
        ({"description": "x" * 101}, ("TOO_LONG", ["description"])),
        ({"contactNo": " "}, ("REQUIRED", ["contactNo"])),
        ({"contactNo": "NOPE"}, ("NOT_FOUND", ["contactNo"])),
        ({"salespersonCode": "NOPE"}, ("NOT_FOUND", ["salespersonCode"])),
        ({"salespersonCode": "SB"}, ("BLOCKED", ["salespersonCode"])),
        ({"salesCycleCode": "NOPE"}, ("NOT_FOUND", ["salesCycleCode"])),
        ({"salesCycleCode": "BLK"}, ("BLOCKED", ["salesCycleCode"])),
        ({"campaignNo": "NOPE"}, ("NOT_FOUND", ["campaignNo"])),
        ({"campaignNo": "OFF"}, ("INVALID", ["campaignNo"])),
        ({"campaignNo": "CAMP", "creationDate": "2023-12-31"}, ("INVALID", ["campaignNo"])),
        ({"campaignNo": "CAMP", "creationDate": "2024-02-01"}, ("INVALID", ["campaignNo"])),
    ],
    ids=[
        "duplicate-no",
        "no-too-long",
        "blank-description",
        "description-too-long",
        "blank-contact",
        "unknown-contact",
        "unknown-salesperson",
        "blocked-salesperson",
        "unknown-cycle",
        "blocked-cycle",
        "unknown-campaign",
        "campaign-not-activated",
        "before-campaign-start",
        "after-campaign-end",
    ],
)
async def test_create_refuses_a_broken_rule_and_writes_nothing(
    gql: GraphQLClient,
    sessions: SessionFactory,
    changes: dict[str, Any],
    error: tuple[str, list[str]],
) -> None:
    await given_master_data(sessions)
    before = await written_rows(sessions)

    payload = await create(gql, **changes)

    assert errors(payload) == [error]
    assert payload["opportunity"] is None
    assert await written_rows(sessions) == before


async def test_create_accepts_a_campaign_on_its_first_and_last_day(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    first = created(await create(gql, campaignNo="CAMP", creationDate="2024-01-01"))
    last = created(await create(gql, campaignNo="CAMP", creationDate="2024-01-31"))

    assert (first["campaign"], last["campaign"]) == ({"no": "CAMP"}, {"no": "CAMP"})


async def test_create_reports_every_broken_rule_once_in_order(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    before = await written_rows(sessions)

    payload = await create(
        gql,
        no="O1",
        description="",
        contactNo="NOPE",
        salespersonCode="SB",
        salesCycleCode="NOPE",
        campaignNo="OFF",
    )

    assert errors(payload) == [
        ("DUPLICATE", ["no"]),
        ("REQUIRED", ["description"]),
        ("NOT_FOUND", ["contactNo"]),
        ("BLOCKED", ["salespersonCode"]),
        ("NOT_FOUND", ["salesCycleCode"]),
        ("INVALID", ["campaignNo"]),
    ]
    assert all(e["message"] for e in payload["userErrors"])
    assert await written_rows(sessions) == before
