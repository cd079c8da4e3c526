"""Strings PostgreSQL cannot store, in any string field of any mutation input, are the userError
``INVALID`` on that field: never an internal error, never echoed raw, nothing written (api.md §7.2,
issue 10 item 10)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from graph.schema import schema
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.hygiene import (
    StringField,
    fingerprint,
    inline_mutation,
    post_ascii,
    string_fields,
    variable_mutation,
)

FIELDS = string_fields()
NUL = "a\x00b"
SURROGATE = "\ud800"


def _user_errors(body: dict[str, Any], mutation: str) -> list[dict[str, Any]]:
    assert "errors" not in body, body["errors"]
    errors: list[dict[str, Any]] = body["data"][mutation]["userErrors"]
    return errors


def test_every_mutation_has_its_string_fields_covered() -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None

    assert {f.mutation for f in FIELDS} == set(mutation.fields)
    assert len(FIELDS) > 100


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.id)
async def test_a_nul_inline_in_any_string_field_is_invalid_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory, field: StringField
) -> None:
    before = await fingerprint(sessions)

    body = await gql.raw(inline_mutation(field, NUL))

    errors = _user_errors(body, field.mutation)
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID", list(field.path))]
    assert "\x00" not in errors[0]["message"]
    assert await fingerprint(sessions) == before


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.id)
async def test_a_lone_surrogate_variable_in_any_string_field_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, sessions: SessionFactory, field: StringField
) -> None:
    before = await fingerprint(sessions)

    response = await post_ascii(client, variable_mutation(field), {"input": field.input_with(SURROGATE)})

    # A variable PostgreSQL cannot store is a 400 BAD_USER_INPUT once the HTTP layer checks
    # variables (api.md §7.2); until then the mutation refuses it as INVALID. Never a 500.
    assert response.status_code in (200, 400), response.text
    body = orjson.loads(response.content)
    if response.status_code == 400:
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    else:
        errors = _user_errors(body, field.mutation)
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID", list(field.path))]
    assert await fingerprint(sessions) == before


async def test_a_lone_surrogate_escape_inline_is_a_syntax_error_not_a_server_error(
    client: httpx.AsyncClient, sessions: SessionFactory
) -> None:
    before = await fingerprint(sessions)
    query = 'mutation { updateSetup(input: {timeZone: "\\ud800"}) { userErrors { code } } }'

    response = await client.post("/graphql", json={"query": query})

    assert response.status_code < 500
    body = orjson.loads(response.content)
    error = body["errors"][0]
    assert (
        error.get("extensions", {}).get("code") == "GRAPHQL_PARSE_FAILED"
        or "Syntax Error" in error["message"]
    )
    assert await fingerprint(sessions) == before


async def test_a_nul_in_the_time_zone_is_invalid_and_the_setup_is_unchanged(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    before = await fingerprint(sessions)

    body = await gql.raw(
        'mutation { updateSetup(input: {timeZone: "Europe/\\u0000Paris"}) { setup { timeZone }'
        " userErrors { code field message } } }"
    )

    assert body["data"]["updateSetup"]["setup"] is None
    assert [(e["code"], e["field"]) for e in body["data"]["updateSetup"]["userErrors"]] == [
        ("INVALID", ["timeZone"])
    ]
    assert await fingerprint(sessions) == before
