"""Editing and deleting opportunities (domain.md §4, §6; api.md §6); creating them is
``opportunity_create``.

``update`` applies the editability rules of §6.3 and propagates a new salesperson, contact or
campaign to the active entry and the open tasks (§4, §11.18).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, false, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Opportunity, OpportunityStatus, Priority, SalesQuote, Task
from models.base import CODE10, CODE20, TEXT100
from models.errors import Violations
from models.event import EventType
from resolvers.access.rows import forbidden_salesperson, owns
from resolvers.errors import DomainError
from resolvers.events import outbox
from resolvers.lifecycle.moves import LifecycleResult
from resolvers.lifecycle.situation import Situation, situation
from resolvers.viewer import Role, Viewer
from resolvers.writes.references import (
    campaign_ref,
    check_code,
    check_text,
    contact_ref,
    sales_cycle_ref,
    salesperson_ref,
)
from resolvers.writes.transaction import (
    UNCHANGED,
    Change,
    Omittable,
    check_version,
    lock_opportunity,
    touch,
    unwrap,
)

#: At most this many numbers in one ``deleteClosedOpportunities`` filter.
MAX_NOS = 1000


@dataclass(frozen=True, slots=True)
class OpportunityChanges:
    """An ``updateOpportunity`` input: ``None`` for omitted fields; a given value may be null."""

    description: Change[str | None] = None
    priority: Change[Priority | None] = None
    contact_no: Change[str | None] = None
    salesperson_code: Change[str | None] = None
    campaign_no: Change[str | None] = None
    sales_cycle_code: Change[str | None] = None
    propagate_to_open_tasks: bool = True


async def update_opportunity(
    session: AsyncSession,
    viewer: Viewer,
    no: str,
    changes: OpportunityChanges,
    expected_version: int | None,
) -> LifecycleResult:
    """Edit an opportunity's fields under the rules of domain.md §6.2 and §6.3. A ``SALESPERSON``
    edits its own opportunities only, and cannot hand one to another salesperson (api.md §7.1)."""
    s = await situation(session, viewer, no, expected_version)
    opp = s.opportunity
    if s.position.closed:
        raise DomainError("OPPORTUNITY_CLOSED", f"Opportunity {opp.no} is closed: its fields are read-only.")
    v = Violations()
    description = _text_change(unwrap(changes.description), v)
    priority = unwrap(changes.priority)
    if priority is None:
        v.add("REQUIRED", "The priority cannot be cleared.", ["priority"])
    cycle_code = await _cycle_change(session, s, unwrap(changes.sales_cycle_code), v)
    salesperson_code = await _salesperson_change(session, viewer, opp, unwrap(changes.salesperson_code), v)
    contact = await _contact_change(session, opp, unwrap(changes.contact_no), v)
    new_campaign = unwrap(changes.campaign_no)
    campaign_no = check_code(_or_none(new_campaign), CODE20, ["campaignNo"], v)
    if new_campaign is not UNCHANGED and campaign_no != opp.campaign_no:
        await campaign_ref(session, campaign_no, opp.creation_date, ["campaignNo"], v)
    v.raise_any()
    if description is not UNCHANGED:
        opp.description = description
    if priority is not UNCHANGED and priority is not None:
        opp.priority = priority
    if cycle_code is not UNCHANGED:
        opp.sales_cycle_code = cycle_code
    old = (opp.salesperson_code, opp.contact_no, opp.campaign_no)
    if salesperson_code is not UNCHANGED:
        opp.salesperson_code = salesperson_code
    if contact is not None:
        opp.contact_no, opp.contact_company_no = contact
    if new_campaign is not UNCHANGED:
        opp.campaign_no = campaign_no
    await _propagate(session, s, old, changes.propagate_to_open_tasks)
    touch(opp)
    return LifecycleResult(opp, s.active)


def _or_none(value: str | Omittable | None) -> str | None:
    return None if value is UNCHANGED else value


def _text_change(value: str | Omittable | None, v: Violations) -> str | Omittable:
    if value is UNCHANGED:
        return UNCHANGED
    return check_text(value, TEXT100, ["description"], v, required=True)


async def _cycle_change(
    session: AsyncSession, s: Situation, value: str | Omittable | None, v: Violations
) -> str | Omittable | None:
    """The sales cycle is editable only while the opportunity is not started (domain.md §6.3)."""
    if value is UNCHANGED:
        return UNCHANGED
    code = check_code(value, CODE10, ["salesCycleCode"], v)
    if code == s.opportunity.sales_cycle_code:
        return UNCHANGED
    if s.opportunity.status is not OpportunityStatus.NOT_STARTED:
        v.add("NOT_EDITABLE", "The sales cycle can only change before the first stage.", ["salesCycleCode"])
        return UNCHANGED
    await sales_cycle_ref(session, code, ["salesCycleCode"], v)
    return code


async def _salesperson_change(
    session: AsyncSession, viewer: Viewer, opp: Opportunity, value: str | Omittable | None, v: Violations
) -> str | Omittable | None:
    if value is UNCHANGED:
        return UNCHANGED
    code = check_code(value, CODE20, ["salespersonCode"], v)
    if code is None:
        v.add("REQUIRED", "The salesperson cannot be cleared once it is set.", ["salespersonCode"])
        return UNCHANGED
    if code != opp.salesperson_code and not owns(viewer, code):
        v.extend([forbidden_salesperson(code, ["salespersonCode"])])
    elif code != opp.salesperson_code:
        await salesperson_ref(session, code, ["salespersonCode"], v)
    return code


async def _contact_change(
    session: AsyncSession, opp: Opportunity, value: str | Omittable | None, v: Violations
) -> tuple[str, str | None] | None:
    """The new (contact, company), or ``None`` when the contact does not change."""
    if value is UNCHANGED:
        return None
    no = check_code(value, CODE20, ["contactNo"], v)
    if no is None:
        v.add("REQUIRED", "The contact cannot be cleared.", ["contactNo"])
        return None
    if no == opp.contact_no:
        return None
    contact = await contact_ref(session, no, ["contactNo"], v)
    if contact is None:
        return None
    if opp.status is not OpportunityStatus.NOT_STARTED and contact.company_no != opp.contact_company_no:
        v.add(
            "CONTACT_OTHER_COMPANY",
            f"Contact {no} {contact.name} is related to another company.",
            ["contactNo"],
        )
    return contact.no, contact.company_no


async def _propagate(
    session: AsyncSession, s: Situation, old: tuple[str | None, str, str | None], to_tasks: bool
) -> None:
    """A new salesperson, contact or campaign reaches the active entry always, the open tasks
    that carried the old value unless told not to, and the linked quote's contact (§4, §5.3)."""
    opp, active = s.opportunity, s.active
    old_salesperson, old_contact, old_campaign = old
    if active is not None:
        active.salesperson_code = opp.salesperson_code
        active.contact_no, active.contact_company_no = opp.contact_no, opp.contact_company_no
        active.campaign_no = opp.campaign_no
    open_tasks = (Task.opportunity_no == opp.no, Task.closed.is_(False))
    moves = [
        (
            Task.salesperson_code,
            old_salesperson,
            opp.salesperson_code,
            {"salesperson_code": opp.salesperson_code},
        ),
        (
            Task.contact_no,
            old_contact,
            opp.contact_no,
            {"contact_no": opp.contact_no, "contact_company_no": opp.contact_company_no},
        ),
        (Task.campaign_no, old_campaign, opp.campaign_no, {"campaign_no": opp.campaign_no}),
    ]
    for column, before, after, values in moves if to_tasks else []:
        if before == after:
            continue
        carried_old = column.is_(None) if before is None else column == before
        stmt = update(Task).where(*open_tasks, carried_old).values(**values)
        await session.execute(stmt.execution_options(synchronize_session=False))
    if opp.sales_quote_no is not None and old_contact != opp.contact_no:
        await session.execute(
            update(SalesQuote).where(SalesQuote.no == opp.sales_quote_no).values(contact_no=opp.contact_no)
        )


async def delete_opportunity(
    session: AsyncSession, viewer: Viewer, no: str, expected_version: int | None
) -> str:
    """Delete a Not Started, Won or Lost opportunity with its entries (domain.md §6.1, §11.8)."""
    opp = await lock_opportunity(session, viewer, no)
    check_version(opp, expected_version)
    if opp.status is OpportunityStatus.IN_PROGRESS:
        raise DomainError(
            "OPPORTUNITY_IN_PROGRESS", f"You cannot delete opportunity {opp.no} while it is in progress."
        )
    await session.execute(delete(Opportunity).where(Opportunity.no == opp.no))
    outbox.record(session, EventType.DELETED, opp.no, opp.salesperson_code)
    return opp.no


@dataclass(frozen=True, slots=True)
class ClosedFilter:
    """Which closed opportunities ``deleteClosedOpportunities`` removes (all conditions hold)."""

    nos: tuple[str, ...] | None = None
    date_closed_from: dt.date | None = None
    date_closed_to: dt.date | None = None
    salesperson_code: str | None = None
    campaign_no: str | None = None
    contact_no: str | None = None
    sales_cycle_code: str | None = None


async def delete_closed_opportunities(session: AsyncSession, viewer: Viewer, f: ClosedFilter) -> list[str]:
    """Business Central's Delete Opportunities report: closed ones only, with their entries
    (and only the viewer's own, should a role restricted to its own rows ever run it)."""
    conditions: list[ColumnElement[bool]] = [Opportunity.closed.is_(True)]
    if viewer.role is Role.SALESPERSON:
        own = viewer.salesperson_code
        conditions.append(Opportunity.salesperson_code == own if own is not None else false())
    if f.nos is not None and len(f.nos) > MAX_NOS:
        raise DomainError("INVALID", f"Give at most {MAX_NOS} numbers.", ["nos"])
    if f.nos is not None:
        conditions.append(Opportunity.no.in_([n.strip().upper() for n in f.nos]))
    if f.date_closed_from is not None:
        conditions.append(Opportunity.date_closed >= f.date_closed_from)
    if f.date_closed_to is not None:
        conditions.append(Opportunity.date_closed <= f.date_closed_to)
    for column, value in (
        (Opportunity.salesperson_code, f.salesperson_code),
        (Opportunity.campaign_no, f.campaign_no),
        (Opportunity.contact_no, f.contact_no),
        (Opportunity.sales_cycle_code, f.sales_cycle_code),
    ):
        if value is not None:
            conditions.append(column == value.strip().upper())
    deleted = (
        await session.execute(
            delete(Opportunity).where(*conditions).returning(Opportunity.no, Opportunity.salesperson_code)
        )
    ).all()
    for no, salesperson_code in sorted(deleted):
        outbox.record(session, EventType.DELETED, no, salesperson_code)
    return sorted(no for no, _ in deleted)
