"""Sales quotes and orders (the part opportunities touch)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from graph.context import Info
from graph.relay import Node, OrderDirection
from graph.types.common import load_one, pct
from resolvers.reads import sales_document as reads

if TYPE_CHECKING:
    from graph.types.contact import Contact
    from graph.types.opportunity import Opportunity
    from graph.types.salesperson import Salesperson

SalesDocumentOrderField = reads.SalesDocumentOrderField
strawberry.enum(reads.SalesDocumentOrderField, description="Sort keys of sales quotes and orders.")


@strawberry.input(description="One sort term of a sales document list.")
class SalesDocumentOrder:
    field: SalesDocumentOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Sort direction.")


@strawberry.input(description="Narrows a sales quote or order list.")
class SalesDocumentFilter:
    contact_no: str | None = strawberry.field(default=None, description="Sell-to contact number.")
    salesperson_code: str | None = strawberry.field(default=None, description="Salesperson code.")
    document_date_from: dt.date | None = strawberry.field(default=None, description="Dated on or after.")
    document_date_to: dt.date | None = strawberry.field(default=None, description="Dated on or before.")


@strawberry.type(description="A line of a sales quote or order.")
class SalesLine:
    line_no: int = strawberry.field(description="Line number.")
    description: str = strawberry.field(description="Description.")
    quantity: Decimal = strawberry.field(description="Quantity.")
    unit_price: Decimal = strawberry.field(description="Unit price (LCY).")
    line_discount_pct: Decimal = strawberry.field(description="Line discount %.")
    amount: Decimal = strawberry.field(
        description="round(quantity × unit price × (1 − discount/100), 2), excluding VAT."
    )

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> SalesLine:
        line = row[0]
        assert isinstance(line, models.SalesQuoteLine | models.SalesOrderLine)
        return cls(
            line_no=line.line_no,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_discount_pct=pct(line.line_discount_pct),
            amount=line.amount,
        )


async def _contact(info: Info, no: str) -> Contact:
    from graph.types.contact import Contact

    return Contact.from_row(await info.context.loaders.contact_by_no.load(no))


async def _salesperson(info: Info, code: str | None) -> Salesperson | None:
    from graph.types.salesperson import Salesperson

    return await load_one(info.context.loaders.salesperson_by_code, code, Salesperson.from_row)


@strawberry.type(description="A sales quote, addressed to a contact; may be linked to one opportunity.")
class SalesQuote(Node):
    no: str = strawberry.field(description="Number (natural key), from the quote number series.")
    document_date: dt.date = strawberry.field(description="Document date.")
    order_date: dt.date | None = strawberry.field(description="Proposed order date.")
    shipment_date: dt.date | None = strawberry.field(description="Proposed shipment date.")
    amount: Decimal = strawberry.field(description="Sum of the lines' amounts (LCY, excluding VAT).")
    row: strawberry.Private[models.SalesQuote]

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> SalesQuote:
        q, amount = row[0], row[1]
        assert isinstance(q, models.SalesQuote)
        assert isinstance(amount, Decimal)
        return cls(
            no=q.no,
            document_date=q.document_date,
            order_date=q.order_date,
            shipment_date=q.shipment_date,
            amount=amount,
            row=q,
        )

    def node_key(self) -> list[str | int]:
        return [self.no]

    @strawberry.field(description="Sell-to contact.")
    async def contact(self, info: Info) -> Annotated[Contact, strawberry.lazy("graph.types.contact")]:
        return await _contact(info, self.row.contact_no)

    @strawberry.field(description="Salesperson.")
    async def salesperson(
        self, info: Info
    ) -> Annotated[Salesperson, strawberry.lazy("graph.types.salesperson")] | None:
        return await _salesperson(info, self.row.salesperson_code)

    @strawberry.field(description="The opportunity this quote is linked to.")
    async def opportunity(
        self, info: Info
    ) -> Annotated[Opportunity, strawberry.lazy("graph.types.opportunity")] | None:
        from graph.types.opportunity import Opportunity

        return await load_one(info.context.loaders.opportunity_by_sales_quote, self.no, Opportunity.from_row)

    @strawberry.field(description="Lines in line order.")
    async def lines(self, info: Info) -> list[SalesLine]:
        return [SalesLine.from_row(r) for r in await info.context.loaders.lines_by_sales_quote.load(self.no)]


@strawberry.type(description="A sales order, made from a quote; may be linked to one (won) opportunity.")
class SalesOrder(Node):
    no: str = strawberry.field(description="Number (natural key), from the order number series.")
    quote_no: str = strawberry.field(description="Number of the quote the order was made from.")
    document_date: dt.date = strawberry.field(description="Document date.")
    amount: Decimal = strawberry.field(description="Sum of the lines' amounts (LCY, excluding VAT).")
    row: strawberry.Private[models.SalesOrder]

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> SalesOrder:
        o, amount = row[0], row[1]
        assert isinstance(o, models.SalesOrder)
        assert isinstance(amount, Decimal)
        return cls(no=o.no, quote_no=o.quote_no, document_date=o.document_date, amount=amount, row=o)

    def node_key(self) -> list[str | int]:
        return [self.no]

    @strawberry.field(description="Sell-to contact.")
    async def contact(self, info: Info) -> Annotated[Contact, strawberry.lazy("graph.types.contact")]:
        return await _contact(info, self.row.contact_no)

    @strawberry.field(description="Salesperson.")
    async def salesperson(
        self, info: Info
    ) -> Annotated[Salesperson, strawberry.lazy("graph.types.salesperson")] | None:
        return await _salesperson(info, self.row.salesperson_code)

    @strawberry.field(description="The opportunity this order is linked to.")
    async def opportunity(
        self, info: Info
    ) -> Annotated[Opportunity, strawberry.lazy("graph.types.opportunity")] | None:
        from graph.types.opportunity import Opportunity

        return await load_one(info.context.loaders.opportunity_by_sales_order, self.no, Opportunity.from_row)

    @strawberry.field(description="Lines in line order.")
    async def lines(self, info: Info) -> list[SalesLine]:
        return [SalesLine.from_row(r) for r in await info.context.loaders.lines_by_sales_order.load(self.no)]


SalesDocument = Annotated[
    SalesQuote | SalesOrder,
    strawberry.union("SalesDocument", description="A sales quote or a sales order."),
]
