"""The Starlette application: ``/graphql`` (POST, GET for queries, graphql-transport-ws), health,
``/metrics``, and in dev mode GraphiQL (the page at ``GET /graphql`` from a browser, its assets
under ``/graphiql/``)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from graph.context import Context
from graph.schema import schema
from resolvers.reads.compiled.run import autocommit_connections
from resolvers.session import SessionFactory, session_factory
from server import metrics
from server.auth import DEV_VIEWER, is_loopback
from server.endpoint import GraphQLEndpoint, Limits
from server.graphiql import graphiql_page, graphiql_routes
from server.health import health_routes
from server.settings import Settings
from server.tracing import Tracing, from_environment

log = logging.getLogger("salesgraph")


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with a typed context and orjson encoding; in dev mode its IDE is
    the GraphiQL built into the package (``server.graphiql``), not Strawberry's CDN page."""

    def __init__(self, sessions: SessionFactory, *, dev: bool) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if dev else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.sessions = sessions

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        # Only the dev-mode loopback caller reaches this view (see ``websocket``).
        return Context(sessions=self.sessions, request_id=uuid.uuid4().hex, viewer=DEV_VIEWER)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page()


class ORJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def create_app(
    engine: AsyncEngine,
    *,
    dev: bool = False,
    dispose_engine: bool = False,
    sessions: SessionFactory | None = None,
    settings: Settings | None = None,
    tracing: Tracing | None = None,
) -> Starlette:
    """The ASGI app over ``engine``. With ``dispose_engine`` the app closes the engine on shutdown.

    ``sessions`` replaces the engine's own session factory (the tests pass one whose sessions join
    a transaction they roll back); health checks always use ``engine``. ``tracing`` defaults to the
    environment's (``server.tracing.from_environment``: none unless ``OTEL_EXPORTER_OTLP_ENDPOINT``).
    """
    given_sessions = sessions is not None
    sessions = sessions or session_factory(engine)
    graphql = GraphQLApp(sessions, dev=dev)
    limits = Limits.from_settings(settings) if settings is not None else Limits()
    reads = None if given_sessions else autocommit_connections(engine)
    tracing = tracing or from_environment()
    tracing.instrument(engine)
    endpoint = GraphQLEndpoint(sessions, limits, dev=dev, ide=graphql, reads=reads, tracing=tracing)

    async def websocket(ws: WebSocket) -> None:
        # Subscriptions authenticate by their connection_init payload (issue 12); until then the
        # WebSocket serves only the dev-mode loopback caller, so it cannot bypass the API keys.
        if dev and is_loopback(ws):
            await graphql(ws.scope, ws.receive, ws.send)
        else:
            await ws.close(code=4403, reason="WebSocket needs serve --dev from loopback for now")

    health = health_routes(engine.url)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        metrics.worker_started()
        yield
        metrics.worker_stopped()
        await health.close()
        if dispose_engine:
            await engine.dispose()

    origins = settings.cors_origin_list if settings is not None else ()
    middleware = [] if not origins else [cors(origins)]
    return Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", websocket),
            *(graphiql_routes() if dev else ()),
            *health.routes,
            # No API key: operators scrape it. Keep it off the public network, or set
            # SALESGRAPH_METRICS_TOKEN (README, "Operations").
            Route("/metrics", metrics.metrics_endpoint(settings.metrics_token if settings else None)),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


def cors(origins: tuple[str, ...]) -> Middleware:
    """CORS with preflight for ``POST /graphql`` (api.md §7.5); credentials are API keys in a
    header, never cookies, so ``allow_credentials`` stays off."""
    return Middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
        expose_headers=["Retry-After", "Idempotent-Replayed", "X-Request-ID", "WWW-Authenticate"],
        max_age=600,
    )
