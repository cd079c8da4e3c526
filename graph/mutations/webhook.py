"""Mutations of this area (api.md §7.6): createWebhook, deleteWebhook; ``ADMIN`` only."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.context import Info
from graph.mutations.common import INPUT, run
from graph.types.errors import UserError
from graph.types.event import EventType
from graph.types.webhook import Webhook, webhook_id
from models import webhook as webhook_models
from models.errors import DomainError
from resolvers.reads.ids import decode_id
from resolvers.writes import webhook as writes

ERRORS = "Broken rules; empty on success."


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookInput:
    url: str = strawberry.field(description="An http or https URL with a host (at most 2000 characters).")
    events: list[EventType] = strawberry.field(description="The event types to deliver (at least one).")
    secret: str = strawberry.field(
        description="The HMAC-SHA256 key of `Salesgraph-Signature` (16–200 characters); never read back."
    )


@strawberry.type(description="Result of createWebhook.")
class CreateWebhookPayload:
    webhook: Webhook | None = strawberry.field(description="The new webhook.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="The webhook to delete: no event is delivered to it any more.")
class DeleteWebhookInput:
    id: strawberry.ID = strawberry.field(description="The webhook's ID.")


@strawberry.type(description="Result of deleteWebhook.")
class DeleteWebhookPayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="ID of the deleted webhook.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


async def _webhook(info: Info, key: int | None) -> Webhook | None:
    if key is None:
        return None
    async with info.context.sessions() as session:
        row = await session.get(webhook_models.Webhook, key)
    return None if row is None else Webhook.from_row(row)


def webhook_key(global_id: str, field: list[str]) -> int:
    """The row id of a ``Webhook`` global ID; another ID is ``NOT_FOUND`` on ``field``."""
    type_name, key = decode_id(global_id)
    if type_name != "Webhook" or len(key) != 1 or not isinstance(key[0], int):
        raise DomainError("NOT_FOUND", f"{global_id!r} is not a webhook ID.", field)
    return key[0]


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(description="Register a webhook endpoint (ADMIN only).")
    async def create_webhook(
        self, info: Info, input: Annotated[CreateWebhookInput, INPUT]
    ) -> CreateWebhookPayload:
        new = writes.NewWebhook(url=input.url, events=list(input.events), secret=input.secret)

        async def work(session: AsyncSession) -> int:
            return await writes.create_webhook(session, new)

        key, errors = await run(info, work)
        return CreateWebhookPayload(webhook=await _webhook(info, key), user_errors=errors)

    @strawberry.mutation(
        description="Delete a webhook (ADMIN only): its pending deliveries are not attempted any more."
    )
    async def delete_webhook(
        self, info: Info, input: Annotated[DeleteWebhookInput, INPUT]
    ) -> DeleteWebhookPayload:
        async def work(session: AsyncSession) -> int:
            return await writes.delete_webhook(session, webhook_key(input.id, ["id"]))

        key, errors = await run(info, work)
        return DeleteWebhookPayload(deleted_id=None if key is None else webhook_id(key), user_errors=errors)
