"""The app as uvicorn workers build it: ``uvicorn server.asgi:app_factory --factory``
(with ``--http server.protocol:IdleTimeoutProtocol`` to close idle connections as ``salesgraph serve`` does).

Configured by the environment only (``salesgraph serve`` exports it before starting workers):
``DATABASE_URL`` (required here), ``SALESGRAPH_DEV=1`` for GraphiQL, and the other ``SALESGRAPH_*``
settings of :class:`server.settings.Settings`.
"""

from __future__ import annotations

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
    return create_app(engine, dev=settings.dev, dispose_engine=True, settings=settings)


def _exit(message: str) -> NoReturn:
    print(f"salesgraph: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)
