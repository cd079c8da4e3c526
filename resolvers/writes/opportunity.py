"""Creating, editing and deleting opportunities (domain.md §2.3, §4, §6; api.md §6).

``create`` is Business Central's Create Opportunity wizard (every check of §2.3, optionally
activating the first stage); ``update`` applies the editability rules of §6.3 and propagates a new
salesperson, contact or campaign to the active entry and the open tasks (§4, §11.18).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, RowMapping, delete, false, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Opportunity, OpportunityStatus, Priority, ProbabilityCalculation, SalesQuote, Task
from models.base import CODE10, CODE20, TEXT100
from models.errors import Violations
from models.lifecycle import Position
from models.stage_change import plan_first_stage
from models.validation import (
    check_date,
    check_money,
    check_pct,
    positive_as_stored,
    positive_pct_as_stored,
)
from resolvers.access.rows import forbidden_salesperson, owns
from resolvers.errors import DomainError
from resolvers.lifecycle.moves import (
    LifecycleResult,
    Situation,
    insert_entry,
    parse_stages,
    persistent,
    situation,
)
from resolvers.lifecycle.statements import (
    CREATE_REFERENCES,
    INSERT_OPPORTUNITY,
    NEW_OPPORTUNITY,
    OPPORTUNITY,
    values_of,
)
from resolvers.viewer import Role, Viewer
from resolvers.writes.references import (
    campaign_ref,
    check_campaign,
    check_code,
    check_contact,
    check_sales_cycle,
    check_salesperson,
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
    first_touch,
    lock_opportunity,
    numbers_taken,
    today_in,
    touch,
    unwrap,
)

#: At most this many numbers in one ``deleteClosedOpportunities`` filter.
MAX_NOS = 1000


@dataclass(frozen=True, slots=True)
class NewOpportunity:
    description: str
    contact_no: str
    no: str | None = None
    salesperson_code: str | None = None
    sales_cycle_code: str | None = None
    campaign_no: str | None = None
    priority: Priority = Priority.NORMAL
    creation_date: dt.date | None = None
    activate_first_stage: bool = False
    estimated_value: Decimal | None = None
    chances_of_success_pct: Decimal | None = None
    estimated_closing_date: dt.date | None = None


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


@dataclass(frozen=True, slots=True)
class _Blockable:
    blocked: bool


@dataclass(frozen=True, slots=True)
class _Campaign:
    activated: bool
    starting_date: dt.date | None
    ending_date: dt.date | None


async def create_opportunity(session: AsyncSession, viewer: Viewer, new: NewOpportunity) -> LifecycleResult:
    """The Create Opportunity wizard (domain.md §2.3, §6.2, §11.3, §11.16). A ``SALESPERSON``
    creates opportunities for itself only (api.md §7.1): its own code by default.

    Every reference is read in one statement (``CREATE_REFERENCES``, which also takes the next
    number), the opportunity inserted in a second; activating the first stage writes it as any
    stage move (``insert_entry``) from what the first statement read."""
    # The codes to look up first; their errors join the others in the wizard's order below.
    no, no_errors = _code(new.no, CODE20, ["no"])
    contact_no, contact_errors = _code(new.contact_no, CODE20, ["contactNo"])
    salesperson_code, salesperson_errors = _code(new.salesperson_code, CODE20, ["salespersonCode"])
    # The contact's salesperson (domain.md §2.3); the setup's default is for new contacts only.
    # A salesperson creates for itself.
    contacts_salesperson = False
    if salesperson_code is None and new.salesperson_code is None:
        salesperson_code = viewer.salesperson_code if viewer.role is Role.SALESPERSON else None
        contacts_salesperson = salesperson_code is None
    cycle_code, cycle_errors = _code(new.sales_cycle_code, CODE10, ["salesCycleCode"])
    default_cycle = cycle_code is None and new.sales_cycle_code is None
    campaign_no, campaign_errors = _code(new.campaign_no, CODE20, ["campaignNo"])
    connection = await session.connection()
    row = (
        (
            await connection.exec_driver_sql(
                CREATE_REFERENCES,
                (
                    no,
                    contact_no,
                    salesperson_code,
                    contacts_salesperson,
                    cycle_code,
                    default_cycle,
                    campaign_no,
                ),
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise RuntimeError("the setup row is missing; run the migrations")
    v = Violations()
    today = today_in(row["time_zone"])
    creation_date = new.creation_date or today
    if not check_date(new.creation_date, ["creationDate"], v):
        creation_date = today  # checked against the campaign's dates below all the same
    v.extend(no_errors)
    if no is not None:
        if not row["manual_nos"]:
            v.add("INVALID", f"Number series {row['opportunity_nos']} does not allow manual numbers.", ["no"])
        elif row["duplicate"]:
            v.add("DUPLICATE", f"Opportunity {no} already exists.", ["no"])
    description = check_text(new.description, TEXT100, ["description"], v, required=True)
    v.extend(contact_errors)
    if contact_no is None and not v.errors_on(["contactNo"]):
        v.add("REQUIRED", "You must fill in the contact that is involved in the opportunity.", ["contactNo"])
    check_contact(contact_no, row["contact_no"], ["contactNo"], v)
    v.extend(salesperson_errors)
    if contacts_salesperson:
        salesperson_code = row["contact_salesperson_code"]
    if salesperson_code is None and not v.errors_on(["salespersonCode"]):
        v.add("REQUIRED", "You must fill in the salesperson code.", ["salespersonCode"])
    if salesperson_code is not None and not owns(viewer, salesperson_code):
        v.extend([forbidden_salesperson(salesperson_code, ["salespersonCode"])])
    else:
        salesperson = _Blockable(row["salesperson_blocked"]) if row["salesperson_code"] is not None else None
        check_salesperson(salesperson_code, salesperson, ["salespersonCode"], v)
    v.extend(cycle_errors)
    cycle = _Blockable(row["sales_cycle_blocked"]) if row["sales_cycle_code"] is not None else None
    if default_cycle:
        # The setup's default sales cycle, when it exists and is not blocked (domain.md §2.3).
        cycle_code = row["sales_cycle_code"] if cycle is not None and not cycle.blocked else None
    if cycle_code is None and not v.errors_on(["salesCycleCode"]):
        v.add("REQUIRED", "You must fill in the sales cycle code.", ["salesCycleCode"])
    check_sales_cycle(cycle_code, cycle, ["salesCycleCode"], v)
    v.extend(campaign_errors)
    campaign = (
        _Campaign(row["campaign_activated"], row["campaign_starting_date"], row["campaign_ending_date"])
        if row["campaign_no"] is not None
        else None
    )
    check_campaign(campaign_no, campaign, creation_date, ["campaignNo"], v)
    if new.activate_first_stage:
        _check_activation(new, creation_date, v)
    v.raise_any()
    assert contact_no is not None
    values: dict[str, object] = {
        "no": no or _next_number(row),
        "no_series": "" if no else row["opportunity_nos"],
        "description": description,
        "salesperson_code": salesperson_code,
        "campaign_no": campaign_no,
        "contact_no": contact_no,
        "contact_company_no": row["contact_company_no"],
        "sales_cycle_code": cycle_code,
        "sales_quote_no": None,
        "sales_order_no": None,
        "creation_date": creation_date,
        "status": OpportunityStatus.NOT_STARTED.value,
        "priority": new.priority.value,
        "closed": False,
        "date_closed": None,
        "version": 1,
    }
    inserted = (
        (await connection.exec_driver_sql(INSERT_OPPORTUNITY, tuple(values[c] for c in NEW_OPPORTUNITY)))
        .mappings()
        .one()
    )
    opp = persistent(session, Opportunity, values_of(OPPORTUNITY, inserted))
    first_touch(session, opp.no)  # created at version 1, activated or not
    if not new.activate_first_stage:
        return LifecycleResult(opp, None)
    method = row["probability_calculation"]
    position = Position(
        no=opp.no,
        status=opp.status,
        sales_cycle_code=opp.sales_cycle_code,
        method=ProbabilityCalculation(method) if method is not None else ProbabilityCalculation.MULTIPLY,
        active=None,
    )
    s = Situation(opp, None, parse_stages(row["stages"]), position, row["task_nos"], today)
    planned = plan_first_stage(
        s.position,
        s.stages,
        creation_date,
        new.estimated_value or Decimal(0),
        new.chances_of_success_pct or Decimal(0),
        new.estimated_closing_date,
    )
    return await insert_entry(session, s, planned, cancel_old_tasks=False)


def _code(value: str | None, length: int, field: list[str]) -> tuple[str | None, list[DomainError]]:
    """``check_code`` with its errors kept apart."""
    v = Violations()
    code = check_code(value, length, field, v)
    return code, v.errors


def _next_number(row: RowMapping) -> str:
    """The number ``CREATE_REFERENCES`` took from the setup's opportunity series."""
    series = row["opportunity_nos"]
    if row["number_after"] is None:
        raise RuntimeError(f"number series {series} is missing")
    return numbers_taken(series, row["number_prefix"], row["number_width"], row["number_after"], 1, ["no"])[0]


def _check_activation(new: NewOpportunity, creation_date: dt.date, v: Violations) -> None:
    """The wizard's checks before it activates the first stage (domain.md §2.3, §11.3)."""
    check_money(new.estimated_value, ["estimatedValue"], v)
    check_pct(new.chances_of_success_pct, ["chancesOfSuccessPct"], v)
    if new.estimated_value is None:
        v.add("REQUIRED", "You must fill in the estimated value.", ["estimatedValue"])
    elif not v.errors_on(["estimatedValue"]) and not positive_as_stored(new.estimated_value):
        v.add("MUST_BE_POSITIVE", "Estimated value must be greater than 0.", ["estimatedValue"])
    if new.chances_of_success_pct is None:
        v.add("REQUIRED", "You must fill in the chances of success %.", ["chancesOfSuccessPct"])
    elif not v.errors_on(["chancesOfSuccessPct"]) and not positive_pct_as_stored(new.chances_of_success_pct):
        v.add("MUST_BE_POSITIVE", "Chances of success % must be greater than 0.", ["chancesOfSuccessPct"])
    if new.estimated_closing_date is None:
        v.add("REQUIRED", "You must fill in the estimated closing date.", ["estimatedClosingDate"])
    elif check_date(new.estimated_closing_date, ["estimatedClosingDate"], v) and (
        new.estimated_closing_date < creation_date
    ):
        v.add(
            "CLOSE_DATE_BEFORE_CHANGE",
            "The estimated closing date has to be on or after the creation date.",
            ["estimatedClosingDate"],
        )


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
    deleted = await session.scalars(delete(Opportunity).where(*conditions).returning(Opportunity.no))
    return sorted(deleted)
