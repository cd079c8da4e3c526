"""createContact and updateContact through GraphQL (domain.md §1.3, §6.1; api.md §6): numbering,
stored values, validation, type and company changes, and that a refused change writes nothing.
Deletion is in test_contact_delete.py, concurrent numbering in test_master_data_numbering.py."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

import models
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

CONTACT = "no type name email phoneNo companyNo company { no } salesperson { code }"
CREATE = f"""mutation($input: CreateContactInput!) {{ createContact(input: $input) {{
  contact {{ {CONTACT} }} userErrors {{ code field message }} }} }}"""
UPDATE = f"""mutation($input: UpdateContactInput!) {{ updateContact(input: $input) {{
  contact {{ {CONTACT} }} userErrors {{ code field message }} }} }}"""

Row = tuple[str, str, str | None, str | None, str, str]


async def given_master_data(sessions: SessionFactory) -> None:
    """Salespeople S, S2 and blocked SB; companies C and D; P, a person of C; Q, a person without one."""
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.salesperson("S2"),
        f.salesperson("SB", blocked=True),
        f.company("C", salesperson_code="S"),
        f.company("D"),
        f.person("P", "C", email="p@example.com", phone_no="555"),
        f.person("Q", None),
    )


async def create(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql.query(CREATE, {"input": input}))["createContact"]
    return payload


async def change(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql.query(UPDATE, {"input": input}))["updateContact"]
    return payload


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    contact: dict[str, Any] = payload["contact"]
    return contact


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    assert payload["contact"] is None
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def contacts(sessions: SessionFactory) -> dict[str, Row]:
    """Every stored contact as (type, name, company, salesperson, email, phone)."""
    async with sessions() as session:
        rows = await session.scalars(select(models.Contact))
        return {
            c.no: (c.type.value, c.name, c.company_no, c.salesperson_code, c.email, c.phone_no) for c in rows
        }


async def contact_series(sessions: SessionFactory) -> int:
    async with sessions() as session:
        next_no = await session.scalar(
            select(models.NumberSeries.next_no).where(models.NumberSeries.code == "CONT")
        )
    assert next_no is not None
    return next_no


# --- create ----------------------------------------------------------------------------------------


async def test_create_numbers_from_the_series_and_stores_every_value(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    company = ok(
        await create(
            gql,
            type="COMPANY",
            name=" Acme ",
            salespersonCode="s2",
            email="info@acme.test",
            phoneNo="+1 555 0100",
        )
    )
    person = ok(await create(gql, type="PERSON", name="Ann", companyNo="ct000001"))

    assert company == {
        "no": "CT000001",
        "type": "COMPANY",
        "name": "Acme",
        "email": "info@acme.test",
        "phoneNo": "+1 555 0100",
        "companyNo": "CT000001",
        "company": {"no": "CT000001"},
        "salesperson": {"code": "S2"},
    }
    assert person["no"] == "CT000002"
    assert (person["companyNo"], person["company"], person["salesperson"]) == (
        "CT000001",
        {"no": "CT000001"},
        None,
    )
    stored = await contacts(sessions)
    assert stored["CT000001"] == ("COMPANY", "Acme", "CT000001", "S2", "info@acme.test", "+1 555 0100")
    assert stored["CT000002"] == ("PERSON", "Ann", "CT000001", None, "", "")
    assert await contact_series(sessions) == 3


async def test_create_takes_the_setup_default_salesperson_unless_it_is_blocked(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    async with sessions() as session, session.begin():
        await session.execute(update(models.Setup).values(default_salesperson_code="S2"))

    defaulted = ok(await create(gql, type="COMPANY", name="A"))
    explicit = ok(await create(gql, type="COMPANY", name="B", salespersonCode="S"))
    async with sessions() as session, session.begin():
        await session.execute(update(models.Setup).values(default_salesperson_code="SB"))
    blocked_default = ok(await create(gql, type="COMPANY", name="C"))

    assert defaulted["salesperson"] == {"code": "S2"}
    assert explicit["salesperson"] == {"code": "S"}
    assert blocked_default["salesperson"] is None


async def test_create_with_a_manual_number_trims_and_upper_cases_it_and_keeps_the_series(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    company = ok(await create(gql, no=" acme ", type="COMPANY", name="Acme"))
    same_no = ok(await create(gql, no="X1", type="COMPANY", name="X", companyNo="x1"))

    assert (company["no"], company["companyNo"]) == ("ACME", "ACME")
    assert (same_no["no"], same_no["companyNo"]) == ("X1", "X1")
    assert await contact_series(sessions) == 1


async def test_create_refuses_an_existing_number(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_master_data(sessions)
    before = await contacts(sessions)

    payload = await create(gql, no="c", type="COMPANY", name="Other")

    assert errors(payload) == [("DUPLICATE", ["no"])]
    assert await contacts(sessions) == before


async def test_create_reports_every_broken_rule_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    before = await contacts(sessions)

    payload = await create(
        gql,
        no="N" * 21,
        type="PERSON",
        name="  ",
        companyNo="NOPE",
        salespersonCode="GHOST",
        email="e" * 81,
        phoneNo="1" * 31,
    )

    assert errors(payload) == [
        ("TOO_LONG", ["no"]),
        ("REQUIRED", ["name"]),
        ("NOT_FOUND", ["companyNo"]),
        ("NOT_FOUND", ["salespersonCode"]),
        ("TOO_LONG", ["email"]),
        ("TOO_LONG", ["phoneNo"]),
    ]
    assert await contacts(sessions) == before
    assert await contact_series(sessions) == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "N" * 101}, ("TOO_LONG", ["name"])),
        ({"salespersonCode": "SB"}, ("BLOCKED", ["salespersonCode"])),
        ({"type": "COMPANY", "companyNo": "C"}, ("INVALID", ["companyNo"])),
        ({"type": "COMPANY", "no": "NEW", "companyNo": "C"}, ("INVALID", ["companyNo"])),
        ({"type": "PERSON", "companyNo": "P"}, ("INVALID", ["companyNo"])),
        ({"type": "PERSON", "companyNo": "GHOST"}, ("NOT_FOUND", ["companyNo"])),
    ],
)
async def test_create_refuses_a_broken_rule(
    gql: GraphQLClient,
    sessions: SessionFactory,
    changes: dict[str, Any],
    expected: tuple[str, list[str]],
) -> None:
    await given_master_data(sessions)
    before = await contacts(sessions)

    payload = await create(gql, **{"type": "PERSON", "name": "Ann", **changes})

    assert errors(payload) == [expected]
    assert await contacts(sessions) == before
    assert await contact_series(sessions) == 1


async def test_create_refuses_a_person_whose_company_is_a_person_with_a_message(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    payload = await create(gql, type="PERSON", name="Ann", companyNo="Q")

    assert payload["userErrors"] == [
        {"code": "INVALID", "field": ["companyNo"], "message": "Contact Q Person Q is not a company."}
    ]


# --- update ----------------------------------------------------------------------------------------


async def test_update_changes_every_field(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_master_data(sessions)

    contact = ok(
        await change(
            gql,
            no="p",
            name="Pat",
            companyNo="d",
            salespersonCode="s2",
            email="pat@d.test",
            phoneNo="777",
        )
    )

    assert contact == {
        "no": "P",
        "type": "PERSON",
        "name": "Pat",
        "email": "pat@d.test",
        "phoneNo": "777",
        "companyNo": "D",
        "company": {"no": "D"},
        "salesperson": {"code": "S2"},
    }
    assert (await contacts(sessions))["P"] == ("PERSON", "Pat", "D", "S2", "pat@d.test", "777")


async def test_update_leaves_omitted_fields_and_clears_explicit_nulls(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    await change(gql, no="P", salespersonCode="S")

    renamed = ok(await change(gql, no="P", name="Pat"))
    cleared = ok(
        await change(
            gql,
            no="P",
            companyNo=None,
            salespersonCode=None,
            email=None,
            phoneNo=None,
        )
    )
    refused = await change(gql, no="P", name=None, type=None, email="x")

    assert (renamed["companyNo"], renamed["email"], renamed["salesperson"]) == (
        "C",
        "p@example.com",
        {"code": "S"},
    )
    assert (cleared["name"], cleared["companyNo"], cleared["salesperson"]) == ("Pat", None, None)
    assert (cleared["email"], cleared["phoneNo"]) == ("", "")
    assert errors(refused) == [("REQUIRED", ["type"]), ("REQUIRED", ["name"])]
    assert (await contacts(sessions))["P"] == ("PERSON", "Pat", None, None, "", "")


async def test_update_of_an_unknown_contact_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    payload = await change(gql, no="GHOST", name="X")

    assert errors(payload) == [("NOT_FOUND", ["no"])]


async def test_update_checks_a_new_salesperson_but_keeps_a_blocked_one_already_set(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    async with sessions() as session, session.begin():
        await session.execute(
            update(models.Contact).where(models.Contact.no == "D").values(salesperson_code="SB")
        )

    kept = ok(await change(gql, no="D", salespersonCode="SB", name="Dora"))
    refused = await change(gql, no="C", salespersonCode="SB", name="Carl")
    missing = await change(gql, no="C", salespersonCode="GHOST")

    assert (kept["name"], kept["salesperson"]) == ("Dora", {"code": "SB"})
    assert errors(refused) == [("BLOCKED", ["salespersonCode"])]
    assert errors(missing) == [("NOT_FOUND", ["salespersonCode"])]
    assert (await contacts(sessions))["C"] == ("COMPANY", "Company C", "C", "S", "", "")


@pytest.mark.parametrize(
    ("no", "company_no", "expected"),
    [
        ("C", "D", ("INVALID", ["companyNo"])),  # a company's company is itself
        ("P", "P", ("INVALID", ["companyNo"])),  # a person is not its own company
        ("P", "Q", ("INVALID", ["companyNo"])),  # nor is another person
        ("P", "GHOST", ("NOT_FOUND", ["companyNo"])),
    ],
)
async def test_update_refuses_a_company_number_that_is_not_a_company(
    gql: GraphQLClient, sessions: SessionFactory, no: str, company_no: str, expected: tuple[str, list[str]]
) -> None:
    await given_master_data(sessions)
    before = await contacts(sessions)

    payload = await change(gql, no=no, companyNo=company_no)

    assert errors(payload) == [expected]
    assert await contacts(sessions) == before


async def test_a_company_may_restate_its_own_company_number(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    own = ok(await change(gql, no="C", companyNo="C"))
    null = ok(await change(gql, no="C", companyNo=None))

    assert own["companyNo"] == null["companyNo"] == "C"
