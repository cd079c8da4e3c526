"""The app as uvicorn workers build it: ``uvicorn server.asgi:app_factory --factory``.

Configured by the environment only (``salesgraph serve`` exports it before starting workers):
``DATABASE_URL`` (required here), ``SALESGRAPH_DEV=1`` for GraphiQL, and the ``SALESGRAPH_*``
settings of :class:`server.settings.Settings`.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette

from server.app import create_app
from server.engine import create_engine
from server.settings import Settings


def app_factory() -> Starlette:
    settings = Settings.from_env()
    if settings.database_url is None:
        raise RuntimeError(
            "DATABASE_URL is not set; start the server with `salesgraph serve`, "
            "which provides the embedded database when there is none"
        )
    engine = create_engine(settings.database_url, settings)
    dev = os.environ.get("SALESGRAPH_DEV") == "1"
    return create_app(engine, dev=dev, settings=settings, dispose_engine=True)
