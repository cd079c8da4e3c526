"""The sales world whose relations the relation tests read (``test_read_*_relations.py``), and the
expected page of a connection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import models
from models import ActionTaken, CloseOutcome, OpportunityStatus, Priority
from resolvers.session import SessionFactory
from tests.support.builders import activity, campaign, close_code, closed, insert, order, quote, stage, task
from tests.support.factories import DAY, company, entry, opportunity, person, salesperson

WON_ON = dt.date(2024, 1, 20)


async def given_a_sales_world(sessions: SessionFactory) -> dict[str, int]:
    """Two salespeople, a company with persons, a cycle, three opportunities in three states.

    OP1 is in progress at stage 2 with a quote, OP2 is not started, OP3 was won with an order.
    Returns the entry numbers by name.
    """
    c1, p3 = company("C1", salesperson_code="SP1"), person("P3", None)
    p1 = person("P1", "C1", salesperson_code="SP2")
    op1 = opportunity(
        "OP1", p1, "SP1", "CYC", campaign_no="CA1", sales_quote_no="SQ1",
        status=OpportunityStatus.IN_PROGRESS, priority=Priority.HIGH,
    )  # fmt: skip
    op2 = opportunity("OP2", c1, None, None)
    op3 = opportunity("OP3", p3, "SP2", "CYC", sales_order_no="SO1", **closed(OpportunityStatus.WON, WON_ON))
    e1 = entry(op1, 1, "800", active=False, days_open=5)
    e2 = entry(
        op1, 2, "1000", action_taken=ActionTaken.NEXT, previous_sales_cycle_stage=1,
        date_of_change=DAY + dt.timedelta(days=5), completed_pct=Decimal("42.5"),
        probability_pct=Decimal("21.25"), calculated_current_value=Decimal("212.50"),
        estimated_close_date=dt.date(2024, 2, 29),
    )  # fmt: skip
    e3 = entry(op3, 3, "500", active=False)
    e4 = entry(
        op3, 0, "500", action_taken=ActionTaken.WON, previous_sales_cycle_stage=3,
        date_closed=WON_ON, close_opportunity_code="WON1",
    )  # fmt: skip
    await insert(
        sessions,
        salesperson("SP1", "Ann Smith", job_title="Account manager", commission_pct=Decimal("2.5")),
        salesperson("SP2"),
        c1, p1, person("P2", "C1"), p3,
        *activity("ACT", (2, "Send offer"), (1, "Call")),
        models.SalesCycle(code="CYC", description="Standard"),
        stage("CYC", 3, quote_required=True),
        stage("CYC", 1, date_formula="1W"),
        stage("CYC", 2, activity_code="ACT", allow_skip=True),
        close_code("WON1", CloseOutcome.WON, "Best price"),
        close_code("LOST1", CloseOutcome.LOST),
        campaign("CA1", "SP2", activated=True, starting_date=DAY, ending_date=dt.date(2024, 12, 31)),
        *quote("SQ1", "P1", ("2", "10", "0"), ("3", "33.33", "10"), ("1", "0.125", "0"),
               salesperson_code="SP1"),
        *quote("SQ2", "P2"),
        *order("SO1", "C1", ("4", "12.5", "50"), ("1", "0.99", "0"), quote_no="SQ0", salesperson_code="SP2"),
        op1, op2, op3, e1, e2, e3, e4,
    )  # fmt: skip
    await insert(
        sessions,
        task("TD1", salesperson_code="SP1", contact_no="P1", opportunity_no="OP1",
             opportunity_entry_no=e2.entry_no),
        task("TD2", salesperson_code="SP1", closed=True),
        task("TD3", salesperson_code="SP2", opportunity_no="OP3"),
    )  # fmt: skip
    return {"e1": e1.entry_no, "e2": e2.entry_no, "e3": e3.entry_no, "e4": e4.entry_no}


def page(*keys: object, key: str = "no") -> dict[str, Any]:
    """The expected ``totalCount`` and ``nodes`` of a connection."""
    return {"totalCount": len(keys), "nodes": [{key: k} for k in keys]}
