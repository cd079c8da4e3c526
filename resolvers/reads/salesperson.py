"""Salesperson reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select

from models import Salesperson
from resolvers.reads.filters import contains, equal
from resolvers.reads.pagination import Listing, ordering


class SalespersonOrderField(enum.Enum):
    CODE = "CODE"
    NAME = "NAME"


@dataclass(frozen=True, slots=True)
class SalespersonFilter:
    blocked: bool | None = None
    search: str | None = None


def salesperson_listing(f: SalespersonFilter | None, order: list[tuple[str, bool]]) -> Listing:
    s = Salesperson
    stmt = select(s)
    if f is not None:
        stmt = stmt.where(*equal([(s.blocked, f.blocked)]), *contains(s.name, f.search))
    return Listing(stmt, ordering(order, {"CODE": s.code, "NAME": s.name}, "CODE"), "salesperson")
