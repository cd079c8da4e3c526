"""Creating, editing and deleting contacts (domain.md §1.3, §6.1, §11.9, §11.16; api.md §6).

A company's ``company_no`` is its own number and a person's is its company or null (a database
check enforces it). The company number is copied onto every opportunity, entry and task of the
contact (``contact_company_no``), which is why a contact those rows point at cannot change type or
company: the copies would go stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Contact,
    ContactType,
    Opportunity,
    OpportunityEntry,
    SalesOrder,
    SalesQuote,
    Task,
)
from models.base import CODE20, TEXT30, TEXT80, TEXT100
from models.errors import Violations
from resolvers.errors import DomainError
from resolvers.writes.references import check_code, check_text, code_of, salesperson_ref
from resolvers.writes.transaction import (
    UNCHANGED,
    Change,
    Omittable,
    load_setup,
    series_allows_manual,
    take_numbers,
    unwrap,
)


@dataclass(frozen=True, slots=True)
class NewContact:
    type: ContactType
    name: str
    no: str | None = None
    company_no: str | None = None
    salesperson_code: str | None = None
    email: str | None = None
    phone_no: str | None = None


@dataclass(frozen=True, slots=True)
class ContactChanges:
    """An ``updateContact`` input: ``None`` for omitted fields; a given value may be null."""

    type: Change[ContactType | None] = None
    name: Change[str | None] = None
    company_no: Change[str | None] = None
    salesperson_code: Change[str | None] = None
    email: Change[str | None] = None
    phone_no: Change[str | None] = None


@dataclass(frozen=True, slots=True)
class Use:
    """Rows of one table that reference the row a delete would remove, named for the message."""

    singular: str
    plural: str
    table: Any
    condition: ColumnElement[bool]


async def used_by(session: AsyncSession, uses: Sequence[Use]) -> str | None:
    """What still references a row (``"2 closed opportunities, 1 sales quote"``), counted in one
    statement, or ``None`` when nothing does."""
    counts = (
        await session.execute(
            select(
                *(
                    select(func.count()).select_from(u.table).where(u.condition).scalar_subquery()
                    for u in uses
                )
            )
        )
    ).one()
    parts = [f"{n} {u.singular if n == 1 else u.plural}" for n, u in zip(counts, uses, strict=True) if n]
    return ", ".join(parts) or None


async def create_contact(session: AsyncSession, new: NewContact) -> str:
    """A new company or person; numbered from the setup's contact series unless ``no`` is given."""
    v = Violations()
    setup = await load_setup(session)
    no = check_code(new.no, CODE20, ["no"], v)
    if no is not None:
        if not await series_allows_manual(session, setup.contact_nos):
            v.add("INVALID", f"Number series {setup.contact_nos} does not allow manual numbers.", ["no"])
        elif await session.get(Contact, no) is not None:
            v.add("DUPLICATE", f"Contact {no} already exists.", ["no"])
    name = check_text(new.name, TEXT100, ["name"], v, required=True)
    company_no = check_code(new.company_no, CODE20, ["companyNo"], v)
    if new.type is ContactType.COMPANY:
        if company_no is not None and company_no != no:
            v.add("INVALID", "A company's company number is its own number.", ["companyNo"])
    else:
        await _company_ref(session, company_no, no, v)
    salesperson_code = check_code(new.salesperson_code, CODE20, ["salespersonCode"], v)
    if new.salesperson_code is None:
        salesperson_code = await _default_salesperson(session, setup.default_salesperson_code)
    else:
        await salesperson_ref(session, salesperson_code, ["salespersonCode"], v)
    email = check_text(new.email, TEXT80, ["email"], v)
    phone_no = check_text(new.phone_no, TEXT30, ["phoneNo"], v)
    v.raise_any()
    # The series row is locked last (resolvers/writes/transaction.py), after every check has passed.
    no = no or (await take_numbers(session, setup.contact_nos, 1, ["no"]))[0]
    session.add(
        Contact(
            no=no,
            type=new.type,
            name=name,
            company_no=no if new.type is ContactType.COMPANY else company_no,
            salesperson_code=salesperson_code,
            email=email,
            phone_no=phone_no,
        )
    )
    await session.flush()
    return no


async def _default_salesperson(session: AsyncSession, code: str | None) -> str | None:
    """The setup's default salesperson for new contacts (domain.md §1.1), unless it is blocked."""
    v = Violations()
    salesperson = await salesperson_ref(session, code, [], v)
    return salesperson.code if salesperson is not None and not v else None


async def _company_ref(
    session: AsyncSession, company_no: str | None, own_no: str | None, v: Violations
) -> None:
    """A person's company: an existing company contact other than the person itself.

    The company row is read ``FOR SHARE``: a concurrent change of that company into a person
    (which locks it ``FOR UPDATE`` and then looks for its persons) runs either wholly before this
    check or after this transaction, never in between.
    """
    if company_no is None:
        return
    company = await session.scalar(
        select(Contact)
        .where(Contact.no == company_no)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    if company is None:
        v.add("NOT_FOUND", f"Contact {company_no} does not exist.", ["companyNo"])
    elif company.type is not ContactType.COMPANY or company_no == own_no:
        v.add("INVALID", f"Contact {company_no} {company.name} is not a company.", ["companyNo"])


async def lock_contact(session: AsyncSession, no: str) -> Contact:
    """The contact, locked ``FOR UPDATE``: rows that reference it (opportunities, tasks, persons,
    documents) cannot be added until this transaction ends, so the usage checks stay true."""
    key = code_of(no) or ""
    contact = await session.scalar(
        select(Contact).where(Contact.no == key).with_for_update().execution_options(populate_existing=True)
    )
    if contact is None:
        raise DomainError("NOT_FOUND", f"Contact {no} does not exist.", ["no"])
    return contact


def _opportunities_of(no: str) -> ColumnElement[bool]:
    return or_(Opportunity.contact_no == no, Opportunity.contact_company_no == no)


def _tasks_of(no: str) -> ColumnElement[bool]:
    return or_(Task.contact_no == no, Task.contact_company_no == no)


def _entries_of(no: str) -> ColumnElement[bool]:
    return or_(OpportunityEntry.contact_no == no, OpportunityEntry.contact_company_no == no)


def _persons_of(no: str) -> ColumnElement[bool]:
    return (Contact.company_no == no) & (Contact.no != no)


async def update_contact(session: AsyncSession, no: str, changes: ContactChanges) -> str:
    """Edit a contact. Type and company are fixed while opportunities or tasks carry the contact's
    company number (domain.md §6.1 "Contact type change")."""
    contact = await lock_contact(session, no)
    v = Violations()
    new_type = unwrap(changes.type)
    if new_type is None:
        v.add("REQUIRED", "The contact type cannot be cleared.", ["type"])
        new_type = UNCHANGED
    target_type = contact.type if new_type is UNCHANGED else new_type
    if target_type is not contact.type:
        await _check_type_change(session, contact, v)
    name = _text_change(unwrap(changes.name), TEXT100, ["name"], v, required=True)
    company_no = await _company_change(session, contact, target_type, unwrap(changes.company_no), v)
    if target_type is contact.type and company_no is not UNCHANGED and company_no != contact.company_no:
        await _check_company_change(session, contact, v)
    email = _text_change(unwrap(changes.email), TEXT80, ["email"], v)
    phone_no = _text_change(unwrap(changes.phone_no), TEXT30, ["phoneNo"], v)
    salesperson_code = await _salesperson_change(session, contact, unwrap(changes.salesperson_code), v)
    v.raise_any()
    contact.type = target_type
    if company_no is not UNCHANGED:
        contact.company_no = company_no
    if name is not UNCHANGED:
        contact.name = name
    if email is not UNCHANGED:
        contact.email = email
    if phone_no is not UNCHANGED:
        contact.phone_no = phone_no
    if salesperson_code is not UNCHANGED:
        contact.salesperson_code = salesperson_code
    await session.flush()
    return contact.no


async def _company_change(
    session: AsyncSession,
    contact: Contact,
    target_type: ContactType,
    value: str | Omittable | None,
    v: Violations,
) -> str | Omittable | None:
    """The company number the contact ends up with; ``UNCHANGED`` when it stays."""
    given = None if value is UNCHANGED else check_code(value, CODE20, ["companyNo"], v)
    if target_type is ContactType.COMPANY:
        if given is not None and given != contact.no:
            v.add("INVALID", "A company's company number is its own number.", ["companyNo"])
        return UNCHANGED if contact.company_no == contact.no else contact.no
    if value is UNCHANGED and contact.type is ContactType.PERSON:
        return UNCHANGED
    # A company turning into a person leaves its own number behind: it joins the given company,
    # or none.
    await _company_ref(session, given, contact.no, v)
    return given


async def _exists(session: AsyncSession, table: Any, *conditions: ColumnElement[bool]) -> bool:
    return bool(await session.scalar(select(select(table).where(*conditions).exists())))


async def _linked(session: AsyncSession, no: str) -> str | None:
    """What carries the contact's company number: ``"opportunities"``, ``"tasks"`` or nothing."""
    if await _exists(session, Opportunity, _opportunities_of(no)):
        return "opportunities"
    if await _exists(session, Task, _tasks_of(no)):
        return "tasks"
    return None


async def _check_type_change(session: AsyncSession, contact: Contact, v: Violations) -> None:
    linked = await _linked(session, contact.no)
    if linked is not None:
        v.add(
            "IN_USE",
            f"Type cannot be changed because one or more {linked} are linked to the contact.",
            ["type"],
        )
    elif contact.type is ContactType.COMPANY and await _exists(session, Contact, _persons_of(contact.no)):
        v.add("IN_USE", f"Company {contact.no} has persons: it cannot become a person.", ["type"])


async def _check_company_change(session: AsyncSession, contact: Contact, v: Violations) -> None:
    """A person's opportunities and tasks carry its company number; changing the company under
    them would leave those copies pointing at the old one."""
    linked = await _linked(session, contact.no)
    if linked is not None:
        v.add(
            "IN_USE",
            f"The company of contact {contact.no} cannot change: one or more {linked} are linked to it.",
            ["companyNo"],
        )


def _text_change(
    value: str | Omittable | None, length: int, field: list[str], v: Violations, *, required: bool = False
) -> str | Omittable:
    if value is UNCHANGED:
        return UNCHANGED
    return check_text(value, length, field, v, required=required)


async def _salesperson_change(
    session: AsyncSession, contact: Contact, value: str | Omittable | None, v: Violations
) -> str | Omittable | None:
    if value is UNCHANGED:
        return UNCHANGED
    code = check_code(value, CODE20, ["salespersonCode"], v)
    if code is not None and code != contact.salesperson_code:
        await salesperson_ref(session, code, ["salespersonCode"], v)
    return code


async def delete_contact(session: AsyncSession, no: str) -> str:
    """Delete a contact nothing references any more (domain.md §6.1, §11.9; the brief's DELETE
    policy). The guards run in the spec's order so that its messages win."""
    contact = await lock_contact(session, no)
    name = f"contact {contact.no} {contact.name}"
    if await _exists(session, Task, _tasks_of(contact.no), Task.closed.is_(False)):
        raise DomainError("IN_USE", f"You cannot delete {name} because it has open tasks.", ["no"])
    if await _exists(session, Opportunity, _opportunities_of(contact.no), Opportunity.closed.is_(False)):
        raise DomainError(
            "IN_USE",
            f"You cannot delete {name} because one or more opportunities are in not started or progress.",
            ["no"],
        )
    persons = await session.scalar(select(func.count()).select_from(Contact).where(_persons_of(contact.no)))
    if persons:
        raise DomainError(
            "IN_USE",
            f"You cannot delete {name} because it still has {persons} "
            f"{'person' if persons == 1 else 'persons'}: delete them or move them to another company.",
            ["no"],
        )
    uses = await used_by(
        session,
        [
            Use("closed opportunity", "closed opportunities", Opportunity, _opportunities_of(contact.no)),
            Use("opportunity entry", "opportunity entries", OpportunityEntry, _entries_of(contact.no)),
            Use("closed task", "closed tasks", Task, _tasks_of(contact.no)),
            Use("sales quote", "sales quotes", SalesQuote, SalesQuote.contact_no == contact.no),
            Use("sales order", "sales orders", SalesOrder, SalesOrder.contact_no == contact.no),
        ],
    )
    if uses is not None:
        raise DomainError("IN_USE", f"You cannot delete {name}: it is used by {uses}.", ["no"])
    await session.execute(delete(Contact).where(Contact.no == contact.no))
    return contact.no
