"""GraphiQL from the server itself (api.md §7.5): it works on a machine without internet.

The page and its assets are built from the npm ``graphiql`` package by ``scripts/build_graphiql.sh``
(sources in ``web/graphiql/``) into ``server/static/graphiql/`` and shipped as package data, so
``pip install`` needs no npm. In dev mode, ``GET /graphql`` from a browser gets the page (see
``GraphQLApp.render_graphql_ide``) and ``/graphiql/assets/…`` its code, styles, font and Monaco's
workers. Every asset's name carries a hash of its content, so it is cached for a year as
immutable; the page itself is revalidated, so a new build is picked up at the next load.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

#: The built page (``index.html``) and its ``assets/``.
BUILD = Path(__file__).parent / "static" / "graphiql"
#: Where the page's assets are served; the build's ``base`` (web/graphiql/vite.config.js).
ASSETS_PATH = "/graphiql/assets"
IMMUTABLE = "public, max-age=31536000, immutable"

#: The types of what the build makes, fixed here rather than guessed from the machine's MIME
#: tables (a module script served with a wrong type is refused by the browser).
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".ttf": "font/ttf",
}


def graphiql_page() -> HTMLResponse:
    """The GraphiQL page; its fetcher posts to ``/graphql`` and subscribes there over
    graphql-transport-ws (web/graphiql/main.js)."""
    return HTMLResponse((BUILD / "index.html").read_bytes(), headers={"Cache-Control": "no-cache"})


class ImmutableAssets(StaticFiles):
    """Starlette's static files with the build's content types and a year-long cache."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        content_type = CONTENT_TYPES.get(PurePath(full_path).suffix)
        if content_type is not None and "content-type" in response.headers:
            response.headers["content-type"] = content_type
        response.headers["cache-control"] = IMMUTABLE
        return response


def graphiql_routes() -> list[BaseRoute]:
    """The assets' route; the page is answered by the ``/graphql`` route (Accept: text/html)."""
    return [Mount(ASSETS_PATH, app=ImmutableAssets(directory=BUILD / "assets"), name="graphiql")]
