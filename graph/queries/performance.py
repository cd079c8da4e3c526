"""Sales performance root fields: win rate, velocity and stage conversion."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from graph.context import Info
from graph.types.common import to_filter
from graph.types.performance import (
    StageConversion,
    Velocity,
    WinRateDimension,
    WinRateFilter,
    WinRateGroup,
)
from resolvers.analytics import performance as reads
from resolvers.reads.filters import code_value

CycleCode = Annotated[str, strawberry.argument(description="The sales cycle's code; case-insensitive.")]
WinRateFilterArg = Annotated[
    WinRateFilter | None, strawberry.argument(description="Only closed opportunities meeting all these.")
]


def _from(what: str) -> object:
    return strawberry.argument(name="from", description=f"{what} on or after this date; open when omitted.")


def _to(what: str) -> object:
    return strawberry.argument(
        description=f"{what} on or before this date; open when omitted. Before `from` is an error "
        "(INVALID_DATE_RANGE)."
    )


CLOSED = "Closed (closing date)"
LEFT = "Stays that ended (date of the entry that ended them)"
ENTERED = "Stage entries dated"


@strawberry.type
class PerformanceQuery:
    @strawberry.field(
        description="Win rate per salesperson or sales cycle over the opportunities closed in a "
        "date range: won and lost counts and estimated values, the rates by count and by value, "
        "and what the won ones sold for. Only groups with a closed opportunity, by code, the group "
        "without one last; more than 1,000 groups is an error (TOO_MANY_GROUPS). One statement."
    )
    async def win_rate(
        self,
        info: Info,
        group_by: Annotated[WinRateDimension, strawberry.argument(description="What to group by.")],
        from_: Annotated[dt.date | None, _from(CLOSED)] = None,
        to: Annotated[dt.date | None, _to(CLOSED)] = None,
        filter: WinRateFilterArg = None,
    ) -> list[WinRateGroup]:
        async with info.context.sessions() as session:
            groups = await reads.win_rates(
                session,
                group_by,
                reads.Period(from_, to),
                to_filter(filter, reads.WinRateFilter),
                info.context.viewer,
            )
        return [WinRateGroup.of(g) for g in groups]

    @strawberry.field(
        description="The win rate of all opportunities closed in the range (the total of `winRate`'s "
        "groups); its salesperson and cycle are null. One statement."
    )
    async def win_rate_total(
        self,
        info: Info,
        from_: Annotated[dt.date | None, _from(CLOSED)] = None,
        to: Annotated[dt.date | None, _to(CLOSED)] = None,
        filter: WinRateFilterArg = None,
    ) -> WinRateGroup:
        async with info.context.sessions() as session:
            total = await reads.win_rate_total(
                session,
                reads.Period(from_, to),
                to_filter(filter, reads.WinRateFilter),
                info.context.viewer,
            )
        return WinRateGroup.of(total)

    @strawberry.field(
        description="How fast opportunities move through a sales cycle: average and median days in "
        "each stage over the stays that ended in the range, and from creation to close over the "
        "opportunities closed in the range (all, won, lost). An unknown cycle is an error "
        "(NOT_FOUND). One statement, whatever the number of stages."
    )
    async def velocity(
        self,
        info: Info,
        sales_cycle_code: CycleCode,
        from_: Annotated[dt.date | None, _from(f"{LEFT}; {CLOSED.lower()}")] = None,
        to: Annotated[dt.date | None, _to(f"{LEFT}; {CLOSED.lower()}")] = None,
    ) -> Velocity:
        async with info.context.sessions() as session:
            figures = await reads.velocity(
                session, sales_cycle_code, reads.Period(from_, to), info.context.viewer
            )
        return Velocity.of(figures)

    @strawberry.field(
        description="Stage conversion of a sales cycle: for each stage in stage order, the "
        "opportunities that entered it in the range and the share of them that later moved to a "
        "higher stage or won (also after the range). An unknown cycle is an error (NOT_FOUND). "
        "One statement, whatever the number of stages."
    )
    async def stage_conversion(
        self,
        info: Info,
        sales_cycle_code: CycleCode,
        from_: Annotated[dt.date | None, _from(ENTERED)] = None,
        to: Annotated[dt.date | None, _to(ENTERED)] = None,
    ) -> list[StageConversion]:
        code = code_value(sales_cycle_code) or ""
        async with info.context.sessions() as session:
            rows = await reads.stage_conversion(
                session, code, reads.Period(from_, to), info.context.viewer
            )
        return [StageConversion.of(code, row) for row in rows]
