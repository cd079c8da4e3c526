"""Sales quotes and orders as the opportunity feature uses them (domain.md §5, §11.4, §11.13).

The link between an opportunity and its document is stored on the opportunity only
(``sales_quote_no`` / ``sales_order_no``), so linking, unlinking and re-linking are writes to the
opportunity row, which is locked first as in every lifecycle use case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CloseOpportunityCode,
    Opportunity,
    OpportunityEntry,
    OpportunityStatus,
    SalesOrder,
    SalesOrderLine,
    SalesQuote,
    SalesQuoteLine,
)
from models.base import CODE10, CODE20, TEXT100
from models.enums import CloseOutcome
from models.errors import Violations
from models.validation import check_date
from resolvers.access.rows import check_readable, forbidden_salesperson, owns
from resolvers.errors import DomainError, DomainErrors
from resolvers.lifecycle.moves import close_in
from resolvers.lifecycle.situation import quote_amount, situation
from resolvers.viewer import Viewer
from resolvers.writes.references import check_code, check_text, contact_ref
from resolvers.writes.transaction import load_setup, lock_opportunity, take_numbers, today_in, touch

#: At most this many lines per document (a bound on what a client can send, STYLE.md 7).
MAX_LINES = 100
#: The largest quantity or unit price a ``Numeric(18, 4)`` column holds.
MAX_QUANTITY = Decimal("99999999999999.9999")
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    line_discount_pct: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class QuoteInput:
    lines: Sequence[LineInput]
    opportunity_no: str | None = None
    contact_no: str | None = None
    document_date: dt.date | None = None


def _check_lines(lines: Sequence[LineInput], v: Violations) -> list[LineInput]:
    if len(lines) > MAX_LINES:
        v.add("INVALID", f"A document has at most {MAX_LINES} lines.", ["lines"])
        return []
    checked: list[LineInput] = []
    for i, line in enumerate(lines):
        path = ["lines", str(i)]
        description = check_text(line.description, TEXT100, [*path, "description"], v)
        for name, value in (("quantity", line.quantity), ("unitPrice", line.unit_price)):
            if not value.is_finite() or not 0 <= value <= MAX_QUANTITY:
                v.add("INVALID", f"{name} must be between 0 and {MAX_QUANTITY}.", [*path, name])
        pct = line.line_discount_pct
        if not pct.is_finite() or not 0 <= pct <= HUNDRED:
            v.add("INVALID", "The line discount % must be between 0 and 100.", [*path, "lineDiscountPct"])
        checked.append(LineInput(description, line.quantity, line.unit_price, pct))
    return checked


@dataclass(frozen=True, slots=True)
class QuoteResult:
    quote_no: str
    opportunity_no: str | None


async def create_sales_quote(session: AsyncSession, viewer: Viewer, data: QuoteInput) -> QuoteResult:
    """A quote for a contact, or for an opportunity, which it is then linked to (domain.md §5.1).
    A ``SALESPERSON`` quotes for its own opportunities, and for contacts that are its own."""
    v = Violations()
    opportunity_no = check_code(data.opportunity_no, CODE20, ["opportunityNo"], v)
    contact_no = check_code(data.contact_no, CODE20, ["contactNo"], v)
    lines = _check_lines(data.lines, v)
    check_date(data.document_date, ["documentDate"], v)
    if (opportunity_no is None) == (contact_no is None) and not v:
        v.add("INVALID", "Give exactly one of opportunityNo and contactNo.", ["opportunityNo"])
    setup = await load_setup(session)
    today = today_in(setup.time_zone)
    opp: Opportunity | None = None
    order_date: dt.date | None = None
    salesperson_code: str | None = None
    campaign_no: str | None = None
    if opportunity_no is not None and not v:
        # Locked here first so that an unknown number is reported on the input's own field.
        await lock_opportunity(session, viewer, opportunity_no, ["opportunityNo"])
        s = await situation(session, viewer, opportunity_no, None)
        opp = s.opportunity
        _check_open_and_started(opp, ["opportunityNo"])
        if opp.sales_quote_no is not None:
            raise DomainError(
                "QUOTE_ALREADY_ASSIGNED",
                f"Sales quote {opp.sales_quote_no} is already assigned to opportunity {opp.no}.",
                ["opportunityNo"],
            )
        contact_no, salesperson_code, campaign_no = opp.contact_no, opp.salesperson_code, opp.campaign_no
        order_date = s.active.estimated_close_date if s.active is not None else None
    elif contact_no is not None:
        contact = await contact_ref(session, contact_no, ["contactNo"], v)
        salesperson_code = contact.salesperson_code if contact is not None else None
        if contact is not None and not owns(viewer, salesperson_code):
            v.extend([forbidden_salesperson(salesperson_code, ["contactNo"])])
    v.raise_any()
    assert contact_no is not None
    no = (await take_numbers(session, setup.quote_nos, 1, None))[0]
    session.add(
        SalesQuote(
            no=no,
            contact_no=contact_no,
            salesperson_code=salesperson_code,
            campaign_no=campaign_no,
            document_date=data.document_date or today,
            order_date=order_date,
            shipment_date=order_date,
            currency_code=setup.currency_code[:CODE10],
        )
    )
    await session.flush()
    session.add_all(
        SalesQuoteLine(
            quote_no=no,
            line_no=i,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_discount_pct=line.line_discount_pct,
        )
        for i, line in enumerate(lines, start=1)
    )
    if opp is not None:
        opp.sales_quote_no = no
        touch(opp)
    return QuoteResult(no, opp.no if opp is not None else None)


def _check_open_and_started(opp: Opportunity, field: list[str]) -> None:
    """Sales documents are linked only while the opportunity is in progress (domain.md §6.3)."""
    if opp.closed:
        raise DomainError("OPPORTUNITY_CLOSED", f"Opportunity {opp.no} is closed.", field)
    if opp.status is OpportunityStatus.NOT_STARTED:
        raise DomainError(
            "OPPORTUNITY_NOT_STARTED",
            f"Opportunity {opp.no} is not started: activate its first stage first.",
            field,
        )


async def _lock_quote(session: AsyncSession, no: str, field: list[str]) -> SalesQuote:
    quote = await session.scalar(select(SalesQuote).where(SalesQuote.no == no).with_for_update())
    if quote is None:
        raise _quote_not_found(no, field)
    return quote


def _quote_not_found(no: str, field: list[str]) -> DomainError:
    return DomainError("NOT_FOUND", f"Sales quote {no} does not exist.", field)


def _check_quote_readable(viewer: Viewer, no: str, owner: str | None, field: list[str]) -> None:
    """A quote belongs to the salesperson of the opportunity it is linked to, else to its own
    salesperson; another's is ``NOT_FOUND`` to a ``SALESPERSON``, as a missing one (api.md §7.1)."""
    check_readable(viewer, owner, _quote_not_found(no, field))


async def assign_sales_quote(
    session: AsyncSession, viewer: Viewer, opportunity_no: str, quote_no: str
) -> str:
    """Link an existing quote of the opportunity's contact (domain.md §5.3)."""
    opp = await lock_opportunity(session, viewer, opportunity_no, ["opportunityNo"])
    _check_open_and_started(opp, ["opportunityNo"])
    quote = await _lock_quote(session, quote_no.strip().upper(), ["quoteNo"])
    if opp.sales_quote_no == quote.no:
        return opp.no
    holder = (
        await session.execute(
            select(Opportunity.no, Opportunity.salesperson_code).where(Opportunity.sales_quote_no == quote.no)
        )
    ).one_or_none()
    owner = holder.salesperson_code if holder is not None else quote.salesperson_code
    _check_quote_readable(viewer, quote.no, owner, ["quoteNo"])
    if holder is not None:
        raise DomainError(
            "QUOTE_ALREADY_ASSIGNED",
            f"Sales quote {quote.no} is already assigned to opportunity {holder.no}.",
            ["quoteNo"],
        )
    if opp.sales_quote_no is not None:
        raise DomainError(
            "QUOTE_ALREADY_ASSIGNED",
            f"Opportunity {opp.no} already has sales quote {opp.sales_quote_no}: unassign it first.",
            ["opportunityNo"],
        )
    if quote.contact_no != opp.contact_no:
        raise DomainError(
            "INVALID",
            f"Sales quote {quote.no} is for contact {quote.contact_no}, not {opp.contact_no}.",
            ["quoteNo"],
        )
    opp.sales_quote_no = quote.no
    touch(opp)
    return opp.no


async def unassign_sales_document(session: AsyncSession, viewer: Viewer, opportunity_no: str) -> str:
    """Clear an in-progress opportunity's quote link; the quote itself stays (domain.md §5.3)."""
    opp = await lock_opportunity(session, viewer, opportunity_no, ["opportunityNo"])
    _check_open_and_started(opp, ["opportunityNo"])
    if opp.sales_quote_no is None:
        raise DomainError("NOT_FOUND", f"Opportunity {opp.no} has no sales document.", ["opportunityNo"])
    opp.sales_quote_no = None
    touch(opp)
    return opp.no


@dataclass(slots=True)
class OrderResult:
    order_no: str
    opportunity_no: str | None


async def make_order_from_quote(
    session: AsyncSession,
    viewer: Viewer,
    quote_no: str,
    close_code: str | None,
    closing_date: dt.date | None,
) -> OrderResult:
    """Make Order (domain.md §5.4): an in-progress opportunity on the quote is first closed as Won
    with the quote's amount (cancelling its open tasks), then linked to the new order."""
    v = Violations()
    check_date(closing_date, ["closingDate"], v)
    v.raise_any()
    no = quote_no.strip().upper()
    linked = (
        await session.execute(
            select(Opportunity.no, Opportunity.salesperson_code)
            .where(Opportunity.sales_quote_no == no)
            .with_for_update()
        )
    ).one_or_none()
    if linked is not None:
        _check_quote_readable(viewer, no, linked.salesperson_code, ["quoteNo"])
    s = await situation(session, viewer, linked.no, None) if linked is not None else None
    quote = await _lock_quote(session, no, ["quoteNo"])
    if linked is None:
        _check_quote_readable(viewer, no, quote.salesperson_code, ["quoteNo"])
    setup = await load_setup(session)
    if s is not None and s.opportunity.status is OpportunityStatus.IN_PROGRESS:
        code = close_code or await _only_won_code(session)
        if code is None:
            raise DomainError(
                "REQUIRED",
                f"Opportunity {s.opportunity.no} must be closed as won first: give a close code.",
                ["closeOpportunityCode"],
            )
        try:
            await close_in(session, s, CloseOutcome.WON, code, closing_date, None, cancel_old_tasks=True)
        except DomainError as exc:
            raise _on_quote(exc) from exc
        except DomainErrors as exc:
            raise DomainErrors(_on_quote(e) for e in exc.errors) from exc
    today = today_in(setup.time_zone)
    order_no = (await take_numbers(session, setup.order_nos, 1, None))[0]
    session.add(
        SalesOrder(
            no=order_no,
            quote_no=quote.no,
            contact_no=quote.contact_no,
            salesperson_code=quote.salesperson_code,
            campaign_no=quote.campaign_no,
            document_date=closing_date or today,
            order_date=quote.order_date,
            currency_code=quote.currency_code,
        )
    )
    await session.flush()
    lines = await session.scalars(select(SalesQuoteLine).where(SalesQuoteLine.quote_no == quote.no))
    session.add_all(
        SalesOrderLine(
            order_no=order_no,
            line_no=line.line_no,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_discount_pct=line.line_discount_pct,
        )
        for line in lines
    )
    if s is not None:
        await _move_to_order(session, s.opportunity, order_no, await quote_amount(session, quote.no))
    await session.flush()
    await session.execute(delete(SalesQuote).where(SalesQuote.no == quote.no))
    return OrderResult(order_no, s.opportunity.no if s is not None else None)


def _on_quote(error: DomainError) -> DomainError:
    """The Won close of Make Order takes its sales value from the quote, and the input has no
    ``salesValue``: an error about that value is reported on ``quoteNo``."""
    if error.field != ["salesValue"]:
        return error
    return DomainError(error.code, error.message, ["quoteNo"])


async def _only_won_code(session: AsyncSession) -> str | None:
    """Business Central pre-fills the close code when exactly one of the outcome's type exists."""
    codes = list(
        await session.scalars(
            select(CloseOpportunityCode.code).where(CloseOpportunityCode.type == CloseOutcome.WON).limit(2)
        )
    )
    return codes[0] if len(codes) == 1 else None


async def _move_to_order(
    session: AsyncSession, opp: Opportunity, order_no: str, amount: Decimal | None
) -> None:
    """A Won opportunity follows its quote to the order, valued at the order's amount; any other
    loses its document link (domain.md §5.4)."""
    opp.sales_quote_no = None
    if opp.status is OpportunityStatus.WON:
        opp.sales_order_no = order_no
        active = await session.scalar(
            select(OpportunityEntry).where(OpportunityEntry.opportunity_no == opp.no, OpportunityEntry.active)
        )
        if active is not None and amount is not None:
            active.calculated_current_value = amount
    touch(opp)


async def delete_sales_quote(session: AsyncSession, viewer: Viewer, quote_no: str) -> str:
    """Delete a quote; an opportunity linked to it loses the link, and no entry is written (§5.5)."""
    no = quote_no.strip().upper()
    linked = await session.scalar(
        select(Opportunity).where(Opportunity.sales_quote_no == no).with_for_update()
    )
    quote = await _lock_quote(session, no, ["no"])
    owner = linked.salesperson_code if linked is not None else quote.salesperson_code
    _check_quote_readable(viewer, no, owner, ["no"])
    if linked is not None:
        linked.sales_quote_no = None
        touch(linked)
        await session.flush()
    await session.execute(delete(SalesQuote).where(SalesQuote.no == no))
    return no
