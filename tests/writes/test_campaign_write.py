"""createCampaign, updateCampaign and deleteCampaign through GraphQL (domain.md §1.12, §11.16;
api.md §6): numbering, stored values, dates in order, salesperson checks, partial updates, the
DELETE policy, and that a refused change writes nothing. Concurrent numbering is in
test_master_data_numbering.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

import models
from graph.relay import encode_id
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

CAMPAIGN = "no description startingDate endingDate activated salesperson { code }"
CREATE = f"""mutation($input: CreateCampaignInput!) {{ createCampaign(input: $input) {{
  campaign {{ {CAMPAIGN} }} userErrors {{ code field message }} }} }}"""
UPDATE = f"""mutation($input: UpdateCampaignInput!) {{ updateCampaign(input: $input) {{
  campaign {{ {CAMPAIGN} }} userErrors {{ code field message }} }} }}"""
DELETE = """mutation($input: DeleteCampaignInput!) { deleteCampaign(input: $input) {
  deletedId userErrors { code field message } } }"""

Row = tuple[str, dt.date | None, dt.date | None, bool, str | None]


async def given_master_data(sessions: SessionFactory) -> None:
    """Salespeople S, S2 and blocked SB; contact C; campaign K (January 2024, activated, of S)."""
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.salesperson("S2"),
        f.salesperson("SB", blocked=True),
        f.company("C"),
        b.campaign(
            "K", "S", activated=True, starting_date=dt.date(2024, 1, 1), ending_date=dt.date(2024, 1, 31)
        ),
    )


async def send(gql: GraphQLClient, doc: str, **input: Any) -> dict[str, Any]:
    data = await gql.query(doc, {"input": input})
    [payload] = data.values()
    assert isinstance(payload, dict)
    return payload


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    campaign: dict[str, Any] = payload["campaign"]
    return campaign


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    assert payload.get("campaign") is None
    assert payload.get("deletedId") is None
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def campaigns(sessions: SessionFactory) -> dict[str, Row]:
    """Every stored campaign as (description, start, end, activated, salesperson)."""
    async with sessions() as session:
        rows = await session.scalars(select(models.Campaign))
        return {
            c.no: (c.description, c.starting_date, c.ending_date, c.activated, c.salesperson_code)
            for c in rows
        }


async def campaign_series(sessions: SessionFactory) -> int:
    async with sessions() as session:
        next_no = await session.scalar(
            select(models.NumberSeries.next_no).where(models.NumberSeries.code == "CAMP")
        )
    assert next_no is not None
    return next_no


# --- create ----------------------------------------------------------------------------------------


async def test_create_numbers_from_the_series_and_stores_every_value(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    full = ok(
        await send(
            gql,
            CREATE,
            description=" Spring fair ",
            startingDate="2024-03-01",
            endingDate="2024-03-01",
            activated=True,
            salespersonCode="s2",
        )
    )
    bare = ok(await send(gql, CREATE, description="Later"))

    assert full == {
        "no": "CP000001",
        "description": "Spring fair",
        "startingDate": "2024-03-01",
        "endingDate": "2024-03-01",
        "activated": True,
        "salesperson": {"code": "S2"},
    }
    assert bare == {
        "no": "CP000002",
        "description": "Later",
        "startingDate": None,
        "endingDate": None,
        "activated": False,
        "salesperson": None,
    }
    stored = await campaigns(sessions)
    assert stored["CP000001"] == ("Spring fair", dt.date(2024, 3, 1), dt.date(2024, 3, 1), True, "S2")
    assert stored["CP000002"] == ("Later", None, None, False, None)
    assert await campaign_series(sessions) == 3


async def test_create_with_a_manual_number_keeps_the_series(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    campaign = ok(await send(gql, CREATE, no=" fair-24 ", description="Fair"))
    duplicate = await send(gql, CREATE, no="k", description="Again")

    assert campaign["no"] == "FAIR-24"
    assert errors(duplicate) == [("DUPLICATE", ["no"])]
    assert set(await campaigns(sessions)) == {"K", "FAIR-24"}
    assert await campaign_series(sessions) == 1


async def test_create_reports_every_broken_rule_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    before = await campaigns(sessions)

    payload = await send(
        gql,
        CREATE,
        no="N" * 21,
        description=" ",
        startingDate="2024-03-02",
        endingDate="2024-03-01",
        salespersonCode="GHOST",
    )

    assert errors(payload) == [
        ("TOO_LONG", ["no"]),
        ("REQUIRED", ["description"]),
        ("INVALID", ["endingDate"]),
        ("NOT_FOUND", ["salespersonCode"]),
    ]
    assert (
        payload["userErrors"][2]["message"]
        == "The ending date 2024-03-01 is before the starting date 2024-03-02."
    )
    assert await campaigns(sessions) == before
    assert await campaign_series(sessions) == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"description": "D" * 101}, ("TOO_LONG", ["description"])),
        ({"salespersonCode": "SB"}, ("BLOCKED", ["salespersonCode"])),
        ({"salespersonCode": "S" * 21}, ("TOO_LONG", ["salespersonCode"])),
    ],
)
async def test_create_refuses_a_broken_rule(
    gql: GraphQLClient, sessions: SessionFactory, changes: dict[str, Any], expected: tuple[str, list[str]]
) -> None:
    await given_master_data(sessions)
    before = await campaigns(sessions)

    payload = await send(gql, CREATE, **{"description": "Fair", **changes})

    assert errors(payload) == [expected]
    assert await campaigns(sessions) == before


# --- update ----------------------------------------------------------------------------------------


async def test_update_changes_every_field(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_master_data(sessions)

    campaign = ok(
        await send(
            gql,
            UPDATE,
            no="k",
            description="Winter",
            startingDate="2024-12-01",
            endingDate="2025-02-28",
            activated=False,
            salespersonCode="S2",
        )
    )

    assert campaign == {
        "no": "K",
        "description": "Winter",
        "startingDate": "2024-12-01",
        "endingDate": "2025-02-28",
        "activated": False,
        "salesperson": {"code": "S2"},
    }
    assert (await campaigns(sessions))["K"] == (
        "Winter",
        dt.date(2024, 12, 1),
        dt.date(2025, 2, 28),
        False,
        "S2",
    )


async def test_update_leaves_omitted_fields_and_clears_explicit_nulls(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    renamed = ok(await send(gql, UPDATE, no="K", description="New name"))
    cleared = ok(await send(gql, UPDATE, no="K", startingDate=None, endingDate=None, salespersonCode=None))
    refused = await send(gql, UPDATE, no="K", description=None, activated=None, startingDate="2024-05-01")

    assert renamed["startingDate"] == "2024-01-01"
    assert (renamed["endingDate"], renamed["activated"], renamed["salesperson"]) == (
        "2024-01-31",
        True,
        {"code": "S"},
    )
    assert cleared == {
        "no": "K",
        "description": "New name",
        "startingDate": None,
        "endingDate": None,
        "activated": True,
        "salesperson": None,
    }
    assert errors(refused) == [("REQUIRED", ["description"]), ("REQUIRED", ["activated"])]
    assert (await campaigns(sessions))["K"] == ("New name", None, None, True, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"endingDate": "2023-12-31"}, "endingDate"),  # before the stored start
        ({"startingDate": "2024-02-01"}, "startingDate"),  # after the stored end
        ({"startingDate": "2024-06-01", "endingDate": "2024-05-31"}, "endingDate"),
    ],
)
async def test_update_keeps_the_dates_in_order(
    gql: GraphQLClient, sessions: SessionFactory, changes: dict[str, Any], field: str
) -> None:
    await given_master_data(sessions)
    before = await campaigns(sessions)

    payload = await send(gql, UPDATE, no="K", **changes)

    assert errors(payload) == [("INVALID", [field])]
    assert await campaigns(sessions) == before


async def test_update_moves_both_dates_past_the_stored_ones(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    campaign = ok(await send(gql, UPDATE, no="K", startingDate="2024-06-01", endingDate="2024-06-30"))
    open_ended = ok(await send(gql, UPDATE, no="K", endingDate=None, startingDate="2025-01-01"))

    assert (campaign["startingDate"], campaign["endingDate"]) == ("2024-06-01", "2024-06-30")
    assert (open_ended["startingDate"], open_ended["endingDate"]) == ("2025-01-01", None)


async def test_update_checks_a_new_salesperson_and_an_unknown_campaign(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    before = await campaigns(sessions)

    blocked = await send(gql, UPDATE, no="K", salespersonCode="SB")
    missing = await send(gql, UPDATE, no="K", salespersonCode="GHOST")
    unknown = await send(gql, UPDATE, no="GHOST", description="X")

    assert errors(blocked) == [("BLOCKED", ["salespersonCode"])]
    assert errors(missing) == [("NOT_FOUND", ["salespersonCode"])]
    assert errors(unknown) == [("NOT_FOUND", ["no"])]
    assert await campaigns(sessions) == before


# --- delete ----------------------------------------------------------------------------------------


async def test_delete_removes_an_unused_campaign(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_master_data(sessions)

    payload = await send(gql, DELETE, no=" k ")
    again = await send(gql, DELETE, no="K")

    assert payload == {"deletedId": encode_id("Campaign", ["K"]), "userErrors": []}
    assert errors(again) == [("NOT_FOUND", ["no"])]
    assert await campaigns(sessions) == {}


def _opportunity(**kw: Any) -> list[Any]:
    return [f.opportunity("O1", f.company("C"), "S", None, campaign_no="K", **kw)]


def _entry() -> list[Any]:
    # The opportunity left the campaign; its old, inactive entry still names it.
    opp = f.opportunity("O1", f.company("C"), "S", "CY", status=models.OpportunityStatus.IN_PROGRESS)
    old = f.entry(opp, 1, "100", active=False, campaign_no="K")
    return [*f.cycle("CY", stages=1), opp, old]


@pytest.mark.parametrize(
    ("rows", "uses"),
    [
        (_opportunity, "1 opportunity"),
        (lambda: _opportunity(**b.closed(models.OpportunityStatus.WON, f.DAY)), "1 opportunity"),
        (_entry, "1 opportunity entry"),
        (lambda: [b.task("T1", campaign_no="K"), b.task("T2", campaign_no="K", closed=True)], "2 tasks"),
        (lambda: b.quote("SQ1", "C", ("1", "10", "0"), campaign_no="K"), "1 sales quote"),
        (lambda: b.order("SO1", "C", ("1", "10", "0"), campaign_no="K"), "1 sales order"),
    ],
)
async def test_delete_is_refused_while_anything_refers_to_the_campaign(
    gql: GraphQLClient, sessions: SessionFactory, rows: Any, uses: str
) -> None:
    await given_master_data(sessions)
    await b.insert(sessions, *rows())
    before = await campaigns(sessions)

    payload = await send(gql, DELETE, no="K")

    assert errors(payload) == [("IN_USE", ["no"])]
    assert (
        payload["userErrors"][0]["message"]
        == f"You cannot delete campaign K Campaign K: it is used by {uses}."
    )
    assert await campaigns(sessions) == before
