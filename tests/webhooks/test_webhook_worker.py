"""The worker's rules, one claim at a time against a real PostgreSQL and a real receiver: the
backoff, FAILED once the next attempt would fall after 24 h, a failed delivery not claimed again
before its backoff, and a later event of an opportunity waiting for the earlier one. (The lease
against a second process is exercised by test_webhook_delivery's two real processes.)"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from models import DeliveryStatus, WebhookDelivery
from resolvers.events.webhooks import WebhookWorker, backoff
from resolvers.session import session_factory
from resolvers.writes.webhook import delete_webhook
from tests.webhooks.receiver import receiving


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 1), (2, 2), (3, 4), (12, 2048), (13, 3600), (10_000, 3600)]
)
def test_the_backoff_doubles_from_one_second_up_to_an_hour(attempts: int, seconds: int) -> None:
    assert backoff(attempts) == dt.timedelta(seconds=seconds)


@pytest.fixture
async def worker(engine: AsyncEngine) -> AsyncIterator[WebhookWorker]:
    w = WebhookWorker(engine, timeout_seconds=2)
    await w.start()
    yield w
    await w.stop()


async def given(engine: AsyncEngine, url: str, *events: tuple[str, dt.timedelta]) -> None:
    """A webhook at ``url`` owed each (opportunity, age) event, in that order."""
    async with engine.begin() as c:
        await c.execute(
            text(
                "INSERT INTO webhook (id, url, events, secret) "
                "VALUES (1, :url, '{UPDATED}', 'a-secret-of-16-chars')"
            ),
            {"url": url},
        )
        for n, (no, age) in enumerate(events, start=1):
            await c.execute(
                text(
                    "INSERT INTO opportunity_event (id, occurred_at, type, opportunity_no) "
                    "VALUES (:n, :at, 'UPDATED', :no);"
                ),
                {"n": n, "at": dt.datetime.now(dt.UTC) - age, "no": no},
            )
            await c.execute(
                text(
                    "INSERT INTO webhook_delivery (webhook_id, event_id, opportunity_no, status) "
                    "VALUES (1, :n, :no, 'PENDING')"
                ),
                {"n": n, "no": no},
            )


async def states(engine: AsyncEngine) -> list[tuple[int, DeliveryStatus, int, int | None]]:
    async with engine.connect() as c:
        rows = await c.execute(
            select(
                WebhookDelivery.event_id,
                WebhookDelivery.status,
                WebhookDelivery.attempts,
                WebhookDelivery.last_status_code,
            ).order_by(WebhookDelivery.event_id)
        )
        return [(e, s, a, code) for e, s, a, code in rows]


@pytest.mark.own_database
async def test_a_failure_is_retried_until_24_hours_after_the_event_then_failed(
    engine: AsyncEngine, worker: WebhookWorker
) -> None:
    with receiving(failures=10) as receiver:
        await given(
            engine,
            receiver.url,
            ("OPA", dt.timedelta(hours=1)),
            ("OPB", dt.timedelta(hours=24, seconds=-0.5)),
        )

        assert await worker.run_once() == 2

    assert await states(engine) == [
        (1, DeliveryStatus.PENDING, 1, 500),
        (2, DeliveryStatus.FAILED, 1, 500),
    ]


@pytest.mark.own_database
async def test_a_failed_delivery_waits_for_its_backoff_and_a_later_event_for_it(
    engine: AsyncEngine, worker: WebhookWorker
) -> None:
    with receiving(failures=1) as receiver:
        await given(engine, receiver.url, ("OPA", dt.timedelta(minutes=1)), ("OPA", dt.timedelta(minutes=1)))

        first = await worker.run_once()
        again = await worker.run_once()
        after_backoff: list[int] = []
        async with engine.begin() as c:
            await c.execute(text("UPDATE webhook_delivery SET next_attempt_at = now()"))
        after_backoff.append(await worker.run_once())
        after_backoff.append(await worker.run_once())

    assert (first, again) == (1, 0)
    assert after_backoff == [1, 1]
    assert [int(r.event["id"]) for r in receiver.received] == [1, 1, 2]
    assert await states(engine) == [
        (1, DeliveryStatus.DELIVERED, 2, 200),
        (2, DeliveryStatus.DELIVERED, 1, 200),
    ]


@pytest.mark.own_database
async def test_a_failure_recorded_after_the_webhook_was_deleted_leaves_it_failed(
    engine: AsyncEngine, worker: WebhookWorker
) -> None:
    with receiving(failures=1, delay_seconds=1.0) as receiver:
        await given(engine, receiver.url, ("OPA", dt.timedelta(minutes=1)))
        in_flight = asyncio.create_task(worker.run_once())
        await asyncio.sleep(0.5)
        async with session_factory(engine)() as session, session.begin():
            await delete_webhook(session, 1)

        assert await in_flight == 1

    assert await states(engine) == [(1, DeliveryStatus.FAILED, 1, None)]
