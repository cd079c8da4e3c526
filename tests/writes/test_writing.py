"""The transaction wrapper every mutation runs in: a constraint violation that a concurrent
transaction can still cause is reported as the rule it breaks, and nothing is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

import models
from models.errors import DomainError
from resolvers.session import SessionFactory
from resolvers.writes.transaction import write
from tests.support import factories as f


async def count(sessions: SessionFactory, model: type[models.Base]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_reference_to_a_row_deleted_meanwhile_is_not_found(sessions: SessionFactory) -> None:
    async def work(session: AsyncSession) -> None:
        session.add(f.company("C", salesperson_code="GONE"))

    with pytest.raises(DomainError) as refused:
        await write(sessions, work)

    assert refused.value.code == "NOT_FOUND"
    assert await count(sessions, models.Contact) == 0


async def test_deleting_a_row_referenced_meanwhile_is_in_use(sessions: SessionFactory) -> None:
    await f.add(sessions, f.salesperson("S"))
    await f.add(sessions, f.company("C", salesperson_code="S"))

    async def work(session: AsyncSession) -> None:
        await session.execute(delete(models.Salesperson).where(models.Salesperson.code == "S"))

    with pytest.raises(DomainError) as refused:
        await write(sessions, work)

    assert refused.value.code == "IN_USE"
    assert await count(sessions, models.Salesperson) == 1


async def test_a_key_taken_meanwhile_is_a_duplicate_on_the_key_field(sessions: SessionFactory) -> None:
    await f.add(sessions, f.salesperson("S"))

    async def work(session: AsyncSession) -> None:
        session.add(f.salesperson("T"))
        await session.flush()
        session.add(f.salesperson("S"))

    with pytest.raises(DomainError) as refused:
        await write(sessions, work)

    assert (refused.value.code, refused.value.field) == ("DUPLICATE", ["code"])
    assert await count(sessions, models.Salesperson) == 1  # T went too: one transaction


async def test_a_dry_run_returns_the_rows_and_keeps_none(sessions: SessionFactory) -> None:
    async def work(session: AsyncSession) -> models.Salesperson:
        salesperson = f.salesperson("S")
        session.add(salesperson)
        return salesperson

    salesperson = await write(sessions, work, dry_run=True)

    assert (salesperson.code, salesperson.name) == ("S", "Salesperson S")
    assert await count(sessions, models.Salesperson) == 0
