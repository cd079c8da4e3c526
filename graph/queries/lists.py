"""Root fields that list objects as connections: filtered, sorted and paginated."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.relay import Connection, order_terms, page_args, root_connection
from graph.types import activity as activity_types
from graph.types import campaign as campaign_types
from graph.types import contact as contact_types
from graph.types import entry as entry_types
from graph.types import opportunity as opportunity_types
from graph.types import sales_cycle as sales_cycle_types
from graph.types import sales_document as document_types
from graph.types import salesperson as salesperson_types
from graph.types import task as task_types
from graph.types.activity import Activity, CloseOpportunityCode
from graph.types.campaign import Campaign
from graph.types.common import After, Before, First, Last, to_filter
from graph.types.contact import Contact
from graph.types.entry import OpportunityEntry
from graph.types.opportunity import Opportunity
from graph.types.sales_cycle import SalesCycle
from graph.types.sales_document import SalesOrder, SalesQuote
from graph.types.salesperson import Salesperson
from graph.types.task import Task
from resolvers.reads import activity as activity_reads
from resolvers.reads import campaign as campaign_reads
from resolvers.reads import sales_cycle as sales_cycle_reads
from resolvers.reads import sales_document as document_reads
from resolvers.reads import salesperson as salesperson_reads

#: The ``filter`` and ``orderBy`` arguments every list shares.
FILTER = strawberry.argument(description="Only items meeting all these conditions.")
ORDER_BY = strawberry.argument(
    description="Sort terms, applied in order; ties are broken by the natural key."
)


@strawberry.type
class ListQuery:
    @strawberry.field(description="Salespeople, by default by code.")
    async def salespeople(
        self,
        info: Info,
        filter: Annotated[salesperson_types.SalespersonFilter | None, FILTER] = None,
        order_by: Annotated[list[salesperson_types.SalespersonOrder] | None, ORDER_BY] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Salesperson]:
        listing = salesperson_reads.salesperson_listing(
            to_filter(filter, salesperson_reads.SalespersonFilter), order_terms(order_by)
        )
        return await root_connection(
            info,
            listing,
            page_args(first, after, last, before),
            Salesperson.from_row,
        )

    @strawberry.field(description="Contacts, by default by number.")
    async def contacts(
        self,
        info: Info,
        filter: Annotated[contact_types.ContactFilter | None, FILTER] = None,
        order_by: Annotated[list[contact_types.ContactOrder] | None, ORDER_BY] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Contact]:
        _, listing = contact_types.contact_listing(filter, order_by)
        return await root_connection(info, listing, page_args(first, after, last, before), Contact.from_row)

    @strawberry.field(description="Sales cycles, by default by code.")
    async def sales_cycles(
        self,
        info: Info,
        filter: Annotated[sales_cycle_types.SalesCycleFilter | None, FILTER] = None,
        order_by: Annotated[list[sales_cycle_types.SalesCycleOrder] | None, ORDER_BY] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[SalesCycle]:
        listing = sales_cycle_reads.sales_cycle_listing(
            to_filter(filter, sales_cycle_reads.SalesCycleFilter), order_terms(order_by)
        )
        return await root_connection(
            info,
            listing,
            page_args(first, after, last, before),
            SalesCycle.from_row,
        )

    @strawberry.field(description="Close opportunity codes, by default by code.")
    async def close_opportunity_codes(
        self,
        info: Info,
        filter: Annotated[activity_types.CloseOpportunityCodeFilter | None, FILTER] = None,
        order_by: Annotated[list[activity_types.CloseOpportunityCodeOrder] | None, ORDER_BY] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[CloseOpportunityCode]:
        listing = activity_reads.close_code_listing(
            to_filter(filter, activity_reads.CloseOpportunityCodeFilter), order_terms(order_by)
        )
        return await root_connection(
            info,
            listing,
            page_args(first, after, last, before),
            CloseOpportunityCode.from_row,
        )

    @strawberry.field(description="Activities, by default by code.")
    async def activities(
        self,
        info: Info,
        filter: Annotated[activity_types.ActivityFilter | None, FILTER] = None,
        order_by: Annotated[list[activity_types.ActivityOrder] | None, ORDER_BY] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Activity]:
        listing = activity_reads.activity_listing(
            to_filter(filter, activity_reads.ActivityFilter), order_terms(order_by)
        )
        return await root_connection(
            info,
            listing,
            page_args(first, after, last, before),
            Activity.from_row,
        )

    @strawberry.field(description="Campaigns, by default by number.")
    async def campaigns(
        self,
        info: Info,
        filter: Annotated[campaign_types.CampaignFilter | None, FILTER] = None,
        order_by: Annotated[list[campaign_types.CampaignOrder] | None, ORDER_BY] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Campaign]:
        listing = campaign_reads.campaign_listing(
            to_filter(filter, campaign_reads.CampaignFilter), order_terms(order_by)
        )
        return await root_connection(
            info,
            listing,
            page_args(first, after, last, before),
            Campaign.from_row,
        )

    @strawberry.field(description="Opportunities, by default by number.")
    async def opportunities(
        self,
        info: Info,
        filter: Annotated[opportunity_types.OpportunityFilter | None, FILTER] = None,
        order_by: Annotated[list[opportunity_types.OpportunityOrder] | None, ORDER_BY] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Opportunity]:
        _, listing = opportunity_types.opportunity_listing(filter, order_by)
        return await root_connection(
            info, listing, page_args(first, after, last, before), Opportunity.from_row
        )

    @strawberry.field(description="Opportunity entries (the history), by default by entry number.")
    async def opportunity_entries(
        self,
        info: Info,
        filter: Annotated[entry_types.OpportunityEntryFilter | None, FILTER] = None,
        order_by: Annotated[list[entry_types.OpportunityEntryOrder] | None, ORDER_BY] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[OpportunityEntry]:
        _, listing = entry_types.entry_listing(filter, order_by)
        return await root_connection(
            info, listing, page_args(first, after, last, before), OpportunityEntry.from_row
        )

    @strawberry.field(description="Tasks, by default by number.")
    async def tasks(
        self,
        info: Info,
        filter: Annotated[task_types.TaskFilter | None, FILTER] = None,
        order_by: Annotated[list[task_types.TaskOrder] | None, ORDER_BY] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Task]:
        _, listing = task_types.task_listing(filter, order_by)
        return await root_connection(info, listing, page_args(first, after, last, before), Task.from_row)

    @strawberry.field(description="Sales quotes, by default by number.")
    async def sales_quotes(
        self,
        info: Info,
        filter: Annotated[document_types.SalesDocumentFilter | None, FILTER] = None,
        order_by: Annotated[list[document_types.SalesDocumentOrder] | None, ORDER_BY] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[SalesQuote]:
        listing = document_reads.quote_listing(
            to_filter(filter, document_reads.SalesDocumentFilter), order_terms(order_by)
        )
        return await root_connection(
            info,
            listing,
            page_args(first, after, last, before),
            SalesQuote.from_row,
        )

    @strawberry.field(description="Sales orders, by default by number.")
    async def sales_orders(
        self,
        info: Info,
        filter: Annotated[document_types.SalesDocumentFilter | None, FILTER] = None,
        order_by: Annotated[list[document_types.SalesDocumentOrder] | None, ORDER_BY] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[SalesOrder]:
        listing = document_reads.order_listing(
            to_filter(filter, document_reads.SalesDocumentFilter), order_terms(order_by)
        )
        return await root_connection(
            info,
            listing,
            page_args(first, after, last, before),
            SalesOrder.from_row,
        )
