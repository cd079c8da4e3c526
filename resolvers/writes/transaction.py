"""What every mutation use case shares: one transaction, the work date, numbers, row locks.

A use case is an ``async (session) -> result`` function run by ``write``: it commits when the
function returns, rolls everything back when it raises, and for a dry run rolls back after
flushing, so the caller gets exactly the rows that would have been written (detached from the
session) while the database keeps none of them.

Lock order, the same in every use case so that two of them never wait on each other in a cycle:
opportunity rows (ascending number) → sales documents → the number series row. The number series
is taken last because it is the row every creating transaction shares.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol, TypeVar, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import object_session

from models import NumberSeries, Opportunity, Setup
from models.event import EventType
from models.number_series import NumberSeriesExhaustedError, format_number
from models.setup import SETUP_ID
from resolvers.access.rows import check_readable
from resolvers.errors import DomainError
from resolvers.events import outbox
from resolvers.session import SessionFactory
from resolvers.viewer import Viewer

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Given(Protocol[T_co]):
    """A field an update input carries, possibly null (Strawberry's ``Some`` is one)."""

    @property
    def value(self) -> T_co: ...


#: An update input's field: ``None`` when omitted (unchanged), else ``Given`` with the new value,
#: which may itself be ``None`` to clear (api.md §6, absent-vs-null).
Change = Union[Given[T], None]  # noqa: UP007 - a generic alias needs the Union form


class Unchanged(enum.Enum):
    """Marks an omitted field inside a use case."""

    UNCHANGED = "UNCHANGED"


UNCHANGED = Unchanged.UNCHANGED
Omittable = Literal[Unchanged.UNCHANGED]


def unwrap(change: Change[T]) -> T | Omittable:
    """The new value of a changed field, ``UNCHANGED`` for an omitted one."""
    return UNCHANGED if change is None else change.value


#: Constraint violations a race between two valid-looking requests can still cause, as the rule
#: the losing request broke. Everything else is a bug and stays an unexpected error.
CONSTRAINT_ERRORS: dict[str, tuple[str, str, list[str] | None]] = {
    "pk_opportunity": ("DUPLICATE", "An opportunity with this number already exists.", ["no"]),
    "uq_opportunity_sales_quote_no": (
        "QUOTE_ALREADY_ASSIGNED",
        "The sales quote is already assigned to another opportunity.",
        ["quoteNo"],
    ),
    "pk_sales_quote": ("DUPLICATE", "A sales quote with this number already exists.", None),
    "pk_sales_order": ("DUPLICATE", "A sales order with this number already exists.", None),
    "pk_task": ("DUPLICATE", "A task with this number already exists.", None),
    "pk_salesperson": ("DUPLICATE", "A salesperson with this code already exists.", ["code"]),
    "pk_contact": ("DUPLICATE", "A contact with this number already exists.", ["no"]),
    "pk_campaign": ("DUPLICATE", "A campaign with this number already exists.", ["no"]),
    "pk_sales_cycle": ("DUPLICATE", "A sales cycle with this code already exists.", ["code"]),
    "pk_sales_cycle_stage": ("DUPLICATE", "The sales cycle already has this stage.", ["stage"]),
    "pk_close_opportunity_code": ("DUPLICATE", "A close code with this code already exists.", ["code"]),
    "pk_activity": ("DUPLICATE", "An activity with this code already exists.", ["code"]),
}


async def write(
    sessions: SessionFactory, work: Callable[[AsyncSession], Awaitable[T]], *, dry_run: bool = False
) -> T:
    """Run ``work`` in one transaction; commit it, or for ``dry_run`` roll it back."""
    async with sessions() as session:
        try:
            result = await work(session)
            await session.flush()
            if dry_run:
                outbox.discard(session)
            else:
                # Last, so that the order lock it takes is held only until the COMMIT below.
                await outbox.publish(session)
        except IntegrityError as exc:
            await session.rollback()
            raise _as_domain_error(exc) from exc
        except BaseException:
            await session.rollback()
            raise
        if dry_run:
            session.expunge_all()  # keep the would-be rows readable after the rollback
            await session.rollback()
        else:
            try:
                await session.commit()
            except IntegrityError as exc:
                raise _as_domain_error(exc) from exc
        return result


def _as_domain_error(exc: IntegrityError) -> Exception:
    """The rule a constraint violation means. The use cases check every rule before writing; a
    violation can still come from a concurrent transaction that committed in between (a row
    deleted or referenced meanwhile, the same new code taken twice)."""
    cause = getattr(exc.orig, "__cause__", None)
    name = getattr(cause, "constraint_name", None) or ""
    known = CONSTRAINT_ERRORS.get(name)
    if known is not None:
        code, message, field = known
        return DomainError(code, message, field)
    match getattr(cause, "sqlstate", None):
        case "23503" if (exc.statement or "").lstrip().upper().startswith("DELETE"):
            return DomainError("IN_USE", f"The row is still in use ({name}).")
        case "23503":
            return DomainError("NOT_FOUND", f"A referenced row no longer exists ({name}).")
        case "23505":
            return DomainError("DUPLICATE", f"The row already exists ({name}).")
    return exc


async def load_setup(session: AsyncSession) -> Setup:
    setup = await session.get(Setup, SETUP_ID)
    if setup is None:
        raise RuntimeError("the setup row is missing; run the migrations")
    return setup


def today_in(time_zone: str) -> dt.date:
    """Business Central's WORKDATE: today in the business time zone (domain.md §11.15)."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return dt.datetime.now(zone).date()


#: Driver SQL: taking numbers is on the path of every creating write.
TAKE_NUMBERS = (
    "UPDATE number_series SET next_no = next_no + $2 WHERE code = $1 RETURNING prefix, width, next_no"
)


async def take_numbers(
    session: AsyncSession, series_code: str, count: int, field: list[str] | None
) -> list[str]:
    """The next ``count`` numbers of a series. The row stays locked until the transaction ends,
    so numbers are never handed out twice and a rolled-back transaction leaves no gap."""
    if count == 0:
        return []
    connection = await session.connection()
    row = (await connection.exec_driver_sql(TAKE_NUMBERS, (series_code, count))).one()
    prefix, width, after = row.prefix, row.width, row.next_no
    return numbers_taken(series_code, prefix, width, after, count, field)


def numbers_taken(
    series_code: str, prefix: str, width: int, after: int, count: int, field: list[str] | None
) -> list[str]:
    """The ``count`` numbers a series handed out when its next number became ``after``."""
    try:
        return [format_number(prefix, n, width) for n in range(after - count, after)]
    except NumberSeriesExhaustedError as exc:
        raise DomainError("INVALID", f"Number series {series_code} is exhausted: {exc}.", field) from exc


async def series_allows_manual(session: AsyncSession, series_code: str) -> bool:
    manual = await session.scalar(select(NumberSeries.manual_nos).where(NumberSeries.code == series_code))
    return bool(manual)


async def lock_opportunity(
    session: AsyncSession, viewer: Viewer, no: str, field: list[str] | None = None
) -> Opportunity:
    """The opportunity, locked for this transaction (``SELECT … FOR UPDATE``).

    Every use case that reads an opportunity's active entry to decide what to write takes this
    lock first: concurrent changes to one opportunity then run one after the other, each seeing
    the entry the previous one wrote. It is also where every opportunity-scoped use case checks
    that the opportunity is the viewer's: one another salesperson owns is ``NOT_FOUND``, exactly
    as one that does not exist (api.md §7.1).
    """
    opp = await session.scalar(
        select(Opportunity)
        .where(Opportunity.no == no.upper())
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    not_found = DomainError("NOT_FOUND", f"Opportunity {no} does not exist.", field or ["no"])
    if opp is None:
        raise not_found
    check_readable(viewer, opp.salesperson_code, not_found)
    return opp


def check_version(opp: Opportunity, expected: int | None) -> None:
    if expected is not None and expected != opp.version:
        raise DomainError(
            "STALE_VERSION",
            f"Opportunity {opp.no} is at version {opp.version}, not {expected}: reload it and retry.",
            ["expectedVersion"],
        )


def touch(opp: Opportunity) -> None:
    """Count a write to the opportunity (api.md §6: ``version`` increments on every write), once
    per mutation even when its use case writes the row twice (Make Order closes, then re-links);
    the change is an ``UPDATED`` event unless the mutation records a stronger one."""
    session = object_session(opp)
    if session is not None:
        outbox.record(session, EventType.UPDATED, opp.no, opp.salesperson_code)
    if session is not None and not _first_touch(session.info, opp.no):
        return
    opp.version += 1
    opp.updated_at = dt.datetime.now(dt.UTC)


def first_touch(session: AsyncSession, no: str) -> bool:
    """Claim this mutation's one version increment of opportunity ``no`` for a write that moves
    the version itself (in SQL): ``True`` the first time, after which ``touch`` does nothing.
    A new opportunity is claimed on creation: its first version is 1 whatever else is written."""
    return _first_touch(session.info, no)


def _first_touch(info: dict[str, object], no: str) -> bool:
    touched = info.setdefault("touched", set())
    assert isinstance(touched, set)
    if no in touched:
        return False
    touched.add(no)
    return True
