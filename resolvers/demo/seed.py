"""Load the demo data set into an empty database, in one transaction.

The rows come from ``generate_demo`` (pure and deterministic) and are loaded with PostgreSQL's
``COPY`` through asyncpg, which keeps scale 100 (100,000 opportunities) well under a minute.
Cancelling the load (Ctrl-C) at any point rolls it all back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import gc
import threading
from collections.abc import Callable
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from resolvers.demo.catalog import CYCLES
from resolvers.demo.contacts import Series
from resolvers.demo.generate import OPPORTUNITIES_PER_SCALE, DemoData, DemoSeries, generate_demo
from resolvers.demo.progress import SeedProgressCallback, StepProgress

#: ``pg_advisory_xact_lock`` key that serialises concurrent seeders.
SEED_LOCK_KEY = 0x5EED_0001
#: The setup column naming each series the generator numbers from.
SERIES_COLUMNS = {
    "contact": "contact_nos",
    "campaign": "campaign_nos",
    "opportunity": "opportunity_nos",
    "task": "task_nos",
    "quote": "quote_nos",
    "order": "order_nos",
}


#: Rows per ``COPY``: small enough to report progress (and notice a cancel) often, large enough
#: that the per-call round trip is lost in the data.
COPY_BATCH_ROWS = 10_000


class DatabaseNotEmptyError(RuntimeError):
    """The demo data is only loaded into a database without business data."""


class _GenerationStoppedError(Exception):
    """Raised inside the generator thread once the seed was cancelled."""


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """How many rows ``seed_demo`` inserted into each table."""

    salespeople: int
    activities: int
    activity_steps: int
    close_opportunity_codes: int
    sales_cycles: int
    sales_cycle_stages: int
    campaigns: int
    contacts: int
    sales_quotes: int
    sales_quote_lines: int
    sales_orders: int
    sales_order_lines: int
    opportunities: int
    opportunity_entries: int
    tasks: int

    @property
    def total(self) -> int:
        return sum(self.as_dict().values())

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_SUMMARY_TABLES = {
    "salespeople": "salesperson",
    "activities": "activity",
    "activity_steps": "activity_step",
    "close_opportunity_codes": "close_opportunity_code",
    "sales_cycles": "sales_cycle",
    "sales_cycle_stages": "sales_cycle_stage",
    "campaigns": "campaign",
    "contacts": "contact",
    "sales_quotes": "sales_quote",
    "sales_quote_lines": "sales_quote_line",
    "sales_orders": "sales_order",
    "sales_order_lines": "sales_order_line",
    "opportunities": "opportunity",
    "opportunity_entries": "opportunity_entry",
    "tasks": "task",
}


async def is_empty(engine: AsyncEngine) -> bool:
    """True when the database has no opportunities, contacts or salespeople."""
    async with engine.connect() as conn:
        found = await conn.scalar(
            text(
                "SELECT EXISTS (SELECT 1 FROM opportunity) OR EXISTS (SELECT 1 FROM contact)"
                " OR EXISTS (SELECT 1 FROM salesperson)"
            )
        )
    return not found


async def seed_demo(
    engine: AsyncEngine,
    *,
    scale: int = 1,
    today: dt.date | None = None,
    rng_seed: int = 42,
    progress: SeedProgressCallback | None = None,
) -> SeedSummary:
    """Load ``100 × scale`` contacts and ``1000 × scale`` opportunities with their histories.

    ``today`` (default: today in the setup's business time zone) ends the ~18 months of history.
    ``progress`` is told how far each step got (``SeedProgress``), on the event loop's thread.
    Refuses with ``DatabaseNotEmptyError`` when any table it fills already has rows; otherwise
    it also advances the number series past the numbers it used, makes the first sales cycle
    the default one and moves the entry-number sequence past the last entry.
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    async with engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEED_LOCK_KEY})
        # A large scale's COPY can outlast the API's statement timeout.
        await conn.execute(text("SET LOCAL statement_timeout = 0"))
        filled = await _filled_tables(conn)
        if filled:
            raise DatabaseNotEmptyError(
                "demo data is only loaded into an empty database; these tables have rows: "
                + ", ".join(filled)
            )
        codes, series, time_zone = await _setup(conn)
        day = today or dt.datetime.now(ZoneInfo(time_zone)).date()
        data = await _generate_in_thread(scale, day, rng_seed, series, progress)
        names = [t.name for t in data.tables]
        restore = await _drop_checks(conn, names) if await _owns(conn, names) else []
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        if driver is None:  # pragma: no cover - a pooled connection always has its driver's
            raise RuntimeError("the database connection has no asyncpg connection")
        loading = StepProgress(progress, "loading", "rows", sum(len(t.rows) for t in data.tables))
        for table in data.tables:
            for start in range(0, len(table.rows), COPY_BATCH_ROWS):
                batch = table.rows[start : start + COPY_BATCH_ROWS]
                await driver.copy_records_to_table(table.name, records=batch, columns=table.columns)
                loading.advance(len(batch))
        # Index builds sort in memory instead of spilling to disk.
        await conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        if restore:
            indexing = StepProgress(progress, "indexing", "indexes and keys", len(restore))
            for statement in restore:
                await conn.execute(text(statement))
                indexing.advance(1)
        await _finish(conn, data, codes, series, progress)
    counts = {t.name: len(t.rows) for t in data.tables}
    return SeedSummary(**{field: counts[name] for field, name in _SUMMARY_TABLES.items()})


async def _generate_in_thread(
    scale: int,
    today: dt.date,
    rng_seed: int,
    series: DemoSeries,
    progress: SeedProgressCallback | None,
) -> DemoData:
    """``generate_demo`` off the event loop, its progress reported on the loop.

    A daemon thread rather than the default executor: once the seed is cancelled the thread
    stops at its next progress call, and nothing waits for it meanwhile (the executor's threads
    are joined when the process exits, which would hold Ctrl-C up until the generation ends).
    """
    loop = asyncio.get_running_loop()
    result: asyncio.Future[DemoData] = loop.create_future()
    stop = threading.Event()
    generating = StepProgress(progress, "generating", "opportunities", OPPORTUNITIES_PER_SCALE * scale)
    shown = generating.percent(0)

    def on_loop(callback: Callable[[], None]) -> None:
        try:
            loop.call_soon_threadsafe(callback)
        except RuntimeError:  # the loop is closed: the process is on its way out
            stop.set()

    def on_progress(made: int, _total: int) -> None:
        nonlocal shown
        if stop.is_set():
            raise _GenerationStoppedError
        if generating.percent(made) != shown or made == generating.total:
            shown = generating.percent(made)
            on_loop(functools.partial(generating.set, made))

    def work() -> None:
        outcome: Callable[[], None]
        try:
            data = _generate(scale, today, rng_seed, series, on_progress)
            outcome = functools.partial(result.set_result, data)
        except _GenerationStoppedError:
            return
        except Exception as exc:
            outcome = functools.partial(result.set_exception, exc)
        on_loop(lambda: None if result.done() else outcome())  # done: cancelled meanwhile

    threading.Thread(target=work, name="seed-generate", daemon=True).start()
    try:
        return await result
    finally:
        stop.set()


def _generate(
    scale: int,
    today: dt.date,
    rng_seed: int,
    series: DemoSeries,
    progress: Callable[[int, int], None],
) -> DemoData:
    # Generation builds millions of objects linked in cycles; the cyclic collector's repeated
    # full scans would cost a fifth of the time at scale 100 and find nothing to free.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return generate_demo(
            scale=scale, today=today, rng_seed=rng_seed, series=series, progress=progress
        )
    finally:
        if gc_was_enabled:
            gc.enable()


async def _filled_tables(conn: AsyncConnection) -> list[str]:
    names = list(_SUMMARY_TABLES.values())
    probes = " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})" for name in names
    )
    return list((await conn.scalars(text(probes))).all())


async def _owns(conn: AsyncConnection, tables: list[str]) -> bool:
    owner = await conn.scalar(
        text(
            "SELECT bool_and(pg_has_role(current_user, c.relowner, 'USAGE')) FROM pg_class c"
            " WHERE c.oid = ANY(SELECT to_regclass(name) FROM unnest(CAST(:names AS text[])) name)"
        ),
        {"names": tables},
    )
    return bool(owner)


async def _drop_checks(conn: AsyncConnection, tables: list[str]) -> list[str]:
    """Drop the foreign keys and plain indexes of ``tables``; return the DDL that restores them.

    Checking a foreign key row by row and growing dozens of indexes row by row make up three
    quarters of a large load's time; building them once afterwards (as ``pg_restore`` does) is
    several times faster, and still checks every row. Restored from the catalog's own
    definitions, with the same names, inside the same transaction: a failure undoes it all.
    Primary keys and indexes that back a constraint stay.
    """
    params = {"names": tables}
    tables_sql = "ANY(SELECT to_regclass(name) FROM unnest(CAST(:names AS text[])) name)"
    foreign_keys = (
        await conn.execute(
            text(
                "SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS ddl"
                f" FROM pg_constraint WHERE contype = 'f' AND conrelid = {tables_sql}"
                " ORDER BY conrelid::regclass::text, conname"
            ),
            params,
        )
    ).all()
    indexes = (
        await conn.execute(
            text(
                "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS ddl"
                f" FROM pg_index i WHERE i.indrelid = {tables_sql}"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
                " ORDER BY i.indexrelid::regclass::text"
            ),
            params,
        )
    ).all()
    for fk in foreign_keys:
        await conn.execute(text(f'ALTER TABLE {fk.tbl} DROP CONSTRAINT "{fk.conname}"'))
    for index in indexes:
        await conn.execute(text(f"DROP INDEX {index.name}"))
    return [index.ddl for index in indexes] + [
        f'ALTER TABLE {fk.tbl} ADD CONSTRAINT "{fk.conname}" {fk.ddl}' for fk in foreign_keys
    ]


async def _setup(conn: AsyncConnection) -> tuple[dict[str, str], DemoSeries, str]:
    """The series codes by role, where each series stands (locked), and the time zone."""
    columns = ", ".join(SERIES_COLUMNS.values())
    row = (
        await conn.execute(text(f"SELECT {columns}, time_zone FROM setup WHERE id = 1 FOR UPDATE"))
    ).one()
    codes = {role: row._mapping[column] for role, column in SERIES_COLUMNS.items()}
    result = await conn.execute(
        text(
            "SELECT code, prefix, width, next_no FROM number_series"
            " WHERE code = ANY(:codes) ORDER BY code FOR UPDATE"
        ),
        {"codes": sorted(set(codes.values()))},
    )
    by_code = {r.code: Series(r.prefix, r.width, r.next_no) for r in result}
    opportunity_code = codes["opportunity"]
    series = DemoSeries(
        **{role: by_code[code] for role, code in codes.items()},
        opportunity_code=opportunity_code,
    )
    return codes, series, str(row.time_zone)


async def _finish(
    conn: AsyncConnection,
    data: DemoData,
    codes: dict[str, str],
    series: DemoSeries,
    progress: SeedProgressCallback | None,
) -> None:
    for role, used in data.numbers_used.items():
        if used:
            start: Series = getattr(series, role)
            await conn.execute(
                text(
                    "UPDATE number_series SET next_no = GREATEST(next_no, :next_no)"
                    " WHERE code = :code"
                ),
                {"next_no": start.next_no + used, "code": codes[role]},
            )
    await conn.execute(
        text("UPDATE setup SET default_sales_cycle_code = :code WHERE id = 1"),
        {"code": CYCLES[0].code},
    )
    await conn.execute(
        text(
            "SELECT setval(pg_get_serial_sequence('opportunity_entry', 'entry_no'), max(entry_no))"
            " FROM opportunity_entry"
        )
    )
    # Fresh statistics, so that the first queries after seeding get sensible plans.
    analyzing = StepProgress(progress, "analyzing", "tables", len(data.tables))
    for table in data.tables:
        await conn.execute(text(f"ANALYZE {table.name}"))
        analyzing.advance(1)
