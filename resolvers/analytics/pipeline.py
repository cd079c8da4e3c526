"""The grouped pipeline: opportunity counts and values by up to four dimensions, now or as of a date.

Every opportunity contributes one *state* row: today, the figures of its active entry (0 and no
stage while not started); as of a past date D, the figures of the entry that was active on D (the
latest with ``date_of_change <= D``, ties to the highest entry number), with the salesperson,
contact, campaign and stage that entry recorded. One statement groups the states with
``GROUPING SETS ((dimensions…), ())``, so the groups and the total come back together.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Subquery,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import ActionTaken, Opportunity, OpportunityEntry, OpportunityStatus
from models.probability import money_total
from resolvers.errors import RequestError
from resolvers.reads.opportunity import (
    ActiveEntry,
    OpportunityFilter,
    opportunity_conditions,
    opportunity_listing,
)
from resolvers.reads.pagination import Listing
from resolvers.viewer import Viewer, scoped

MAX_DIMENSIONS = 4
MAX_GROUPS = 1000


class PipelineDimension(enum.Enum):
    SALESPERSON = "SALESPERSON"
    SALES_CYCLE = "SALES_CYCLE"
    STAGE = "STAGE"
    CONTACT_COMPANY = "CONTACT_COMPANY"
    CAMPAIGN = "CAMPAIGN"
    STATUS = "STATUS"
    PERIOD = "PERIOD"


class PeriodUnit(enum.Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


class PeriodDate(enum.Enum):
    ESTIMATED_CLOSE_DATE = "ESTIMATED_CLOSE_DATE"
    CREATION_DATE = "CREATION_DATE"
    DATE_CLOSED = "DATE_CLOSED"


# The state column each dimension groups by (PERIOD groups by the period of a date column).
DIMENSION_COLUMNS = {
    PipelineDimension.SALESPERSON: "salesperson_code",
    PipelineDimension.SALES_CYCLE: "sales_cycle_code",
    PipelineDimension.STAGE: "sales_cycle_stage",
    PipelineDimension.CONTACT_COMPANY: "contact_company_no",
    PipelineDimension.CAMPAIGN: "campaign_no",
    PipelineDimension.STATUS: "status",
}
PERIOD_COLUMNS = {
    PeriodDate.ESTIMATED_CLOSE_DATE: "estimated_close_date",
    PeriodDate.CREATION_DATE: "creation_date",
    PeriodDate.DATE_CLOSED: "date_closed",
}
STATUS_ORDER = {status: n for n, status in enumerate(OpportunityStatus)}


@dataclass(frozen=True, slots=True)
class PipelineRequest:
    dimensions: tuple[PipelineDimension, ...]
    period: PeriodUnit | None = None
    period_date: PeriodDate = PeriodDate.ESTIMATED_CLOSE_DATE
    filter: OpportunityFilter | None = None
    as_of: dt.date | None = None

    def checked(self) -> PipelineRequest:
        if len(self.dimensions) > MAX_DIMENSIONS:
            raise RequestError(
                "TOO_MANY_DIMENSIONS",
                f"`groupBy` has {len(self.dimensions)} dimensions, above the limit of {MAX_DIMENSIONS}.",
            )
        if len(set(self.dimensions)) < len(self.dimensions):
            raise RequestError("DUPLICATE_DIMENSION", "`groupBy` names a dimension more than once.")
        grouped_by_period = PipelineDimension.PERIOD in self.dimensions
        if grouped_by_period and self.period is None:
            raise RequestError("PERIOD_REQUIRED", "Grouping by PERIOD needs `period` (DAY … YEAR).")
        if not grouped_by_period and self.period is not None:
            raise RequestError("PERIOD_NOT_GROUPED", "`period` is given but `groupBy` has no PERIOD.")
        return self


@dataclass(frozen=True, slots=True)
class GroupKey:
    """The values of the grouped dimensions; the others stay ``None``."""

    salesperson_code: str | None = None
    sales_cycle_code: str | None = None
    stage: int | None = None
    contact_company_no: str | None = None
    campaign_no: str | None = None
    status: OpportunityStatus | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Measures:
    no_of_opportunities: int
    estimated_value: Decimal
    calculated_current_value: Decimal

    @property
    def average_estimated_value(self) -> Decimal:
        return average(self.estimated_value, self.no_of_opportunities)

    @property
    def average_calculated_current_value(self) -> Decimal:
        return average(self.calculated_current_value, self.no_of_opportunities)


NO_MEASURES = Measures(0, Decimal("0.00"), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class PipelineGroup:
    key: GroupKey
    measures: Measures


@dataclass(frozen=True, slots=True)
class PipelineFigures:
    groups: list[PipelineGroup]
    total: Measures


def average(total: Decimal, count: int) -> Decimal:
    """``total / count`` to the cent, half-up; 0 for an empty set."""
    return money_total(total / count) if count else money_total(Decimal(0))


def period_end(start: dt.date, unit: PeriodUnit) -> dt.date:
    """The last day of the period that begins on ``start`` (weeks are ISO: Monday to Sunday).

    Stored dates end in 2999 (api.md §7.2); should a period still run past the last date Python
    holds, it ends on that date instead of failing the whole pipeline."""
    try:
        if unit is PeriodUnit.DAY:
            return start
        if unit is PeriodUnit.WEEK:
            return start + dt.timedelta(days=6)
        months = {PeriodUnit.MONTH: 1, PeriodUnit.QUARTER: 3, PeriodUnit.YEAR: 12}[unit]
        month = start.month - 1 + months
        return dt.date(start.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    except (OverflowError, ValueError):
        return dt.date.max


# --- the state of every opportunity ------------------------------------------------------------


def current_state(f: OpportunityFilter | None, viewer: Viewer) -> Subquery:
    """Each opportunity the filter lets through, with its active entry's figures: the list's query."""
    o, e = Opportunity, ActiveEntry
    listing = scoped(opportunity_listing(f, []), viewer)
    return listing.stmt.with_only_columns(
        o.no,
        o.description,
        o.priority,
        o.creation_date,
        o.status,
        o.closed,
        o.date_closed,
        o.salesperson_code,
        o.contact_no,
        o.contact_company_no,
        o.campaign_no,
        o.sales_cycle_code,
        e.sales_cycle_stage,
        e.estimated_close_date,
        func.coalesce(e.estimated_value, 0).label("estimated_value"),
        func.coalesce(e.calculated_current_value, 0).label("calculated_current_value"),
    ).subquery("state")


EntryAsOf = aliased(OpportunityEntry, name="entry_as_of")


def active_on(e: Any, day: dt.date) -> ColumnElement[bool]:
    """Whether entry ``e`` was its opportunity's active entry at the end of ``day``.

    By definition that is the latest entry dated on or before ``day`` (ties to the highest entry
    number). The lifecycle never dates an entry before the active one (DATE_BEFORE_LAST_CHANGE,
    and ``days_open >= 0`` is checked), and on deactivation it stores ``days_open`` = the next
    entry's date − this one's (domain.md §3.3). So that latest entry is exactly the one dated on or
    before ``day`` that is still active or was replaced after ``day``: a condition on each entry
    alone, which PostgreSQL answers with one scan instead of a sorted probe per opportunity.
    """
    return and_(e.date_of_change <= day, or_(e.active, e.date_of_change + e.days_open > day))


# Filter fields whose meaning as of a date is defined below; any other is refused with asOf.
AS_OF_FILTER_FIELDS = frozenset(
    {
        "status",
        "closed",
        "salesperson_code",
        "contact_no",
        "contact_company_no",
        "campaign_no",
        "sales_cycle_code",
        "current_stage",
        "priority",
        "creation_date_from",
        "creation_date_to",
        "estimated_closing_date_from",
        "estimated_closing_date_to",
        "date_closed_from",
        "date_closed_to",
        "search",
    }
)


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def state_as_of(day: dt.date, f: OpportunityFilter | None, viewer: Viewer) -> Subquery:
    """Each opportunity created by ``day``, with the entry that was active on that day.

    The filter reads this state through the list's own conditions: status, closed, stage, dates,
    salesperson, contact, campaign and cycle as of ``day``; priority and description as today
    (they have no history).
    """
    if f is not None:
        unsupported = [x.name for x in fields(f) if getattr(f, x.name) is not None]
        unsupported = [name for name in unsupported if name not in AS_OF_FILTER_FIELDS]
        if unsupported:
            names = ", ".join(f"`{_camel(name)}`" for name in sorted(unsupported))
            raise RequestError(
                "FILTER_NOT_SUPPORTED_AS_OF", f"The filter field(s) {names} cannot be applied with `asOf`."
            )
    o, e = Opportunity, EntryAsOf
    started = e.entry_no.is_not(None)

    def then(column: str) -> Any:
        # History keeps what the entry recorded; a not-started opportunity has only today's values.
        return case((started, getattr(e, column)), else_=getattr(o, column)).label(column)

    def status(value: OpportunityStatus) -> Any:
        return literal(value, Opportunity.status.type)

    closing = e.action_taken.in_([ActionTaken.WON, ActionTaken.LOST])
    rows = select(o, e).outerjoin(e, and_(e.opportunity_no == o.no, active_on(e, day)))
    rows = rows.where(o.creation_date <= day)
    listing = scoped(Listing(rows, (), "opportunity"), viewer)
    state = listing.stmt.with_only_columns(
        o.no,
        o.description,
        o.priority,
        o.creation_date,
        case(
            (~started, status(OpportunityStatus.NOT_STARTED)),
            (e.action_taken == ActionTaken.WON, status(OpportunityStatus.WON)),
            (e.action_taken == ActionTaken.LOST, status(OpportunityStatus.LOST)),
            else_=status(OpportunityStatus.IN_PROGRESS),
        ).label("status"),
        func.coalesce(closing, false()).label("closed"),
        e.date_closed,
        then("salesperson_code"),
        then("contact_no"),
        then("contact_company_no"),
        then("campaign_no"),
        then("sales_cycle_code"),
        e.sales_cycle_stage,
        e.estimated_close_date,
        func.coalesce(e.estimated_value, 0).label("estimated_value"),
        func.coalesce(e.calculated_current_value, 0).label("calculated_current_value"),
    ).subquery("state_as_of")
    if f is None:
        return state
    return select(state).where(*opportunity_conditions(f, state.c, state.c)).subquery("state")


# --- grouping ------------------------------------------------------------------------------------


def pipeline_statement(request: PipelineRequest, viewer: Viewer) -> Any:
    """One row per group (``grouping = 0``) plus the total row (``grouping = 1``)."""
    if request.as_of is None:
        state = current_state(request.filter, viewer)
    else:
        state = state_as_of(request.as_of, request.filter, viewer)
    keys: list[Any] = []
    for dimension in request.dimensions:
        if dimension is PipelineDimension.PERIOD:
            assert request.period is not None
            day = cast(state.c[PERIOD_COLUMNS[request.period_date]], DateTime)
            unit: Any = literal_column(f"'{request.period.value.lower()}'")
            keys.append(cast(func.date_trunc(unit, day), Date).label("period_start"))
        else:
            keys.append(state.c[DIMENSION_COLUMNS[dimension]])
    facts = select(
        *[key.label(f"k{n}") for n, key in enumerate(keys)],
        state.c.estimated_value,
        state.c.calculated_current_value,
    ).subquery("facts")
    measures = (
        func.count(),
        func.coalesce(func.sum(facts.c.estimated_value), 0),
        func.coalesce(func.sum(facts.c.calculated_current_value), 0),
    )
    if not keys:
        return select(*measures)
    columns = [facts.c[f"k{n}"] for n in range(len(keys))]
    return (
        select(*columns, func.grouping(*columns), *measures)
        .group_by(func.grouping_sets(tuple_(*columns), tuple_()))
        .limit(MAX_GROUPS + 2)  # enough to tell "at most MAX_GROUPS groups, and the total"
    )


def _key(request: PipelineRequest, values: tuple[Any, ...]) -> GroupKey:
    named: dict[str, Any] = {}
    for dimension, value in zip(request.dimensions, values, strict=True):
        if dimension is PipelineDimension.PERIOD:
            assert request.period is not None
            named["period_start"] = value
            named["period_end"] = None if value is None else period_end(value, request.period)
        else:
            named["stage" if dimension is PipelineDimension.STAGE else DIMENSION_COLUMNS[dimension]] = value
    return GroupKey(**named)


def _sort_key(request: PipelineRequest, key: GroupKey) -> tuple[tuple[bool, Any], ...]:
    """The grouped values in ``groupBy`` order, ascending, statuses in lifecycle order, nulls last."""
    values = {
        PipelineDimension.SALESPERSON: key.salesperson_code,
        PipelineDimension.SALES_CYCLE: key.sales_cycle_code,
        PipelineDimension.STAGE: key.stage,
        PipelineDimension.CONTACT_COMPANY: key.contact_company_no,
        PipelineDimension.CAMPAIGN: key.campaign_no,
        PipelineDimension.STATUS: None if key.status is None else STATUS_ORDER[key.status],
        PipelineDimension.PERIOD: key.period_start,
    }
    return tuple((values[d] is None, values[d]) for d in request.dimensions)


async def pipeline(session: AsyncSession, request: PipelineRequest, viewer: Viewer) -> PipelineFigures:
    """The groups in key order and the total; ``TOO_MANY_GROUPS`` beyond :data:`MAX_GROUPS`."""
    request = request.checked()
    rows = (await session.execute(pipeline_statement(request, viewer))).all()
    width = len(request.dimensions)
    groups: list[PipelineGroup] = []
    total = NO_MEASURES
    for row in rows:
        count, estimated, calculated = row[-3:]
        measures = Measures(count, money_total(estimated), money_total(calculated))
        if width and row[width] == 0:
            groups.append(PipelineGroup(_key(request, tuple(row[:width])), measures))
        else:
            total = measures
    if len(groups) > MAX_GROUPS:
        raise RequestError(
            "TOO_MANY_GROUPS",
            f"The pipeline has more than {MAX_GROUPS} groups: group by fewer dimensions, "
            "a longer period, or narrow the filter.",
        )
    if not width and total.no_of_opportunities:
        groups.append(PipelineGroup(GroupKey(), total))
    groups.sort(key=lambda group: _sort_key(request, group.key))
    return PipelineFigures(groups, total)
