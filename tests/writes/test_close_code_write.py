"""create/update/deleteCloseOpportunityCode (domain.md §1.7, §6.1; api.md §6)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import models
from models import ActionTaken, CloseOutcome, OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

CODE = "closeOpportunityCode { id code description type }"
ERRORS = "userErrors { code field message }"
CREATE = f"""mutation($input: CreateCloseOpportunityCodeInput!) {{
  createCloseOpportunityCode(input: $input) {{ {CODE} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateCloseOpportunityCodeInput!) {{
  updateCloseOpportunityCode(input: $input) {{ {CODE} {ERRORS} }} }}"""
DELETE = f"""mutation($input: DeleteCloseOpportunityCodeInput!) {{
  deleteCloseOpportunityCode(input: $input) {{ deletedId {ERRORS} }} }}"""


async def codes(sessions: SessionFactory) -> list[tuple[str, str, CloseOutcome]]:
    async with sessions() as session:
        rows = await session.scalars(
            select(models.CloseOpportunityCode).order_by(models.CloseOpportunityCode.code)
        )
        return [(c.code, c.description, c.type) for c in rows]


def errors(data: dict[str, Any], name: str) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in data[name]["userErrors"]]


def won_with(code: str) -> list[Any]:
    """A won opportunity whose won entry carries ``code``."""
    opp = f.opportunity("OP1", f.company("C"), "S", "NEW", **b.closed(OpportunityStatus.WON, f.DAY))
    won = f.entry(opp, 0, "100", action_taken=ActionTaken.WON, date_closed=f.DAY, close_opportunity_code=code)
    return [opp, f.entry(opp, 1, "100", active=False), won]


async def given_codes(sessions: SessionFactory, *rows: Any) -> None:
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.company("C"),
        *f.cycle("NEW", stages=1),
        b.close_code("BIGDEAL", CloseOutcome.WON, "Big deal"),
        b.close_code("PRICE", CloseOutcome.LOST, "Too expensive"),
        *rows,
    )


async def test_create_close_opportunity_code_stores_it(gql: GraphQLClient, sessions: SessionFactory) -> None:
    data = await gql.query(
        CREATE, {"input": {"code": " budget ", "description": " No budget ", "type": "LOST"}}
    )

    payload = data["createCloseOpportunityCode"]
    assert payload["userErrors"] == []
    node = await gql.query('{ closeOpportunityCode(code: "BUDGET") { id } }')
    assert payload["closeOpportunityCode"] == {
        "id": node["closeOpportunityCode"]["id"],
        "code": "BUDGET",
        "description": "No budget",
        "type": "LOST",
    }
    assert await codes(sessions) == [("BUDGET", "No budget", CloseOutcome.LOST)]


@pytest.mark.parametrize(
    ("code", "description", "expected"),
    [
        ("bigdeal", "Again", [("DUPLICATE", ["code"])]),
        (" ", "Fine", [("REQUIRED", ["code"])]),
        ("ELEVENCHARS", "", [("TOO_LONG", ["code"]), ("REQUIRED", ["description"])]),
        ("NEWCODE", "x" * 101, [("TOO_LONG", ["description"])]),
    ],
)
async def test_create_close_opportunity_code_refuses_broken_rules_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory, code: str, description: str, expected: list[Any]
) -> None:
    await given_codes(sessions)
    before = await codes(sessions)

    data = await gql.query(CREATE, {"input": {"code": code, "description": description, "type": "WON"}})

    assert errors(data, "createCloseOpportunityCode") == expected
    assert data["createCloseOpportunityCode"]["closeOpportunityCode"] is None
    assert await codes(sessions) == before


async def test_update_close_opportunity_code_changes_only_the_given_fields(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_codes(sessions)

    first = await gql.query(UPDATE, {"input": {"code": "price", "description": "Price too high"}})
    assert first["updateCloseOpportunityCode"]["closeOpportunityCode"]["type"] == "LOST"
    second = await gql.query(UPDATE, {"input": {"code": "PRICE", "type": "WON"}})

    assert second["updateCloseOpportunityCode"]["userErrors"] == []
    assert second["updateCloseOpportunityCode"]["closeOpportunityCode"]["description"] == "Price too high"
    assert await codes(sessions) == [
        ("BIGDEAL", "Big deal", CloseOutcome.WON),
        ("PRICE", "Price too high", CloseOutcome.WON),
    ]


async def test_update_close_opportunity_code_refuses_to_clear_its_fields(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_codes(sessions)
    before = await codes(sessions)

    data = await gql.query(UPDATE, {"input": {"code": "PRICE", "description": None, "type": None}})

    assert errors(data, "updateCloseOpportunityCode") == [
        ("REQUIRED", ["description"]),
        ("REQUIRED", ["type"]),
    ]
    assert await codes(sessions) == before


async def test_update_close_opportunity_code_refuses_a_new_type_while_entries_carry_it(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_codes(sessions, *won_with("BIGDEAL"))
    before = await codes(sessions)

    data = await gql.query(UPDATE, {"input": {"code": "BIGDEAL", "description": "Renamed", "type": "LOST"}})

    assert errors(data, "updateCloseOpportunityCode") == [("IN_USE", ["type"])]
    assert await codes(sessions) == before


async def test_update_close_opportunity_code_keeps_the_type_and_renames_a_code_in_use(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_codes(sessions, *won_with("BIGDEAL"))

    data = await gql.query(UPDATE, {"input": {"code": "BIGDEAL", "description": "Large deal", "type": "WON"}})

    assert data["updateCloseOpportunityCode"]["userErrors"] == []
    assert (await codes(sessions))[0] == ("BIGDEAL", "Large deal", CloseOutcome.WON)


async def test_update_close_opportunity_code_of_an_unknown_code_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_codes(sessions)

    data = await gql.query(UPDATE, {"input": {"code": "NOPE", "description": "X"}})

    assert errors(data, "updateCloseOpportunityCode") == [("NOT_FOUND", ["code"])]


async def test_delete_close_opportunity_code_deletes_an_unused_code(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_codes(sessions, *won_with("BIGDEAL"))
    node = await gql.query('{ closeOpportunityCode(code: "PRICE") { id } }')

    data = await gql.query(DELETE, {"input": {"code": "price"}})

    assert data["deleteCloseOpportunityCode"] == {
        "deletedId": node["closeOpportunityCode"]["id"],
        "userErrors": [],
    }
    assert await codes(sessions) == [("BIGDEAL", "Big deal", CloseOutcome.WON)]


async def test_delete_close_opportunity_code_is_refused_while_entries_carry_it(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_codes(sessions, *won_with("BIGDEAL"))
    before = await codes(sessions)

    data = await gql.query(DELETE, {"input": {"code": "BIGDEAL"}})

    assert errors(data, "deleteCloseOpportunityCode") == [("IN_USE", ["code"])]
    assert data["deleteCloseOpportunityCode"]["deletedId"] is None
    assert await codes(sessions) == before


async def test_delete_close_opportunity_code_of_an_unknown_code_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_codes(sessions)
    before = await codes(sessions)

    data = await gql.query(DELETE, {"input": {"code": "NOPE"}})

    assert errors(data, "deleteCloseOpportunityCode") == [("NOT_FOUND", ["code"])]
    assert await codes(sessions) == before
