"""Sales quote and order reads. A document's amount is the sum of its lines, computed on read."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, func, literal, select

from models import SalesOrder, SalesOrderLine, SalesQuote, SalesQuoteLine
from resolvers.reads.filters import code_value, date_range, equal
from resolvers.reads.pagination import AnySelect, Listing, ordering


def quote_rows() -> Select[SalesQuote, Decimal]:
    """Quotes with their amount (one correlated sum over the quote's primary-key lines)."""
    amount = (
        select(func.coalesce(func.sum(SalesQuoteLine.amount), literal(Decimal("0.00"))))
        .where(SalesQuoteLine.quote_no == SalesQuote.no)
        .scalar_subquery()
    )
    return select(SalesQuote, amount.label("amount"))


def order_rows() -> Select[SalesOrder, Decimal]:
    amount = (
        select(func.coalesce(func.sum(SalesOrderLine.amount), literal(Decimal("0.00"))))
        .where(SalesOrderLine.order_no == SalesOrder.no)
        .scalar_subquery()
    )
    return select(SalesOrder, amount.label("amount"))


def quote_lines_in_order() -> Select[SalesQuoteLine]:
    return select(SalesQuoteLine).order_by(SalesQuoteLine.quote_no, SalesQuoteLine.line_no)


def order_lines_in_order() -> Select[SalesOrderLine]:
    return select(SalesOrderLine).order_by(SalesOrderLine.order_no, SalesOrderLine.line_no)


class SalesDocumentOrderField(enum.Enum):
    NO = "NO"
    DOCUMENT_DATE = "DOCUMENT_DATE"


@dataclass(frozen=True, slots=True)
class SalesDocumentFilter:
    contact_no: str | None = None
    salesperson_code: str | None = None
    document_date_from: dt.date | None = None
    document_date_to: dt.date | None = None


def _document_listing(
    stmt: AnySelect,
    model: type[SalesQuote] | type[SalesOrder],
    f: SalesDocumentFilter | None,
    order: list[tuple[str, bool]],
    name: str,
) -> Listing:
    if f is not None:
        stmt = stmt.where(
            *equal(
                [
                    (model.contact_no, code_value(f.contact_no)),
                    (model.salesperson_code, code_value(f.salesperson_code)),
                ]
            ),
            *date_range(model.document_date, f.document_date_from, f.document_date_to),
        )
    columns = {"NO": model.no, "DOCUMENT_DATE": model.document_date}
    return Listing(stmt, ordering(order, columns, "NO"), name)


def quote_listing(f: SalesDocumentFilter | None, order: list[tuple[str, bool]]) -> Listing:
    return _document_listing(quote_rows(), SalesQuote, f, order, "sales_quote")


def order_listing(f: SalesDocumentFilter | None, order: list[tuple[str, bool]]) -> Listing:
    return _document_listing(order_rows(), SalesOrder, f, order, "sales_order")
