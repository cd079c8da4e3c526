"""The app as uvicorn workers build it: ``uvicorn server.asgi:app_factory --factory``
(with ``--http server.protocol:IdleTimeoutProtocol`` to close idle connections as ``salesgraph serve`` does).

Configured by the environment only (``salesgraph serve`` exports it before starting workers):
``DATABASE_URL`` (required here), ``SALESGRAPH_DEV=1`` for GraphiQL, and the other ``SALESGRAPH_*``
settings of :class:`server.settings.Settings`.
"""

from __future__ import annotations

import gc
import sys
from typing import NoReturn

from starlette.applications import Starlette

from server.app import create_app
from server.engine import create_engine
from server.settings import Settings, SettingsError

#: As ``salesgraph`` exits on bad settings.
EXIT_USAGE = 2


def app_factory() -> Starlette:
    """The app, or, when the environment is not usable, one ``salesgraph: error: …`` line on
    stderr and exit status 2 (as uvicorn itself reports a failed start: a line, not a traceback)."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        _exit(str(exc))
    if settings.database_url is None:
        _exit(
            "DATABASE_URL is not set; start the server with `salesgraph serve`, "
            "which provides the embedded database when there is none"
        )
    engine = create_engine(settings.database_url, settings)
    app = create_app(engine, dev=settings.dev, dispose_engine=True, settings=settings)
    tune_collector()
    return app


#: Allocations (minus deallocations) of tracked objects between two young-generation collections;
#: CPython's default is 700. A resolver-path read allocates some hundreds of thousands of objects
#: (ORM rows, Strawberry objects, graphql-core's results, coroutines and tasks) that live until
#: the request ends and are then freed by their reference counts: with 700, the collector scans
#: them again and again (young, then middle, then full collections) for nothing to find.
YOUNG_THRESHOLD = 200_000
#: Young collections per middle one, and middle ones per full one (CPython's defaults: 10, 10).
OLDER_THRESHOLDS = (50, 100)


def tune_collector() -> None:
    """Set the cyclic collector for a server, once the app is built (after start-up).

    ``gc.freeze()`` moves everything alive now (modules, the schema, SQLAlchemy's mappers and
    compiled-statement caches, …: some hundreds of thousands of objects) out of the collector's
    sight, so a full collection no longer walks them all; the thresholds make collections rare.
    Measured on ``nested.graphql`` over the resolver path (``benchmarks/general_path.py``, which
    times the collector with ``gc.callbacks``) on a loaded 2-core machine: with CPython's defaults
    the collector ran 130–160 ms of the 320–380 ms of CPU of a request (about 40 %); frozen, with
    50,000/20/100 still 30–95 ms, with these thresholds none in most rounds (a collection every
    few requests).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)


def _exit(message: str) -> NoReturn:
    print(f"salesgraph: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)
