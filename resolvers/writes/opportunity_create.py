"""Creating an opportunity: Business Central's Create Opportunity wizard (domain.md §2.3, §6.2,
§11.3, §11.16), optionally activating the first stage.

Every reference the wizard checks is read in one statement (``statements.CREATE_REFERENCES``,
which also takes the next number), the opportunity is inserted in a second, and activating writes
the first entry as any stage move does (``insert_entry``), from what the first statement read.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from models import Opportunity, OpportunityStatus, Priority
from models.base import CODE10, CODE20, TEXT100
from models.errors import Violations
from models.event import EventType
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
from resolvers.events import outbox
from resolvers.lifecycle.moves import LifecycleResult, insert_entry
from resolvers.lifecycle.situation import persistent, situation_of
from resolvers.lifecycle.statements import (
    CREATE_REFERENCES,
    INSERT_OPPORTUNITY,
    NEW_OPPORTUNITY,
)
from resolvers.viewer import Role, Viewer
from resolvers.writes.references import (
    check_campaign,
    check_code,
    check_contact,
    check_sales_cycle,
    check_salesperson,
    check_text,
)
from resolvers.writes.transaction import first_touch, numbers_taken, today_in


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
        "status": OpportunityStatus.NOT_STARTED,
        "priority": new.priority,
        "closed": False,
        "date_closed": None,
        "version": 1,
    }
    parameters = tuple(_stored(values[c]) for c in NEW_OPPORTUNITY)
    inserted = (await connection.exec_driver_sql(INSERT_OPPORTUNITY, parameters)).mappings().one()
    # The instance holds the values given, as an ORM flush leaves them, and the timestamps the
    # database made.
    opp = persistent(session, Opportunity, {**values, **inserted})
    first_touch(session, opp.no)  # created at version 1, activated or not
    outbox.record(session, EventType.CREATED, opp.no, opp.salesperson_code)
    if not new.activate_first_stage:
        return LifecycleResult(opp, None)
    s = situation_of(opp, None, row, today, None)
    planned = plan_first_stage(
        s.position,
        s.stages,
        creation_date,
        new.estimated_value or Decimal(0),
        new.chances_of_success_pct or Decimal(0),
        new.estimated_closing_date,
    )
    return await insert_entry(session, s, planned, cancel_old_tasks=False)


def _stored(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


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
