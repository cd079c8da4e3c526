"""Business Central's opportunity statistics (domain.md §7, §11.10), computed from the entries.

Every figure is an aggregate over opportunity entries, never stored. Each loader answers a batch
of parents (a page of salespeople, the stages of several cycles…) with one statement, grouped by
the parent's key, so a list of 50 parents with their statistics costs one statement more.

* salesperson, campaign: the active entries carrying its code — closed opportunities included
  (their active entry is the Won or Lost entry) unless ``actionTaken`` narrows them;
* contact: the active entries of the company and all its persons (for a company), or of the
  person alone;
* sales cycle: its active entries that are not Won or Lost (open opportunities only);
* stage: the active entries at (cycle, stage), and the average ``daysOpen`` of the inactive ones;
* close code: every entry, active or not, carrying the code.

``StatisticsFilter`` narrows the entries: estimated close date range, actions taken, cycle, stage.
Every loader counts only the entries its viewer may read (:func:`resolvers.viewer.visible`): a
salesperson's figures are those of its own opportunities.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, tuple_, union_all
from strawberry.dataloader import DataLoader

from models import ActionTaken, Contact, ContactType, OpportunityEntry
from models.probability import money_total, round_money
from resolvers.reads.loading import Loader
from resolvers.session import SessionFactory
from resolvers.viewer import Viewer, visible_conditions

ZERO = Decimal("0.00")
DAYS_QUANTUM = Decimal("0.01")
CLOSING = (ActionTaken.WON, ActionTaken.LOST)


@dataclass(frozen=True, slots=True)
class StatisticsFilter:
    """Narrows the entries a statistic counts; every given condition must hold."""

    estimated_close_date_from: dt.date | None = None
    estimated_close_date_to: dt.date | None = None
    action_taken: tuple[ActionTaken, ...] | None = None
    sales_cycle_code: str | None = None
    stage: int | None = None


@dataclass(frozen=True, slots=True)
class Statistics:
    no_of_opportunities: int = 0
    estimated_value: Decimal = ZERO
    calculated_current_value: Decimal = ZERO
    average_estimated_value: Decimal = ZERO
    average_calculated_current_value: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class StageStatistics:
    no_of_opportunities: int = 0
    estimated_value: Decimal = ZERO
    calculated_current_value: Decimal = ZERO
    average_no_of_days: Decimal = ZERO


class Scope(enum.Enum):
    """Whose statistics: the parent a key names."""

    SALESPERSON = "SALESPERSON"
    CAMPAIGN = "CAMPAIGN"
    SALES_CYCLE = "SALES_CYCLE"
    CONTACT = "CONTACT"


E = OpportunityEntry


def entry_conditions(f: StatisticsFilter) -> list[ColumnElement[bool]]:
    """The filter's conditions on ``opportunity_entry``."""
    conditions: list[ColumnElement[bool]] = []
    if f.estimated_close_date_from is not None:
        conditions.append(E.estimated_close_date >= f.estimated_close_date_from)
    if f.estimated_close_date_to is not None:
        conditions.append(E.estimated_close_date <= f.estimated_close_date_to)
    if f.action_taken is not None:
        conditions.append(E.action_taken.in_(f.action_taken))
    if f.sales_cycle_code is not None:
        conditions.append(E.sales_cycle_code == f.sales_cycle_code.strip().upper())
    if f.stage is not None:
        conditions.append(E.sales_cycle_stage == f.stage)
    return conditions


def _measures() -> list[Any]:
    return [
        func.count(E.entry_no).label("n"),
        func.sum(E.estimated_value).label("estimated"),
        func.sum(E.calculated_current_value).label("calculated"),
        func.avg(E.estimated_value).label("avg_estimated"),
        func.avg(E.calculated_current_value).label("avg_calculated"),
    ]


def _statistics(row: Any) -> Statistics:
    if not row.n:
        return Statistics()
    return Statistics(
        no_of_opportunities=row.n,
        estimated_value=round_money(row.estimated),
        calculated_current_value=round_money(row.calculated),
        average_estimated_value=round_money(row.avg_estimated),
        average_calculated_current_value=round_money(row.avg_calculated),
    )


def _scope_statement(scope: Scope, keys: Sequence[str], f: StatisticsFilter, viewer: Viewer) -> Any:
    """``(key, measures…)`` per parent key, over the active entries in the scope."""
    conditions = [E.active.is_(True), *entry_conditions(f), *visible_conditions(viewer, E)]
    if scope is Scope.CONTACT:
        return _contact_statement(keys, conditions)
    column = {
        Scope.SALESPERSON: E.salesperson_code,
        Scope.CAMPAIGN: E.campaign_no,
        Scope.SALES_CYCLE: E.sales_cycle_code,
    }[scope]
    if scope is Scope.SALES_CYCLE:
        conditions.append(E.action_taken.not_in(CLOSING))  # open opportunities only (§7)
    return select(column.label("key"), *_measures()).where(column.in_(keys), *conditions).group_by(column)


def _contact_statement(keys: Sequence[str], conditions: list[ColumnElement[bool]]) -> Any:
    """A company counts its own and its persons' entries; a person only its own (domain.md §1.3).

    Two equality joins (on the company, and for persons without a company on the contact) that
    the partial index on active entries answers, rather than one join on an ``OR`` that it cannot.
    """
    contacts = select(Contact.no, Contact.type, Contact.company_no).where(Contact.no.in_(keys)).subquery()
    own = or_(contacts.c.type == ContactType.COMPANY, E.contact_no == contacts.c.no)
    in_company = (
        select(contacts.c.no.label("key"), E)
        .select_from(contacts)
        .join(E, and_(E.contact_company_no == contacts.c.company_no, own, *conditions))
    )
    without_company = (
        select(contacts.c.no.label("key"), E)
        .select_from(contacts)
        .join(
            E,
            and_(
                contacts.c.company_no.is_(None),
                E.contact_company_no.is_(None),
                E.contact_no == contacts.c.no,
                *conditions,
            ),
        )
    )
    matched = union_all(in_company, without_company).subquery()
    return select(
        matched.c.key,
        func.count(matched.c.entry_no).label("n"),
        func.sum(matched.c.estimated_value).label("estimated"),
        func.sum(matched.c.calculated_current_value).label("calculated"),
        func.avg(matched.c.estimated_value).label("avg_estimated"),
        func.avg(matched.c.calculated_current_value).label("avg_calculated"),
    ).group_by(matched.c.key)


def statistics_loader(
    sessions: SessionFactory, scope: Scope, f: StatisticsFilter, viewer: Viewer
) -> DataLoader[str, Statistics]:
    """Statistics of many parents of one kind, one statement per batch."""

    async def load(keys: list[str]) -> list[Statistics]:
        async with sessions() as session:
            rows = (await session.execute(_scope_statement(scope, keys, f, viewer))).all()
        found = {row.key: _statistics(row) for row in rows}
        return [found.get(key, Statistics()) for key in keys]

    return Loader(load_fn=load)


def stage_statistics_loader(
    sessions: SessionFactory, f: StatisticsFilter, viewer: Viewer
) -> DataLoader[tuple[str, int], StageStatistics]:
    """Stage statistics of many (cycle, stage) keys: active entries on the stage, and the average
    days open of its inactive entries, in one statement."""

    async def load(keys: list[tuple[str, int]]) -> list[StageStatistics]:
        active = E.active.is_(True)
        inactive = E.active.is_(False)
        stmt = (
            select(
                E.sales_cycle_code,
                E.sales_cycle_stage,
                func.count(E.entry_no).filter(active).label("n"),
                func.sum(E.estimated_value).filter(active).label("estimated"),
                func.sum(E.calculated_current_value).filter(active).label("calculated"),
                func.avg(E.days_open).filter(inactive).label("days"),
            )
            .where(
                tuple_(E.sales_cycle_code, E.sales_cycle_stage).in_(keys),
                *entry_conditions(f),
                *visible_conditions(viewer, E),
            )
            .group_by(E.sales_cycle_code, E.sales_cycle_stage)
        )
        async with sessions() as session:
            rows = (await session.execute(stmt)).all()
        found = {
            (row.sales_cycle_code, row.sales_cycle_stage): StageStatistics(
                no_of_opportunities=row.n,
                estimated_value=money_total(row.estimated),
                calculated_current_value=money_total(row.calculated),
                average_no_of_days=Decimal(row.days or 0).quantize(DAYS_QUANTUM, rounding=ROUND_HALF_UP),
            )
            for row in rows
        }
        return [found.get(key, StageStatistics()) for key in keys]

    return Loader(load_fn=load)


def close_code_count_loader(sessions: SessionFactory, viewer: Viewer) -> DataLoader[str, int]:
    """How many entries, active or not, carry each close code (domain.md §1.7)."""

    async def load(codes: list[str]) -> list[int]:
        stmt = (
            select(E.close_opportunity_code, func.count(literal_column("*")))
            .where(E.close_opportunity_code.in_(codes), *visible_conditions(viewer, E))
            .group_by(E.close_opportunity_code)
        )
        async with sessions() as session:
            counts: dict[str | None, int] = {row[0]: row[1] for row in (await session.execute(stmt)).all()}
        return [counts.get(code, 0) for code in codes]

    return Loader(load_fn=load)
