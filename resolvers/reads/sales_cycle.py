"""Sales cycle and stage reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import Select, select

from models import SalesCycle, SalesCycleStage
from resolvers.reads.filters import contains, equal
from resolvers.reads.pagination import Listing, ordering


class SalesCycleOrderField(enum.Enum):
    CODE = "CODE"
    DESCRIPTION = "DESCRIPTION"


@dataclass(frozen=True, slots=True)
class SalesCycleFilter:
    blocked: bool | None = None
    search: str | None = None


def sales_cycle_listing(f: SalesCycleFilter | None, order: list[tuple[str, bool]]) -> Listing:
    c = SalesCycle
    stmt = select(c)
    if f is not None:
        stmt = stmt.where(*equal([(c.blocked, f.blocked)]), *contains(c.description, f.search))
    columns = {"CODE": c.code, "DESCRIPTION": c.description}
    return Listing(stmt, ordering(order, columns, "CODE"), "sales_cycle")


def stages_in_order() -> Select[SalesCycleStage]:
    """Stages, always in ascending ``stage`` order within a cycle."""
    return select(SalesCycleStage).order_by(SalesCycleStage.sales_cycle_code, SalesCycleStage.stage)
