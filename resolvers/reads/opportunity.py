"""Opportunity reads: the list with its filters and orderings, and the rows the loaders fetch.

An opportunity row always comes with its active entry (LEFT JOIN on the partial unique index),
because the opportunity's KPIs are read from that entry (domain.md §3.4): one statement gives
both, for single rows, root lists and nested pages alike.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, select
from sqlalchemy.orm import aliased

from models import Opportunity, OpportunityEntry, OpportunityStatus, Priority
from resolvers.reads.filters import code_value, contains, date_range, equal, one_of
from resolvers.reads.pagination import Listing, ordering
from resolvers.reads.stage_age import stalled_for

ActiveEntry = aliased(OpportunityEntry, name="active_entry")

NO_DATE = literal(dt.date(1, 1, 1))
ZERO = literal(Decimal(0))


class OpportunityOrderField(enum.Enum):
    NO = "NO"
    DESCRIPTION = "DESCRIPTION"
    CREATION_DATE = "CREATION_DATE"
    ESTIMATED_VALUE = "ESTIMATED_VALUE"
    CALCULATED_CURRENT_VALUE = "CALCULATED_CURRENT_VALUE"
    ESTIMATED_CLOSING_DATE = "ESTIMATED_CLOSING_DATE"
    PROBABILITY_PCT = "PROBABILITY_PCT"
    DATE_CLOSED = "DATE_CLOSED"


# Nullable sort keys are coalesced: an opportunity without an active entry (not started) sorts
# as value 0 and as the earliest date, so cursors never hold NULL.
ORDER_COLUMNS: dict[str, Any] = {
    "NO": Opportunity.no,
    "DESCRIPTION": Opportunity.description,
    "CREATION_DATE": Opportunity.creation_date,
    "ESTIMATED_VALUE": func.coalesce(ActiveEntry.estimated_value, ZERO),
    "CALCULATED_CURRENT_VALUE": func.coalesce(ActiveEntry.calculated_current_value, ZERO),
    "ESTIMATED_CLOSING_DATE": func.coalesce(ActiveEntry.estimated_close_date, NO_DATE),
    "PROBABILITY_PCT": func.coalesce(ActiveEntry.probability_pct, ZERO),
    "DATE_CLOSED": func.coalesce(Opportunity.date_closed, NO_DATE),
}


@dataclass(frozen=True, slots=True)
class OpportunityFilter:
    status: tuple[OpportunityStatus, ...] | None = None
    closed: bool | None = None
    salesperson_code: str | None = None
    contact_no: str | None = None
    contact_company_no: str | None = None
    campaign_no: str | None = None
    sales_cycle_code: str | None = None
    current_stage: int | None = None
    priority: tuple[Priority, ...] | None = None
    creation_date_from: dt.date | None = None
    creation_date_to: dt.date | None = None
    estimated_closing_date_from: dt.date | None = None
    estimated_closing_date_to: dt.date | None = None
    date_closed_from: dt.date | None = None
    date_closed_to: dt.date | None = None
    search: str | None = None
    stalled_for_days: int | None = None


def opportunity_rows() -> Select[Opportunity, OpportunityEntry]:
    """Opportunities with their active entry (``None`` when not started)."""
    return select(Opportunity, ActiveEntry).outerjoin(
        ActiveEntry, and_(ActiveEntry.opportunity_no == Opportunity.no, ActiveEntry.active)
    )


def opportunity_conditions(
    f: OpportunityFilter, o: Any = Opportunity, e: Any = ActiveEntry
) -> list[ColumnElement[bool]]:
    """The filter's conditions on the opportunity's columns ``o`` and its active entry's ``e``.

    Another source with the same column names (the pipeline's state as of a past date) passes its
    own columns, so the filter means the same everywhere.
    """
    return [
        *equal(
            [
                (o.closed, f.closed),
                (o.salesperson_code, code_value(f.salesperson_code)),
                (o.contact_no, code_value(f.contact_no)),
                (o.contact_company_no, code_value(f.contact_company_no)),
                (o.campaign_no, code_value(f.campaign_no)),
                (o.sales_cycle_code, code_value(f.sales_cycle_code)),
                (e.sales_cycle_stage, f.current_stage),
            ]
        ),
        *one_of(o.status, f.status),
        *one_of(o.priority, f.priority),
        *date_range(o.creation_date, f.creation_date_from, f.creation_date_to),
        *date_range(e.estimated_close_date, f.estimated_closing_date_from, f.estimated_closing_date_to),
        *date_range(o.date_closed, f.date_closed_from, f.date_closed_to),
        *contains(o.description, f.search),
        *stalled_for(f.stalled_for_days, e),
    ]


def opportunity_listing(f: OpportunityFilter | None, order: list[tuple[str, bool]]) -> Listing:
    stmt = opportunity_rows()
    if f is not None:
        stmt = stmt.where(*opportunity_conditions(f))
    return Listing(stmt, ordering(order, ORDER_COLUMNS, "NO"), "opportunity")
