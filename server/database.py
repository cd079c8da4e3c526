"""The CLI's database: embedded or ``DATABASE_URL``, migrated to head, seeded on demand."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from alembic import command
from alembic.operations.ops import MigrationScript
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.demo.progress import SeedProgressCallback
from resolvers.demo.seed import DatabaseNotEmptyError, is_empty, seed_demo
from server.embedded import EmbeddedPostgres, EmbeddedPostgresError
from server.engine import create_engine
from server.migrate import alembic_config, current_revision, head_revision, is_at_head, upgrade
from server.settings import Settings

log = logging.getLogger("salesgraph")


class DatabaseNotReadyError(Exception):
    """The database cannot be used as it is; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Database:
    url: str
    embedded: bool

    @property
    def display(self) -> str:
        """The URL without its password, for logs and messages."""
        return unquote(make_url(self.url).render_as_string(hide_password=True))


@contextmanager
def open_database(settings: Settings) -> Iterator[Database]:
    """``DATABASE_URL`` when set, else the embedded server in ``settings.data_dir``.

    The embedded server is started here and stopped when the block exits, however it exits.
    """
    if settings.database_url is not None:
        db = Database(settings.database_url, embedded=False)
        log.info("database: %s (DATABASE_URL)", db.display)
        yield db
        return
    embedded = EmbeddedPostgres(settings.data_dir)
    log.info("starting embedded PostgreSQL in %s", embedded.pgdata)
    try:
        try:
            db = Database(embedded.start(), embedded=True)
        except EmbeddedPostgresError as exc:
            raise DatabaseNotReadyError(str(exc)) from exc
        log.info("database: %s (embedded)", db.display)
        yield db
    finally:
        log.info("stopping embedded PostgreSQL")
        embedded.stop()


@asynccontextmanager
async def connect(db: Database, settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on ``db``, after checking that the database answers and that its migration
    revision is one this code knows (a newer salesgraph's database is refused, not migrated)."""
    try:
        engine = create_engine(db.url, settings)
    except ValueError as exc:
        raise DatabaseNotReadyError(str(exc)) from exc
    try:
        try:
            async with engine.connect() as conn:
                unknown = await conn.run_sync(_unknown_revisions)
        except TimeoutError as exc:
            raise DatabaseNotReadyError(
                f"cannot connect to {db.display}: no answer within {settings.connect_timeout_ms} ms"
                " (SALESGRAPH_CONNECT_TIMEOUT_MS)"
            ) from exc
        except (OSError, DBAPIError) as exc:
            reason = exc.orig if isinstance(exc, DBAPIError) else exc
            raise DatabaseNotReadyError(f"cannot connect to {db.display}: {reason}") from exc
        if unknown:
            raise DatabaseNotReadyError(
                f"database {db.display} is at migration {', '.join(unknown)}, which this salesgraph"
                f" does not know (its newest is {head_revision()}): it was migrated by a newer"
                " salesgraph; use that one, or a database of this version"
            )
        yield engine
    finally:
        await engine.dispose()


def _unknown_revisions(connection: Connection) -> list[str]:
    # No alembic_version table (a new database) gives no heads.
    heads = MigrationContext.configure(connection).get_current_heads()
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    return [head for head in heads if head not in known]


async def migrate_to_head(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        before = await current_revision(conn)
    head = head_revision()
    if before == head:
        log.info("migrations: at head (%s)", head)
        return
    log.info("migrations: upgrading %s -> %s", before or "empty database", head)
    await upgrade(engine)


async def ensure_schema(engine: AsyncEngine, db: Database, *, migrate: bool) -> None:
    """Migrate the embedded database always and a ``DATABASE_URL`` one when ``migrate``;
    refuse a database that is then still not at head."""
    if db.embedded or migrate:
        await migrate_to_head(engine)
    elif not await is_at_head(engine):
        raise DatabaseNotReadyError(
            f"database {db.display} is not at the migration head ({head_revision()}); "
            "run `salesgraph migrate`, or pass --migrate"
        )


async def seed_demo_data(
    engine: AsyncEngine, *, scale: int, only_if_empty: bool, progress: SeedProgressCallback | None = None
) -> None:
    """Load the demo data set, which goes into an empty database only.

    A database with data is skipped when ``only_if_empty`` and refused otherwise: a second load
    would collide with the first one's numbers and codes. ``progress`` is told how far it got.
    Cancelled (Ctrl-C), it leaves the database as it was: the load is one transaction.
    """
    if only_if_empty and not await is_empty(engine):
        log.info("demo data: skipped, the database already holds data")
        return
    log.info("demo data: seeding (scale %d)", scale)
    try:
        summary = await seed_demo(engine, scale=scale, progress=progress)
    except DatabaseNotEmptyError as exc:
        raise DatabaseNotReadyError(
            f"{exc} (to start the embedded database over, stop salesgraph and delete its data directory)"
        ) from exc
    except asyncio.CancelledError:
        log.info("demo data: interrupted; rolled back, nothing was loaded")
        raise
    counts = ", ".join(f"{table} {count}" for table, count in summary.as_dict().items())
    log.info("demo data: %d rows (%s)", summary.total, counts)


def _next_revision_id() -> str | None:
    # Revisions are numbered 0001, 0002, …; keep that when the head follows it.
    head = head_revision()
    if head is None:
        return "0001"
    return f"{int(head) + 1:04d}" if head.isdigit() else None


def _autogenerate(connection: Connection, message: str) -> list[Path]:
    def skip_when_empty(_context: MigrationContext, _revision: Any, directives: Any) -> None:
        script: MigrationScript = directives[0]
        if all(ops.is_empty() for ops in script.upgrade_ops_list):
            directives[:] = []

    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    scripts = command.revision(
        cfg,
        message=message,
        autogenerate=True,
        rev_id=_next_revision_id(),
        process_revision_directives=skip_when_empty,
    )
    written = scripts if isinstance(scripts, list) else [scripts]
    return [Path(script.path) for script in written if script is not None]


async def make_migration(engine: AsyncEngine, message: str) -> list[Path]:
    """Write a migration for the difference between ``models`` and the database (at head).

    Returns the files written; none when the models and the database agree.
    """
    async with engine.connect() as conn:
        return await conn.run_sync(_autogenerate, message)
