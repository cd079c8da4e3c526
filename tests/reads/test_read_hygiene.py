"""A read argument PostgreSQL cannot store never reaches the driver (api.md §7.2, issue 10 item 10):
a lookup by such a key answers ``null``, a filter holding one is ``INVALID_FILTER``, an ID or cursor
holding one is ``INVALID_ID`` / ``INVALID_CURSOR``. Never an internal error."""

from __future__ import annotations

import base64

import orjson
import pytest

from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import factories as f
from tests.support.hygiene import StringArgument, string_arguments

ARGUMENTS = string_arguments()
LOOKUPS = {"salesperson", "contact", "salesCycle", "closeOpportunityCode", "activity", "campaign"}
LOOKUPS |= {"opportunity", "task", "salesQuote", "salesOrder"}
REFUSALS = {"INVALID_FILTER", "INVALID_ID", "INVALID_CURSOR"}
NUL = "A\x00"


@pytest.mark.parametrize("argument", ARGUMENTS, ids=lambda a: a.id)
async def test_a_nul_in_any_read_argument_is_null_or_a_client_error(
    gql: GraphQLClient, argument: StringArgument
) -> None:
    body = await gql.raw(argument.query("a\x00b"))

    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    assert "INTERNAL_SERVER_ERROR" not in codes, body
    if argument.field in LOOKUPS:
        assert body["data"] == {argument.field: None}
        assert "errors" not in body
    elif argument.path[0] in ("filter", "salesCycleCode"):
        assert codes == {"INVALID_FILTER"}, body
    else:
        assert codes <= REFUSALS, body


async def test_a_lookup_by_a_key_with_a_nul_finds_nothing_even_when_the_rest_matches(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await f.add(sessions, f.company("AB"))

    data = await gql.query('{ contact(no: "A\\u0000B") { no } byKey: contact(no: "ab") { no } }')

    assert data == {"contact": None, "byKey": {"no": "AB"}}


async def test_a_search_with_a_nul_is_invalid_filter_and_names_no_value(gql: GraphQLClient) -> None:
    body = await gql.raw('{ contacts(filter: {search: "x\\u0000"}) { nodes { no } } }')

    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_FILTER"]
    assert "\x00" not in body["errors"][0]["message"]


def _encoded(parts: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(parts)).decode().rstrip("=")


async def test_an_id_or_cursor_holding_a_nul_is_refused_as_invalid(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await f.add(sessions, f.company("AB"))
    page = await gql.query("{ contacts(first: 1) { pageInfo { endCursor } } }")
    real = page["contacts"]["pageInfo"]["endCursor"]
    fingerprint, items = orjson.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
    forged = _encoded([fingerprint, [["s", NUL] if kind == "s" else [kind, raw] for kind, raw in items]])
    node_id = _encoded(["Contact", NUL])

    node = await gql.raw('{ node(id: "' + node_id + '") { id } }')
    cursor = await gql.raw('{ contacts(after: "' + forged + '") { nodes { no } } }')

    assert [e["extensions"]["code"] for e in node["errors"]] == ["INVALID_ID"]
    assert [e["extensions"]["code"] for e in cursor["errors"]] == ["INVALID_CURSOR"]
