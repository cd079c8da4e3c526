"""The app as partners reach it (not dev mode): API keys of each role and a client per key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx

from resolvers.access.keys import create_key
from resolvers.session import SessionFactory
from server.app import create_app
from server.settings import Settings
from tests.conftest import TestDatabase


async def new_key(
    sessions: SessionFactory, role: str, *, name: str | None = None, salesperson: str | None = None
) -> str:
    async with sessions() as session:
        key = await create_key(
            session, name=name or f"{role.lower()}-key", role=role, salesperson_code=salesperson
        )
        await session.commit()
    return key


def settings(**changes: Any) -> Settings:
    """The default settings (as with an empty environment), with ``changes``."""
    return replace(Settings.from_env({}), **changes)


@asynccontextmanager
async def partner_client(
    database: TestDatabase, *, dev: bool = False, **setting_changes: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the production app (``dev=False``) over ``database``'s sessions."""
    app = create_app(
        database.engine, dev=dev, sessions=database.sessions, settings=settings(**setting_changes)
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
