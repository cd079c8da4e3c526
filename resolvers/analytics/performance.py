"""Sales performance: win rate, velocity, stage conversion, and how long an opportunity has sat in
its current stage. Every figure is one SQL statement, whatever the number of groups or stages.

Definitions (the README's list repeats them):

* A **closed opportunity** is read from its closing entry (the active WON/LOST entry): its
  ``date_closed``, its salesperson and cycle (kept in step with the opportunity's, §11.18) and its
  values. A lost entry keeps the last estimated value and has no sales value (§3.2), so win rate
  by value compares *estimated* values: won estimate ÷ closed estimate. What the won deals sold
  for is a separate figure, the won entries' calculated current value.
* A **stay** in a stage begins with an entry at that stage whose action is not UPDATED (STARTED,
  NEXT, PREVIOUS, JUMPED), runs through the UPDATED entries that follow it (UPDATE never changes
  the stage) and ends on the date of the opportunity's next entry that is not UPDATED (the next
  move, or won/lost). Its length is the end date − the start date, the sum of the ``daysOpen`` of
  its entries. Counting stays rather than entries keeps an update from splitting one stay in two.

Every figure reads only the opportunities and entries its viewer may read
(:func:`resolvers.viewer.visible`): a salesperson's are those of its own opportunities.

How long an opportunity has been in its current stage is in :mod:`resolvers.reads.stage_age`.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Numeric, bindparam, case, cast, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ActionTaken,
    Opportunity,
    OpportunityEntry,
    OpportunityStatus,
    SalesCycle,
    SalesCycleStage,
)
from models.probability import money_total
from resolvers.errors import RequestError
from resolvers.reads.filters import code_value, date_range, equal
from resolvers.reads.pagination import AnySelect
from resolvers.reads.stage_age import UPDATED, action_literal
from resolvers.viewer import Viewer, visible_conditions

MAX_GROUPS = 1000
RATE = Decimal("0.0001")
HUNDRED = Decimal(100)
#: Above any stage number: a WON entry counts as a move past every stage.
BEYOND_STAGES = 2**31 - 1


WON = action_literal(ActionTaken.WON)


def percentage(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """``part ÷ whole`` as a percentage, rounded half-up to 4 decimals; 0 when ``whole`` is 0."""
    if not whole:
        return Decimal(0)
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(RATE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive date range; either end may be open."""

    start: dt.date | None = None
    end: dt.date | None = None

    def checked(self) -> Period:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise RequestError(
                "INVALID_DATE_RANGE",
                f"`from` ({self.start.isoformat()}) is after `to` ({self.end.isoformat()}).",
            )
        return self

    def where(self, column: Any) -> list[Any]:
        return date_range(column, self.start, self.end)


# --- win rate ------------------------------------------------------------------------------------


class WinRateDimension(enum.Enum):
    SALESPERSON = "SALESPERSON"
    SALES_CYCLE = "SALES_CYCLE"


@dataclass(frozen=True, slots=True)
class WinRateFilter:
    salesperson_code: str | None = None
    sales_cycle_code: str | None = None


@dataclass(frozen=True, slots=True)
class WinRate:
    """The closed opportunities of one group (or of all, for the total)."""

    salesperson_code: str | None
    sales_cycle_code: str | None
    won: int
    lost: int
    won_value: Decimal
    lost_value: Decimal
    won_sales_value: Decimal

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def closed_value(self) -> Decimal:
        return self.won_value + self.lost_value

    @property
    def win_rate_by_count(self) -> Decimal:
        return percentage(self.won, self.closed)

    @property
    def win_rate_by_value(self) -> Decimal:
        return percentage(self.won_value, self.closed_value)


def _win_rate_statement(period: Period, f: WinRateFilter | None, viewer: Viewer, *keys: Any) -> AnySelect:
    x = OpportunityEntry
    won = x.action_taken == WON
    return select(
        *keys,
        func.count().filter(won),
        func.count().filter(~won),
        func.sum(x.estimated_value).filter(won),
        func.sum(x.estimated_value).filter(~won),
        func.sum(x.calculated_current_value).filter(won),
    ).where(
        # The closing entry stays active for good (there is no reopen), and only closing
        # entries have a closing date: these two conditions are the closed opportunities.
        x.active,
        x.date_closed.is_not(None),
        *period.where(x.date_closed),
        *equal(
            [
                (x.salesperson_code, code_value(f.salesperson_code if f else None)),
                (x.sales_cycle_code, code_value(f.sales_cycle_code if f else None)),
            ]
        ),
        *visible_conditions(viewer, x),
    )


def _win_rate(codes: tuple[str | None, str | None], row: Any) -> WinRate:
    won, lost, won_value, lost_value, sales = row
    return WinRate(*codes, won, lost, money_total(won_value), money_total(lost_value), money_total(sales))


async def win_rates(
    session: AsyncSession,
    dimension: WinRateDimension,
    period: Period,
    f: WinRateFilter | None,
    viewer: Viewer,
) -> list[WinRate]:
    """One group per salesperson (or cycle) with opportunities closed in ``period``, by code,
    the group without one last; ``TOO_MANY_GROUPS`` beyond :data:`MAX_GROUPS`."""
    x = OpportunityEntry
    by_salesperson = dimension is WinRateDimension.SALESPERSON
    key = x.salesperson_code if by_salesperson else x.sales_cycle_code
    stmt = (
        _win_rate_statement(period.checked(), f, viewer, key)
        .group_by(key)
        .order_by(key.asc().nulls_last())
        .limit(MAX_GROUPS + 1)
    )
    rows = (await session.execute(stmt)).all()
    if len(rows) > MAX_GROUPS:
        raise RequestError(
            "TOO_MANY_GROUPS", f"The win rate has more than {MAX_GROUPS} groups: narrow the filter."
        )
    return [_win_rate((row[0], None) if by_salesperson else (None, row[0]), tuple(row[1:])) for row in rows]


async def win_rate_total(
    session: AsyncSession, period: Period, f: WinRateFilter | None, viewer: Viewer
) -> WinRate:
    row = (await session.execute(_win_rate_statement(period.checked(), f, viewer))).one()
    return _win_rate((None, None), tuple(row))


# --- velocity ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Days:
    """How many, and their average and median in days (2 decimals; ``None`` when there are none)."""

    count: int
    average: Decimal | None
    median: Decimal | None


@dataclass(frozen=True, slots=True)
class StageDays:
    stage: int
    stays: Days


@dataclass(frozen=True, slots=True)
class Velocity:
    sales_cycle_code: str
    stages: list[StageDays]
    closed: Days
    won: Days
    lost: Days


def _days_measures(days: Any, *condition: Any) -> list[Any]:
    """count, average and median of ``days`` (over the rows meeting ``condition``)."""

    def only(aggregate: Any) -> Any:
        return aggregate.filter(*condition) if condition else aggregate

    median = only(func.percentile_cont(bindparam(None, 0.5, literal_execute=True)).within_group(days))
    return [
        only(func.count()),
        func.round(only(func.avg(days)), 2),
        func.round(cast(median, Numeric), 2),
    ]


def _days(count: Any, average: Any, median: Any) -> Days:
    return Days(count or 0, average, median)


def _cycle_stages(code: str) -> AnySelect:
    """The cycle's row joined to its stages: no row at all means an unknown cycle."""
    c, s = SalesCycle, SalesCycleStage
    return (
        select(c.code, s.stage)
        .select_from(c)
        .outerjoin(s, s.sales_cycle_code == c.code)
        .where(c.code == code)
        .order_by(s.stage)
    )


def _velocity_statement(code: str, period: Period, viewer: Viewer) -> AnySelect:
    x = OpportunityEntry
    # Each non-UPDATED entry starts a stay; the next non-UPDATED entry of the same opportunity
    # ends it. Reading the history in (opportunity, entry) order from the partial covering index
    # makes the window a single pass with no sort.
    moves = (
        select(
            x.sales_cycle_stage.label("stage"),
            x.date_of_change.label("entered_on"),
            func.lead(x.date_of_change)
            .over(partition_by=x.opportunity_no, order_by=x.entry_no)
            .label("left_on"),
        )
        .where(x.sales_cycle_code == code, x.action_taken != UPDATED, *visible_conditions(viewer, x))
        .subquery("moves")
    )
    stay = moves.c.left_on - moves.c.entered_on
    stays = (
        select(moves.c.stage, *_days_measures(stay))
        .where(moves.c.stage > 0, moves.c.left_on.is_not(None), *period.where(moves.c.left_on))
        .group_by(moves.c.stage)
        .subquery("stays")
    )
    o = Opportunity
    to_close = o.date_closed - o.creation_date
    won = o.status == OpportunityStatus.WON
    closing = (
        select(
            *_days_measures(to_close),
            *_days_measures(to_close, won),
            *_days_measures(to_close, ~won),
        )
        .where(
            o.sales_cycle_code == code,
            o.closed,
            *period.where(o.date_closed),
            *visible_conditions(viewer, o),
        )
        .subquery("closing")
    )
    return (
        _cycle_stages(code)
        .add_columns(*list(stays.c)[1:], *closing.c)
        .outerjoin(stays, stays.c.stage == SalesCycleStage.stage)
        .join(closing, true())
    )


async def velocity(session: AsyncSession, cycle_code: str, period: Period, viewer: Viewer) -> Velocity:
    code = code_value(cycle_code) or ""
    rows = (await session.execute(_velocity_statement(code, period.checked(), viewer))).all()
    if not rows:
        raise RequestError("NOT_FOUND", f"Sales cycle {code} does not exist.")
    closing = rows[0][5:]
    return Velocity(
        sales_cycle_code=code,
        stages=[StageDays(row[1], _days(*row[2:5])) for row in rows if row[1] is not None],
        closed=_days(*closing[0:3]),
        won=_days(*closing[3:6]),
        lost=_days(*closing[6:9]),
    )


# --- stage conversion ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageConversion:
    stage: int
    reached: int
    converted: int

    @property
    def conversion_rate(self) -> Decimal:
        return percentage(self.converted, self.reached)


def _conversion_statement(code: str, period: Period, viewer: Viewer) -> AnySelect:
    x = OpportunityEntry
    # UPDATED entries are left out: each sits behind a non-UPDATED entry at the same stage that
    # is later than any earlier stage move, so they change neither "reached" nor "converted".
    moves = (
        select(
            x.opportunity_no,
            x.sales_cycle_stage.label("stage"),
            x.date_of_change,
            func.max(case((x.action_taken == WON, BEYOND_STAGES), else_=x.sales_cycle_stage))
            .over(partition_by=x.opportunity_no, order_by=x.entry_no, rows=(1, None))
            .label("furthest_after"),
        )
        .where(x.sales_cycle_code == code, x.action_taken != UPDATED, *visible_conditions(viewer, x))
        .subquery("moves")
    )
    reached = (
        select(
            moves.c.opportunity_no,
            moves.c.stage,
            func.bool_or(moves.c.furthest_after > moves.c.stage).label("converted"),
        )
        .where(moves.c.stage > 0, *period.where(moves.c.date_of_change))
        .group_by(moves.c.opportunity_no, moves.c.stage)
        .subquery("reached")
    )
    # Counted per stage before the join, so the join and the final order handle a row per stage.
    per_stage = (
        select(reached.c.stage, func.count().label("reached"), func.count().filter(reached.c.converted))
        .group_by(reached.c.stage)
        .subquery("per_stage")
    )
    return (
        _cycle_stages(code)
        .add_columns(*list(per_stage.c)[1:])
        .outerjoin(per_stage, per_stage.c.stage == SalesCycleStage.stage)
    )


async def stage_conversion(
    session: AsyncSession, cycle_code: str, period: Period, viewer: Viewer
) -> list[StageConversion]:
    code = code_value(cycle_code) or ""
    rows = (await session.execute(_conversion_statement(code, period.checked(), viewer))).all()
    if not rows:
        raise RequestError("NOT_FOUND", f"Sales cycle {code} does not exist.")
    return [StageConversion(row[1], row[2] or 0, row[3] or 0) for row in rows if row[1] is not None]
