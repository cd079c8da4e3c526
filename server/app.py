"""The Starlette application: ``/graphql`` (POST, GET for queries, graphql-transport-ws), health."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from graph.context import Context
from graph.schema import schema
from resolvers.session import SessionFactory, session_factory
from server.health import health_routes

log = logging.getLogger("salesgraph")


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with a typed context and orjson encoding."""

    def __init__(self, sessions: SessionFactory, *, dev: bool) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if dev else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.sessions = sessions

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        if isinstance(response, Response):
            response.headers["x-request-id"] = request_id
        return Context(sessions=self.sessions, request_id=request_id)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


class ORJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def create_app(
    engine: AsyncEngine,
    *,
    dev: bool = False,
    dispose_engine: bool = False,
    sessions: SessionFactory | None = None,
) -> Starlette:
    """The ASGI app over ``engine``. With ``dispose_engine`` the app closes the engine on shutdown.

    ``sessions`` replaces the engine's own session factory (the tests pass one whose sessions join
    a transaction they roll back); health checks always use ``engine``.
    """
    graphql = GraphQLApp(sessions or session_factory(engine), dev=dev)

    health = health_routes(engine.url)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await health.close()
        if dispose_engine:
            await engine.dispose()

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *health.routes,
        ],
        lifespan=lifespan,
    )
