"""Campaign."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from graph.context import Info
from graph.relay import Connection, Node, OrderDirection
from graph.types.common import After, Before, First, Last, load_one
from graph.types.statistics import OpportunityStatistics, StatisticsFilterArg, statistics_of
from resolvers.analytics.statistics import Scope
from resolvers.reads import campaign as reads

if TYPE_CHECKING:
    from graph.types.opportunity import Opportunity, OpportunityFilter, OpportunityOrder
    from graph.types.salesperson import Salesperson

CampaignOrderField = reads.CampaignOrderField
strawberry.enum(reads.CampaignOrderField, description="Sort keys of campaigns.")


@strawberry.input(description="One sort term of a campaign list.")
class CampaignOrder:
    field: CampaignOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Sort direction.")


@strawberry.input(description="Narrows a campaign list.")
class CampaignFilter:
    activated: bool | None = strawberry.field(default=None, description="Activated or not.")
    salesperson_code: str | None = strawberry.field(default=None, description="Salesperson code.")
    active_on: dt.date | None = strawberry.field(
        default=None, description="Campaigns whose date range includes this date."
    )
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the description."
    )


@strawberry.type(description="A marketing campaign that opportunities can belong to.")
class Campaign(Node):
    no: str = strawberry.field(description="Number (natural key, Code[20]).")
    description: str = strawberry.field(description="Description.")
    starting_date: dt.date | None = strawberry.field(description="First day of the campaign.")
    ending_date: dt.date | None = strawberry.field(description="Last day of the campaign.")
    activated: bool = strawberry.field(description="Only activated campaigns can be assigned.")
    row: strawberry.Private[models.Campaign]

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> Campaign:
        c = row[0]
        assert isinstance(c, models.Campaign)
        return cls(
            no=c.no,
            description=c.description,
            starting_date=c.starting_date,
            ending_date=c.ending_date,
            activated=c.activated,
            row=c,
        )

    def node_key(self) -> list[str | int]:
        return [self.no]

    @strawberry.field(
        description="Figures of the campaign's active entries, won and lost included unless `actionTaken` "
        "narrows them (domain.md §7), one statement for a whole list of parents."
    )
    async def statistics(self, info: Info, filter: StatisticsFilterArg = None) -> OpportunityStatistics:
        return await statistics_of(info, Scope.CAMPAIGN, self.no, filter)

    @strawberry.field(description="Salesperson responsible for the campaign.")
    async def salesperson(
        self, info: Info
    ) -> Annotated[Salesperson, strawberry.lazy("graph.types.salesperson")] | None:
        from graph.types.salesperson import Salesperson

        return await load_one(
            info.context.loaders.salesperson_by_code, self.row.salesperson_code, Salesperson.from_row
        )

    @strawberry.field(description="Opportunities of this campaign, paged.")
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
            "OpportunitiesByCampaign",
            models.Opportunity.campaign_no,
            self.no,
            filter,
            order_by,
            first,
            after,
            last,
            before,
        )
