"""Editing the marketing setup (domain.md §1.1, §11.15, §11.16; api.md §6 ``updateSetup``).

The setup points at one number series per kind of document; ``updateSetup`` edits those series
in place (prefix, width, next number, manual numbers) together with the setup's own fields.

Locks: the setup row first, then the series rows being changed in ascending code order. Creating
use cases read the setup without a lock and take a series row last (``take_numbers``), so they
never wait on the setup while holding a series, and two ``updateSetup`` calls queue on the setup.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import NumberSeries, Setup
from models.base import CODE10, CODE20
from models.errors import Violations
from models.setup import SETUP_ID
from resolvers.writes.references import check_code, sales_cycle_ref, salesperson_ref
from resolvers.writes.transaction import UNCHANGED, Change, Omittable, unwrap

#: A number is Code[20]: the prefix and the zero-padded digits together.
NUMBER_LENGTH = CODE20
MAX_WIDTH = 18

#: The setup's series columns with their input field names, in the input's order.
SERIES_FIELDS: tuple[tuple[str, str], ...] = (
    ("opportunity_nos", "opportunityNos"),
    ("task_nos", "taskNos"),
    ("contact_nos", "contactNos"),
    ("quote_nos", "quoteNos"),
    ("order_nos", "orderNos"),
    ("campaign_nos", "campaignNos"),
)


@dataclass(frozen=True, slots=True)
class SeriesChanges:
    """A ``NumberSeriesInput``: ``None`` for omitted fields; a given value may be null."""

    prefix: Change[str | None] = None
    width: Change[int | None] = None
    next_no: Change[int | None] = None
    manual_nos: Change[bool | None] = None


@dataclass(frozen=True, slots=True)
class SetupChanges:
    """An ``updateSetup`` input: ``None`` for omitted fields; a given value may be null."""

    opportunity_nos: Change[SeriesChanges | None] = None
    task_nos: Change[SeriesChanges | None] = None
    contact_nos: Change[SeriesChanges | None] = None
    quote_nos: Change[SeriesChanges | None] = None
    order_nos: Change[SeriesChanges | None] = None
    campaign_nos: Change[SeriesChanges | None] = None
    default_sales_cycle_code: Change[str | None] = None
    default_salesperson_code: Change[str | None] = None
    time_zone: Change[str | None] = None
    currency_code: Change[str | None] = None


@dataclass(frozen=True, slots=True)
class SeriesValues:
    prefix: str
    width: int
    next_no: int
    manual_nos: bool


@cache
def known_time_zones() -> frozenset[str]:
    """The IANA zone names this installation knows (read once: the scan walks the tz database)."""
    return frozenset(available_timezones())


async def update_setup(session: AsyncSession, changes: SetupChanges) -> None:
    """Apply ``changes`` to the setup and its number series, all or nothing."""
    setup = await session.scalar(
        select(Setup).where(Setup.id == SETUP_ID).with_for_update().execution_options(populate_existing=True)
    )
    if setup is None:
        raise RuntimeError("the setup row is missing; run the migrations")
    v = Violations()
    planned = await _series_changes(session, setup, changes, v)
    cycle_code = await _cycle_change(session, unwrap(changes.default_sales_cycle_code), v)
    salesperson_code = await _salesperson_change(session, unwrap(changes.default_salesperson_code), v)
    time_zone = _time_zone_change(unwrap(changes.time_zone), v)
    currency_code = _currency_change(unwrap(changes.currency_code), v)
    v.raise_any()
    for row, new in planned:
        row.prefix = new.prefix
        row.width = new.width
        row.next_no = new.next_no
        row.manual_nos = new.manual_nos
    if cycle_code is not UNCHANGED:
        setup.default_sales_cycle_code = cycle_code
    if salesperson_code is not UNCHANGED:
        setup.default_salesperson_code = salesperson_code
    if time_zone is not UNCHANGED:
        setup.time_zone = time_zone
    if currency_code is not UNCHANGED:
        setup.currency_code = currency_code


async def _series_changes(
    session: AsyncSession, setup: Setup, changes: SetupChanges, v: Violations
) -> list[tuple[NumberSeries, SeriesValues]]:
    """The series rows to change with their new values, each row locked."""
    given = [
        (str(getattr(setup, column)), field, unwrap(getattr(changes, column)))
        for column, field in SERIES_FIELDS
        if getattr(changes, column) is not None
    ]
    if not given:
        return []
    codes = sorted({code for code, _, _ in given})
    rows = {
        row.code: row
        for row in await session.scalars(
            select(NumberSeries)
            .where(NumberSeries.code.in_(codes))
            .order_by(NumberSeries.code)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    planned: list[tuple[NumberSeries, SeriesValues]] = []
    for code, field, change in given:
        if change is None or change is UNCHANGED:
            v.add("REQUIRED", f"The {field} number series cannot be cleared.", [field])
            continue
        row = rows[code]
        current = SeriesValues(row.prefix, row.width, row.next_no, row.manual_nos)
        new = check_series(current, change, field, v)
        if new is not None:
            planned.append((row, new))
    return planned


def check_series(
    current: SeriesValues, changes: SeriesChanges, field: str, v: Violations
) -> SeriesValues | None:
    """The series after ``changes``, or ``None`` when they break a rule (each one reported)."""
    before = len(v.errors)
    prefix_change = unwrap(changes.prefix)
    width_change = unwrap(changes.width)
    next_no_change = unwrap(changes.next_no)
    manual_change = unwrap(changes.manual_nos)

    prefix = current.prefix
    if prefix_change is not UNCHANGED:
        prefix = (prefix_change or "").strip().upper()
        if len(prefix) > NUMBER_LENGTH:
            v.add("TOO_LONG", f"The prefix is longer than {NUMBER_LENGTH} characters.", [field, "prefix"])
    width = current.width
    if width_change is None:
        v.add("REQUIRED", "The width cannot be cleared.", [field, "width"])
    elif width_change is not UNCHANGED:
        width = width_change
        if not 1 <= width <= MAX_WIDTH:
            v.add("INVALID", f"The width must be between 1 and {MAX_WIDTH}.", [field, "width"])
    next_no = current.next_no
    if next_no_change is None:
        v.add("REQUIRED", "The next number cannot be cleared.", [field, "nextNo"])
    elif next_no_change is not UNCHANGED:
        next_no = next_no_change
        if next_no < 1:
            v.add("INVALID", "The next number must be at least 1.", [field, "nextNo"])
    manual_nos = current.manual_nos
    if manual_change is None:
        v.add("REQUIRED", "Whether manual numbers are allowed cannot be cleared.", [field, "manualNos"])
    elif manual_change is not UNCHANGED:
        manual_nos = manual_change

    if len(v.errors) > before:
        return None
    # The rules that combine fields point at the field the caller changed (the width if both).
    if len(prefix) + width > NUMBER_LENGTH:
        at = "prefix" if width_change is UNCHANGED else "width"
        v.add(
            "INVALID",
            f"The prefix ({len(prefix)} characters) and the width ({width}) make numbers longer than "
            f"{NUMBER_LENGTH} characters.",
            [field, at],
        )
    if len(str(next_no)) > width:
        at = "width" if next_no_change is UNCHANGED else "nextNo"
        v.add("INVALID", f"The next number {next_no} does not fit in {width} digits.", [field, at])
    if len(v.errors) > before:
        return None
    return SeriesValues(prefix, width, next_no, manual_nos)


async def _cycle_change(
    session: AsyncSession, value: str | Omittable | None, v: Violations
) -> str | Omittable | None:
    """A default sales cycle must exist and not be blocked; null (or blank) clears it."""
    if value is UNCHANGED:
        return UNCHANGED
    code = check_code(value, CODE10, ["defaultSalesCycleCode"], v)
    await sales_cycle_ref(session, code, ["defaultSalesCycleCode"], v)
    return code


async def _salesperson_change(
    session: AsyncSession, value: str | Omittable | None, v: Violations
) -> str | Omittable | None:
    """A default salesperson (for new contacts) must exist and not be blocked; null clears it."""
    if value is UNCHANGED:
        return UNCHANGED
    code = check_code(value, CODE20, ["defaultSalespersonCode"], v)
    await salesperson_ref(session, code, ["defaultSalespersonCode"], v)
    return code


def _time_zone_change(value: str | Omittable | None, v: Violations) -> str | Omittable:
    if value is UNCHANGED:
        return UNCHANGED
    name = (value or "").strip()
    if not name:
        v.add("REQUIRED", "You must fill in the time zone.", ["timeZone"])
    elif name not in known_time_zones():
        v.add("INVALID", f"{name[:64]} is not an IANA time zone name (such as Europe/Berlin).", ["timeZone"])
    return name


def _currency_change(value: str | Omittable | None, v: Violations) -> str | Omittable:
    if value is UNCHANGED:
        return UNCHANGED
    code = check_code(value, CODE10, ["currencyCode"], v)
    if code is None and not v.errors_on(["currencyCode"]):
        v.add("REQUIRED", "You must fill in the currency code.", ["currencyCode"])
    return code or ""
