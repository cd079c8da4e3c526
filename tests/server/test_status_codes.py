"""api.md §7.2, one test per row of the status-code table, through the production app (API keys)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from models import Contact, Salesperson
from resolvers.session import SessionFactory
from tests.conftest import TestDatabase
from tests.support.api import bearer, new_key, partner_client

SETUP = "{ setup { currencyCode } }"
CREATE_SALESPERSON = (
    'mutation { createSalesperson(input: {code: "NEW", name: "New"}) { userErrors { code } } }'
)


@pytest.fixture
async def admin(sessions: SessionFactory) -> str:
    return await new_key(sessions, "ADMIN")


@pytest.fixture
async def api(database: TestDatabase, admin: str) -> AsyncIterator[httpx.AsyncClient]:
    async with partner_client(database) as client:
        client.headers.update(bearer(admin))
        yield client


def code_of(response: httpx.Response) -> str:
    body: dict[str, Any] = response.json()
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def count(sessions: SessionFactory, model: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_executed_operation_is_200_with_its_cost(api: httpx.AsyncClient) -> None:
    response = await api.post("/graphql", json={"query": SETUP})

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"setup": {"currencyCode": "USD"}}
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 1
    assert cost["actualQueryCost"] == 1
    assert cost["throttleStatus"]["maximumAvailable"] == 100_000
    assert cost["throttleStatus"]["restoreRate"] == 10_000


async def test_an_operation_with_user_errors_is_200(api: httpx.AsyncClient) -> None:
    query = 'mutation { createSalesperson(input: {code: "", name: ""}) { userErrors { code } } }'
    response = await api.post("/graphql", json={"query": query})

    assert response.status_code == 200
    assert response.json()["data"]["createSalesperson"]["userErrors"]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"{not json", "application/json", "not JSON"),
        (b'{"query": "{ setup { currencyCode } }", "x": "\xff"}', "application/json", "not UTF-8"),
        (b'{"variables": {}}', "application/json", "no `query`"),
        (b'["{ setup { currencyCode } }"]', "application/json", "JSON object"),
        (b'{"query": "{ setup { currencyCode } }", "variables": [1]}', "application/json", "variables"),
    ],
)
async def test_a_body_that_is_not_a_graphql_request_is_400_bad_request(
    api: httpx.AsyncClient, body: bytes, content_type: str, message: str
) -> None:
    response = await api.post("/graphql", content=body, headers={"Content-Type": content_type})

    assert response.status_code == 400
    assert code_of(response) == "BAD_REQUEST"
    assert message in response.json()["errors"][0]["message"]


async def test_a_syntax_error_is_400_parse_failed(api: httpx.AsyncClient) -> None:
    response = await api.post("/graphql", json={"query": "{ setup { "})

    assert response.status_code == 400
    assert code_of(response) == "GRAPHQL_PARSE_FAILED"
    assert "Syntax Error" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "operation_name"),
    [
        ("{ setup { noSuchField } }", None),
        ('{ contacts(first: "ten") { nodes { no } } }', None),
        ("query A { setup { currencyCode } } query B { setup { timeZone } }", None),
        ("query A { setup { currencyCode } }", "Missing"),
    ],
)
async def test_a_document_that_fails_validation_is_400(
    api: httpx.AsyncClient, query: str, operation_name: str | None
) -> None:
    response = await api.post("/graphql", json={"query": query, "operationName": operation_name})

    assert response.status_code == 400
    assert code_of(response) == "GRAPHQL_VALIDATION_FAILED"


async def test_two_operations_run_the_one_named(api: httpx.AsyncClient) -> None:
    query = "query A { setup { currencyCode } } query B { setup { timeZone } }"
    response = await api.post("/graphql", json={"query": query, "operationName": "B"})

    assert response.status_code == 200
    assert response.json()["data"] == {"setup": {"timeZone": "UTC"}}


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        (
            "mutation($v: Decimal) { createOpportunity(input: "
            '{description: "D", contactNo: "C1", estimatedValue: $v}) { userErrors { code } } }',
            {"v": "abc"},
            "$v",
        ),
        ("query($n: Int) { contacts(first: $n) { totalCount } }", {"n": 2**31}, "$n"),
        (
            "query($d: Date!) { opportunities(filter: {estimatedClosingDateFrom: $d}) { totalCount } }",
            {"d": "2024-02-30"},
            "$d",
        ),
        (
            "query($t: ContactType) { contacts(filter: {type: $t}) { totalCount } }",
            {"t": "ROBOT"},
            "$t",
        ),
        ("query($no: String!) { contact(no: $no) { no } }", {"no": "a\u0000b"}, "NUL"),
        ("query($no: String!) { contact(no: $no) { no } }", {"no": "\ud800"}, "lone surrogate"),
    ],
)
async def test_a_variable_that_cannot_be_coerced_is_400_bad_user_input(
    api: httpx.AsyncClient, query: str, variables: dict[str, Any], expected: str
) -> None:
    body = json.dumps({"query": query, "variables": variables})  # json, unlike orjson, writes "\ud800"
    response = await api.post("/graphql", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400, response.text
    assert code_of(response) == "BAD_USER_INPUT"
    assert expected in response.json()["errors"][0]["message"]


CIRCULAR = (
    "{contacts(first:100){nodes{opportunities(first:100){nodes{contact{opportunities(first:100)"
    "{nodes{contact{opportunities(first:100){nodes{no}}}}}}}}}}}"
)


async def test_a_query_above_the_cost_limit_is_400_before_any_sql(
    api: httpx.AsyncClient, sql_log: Any
) -> None:
    sql_log.clear()
    response = await api.post("/graphql", json={"query": CIRCULAR})

    assert response.status_code == 400
    assert code_of(response) == "MAX_COST_EXCEEDED"
    assert response.json()["extensions"]["cost"]["requestedQueryCost"] > 25_000
    # Only the key lookup ran: nothing of the query.
    assert len(sql_log.statements) == 1
    assert "api_key" in sql_log.statements[0]


async def test_depth_alias_and_token_limits_are_400(api: httpx.AsyncClient) -> None:
    deep = "{ setup { defaultSalesCycle { " + "stages { salesCycle { " * 6 + "code" + " } }" * 6 + " } } }"
    aliases = "{ " + " ".join(f"a{i}: setup {{ timeZone }}" for i in range(40)) + " }"
    tokens = "{ setup { " + "timeZone " * 6000 + "} }"
    expected = {deep: "MAX_DEPTH_EXCEEDED", aliases: "MAX_ALIASES_EXCEEDED", tokens: "MAX_TOKENS_EXCEEDED"}
    for query, code in expected.items():
        response = await api.post("/graphql", json={"query": query})
        assert response.status_code == 400, response.text
        assert code_of(response) == code


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-key", "Bearer sg_" + "x" * 43, "Basic abc"])
async def test_no_or_a_bad_key_is_401_and_runs_nothing(
    database: TestDatabase, sessions: SessionFactory, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    async with partner_client(database) as client:
        response = await client.post("/graphql", json={"query": CREATE_SALESPERSON}, headers=headers)

    assert response.status_code == 401
    assert code_of(response) == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert await count(sessions, Salesperson) == 0


@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("READ_ONLY", CREATE_SALESPERSON),
        ("MANAGER", 'mutation { updateSetup(input: {timeZone: "Europe/Paris"}) { userErrors { code } } }'),
    ],
)
async def test_a_role_that_may_not_run_the_mutation_is_403_and_runs_nothing(
    database: TestDatabase, sessions: SessionFactory, role: str, query: str
) -> None:
    key = await new_key(sessions, role)
    async with partner_client(database) as client:
        response = await client.post("/graphql", json={"query": query}, headers=bearer(key))
        setup = await client.post("/graphql", json={"query": "{ setup { timeZone } }"}, headers=bearer(key))

    assert response.status_code == 403
    assert code_of(response) == "FORBIDDEN"
    assert await count(sessions, Salesperson) == 0
    assert setup.json()["data"] == {"setup": {"timeZone": "UTC"}}


async def test_a_body_above_the_limit_is_413_without_being_read_whole(
    database: TestDatabase, admin: str
) -> None:
    padding = " " * 5000
    async with partner_client(database, max_body_bytes=2048) as client:
        declared = await client.post(
            "/graphql",
            content=f'{{"query": "{SETUP}"{padding}}}',
            headers={**bearer(admin), "Content-Type": "application/json"},
        )

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"query": "' + SETUP.encode() + b'"'
            for _ in range(100):
                yield b" " * 1000

        streamed = await client.post(
            "/graphql", content=chunks(), headers={**bearer(admin), "Content-Type": "application/json"}
        )

    for response in (declared, streamed):
        assert response.status_code == 413
        assert code_of(response) == "PAYLOAD_TOO_LARGE"


async def test_a_post_that_is_not_json_is_refused(api: httpx.AsyncClient, sessions: SessionFactory) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        response = await api.post(
            "/graphql", content=f'{{"query": "{CREATE_SALESPERSON}"}}', headers={"Content-Type": content_type}
        )
        assert response.status_code == 415
        assert code_of(response) == "UNSUPPORTED_MEDIA_TYPE"
    assert await count(sessions, Salesperson) == 0


async def test_a_mutation_over_get_is_refused(api: httpx.AsyncClient, sessions: SessionFactory) -> None:
    response = await api.get("/graphql", params={"query": CREATE_SALESPERSON})

    assert response.status_code == 405
    assert await count(sessions, Salesperson) == 0


async def test_an_unreachable_database_is_503_with_retry_after() -> None:
    from server.app import create_app
    from server.engine import create_engine

    engine = create_engine("postgresql://postgres@127.0.0.1:1/nowhere")
    app = create_app(engine, dev=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        dev = await client.post("/graphql", json={"query": SETUP})
        keyed = await client.post("/graphql", json={"query": SETUP}, headers=bearer("sg_" + "k" * 43))
    await engine.dispose()

    for response in (dev, keyed):
        assert response.status_code == 503, response.text
        assert code_of(response) == "SERVICE_UNAVAILABLE"
        assert response.headers["retry-after"].isdigit()


@pytest.mark.parametrize("path", ["compiled", "resolvers"])
async def test_something_unexpected_is_500_with_a_masked_message_and_the_request_id(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    from graph.queries import setup
    from server import compiled_read

    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("secret detail")

    if path == "compiled":
        monkeypatch.setattr(compiled_read, "fetch", broken)
    else:
        monkeypatch.setattr(compiled_read, "plan_for", lambda *_: None)  # as for an uncovered field
        monkeypatch.setattr(setup, "load_setup", broken)
    response = await api.post("/graphql", json={"query": SETUP}, headers={"x-request-id": "req-500"})

    assert response.status_code == 500
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-500"}
    assert "secret" not in response.text
    assert "secret detail" in caplog.text


async def test_a_client_mistake_is_logged_at_info_without_a_traceback(
    api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    await api.post("/graphql", json={"query": "{ setup { nope } }", "variables": {"secret": "hunter2"}})

    records = [r for r in caplog.records if r.name.startswith("salesgraph")]
    assert records
    assert all(r.levelname == "INFO" and r.exc_info is None for r in records)
    assert "hunter2" not in caplog.text


@pytest.mark.parametrize("given", ["x" * 60_000, "bad\u202eid", "a b", ""])
async def test_an_unusable_request_id_is_replaced(api: httpx.AsyncClient, given: str) -> None:
    response = await api.post("/graphql", json={"query": SETUP}, headers=[(b"x-request-id", given.encode())])

    assert response.headers["x-request-id"] != given
    assert len(response.headers["x-request-id"]) == 32


async def test_a_refused_request_writes_no_contact(api: httpx.AsyncClient, sessions: SessionFactory) -> None:
    # Two operations without operationName: neither runs (a server once ran one of them).
    create = 'mutation { createContact(input: {type: COMPANY, name: "A"}) { contact { no } } }'
    response = await api.post("/graphql", json={"query": f"{create} query B {{ setup {{ timeZone }} }}"})

    assert response.status_code == 400
    assert await count(sessions, Contact) == 0


async def test_a_lone_surrogate_inline_is_a_client_error_not_a_500(
    api: httpx.AsyncClient, sessions: SessionFactory
) -> None:
    escaped = 'mutation { updateSetup(input: {timeZone: "\\ud800"}) { userErrors { code field } } }'
    raw = json.dumps({"query": escaped.replace("\\ud800", "\ud800")})  # the character itself
    responses = [
        await api.post("/graphql", json={"query": escaped}),
        await api.post("/graphql", content=raw, headers={"Content-Type": "application/json"}),
    ]
    setup = await api.post("/graphql", json={"query": "{ setup { timeZone } }"})

    # graphql-core refuses a lone surrogate in a string literal, escaped or not: a parse error.
    for response in responses:
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert setup.json()["data"] == {"setup": {"timeZone": "UTC"}}


async def test_an_operation_name_cannot_forge_a_log_line(
    api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    await api.post("/graphql", json={"query": SETUP, "operationName": "A\nFAKE status=200\x00"})

    assert "FAKE" not in caplog.text
    assert "\x00" not in caplog.text
