"""The Starlette application: ``/graphql`` (POST, GET for queries, graphql-transport-ws), health,
``/metrics``, and in dev mode GraphiQL (the page at ``GET /graphql`` from a browser, its assets
under ``/graphiql/``).

The WebSocket speaks ``graphql-transport-ws`` in text frames and runs subscriptions only. Its caller
is authenticated by the ``connection_init`` payload, ``{"Authorization": "Bearer <api key>"}``
(browsers cannot set headers on a WebSocket): an unknown, revoked or missing key closes the socket
with 4403 Forbidden; a subscription sent before the acknowledgement, with 4401 Unauthorized. In
``serve --dev`` a loopback caller without a key is the dev ``ADMIN``, as on HTTP.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ErrorMessage, SubscribeMessage
from strawberry.types.unset import UNSET, UnsetType

from graph.context import Context
from graph.prepare import OperationRefusedError, prepare
from graph.schema import schema
from resolvers.events.feed import EventFeed, listen_dsn
from resolvers.events.webhooks import WebhookWorker
from resolvers.reads.compiled.run import autocommit_connections
from resolvers.session import SessionFactory, session_factory
from resolvers.viewer import Role
from server import metrics
from server.auth import authenticate
from server.endpoint import GraphQLEndpoint, Limits
from server.graphiql import graphiql_page, graphiql_routes
from server.health import health_routes
from server.http import RefusalError
from server.settings import Settings
from server.tracing import Tracing, from_environment

log = logging.getLogger("salesgraph")


@dataclass
class SocketContext(Context):
    """A WebSocket's context: its caller is known once ``connection_init`` has been answered."""

    websocket: WebSocket | None = None
    #: The ``connection_init`` payload (Strawberry sets it).
    connection_params: dict[str, Any] = field(default_factory=dict)


class BoundedTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with the limits of ``POST /graphql``: a subscription's document is
    prepared (parsed, validated, costed: ``graph.prepare``) before it runs, and one past a limit
    gets an ``error`` message with the code HTTP would answer 400 with (MAX_COST_EXCEEDED, …).
    Its cost is what each event's answer may cost."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        view = self.view
        if self.connection_acknowledged and isinstance(view, GraphQLApp):
            payload = message.get("payload") or {}
            viewer = getattr(self.context, "viewer", None)
            try:
                prepare(
                    schema._schema,
                    str(payload.get("query") or ""),
                    payload.get("operationName"),
                    payload.get("variables") or {},
                    introspection=view.limits.introspection or getattr(viewer, "role", None) is Role.ADMIN,
                    max_cost=view.limits.max_query_cost,
                    websocket=True,
                )
            except OperationRefusedError as refused:
                error = GraphQLError(refused.message, extensions={"code": refused.code}).formatted
                await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[error]))
                return
        await super().handle_subscribe(message)


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's view (GraphiQL, the WebSocket) with a typed context and orjson encoding; in dev
    mode its IDE is the GraphiQL built into the package (``server.graphiql``), not Strawberry's CDN
    page."""

    graphql_transport_ws_handler_class = BoundedTransportWS

    def __init__(
        self,
        sessions: SessionFactory,
        *,
        dev: bool,
        events: EventFeed | None = None,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if dev else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.sessions = sessions
        self.dev = dev
        self.events = events
        self.limits = limits or Limits()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        websocket = request if isinstance(request, WebSocket) else None
        return SocketContext(
            sessions=self.sessions, request_id=uuid.uuid4().hex, events=self.events, websocket=websocket
        )

    async def on_ws_connect(self, context: Context) -> UnsetType:
        """Authenticate the caller by the ``connection_init`` payload, or refuse (4403)."""
        assert isinstance(context, SocketContext)
        assert context.websocket is not None
        params = context.connection_params
        authorization = params.get("Authorization", params.get("authorization"))
        if authorization is not None and not isinstance(authorization, str):
            raise ConnectionRejectionError({"message": "Authorization must be a string."})
        try:
            async with self.sessions() as session:
                context.viewer = await authenticate(
                    context.websocket, session, dev=self.dev, authorization=authorization
                )
                await session.commit()
        except RefusalError as refusal:
            raise ConnectionRejectionError({"code": refusal.code, "message": refusal.message}) from None
        unset: UnsetType = UNSET
        return unset

    def encode_json(self, data: object) -> str:
        # Text frames: graphql-transport-ws clients (graphql-ws, gql) read JSON from text frames only.
        return orjson.dumps(data).decode()

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
    # The feed LISTENs on a connection of its own; sessions given by a test join its transaction,
    # which never commits: nothing to listen for.
    events = (
        None
        if given_sessions
        else EventFeed(
            listen_dsn(engine.url), on_open=metrics.subscription_opened, on_close=metrics.subscription_closed
        )
    )
    # Likewise the webhook worker: what a test's rolled-back transaction owes is never committed.
    webhooks = None if given_sessions else WebhookWorker(engine)
    limits = Limits.from_settings(settings) if settings is not None else Limits()
    graphql = GraphQLApp(sessions, dev=dev, events=events, limits=limits)
    reads = None if given_sessions else autocommit_connections(engine)
    tracing = tracing or from_environment()
    tracing.instrument(engine)
    endpoint = GraphQLEndpoint(sessions, limits, dev=dev, ide=graphql, reads=reads, tracing=tracing)

    async def websocket(ws: WebSocket) -> None:
        await graphql(ws.scope, ws.receive, ws.send)

    health = health_routes(engine.url)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        metrics.worker_started()
        if events is not None:
            await events.start()
        if webhooks is not None:
            await webhooks.start()
        yield
        if webhooks is not None:
            await webhooks.stop()
        if events is not None:
            await events.stop()
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
