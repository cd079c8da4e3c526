"""Shared givens, GraphQL documents and database probes of the sales-document mutation tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

import models
from models import CloseOutcome, OpportunityStatus
from resolvers.session import SessionFactory
from tests.support import builders as b
from tests.support import factories as f

#: The active entry's estimated close date of opportunity O: a quote's order and shipment date.
CLOSE_DATE = "2024-03-01"

#: Three lines whose amounts exercise the discount and the half-up rounding to 0.01:
#: 2 × 100 − 10 % = 180.00; 3 × 19.99 − 15 % = 50.9745 → 50.97; 2.5 × 10.01 = 25.025 → 25.03.
LINES: tuple[b.Line, ...] = (("2", "100", "10"), ("3", "19.99", "15"), ("2.5", "10.01", "0"))
LINES_AMOUNT = "256.00"

DOCUMENT = """
  ... on SalesQuote { __typename no amount }
  ... on SalesOrder { __typename no amount quoteNo }"""
OPPORTUNITY = f"""no status closed version calculatedCurrentValue
  salesDocument {{ {DOCUMENT} }}"""
LINE = "lineNo description quantity unitPrice lineDiscountPct amount"
QUOTE = f"""no documentDate orderDate shipmentDate amount contact {{ no }} salesperson {{ code }}
  opportunity {{ no }} lines {{ {LINE} }}"""
ERRORS = "userErrors { code field }"

CREATE_QUOTE = f"""mutation($input: CreateSalesQuoteInput!) {{ createSalesQuote(input: $input) {{
  salesQuote {{ {QUOTE} }} opportunity {{ {OPPORTUNITY} }} {ERRORS} }} }}"""
ASSIGN = f"""mutation($input: AssignSalesQuoteInput!) {{ assignSalesQuote(input: $input) {{
  opportunity {{ {OPPORTUNITY} }} {ERRORS} }} }}"""
UNASSIGN = f"""mutation($input: UnassignSalesDocumentInput!) {{ unassignSalesDocument(input: $input) {{
  opportunity {{ {OPPORTUNITY} }} {ERRORS} }} }}"""
MAKE_ORDER = f"""mutation($input: MakeOrderFromQuoteInput!) {{ makeOrderFromQuote(input: $input) {{
  salesOrder {{ no quoteNo documentDate amount contact {{ no }} salesperson {{ code }} opportunity {{ no }}
    lines {{ {LINE} }} }}
  opportunity {{ {OPPORTUNITY} dateClosed
    activeEntry {{ entryNo actionTaken dateOfChange calculatedCurrentValue closeOpportunityCode {{ code }} }}
    tasks(first: 10) {{ nodes {{ no closed canceled }} }} }}
  {ERRORS} }} }}"""
DELETE_QUOTE = f"""mutation($input: DeleteSalesQuoteInput!) {{ deleteSalesQuote(input: $input) {{
  deletedId {ERRORS} }} }}"""
CLOSE = f"""mutation($input: CloseOpportunityInput!) {{ closeOpportunity(input: $input) {{
  opportunity {{ {OPPORTUNITY} }} entry {{ actionTaken estimatedValue calculatedCurrentValue }}
  {ERRORS} }} }}"""
STAGE = f"""mutation($input: UpdateOpportunityStageInput!) {{ updateOpportunityStage(input: $input) {{
  opportunity {{ {OPPORTUNITY} }} entry {{ actionTaken stageNo estimatedValue }} {ERRORS} }} }}"""
READ_OPPORTUNITY = f"query($no: String!) {{ opportunity(no: $no) {{ {OPPORTUNITY} }} }}"
READ_QUOTE = f"query($no: String!) {{ salesQuote(no: $no) {{ id {QUOTE} }} }}"


async def given_the_world(sessions: SessionFactory, *rows: Any) -> None:
    """Salespeople S and S2; companies C (salesperson S2) and D; the activated campaign K; cycle NEW
    (2 stages); won code WON1 and lost code LOST1; then ``rows``.

    Opportunities: O (C, S, K; in progress on stage 1 with an open task T1), N (not started),
    W (won).
    """
    c = f.company("C", salesperson_code="S2")
    o = f.opportunity("O", c, "S", "NEW", campaign_no="K", status=OpportunityStatus.IN_PROGRESS)
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.salesperson("S2"),
        c,
        f.company("D"),
        b.campaign("K", "S", activated=True),
        *f.cycle("NEW", stages=2),
        b.close_code("WON1", CloseOutcome.WON),
        b.close_code("LOST1", CloseOutcome.LOST),
        o,
        f.entry(o, 1, "1000", estimated_close_date=dt.date.fromisoformat(CLOSE_DATE)),
        b.task("T1", opportunity_no="O", contact_no="C", salesperson_code="S"),
        f.opportunity("N", c, "S", "NEW"),
        *closed_opportunity("W", OpportunityStatus.WON),
        *rows,
    )


def in_progress(no: str, contact: str = "C", **kw: Any) -> list[Any]:
    """Another in-progress opportunity of ``contact`` on stage 1 (``kw`` go to the opportunity)."""
    opp = f.opportunity(no, f.company(contact), "S", "NEW", status=OpportunityStatus.IN_PROGRESS, **kw)
    return [opp, f.entry(opp, 1, "1000")]


def closed_opportunity(no: str, status: OpportunityStatus, **kw: Any) -> list[Any]:
    """A won or lost opportunity of contact C with its closing entry (``kw`` go to the opportunity)."""
    opp = f.opportunity(no, f.company("C"), "S", "NEW", **b.closed(status, f.DAY), **kw)
    taken = models.ActionTaken.WON if status is OpportunityStatus.WON else models.ActionTaken.LOST
    return [opp, f.entry(opp, 0, "500", action_taken=taken, date_closed=f.DAY)]


def line_input(qty: str, price: str, discount: str, description: str = "Item") -> dict[str, str]:
    return {"description": description, "quantity": qty, "unitPrice": price, "lineDiscountPct": discount}


def payload(data: dict[str, Any], name: str) -> dict[str, Any]:
    result: dict[str, Any] = data[name]
    return result


def ok(data: dict[str, Any], name: str) -> dict[str, Any]:
    result = payload(data, name)
    assert result["userErrors"] == [], result["userErrors"]
    return result


def errors(data: dict[str, Any], name: str) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload(data, name)["userErrors"]]


@dataclass(frozen=True)
class Snapshot:
    """What the sales-document mutations can write, to show that a refused one wrote nothing."""

    quotes: list[str]
    quote_lines: int
    orders: list[str]
    quote_series: int
    order_series: int
    opportunities: list[tuple[str, OpportunityStatus, int, str | None, str | None]]
    entries: int
    open_tasks: int


async def snapshot(sessions: SessionFactory) -> Snapshot:
    async with sessions() as s:
        setup = await s.get(models.Setup, 1)
        assert setup is not None
        series = {row.code: row.next_no for row in await s.scalars(select(models.NumberSeries))}
        opportunities = await s.execute(
            select(
                models.Opportunity.no,
                models.Opportunity.status,
                models.Opportunity.version,
                models.Opportunity.sales_quote_no,
                models.Opportunity.sales_order_no,
            ).order_by(models.Opportunity.no)
        )
        return Snapshot(
            quotes=list(await s.scalars(select(models.SalesQuote.no).order_by(models.SalesQuote.no))),
            quote_lines=await count(s, models.SalesQuoteLine),
            orders=list(await s.scalars(select(models.SalesOrder.no).order_by(models.SalesOrder.no))),
            quote_series=series[setup.quote_nos],
            order_series=series[setup.order_nos],
            opportunities=[tuple(row) for row in opportunities],  # type: ignore[misc]
            entries=await count(s, models.OpportunityEntry),
            open_tasks=await count(s, models.Task, models.Task.closed.is_(False)),
        )


async def count(session: Any, table: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def opportunity_row(sessions: SessionFactory, no: str) -> models.Opportunity:
    async with sessions() as s:
        opp = await s.get(models.Opportunity, no)
        assert opp is not None
        return opp
