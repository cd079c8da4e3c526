"""Campaign reads."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import func, literal, select

from models import Campaign
from resolvers.reads.filters import code_value, contains, equal
from resolvers.reads.pagination import Listing, ordering


class CampaignOrderField(enum.Enum):
    NO = "NO"
    DESCRIPTION = "DESCRIPTION"
    STARTING_DATE = "STARTING_DATE"


@dataclass(frozen=True, slots=True)
class CampaignFilter:
    activated: bool | None = None
    salesperson_code: str | None = None
    active_on: dt.date | None = None
    search: str | None = None


def campaign_listing(f: CampaignFilter | None, order: list[tuple[str, bool]]) -> Listing:
    c = Campaign
    stmt = select(c)
    if f is not None:
        stmt = stmt.where(
            *equal([(c.activated, f.activated), (c.salesperson_code, code_value(f.salesperson_code))]),
            *contains(c.description, f.search),
        )
        if f.active_on is not None:
            stmt = stmt.where(
                (c.starting_date.is_(None)) | (c.starting_date <= f.active_on),
                (c.ending_date.is_(None)) | (c.ending_date >= f.active_on),
            )
    columns = {
        "NO": c.no,
        "DESCRIPTION": c.description,
        # A campaign without a starting date sorts first (cursors never hold NULL).
        "STARTING_DATE": func.coalesce(c.starting_date, literal(dt.date(1, 1, 1))),
    }
    return Listing(stmt, ordering(order, columns, "NO"), "campaign")
