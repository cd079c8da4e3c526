"""Sales quote and order mutations (api.md §6, domain.md §5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.context import Info
from graph.mutations.common import INPUT, global_id, run
from graph.types.common import load_one
from graph.types.errors import UserError
from graph.types.opportunity import Opportunity
from graph.types.sales_document import SalesOrder, SalesQuote
from resolvers.lifecycle import sales_document as writes


@strawberry.input(description="One line of a sales document.")
class SalesLineInput:
    description: str = strawberry.field(description="What is sold (at most 100 characters).")
    quantity: Decimal = strawberry.field(description="Quantity, 0 or more.")
    unit_price: Decimal = strawberry.field(description="Unit price, 0 or more.")
    line_discount_pct: Decimal = strawberry.field(default=Decimal(0), description="Discount %, 0–100.")


@strawberry.input(description="A new sales quote, for an opportunity (which it is linked to) or a contact.")
class CreateSalesQuoteInput:
    opportunity_no: str | None = strawberry.field(
        default=None, description="An in-progress opportunity without a quote; exclusive with contactNo."
    )
    contact_no: str | None = strawberry.field(
        default=None, description="The contact the quote is for; exclusive with opportunityNo."
    )
    document_date: dt.date | None = strawberry.field(
        default=None, description="Document date; omitted: today."
    )
    lines: list[SalesLineInput] = strawberry.field(description="The lines (at most 100).")


@strawberry.type(description="Result of createSalesQuote.")
class CreateSalesQuotePayload:
    sales_quote: SalesQuote | None = strawberry.field(description="The new quote.")
    opportunity: Opportunity | None = strawberry.field(
        description="The opportunity it was linked to, if any."
    )
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(
    description="Link an existing quote of the opportunity's contact to an in-progress opportunity."
)
class AssignSalesQuoteInput:
    opportunity_no: str = strawberry.field(description="An in-progress opportunity without a quote.")
    quote_no: str = strawberry.field(description="A quote of the same contact, not linked elsewhere.")


@strawberry.type(description="Result of assignSalesQuote or unassignSalesDocument.")
class SalesDocumentLinkPayload:
    opportunity: Opportunity | None = strawberry.field(description="The opportunity after the change.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(description="Unlink the quote of an in-progress opportunity (the quote itself stays).")
class UnassignSalesDocumentInput:
    opportunity_no: str = strawberry.field(description="Opportunity number.")


@strawberry.input(
    description="Turn a quote into an order. An in-progress opportunity on the quote is closed as won "
    "first, with the quote's amount, and then points at the order."
)
class MakeOrderFromQuoteInput:
    quote_no: str = strawberry.field(description="The quote; it is deleted once the order exists.")
    close_opportunity_code: str | None = strawberry.field(
        default=None,
        description="Won code for closing the linked opportunity; omitted: the only won code, if just one.",
    )
    closing_date: dt.date | None = strawberry.field(
        default=None,
        description="Closing date of the opportunity and document date of the order; omitted: today.",
    )


@strawberry.type(description="Result of makeOrderFromQuote.")
class MakeOrderFromQuotePayload:
    sales_order: SalesOrder | None = strawberry.field(description="The new order.")
    opportunity: Opportunity | None = strawberry.field(
        description="The opportunity, now won and on the order."
    )
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(description="The quote to delete; a linked opportunity loses the link.")
class DeleteSalesQuoteInput:
    no: str = strawberry.field(description="Quote number.")


@strawberry.type(description="Result of deleteSalesQuote.")
class DeleteSalesQuotePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Global ID of the deleted quote.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


async def _opportunity(info: Info, no: str | None) -> Opportunity | None:
    return await load_one(info.context.loaders.opportunity_by_no, no, Opportunity.from_row)


@strawberry.type
class SalesDocumentMutation:
    @strawberry.mutation(description="Create a sales quote; for an opportunity, also link it.")
    async def create_sales_quote(
        self, info: Info, input: Annotated[CreateSalesQuoteInput, INPUT]
    ) -> CreateSalesQuotePayload:
        data = writes.QuoteInput(
            lines=[
                writes.LineInput(ln.description, ln.quantity, ln.unit_price, ln.line_discount_pct)
                for ln in input.lines
            ],
            opportunity_no=input.opportunity_no,
            contact_no=input.contact_no,
            document_date=input.document_date,
        )

        async def work(session: AsyncSession) -> writes.QuoteResult:
            return await writes.create_sales_quote(session, info.context.viewer, data)

        result, errors = await run(info, work)
        quote_no = result.quote_no if result is not None else None
        quote = await load_one(info.context.loaders.sales_quote_by_no, quote_no, SalesQuote.from_row)
        opportunity = await _opportunity(info, result.opportunity_no if result is not None else None)
        return CreateSalesQuotePayload(sales_quote=quote, opportunity=opportunity, user_errors=errors)

    @strawberry.mutation(description="Link a quote to an in-progress opportunity.")
    async def assign_sales_quote(
        self, info: Info, input: Annotated[AssignSalesQuoteInput, INPUT]
    ) -> SalesDocumentLinkPayload:
        async def work(session: AsyncSession) -> str:
            return await writes.assign_sales_quote(
                session, info.context.viewer, input.opportunity_no, input.quote_no
            )

        no, errors = await run(info, work)
        return SalesDocumentLinkPayload(opportunity=await _opportunity(info, no), user_errors=errors)

    @strawberry.mutation(description="Unlink an in-progress opportunity's quote.")
    async def unassign_sales_document(
        self, info: Info, input: Annotated[UnassignSalesDocumentInput, INPUT]
    ) -> SalesDocumentLinkPayload:
        async def work(session: AsyncSession) -> str:
            return await writes.unassign_sales_document(session, info.context.viewer, input.opportunity_no)

        no, errors = await run(info, work)
        return SalesDocumentLinkPayload(opportunity=await _opportunity(info, no), user_errors=errors)

    @strawberry.mutation(description="Make an order from a quote, winning its in-progress opportunity.")
    async def make_order_from_quote(
        self, info: Info, input: Annotated[MakeOrderFromQuoteInput, INPUT]
    ) -> MakeOrderFromQuotePayload:
        async def work(session: AsyncSession) -> writes.OrderResult:
            return await writes.make_order_from_quote(
                session, info.context.viewer, input.quote_no, input.close_opportunity_code, input.closing_date
            )

        result, errors = await run(info, work)
        order_no = result.order_no if result is not None else None
        order = await load_one(info.context.loaders.sales_order_by_no, order_no, SalesOrder.from_row)
        opportunity = await _opportunity(info, result.opportunity_no if result is not None else None)
        return MakeOrderFromQuotePayload(sales_order=order, opportunity=opportunity, user_errors=errors)

    @strawberry.mutation(description="Delete a sales quote.")
    async def delete_sales_quote(
        self, info: Info, input: Annotated[DeleteSalesQuoteInput, INPUT]
    ) -> DeleteSalesQuotePayload:
        async def work(session: AsyncSession) -> str:
            return await writes.delete_sales_quote(session, info.context.viewer, input.no)

        no, errors = await run(info, work)
        deleted = global_id("SalesQuote", no) if no is not None else None
        return DeleteSalesQuotePayload(deleted_id=deleted, user_errors=errors)
