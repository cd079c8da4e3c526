"""The grouped pipeline: its dimensions, keys and measures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from graph.context import Info
from graph.types.campaign import Campaign
from graph.types.common import load_one
from graph.types.contact import Contact
from graph.types.enums import OpportunityStatus
from graph.types.sales_cycle import SalesCycle, SalesCycleStage, stage_in_cycle
from graph.types.salesperson import Salesperson
from resolvers.analytics import pipeline as reads

PipelineDimension = reads.PipelineDimension
strawberry.enum(
    reads.PipelineDimension,
    description=(
        "What the pipeline groups by: SALESPERSON, SALES_CYCLE, STAGE (the entry's stage number; "
        "null when not started, 0 when won or lost), CONTACT_COMPANY, CAMPAIGN, STATUS, and PERIOD "
        "(the `period` of the `periodDate`)."
    ),
)
PeriodUnit = reads.PeriodUnit
strawberry.enum(
    reads.PeriodUnit,
    description="Length of a period: calendar day, ISO week (Monday to Sunday), month, quarter or year.",
)
PeriodDate = reads.PeriodDate
strawberry.enum(
    reads.PeriodDate,
    description=(
        "The date whose period groups an opportunity: the estimated close date of its (active) "
        "entry, its creation date, or its closing date. An opportunity without that date (not "
        "started, or not closed) falls in the group whose period is null."
    ),
)


@strawberry.type(description="The five measures of a set of opportunities (money in LCY, 2 decimals).")
class PipelineMeasures:
    no_of_opportunities: int = strawberry.field(description="How many opportunities.")
    estimated_value: Decimal = strawberry.field(description="Sum of their estimated values.")
    calculated_current_value: Decimal = strawberry.field(
        description="Sum of their calculated current values."
    )
    average_estimated_value: Decimal = strawberry.field(
        description="Estimated value ÷ number of opportunities, rounded half-up to the cent; 0 when none."
    )
    average_calculated_current_value: Decimal = strawberry.field(
        description="Calculated current value ÷ number of opportunities, rounded half-up to the cent; "
        "0 when none."
    )

    @classmethod
    def of(cls, m: reads.Measures) -> PipelineMeasures:
        return cls(
            no_of_opportunities=m.no_of_opportunities,
            estimated_value=m.estimated_value,
            calculated_current_value=m.calculated_current_value,
            average_estimated_value=m.average_estimated_value,
            average_calculated_current_value=m.average_calculated_current_value,
        )


@strawberry.type(
    description="The values of the grouped dimensions; the dimensions not grouped by are null, and so "
    "is a grouped one the opportunities lack (no campaign, no date for the period)."
)
class PipelineKey:
    salesperson_code: str | None = strawberry.field(description="SALESPERSON: the salesperson's code.")
    sales_cycle_code: str | None = strawberry.field(description="SALES_CYCLE: the sales cycle's code.")
    stage: int | None = strawberry.field(
        description="STAGE: the stage number (null when not started, 0 when won or lost)."
    )
    contact_company_no: str | None = strawberry.field(
        description="CONTACT_COMPANY: the number of the contact's company."
    )
    campaign_no: str | None = strawberry.field(description="CAMPAIGN: the campaign number.")
    status: OpportunityStatus | None = strawberry.field(description="STATUS: the status.")
    period_start: dt.date | None = strawberry.field(description="PERIOD: the first day of the period.")
    period_end: dt.date | None = strawberry.field(description="PERIOD: the last day of the period.")

    @classmethod
    def of(cls, k: reads.GroupKey) -> PipelineKey:
        return cls(
            salesperson_code=k.salesperson_code,
            sales_cycle_code=k.sales_cycle_code,
            stage=k.stage,
            contact_company_no=k.contact_company_no,
            campaign_no=k.campaign_no,
            status=k.status,
            period_start=k.period_start,
            period_end=k.period_end,
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

    @strawberry.field(
        description="SALES_CYCLE and STAGE together: the stage of that cycle (read with the cycles, "
        "no further statement); null otherwise, and for not-started or closed opportunities."
    )
    async def sales_cycle_stage(self, info: Info) -> SalesCycleStage | None:
        if self.sales_cycle_code is None or not self.stage:
            return None
        return await stage_in_cycle(info, self.sales_cycle_code, self.stage)

    @strawberry.field(
        description="CONTACT_COMPANY: the company contact (loaded in one batch for all groups)."
    )
    async def contact_company(self, info: Info) -> Contact | None:
        return await load_one(info.context.loaders.contact_by_no, self.contact_company_no, Contact.from_row)

    @strawberry.field(description="CAMPAIGN: the campaign (loaded in one batch for all groups).")
    async def campaign(self, info: Info) -> Campaign | None:
        return await load_one(info.context.loaders.campaign_by_no, self.campaign_no, Campaign.from_row)


@strawberry.type(description="The measures of one group of opportunities.")
class PipelineGroup:
    key: PipelineKey = strawberry.field(description="What the opportunities of the group share.")
    measures: PipelineMeasures = strawberry.field(description="Their measures.")


@strawberry.type(description="Opportunities grouped by the requested dimensions, with the total.")
class Pipeline:
    groups: list[PipelineGroup] = strawberry.field(
        description="The non-empty groups (at most 1,000), sorted by key: each grouped dimension in "
        "`groupBy` order, ascending (codes and numbers alphabetically, statuses NOT_STARTED, "
        "IN_PROGRESS, WON, LOST, periods by start), nulls last. Without dimensions, one group "
        "holding every matching opportunity (none when there are none)."
    )
    total: PipelineMeasures = strawberry.field(description="The measures of all matching opportunities.")

    @classmethod
    def of(cls, figures: reads.PipelineFigures) -> Pipeline:
        return cls(
            groups=[
                PipelineGroup(key=PipelineKey.of(g.key), measures=PipelineMeasures.of(g.measures))
                for g in figures.groups
            ],
            total=PipelineMeasures.of(figures.total),
        )
