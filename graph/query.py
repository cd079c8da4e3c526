"""The root Query (api.md §4)."""

from __future__ import annotations

import strawberry

from graph.context import Info
from graph.node import resolve_node, resolve_nodes
from graph.relay import Connection, Node, order_terms, page_args, root_connection
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
from graph.types.setup import Setup, Viewer, load_setup
from graph.types.task import Task
from resolvers import activity as activity_reads
from resolvers import campaign as campaign_reads
from resolvers import sales_cycle as sales_cycle_reads
from resolvers import sales_document as document_reads
from resolvers import salesperson as salesperson_reads
from resolvers.filters import code_key
from resolvers.viewer import scoped


@strawberry.type(description="Read the opportunity-management graph.")
class Query:
    @strawberry.field(description="Any object by its global ID.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(
        description="Objects by global ID, in the order asked (null where not found); at most 100."
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        return await resolve_nodes(info, ids)

    @strawberry.field(description="Who is calling.")
    def viewer(self, info: Info) -> Viewer:
        v = info.context.viewer
        return Viewer(role=v.role.value, key_name=v.key_name, salesperson_code=v.salesperson_code)

    @strawberry.field(description="Number series, default sales cycle, currency and time zone.")
    async def setup(self, info: Info) -> Setup:
        return await load_setup(info)

    # --- lookups by natural key (case-insensitive: codes are stored upper-case) -------------

    @strawberry.field(description="A salesperson by code.")
    async def salesperson(self, info: Info, code: str) -> Salesperson | None:
        row = await info.context.loaders.salesperson_by_code.load(code_key(code))
        return Salesperson.from_row(row) if row else None

    @strawberry.field(description="A contact by number.")
    async def contact(self, info: Info, no: str) -> Contact | None:
        row = await info.context.loaders.contact_by_no.load(code_key(no))
        return Contact.from_row(row) if row else None

    @strawberry.field(description="A sales cycle by code.")
    async def sales_cycle(self, info: Info, code: str) -> SalesCycle | None:
        row = await info.context.loaders.sales_cycle_by_code.load(code_key(code))
        return SalesCycle.from_row(row) if row else None

    @strawberry.field(description="A close opportunity code by code.")
    async def close_opportunity_code(self, info: Info, code: str) -> CloseOpportunityCode | None:
        row = await info.context.loaders.close_code_by_code.load(code_key(code))
        return CloseOpportunityCode.from_row(row) if row else None

    @strawberry.field(description="An activity by code.")
    async def activity(self, info: Info, code: str) -> Activity | None:
        row = await info.context.loaders.activity_by_code.load(code_key(code))
        return Activity.from_row(row) if row else None

    @strawberry.field(description="A campaign by number.")
    async def campaign(self, info: Info, no: str) -> Campaign | None:
        row = await info.context.loaders.campaign_by_no.load(code_key(no))
        return Campaign.from_row(row) if row else None

    @strawberry.field(description="An opportunity by number.")
    async def opportunity(self, info: Info, no: str) -> Opportunity | None:
        row = await info.context.loaders.opportunity_by_no.load(code_key(no))
        return Opportunity.from_row(row) if row else None

    @strawberry.field(description="An opportunity entry by entry number.")
    async def opportunity_entry(self, info: Info, entry_no: int) -> OpportunityEntry | None:
        row = await info.context.loaders.entry_by_no.load(entry_no)
        return OpportunityEntry.from_row(row) if row else None

    @strawberry.field(description="A task by number.")
    async def task(self, info: Info, no: str) -> Task | None:
        row = await info.context.loaders.task_by_no.load(code_key(no))
        return Task.from_row(row) if row else None

    @strawberry.field(description="A sales quote by number.")
    async def sales_quote(self, info: Info, no: str) -> SalesQuote | None:
        row = await info.context.loaders.sales_quote_by_no.load(code_key(no))
        return SalesQuote.from_row(row) if row else None

    @strawberry.field(description="A sales order by number.")
    async def sales_order(self, info: Info, no: str) -> SalesOrder | None:
        row = await info.context.loaders.sales_order_by_no.load(code_key(no))
        return SalesOrder.from_row(row) if row else None

    # --- lists ---------------------------------------------------------------------------------

    @strawberry.field(description="Salespeople, by default by code.")
    async def salespeople(
        self,
        info: Info,
        filter: salesperson_types.SalespersonFilter | None = None,
        order_by: list[salesperson_types.SalespersonOrder] | None = None,
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
            scoped(listing, info.context.viewer),
            page_args(first, after, last, before),
            Salesperson.from_row,
        )

    @strawberry.field(description="Contacts, by default by number.")
    async def contacts(
        self,
        info: Info,
        filter: contact_types.ContactFilter | None = None,
        order_by: list[contact_types.ContactOrder] | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Contact]:
        _, listing = contact_types.contact_listing(info, filter, order_by)
        return await root_connection(info, listing, page_args(first, after, last, before), Contact.from_row)

    @strawberry.field(description="Sales cycles, by default by code.")
    async def sales_cycles(
        self,
        info: Info,
        filter: sales_cycle_types.SalesCycleFilter | None = None,
        order_by: list[sales_cycle_types.SalesCycleOrder] | None = None,
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
            scoped(listing, info.context.viewer),
            page_args(first, after, last, before),
            SalesCycle.from_row,
        )

    @strawberry.field(description="Close opportunity codes, by default by code.")
    async def close_opportunity_codes(
        self,
        info: Info,
        filter: activity_types.CloseOpportunityCodeFilter | None = None,
        order_by: list[activity_types.CloseOpportunityCodeOrder] | None = None,
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
            scoped(listing, info.context.viewer),
            page_args(first, after, last, before),
            CloseOpportunityCode.from_row,
        )

    @strawberry.field(description="Activities, by default by code.")
    async def activities(
        self,
        info: Info,
        filter: activity_types.ActivityFilter | None = None,
        order_by: list[activity_types.ActivityOrder] | None = None,
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
            scoped(listing, info.context.viewer),
            page_args(first, after, last, before),
            Activity.from_row,
        )

    @strawberry.field(description="Campaigns, by default by number.")
    async def campaigns(
        self,
        info: Info,
        filter: campaign_types.CampaignFilter | None = None,
        order_by: list[campaign_types.CampaignOrder] | None = None,
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
            scoped(listing, info.context.viewer),
            page_args(first, after, last, before),
            Campaign.from_row,
        )

    @strawberry.field(description="Opportunities, by default by number.")
    async def opportunities(
        self,
        info: Info,
        filter: opportunity_types.OpportunityFilter | None = None,
        order_by: list[opportunity_types.OpportunityOrder] | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Opportunity]:
        _, listing = opportunity_types.opportunity_listing(info, filter, order_by)
        return await root_connection(
            info, listing, page_args(first, after, last, before), Opportunity.from_row
        )

    @strawberry.field(description="Opportunity entries (the history), by default by entry number.")
    async def opportunity_entries(
        self,
        info: Info,
        filter: entry_types.OpportunityEntryFilter | None = None,
        order_by: list[entry_types.OpportunityEntryOrder] | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[OpportunityEntry]:
        _, listing = entry_types.entry_listing(info, filter, order_by)
        return await root_connection(
            info, listing, page_args(first, after, last, before), OpportunityEntry.from_row
        )

    @strawberry.field(description="Tasks, by default by number.")
    async def tasks(
        self,
        info: Info,
        filter: task_types.TaskFilter | None = None,
        order_by: list[task_types.TaskOrder] | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Task]:
        _, listing = task_types.task_listing(info, filter, order_by)
        return await root_connection(info, listing, page_args(first, after, last, before), Task.from_row)

    @strawberry.field(description="Sales quotes, by default by number.")
    async def sales_quotes(
        self,
        info: Info,
        filter: document_types.SalesDocumentFilter | None = None,
        order_by: list[document_types.SalesDocumentOrder] | None = None,
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
            scoped(listing, info.context.viewer),
            page_args(first, after, last, before),
            SalesQuote.from_row,
        )

    @strawberry.field(description="Sales orders, by default by number.")
    async def sales_orders(
        self,
        info: Info,
        filter: document_types.SalesDocumentFilter | None = None,
        order_by: list[document_types.SalesDocumentOrder] | None = None,
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
            scoped(listing, info.context.viewer),
            page_args(first, after, last, before),
            SalesOrder.from_row,
        )
