"""Small builders of rows for tests (written straight to the database, no API involved)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import update

import models
from models import (
    ActionTaken,
    ContactType,
    OpportunityStatus,
    ProbabilityCalculation,
)
from resolvers.session import SessionFactory

DAY = dt.date(2024, 1, 10)


async def add(sessions: SessionFactory, *rows: Any) -> None:
    async with sessions() as session, session.begin():
        session.add_all(rows)


def salesperson(code: str, name: str | None = None, **kw: Any) -> models.Salesperson:
    return models.Salesperson(
        code=code, name=name or f"Salesperson {code}", email=f"{code.lower()}@example.com", **kw
    )


def company(no: str, name: str | None = None, **kw: Any) -> models.Contact:
    return models.Contact(no=no, type=ContactType.COMPANY, company_no=no, name=name or f"Company {no}", **kw)


def person(no: str, company_no: str | None, name: str | None = None, **kw: Any) -> models.Contact:
    return models.Contact(
        no=no, type=ContactType.PERSON, company_no=company_no, name=name or f"Person {no}", **kw
    )


def cycle(code: str, stages: int = 4, **kw: Any) -> list[Any]:
    rows: list[Any] = [
        models.SalesCycle(
            code=code,
            description=f"Cycle {code}",
            probability_calculation=kw.pop("probability_calculation", ProbabilityCalculation.MULTIPLY),
            **kw,
        )
    ]
    rows += [
        models.SalesCycleStage(
            sales_cycle_code=code,
            stage=i,
            description=f"Stage {i}",
            completed_pct=Decimal(i * 20),
            chances_of_success_pct=Decimal(40 + i * 10),
        )
        for i in range(1, stages + 1)
    ]
    return rows


def opportunity(
    no: str,
    contact: models.Contact,
    salesperson_code: str | None,
    cycle_code: str | None,
    **kw: Any,
) -> models.Opportunity:
    return models.Opportunity(
        no=no,
        description=kw.pop("description", f"Deal {no}"),
        contact_no=contact.no,
        contact_company_no=contact.company_no,
        salesperson_code=salesperson_code,
        sales_cycle_code=cycle_code,
        creation_date=kw.pop("creation_date", DAY),
        **kw,
    )


def entry(
    opp: models.Opportunity, stage: int, value: str, *, active: bool = True, **kw: Any
) -> models.OpportunityEntry:
    return models.OpportunityEntry(
        opportunity_no=opp.no,
        sales_cycle_code=opp.sales_cycle_code,
        sales_cycle_stage=stage,
        sales_cycle_stage_description=f"Stage {stage}",
        contact_no=opp.contact_no,
        contact_company_no=opp.contact_company_no,
        salesperson_code=opp.salesperson_code,
        date_of_change=kw.pop("date_of_change", DAY),
        active=active,
        action_taken=kw.pop("action_taken", ActionTaken.STARTED),
        estimated_value=Decimal(value),
        calculated_current_value=kw.pop("calculated_current_value", Decimal(value) / 10),
        completed_pct=kw.pop("completed_pct", Decimal(20)),
        chances_of_success_pct=kw.pop("chances_of_success_pct", Decimal(50)),
        probability_pct=kw.pop("probability_pct", Decimal(10)),
        estimated_close_date=kw.pop("estimated_close_date", DAY + dt.timedelta(days=7)),
        **kw,
    )


async def start(sessions: SessionFactory, opp_no: str) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(models.Opportunity)
            .where(models.Opportunity.no == opp_no)
            .values(status=OpportunityStatus.IN_PROGRESS)
        )
