"""Each committed event owes one delivery to every live webhook whose ``events`` list its type,
written in the change's transaction (api.md §7.6); a deleted webhook and a refused mutation are
owed nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import DeliveryStatus, OpportunityEvent, Webhook, WebhookDelivery
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.sales_documents import given_the_world

UPDATE = """mutation($input: UpdateOpportunityInput!) {
  updateOpportunity(input: $input) { userErrors { code } } }"""
STAGE = """mutation($input: UpdateOpportunityStageInput!) {
  updateOpportunityStage(input: $input) { userErrors { code } } }"""
SECRET = "0123456789abcdef"


async def webhook(sessions: SessionFactory, url: str, events: list[str], *, deleted: bool = False) -> int:
    async with sessions() as session, session.begin():
        row = Webhook(
            url=url, events=events, secret=SECRET, deleted_at=dt.datetime.now(dt.UTC) if deleted else None
        )
        session.add(row)
        await session.flush()
        return row.id


async def deliveries(sessions: SessionFactory) -> list[tuple[int, str, str, DeliveryStatus, int]]:
    async with sessions() as session:
        rows = await session.execute(
            select(
                WebhookDelivery.webhook_id,
                OpportunityEvent.type,
                WebhookDelivery.opportunity_no,
                WebhookDelivery.status,
                WebhookDelivery.attempts,
            )
            .join(OpportunityEvent, OpportunityEvent.id == WebhookDelivery.event_id)
            .order_by(WebhookDelivery.event_id, WebhookDelivery.webhook_id)
        )
        return [(w, t.value, no, s, a) for w, t, no, s, a in rows]


async def test_an_event_is_owed_to_each_live_webhook_that_wants_its_type(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_the_world(sessions)
    every = await webhook(sessions, "http://a.example/hook", ["UPDATED", "STAGE_CHANGED"])
    stages = await webhook(sessions, "http://b.example/hook", ["STAGE_CHANGED"])
    await webhook(sessions, "http://c.example/hook", ["UPDATED", "STAGE_CHANGED"], deleted=True)

    await gql.query(UPDATE, {"input": {"no": "O", "description": "Renamed"}})
    await gql.query(STAGE, {"input": {"no": "O", "action": "NEXT", "dateOfChange": "2024-01-20"}})

    pending = DeliveryStatus.PENDING
    assert await deliveries(sessions) == [
        (every, "UPDATED", "O", pending, 0),
        (every, "STAGE_CHANGED", "O", pending, 0),
        (stages, "STAGE_CHANGED", "O", pending, 0),
    ]


async def test_a_refused_mutation_is_owed_nothing(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_the_world(sessions)
    await webhook(sessions, "http://a.example/hook", ["UPDATED"])

    data = await gql.query(UPDATE, {"input": {"no": "O", "description": ""}})

    assert data["updateOpportunity"]["userErrors"] != []
    assert await deliveries(sessions) == []


@pytest.mark.parametrize("events", [["CREATED"], []])
async def test_a_webhook_without_the_type_is_owed_nothing(
    gql: GraphQLClient, sessions: SessionFactory, events: list[str]
) -> None:
    await given_the_world(sessions)
    await webhook(sessions, "http://a.example/hook", events)

    await gql.query(UPDATE, {"input": {"no": "O", "description": "Renamed"}})

    assert await deliveries(sessions) == []
