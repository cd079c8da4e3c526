"""Activity and close-code reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import Select, select

from models import Activity, ActivityStep, CloseOpportunityCode, CloseOutcome
from resolvers.reads.filters import contains, equal
from resolvers.reads.pagination import Listing, ordering


class ActivityOrderField(enum.Enum):
    CODE = "CODE"
    DESCRIPTION = "DESCRIPTION"


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    search: str | None = None


def activity_listing(f: ActivityFilter | None, order: list[tuple[str, bool]]) -> Listing:
    a = Activity
    stmt = select(a)
    if f is not None:
        stmt = stmt.where(*contains(a.description, f.search))
    columns = {"CODE": a.code, "DESCRIPTION": a.description}
    return Listing(stmt, ordering(order, columns, "CODE"), "activity")


def steps_in_order() -> Select[ActivityStep]:
    return select(ActivityStep).order_by(ActivityStep.activity_code, ActivityStep.step_no)


class CloseOpportunityCodeOrderField(enum.Enum):
    CODE = "CODE"
    DESCRIPTION = "DESCRIPTION"


@dataclass(frozen=True, slots=True)
class CloseOpportunityCodeFilter:
    type: CloseOutcome | None = None
    search: str | None = None


def close_code_listing(f: CloseOpportunityCodeFilter | None, order: list[tuple[str, bool]]) -> Listing:
    c = CloseOpportunityCode
    stmt = select(c)
    if f is not None:
        stmt = stmt.where(*equal([(c.type, f.type)]), *contains(c.description, f.search))
    columns = {"CODE": c.code, "DESCRIPTION": c.description}
    return Listing(stmt, ordering(order, columns, "CODE"), "close_opportunity_code")
