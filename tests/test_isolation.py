"""The rolled-back transaction of an isolated test behaves as the commits it replaces would.

A test that passes here on savepoints must pass on real commits: what one session commits the
next one sees, a refused commit keeps nothing, deferred constraints still refuse a commit, and no
row ever reaches the shared database.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

import models
from resolvers.session import SessionFactory
from tests.support import factories as f

NEXT_ENTRY_NO = "SELECT nextval(pg_get_serial_sequence('opportunity_entry', 'entry_no'))"


async def contacts(sessions: SessionFactory) -> list[str]:
    async with sessions() as session:
        return list(await session.scalars(select(models.Contact.no).order_by(models.Contact.no)))


async def test_a_commit_is_seen_by_the_next_session_and_never_reaches_the_database(
    sessions: SessionFactory, shared_engine: AsyncEngine
) -> None:
    async with sessions() as session, session.begin():
        session.add(f.company("C1"))

    assert await contacts(sessions) == ["C1"]
    async with shared_engine.connect() as other:
        assert await other.scalar(select(func.count()).select_from(models.Contact)) == 0


async def test_a_rolled_back_session_keeps_nothing_of_its_own_and_all_of_the_earlier_commits(
    sessions: SessionFactory,
) -> None:
    await f.add(sessions, f.company("C1"))

    async with sessions() as session:
        session.add(f.company("C2"))
        await session.flush()
        await session.rollback()

    assert await contacts(sessions) == ["C1"]


async def test_a_deferred_constraint_still_refuses_the_commit(sessions: SessionFactory) -> None:
    # contact.company_no is checked at COMMIT; the isolated commit checks it too.
    async with sessions() as session:
        session.add(f.person("P1", company_no="NOBODY"))
        with pytest.raises(IntegrityError, match="fk_contact_company_no_contact"):
            await session.commit()

    assert await contacts(sessions) == []


@pytest.mark.parametrize("run", [1, 2])
async def test_every_test_starts_from_an_empty_database_with_entry_numbers_from_one(
    sessions: SessionFactory, run: int
) -> None:
    assert await contacts(sessions) == []
    await f.add(sessions, f.company(f"C{run}"))
    async with sessions() as session:
        assert await session.scalar(text(NEXT_ENTRY_NO)) == 1
