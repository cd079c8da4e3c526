"""Pipeline analytics root fields: grouped measures now and as of a past date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from graph.context import Info
from graph.types.common import to_filter
from graph.types.opportunity import OpportunityFilter
from graph.types.pipeline import PeriodDate, PeriodUnit, Pipeline, PipelineDimension
from resolvers.analytics import pipeline as reads
from resolvers.reads import opportunity as opportunity_reads


@strawberry.type
class PipelineQuery:
    @strawberry.field(
        description=(
            "Opportunity counts and values grouped by up to four dimensions, with the total, in one "
            "statement: Business Central's opportunities matrix and chart. Each opportunity counts "
            "once, with its active entry's estimated and calculated current values (0 when not "
            "started, the closing entry's once won or lost). More than 1,000 groups is an error "
            "(TOO_MANY_GROUPS)."
        )
    )
    async def pipeline(
        self,
        info: Info,
        group_by: Annotated[
            list[PipelineDimension],
            strawberry.argument(
                description="The dimensions, at most 4, each once; the groups sort in this order. "
                "Empty gives one group of everything."
            ),
        ],
        period: Annotated[
            PeriodUnit | None,
            strawberry.argument(description="The period length; required with, and only with, PERIOD."),
        ] = None,
        period_date: Annotated[
            PeriodDate,
            strawberry.argument(description="The date whose period PERIOD groups by."),
        ] = PeriodDate.ESTIMATED_CLOSE_DATE,
        filter: Annotated[
            OpportunityFilter | None,
            strawberry.argument(
                description="Only opportunities meeting all these conditions (as the opportunity "
                "list); with `asOf`, read on their state on that date."
            ),
        ] = None,
        as_of: Annotated[
            dt.date | None,
            strawberry.argument(
                description=(
                    "Compute the pipeline as it stood at the end of this date: each opportunity "
                    "created by then counts with the entry active on that date (the latest with "
                    "dateOfChange on or before it; ties to the highest entryNo), and with that "
                    "entry's salesperson, contact, company, campaign, cycle, stage, estimated close "
                    "date and values; status WON/LOST from that entry's action, else IN_PROGRESS; "
                    "NOT_STARTED with 0 values, and today's assignments, when it had no entry yet. "
                    "The filter applies to that state (priority and description as today, having no "
                    "history); a filter field measured from today (stalledForDays) is refused "
                    "(FILTER_NOT_SUPPORTED_AS_OF). Deleted opportunities are gone from every date."
                )
            ),
        ] = None,
    ) -> Pipeline:
        request = reads.PipelineRequest(
            dimensions=tuple(group_by),
            period=period,
            period_date=period_date,
            filter=to_filter(filter, opportunity_reads.OpportunityFilter),
            as_of=as_of,
        )
        async with info.context.sessions() as session:
            figures = await reads.pipeline(session, request, info.context.viewer)
        return Pipeline.of(figures)
