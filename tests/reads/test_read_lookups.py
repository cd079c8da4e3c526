"""Root lookups by natural key, ``setup``, ``viewer``, and global IDs (``node``/``nodes``); api.md §2, §4."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from sqlalchemy import update

import models
from graph.relay import encode_id
from models import CloseOutcome, OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.builders import activity, campaign, close_code, errors_of, insert, order, quote, task
from tests.support.factories import company, cycle, entry, opportunity, person, salesperson

# (root field, argument, natural key, type name, key field) of every lookup taking a string key.
Lookup = tuple[str, str, str, str, str]
LOOKUPS: list[Lookup] = [
    ("salesperson", "code", "SP1", "Salesperson", "code"),
    ("contact", "no", "C1", "Contact", "no"),
    ("salesCycle", "code", "CYC", "SalesCycle", "code"),
    ("closeOpportunityCode", "code", "WON1", "CloseOpportunityCode", "code"),
    ("activity", "code", "ACT", "Activity", "code"),
    ("campaign", "no", "CA1", "Campaign", "no"),
    ("opportunity", "no", "OP1", "Opportunity", "no"),
    ("task", "no", "TD1", "Task", "no"),
    ("salesQuote", "no", "SQ1", "SalesQuote", "no"),
    ("salesOrder", "no", "SO1", "SalesOrder", "no"),
]
LOOKUP_IDS = [lookup[0] for lookup in LOOKUPS]


async def given_one_of_each(sessions: SessionFactory) -> int:
    """One row of every entity type; returns the entry's number."""
    buyer = person("C2", "C1")
    opp = opportunity(
        "OP1", buyer, "SP1", "CYC", campaign_no="CA1", sales_quote_no="SQ1",
        status=OpportunityStatus.IN_PROGRESS,
    )  # fmt: skip
    first = entry(opp, 1, "1000")
    await insert(
        sessions,
        salesperson("SP1"),
        company("C1"),
        buyer,
        *activity("ACT", (1, "Call")),
        *cycle("CYC", stages=2),
        close_code("WON1", CloseOutcome.WON),
        campaign("CA1", "SP1"),
        *quote("SQ1", "C2", ("1", "100", "0")),
        *order("SO1", "C1", ("2", "50", "0"), quote_no="SQ0"),
        opp,
        first,
        task("TD1", salesperson_code="SP1", opportunity_no="OP1"),
    )
    return first.entry_no


def lookup_query(field: str, arg: str, key_field: str) -> str:
    return f"query($key: String!) {{ item: {field}({arg}: $key) {{ __typename id {key_field} }} }}"


def raw_id(payload: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


async def ids_of_every_type(gql: GraphQLClient, entry_no: int) -> dict[str, str]:
    """The global ID of each type's row, as the API hands it out."""
    ids: dict[str, str] = {}
    for field, arg, key, type_name, key_field in LOOKUPS:
        data = await gql.query(lookup_query(field, arg, key_field), {"key": key})
        ids[type_name] = data["item"]["id"]
    data = await gql.query(
        """query($entryNo: Int!, $code: String!) {
             opportunityEntry(entryNo: $entryNo) { id }
             salesCycle(code: $code) { stages { id stage } }
           }""",
        {"entryNo": entry_no, "code": "CYC"},
    )
    ids["OpportunityEntry"] = data["opportunityEntry"]["id"]
    ids["SalesCycleStage"] = data["salesCycle"]["stages"][1]["id"]
    return ids


NODE_QUERY = """query($id: ID!) { node(id: $id) { __typename id ...Keys } }
fragment Keys on Node {
  ... on Salesperson { code } ... on Contact { no } ... on SalesCycle { code }
  ... on SalesCycleStage { salesCycleCode stage } ... on Activity { code }
  ... on CloseOpportunityCode { code } ... on Campaign { no } ... on Opportunity { no }
  ... on OpportunityEntry { entryNo } ... on Task { no } ... on SalesQuote { no } ... on SalesOrder { no }
}"""
NODES_QUERY = NODE_QUERY.replace("($id: ID!) { node(id: $id)", "($ids: [ID!]!) { nodes(ids: $ids)")


def expected_node(type_name: str, entry_no: int) -> dict[str, Any]:
    keys: dict[str, dict[str, Any]] = {lookup[3]: {lookup[4]: lookup[2]} for lookup in LOOKUPS} | {
        "OpportunityEntry": {"entryNo": entry_no},
        "SalesCycleStage": {"salesCycleCode": "CYC", "stage": 2},
    }
    return {"__typename": type_name, **keys[type_name]}


@pytest.mark.parametrize("lookup", LOOKUPS, ids=LOOKUP_IDS)
async def test_lookup_by_natural_key_returns_that_row(
    gql: GraphQLClient, sessions: SessionFactory, lookup: Lookup
) -> None:
    field, arg, key, type_name, key_field = lookup
    await given_one_of_each(sessions)

    data = await gql.query(lookup_query(field, arg, key_field), {"key": key})

    assert data["item"]["__typename"] == type_name
    assert data["item"][key_field] == key


@pytest.mark.parametrize("lookup", LOOKUPS, ids=LOOKUP_IDS)
async def test_lookup_is_case_insensitive(
    gql: GraphQLClient, sessions: SessionFactory, lookup: Lookup
) -> None:
    field, arg, key, type_name, key_field = lookup
    await given_one_of_each(sessions)

    data = await gql.query(lookup_query(field, arg, key_field), {"key": key.lower()})

    assert data["item"]["__typename"] == type_name
    assert data["item"][key_field] == key


async def test_contact_lookup_with_lower_case_number_finds_the_contact(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_one_of_each(sessions)

    data = await gql.query('{ contact(no: "c1") { no name type } }')

    assert data == {"contact": {"no": "C1", "name": "Company C1", "type": "COMPANY"}}


@pytest.mark.parametrize("lookup", LOOKUPS, ids=LOOKUP_IDS)
async def test_lookup_of_a_missing_key_is_null(
    gql: GraphQLClient, sessions: SessionFactory, lookup: Lookup
) -> None:
    field, arg, key, _, key_field = lookup
    await given_one_of_each(sessions)

    data = await gql.query(lookup_query(field, arg, key_field), {"key": key + "X"})

    assert data == {"item": None}


async def test_opportunity_entry_lookup_by_entry_number(gql: GraphQLClient, sessions: SessionFactory) -> None:
    entry_no = await given_one_of_each(sessions)
    query = "query($n: Int!) { opportunityEntry(entryNo: $n) { __typename entryNo stageNo } }"

    found = await gql.query(query, {"n": entry_no})
    missing = await gql.query(query, {"n": entry_no + 1})

    assert found["opportunityEntry"] == {"__typename": "OpportunityEntry", "entryNo": entry_no, "stageNo": 1}
    assert missing == {"opportunityEntry": None}


async def test_setup_shows_the_number_series_currency_and_time_zone(gql: GraphQLClient) -> None:
    data = await gql.query(
        """{ setup {
             opportunityNos { code description prefix width nextNo manualNos }
             taskNos { prefix } contactNos { prefix } campaignNos { prefix }
             quoteNos { prefix } orderNos { prefix }
             timeZone currencyCode defaultSalesCycle { code } defaultSalesperson { code } } }"""
    )

    assert data["setup"] == {
        "opportunityNos": {
            "code": "OPP",
            "description": "Opportunities",
            "prefix": "OP",
            "width": 6,
            "nextNo": 1,
            "manualNos": True,
        },
        "taskNos": {"prefix": "TD"},
        "contactNos": {"prefix": "CT"},
        "campaignNos": {"prefix": "CP"},
        "quoteNos": {"prefix": "SQ"},
        "orderNos": {"prefix": "SO"},
        "timeZone": "UTC",
        "currencyCode": "USD",
        "defaultSalesCycle": None,
        "defaultSalesperson": None,
    }


async def test_setup_resolves_its_default_sales_cycle_and_salesperson(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_one_of_each(sessions)
    async with sessions() as session, session.begin():
        await session.execute(
            update(models.Setup).values(default_sales_cycle_code="CYC", default_salesperson_code="SP1")
        )

    data = await gql.query("{ setup { defaultSalesCycle { code } defaultSalesperson { code name } } }")

    assert data["setup"] == {
        "defaultSalesCycle": {"code": "CYC"},
        "defaultSalesperson": {"code": "SP1", "name": "Salesperson SP1"},
    }


async def test_the_dev_mode_loopback_caller_is_an_admin_without_a_key(gql: GraphQLClient) -> None:
    data = await gql.query("{ viewer { role keyName salespersonCode salesperson { code } } }")

    assert data["viewer"] == {
        "role": "ADMIN",
        "keyName": None,
        "salespersonCode": None,
        "salesperson": None,
    }


@pytest.mark.parametrize(
    "type_name",
    [*(lookup[3] for lookup in LOOKUPS), "OpportunityEntry", "SalesCycleStage"],
)
async def test_node_resolves_the_id_of_every_type_back_to_its_object(
    gql: GraphQLClient, sessions: SessionFactory, type_name: str
) -> None:
    entry_no = await given_one_of_each(sessions)
    ids = await ids_of_every_type(gql, entry_no)

    data = await gql.query(NODE_QUERY, {"id": ids[type_name]})

    assert data["node"] == {"id": ids[type_name], **expected_node(type_name, entry_no)}


async def test_ids_are_the_same_whichever_field_reaches_the_object(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_one_of_each(sessions)

    data = await gql.query(
        """{ opportunity(no: "OP1") { contact { id } salesperson { id } salesCycle { id } }
             contact(no: "C2") { id } salesperson(code: "SP1") { id } salesCycle(code: "CYC") { id } }"""
    )

    assert data["opportunity"]["contact"]["id"] == data["contact"]["id"]
    assert data["opportunity"]["salesperson"]["id"] == data["salesperson"]["id"]
    assert data["opportunity"]["salesCycle"]["id"] == data["salesCycle"]["id"]
    assert len({data["contact"]["id"], data["salesperson"]["id"], data["salesCycle"]["id"]}) == 3


async def test_nodes_resolves_every_type_in_the_order_asked_with_null_for_missing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    entry_no = await given_one_of_each(sessions)
    ids = await ids_of_every_type(gql, entry_no)
    order_asked = sorted(ids, reverse=True)
    missing = encode_id("Contact", ["NOPE"])
    asked = [missing, *(ids[t] for t in order_asked[:6]), missing, *(ids[t] for t in order_asked[6:])]

    data = await gql.query(NODES_QUERY, {"ids": asked})

    expected = [{"id": ids[t], **expected_node(t, entry_no)} for t in order_asked]
    assert data["nodes"] == [None, *expected[:6], None, *expected[6:]]


async def test_nodes_of_an_empty_list_is_empty(gql: GraphQLClient) -> None:
    data = await gql.query("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": []})

    assert data == {"nodes": []}


@pytest.mark.parametrize(
    "global_id",
    [
        encode_id("Contact", ["NOPE"]),
        encode_id("Widget", ["C1"]),
        encode_id("SalesCycleStage", ["CYC", 9]),
        encode_id("Contact", ["c1"]),
    ],
    ids=["missing-key", "unknown-type", "missing-stage", "key-not-upper-cased"],
)
async def test_node_of_a_well_formed_id_that_matches_nothing_is_null(
    gql: GraphQLClient, sessions: SessionFactory, global_id: str
) -> None:
    await given_one_of_each(sessions)

    data = await gql.query(NODE_QUERY, {"id": global_id})

    assert data == {"node": None}


@pytest.mark.parametrize(
    "payload",
    [["OpportunityEntry", "1"], ["Contact", 1], ["SalesCycleStage", "CYC"], ["Contact", "C1", "C2"]],
    ids=["entry-no-as-text", "contact-no-as-number", "stage-without-number", "extra-key-part"],
)
async def test_node_of_an_id_with_a_key_of_the_wrong_shape_is_null(
    gql: GraphQLClient, sessions: SessionFactory, payload: list[object]
) -> None:
    await given_one_of_each(sessions)

    data = await gql.query(NODE_QUERY, {"id": raw_id(payload)})

    assert data == {"node": None}


@pytest.mark.parametrize(
    "global_id",
    ["", "xx", "not an id!", raw_id({"Contact": "C1"}), raw_id(["Contact"]), raw_id([1, "C1"]), raw_id("C1")],
    ids=["empty", "short", "not-base64", "object", "no-key", "type-not-text", "plain-string"],
)
async def test_node_of_a_malformed_id_is_an_invalid_id_error(gql: GraphQLClient, global_id: str) -> None:
    body = await gql.raw(NODE_QUERY, {"id": global_id})

    assert body["data"] == {"node": None}
    assert errors_of(body) == [("INVALID_ID", f"{global_id!r} is not a valid node ID.")]


async def test_nodes_with_one_malformed_id_is_an_invalid_id_error(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_one_of_each(sessions)

    body = await gql.raw(NODES_QUERY, {"ids": [encode_id("Contact", ["C1"]), "xx"]})

    assert body["data"] is None
    assert errors_of(body) == [("INVALID_ID", "'xx' is not a valid node ID.")]


async def test_nodes_refuses_more_than_100_ids(gql: GraphQLClient) -> None:
    ids = [encode_id("Contact", [f"C{i}"]) for i in range(101)]

    body = await gql.raw(NODES_QUERY, {"ids": ids})

    assert body["data"] is None
    assert errors_of(body) == [("TOO_MANY_IDS", "`ids` holds 101 IDs, above the limit of 100.")]
