"""Business Central's statistics on salespeople, contacts, campaigns, cycles and stages (api.md §5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import strawberry

from graph.context import Info
from graph.types.enums import ActionTaken
from resolvers.analytics import statistics as reads

FILTER = strawberry.argument(description="Only entries meeting all these conditions.")


@strawberry.input(description="Narrows the opportunity entries a statistic counts; all conditions must hold.")
class StatisticsFilter:
    estimated_close_date_from: dt.date | None = strawberry.field(
        default=None, description="Estimated close date on or after (Business Central's date filter)."
    )
    estimated_close_date_to: dt.date | None = strawberry.field(
        default=None, description="Estimated close date on or before."
    )
    action_taken: list[ActionTaken] | None = strawberry.field(
        default=None, description="Only entries with one of these actions, e.g. [WON] or the open ones."
    )
    sales_cycle_code: str | None = strawberry.field(default=None, description="Only entries of this cycle.")
    stage: int | None = strawberry.field(default=None, description="Only entries at this stage.")


@strawberry.type(description="Counts and values of the active entries in a scope (domain.md §7).")
class OpportunityStatistics:
    no_of_opportunities: int = strawberry.field(description="Number of opportunities (active entries).")
    estimated_value: Decimal = strawberry.field(description="Sum of their estimated values.")
    calculated_current_value: Decimal = strawberry.field(description="Sum of their calculated values.")
    average_estimated_value: Decimal = strawberry.field(description="Average estimated value; 0 when none.")
    average_calculated_current_value: Decimal = strawberry.field(
        description="Average calculated current value; 0 when none."
    )


@strawberry.type(description="A stage's figures: the opportunities on it now, and how long entries stayed.")
class StageStatistics:
    no_of_opportunities: int = strawberry.field(description="Active entries at this stage.")
    estimated_value: Decimal = strawberry.field(description="Sum of their estimated values.")
    calculated_current_value: Decimal = strawberry.field(description="Sum of their calculated values.")
    average_no_of_days: Decimal = strawberry.field(
        description="Average days open of the inactive entries at this stage (2 decimals); 0 when none."
    )


def to_statistics_filter(f: StatisticsFilter | None) -> reads.StatisticsFilter:
    if f is None:
        return reads.StatisticsFilter()
    return reads.StatisticsFilter(
        estimated_close_date_from=f.estimated_close_date_from,
        estimated_close_date_to=f.estimated_close_date_to,
        action_taken=tuple(f.action_taken) if f.action_taken is not None else None,
        sales_cycle_code=f.sales_cycle_code,
        stage=f.stage,
    )


async def statistics_of(
    info: Info, scope: reads.Scope, key: str, f: StatisticsFilter | None
) -> OpportunityStatistics:
    """One parent's statistics, batched with its siblings' (one statement per list of parents)."""
    s = await info.context.loaders.statistics(scope, to_statistics_filter(f)).load(key)
    return OpportunityStatistics(
        no_of_opportunities=s.no_of_opportunities,
        estimated_value=s.estimated_value,
        calculated_current_value=s.calculated_current_value,
        average_estimated_value=s.average_estimated_value,
        average_calculated_current_value=s.average_calculated_current_value,
    )


async def stage_statistics_of(
    info: Info, cycle_code: str, stage: int, f: StatisticsFilter | None
) -> StageStatistics:
    s = await info.context.loaders.stage_statistics(to_statistics_filter(f)).load((cycle_code, stage))
    return StageStatistics(
        no_of_opportunities=s.no_of_opportunities,
        estimated_value=s.estimated_value,
        calculated_current_value=s.calculated_current_value,
        average_no_of_days=s.average_no_of_days,
    )


StatisticsFilterArg = Annotated[StatisticsFilter | None, FILTER]
