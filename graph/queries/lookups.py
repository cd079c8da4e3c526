"""Root fields that read one object by its natural key (case-insensitive: codes are stored upper-case).

A key no row can have (a NUL, an unpaired surrogate: api.md §7.2) answers ``null`` like any unknown key.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.types.activity import Activity, CloseOpportunityCode
from graph.types.campaign import Campaign
from graph.types.common import load_one
from graph.types.contact import Contact
from graph.types.entry import OpportunityEntry
from graph.types.opportunity import Opportunity
from graph.types.sales_cycle import SalesCycle
from graph.types.sales_document import SalesOrder, SalesQuote
from graph.types.salesperson import Salesperson
from graph.types.task import Task
from resolvers.reads.filters import lookup_key


@strawberry.type
class LookupQuery:
    @strawberry.field(description="A salesperson by code.")
    async def salesperson(
        self, info: Info, code: Annotated[str, strawberry.argument(description="The code; case-insensitive.")]
    ) -> Salesperson | None:
        loader = info.context.loaders.salesperson_by_code
        return await load_one(loader, lookup_key(code), Salesperson.from_row)

    @strawberry.field(description="A contact by number.")
    async def contact(
        self, info: Info, no: Annotated[str, strawberry.argument(description="The number; case-insensitive.")]
    ) -> Contact | None:
        return await load_one(info.context.loaders.contact_by_no, lookup_key(no), Contact.from_row)

    @strawberry.field(description="A sales cycle by code.")
    async def sales_cycle(
        self, info: Info, code: Annotated[str, strawberry.argument(description="The code; case-insensitive.")]
    ) -> SalesCycle | None:
        return await load_one(info.context.loaders.sales_cycle_by_code, lookup_key(code), SalesCycle.from_row)

    @strawberry.field(description="A close opportunity code by code.")
    async def close_opportunity_code(
        self, info: Info, code: Annotated[str, strawberry.argument(description="The code; case-insensitive.")]
    ) -> CloseOpportunityCode | None:
        return await load_one(
            info.context.loaders.close_code_by_code, lookup_key(code), CloseOpportunityCode.from_row
        )

    @strawberry.field(description="An activity by code.")
    async def activity(
        self, info: Info, code: Annotated[str, strawberry.argument(description="The code; case-insensitive.")]
    ) -> Activity | None:
        return await load_one(info.context.loaders.activity_by_code, lookup_key(code), Activity.from_row)

    @strawberry.field(description="A campaign by number.")
    async def campaign(
        self, info: Info, no: Annotated[str, strawberry.argument(description="The number; case-insensitive.")]
    ) -> Campaign | None:
        return await load_one(info.context.loaders.campaign_by_no, lookup_key(no), Campaign.from_row)

    @strawberry.field(description="An opportunity by number.")
    async def opportunity(
        self, info: Info, no: Annotated[str, strawberry.argument(description="The number; case-insensitive.")]
    ) -> Opportunity | None:
        return await load_one(info.context.loaders.opportunity_by_no, lookup_key(no), Opportunity.from_row)

    @strawberry.field(description="An opportunity entry by entry number.")
    async def opportunity_entry(
        self, info: Info, entry_no: Annotated[int, strawberry.argument(description="The entry number.")]
    ) -> OpportunityEntry | None:
        return await load_one(info.context.loaders.entry_by_no, entry_no, OpportunityEntry.from_row)

    @strawberry.field(description="A task by number.")
    async def task(
        self, info: Info, no: Annotated[str, strawberry.argument(description="The number; case-insensitive.")]
    ) -> Task | None:
        return await load_one(info.context.loaders.task_by_no, lookup_key(no), Task.from_row)

    @strawberry.field(description="A sales quote by number.")
    async def sales_quote(
        self, info: Info, no: Annotated[str, strawberry.argument(description="The number; case-insensitive.")]
    ) -> SalesQuote | None:
        return await load_one(info.context.loaders.sales_quote_by_no, lookup_key(no), SalesQuote.from_row)

    @strawberry.field(description="A sales order by number.")
    async def sales_order(
        self, info: Info, no: Annotated[str, strawberry.argument(description="The number; case-insensitive.")]
    ) -> SalesOrder | None:
        return await load_one(info.context.loaders.sales_order_by_no, lookup_key(no), SalesOrder.from_row)
