"""createSalesperson and updateSalesperson through GraphQL (domain.md §1.2; api.md §6): stored values,
every rule with its code and field, partial updates, and that a refused change writes nothing.
Deletion is in test_salesperson_delete.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

import models
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b

FIELDS = "code name email phoneNo jobTitle commissionPct blocked privacyBlocked"
CREATE = f"""mutation($input: CreateSalespersonInput!) {{ createSalesperson(input: $input) {{
  salesperson {{ {FIELDS} }} userErrors {{ code field message }} }} }}"""
UPDATE = f"""mutation($input: UpdateSalespersonInput!) {{ updateSalesperson(input: $input) {{
  salesperson {{ {FIELDS} }} userErrors {{ code field message }} }} }}"""

Row = tuple[str, str, str, str, str, Decimal, bool, bool]


async def rows(sessions: SessionFactory) -> list[Row]:
    """Every salesperson as (code, name, email, phone, job title, commission %, blocked, privacy)."""
    async with sessions() as session:
        return [
            (s.code, s.name, s.email, s.phone_no, s.job_title, s.commission_pct, s.blocked, s.privacy_blocked)
            for s in await session.scalars(select(models.Salesperson).order_by(models.Salesperson.code))
        ]


async def given_anna(sessions: SessionFactory) -> None:
    """Salesperson ANNA with every field filled in."""
    await b.insert(
        sessions,
        models.Salesperson(
            code="ANNA",
            name="Anna Berg",
            email="anna@example.com",
            phone_no="+49 30 1234",
            job_title="Account manager",
            commission_pct=Decimal("2.5"),
        ),
    )


ANNA: Row = (
    "ANNA",
    "Anna Berg",
    "anna@example.com",
    "+49 30 1234",
    "Account manager",
    Decimal("2.5"),
    False,
    False,
)


async def create(gql: GraphQLClient, **fields: Any) -> dict[str, Any]:
    data = await gql.query(CREATE, {"input": {"code": "NEW", "name": "New Person", **fields}})
    payload: dict[str, Any] = data["createSalesperson"]
    return payload


async def update(gql: GraphQLClient, **fields: Any) -> dict[str, Any]:
    data = await gql.query(UPDATE, {"input": {"code": "ANNA", **fields}})
    payload: dict[str, Any] = data["updateSalesperson"]
    return payload


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


# --- createSalesperson ---------------------------------------------------------------------------


async def test_create_salesperson_stores_every_field(gql: GraphQLClient, sessions: SessionFactory) -> None:
    payload = await create(
        gql,
        code=" jd-01 ",
        name="  John Doe ",
        email="john@example.com",
        phoneNo="+1 555 0100",
        jobTitle="Sales director",
        commissionPct="12.5",
        blocked=True,
        privacyBlocked=True,
    )

    assert payload["userErrors"] == []
    assert payload["salesperson"] == {
        "code": "JD-01",
        "name": "John Doe",
        "email": "john@example.com",
        "phoneNo": "+1 555 0100",
        "jobTitle": "Sales director",
        "commissionPct": "12.5",
        "blocked": True,
        "privacyBlocked": True,
    }
    assert await rows(sessions) == [
        (
            "JD-01",
            "John Doe",
            "john@example.com",
            "+1 555 0100",
            "Sales director",
            Decimal("12.5"),
            True,
            True,
        )
    ]


async def test_create_salesperson_defaults_the_optional_fields(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    payload = await create(gql)

    assert payload["salesperson"] == {
        "code": "NEW",
        "name": "New Person",
        "email": "",
        "phoneNo": "",
        "jobTitle": "",
        "commissionPct": "0",
        "blocked": False,
        "privacyBlocked": False,
    }
    assert await rows(sessions) == [("NEW", "New Person", "", "", "", Decimal(0), False, False)]


async def test_created_salesperson_is_found_by_its_code_and_global_id(gql: GraphQLClient) -> None:
    await create(gql, code="mia")

    data = await gql.query('{ salesperson(code: "MIA") { id name } }')
    node = await gql.query(
        "query($id: ID!) { node(id: $id) { ... on Salesperson { code } } }", {"id": data["salesperson"]["id"]}
    )

    assert data["salesperson"]["name"] == "New Person"
    assert node == {"node": {"code": "MIA"}}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"code": ""}, ("REQUIRED", ["code"])),
        ({"code": "   "}, ("REQUIRED", ["code"])),
        ({"code": "C" * 21}, ("TOO_LONG", ["code"])),
        ({"code": "anna"}, ("DUPLICATE", ["code"])),
        ({"name": ""}, ("REQUIRED", ["name"])),
        ({"name": "N" * 51}, ("TOO_LONG", ["name"])),
        ({"email": "e" * 81}, ("TOO_LONG", ["email"])),
        ({"phoneNo": "1" * 31}, ("TOO_LONG", ["phoneNo"])),
        ({"jobTitle": "j" * 31}, ("TOO_LONG", ["jobTitle"])),
        ({"commissionPct": "-0.01"}, ("INVALID", ["commissionPct"])),
        ({"commissionPct": "100.01"}, ("INVALID", ["commissionPct"])),
    ],
)
async def test_create_salesperson_refuses_a_broken_rule(
    gql: GraphQLClient, sessions: SessionFactory, fields: dict[str, Any], expected: tuple[str, list[str]]
) -> None:
    await given_anna(sessions)

    payload = await create(gql, **fields)

    assert errors(payload) == [expected]
    assert payload["salesperson"] is None
    assert await rows(sessions) == [ANNA]


async def test_create_salesperson_accepts_the_limits(gql: GraphQLClient, sessions: SessionFactory) -> None:
    payload = await create(
        gql,
        code="C" * 20,
        name="N" * 50,
        email="e" * 80,
        phoneNo="1" * 30,
        jobTitle="j" * 30,
        commissionPct="100",
    )

    assert payload["userErrors"] == []
    assert await rows(sessions) == [
        ("C" * 20, "N" * 50, "e" * 80, "1" * 30, "j" * 30, Decimal(100), False, False)
    ]


async def test_create_salesperson_reports_every_broken_rule(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    payload = await create(gql, code="", name=" ", email="e" * 81, commissionPct="101")

    assert errors(payload) == [
        ("REQUIRED", ["code"]),
        ("REQUIRED", ["name"]),
        ("TOO_LONG", ["email"]),
        ("INVALID", ["commissionPct"]),
    ]
    assert await rows(sessions) == []


# --- updateSalesperson ---------------------------------------------------------------------------


async def test_update_salesperson_stores_every_field(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_anna(sessions)

    payload = await update(
        gql,
        code="anna",
        name="Anna Berg-Lund",
        email="anna.lund@example.com",
        phoneNo="+46 8 555",
        jobTitle="Key account",
        commissionPct="7.25",
        blocked=True,
        privacyBlocked=True,
    )

    assert payload["userErrors"] == []
    assert payload["salesperson"] == {
        "code": "ANNA",
        "name": "Anna Berg-Lund",
        "email": "anna.lund@example.com",
        "phoneNo": "+46 8 555",
        "jobTitle": "Key account",
        "commissionPct": "7.25",
        "blocked": True,
        "privacyBlocked": True,
    }
    assert await rows(sessions) == [
        (
            "ANNA",
            "Anna Berg-Lund",
            "anna.lund@example.com",
            "+46 8 555",
            "Key account",
            Decimal("7.25"),
            True,
            True,
        )
    ]


async def test_update_salesperson_changes_only_the_given_fields_and_null_clears(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_anna(sessions)

    payload = await update(gql, name="Anna B.", email=None, phoneNo=None, commissionPct=None)

    assert payload["userErrors"] == []
    assert await rows(sessions) == [("ANNA", "Anna B.", "", "", "Account manager", Decimal(0), False, False)]


async def test_update_salesperson_with_only_its_code_changes_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_anna(sessions)

    payload = await update(gql)

    assert payload["userErrors"] == []
    assert payload["salesperson"]["name"] == "Anna Berg"
    assert await rows(sessions) == [ANNA]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"code": "NOBODY"}, ("NOT_FOUND", ["code"])),
        ({"name": None}, ("REQUIRED", ["name"])),
        ({"name": "  "}, ("REQUIRED", ["name"])),
        ({"name": "N" * 51}, ("TOO_LONG", ["name"])),
        ({"email": "e" * 81}, ("TOO_LONG", ["email"])),
        ({"phoneNo": "1" * 31}, ("TOO_LONG", ["phoneNo"])),
        ({"jobTitle": "j" * 31}, ("TOO_LONG", ["jobTitle"])),
        ({"commissionPct": "-1"}, ("INVALID", ["commissionPct"])),
        ({"commissionPct": "100.5"}, ("INVALID", ["commissionPct"])),
        ({"blocked": None}, ("REQUIRED", ["blocked"])),
        ({"privacyBlocked": None}, ("REQUIRED", ["privacyBlocked"])),
    ],
)
async def test_update_salesperson_refuses_a_broken_rule(
    gql: GraphQLClient, sessions: SessionFactory, fields: dict[str, Any], expected: tuple[str, list[str]]
) -> None:
    await given_anna(sessions)

    payload = await update(gql, **{"email": "changed@example.com", **fields})

    assert errors(payload) == [expected]
    assert payload["salesperson"] is None
    assert await rows(sessions) == [ANNA]


async def test_update_salesperson_reports_every_broken_rule(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_anna(sessions)

    payload = await update(gql, name=None, jobTitle="j" * 31, commissionPct="200", blocked=None)

    assert errors(payload) == [
        ("REQUIRED", ["name"]),
        ("TOO_LONG", ["jobTitle"]),
        ("INVALID", ["commissionPct"]),
        ("REQUIRED", ["blocked"]),
    ]
    assert await rows(sessions) == [ANNA]
