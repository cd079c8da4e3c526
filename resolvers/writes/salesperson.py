"""Creating, editing and deleting salespeople (domain.md §1.2, §6.1, §11.9; api.md §6).

A salesperson is deleted only while nothing refers to it: Business Central's own guards (open
tasks, open opportunities) come first with its messages, then every other reference — history
must stay intact, so a salesperson that was ever used is blocked instead of deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Campaign,
    Contact,
    Opportunity,
    OpportunityEntry,
    SalesOrder,
    Salesperson,
    SalesQuote,
    Setup,
    Task,
)
from models.base import CODE20, TEXT30, TEXT50, TEXT80, ZERO
from models.errors import Violations
from models.validation import check_pct
from resolvers.errors import DomainError
from resolvers.writes.references import check_code, check_text, code_of
from resolvers.writes.transaction import UNCHANGED, Change, unwrap


@dataclass(frozen=True, slots=True)
class NewSalesperson:
    code: str
    name: str
    email: str | None = None
    phone_no: str | None = None
    job_title: str | None = None
    commission_pct: Decimal | None = None
    blocked: bool = False
    privacy_blocked: bool = False


@dataclass(frozen=True, slots=True)
class SalespersonChanges:
    """An ``updateSalesperson`` input: ``None`` for omitted fields; a given value may be null."""

    name: Change[str | None] = None
    email: Change[str | None] = None
    phone_no: Change[str | None] = None
    job_title: Change[str | None] = None
    commission_pct: Change[Decimal | None] = None
    blocked: Change[bool | None] = None
    privacy_blocked: Change[bool | None] = None


async def create_salesperson(session: AsyncSession, new: NewSalesperson) -> str:
    """Insert a salesperson; returns its code."""
    v = Violations()
    code = check_code(new.code, CODE20, ["code"], v)
    if code is None and not v.errors_on(["code"]):
        v.add("REQUIRED", "You must fill in the code.", ["code"])
    elif code is not None and await session.get(Salesperson, code) is not None:
        v.add("DUPLICATE", f"Salesperson {code} already exists.", ["code"])
    name = check_text(new.name, TEXT50, ["name"], v, required=True)
    email = check_text(new.email, TEXT80, ["email"], v)
    phone_no = check_text(new.phone_no, TEXT30, ["phoneNo"], v)
    job_title = check_text(new.job_title, TEXT30, ["jobTitle"], v)
    check_pct(new.commission_pct, ["commissionPct"], v)
    v.raise_any()
    assert code is not None
    session.add(
        Salesperson(
            code=code,
            name=name,
            email=email,
            phone_no=phone_no,
            job_title=job_title,
            commission_pct=new.commission_pct if new.commission_pct is not None else ZERO,
            blocked=new.blocked,
            privacy_blocked=new.privacy_blocked,
        )
    )
    await session.flush()
    return code


async def _lock(session: AsyncSession, code: str) -> Salesperson:
    key = code_of(code) or ""
    salesperson = await session.scalar(
        select(Salesperson)
        .where(Salesperson.code == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if salesperson is None:
        raise DomainError("NOT_FOUND", f"Salesperson {key} does not exist.", ["code"])
    return salesperson


async def update_salesperson(session: AsyncSession, code: str, changes: SalespersonChanges) -> str:
    """Change a salesperson's fields (omitted ones stay); returns its code."""
    salesperson = await _lock(session, code)
    v = Violations()
    name = unwrap(changes.name)
    if name is not UNCHANGED:
        name = check_text(name, TEXT50, ["name"], v, required=True)
    texts: dict[str, str] = {}
    for attr, field, length, change in (
        ("email", "email", TEXT80, changes.email),
        ("phone_no", "phoneNo", TEXT30, changes.phone_no),
        ("job_title", "jobTitle", TEXT30, changes.job_title),
    ):
        value = unwrap(change)
        if value is not UNCHANGED:
            texts[attr] = check_text(value, length, [field], v)
    pct = unwrap(changes.commission_pct)
    if pct is not UNCHANGED:
        check_pct(pct, ["commissionPct"], v)
    flags: dict[str, bool] = {}
    for attr, field, flag_change in (
        ("blocked", "blocked", changes.blocked),
        ("privacy_blocked", "privacyBlocked", changes.privacy_blocked),
    ):
        flag = unwrap(flag_change)
        if flag is None:
            v.add("REQUIRED", f"{field} cannot be cleared.", [field])
        elif flag is not UNCHANGED:
            flags[attr] = flag
    v.raise_any()
    if name is not UNCHANGED:
        salesperson.name = name
    for attr, new_text in texts.items():
        setattr(salesperson, attr, new_text)
    if pct is not UNCHANGED:
        salesperson.commission_pct = pct if pct is not None else ZERO
    for attr, new_flag in flags.items():
        setattr(salesperson, attr, new_flag)
    return salesperson.code


def _count(condition: ColumnElement[bool], table: type[object]) -> ColumnElement[int]:
    return select(func.count()).select_from(table).where(condition).scalar_subquery()


async def delete_salesperson(session: AsyncSession, code: str) -> str:
    """Delete a salesperson nothing refers to (domain.md §6.1, §11.9); returns its code."""
    salesperson = await _lock(session, code)
    key = salesperson.code
    counts = (
        await session.execute(
            select(
                _count((Task.salesperson_code == key) & Task.closed.is_(False), Task),
                _count((Opportunity.salesperson_code == key) & Opportunity.closed.is_(False), Opportunity),
                _count((Opportunity.salesperson_code == key) & Opportunity.closed.is_(True), Opportunity),
                _count(OpportunityEntry.salesperson_code == key, OpportunityEntry),
                _count((Task.salesperson_code == key) & Task.closed.is_(True), Task),
                _count(Contact.salesperson_code == key, Contact),
                _count(Campaign.salesperson_code == key, Campaign),
                _count(SalesQuote.salesperson_code == key, SalesQuote),
                _count(SalesOrder.salesperson_code == key, SalesOrder),
                _count(Setup.default_salesperson_code == key, Setup),
            )
        )
    ).one()
    open_tasks, open_opportunities, *others = counts
    if open_tasks:
        raise DomainError(
            "IN_USE", f"You cannot delete salesperson {key} because it has open tasks.", ["code"]
        )
    if open_opportunities:
        raise DomainError(
            "IN_USE", f"You cannot delete salesperson {key} because it has open opportunities.", ["code"]
        )
    uses = [_plural(n, one, many) for n, (one, many) in zip(others, _OTHER_USES, strict=True) if n]
    if uses:
        raise DomainError(
            "IN_USE", f"Salesperson {key} is used by {_join(uses)}; block it instead.", ["code"]
        )
    await session.execute(delete(Salesperson).where(Salesperson.code == key))
    return key


#: What the counts after the open tasks and opportunities are, as (one, many) with ``{n}``.
_OTHER_USES: tuple[tuple[str, str], ...] = (
    ("{n} closed opportunity", "{n} closed opportunities"),
    ("{n} opportunity entry", "{n} opportunity entries"),
    ("{n} closed task", "{n} closed tasks"),
    ("{n} contact", "{n} contacts"),
    ("{n} campaign", "{n} campaigns"),
    ("{n} sales quote", "{n} sales quotes"),
    ("{n} sales order", "{n} sales orders"),
    ("the setup as its default salesperson", "the setup as its default salesperson"),
)


def _plural(n: int, one: str, many: str) -> str:
    return (one if n == 1 else many).format(n=n)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
