"""createWebhook / deleteWebhook / webhookDeliveries (api.md §7.6): ADMIN only, inputs checked
as userErrors, deliveries paged like every connection."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from graph.context import Context
from graph.schema import schema
from models import Webhook
from resolvers.access.policy import may_run_mutation
from resolvers.session import SessionFactory
from resolvers.viewer import Role, Viewer
from tests.conftest import GraphQLClient
from tests.support.sales_documents import given_the_world

CREATE = """mutation($input: CreateWebhookInput!) { createWebhook(input: $input) {
  webhook { id url events deletedAt } userErrors { code field } } }"""
DELETE = """mutation($input: DeleteWebhookInput!) { deleteWebhook(input: $input) {
  deletedId userErrors { code field } } }"""
DELIVERIES = """query($filter: WebhookDeliveryFilter, $first: Int, $after: String) {
  webhookDeliveries(filter: $filter, first: $first, after: $after) {
    nodes { webhookId eventId opportunityNo status attempts lastStatusCode lastError deliveredAt }
    pageInfo { hasNextPage endCursor } totalCount } }"""
UPDATE = """mutation($input: UpdateOpportunityInput!) {
  updateOpportunity(input: $input) { userErrors { code } } }"""
GOOD = {"url": "https://hooks.example.com/sg", "events": ["UPDATED"], "secret": "s" * 16}


async def webhooks(sessions: SessionFactory) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Webhook)) or 0)


async def test_an_admin_registers_a_webhook(gql: GraphQLClient) -> None:
    data = await gql.query(CREATE, {"input": {**GOOD, "events": ["UPDATED", "CLOSED", "UPDATED"]}})

    payload = data["createWebhook"]
    assert payload["userErrors"] == []
    assert payload["webhook"]["url"] == GOOD["url"]
    assert payload["webhook"]["events"] == ["UPDATED", "CLOSED"]
    assert payload["webhook"]["deletedAt"] is None


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"url": "ftp://hooks.example.com/"}, "INVALID", ["url"]),
        ({"url": "https:///no-host"}, "INVALID", ["url"]),
        ({"url": "hooks.example.com"}, "INVALID", ["url"]),
        ({"url": "http://h:99999/"}, "INVALID", ["url"]),
        ({"url": "https://h.example/" + "x" * 2000}, "TOO_LONG", ["url"]),
        ({"secret": "s" * 15}, "INVALID", ["secret"]),
        ({"secret": "s" * 201}, "TOO_LONG", ["secret"]),
        ({"events": []}, "REQUIRED", ["events"]),
    ],
)
async def test_a_bad_input_is_a_user_error_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory, change: dict[str, Any], code: str, field: list[str]
) -> None:
    data = await gql.query(CREATE, {"input": {**GOOD, **change}})

    assert data["createWebhook"] == {"webhook": None, "userErrors": [{"code": code, "field": field}]}
    assert await webhooks(sessions) == 0


async def test_a_deleted_webhook_is_owed_no_more_events(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_the_world(sessions)
    created = (await gql.query(CREATE, {"input": GOOD}))["createWebhook"]["webhook"]
    await gql.query(UPDATE, {"input": {"no": "O", "description": "First"}})

    deleted = await gql.query(DELETE, {"input": {"id": created["id"]}})
    await gql.query(UPDATE, {"input": {"no": "O", "description": "Second"}})

    assert deleted["deleteWebhook"] == {"deletedId": created["id"], "userErrors": []}
    page = (await gql.query(DELIVERIES))["webhookDeliveries"]
    assert [(n["webhookId"], n["opportunityNo"], n["status"], n["lastError"]) for n in page["nodes"]] == [
        (created["id"], "O", "FAILED", "The webhook was deleted.")
    ]
    again = await gql.query(DELETE, {"input": {"id": created["id"]}})
    assert again["deleteWebhook"] == {
        "deletedId": None,
        "userErrors": [{"code": "NOT_FOUND", "field": ["id"]}],
    }


async def test_deliveries_page_newest_first_and_filter(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_the_world(sessions)
    one = (await gql.query(CREATE, {"input": GOOD}))["createWebhook"]["webhook"]["id"]
    two = (await gql.query(CREATE, {"input": GOOD}))["createWebhook"]["webhook"]["id"]
    for text in ("a", "b"):
        await gql.query(UPDATE, {"input": {"no": "O", "description": text}})

    first = (await gql.query(DELIVERIES, {"first": 3}))["webhookDeliveries"]
    rest = (await gql.query(DELIVERIES, {"first": 3, "after": first["pageInfo"]["endCursor"]}))[
        "webhookDeliveries"
    ]
    only_two = (await gql.query(DELIVERIES, {"filter": {"webhookId": two, "status": "PENDING"}}))[
        "webhookDeliveries"
    ]
    delivered = (await gql.query(DELIVERIES, {"filter": {"status": "DELIVERED"}}))["webhookDeliveries"]

    events = [int(n["eventId"]) for n in first["nodes"] + rest["nodes"]]
    assert events == sorted(events, reverse=True)
    assert len(events) == 4
    assert first["pageInfo"]["hasNextPage"] is True
    assert rest["pageInfo"]["hasNextPage"] is False
    assert first["totalCount"] == 4
    assert {n["webhookId"] for n in only_two["nodes"]} == {two}
    assert only_two["totalCount"] == 2
    assert delivered["nodes"] == []
    assert one != two


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALESPERSON, Role.READ_ONLY])
def test_only_an_admin_may_change_webhooks(role: Role) -> None:
    assert not may_run_mutation(role, "createWebhook")
    assert not may_run_mutation(role, "deleteWebhook")
    assert may_run_mutation(Role.ADMIN, "createWebhook")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALESPERSON, Role.READ_ONLY])
async def test_only_an_admin_reads_deliveries(sessions: SessionFactory, role: Role) -> None:
    viewer = Viewer(role, "S" if role is Role.SALESPERSON else None, "k")
    result = await schema.execute(
        DELIVERIES, context_value=Context(sessions=sessions, request_id="t", viewer=viewer)
    )

    assert result.data is None
    assert [e.extensions for e in result.errors or []] == [{"code": "ADMIN_ONLY"}]
