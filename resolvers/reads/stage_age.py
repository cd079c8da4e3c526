"""How long an open opportunity has been in its current stage (``Opportunity.daysInCurrentStage``
and the opportunity filter ``stalledForDays``).

An opportunity **entered its current stage** on the date of its latest entry that is not UPDATED
(an update never changes the stage), and has been in it for today − that date, today being the
date in the setup's time zone. Not started and closed opportunities have no current stage.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, bindparam, case, cast, func, select
from sqlalchemy.orm import aliased

from models import ActionTaken, OpportunityEntry, Setup
from models.setup import SETUP_ID
from resolvers.errors import RequestError
from resolvers.reads.pagination import AnySelect

MAX_STALLED_DAYS = 36_500


def action_literal(value: ActionTaken) -> Any:
    """An action rendered inline, not bound: a partial index ``WHERE action_taken <> 'UPDATED'``
    is then usable by every plan, generic ones included."""
    return bindparam(None, value, type_=OpportunityEntry.action_taken.type, literal_execute=True)


UPDATED = action_literal(ActionTaken.UPDATED)


def business_today() -> Any:
    """Today in the setup's time zone, computed by the database (the same date as ``today_in``)."""
    zone = select(Setup.time_zone).where(Setup.id == SETUP_ID).scalar_subquery()
    return cast(func.timezone(zone, func.now()), Date)


def stage_entered_on(e: Any) -> Any:
    """The date the opportunity of entry ``e`` (its active entry) entered its current stage.

    Usually the active entry's own date; for an UPDATED entry, the date of the latest earlier
    entry that is not UPDATED. All entries of an opportunity carry its sales cycle (it is frozen
    once started, §6.3), which lets the lookup use the (cycle, opportunity, entry) history index.
    """
    x = aliased(OpportunityEntry, name="stage_move")
    latest_move = (
        select(x.date_of_change)
        .where(
            x.sales_cycle_code == e.sales_cycle_code,
            x.opportunity_no == e.opportunity_no,
            x.entry_no < e.entry_no,
            x.action_taken != UPDATED,
        )
        .order_by(x.entry_no.desc())
        .limit(1)
        .scalar_subquery()
    )
    return case((e.action_taken != UPDATED, e.date_of_change), else_=latest_move)


def is_open(e: Any) -> Any:
    """The active entry ``e`` exists and is not a closing one (only those have a closing date)."""
    return e.date_closed.is_(None) & e.entry_no.is_not(None)


def stalled_for(days: int | None, e: Any) -> list[Any]:
    """Open opportunities in their current stage for more than ``days`` days (``e`` is the
    active entry): entered it before today − ``days``."""
    if days is None:
        return []
    if not 0 <= days <= MAX_STALLED_DAYS:
        raise RequestError(
            "INVALID_FILTER", f"`stalledForDays` must be between 0 and {MAX_STALLED_DAYS}, not {days}."
        )
    cutoff = business_today() - bindparam(None, days, type_=Integer)
    return [is_open(e), stage_entered_on(e) < cutoff]


#: The active entry in :func:`days_in_current_stage`; its ``opportunity_no`` is the loader's key.
CurrentEntry = aliased(OpportunityEntry, name="current_entry")


def days_in_current_stage() -> AnySelect:
    """(opportunity no, days in the current stage) of open opportunities; a loader adds the
    ``CurrentEntry.opportunity_no IN (…)`` of its batch."""
    e = CurrentEntry
    return select(e.opportunity_no, business_today() - stage_entered_on(e)).where(e.active, is_open(e))
