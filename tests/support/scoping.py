"""Two salespeople's rows, mutations run as a given viewer, and a snapshot of every table a
salesperson's mutation can write (tests of api.md §7.1's row rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

import models
from graph.context import Context
from graph.schema import schema
from models import CloseOutcome, OpportunityStatus
from resolvers.session import SessionFactory
from resolvers.viewer import Role, Viewer
from tests.support import builders as b
from tests.support import factories as f

SP1 = Viewer(Role.SALESPERSON, "SP1", "k1")
MANAGER = Viewer(Role.MANAGER, None, "m")
ERRORS = "userErrors { code field message }"

#: The tables a salesperson's mutations write; a refused mutation must leave all of them as they were.
WRITTEN = (
    "opportunity",
    "opportunity_entry",
    "task",
    "sales_quote",
    "sales_quote_line",
    "sales_order",
    "sales_order_line",
    "number_series",
)


async def given_two_salespeople(sessions: SessionFactory) -> None:
    """Salespeople SP1 and SP2; company C of SP1, company D of SP2; cycle NEW (2 stages, the
    setup's default); close codes WON1 and LOST1. Each salesperson X in {1, 2} has O<X>, in
    progress on stage 1 (contact C for SP1, D for SP2) with an open task T<X>, and N<X>, not started.

    Quotes, each of one line of 100: Q1 (C, SP1) and Q2 (D, SP2) linked to nothing; QC2 (contact C
    but salesperson SP2) linked to nothing; L2 (D, SP2) linked to O2. O1 has no quote.
    """
    c = f.company("C", salesperson_code="SP1")
    d = f.company("D", salesperson_code="SP2")
    o1 = f.opportunity("O1", c, "SP1", "NEW", status=OpportunityStatus.IN_PROGRESS)
    o2 = f.opportunity("O2", d, "SP2", "NEW", status=OpportunityStatus.IN_PROGRESS, sales_quote_no="L2")
    await b.insert(
        sessions,
        f.salesperson("SP1"),
        f.salesperson("SP2"),
        c,
        d,
        *f.cycle("NEW", stages=2),
        b.close_code("WON1", CloseOutcome.WON),
        b.close_code("LOST1", CloseOutcome.LOST),
        *b.quote("Q1", "C", ("1", "100", "0"), salesperson_code="SP1"),
        *b.quote("Q2", "D", ("1", "100", "0"), salesperson_code="SP2"),
        *b.quote("QC2", "C", ("1", "100", "0"), salesperson_code="SP2"),
        *b.quote("L2", "D", ("1", "100", "0"), salesperson_code="SP2"),
        o1,
        f.entry(o1, 1, "1000", estimated_close_date=dt.date(2024, 3, 1)),
        b.task("T1", opportunity_no="O1", contact_no="C", salesperson_code="SP1"),
        f.opportunity("N1", c, "SP1", "NEW"),
        o2,
        f.entry(o2, 1, "1000", estimated_close_date=dt.date(2024, 3, 1)),
        b.task("T2", opportunity_no="O2", contact_no="D", salesperson_code="SP2"),
        f.opportunity("N2", d, "SP2", "NEW"),
    )
    async with sessions() as session, session.begin():
        await session.execute(update(models.Setup).values(default_sales_cycle_code="NEW"))


async def run_as(viewer: Viewer, sessions: SessionFactory, document: str, **input: Any) -> dict[str, Any]:
    """The payload of the one mutation in ``document``, run as ``viewer``."""
    result = await schema.execute(
        document,
        variable_values={"input": input},
        context_value=Context(sessions=sessions, request_id="t", viewer=viewer),
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    payload: dict[str, Any] = next(iter(result.data.values()))
    return payload


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


def refusal(payload: dict[str, Any]) -> list[tuple[str, list[str] | None, str]]:
    return [(e["code"], e["field"], e["message"]) for e in payload["userErrors"]]


Tables = dict[str, list[tuple[Any, ...]]]


async def tables(sessions: SessionFactory) -> Tables:
    """Every row of every table in ``WRITTEN``, in key order."""
    found: Tables = {}
    async with sessions() as session:
        for name in WRITTEN:
            table = models.Base.metadata.tables[name]
            rows = await session.execute(select(table).order_by(*table.primary_key.columns))
            found[name] = [tuple(row) for row in rows]
    return found
