"""updateSetup through GraphQL (domain.md §1.1, §11.15, §11.16; api.md §6): every rule with its code
and field, partial updates, and the effect of the new series on the next documents created."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import models
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient, StatementLog
from tests.support import builders as b
from tests.support import factories as f

SERIES = "code prefix width nextNo manualNos"
UPDATE = f"""mutation($input: UpdateSetupInput!) {{ updateSetup(input: $input) {{
  setup {{
    opportunityNos {{ {SERIES} }} taskNos {{ {SERIES} }} contactNos {{ {SERIES} }}
    quoteNos {{ {SERIES} }} orderNos {{ {SERIES} }} campaignNos {{ {SERIES} }}
    defaultSalesCycle {{ code }} defaultSalesperson {{ code }} timeZone currencyCode }}
  userErrors {{ code field message }} }} }}"""
SETUP = f"""{{ setup {{ opportunityNos {{ {SERIES} }} taskNos {{ {SERIES} }} timeZone currencyCode
  defaultSalesCycle {{ code }} }} }}"""
CREATE_OPPORTUNITY = """mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
  opportunity { no creationDate } userErrors { code field } } }"""
CREATE_QUOTE = """mutation($input: CreateSalesQuoteInput!) { createSalesQuote(input: $input) {
  salesQuote { no } userErrors { code field } } }"""

#: The migrated database's series (code, prefix, width, next number, manual numbers allowed).
DEFAULT_SERIES = {
    "OPP": ("OP", 6, 1, True),
    "TASK": ("TD", 6, 1, True),
    "CONT": ("CT", 6, 1, True),
    "S-QUO": ("SQ", 6, 1, True),
    "S-ORD": ("SO", 6, 1, True),
    "CAMP": ("CP", 6, 1, True),
}

State = tuple[tuple[str | None, str | None, str, str], dict[str, tuple[str, int, int, bool]]]


async def given_master_data(sessions: SessionFactory) -> None:
    """Cycles NEW and blocked BLK, salespeople S and blocked SB, company C."""
    await b.insert(
        sessions,
        *f.cycle("NEW", stages=2),
        *f.cycle("BLK", stages=2, blocked=True),
        f.salesperson("S"),
        f.salesperson("SB", blocked=True),
        f.company("C", salesperson_code="S"),
    )


async def state(sessions: SessionFactory) -> State:
    """The setup's (default cycle, default salesperson, time zone, currency) and every series."""
    async with sessions() as session:
        setup = await session.get(models.Setup, 1)
        assert setup is not None
        series = {
            s.code: (s.prefix, s.width, s.next_no, s.manual_nos)
            for s in await session.scalars(select(models.NumberSeries))
        }
        own = (
            setup.default_sales_cycle_code,
            setup.default_salesperson_code,
            setup.time_zone,
            setup.currency_code,
        )
        return own, series


async def update(gql: GraphQLClient, **fields: Any) -> dict[str, Any]:
    data = await gql.query(UPDATE, {"input": fields})
    payload: dict[str, Any] = data["updateSetup"]
    return payload


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def test_update_setup_stores_every_field_and_returns_the_setup(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)

    payload = await update(
        gql,
        opportunityNos={"prefix": "opp-", "width": 4, "nextNo": 42, "manualNos": False},
        taskNos={"prefix": "T", "width": 8, "nextNo": 7, "manualNos": True},
        contactNos={"prefix": " k ", "width": 5, "nextNo": 100, "manualNos": False},
        quoteNos={"prefix": "Q", "width": 3, "nextNo": 9, "manualNos": True},
        orderNos={"prefix": None, "width": 10, "nextNo": 1, "manualNos": True},
        campaignNos={"prefix": "CAMPAIGN-", "width": 11, "nextNo": 1234567890, "manualNos": False},
        defaultSalesCycleCode="new",
        defaultSalespersonCode=" s ",
        timeZone="Europe/Berlin",
        currencyCode=" eur ",
    )

    assert payload["userErrors"] == []
    setup = payload["setup"]
    assert setup["opportunityNos"] == {
        "code": "OPP",
        "prefix": "OPP-",
        "width": 4,
        "nextNo": 42,
        "manualNos": False,
    }
    assert setup["contactNos"] == {
        "code": "CONT",
        "prefix": "K",
        "width": 5,
        "nextNo": 100,
        "manualNos": False,
    }
    assert setup["orderNos"] == {"code": "S-ORD", "prefix": "", "width": 10, "nextNo": 1, "manualNos": True}
    assert setup["defaultSalesCycle"] == {"code": "NEW"}
    assert setup["defaultSalesperson"] == {"code": "S"}
    assert (setup["timeZone"], setup["currencyCode"]) == ("Europe/Berlin", "EUR")
    assert await state(sessions) == (
        ("NEW", "S", "Europe/Berlin", "EUR"),
        {
            "OPP": ("OPP-", 4, 42, False),
            "TASK": ("T", 8, 7, True),
            "CONT": ("K", 5, 100, False),
            "S-QUO": ("Q", 3, 9, True),
            "S-ORD": ("", 10, 1, True),
            "CAMP": ("CAMPAIGN-", 11, 1234567890, False),
        },
    )
    assert (await gql.query(SETUP))["setup"]["opportunityNos"]["prefix"] == "OPP-"


async def test_update_setup_changes_only_the_given_fields_and_null_clears_where_allowed(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    await update(gql, defaultSalesCycleCode="NEW", defaultSalespersonCode="S", timeZone="Asia/Tokyo")

    payload = await update(
        gql,
        opportunityNos={"width": 8, "prefix": None},
        defaultSalesCycleCode=None,
        defaultSalespersonCode=None,
    )

    assert payload["userErrors"] == []
    assert payload["setup"]["opportunityNos"] == {
        "code": "OPP",
        "prefix": "",
        "width": 8,
        "nextNo": 1,
        "manualNos": True,
    }
    assert await state(sessions) == (
        (None, None, "Asia/Tokyo", "USD"),
        {**DEFAULT_SERIES, "OPP": ("", 8, 1, True)},
    )


async def test_update_setup_with_an_empty_input_changes_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await state(sessions)

    payload = await update(gql)

    assert payload["userErrors"] == []
    assert payload["setup"]["currencyCode"] == "USD"
    assert await state(sessions) == before


@pytest.mark.parametrize(
    ("series", "code", "field"),
    [
        ({"prefix": "P" * 21}, "TOO_LONG", "prefix"),
        ({"prefix": "P" * 15}, "INVALID", "prefix"),  # 15 + the width 6 > 20
        ({"prefix": "P" * 3, "width": 18}, "INVALID", "width"),
        ({"width": 0}, "INVALID", "width"),
        ({"width": 19}, "INVALID", "width"),
        ({"width": None}, "REQUIRED", "width"),
        ({"nextNo": 0}, "INVALID", "nextNo"),
        ({"nextNo": -5}, "INVALID", "nextNo"),
        ({"nextNo": 1000000}, "INVALID", "nextNo"),  # 7 digits, width 6
        ({"width": 2, "nextNo": 100}, "INVALID", "nextNo"),
        ({"nextNo": None}, "REQUIRED", "nextNo"),
        ({"manualNos": None}, "REQUIRED", "manualNos"),
    ],
)
@pytest.mark.parametrize("kind", ["opportunityNos", "taskNos", "campaignNos"])
async def test_update_setup_refuses_a_broken_number_series(
    gql: GraphQLClient, sessions: SessionFactory, kind: str, series: dict[str, Any], code: str, field: str
) -> None:
    before = await state(sessions)

    payload = await update(gql, **{kind: series})

    assert errors(payload) == [(code, [kind, field])]
    assert payload["setup"] is None
    assert await state(sessions) == before


async def test_update_setup_allows_a_prefix_and_width_of_exactly_twenty_characters(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    payload = await update(gql, quoteNos={"prefix": "QQ", "width": 18, "nextNo": 123456789})

    assert payload["userErrors"] == []
    assert (await state(sessions))[1]["S-QUO"] == ("QQ", 18, 123456789, True)


async def test_update_setup_refuses_a_width_the_current_next_number_does_not_fit(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await update(gql, taskNos={"nextNo": 1234})
    before = await state(sessions)

    payload = await update(gql, taskNos={"width": 3})

    assert errors(payload) == [("INVALID", ["taskNos", "width"])]
    assert await state(sessions) == before


async def test_update_setup_refuses_to_clear_a_number_series(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await state(sessions)

    payload = await update(gql, orderNos=None)

    assert errors(payload) == [("REQUIRED", ["orderNos"])]
    assert await state(sessions) == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"defaultSalesCycleCode": "NOPE"}, ("NOT_FOUND", ["defaultSalesCycleCode"])),
        ({"defaultSalesCycleCode": "blk"}, ("BLOCKED", ["defaultSalesCycleCode"])),
        ({"defaultSalesCycleCode": "X" * 11}, ("TOO_LONG", ["defaultSalesCycleCode"])),
        ({"defaultSalespersonCode": "NOPE"}, ("NOT_FOUND", ["defaultSalespersonCode"])),
        ({"defaultSalespersonCode": "SB"}, ("BLOCKED", ["defaultSalespersonCode"])),
        ({"timeZone": "Mars/Olympus_Mons"}, ("INVALID", ["timeZone"])),
        ({"timeZone": "europe/berlin"}, ("INVALID", ["timeZone"])),
        ({"timeZone": "../../etc/passwd"}, ("INVALID", ["timeZone"])),
        ({"timeZone": None}, ("REQUIRED", ["timeZone"])),
        ({"timeZone": " "}, ("REQUIRED", ["timeZone"])),
        ({"currencyCode": None}, ("REQUIRED", ["currencyCode"])),
        ({"currencyCode": "  "}, ("REQUIRED", ["currencyCode"])),
        ({"currencyCode": "C" * 11}, ("TOO_LONG", ["currencyCode"])),
    ],
)
async def test_update_setup_refuses_a_broken_setting(
    gql: GraphQLClient, sessions: SessionFactory, fields: dict[str, Any], expected: tuple[str, list[str]]
) -> None:
    await given_master_data(sessions)
    before = await state(sessions)

    payload = await update(gql, **fields)

    assert errors(payload) == [expected]
    assert await state(sessions) == before


async def test_update_setup_reports_every_broken_rule_and_writes_none_of_the_valid_changes(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    before = await state(sessions)

    payload = await update(
        gql,
        opportunityNos={"width": 0, "nextNo": 0, "prefix": "NEW"},
        taskNos={"prefix": "OK"},
        defaultSalesCycleCode="BLK",
        timeZone="Nowhere",
        currencyCode="EUR",
    )

    assert errors(payload) == [
        ("INVALID", ["opportunityNos", "width"]),
        ("INVALID", ["opportunityNos", "nextNo"]),
        ("BLOCKED", ["defaultSalesCycleCode"]),
        ("INVALID", ["timeZone"]),
    ]
    assert await state(sessions) == before


async def test_update_setup_locks_the_setup_and_the_changed_series(
    gql: GraphQLClient, sql_log: StatementLog
) -> None:
    payload = await update(gql, opportunityNos={"nextNo": 5}, quoteNos={"nextNo": 6})

    assert payload["userErrors"] == []
    locking = [" ".join(s.split()) for s in sql_log.statements if "FOR UPDATE" in s]
    assert len(locking) == 2
    assert "FROM setup" in locking[0]
    assert "FROM number_series" in locking[1]


async def test_new_opportunities_are_numbered_from_the_updated_series(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    await update(gql, opportunityNos={"prefix": "deal", "width": 3, "nextNo": 42, "manualNos": False})
    new = {"description": "Deal", "contactNo": "C", "salesCycleCode": "NEW"}

    first = (await gql.query(CREATE_OPPORTUNITY, {"input": new}))["createOpportunity"]
    second = (await gql.query(CREATE_OPPORTUNITY, {"input": new}))["createOpportunity"]
    manual = (await gql.query(CREATE_OPPORTUNITY, {"input": {**new, "no": "MINE"}}))["createOpportunity"]

    assert (first["opportunity"]["no"], second["opportunity"]["no"]) == ("DEAL042", "DEAL043")
    assert errors(manual) == [("INVALID", ["no"])]
    assert (await state(sessions))[1]["OPP"] == ("DEAL", 3, 44, False)


async def test_new_opportunities_take_the_setups_new_default_cycle_and_time_zone(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    zone = "Pacific/Kiritimati"  # UTC+14: its date differs from UTC's for 14 hours a day
    await update(gql, defaultSalesCycleCode="NEW", timeZone=zone)

    data = await gql.query(
        """mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
          opportunity { salesCycle { code } creationDate } userErrors { code } } }""",
        {"input": {"description": "Deal", "contactNo": "C"}},
    )

    opportunity = data["createOpportunity"]["opportunity"]
    assert opportunity["salesCycle"] == {"code": "NEW"}
    assert opportunity["creationDate"] == dt.datetime.now(ZoneInfo(zone)).date().isoformat()


async def test_new_sales_quotes_are_numbered_from_the_updated_series(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_master_data(sessions)
    await update(gql, quoteNos={"prefix": "Q", "width": 3, "nextNo": 7})

    data = await gql.query(
        CREATE_QUOTE,
        {"input": {"contactNo": "C", "lines": [{"description": "X", "quantity": "1", "unitPrice": "10"}]}},
    )

    assert data["createSalesQuote"]["salesQuote"] == {"no": "Q007"}
    assert (await state(sessions))[1]["S-QUO"] == ("Q", 3, 8, True)


async def test_new_contacts_are_numbered_from_the_updated_series(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await update(gql, contactNos={"prefix": "k-", "width": 5, "nextNo": 100})

    data = await gql.query(
        """mutation($input: CreateContactInput!) { createContact(input: $input) {
          contact { no } userErrors { code field } } }""",
        {"input": {"type": "COMPANY", "name": "Acme"}},
    )

    assert data["createContact"] == {"contact": {"no": "K-00100"}, "userErrors": []}
    assert (await state(sessions))[1]["CONT"] == ("K-", 5, 101, True)
