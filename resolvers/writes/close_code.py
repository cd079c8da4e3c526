"""Creating, editing and deleting close opportunity codes (domain.md §1.7, §6.1).

Entries carry their close code through a foreign key, and a Won entry's code must be of type Won
(a Lost entry's of type Lost). So while any entry carries a code, its type cannot change and the
code cannot be deleted (a deviation: Business Central has no delete guard and leaves the entries
with a dangling code).

The code's row is locked ``FOR UPDATE`` before entries are counted: an entry being inserted with the
code holds a key-share lock on it, so a close that already wrote its entry is waited for and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import CloseOpportunityCode, OpportunityEntry
from models.base import CODE10, TEXT100
from models.enums import CloseOutcome
from models.errors import Violations
from resolvers.errors import DomainError
from resolvers.writes.references import check_code, check_text, code_of
from resolvers.writes.transaction import UNCHANGED, Change, unwrap


@dataclass(frozen=True, slots=True)
class NewCloseCode:
    code: str
    description: str
    type: CloseOutcome


@dataclass(frozen=True, slots=True)
class CloseCodeChanges:
    """An ``updateCloseOpportunityCode`` input: ``None`` for omitted fields; a given value may be null."""

    description: Change[str | None] = None
    type: Change[CloseOutcome | None] = None


async def create_close_opportunity_code(session: AsyncSession, new: NewCloseCode) -> str:
    v = Violations()
    code = check_code(new.code, CODE10, ["code"], v)
    if code is None and not v.errors_on(["code"]):
        v.add("REQUIRED", "You must fill in code.", ["code"])
    elif code is not None and await session.get(CloseOpportunityCode, code) is not None:
        v.add("DUPLICATE", f"Close opportunity code {code} already exists.", ["code"])
    description = check_text(new.description, TEXT100, ["description"], v, required=True)
    v.raise_any()
    assert code is not None
    session.add(CloseOpportunityCode(code=code, description=description, type=new.type))
    return code


async def update_close_opportunity_code(session: AsyncSession, code: str, changes: CloseCodeChanges) -> str:
    row = await _lock(session, code)
    v = Violations()
    description = unwrap(changes.description)
    if description is not UNCHANGED:
        description = check_text(description, TEXT100, ["description"], v, required=True)
    outcome = unwrap(changes.type)
    if outcome is None:
        v.add("REQUIRED", "The type cannot be cleared.", ["type"])
    elif outcome is not UNCHANGED and outcome is not row.type:
        used = await _entries_with(session, row.code)
        if used:
            v.add(
                "IN_USE",
                f"Close opportunity code {row.code} is carried by {used} opportunity entries of type "
                f"{row.type.name}; its type cannot change.",
                ["type"],
            )
    v.raise_any()
    if description is not UNCHANGED:
        row.description = description
    if outcome is not UNCHANGED and outcome is not None:
        row.type = outcome
    return row.code


async def delete_close_opportunity_code(session: AsyncSession, code: str) -> str:
    """Delete a code no entry carries (a deviation from Business Central, see the module docstring)."""
    row = await _lock(session, code)
    used = await _entries_with(session, row.code)
    if used:
        raise DomainError(
            "IN_USE",
            f"Close opportunity code {row.code} is carried by {used} opportunity entries.",
            ["code"],
        )
    await session.execute(delete(CloseOpportunityCode).where(CloseOpportunityCode.code == row.code))
    return row.code


async def _lock(session: AsyncSession, code: str) -> CloseOpportunityCode:
    key = code_of(code)
    row = None
    if key is not None:
        row = await session.scalar(
            select(CloseOpportunityCode)
            .where(CloseOpportunityCode.code == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if row is None:
        raise DomainError("NOT_FOUND", f"Close opportunity code {code} does not exist.", ["code"])
    return row


async def _entries_with(session: AsyncSession, code: str) -> int:
    """All entries carrying the code, active or not (the code's ``noOfOpportunities``, §1.7)."""
    count = await session.scalar(
        select(func.count())
        .select_from(OpportunityEntry)
        .where(OpportunityEntry.close_opportunity_code == code)
    )
    return count or 0
