"""Mutations travel over POST only (api.md §1); a GET carrying one changes nothing."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

import models
from resolvers.session import SessionFactory
from tests.support import factories as f

CREATE = """mutation { createOpportunity(input: {description: "Via GET", contactNo: "C"}) {
  opportunity { no } userErrors { code } } }"""


async def test_a_mutation_over_get_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, sessions: SessionFactory
) -> None:
    await f.add(sessions, f.salesperson("S"), *f.cycle("NEW"))
    await f.add(sessions, f.company("C", salesperson_code="S"))

    response = await client.get("/graphql", params={"query": CREATE}, headers={"accept": "application/json"})

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(models.Opportunity)) == 0
