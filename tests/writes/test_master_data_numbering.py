"""Number series of contacts and campaigns (domain.md §1.1, §11.16): parallel creations get
distinct, consecutive numbers; a series that forbids manual numbers refuses a given one; a refused
create leaves the series where it was."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

import models
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import factories as f
from tests.support.concurrency import open_parallel

# Real parallel transactions taking numbers from one series row.
pytestmark = pytest.mark.own_database

CREATE_CONTACT = """mutation($input: CreateContactInput!) { createContact(input: $input) {
  contact { no } userErrors { code field } } }"""
CREATE_CAMPAIGN = """mutation($input: CreateCampaignInput!) { createCampaign(input: $input) {
  campaign { no } userErrors { code field } } }"""
BURST = 25

KINDS = {
    # kind: (mutation, payload name, object name, series code, prefix, table, input)
    "contact": (
        CREATE_CONTACT,
        "createContact",
        "contact",
        "CONT",
        "CT",
        models.Contact,
        {"type": "PERSON", "name": "Ann"},
    ),
    "campaign": (
        CREATE_CAMPAIGN,
        "createCampaign",
        "campaign",
        "CAMP",
        "CP",
        models.Campaign,
        {"description": "Fair"},
    ),
}


async def series(sessions: SessionFactory, code: str) -> int:
    async with sessions() as session:
        next_no = await session.scalar(
            select(models.NumberSeries.next_no).where(models.NumberSeries.code == code)
        )
    assert next_no is not None
    return next_no


async def stored_nos(sessions: SessionFactory, table: Any) -> list[str]:
    async with sessions() as session:
        return list(await session.scalars(select(table.no).order_by(table.no)))


@pytest.mark.parametrize("kind", KINDS)
async def test_parallel_creations_get_distinct_consecutive_numbers(
    db_url: str, sessions: SessionFactory, kind: str
) -> None:
    mutation, name, obj, code, prefix, table, base = KINDS[kind]
    inputs = [{**base, "salespersonCode": None} for _ in range(BURST)]

    async with open_parallel(db_url) as parallel:
        payloads = await parallel.send(mutation, name, inputs)

    assert parallel.overlap.peak > 1, "the requests did not overlap"
    assert all(p["userErrors"] == [] for p in payloads)
    expected = [f"{prefix}{n:06d}" for n in range(1, BURST + 1)]
    assert sorted(p[obj]["no"] for p in payloads) == expected
    assert await stored_nos(sessions, table) == expected
    assert await series(sessions, code) == BURST + 1


@pytest.mark.parametrize("kind", KINDS)
async def test_a_series_without_manual_numbers_refuses_a_given_number(
    gql: GraphQLClient, sessions: SessionFactory, kind: str
) -> None:
    mutation, name, obj, code, prefix, table, base = KINDS[kind]
    async with sessions() as session, session.begin():
        await session.execute(
            update(models.NumberSeries).where(models.NumberSeries.code == code).values(manual_nos=False)
        )

    refused = (await gql.query(mutation, {"input": {**base, "no": "MINE"}}))[name]
    numbered = (await gql.query(mutation, {"input": base}))[name]

    assert refused == {obj: None, "userErrors": [{"code": "INVALID", "field": ["no"]}]}
    assert numbered == {obj: {"no": f"{prefix}000001"}, "userErrors": []}
    assert await stored_nos(sessions, table) == [f"{prefix}000001"]
    assert await series(sessions, code) == 2


@pytest.mark.parametrize("kind", KINDS)
async def test_a_refused_create_leaves_the_series_unchanged(
    gql: GraphQLClient, sessions: SessionFactory, kind: str
) -> None:
    mutation, name, obj, code, prefix, table, base = KINDS[kind]
    await f.add(sessions, f.salesperson("SB", blocked=True))

    refused = (await gql.query(mutation, {"input": {**base, "salespersonCode": "SB"}}))[name]
    numbered = (await gql.query(mutation, {"input": base}))[name]

    assert refused == {obj: None, "userErrors": [{"code": "BLOCKED", "field": ["salespersonCode"]}]}
    assert numbered[obj] == {"no": f"{prefix}000001"}
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(table)) == 1
    assert await series(sessions, code) == 2
