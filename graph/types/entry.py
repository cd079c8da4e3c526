"""Opportunity entry: one step of an opportunity's history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

import models
from graph.context import Info
from graph.relay import Connection, Node, OrderDirection, nested_connection, order_terms, page_args
from graph.types.common import load_one, pct, to_filter
from graph.types.enums import ActionTaken
from resolvers.reads import entry as reads
from resolvers.reads.pagination import Listing

if TYPE_CHECKING:
    from graph.types.activity import CloseOpportunityCode
    from graph.types.contact import Contact
    from graph.types.opportunity import Opportunity
    from graph.types.sales_cycle import SalesCycle, SalesCycleStage
    from graph.types.salesperson import Salesperson

OpportunityEntryOrderField = reads.OpportunityEntryOrderField
strawberry.enum(reads.OpportunityEntryOrderField, description="Sort keys of opportunity entries.")


@strawberry.input(description="One sort term of an entry list.")
class OpportunityEntryOrder:
    field: OpportunityEntryOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Sort direction.")


@strawberry.input(description="Narrows an entry list.")
class OpportunityEntryFilter:
    opportunity_no: str | None = strawberry.field(default=None, description="Opportunity number.")
    active: bool | None = strawberry.field(default=None, description="Only the active (or inactive) entries.")
    action_taken: list[ActionTaken] | None = strawberry.field(
        default=None, description="Any of these actions."
    )
    sales_cycle_code: str | None = strawberry.field(default=None, description="Sales cycle code.")
    stage: int | None = strawberry.field(default=None, description="Stage number (0 for won/lost entries).")
    salesperson_code: str | None = strawberry.field(default=None, description="Salesperson code.")
    contact_no: str | None = strawberry.field(default=None, description="Contact number.")
    close_opportunity_code: str | None = strawberry.field(default=None, description="Close code.")
    date_of_change_from: dt.date | None = strawberry.field(default=None, description="Changed on or after.")
    date_of_change_to: dt.date | None = strawberry.field(default=None, description="Changed on or before.")


def entry_listing(
    filter: OpportunityEntryFilter | None, order_by: list[OpportunityEntryOrder] | None
) -> tuple[tuple[object, ...], Listing]:
    data = to_filter(filter, reads.OpportunityEntryFilter)
    terms = order_terms(order_by)
    return (data, tuple(terms)), reads.entry_listing(data, terms)


async def entries_of(
    info: Info,
    relation: str,
    parent_column: Any,
    parent_key: Any,
    filter: OpportunityEntryFilter | None,
    order_by: list[OpportunityEntryOrder] | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[OpportunityEntry]:
    params, listing = entry_listing(filter, order_by)
    return await nested_connection(
        info,
        relation,
        params,
        listing,
        parent_column,
        parent_key,
        page_args(first, after, last, before),
        OpportunityEntry.from_row,
    )


@strawberry.type(
    description="An entry of an opportunity's history. Exactly one entry of a started opportunity is active."
)
class OpportunityEntry(Node):
    entry_no: int = strawberry.field(description="Entry number: one global increasing sequence.")
    stage_no: int = strawberry.field(description="Stage reached by this entry; 0 for won/lost entries.")
    previous_stage_no: int = strawberry.field(
        description="Stage of the entry active before this one (0 for the first)."
    )
    stage_description: str = strawberry.field(description="Stage description when the entry was made.")
    action_taken: ActionTaken = strawberry.field(description="What produced this entry.")
    date_of_change: dt.date = strawberry.field(description="Effective date of this step.")
    active: bool = strawberry.field(description="True for the newest entry of the opportunity.")
    date_closed: dt.date | None = strawberry.field(description="Closing date (won/lost entries only).")
    days_open: int = strawberry.field(description="Days until the next entry; 0 while active.")
    estimated_value: Decimal = strawberry.field(description="Estimated value (LCY).")
    calculated_current_value: Decimal = strawberry.field(description="Calculated current value (LCY).")
    completed_pct: Decimal = strawberry.field(description="Completed %.")
    chances_of_success_pct: Decimal = strawberry.field(description="Chances of success %.")
    probability_pct: Decimal = strawberry.field(description="Probability %.")
    estimated_close_date: dt.date | None = strawberry.field(description="Estimated close date.")
    created_at: dt.datetime = strawberry.field(description="When the entry was written (UTC).")
    row: strawberry.Private[models.OpportunityEntry]

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> OpportunityEntry:
        e = row[0]
        assert isinstance(e, models.OpportunityEntry)
        return cls(
            entry_no=e.entry_no,
            stage_no=e.sales_cycle_stage,
            previous_stage_no=e.previous_sales_cycle_stage,
            stage_description=e.sales_cycle_stage_description,
            action_taken=e.action_taken,
            date_of_change=e.date_of_change,
            active=e.active,
            date_closed=e.date_closed,
            days_open=e.days_open,
            estimated_value=e.estimated_value,
            calculated_current_value=e.calculated_current_value,
            completed_pct=pct(e.completed_pct),
            chances_of_success_pct=pct(e.chances_of_success_pct),
            probability_pct=pct(e.probability_pct),
            estimated_close_date=e.estimated_close_date,
            created_at=e.created_at,
            row=e,
        )

    def node_key(self) -> list[str | int]:
        return [self.entry_no]

    @strawberry.field(description="The opportunity.")
    async def opportunity(
        self, info: Info
    ) -> Annotated[Opportunity, strawberry.lazy("graph.types.opportunity")]:
        from graph.types.opportunity import Opportunity

        return Opportunity.from_row(
            await info.context.loaders.opportunity_by_no.load(self.row.opportunity_no)
        )

    @strawberry.field(description="The sales cycle.")
    async def sales_cycle(
        self, info: Info
    ) -> Annotated[SalesCycle, strawberry.lazy("graph.types.sales_cycle")] | None:
        from graph.types.sales_cycle import SalesCycle

        return await load_one(
            info.context.loaders.sales_cycle_by_code, self.row.sales_cycle_code, SalesCycle.from_row
        )

    @strawberry.field(description="The stage reached; null for won/lost entries.")
    async def stage(
        self, info: Info
    ) -> Annotated[SalesCycleStage, strawberry.lazy("graph.types.sales_cycle")] | None:
        from graph.types.sales_cycle import stage_in_cycle

        if self.stage_no == 0 or self.row.sales_cycle_code is None:
            return None
        return await stage_in_cycle(info, self.row.sales_cycle_code, self.stage_no)

    @strawberry.field(description="Close code of a won/lost entry.")
    async def close_opportunity_code(
        self, info: Info
    ) -> Annotated[CloseOpportunityCode, strawberry.lazy("graph.types.activity")] | None:
        from graph.types.activity import CloseOpportunityCode

        return await load_one(
            info.context.loaders.close_code_by_code,
            self.row.close_opportunity_code,
            CloseOpportunityCode.from_row,
        )

    @strawberry.field(description="Salesperson when the entry was made (kept in step while active).")
    async def salesperson(
        self, info: Info
    ) -> Annotated[Salesperson, strawberry.lazy("graph.types.salesperson")] | None:
        from graph.types.salesperson import Salesperson

        return await load_one(
            info.context.loaders.salesperson_by_code, self.row.salesperson_code, Salesperson.from_row
        )

    @strawberry.field(description="Contact when the entry was made (kept in step while active).")
    async def contact(self, info: Info) -> Annotated[Contact, strawberry.lazy("graph.types.contact")] | None:
        from graph.types.contact import Contact

        return await load_one(info.context.loaders.contact_by_no, self.row.contact_no, Contact.from_row)
