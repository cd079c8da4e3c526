"""Sales performance: win rate, velocity and stage conversion (defined in resolvers.analytics.performance)."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from graph.context import Info
from graph.types.common import load_one, pct
from graph.types.sales_cycle import SalesCycle, SalesCycleStage, stage_in_cycle
from graph.types.salesperson import Salesperson
from resolvers.analytics import performance as reads

WinRateDimension = reads.WinRateDimension
strawberry.enum(
    reads.WinRateDimension,
    description="What the win rate groups by: the salesperson or the sales cycle of the closing entry.",
)

RATE = "A percentage with up to 4 decimals (half-up); 0 when the divisor is 0."


def _days(value: Decimal | None) -> Decimal | None:
    return None if value is None else pct(value)


@strawberry.input(description="Narrows the win rate to some closed opportunities; all conditions must hold.")
class WinRateFilter:
    salesperson_code: str | None = strawberry.field(
        default=None, description="Only this salesperson's (on the closing entry)."
    )
    sales_cycle_code: str | None = strawberry.field(default=None, description="Only this sales cycle's.")


@strawberry.type(
    description="Won and lost opportunities of one group, or of all of them (the total). An "
    "opportunity counts once, through its closing entry: its closing date, salesperson, cycle and "
    "values. Money in LCY with 2 decimals."
)
class WinRateGroup:
    salesperson_code: str | None = strawberry.field(
        description="SALESPERSON: the code; null in the group of opportunities without a "
        "salesperson, when grouped by cycle, and in the total."
    )
    sales_cycle_code: str | None = strawberry.field(
        description="SALES_CYCLE: the code; null in the group without a cycle, when grouped by "
        "salesperson, and in the total."
    )
    won: int = strawberry.field(description="Opportunities won in the range.")
    lost: int = strawberry.field(description="Opportunities lost in the range.")
    closed: int = strawberry.field(description="won + lost.")
    win_rate_by_count: Decimal = strawberry.field(description=f"won ÷ closed × 100. {RATE}")
    won_value: Decimal = strawberry.field(
        description="Sum of the estimated values of the won opportunities (the estimate they were won on)."
    )
    lost_value: Decimal = strawberry.field(
        description="Sum of the estimated values of the lost opportunities (the last estimate before "
        "the loss; a lost entry keeps it)."
    )
    closed_value: Decimal = strawberry.field(description="wonValue + lostValue.")
    win_rate_by_value: Decimal = strawberry.field(
        description=f"wonValue ÷ closedValue × 100: the share of the closed estimated value that was "
        f"won. Estimates, not sales values, because a lost opportunity has no sales value. {RATE}"
    )
    won_sales_value: Decimal = strawberry.field(
        description="Sum of the won opportunities' calculated current value: what they were won for "
        "(the sales value or linked quote's amount given on closing)."
    )

    @classmethod
    def of(cls, w: reads.WinRate) -> WinRateGroup:
        return cls(
            salesperson_code=w.salesperson_code,
            sales_cycle_code=w.sales_cycle_code,
            won=w.won,
            lost=w.lost,
            closed=w.closed,
            win_rate_by_count=pct(w.win_rate_by_count),
            won_value=w.won_value,
            lost_value=w.lost_value,
            closed_value=w.closed_value,
            win_rate_by_value=pct(w.win_rate_by_value),
            won_sales_value=w.won_sales_value,
        )

    @strawberry.field(description="SALESPERSON: the salesperson (loaded in one batch for all groups).")
    async def salesperson(self, info: Info) -> Salesperson | None:
        return await load_one(
            info.context.loaders.salesperson_by_code, self.salesperson_code, Salesperson.from_row
        )

    @strawberry.field(description="SALES_CYCLE: the sales cycle (loaded in one batch for all groups).")
    async def sales_cycle(self, info: Info) -> SalesCycle | None:
        return await load_one(
            info.context.loaders.sales_cycle_by_code, self.sales_cycle_code, SalesCycle.from_row
        )


@strawberry.type(description="How long it took: count, average and median in days (up to 2 decimals).")
class DaysToClose:
    opportunities: int = strawberry.field(description="How many opportunities closed in the range.")
    average_days_to_close: Decimal | None = strawberry.field(
        description="Average of closing date − creation date; null when none."
    )
    median_days_to_close: Decimal | None = strawberry.field(
        description="Median of closing date − creation date (the mean of the middle two for an even "
        "count); null when none."
    )

    @classmethod
    def of(cls, d: reads.Days) -> DaysToClose:
        return cls(
            opportunities=d.count,
            average_days_to_close=_days(d.average),
            median_days_to_close=_days(d.median),
        )


@strawberry.type(
    description="Time spent in one stage, over the stays that ended in the range. A stay begins with "
    "an entry into the stage (STARTED, NEXT, PREVIOUS or JUMPED), runs through the UPDATED entries "
    "after it, and ends on the date of the next entry that is not UPDATED (a move or the close); its "
    "length is the sum of its entries' daysOpen. Stays still running do not count."
)
class StageVelocity:
    stage_no: int = strawberry.field(description="The stage number.")
    entries: int = strawberry.field(description="How many stays in the stage ended in the range.")
    average_days_in_stage: Decimal | None = strawberry.field(
        description="Average length of those stays in days (up to 2 decimals); null when none."
    )
    median_days_in_stage: Decimal | None = strawberry.field(
        description="Median length of those stays in days (the mean of the middle two for an even "
        "count); null when none."
    )
    sales_cycle_code: strawberry.Private[str]

    @classmethod
    def of(cls, code: str, s: reads.StageDays) -> StageVelocity:
        return cls(
            stage_no=s.stage,
            entries=s.stays.count,
            average_days_in_stage=_days(s.stays.average),
            median_days_in_stage=_days(s.stays.median),
            sales_cycle_code=code,
        )

    @strawberry.field(
        description="The stage (read with its cycle, no further statement); null only if it was "
        "deleted meanwhile."
    )
    async def stage(self, info: Info) -> SalesCycleStage | None:
        return await stage_in_cycle(info, self.sales_cycle_code, self.stage_no)


@strawberry.type(description="How fast opportunities move through one sales cycle.")
class Velocity:
    sales_cycle_code: str = strawberry.field(description="The cycle's code.")
    stages: list[StageVelocity] = strawberry.field(
        description="Every stage of the cycle in stage order, also those no stay ended in."
    )
    closed: int = strawberry.field(
        description="Opportunities of the cycle closed (won or lost) with a closing date in the range."
    )
    average_days_to_close: Decimal | None = strawberry.field(
        description="Their average of closing date − creation date, in days (up to 2 decimals); "
        "null when none."
    )
    median_days_to_close: Decimal | None = strawberry.field(
        description="Their median of closing date − creation date (the mean of the middle two for "
        "an even count); null when none."
    )
    won: DaysToClose = strawberry.field(description="The same over the won ones only.")
    lost: DaysToClose = strawberry.field(description="The same over the lost ones only.")

    @classmethod
    def of(cls, v: reads.Velocity) -> Velocity:
        return cls(
            sales_cycle_code=v.sales_cycle_code,
            stages=[StageVelocity.of(v.sales_cycle_code, s) for s in v.stages],
            closed=v.closed.count,
            average_days_to_close=_days(v.closed.average),
            median_days_to_close=_days(v.closed.median),
            won=DaysToClose.of(v.won),
            lost=DaysToClose.of(v.lost),
        )

    @strawberry.field(description="The sales cycle; null only if it was deleted meanwhile.")
    async def sales_cycle(self, info: Info) -> SalesCycle | None:
        return await load_one(
            info.context.loaders.sales_cycle_by_code, self.sales_cycle_code, SalesCycle.from_row
        )


@strawberry.type(
    description="Of the opportunities that entered one stage in the range, how many later moved "
    "past it. Entering is an entry at the stage that is not UPDATED, dated in the range; moving past "
    "is any later entry (higher entryNo, whatever its date) at a higher stage, or WON."
)
class StageConversion:
    stage_no: int = strawberry.field(description="The stage number.")
    reached: int = strawberry.field(description="Opportunities that entered the stage in the range.")
    converted: int = strawberry.field(
        description="Those of them with a later entry at a higher stage or WON."
    )
    conversion_rate: Decimal = strawberry.field(description=f"converted ÷ reached × 100. {RATE}")
    sales_cycle_code: strawberry.Private[str]

    @classmethod
    def of(cls, code: str, c: reads.StageConversion) -> StageConversion:
        return cls(
            stage_no=c.stage,
            reached=c.reached,
            converted=c.converted,
            conversion_rate=pct(c.conversion_rate),
            sales_cycle_code=code,
        )

    @strawberry.field(
        description="The stage (read with its cycle, no further statement); null only if it was "
        "deleted meanwhile."
    )
    async def stage(self, info: Info) -> SalesCycleStage | None:
        return await stage_in_cycle(info, self.sales_cycle_code, self.stage_no)
