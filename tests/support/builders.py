"""Row builders beyond ``tests.support.factories`` (activities, codes, campaigns, tasks, quotes, orders).

The models declare no ORM relationships, so the unit of work cannot order inserts by foreign key:
:func:`insert` writes rows in the order given, flushing each, in one transaction. That also gives
entries their numbers in argument order.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import models
from models import CloseOutcome, OpportunityStatus, Priority, TaskType
from resolvers.session import SessionFactory
from tests.support.factories import DAY

#: A sales line as (quantity, unit price, line discount %); the amount is a generated column.
Line = tuple[str, str, str]


async def insert(sessions: SessionFactory, *rows: Any) -> None:
    """Insert ``rows`` in this order (parents before children) in one transaction."""
    async with sessions() as session, session.begin():
        for row in rows:
            session.add(row)
            await session.flush()


def activity(code: str, *steps: tuple[int, str], description: str | None = None) -> list[Any]:
    """An activity and its steps, each given as (step no, description), in the order given."""
    rows: list[Any] = [models.Activity(code=code, description=description or f"Activity {code}")]
    rows += [
        models.ActivityStep(
            activity_code=code,
            step_no=no,
            type=TaskType.PHONE_CALL if no % 2 else TaskType.MEETING,
            description=text,
            priority=Priority.HIGH if no == 1 else Priority.NORMAL,
            date_formula=f"{no}D",
        )
        for no, text in steps
    ]
    return rows


def close_code(
    code: str, outcome: CloseOutcome, description: str | None = None
) -> models.CloseOpportunityCode:
    return models.CloseOpportunityCode(code=code, type=outcome, description=description or f"Code {code}")


def campaign(no: str, salesperson_code: str | None = None, **kw: Any) -> models.Campaign:
    return models.Campaign(
        no=no,
        description=kw.pop("description", f"Campaign {no}"),
        salesperson_code=salesperson_code,
        **kw,
    )


def stage(cycle_code: str, no: int, **kw: Any) -> models.SalesCycleStage:
    return models.SalesCycleStage(
        sales_cycle_code=cycle_code,
        stage=no,
        description=kw.pop("description", f"Stage {no}"),
        completed_pct=kw.pop("completed_pct", Decimal(no * 25)),
        chances_of_success_pct=kw.pop("chances_of_success_pct", Decimal("12.5")),
        **kw,
    )


def closed(status: OpportunityStatus, on: dt.date) -> dict[str, Any]:
    """Keyword arguments of ``factories.opportunity`` for a won or lost opportunity."""
    return {"status": status, "closed": True, "date_closed": on}


def task(no: str, **kw: Any) -> models.Task:
    if kw.get("closed") and "date_closed" not in kw:
        kw["date_closed"] = DAY
    return models.Task(
        no=no,
        description=kw.pop("description", f"Task {no}"),
        date=kw.pop("date", DAY),
        **kw,
    )


def quote(no: str, contact_no: str, *lines: Line, **kw: Any) -> list[Any]:
    rows: list[Any] = [
        models.SalesQuote(no=no, contact_no=contact_no, document_date=kw.pop("document_date", DAY), **kw)
    ]
    rows += [
        models.SalesQuoteLine(
            quote_no=no,
            line_no=i * 10000,
            description=f"Item {i}",
            quantity=Decimal(qty),
            unit_price=Decimal(price),
            line_discount_pct=Decimal(discount),
        )
        for i, (qty, price, discount) in enumerate(lines, start=1)
    ]
    return rows


def order(no: str, contact_no: str, *lines: Line, **kw: Any) -> list[Any]:
    rows: list[Any] = [
        models.SalesOrder(no=no, contact_no=contact_no, document_date=kw.pop("document_date", DAY), **kw)
    ]
    rows += [
        models.SalesOrderLine(
            order_no=no,
            line_no=i * 10000,
            description=f"Item {i}",
            quantity=Decimal(qty),
            unit_price=Decimal(price),
            line_discount_pct=Decimal(discount),
        )
        for i, (qty, price, discount) in enumerate(lines, start=1)
    ]
    return rows


def errors_of(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The top-level errors of a response as (extensions.code, message)."""
    return [(e.get("extensions", {}).get("code", ""), e["message"]) for e in body.get("errors", [])]
