"""Opportunity entry reads: the append-only history."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import select

from models import ActionTaken, OpportunityEntry
from resolvers.reads.filters import code_value, date_range, equal, one_of
from resolvers.reads.pagination import Listing, ordering


class OpportunityEntryOrderField(enum.Enum):
    ENTRY_NO = "ENTRY_NO"
    DATE_OF_CHANGE = "DATE_OF_CHANGE"


@dataclass(frozen=True, slots=True)
class OpportunityEntryFilter:
    opportunity_no: str | None = None
    active: bool | None = None
    action_taken: tuple[ActionTaken, ...] | None = None
    sales_cycle_code: str | None = None
    stage: int | None = None
    salesperson_code: str | None = None
    contact_no: str | None = None
    close_opportunity_code: str | None = None
    date_of_change_from: dt.date | None = None
    date_of_change_to: dt.date | None = None


def entry_listing(f: OpportunityEntryFilter | None, order: list[tuple[str, bool]]) -> Listing:
    e = OpportunityEntry
    stmt = select(e)
    if f is not None:
        stmt = stmt.where(
            *equal(
                [
                    (e.opportunity_no, code_value(f.opportunity_no)),
                    (e.active, f.active),
                    (e.sales_cycle_code, code_value(f.sales_cycle_code)),
                    (e.sales_cycle_stage, f.stage),
                    (e.salesperson_code, code_value(f.salesperson_code)),
                    (e.contact_no, code_value(f.contact_no)),
                    (e.close_opportunity_code, code_value(f.close_opportunity_code)),
                ]
            ),
            *one_of(e.action_taken, f.action_taken),
            *date_range(e.date_of_change, f.date_of_change_from, f.date_of_change_to),
        )
    columns = {"ENTRY_NO": e.entry_no, "DATE_OF_CHANGE": e.date_of_change}
    return Listing(stmt, ordering(order, columns, "ENTRY_NO"), "opportunity_entry")
