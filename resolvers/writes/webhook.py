"""Registering and deleting webhook endpoints (api.md §7.6); ``ADMIN`` only (the policy's
``Area.WEBHOOK``).

A delete only sets ``deleted_at``: no new delivery is owed to the endpoint, and the ones still
pending are FAILED ("The webhook was deleted."); they stay queryable, as the delivered ones. (One
in flight at that moment may still be recorded DELIVERED when its POST returns.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.errors import DomainError, Violations
from models.event import EventType
from models.webhook import SECRET_MAX, SECRET_MIN, URL_LENGTH, DeliveryStatus, Webhook, WebhookDelivery


@dataclass(frozen=True, slots=True)
class NewWebhook:
    url: str
    events: list[EventType]
    secret: str


def check_url(url: str, v: Violations) -> str:
    """An ``http``/``https`` URL with a host, at most ``URL_LENGTH`` characters."""
    url = url.strip()
    if len(url) > URL_LENGTH:
        v.add("TOO_LONG", f"url is longer than {URL_LENGTH} characters.", ["url"])
        return url
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number or out of range
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in url):
        v.add("INVALID", "url must be an http or https URL with a host.", ["url"])
    return url


async def create_webhook(session: AsyncSession, new: NewWebhook) -> int:
    v = Violations()
    url = check_url(new.url, v)
    if not new.events:
        v.add("REQUIRED", "You must name at least one event type.", ["events"])
    if len(new.secret) < SECRET_MIN:
        v.add("INVALID", f"secret must be at least {SECRET_MIN} characters.", ["secret"])
    elif len(new.secret) > SECRET_MAX:
        v.add("TOO_LONG", f"secret is longer than {SECRET_MAX} characters.", ["secret"])
    v.raise_any()
    row = Webhook(url=url, events=[e.name for e in dict.fromkeys(new.events)], secret=new.secret)
    session.add(row)
    await session.flush()
    return row.id


async def delete_webhook(session: AsyncSession, webhook_id: int) -> int:
    row = (
        await session.execute(
            select(Webhook).where(Webhook.id == webhook_id, Webhook.deleted_at.is_(None)).with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        raise DomainError("NOT_FOUND", f"There is no webhook {webhook_id}.", ["id"])
    row.deleted_at = dt.datetime.now(dt.UTC)
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == row.id, WebhookDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.FAILED, last_error="The webhook was deleted.")
    )
    return row.id
