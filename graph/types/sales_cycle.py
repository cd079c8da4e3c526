"""Sales cycle and its stages."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

import models
from graph.context import Info
from graph.relay import Connection, Node, OrderDirection
from graph.types.common import After, Before, First, Last, load_one, pct
from graph.types.enums import ProbabilityCalculation
from graph.types.statistics import (
    OpportunityStatistics,
    StageStatistics,
    StatisticsFilterArg,
    stage_statistics_of,
    statistics_of,
)
from resolvers.analytics.statistics import Scope
from resolvers.reads import sales_cycle as reads

if TYPE_CHECKING:
    from graph.types.activity import Activity
    from graph.types.opportunity import Opportunity, OpportunityFilter, OpportunityOrder

SalesCycleOrderField = reads.SalesCycleOrderField
strawberry.enum(reads.SalesCycleOrderField, description="Sort keys of sales cycles.")


@strawberry.input(description="One sort term of a sales cycle list.")
class SalesCycleOrder:
    field: SalesCycleOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Sort direction.")


@strawberry.input(description="Narrows a sales cycle list.")
class SalesCycleFilter:
    blocked: bool | None = strawberry.field(default=None, description="Blocked or not.")
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the description."
    )


async def stages_of(info: Info, cycle_code: str) -> list[SalesCycleStage]:
    """A cycle's stages, converted once per request: every opportunity of a page reads them
    (``currentStage``, ``salesCycle { stages }``), and the objects are never changed."""
    rows = await info.context.loaders.stages_by_sales_cycle.load(cycle_code)
    return _converted(info, cycle_code, rows)


def loaded_stages(info: Info, cycle_code: str) -> list[SalesCycleStage] | None:
    """The cycle's stages when this request has loaded them already (the cycle loader fetches
    them with the cycles), without waiting; ``None`` when they are still to be loaded."""
    loaded = info.context.loaders.stages_by_sales_cycle.cache_map.get(cycle_code)
    if loaded is None or not loaded.done() or loaded.cancelled() or loaded.exception() is not None:
        return None
    return _converted(info, cycle_code, loaded.result())


def _converted(info: Info, cycle_code: str, rows: list[Any]) -> list[SalesCycleStage]:
    converted = info.context.loaders.converted
    key = ("SalesCycleStages", cycle_code)
    stages: list[SalesCycleStage] | None = converted.get(key)
    if stages is None:
        stages = converted[key] = [SalesCycleStage.from_row(row) for row in rows]
    return list(stages)


async def stage_in_cycle(info: Info, cycle_code: str, stage: int) -> SalesCycleStage | None:
    """One stage, read through its cycle: the cycle loader fetches the stages with the cycles."""
    await info.context.loaders.sales_cycle_by_code.load(cycle_code)
    for candidate in await stages_of(info, cycle_code):
        if candidate.stage == stage:
            return candidate
    return None


@strawberry.type(description="A sales cycle: an ordered list of stages opportunities move through.")
class SalesCycle(Node):
    code: str = strawberry.field(description="Code (natural key, Code[10]).")
    description: str = strawberry.field(description="Description.")
    probability_calculation: ProbabilityCalculation = strawberry.field(
        description="How entries' probability % is computed."
    )
    blocked: bool = strawberry.field(
        description="A blocked cycle cannot be assigned; opportunities on it can still move and close."
    )

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> SalesCycle:
        c = row[0]
        assert isinstance(c, models.SalesCycle)
        return cls(
            code=c.code,
            description=c.description,
            probability_calculation=c.probability_calculation,
            blocked=c.blocked,
        )

    def node_key(self) -> list[str | int]:
        return [self.code]

    @strawberry.field(
        description="Figures of the cycle's open opportunities: active entries that are not won or lost "
        "(domain.md §7), one statement for a whole list of parents."
    )
    async def statistics(self, info: Info, filter: StatisticsFilterArg = None) -> OpportunityStatistics:
        return await statistics_of(info, Scope.SALES_CYCLE, self.code, filter)

    @strawberry.field(description="The stages, always in ascending stage order.")
    def stages(self, info: Info) -> list[SalesCycleStage]:
        # Synchronous when the stages came with the cycle, as they nearly always do: an async
        # resolver costs the executor a task per field, one per opportunity of a page that
        # selects ``salesCycle { stages }``. Otherwise the executor awaits what it returns.
        loaded = loaded_stages(info, self.code)
        if loaded is not None:
            return loaded
        return stages_of(info, self.code)  # type: ignore[return-value]

    @strawberry.field(description="Opportunities on this sales cycle, paged.")
    async def opportunities(
        self,
        info: Info,
        filter: Annotated[
            Annotated[OpportunityFilter, strawberry.lazy("graph.types.opportunity")] | None,
            strawberry.argument(description="Only items meeting all these conditions."),
        ] = None,
        order_by: Annotated[
            list[Annotated[OpportunityOrder, strawberry.lazy("graph.types.opportunity")]] | None,
            strawberry.argument(
                description="Sort terms, applied in order; ties are broken by the natural key."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Opportunity, strawberry.lazy("graph.types.opportunity")]]:
        from graph.types.opportunity import opportunities_of

        return await opportunities_of(
            info,
            "OpportunitiesBySalesCycle",
            models.Opportunity.sales_cycle_code,
            self.code,
            filter,
            order_by,
            first,
            after,
            last,
            before,
        )


@strawberry.type(description="A stage of a sales cycle.")
class SalesCycleStage(Node):
    sales_cycle_code: str = strawberry.field(description="Code of the sales cycle.")
    stage: int = strawberry.field(description="Stage number (≥ 1); stages are ordered by it.")
    description: str = strawberry.field(description="Description, copied into entries.")
    completed_pct: Decimal = strawberry.field(description="Share of the cycle done at this stage (0–100).")
    chances_of_success_pct: Decimal = strawberry.field(description="Default chances of success % (0–100).")
    quote_required: bool = strawberry.field(
        description="A sales quote must be linked before entering this stage with NEXT or SKIP."
    )
    allow_skip: bool = strawberry.field(description="The stage may be passed over by SKIP.")
    date_formula: str = strawberry.field(
        description="Date formula proposing the estimated close date from the date of change."
    )
    row: strawberry.Private[models.SalesCycleStage]

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> SalesCycleStage:
        s = row[0]
        assert isinstance(s, models.SalesCycleStage)
        return cls(
            sales_cycle_code=s.sales_cycle_code,
            stage=s.stage,
            description=s.description,
            completed_pct=pct(s.completed_pct),
            chances_of_success_pct=pct(s.chances_of_success_pct),
            quote_required=s.quote_required,
            allow_skip=s.allow_skip,
            date_formula=s.date_formula,
            row=s,
        )

    def node_key(self) -> list[str | int]:
        return [self.sales_cycle_code, self.stage]

    @strawberry.field(
        description="Opportunities on this stage now (active entries) and the average days entries "
        "stayed on it (inactive entries); one statement for all stages of a page of cycles."
    )
    async def statistics(self, info: Info, filter: StatisticsFilterArg = None) -> StageStatistics:
        return await stage_statistics_of(info, self.sales_cycle_code, self.stage, filter)

    @strawberry.field(description="The sales cycle.")
    async def sales_cycle(self, info: Info) -> SalesCycle:
        row = await info.context.loaders.sales_cycle_by_code.load(self.sales_cycle_code)
        return SalesCycle.from_row(row)

    @strawberry.field(description="Activity whose steps become tasks when an opportunity enters the stage.")
    async def activity(
        self, info: Info
    ) -> Annotated[Activity, strawberry.lazy("graph.types.activity")] | None:
        from graph.types.activity import Activity

        return await load_one(
            info.context.loaders.activity_by_code, self.row.activity_code, Activity.from_row
        )
