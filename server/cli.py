"""``salesgraph``: serve the API, migrate, seed demo data, export the SDL, write a migration.

Without ``DATABASE_URL`` every command runs on the embedded PostgreSQL kept in the data directory
(``SALESGRAPH_DATA_DIR``, default ``./.salesgraph``), started before and stopped after the command.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import logging
import logging.config
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from server.database import (
    Database,
    DatabaseNotReadyError,
    connect,
    ensure_schema,
    make_migration,
    migrate_to_head,
    open_database,
    seed_demo_data,
)
from server.settings import Settings

log = logging.getLogger("salesgraph")


def logging_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, extended to the root logger so that ours (and alembic's) look the same.

    Passed to uvicorn too, which applies it in every worker process.
    """
    config = copy.deepcopy(LOGGING_CONFIG)
    config["root"] = {"handlers": ["default"], "level": level.upper()}
    # Both narrate every step at INFO; we log what was done instead.
    config["loggers"]["pgserver"] = {"level": "WARNING"}
    config["loggers"]["alembic"] = {"level": "WARNING"}
    return config


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salesgraph", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    migrate_flag = argparse.ArgumentParser(add_help=False)
    migrate_flag.add_argument(
        "--migrate",
        action="store_true",
        help="with DATABASE_URL: migrate to head first (the embedded database always is)",
    )

    serve = commands.add_parser("serve", parents=[migrate_flag], help="run the GraphQL server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=_positive, default=1, help="server processes (1)")
    serve.add_argument("--dev", action="store_true", help="serve GraphiQL at GET /graphql")
    serve.add_argument("--demo", action="store_true", help="load demo data into an empty database")

    commands.add_parser("migrate", help="migrate the database to head")

    seed = commands.add_parser(
        "seed", parents=[migrate_flag], help="load the demo data into an empty database"
    )
    seed.add_argument("--demo", action="store_true", required=True, help="the demo data set")
    seed.add_argument("--scale", type=_positive, default=1, help="multiply the data set (1)")

    export = commands.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument(
        "--output", default="schema.graphql", help="file to write, - for stdout (schema.graphql)"
    )

    make = commands.add_parser(
        "make-migration",
        parents=[migrate_flag],
        help="autogenerate a migration from the difference between models/ and the database",
    )
    make.add_argument("-m", "--message", required=True, help="what the migration does")
    return parser


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    with open_database(settings) as db:
        asyncio.run(_prepare(db, settings, migrate=args.migrate, demo=args.demo))
        # Workers are fresh processes that build the app from the environment (server.asgi).
        os.environ["DATABASE_URL"] = db.url
        os.environ["SALESGRAPH_DEV"] = "1" if args.dev else "0"
        graphiql = " (GraphiQL on)" if args.dev else ""
        log.info("GraphQL at http://%s:%d/graphql%s", args.host, args.port, graphiql)
        uvicorn.run(
            "server.asgi:app_factory",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=logging_config(settings.log_level),
            log_level=settings.log_level.lower(),
        )


async def _prepare(db: Database, settings: Settings, *, migrate: bool, demo: bool) -> None:
    async with connect(db, settings) as engine:
        await ensure_schema(engine, db, migrate=migrate)
        if demo:
            await seed_demo_data(engine, scale=1, only_if_empty=True)


def cmd_migrate(_args: argparse.Namespace, settings: Settings) -> None:
    async def run(db: Database) -> None:
        async with connect(db, settings) as engine:
            await migrate_to_head(engine)

    with open_database(settings) as db:
        asyncio.run(run(db))


def cmd_seed(args: argparse.Namespace, settings: Settings) -> None:
    async def run(db: Database) -> None:
        async with connect(db, settings) as engine:
            await ensure_schema(engine, db, migrate=args.migrate)
            await seed_demo_data(engine, scale=args.scale, only_if_empty=False)

    with open_database(settings) as db:
        asyncio.run(run(db))


def cmd_export_schema(args: argparse.Namespace, _settings: Settings) -> None:
    # Imported here: the other commands have no need of the whole schema.
    from strawberry.printer import print_schema

    from graph.schema import schema

    sdl = print_schema(schema) + "\n"
    if args.output == "-":
        sys.stdout.write(sdl)
        return
    Path(args.output).write_text(sdl, encoding="utf-8")
    log.info("schema written to %s", args.output)


def cmd_make_migration(args: argparse.Namespace, settings: Settings) -> None:
    async def run(db: Database) -> list[Path]:
        async with connect(db, settings) as engine:
            await ensure_schema(engine, db, migrate=args.migrate)
            return await make_migration(engine, args.message)

    with open_database(settings) as db:
        written = asyncio.run(run(db))
    for path in written:
        log.info("migration written to %s; review it before committing", path)
    if not written:
        log.info("no migration written: the models and the migrations agree")


COMMANDS = {
    "serve": cmd_serve,
    "migrate": cmd_migrate,
    "seed": cmd_seed,
    "export-schema": cmd_export_schema,
    "make-migration": cmd_make_migration,
}


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    # SIGTERM (docker stop, systemd, kill) then unwinds like Ctrl-C: uvicorn shuts down gracefully
    # and every `finally` runs, so the embedded PostgreSQL is stopped cleanly.
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    logging.config.dictConfig(logging_config(settings.log_level))
    try:
        with _sigterm_as_interrupt():
            COMMANDS[args.command](args, settings)
    except DatabaseNotReadyError as exc:
        print(f"salesgraph: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        log.info("interrupted")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
