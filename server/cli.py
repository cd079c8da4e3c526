"""``salesgraph``: serve the API, migrate, seed demo data, export the SDL, write a migration, manage
API keys (``server/keys_cli.py``).

Without ``DATABASE_URL`` every command runs on the embedded PostgreSQL kept in the data directory
(``SALESGRAPH_DATA_DIR``, default ``./.salesgraph``), started before and stopped after the command.

Exit codes: 0 done, 1 the database (or the port to serve on) is not usable as it is, 2 bad
arguments or settings, 130 interrupted. Expected failures are one ``salesgraph: error: …`` line
on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TextIO

import uvicorn

from resolvers.access.keys import KeyRefused
from resolvers.demo.progress import SeedProgress
from server import keys_cli
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
from server.logs import logging_config
from server.metrics import MULTIPROC_DIR
from server.protocol import IdleTimeoutProtocol, concurrency_limit
from server.settings import Settings, SettingsError

log = logging.getLogger("salesgraph")

EXIT_NOT_USABLE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CannotServeError(Exception):
    """``serve`` cannot start as asked (the address is taken); the message says why."""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 1-65535, not {value}")
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
    serve.add_argument("--port", type=_port, default=8000)
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

    keys_cli.add_parser(commands, migrate_flag)
    return parser


class SeedProgressDisplay:
    """The seed's progress on ``stream``: one bar redrawn in place on a terminal; elsewhere (files,
    pipes, CI logs, where ``\\r`` would pile up) a log line when a step starts and ends, and at
    most one every ``PLAIN_INTERVAL_SECONDS`` between.

    Hand-written rather than tqdm or rich: one line with ``\\r`` is all it takes, and neither
    library is worth a dependency (and, for tqdm, a stub package for mypy) for it.
    """

    BAR_WIDTH = 30
    PLAIN_INTERVAL_SECONDS = 2.0

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.terminal = stream.isatty()
        self._bar_open = False
        self._last_line = 0.0

    def __call__(self, progress: SeedProgress) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        percent = 100 * progress.done // progress.total if progress.total else 100
        counts = f"{progress.done}/{progress.total} {progress.unit}"
        if not self.terminal:
            now = time.monotonic()
            edge = progress.done in (0, progress.total)
            if edge or now - self._last_line >= self.PLAIN_INTERVAL_SECONDS:
                self._last_line = now
                log.info("demo data: %s %s (%d%%)", progress.step, counts, percent)
            return
        filled = self.BAR_WIDTH * percent // 100
        bar = "#" * filled + "-" * (self.BAR_WIDTH - filled)
        # \x1b[K clears what a longer line before left.
        self.stream.write(f"\rdemo data: {progress.step:<10} [{bar}] {percent:3d}% {counts}\x1b[K")
        self._bar_open = progress.done < progress.total
        if not self._bar_open:
            self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        """End a bar left unfinished (an interrupt, an error), so that what follows starts a line."""
        if self._bar_open:
            self.stream.write("\n")
            self.stream.flush()
            self._bar_open = False


@contextmanager
def _seed_progress() -> Iterator[SeedProgressDisplay]:
    display = SeedProgressDisplay(sys.stderr)
    try:
        yield display
    finally:
        display.close()


def _check_address_free(host: str, port: int) -> None:
    """Bind ``host:port`` as uvicorn will (``SO_REUSEADDR``), so that a taken address fails here,
    in one line and before the database is touched, rather than in uvicorn's log after it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CannotServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    _check_address_free(args.host, args.port)
    with open_database(settings) as db:
        asyncio.run(_prepare(db, settings, migrate=args.migrate, demo=args.demo))
        # Workers are fresh processes that build the app from the environment (server.asgi).
        os.environ["DATABASE_URL"] = db.url
        os.environ["SALESGRAPH_DEV"] = "1" if args.dev else "0"
        graphiql = " (GraphiQL on)" if args.dev else ""
        log.info("GraphQL at http://%s:%d/graphql%s", args.host, args.port, graphiql)
        with _metrics_shared_by(args.workers):
            uvicorn.run(
                "server.asgi:app_factory",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                http=IdleTimeoutProtocol,
                limit_concurrency=concurrency_limit(settings),
                log_config=logging_config(settings.log_level, _log_style(args, settings)),
                log_level=settings.log_level.lower(),
                # The endpoint logs every request itself (id, operation, status, time, cost, key): a
                # second line per request from uvicorn would only cost time.
                access_log=False,
            )


@contextmanager
def _metrics_shared_by(workers: int) -> Iterator[None]:
    """With several workers, prometheus-client's multiprocess mode: a fresh directory in
    ``PROMETHEUS_MULTIPROC_DIR`` (read by each worker when it imports prometheus-client), removed
    when they have stopped. One the operator set is used as it is, and kept."""
    if workers == 1 or os.environ.get(MULTIPROC_DIR):
        yield
        return
    directory = tempfile.mkdtemp(prefix="salesgraph-metrics-")
    os.environ[MULTIPROC_DIR] = directory
    try:
        yield
    finally:
        del os.environ[MULTIPROC_DIR]
        shutil.rmtree(directory, ignore_errors=True)


def _log_style(args: argparse.Namespace, settings: Settings) -> str:
    """``SALESGRAPH_LOG_FORMAT``, else text for ``serve --dev`` and JSON for ``serve``; the other
    commands are run by a person at a terminal: text unless JSON is asked for."""
    if args.command == "serve":
        return replace(settings, dev=settings.dev or args.dev).log_style
    return settings.log_format or "text"


async def _prepare(db: Database, settings: Settings, *, migrate: bool, demo: bool) -> None:
    async with connect(db, settings) as engine:
        await ensure_schema(engine, db, migrate=migrate)
        if demo:
            with _seed_progress() as progress:
                await seed_demo_data(engine, scale=1, only_if_empty=True, progress=progress)


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
            with _seed_progress() as progress:
                await seed_demo_data(engine, scale=args.scale, only_if_empty=False, progress=progress)

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
    "keys": keys_cli.cmd_keys,
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


def _fail(message: object) -> None:
    print(f"salesgraph: error: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        _fail(exc)
        return EXIT_USAGE
    logging.config.dictConfig(logging_config(settings.log_level, _log_style(args, settings)))
    try:
        with _sigterm_as_interrupt():
            COMMANDS[args.command](args, settings)
    except (DatabaseNotReadyError, CannotServeError) as exc:
        _fail(exc)
        return EXIT_NOT_USABLE
    except KeyRefused as exc:
        _fail(exc)
        return EXIT_USAGE
    except KeyboardInterrupt:
        log.info("interrupted")
        return EXIT_INTERRUPTED
    return 0


if __name__ == "__main__":
    sys.exit(main())
