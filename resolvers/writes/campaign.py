"""Creating, editing and deleting campaigns (domain.md §1.12, §11.16, §11.17; api.md §6).

Opportunities validate against a campaign's dates and activation when they are assigned to it
(resolvers/writes/references.py ``campaign_ref``); editing the campaign later does not revisit them, as
in Business Central.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Campaign, Opportunity, OpportunityEntry, SalesOrder, SalesQuote, Task
from models.base import CODE20, TEXT100
from models.errors import Violations
from models.validation import check_date
from resolvers.errors import DomainError
from resolvers.writes.contact import Use, used_by
from resolvers.writes.references import check_code, check_text, code_of, salesperson_ref
from resolvers.writes.transaction import (
    UNCHANGED,
    Change,
    load_setup,
    series_allows_manual,
    take_numbers,
    unwrap,
)


@dataclass(frozen=True, slots=True)
class NewCampaign:
    description: str
    no: str | None = None
    starting_date: dt.date | None = None
    ending_date: dt.date | None = None
    activated: bool = False
    salesperson_code: str | None = None


@dataclass(frozen=True, slots=True)
class CampaignChanges:
    """An ``updateCampaign`` input: ``None`` for omitted fields; a given value may be null."""

    description: Change[str | None] = None
    starting_date: Change[dt.date | None] = None
    ending_date: Change[dt.date | None] = None
    activated: Change[bool | None] = None
    salesperson_code: Change[str | None] = None


def _check_dates(start: dt.date | None, end: dt.date | None, field: list[str], v: Violations) -> None:
    """The ending date on or after the starting date; each one given within the stored range."""
    in_range = check_date(start, ["startingDate"], v) & check_date(end, ["endingDate"], v)
    if in_range and start is not None and end is not None and end < start:
        v.add(
            "INVALID",
            f"The ending date {end.isoformat()} is before the starting date {start.isoformat()}.",
            field,
        )


async def create_campaign(session: AsyncSession, new: NewCampaign) -> str:
    """A new campaign; numbered from the setup's campaign series unless ``no`` is given."""
    v = Violations()
    setup = await load_setup(session)
    no = check_code(new.no, CODE20, ["no"], v)
    if no is not None:
        if not await series_allows_manual(session, setup.campaign_nos):
            v.add("INVALID", f"Number series {setup.campaign_nos} does not allow manual numbers.", ["no"])
        elif await session.get(Campaign, no) is not None:
            v.add("DUPLICATE", f"Campaign {no} already exists.", ["no"])
    description = check_text(new.description, TEXT100, ["description"], v, required=True)
    _check_dates(new.starting_date, new.ending_date, ["endingDate"], v)
    salesperson_code = check_code(new.salesperson_code, CODE20, ["salespersonCode"], v)
    await salesperson_ref(session, salesperson_code, ["salespersonCode"], v)
    v.raise_any()
    # The series row is locked last (resolvers/writes/transaction.py), after every check has passed.
    no = no or (await take_numbers(session, setup.campaign_nos, 1, ["no"]))[0]
    session.add(
        Campaign(
            no=no,
            description=description,
            starting_date=new.starting_date,
            ending_date=new.ending_date,
            activated=new.activated,
            salesperson_code=salesperson_code,
        )
    )
    await session.flush()
    return no


async def lock_campaign(session: AsyncSession, no: str) -> Campaign:
    """The campaign, locked ``FOR UPDATE``: nothing can start referencing it until this
    transaction ends, so the usage check of a delete stays true."""
    key = code_of(no) or ""
    campaign = await session.scalar(
        select(Campaign).where(Campaign.no == key).with_for_update().execution_options(populate_existing=True)
    )
    if campaign is None:
        raise DomainError("NOT_FOUND", f"Campaign {no} does not exist.", ["no"])
    return campaign


async def update_campaign(session: AsyncSession, no: str, changes: CampaignChanges) -> str:
    """Edit a campaign. The dates stay in order, the given one checked against the stored other."""
    campaign = await lock_campaign(session, no)
    v = Violations()
    description = unwrap(changes.description)
    if description is not UNCHANGED:
        description = check_text(description, TEXT100, ["description"], v, required=True)
    starting_date = unwrap(changes.starting_date)
    ending_date = unwrap(changes.ending_date)
    start = campaign.starting_date if starting_date is UNCHANGED else starting_date
    end = campaign.ending_date if ending_date is UNCHANGED else ending_date
    # The error goes on a field the input carries: the ending date unless only the start moved.
    _check_dates(start, end, ["endingDate" if ending_date is not UNCHANGED else "startingDate"], v)
    activated = unwrap(changes.activated)
    if activated is None:
        v.add("REQUIRED", "Activated cannot be null.", ["activated"])
    salesperson_code = unwrap(changes.salesperson_code)
    if salesperson_code is not UNCHANGED:
        salesperson_code = check_code(salesperson_code, CODE20, ["salespersonCode"], v)
        if salesperson_code != campaign.salesperson_code:
            await salesperson_ref(session, salesperson_code, ["salespersonCode"], v)
    v.raise_any()
    if description is not UNCHANGED:
        campaign.description = description
    campaign.starting_date, campaign.ending_date = start, end
    if activated is not UNCHANGED and activated is not None:
        campaign.activated = activated
    if salesperson_code is not UNCHANGED:
        campaign.salesperson_code = salesperson_code
    await session.flush()
    return campaign.no


async def delete_campaign(session: AsyncSession, no: str) -> str:
    """Delete a campaign nothing references (the brief's DELETE policy: history stays intact)."""
    campaign = await lock_campaign(session, no)
    uses = await used_by(
        session,
        [
            Use("opportunity", "opportunities", Opportunity, Opportunity.campaign_no == campaign.no),
            Use(
                "opportunity entry",
                "opportunity entries",
                OpportunityEntry,
                OpportunityEntry.campaign_no == campaign.no,
            ),
            Use("task", "tasks", Task, Task.campaign_no == campaign.no),
            Use("sales quote", "sales quotes", SalesQuote, SalesQuote.campaign_no == campaign.no),
            Use("sales order", "sales orders", SalesOrder, SalesOrder.campaign_no == campaign.no),
        ],
    )
    if uses is not None:
        raise DomainError(
            "IN_USE",
            f"You cannot delete campaign {campaign.no} {campaign.description}: it is used by {uses}.",
            ["no"],
        )
    await session.execute(delete(Campaign).where(Campaign.no == campaign.no))
    return campaign.no
