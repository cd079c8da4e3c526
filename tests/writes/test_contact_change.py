"""updateContact's type and company changes (domain.md §6.1 "Contact type change"): the contact's
company number is copied onto its opportunities and tasks, so neither may change while such rows
exist, and a company with persons stays a company. Every refusal writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import models
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

UPDATE = """mutation($input: UpdateContactInput!) { updateContact(input: $input) {
  contact { no type companyNo company { no } } userErrors { code field message } } }"""


async def given_contacts(sessions: SessionFactory) -> None:
    """Companies C and D, person P of C, lone person Q; nothing refers to any of them yet."""
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.company("C"),
        f.company("D"),
        f.person("P", "C"),
        f.person("Q", None),
    )


async def change(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql.query(UPDATE, {"input": input}))["updateContact"]
    return payload


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None, str]]:
    assert payload["contact"] is None
    return [(e["code"], e["field"], e["message"]) for e in payload["userErrors"]]


async def types_and_companies(sessions: SessionFactory) -> dict[str, tuple[str, str | None]]:
    async with sessions() as session:
        rows = await session.scalars(select(models.Contact))
        return {c.no: (c.type.value, c.company_no) for c in rows}


def opportunity_of(contact: models.Contact, **kw: Any) -> models.Opportunity:
    return f.opportunity("O1", contact, "S", None, **kw)


# --- type ------------------------------------------------------------------------------------------


async def test_a_person_becomes_a_company_of_its_own(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_contacts(sessions)

    payload = await change(gql, no="P", type="COMPANY")

    assert payload["contact"] == {"no": "P", "type": "COMPANY", "companyNo": "P", "company": {"no": "P"}}
    assert (await types_and_companies(sessions))["P"] == ("COMPANY", "P")


async def test_a_company_becomes_a_person_of_the_given_company_or_of_none(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts(sessions)

    joined = await change(gql, no="D", type="PERSON", companyNo="C")
    await change(gql, no="D", type="COMPANY")
    alone = await change(gql, no="D", type="PERSON")

    assert joined["contact"] == {"no": "D", "type": "PERSON", "companyNo": "C", "company": {"no": "C"}}
    assert alone["contact"] == {"no": "D", "type": "PERSON", "companyNo": None, "company": None}
    assert (await types_and_companies(sessions))["D"] == ("PERSON", None)


async def test_a_company_turning_person_cannot_name_itself_as_its_company(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts(sessions)
    before = await types_and_companies(sessions)

    payload = await change(gql, no="D", type="PERSON", companyNo="D")

    assert errors(payload) == [("INVALID", ["companyNo"], "Contact D Company D is not a company.")]
    assert await types_and_companies(sessions) == before


TYPE_LINKED = "Type cannot be changed because one or more opportunities are linked to the contact."


@pytest.mark.parametrize(
    ("no", "new_type", "opportunity_contact"),
    [
        ("C", "PERSON", "C"),  # the company's own opportunity
        ("P", "COMPANY", "P"),  # the person's own opportunity
        ("C", "PERSON", "P"),  # a person's opportunity carries the company as contact_company_no
    ],
)
async def test_the_type_cannot_change_while_opportunities_are_linked(
    gql: GraphQLClient, sessions: SessionFactory, no: str, new_type: str, opportunity_contact: str
) -> None:
    await given_contacts(sessions)
    contact = f.company("C") if opportunity_contact == "C" else f.person("P", "C")
    await b.insert(sessions, opportunity_of(contact, **b.closed(models.OpportunityStatus.WON, f.DAY)))
    before = await types_and_companies(sessions)

    payload = await change(gql, no=no, type=new_type)

    assert errors(payload) == [("IN_USE", ["type"], TYPE_LINKED)]
    assert await types_and_companies(sessions) == before


async def test_the_type_cannot_change_while_tasks_are_linked(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts(sessions)
    await b.insert(sessions, b.task("T1", contact_no="Q", closed=True))
    before = await types_and_companies(sessions)

    payload = await change(gql, no="Q", type="COMPANY")

    assert errors(payload) == [
        ("IN_USE", ["type"], "Type cannot be changed because one or more tasks are linked to the contact.")
    ]
    assert await types_and_companies(sessions) == before


async def test_a_company_with_persons_cannot_become_a_person(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts(sessions)
    before = await types_and_companies(sessions)

    payload = await change(gql, no="C", type="PERSON", companyNo="D")

    assert errors(payload) == [("IN_USE", ["type"], "Company C has persons: it cannot become a person.")]
    assert await types_and_companies(sessions) == before


async def test_restating_the_same_type_is_no_type_change(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts(sessions)
    await b.insert(sessions, opportunity_of(f.company("C")))

    payload = await change(gql, no="C", type="COMPANY")

    assert payload["userErrors"] == []
    assert payload["contact"]["type"] == "COMPANY"


# --- a person's company ----------------------------------------------------------------------------


async def test_a_person_moves_to_another_company_while_nothing_is_linked(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts(sessions)

    payload = await change(gql, no="P", companyNo="D")

    assert payload["contact"] == {"no": "P", "type": "PERSON", "companyNo": "D", "company": {"no": "D"}}
    assert (await types_and_companies(sessions))["P"] == ("PERSON", "D")


@pytest.mark.parametrize("company_no", ["D", None])
async def test_a_person_with_opportunities_keeps_its_company(
    gql: GraphQLClient, sessions: SessionFactory, company_no: str | None
) -> None:
    await given_contacts(sessions)
    await b.insert(sessions, opportunity_of(f.person("P", "C")))
    before = await types_and_companies(sessions)

    payload = await change(gql, no="P", companyNo=company_no)

    assert errors(payload) == [
        (
            "IN_USE",
            ["companyNo"],
            "The company of contact P cannot change: one or more opportunities are linked to it.",
        )
    ]
    assert await types_and_companies(sessions) == before


async def test_a_person_with_tasks_keeps_its_company(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_contacts(sessions)
    await b.insert(sessions, b.task("T1", contact_no="P", contact_company_no="C"))

    payload = await change(gql, no="P", companyNo="D")

    assert errors(payload) == [
        (
            "IN_USE",
            ["companyNo"],
            "The company of contact P cannot change: one or more tasks are linked to it.",
        )
    ]
    assert (await types_and_companies(sessions))["P"] == ("PERSON", "C")


async def test_restating_the_same_company_is_no_company_change(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts(sessions)
    await b.insert(sessions, opportunity_of(f.person("P", "C")))

    payload = await change(gql, no="p", companyNo="c")

    assert payload["userErrors"] == []
    assert payload["contact"]["companyNo"] == "C"
