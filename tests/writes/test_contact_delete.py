"""deleteContact (domain.md §6.1, §11.9 and the DELETE policy): the spec's guards in their order —
open tasks, opportunities not closed, a company's persons — then any other reference; each refusal
is IN_USE and deletes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import models
from graph.relay import encode_id
from models import OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

DELETE = """mutation($input: DeleteContactInput!) { deleteContact(input: $input) {
  deletedId userErrors { code field message } } }"""

COMPANY = f.company("C")
PERSON = f.person("P", "C")


async def given_contacts(sessions: SessionFactory) -> None:
    """Company C with person P, company D and lone person Q; salesperson S."""
    await b.insert(
        sessions, f.salesperson("S"), f.company("C"), f.company("D"), f.person("P", "C"), f.person("Q", None)
    )


async def delete(gql: GraphQLClient, no: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql.query(DELETE, {"input": {"no": no}}))["deleteContact"]
    return payload


def refusal(payload: dict[str, Any]) -> tuple[str, list[str] | None, str]:
    assert payload["deletedId"] is None
    [error] = payload["userErrors"]
    return error["code"], error["field"], error["message"]


async def contact_nos(sessions: SessionFactory) -> list[str]:
    async with sessions() as session:
        return list(await session.scalars(select(models.Contact.no).order_by(models.Contact.no)))


async def test_delete_removes_a_person_and_a_company_without_persons(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts(sessions)

    person = await delete(gql, " q ")
    company = await delete(gql, "D")

    assert person == {"deletedId": encode_id("Contact", ["Q"]), "userErrors": []}
    assert company == {"deletedId": encode_id("Contact", ["D"]), "userErrors": []}
    assert await contact_nos(sessions) == ["C", "P"]


async def test_delete_of_an_unknown_contact_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts(sessions)

    payload = await delete(gql, "GHOST")

    assert refusal(payload) == ("NOT_FOUND", ["no"], "Contact GHOST does not exist.")


async def test_open_tasks_refuse_first(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_contacts(sessions)
    await b.insert(sessions, f.opportunity("O1", PERSON, "S", None), b.task("T1", contact_no="P"))

    payload = await delete(gql, "P")

    assert refusal(payload) == (
        "IN_USE",
        ["no"],
        "You cannot delete contact P Person P because it has open tasks.",
    )
    assert await contact_nos(sessions) == ["C", "D", "P", "Q"]


async def test_a_persons_open_task_refuses_its_company(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_contacts(sessions)
    await b.insert(sessions, b.task("T1", contact_no="P", contact_company_no="C"))

    payload = await delete(gql, "C")

    assert refusal(payload)[2] == "You cannot delete contact C Company C because it has open tasks."
    assert await contact_nos(sessions) == ["C", "D", "P", "Q"]


NOT_CLOSED = "because one or more opportunities are in not started or progress."


@pytest.mark.parametrize("status", [OpportunityStatus.NOT_STARTED, OpportunityStatus.IN_PROGRESS])
@pytest.mark.parametrize(("no", "contact"), [("P", PERSON), ("C", PERSON), ("C", COMPANY)])
async def test_opportunities_not_closed_refuse_the_contact_and_its_company(
    gql: GraphQLClient, sessions: SessionFactory, status: OpportunityStatus, no: str, contact: models.Contact
) -> None:
    await given_contacts(sessions)
    await b.insert(sessions, f.opportunity("O1", contact, "S", None, status=status))

    payload = await delete(gql, no)

    code, field, message = refusal(payload)
    assert (code, field) == ("IN_USE", ["no"])
    assert message.endswith(NOT_CLOSED)
    assert await contact_nos(sessions) == ["C", "D", "P", "Q"]


async def test_a_company_with_persons_is_refused(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_contacts(sessions)

    payload = await delete(gql, "C")

    assert refusal(payload) == (
        "IN_USE",
        ["no"],
        "You cannot delete contact C Company C because it still has 1 person: "
        "delete them or move them to another company.",
    )
    assert await contact_nos(sessions) == ["C", "D", "P", "Q"]


def _closed_opportunity() -> list[Any]:
    return [f.opportunity("O1", f.person("Q", None), "S", None, **b.closed(OpportunityStatus.LOST, f.DAY))]


def _entry_of_a_former_contact() -> list[Any]:
    # The opportunity moved from Q to D: its old, inactive entry still names Q.
    opp = f.opportunity("O1", f.company("D"), "S", "CY", **b.closed(OpportunityStatus.LOST, f.DAY))
    old = f.entry(f.opportunity("O1", f.person("Q", None), "S", "CY"), 1, "100", active=False)
    return [*f.cycle("CY", stages=1), opp, old]


@pytest.mark.parametrize(
    ("rows", "uses"),
    [
        (_closed_opportunity, "1 closed opportunity"),
        (_entry_of_a_former_contact, "1 opportunity entry"),
        (
            lambda: [b.task("T1", contact_no="Q", closed=True), b.task("T2", contact_no="Q", closed=True)],
            "2 closed tasks",
        ),
        (lambda: b.quote("SQ1", "Q", ("1", "10", "0")), "1 sales quote"),
        (lambda: b.order("SO1", "Q", ("1", "10", "0")), "1 sales order"),
    ],
)
async def test_any_other_reference_refuses_the_delete(
    gql: GraphQLClient, sessions: SessionFactory, rows: Any, uses: str
) -> None:
    await given_contacts(sessions)
    await b.insert(sessions, *rows())

    payload = await delete(gql, "Q")

    assert refusal(payload) == (
        "IN_USE",
        ["no"],
        f"You cannot delete contact Q Person Q: it is used by {uses}.",
    )
    assert await contact_nos(sessions) == ["C", "D", "P", "Q"]


async def test_every_other_reference_is_named(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_contacts(sessions)
    await b.insert(
        sessions,
        *_closed_opportunity(),
        b.task("T1", contact_no="Q", closed=True),
        *b.quote("SQ1", "Q", ("1", "10", "0")),
    )

    payload = await delete(gql, "Q")

    assert refusal(payload)[2].endswith("used by 1 closed opportunity, 1 closed task, 1 sales quote.")
