"""deleteSalesperson through GraphQL (domain.md §6.1, §11.9; api.md §6): Business Central's guards
first (open tasks, then open opportunities), then every other reference, each refused with IN_USE
and nothing deleted; an unused salesperson goes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

import models
from models import ActionTaken, OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

DELETE = """mutation($input: DeleteSalespersonInput!) {
  deleteSalesperson(input: $input) { deletedId userErrors { code field message } } }"""


async def codes(sessions: SessionFactory) -> list[str]:
    async with sessions() as session:
        return list(await session.scalars(select(models.Salesperson.code).order_by(models.Salesperson.code)))


async def given_master_data(sessions: SessionFactory, *rows: Any) -> None:
    """Salespeople S (the one to delete) and OTHER, company C (of OTHER), cycle NEW, then ``rows``."""
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.salesperson("OTHER"),
        f.company("C", salesperson_code="OTHER"),
        *f.cycle("NEW", stages=2),
        *rows,
    )


async def delete(gql: GraphQLClient, code: str = "S") -> dict[str, Any]:
    data = await gql.query(DELETE, {"input": {"code": code}})
    payload: dict[str, Any] = data["deleteSalesperson"]
    return payload


def refusal(payload: dict[str, Any]) -> tuple[str, list[str] | None, str]:
    [error] = payload["userErrors"]
    return error["code"], error["field"], error["message"]


def won(no: str, salesperson: str) -> list[Any]:
    opp = f.opportunity(no, f.company("C"), salesperson, "NEW", **b.closed(OpportunityStatus.WON, f.DAY))
    return [opp, f.entry(opp, 0, "100", action_taken=ActionTaken.WON, date_closed=f.DAY)]


async def test_delete_salesperson_removes_an_unused_one(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_master_data(sessions)
    global_id = (await gql.query('{ salesperson(code: "S") { id } }'))["salesperson"]["id"]

    payload = await delete(gql, " s ")

    assert payload == {"deletedId": global_id, "userErrors": []}
    assert await codes(sessions) == ["OTHER"]
    assert (await gql.query('{ salesperson(code: "S") { id } }'))["salesperson"] is None


async def test_delete_salesperson_refuses_an_unknown_code(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    payload = await delete(gql, "NOBODY")

    assert payload["deletedId"] is None
    assert refusal(payload)[:2] == ("NOT_FOUND", ["code"])
    assert await codes(sessions) == ["OTHER", "S"]


async def test_delete_salesperson_refuses_while_it_has_open_tasks_before_any_other_reason(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(
        sessions,
        f.opportunity("O1", f.company("C"), "S", "NEW"),  # open opportunity too
        b.task("T1", salesperson_code="S"),
        b.task("T2", salesperson_code="S", closed=True),
    )

    payload = await delete(gql)

    assert payload["deletedId"] is None
    assert refusal(payload) == (
        "IN_USE",
        ["code"],
        "You cannot delete salesperson S because it has open tasks.",
    )
    assert await codes(sessions) == ["OTHER", "S"]


@pytest.mark.parametrize("status", [OpportunityStatus.NOT_STARTED, OpportunityStatus.IN_PROGRESS])
async def test_delete_salesperson_refuses_while_it_has_open_opportunities(
    gql: GraphQLClient, sessions: SessionFactory, status: OpportunityStatus
) -> None:
    opp = f.opportunity("O1", f.company("C"), "S", "NEW", status=status)
    started = [f.entry(opp, 1, "100")] if status is OpportunityStatus.IN_PROGRESS else []
    await given_master_data(
        sessions, opp, *started, *won("O2", "S"), b.task("T1", salesperson_code="S", closed=True)
    )

    payload = await delete(gql)

    assert refusal(payload) == (
        "IN_USE",
        ["code"],
        "You cannot delete salesperson S because it has open opportunities.",
    )
    assert await codes(sessions) == ["OTHER", "S"]


def history_entry() -> list[Any]:
    """An open opportunity of OTHER whose first entry was written while S had it."""
    opp = f.opportunity("O1", f.company("C"), "OTHER", "NEW", status=OpportunityStatus.IN_PROGRESS)
    old = f.entry(opp, 1, "100", active=False)
    old.salesperson_code = "S"
    return [opp, old, f.entry(opp, 2, "100", action_taken=ActionTaken.NEXT)]


@pytest.mark.parametrize(
    ("rows", "used_by"),
    [
        (lambda: won("O1", "S"), "1 closed opportunity and 1 opportunity entry"),
        (history_entry, "1 opportunity entry"),
        (lambda: [b.task("T1", salesperson_code="S", closed=True)], "1 closed task"),
        (
            lambda: [f.person("P1", "C", salesperson_code="S"), f.person("P2", "C", salesperson_code="S")],
            "2 contacts",
        ),
        (lambda: [b.campaign("CAMP", "S")], "1 campaign"),
        (lambda: b.quote("SQ1", "C", ("1", "10", "0"), salesperson_code="S"), "1 sales quote"),
        (lambda: b.order("SO1", "C", ("1", "10", "0"), salesperson_code="S"), "1 sales order"),
    ],
)
async def test_delete_salesperson_refuses_while_anything_else_refers_to_it(
    gql: GraphQLClient, sessions: SessionFactory, rows: Any, used_by: str
) -> None:
    await given_master_data(sessions, *rows())

    payload = await delete(gql)

    assert refusal(payload) == ("IN_USE", ["code"], f"Salesperson S is used by {used_by}; block it instead.")
    assert await codes(sessions) == ["OTHER", "S"]


async def test_delete_salesperson_refuses_the_setups_default_salesperson(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions, b.campaign("CAMP", "S"))
    async with sessions() as session, session.begin():
        await session.execute(update(models.Setup).values(default_salesperson_code="S"))

    payload = await delete(gql)

    assert refusal(payload) == (
        "IN_USE",
        ["code"],
        "Salesperson S is used by 1 campaign and the setup as its default salesperson; block it instead.",
    )
    assert await codes(sessions) == ["OTHER", "S"]
    async with sessions() as session:
        assert await session.scalar(select(models.Setup.default_salesperson_code)) == "S"


async def test_delete_salesperson_is_not_stopped_by_another_salespersons_rows(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(
        sessions, *won("O1", "OTHER"), b.task("T1", salesperson_code="OTHER"), b.campaign("CAMP", "OTHER")
    )

    payload = await delete(gql)

    assert payload["userErrors"] == []
    assert await codes(sessions) == ["OTHER"]
