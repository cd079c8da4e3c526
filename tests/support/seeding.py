"""A scale-1 demo database for the seed tests, and small query helpers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping, text
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.demo.seed import SeedSummary, seed_demo
from server.engine import create_engine
from tests.support.pg import admin_execute, drop_database, unique_name, with_database

TODAY = dt.date(2026, 11, 23)


@dataclass(frozen=True)
class Seeded:
    engine: AsyncEngine
    summary: SeedSummary


@asynccontextmanager
async def seeded_database(pg_url: str, template_db: str) -> AsyncIterator[Seeded]:
    """A migrated database of its own, seeded at scale 1 with ``today = TODAY``."""
    name = unique_name("sg_seed")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    engine = create_engine(with_database(pg_url, name))
    try:
        yield Seeded(engine, await seed_demo(engine, today=TODAY))
    finally:
        await engine.dispose()
        await drop_database(pg_url, name)


async def fetch(engine: AsyncEngine, sql: str, **params: Any) -> Sequence[RowMapping]:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql), params)).mappings().all()


async def scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as conn:
        return await conn.scalar(text(sql), params)


async def entries_by_opportunity(engine: AsyncEngine) -> dict[str, list[RowMapping]]:
    chains: dict[str, list[RowMapping]] = defaultdict(list)
    for row in await fetch(engine, "SELECT * FROM opportunity_entry ORDER BY entry_no"):
        chains[row["opportunity_no"]].append(row)
    return chains


async def stages_by_cycle(engine: AsyncEngine) -> dict[str, list[RowMapping]]:
    cycles: dict[str, list[RowMapping]] = defaultdict(list)
    for row in await fetch(engine, "SELECT * FROM sales_cycle_stage ORDER BY stage"):
        cycles[row["sales_cycle_code"]].append(row)
    return cycles
