"""``POST /graphql`` and ``GET /graphql``: every step a request goes through, in order (api.md §7).

1. the deadline (``SALESGRAPH_REQUEST_TIMEOUT``) starts; the request id is taken or made;
2. the body: JSON content type (CSRF), at most ``SALESGRAPH_MAX_BODY_BYTES``, a JSON object;
3. the caller: its API key (401), or the dev-mode loopback ``ADMIN``;
4. the operation: parsed, validated, variables coerced, planned and costed (400), before any SQL;
5. the role may run it (403); the key's bucket holds its requested cost (429);
6. it runs (with an ``Idempotency-Key``: at most once, see ``server.idempotency``);
7. the answer: 200, or 500/503 when the execution met an unexpected error or an unavailable
   database, with ``extensions.cost``; the bucket is charged what was returned (what was
   reserved but not returned goes back with the key's next reservation).

Steps 3 and 5's bucket are one statement for a key's caller (``server.admission``: a compiled
read folds it into its own statement, any other operation runs it on its own); only when it
refuses does the detailed path run them apart, to say why (unknown or revoked key, how long
until the bucket holds the cost). A reservation taken for an operation refused at step 5 (403,
405, a malformed ``Idempotency-Key``) is given back.

Strawberry's own view still serves GraphiQL and the WebSocket; this endpoint replaces its HTTP
handling because the statuses, the limits and the authentication of §7 are decided before
Strawberry would run anything.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.types import ExecutionResult

from graph.context import Context
from graph.prepare import OperationRefusedError, Prepared, prepare
from graph.schema import schema
from resolvers.access.policy import may_run_mutation
from resolvers.reads.compiled.run import ReadConnections, session_connections
from resolvers.session import SessionFactory, joined_sessions, request_sessions
from resolvers.viewer import Role, Viewer
from server import idempotency
from server.answer import (
    RETRY_AFTER_UNAVAILABLE,
    Trace,
    actual_cost,
    json_answer,
    log_request,
    loggable_name,
    status_of,
    unexpected,
)
from server.auth import authenticate
from server.compiled_read import PLAN_HEADER, admit_request, compiled_read
from server.http import (
    GraphQLRequest,
    RefusalError,
    canonical,
    check_content_type,
    decode_get,
    decode_post,
    read_body,
    refusal_response,
    request_id,
)
from server.metrics import observe_request
from server.settings import Settings
from server.throttle import Budget, reserve, settle, without_waiting_for_disk
from server.tracing import NO_TRACING, Tracing


@dataclass(frozen=True, slots=True)
class Limits:
    """What bounds a request; from ``Settings`` in the server, defaults in tests."""

    max_body_bytes: int = 1_048_576
    request_timeout: float = 30.0
    max_query_cost: int = 25_000
    budget: Budget = field(default_factory=lambda: Budget(100_000, 10_000))
    introspection: bool = True
    #: Reads the compiler covers run as one SQL statement (``SALESGRAPH_COMPILE_READS``).
    compile_reads: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_body_bytes=settings.max_body_bytes,
            request_timeout=settings.request_timeout,
            max_query_cost=settings.max_query_cost,
            budget=Budget(settings.cost_bucket, settings.cost_restore_rate),
            introspection=settings.introspection,
            compile_reads=settings.compile_reads,
        )


class GraphQLEndpoint:
    def __init__(
        self,
        sessions: SessionFactory,
        limits: Limits,
        *,
        dev: bool,
        ide: ASGIApp,
        reads: ReadConnections | None = None,
        tracing: Tracing = NO_TRACING,
    ) -> None:
        self.sessions = sessions
        self.tracing = tracing
        #: Where compiled reads run (one statement, no transaction).
        self.reads = reads or session_connections(sessions)
        self.limits = limits
        self.dev = dev
        self.ide = ide
        #: Points owed back to each key's bucket (reserved, not returned), paid on its next request.
        self.refunds: dict[str, float] = {}
        #: The name of each key (by hash) seen here, so a compiled read can pay its refund.
        self.key_names: dict[bytes, str] = {}
        #: The viewer each key (by hash) was when last admitted here: a compiled read picks its plan
        #: by it and checks it in the same statement as the admission (server/admission.py).
        self.key_viewers: dict[bytes, Viewer] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method == "GET" and "query" not in request.query_params:
            # A browser asking for the IDE (dev mode) or Strawberry's 404.
            await self.ide(scope, receive, send)
            return
        response = await self.respond(request)
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        rid = request_id(request)
        trace = Trace()
        started = time.perf_counter()
        with self.tracing.request(rid, request.method, request.url.path) as span:
            try:
                async with asyncio.timeout(self.limits.request_timeout):
                    response = await self._respond(request, rid, trace)
            except TimeoutError:
                refusal = RefusalError(
                    503,
                    "TIMEOUT",
                    f"The request ran longer than {self.limits.request_timeout:g} s and was "
                    "cancelled; retry later or ask for less.",
                    headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE)},
                )
                response = self._refused(refusal, rid, trace)
            except RefusalError as refusal:
                response = self._refused(refusal, rid, trace)
            except Exception as exc:  # the last line of defence: never a bare 500 page
                response = self._refused(unexpected(exc, rid), rid, trace)
            span.finish(response.status_code)
        response.headers["x-request-id"] = rid
        seconds = time.perf_counter() - started
        log_request(request, response.status_code, rid, trace, seconds)
        observe_request(response.status_code, trace, seconds)
        return response

    @staticmethod
    def _refused(refusal: RefusalError, rid: str, trace: Trace) -> Response:
        trace.errors.append(refusal.code)
        return refusal_response(refusal, rid)

    async def _respond(self, request: Request, rid: str, trace: Trace) -> Response:
        graphql_request = await self._read(request)
        trace.operation = loggable_name(graphql_request.operation_name)
        if self.limits.compile_reads:
            compiled = await compiled_read(self, request, graphql_request, rid, trace)
            if compiled is not None:
                return compiled
        quick = await admit_request(self, request, graphql_request)
        if quick is not None:
            viewer, prepared, bucket = quick
            trace.key = viewer.key_name
            trace.planned(prepared)
            try:
                key = self._check_operation(request, viewer, prepared)
            except RefusalError:
                self.refund(viewer, prepared.plan.requested_cost)  # refused before it ran
                raise
        else:
            # The detailed path: why a key is refused, how long until its bucket holds the cost.
            # One session (one connection checkout, none for the dev caller) for the key lookup and
            # the bucket; it closes before the operation runs, whose sessions are its own.
            async with self.sessions() as session:
                viewer = await authenticate(
                    request, session, dev=self.dev, authorization=request.headers.get("authorization")
                )
                trace.key = viewer.key_name
                prepared = self._prepare(graphql_request, viewer)
                trace.planned(prepared)
                key = self._check_operation(request, viewer, prepared)
                bucket = await self._reserve(session, viewer, prepared.plan.requested_cost)
                await session.commit()
        operation = prepared.plan
        if key is None:
            result = await self.execute(graphql_request, prepared, viewer, rid, self.sessions, trace)
            response = await self.answer(result, prepared, viewer, bucket, trace)
            if operation.kind == "query":
                trace.plan = response.headers[PLAN_HEADER] = "resolvers"
            return response
        return await self._idempotent(graphql_request, prepared, viewer, rid, key, bucket, trace)

    def _check_operation(self, request: Request, viewer: Viewer, prepared: Prepared) -> str | None:
        """Refuse what the viewer may not run this way; the mutation's idempotency key, if any."""
        operation = prepared.plan
        if operation.kind != "mutation":
            return None
        if request.method != "POST":
            raise RefusalError(
                405, "METHOD_NOT_ALLOWED", "Mutations are sent with POST.", headers={"Allow": "POST"}
            )
        _check_role(viewer, operation.root_fields)
        return idempotency.idempotency_key(request.headers.get(idempotency.HEADER))

    async def _read(self, request: Request) -> GraphQLRequest:
        if request.method == "POST":
            check_content_type(request)
            return decode_post(await read_body(request, self.limits.max_body_bytes))
        return decode_get(dict(request.query_params))

    def _prepare(self, graphql_request: GraphQLRequest, viewer: Viewer) -> Prepared:
        try:
            return prepare(
                schema._schema,
                graphql_request.query,
                graphql_request.operation_name,
                graphql_request.variables,
                introspection=self.limits.introspection or viewer.role is Role.ADMIN,
                max_cost=self.limits.max_query_cost,
            )
        except OperationRefusedError as exc:
            extensions = {}
            if exc.cost is not None:
                extensions = {"cost": self.cost(exc.cost, None, None)}
            raise RefusalError(400, exc.code, exc.message, extensions=extensions) from None

    async def _reserve(self, session: AsyncSession, viewer: Viewer, cost: int) -> float | None:
        """Points left after reserving ``cost``; ``None`` for the unthrottled dev caller."""
        if viewer.key_name is None:
            return None
        connection = await session.connection()
        await without_waiting_for_disk(connection)
        refund = self.refunds.pop(viewer.key_name, 0.0)
        reservation = await reserve(connection, viewer.key_name, cost, self.limits.budget, refund)
        if not reservation.granted:
            self.refund(viewer, refund)
        if not reservation.granted:
            raise RefusalError(
                429,
                "THROTTLED",
                f"The query costs {cost} points and the key's bucket holds "
                f"{int(reservation.available)}; retry in {reservation.retry_after} s.",
                headers={"Retry-After": str(reservation.retry_after)},
                extensions={"cost": self.cost(cost, None, reservation.available)},
            )
        return reservation.available

    async def _settle(self, viewer: Viewer, refund: float, within: AsyncSession) -> float:
        """Give ``refund`` points back in ``within``'s transaction (an idempotent request's, which
        holds its session: another one on the same connection would wait for it)."""
        assert viewer.key_name is not None
        return await settle(await within.connection(), viewer.key_name, refund, self.limits.budget)

    async def execute(
        self,
        graphql_request: GraphQLRequest,
        prepared: Prepared,
        viewer: Viewer,
        rid: str,
        sessions: SessionFactory,
        trace: Trace,
    ) -> ExecutionResult:
        """The prepared document run as it is (not parsed nor validated again); a read's sessions
        share one connection (``request_sessions``), a mutation's are each a transaction. ``trace``
        records that it ran and the codes of its errors."""
        async with AsyncExitStack() as stack:
            if prepared.plan.kind != "mutation":
                sessions = await stack.enter_async_context(
                    request_sessions(sessions, wait_seconds=self.limits.request_timeout)
                )
            context = Context(sessions=sessions, request_id=rid, viewer=viewer, document=prepared.document)
            result = await schema.execute(
                graphql_request.query,
                variable_values=graphql_request.variables,
                context_value=context,
                operation_name=graphql_request.operation_name,
            )
        trace.record(result)
        return result

    async def answer(
        self, result: ExecutionResult, prepared: Prepared, viewer: Viewer, bucket: float | None, trace: Trace
    ) -> Response:
        status, body, refund = await self._render(result, prepared, viewer, bucket, trace)
        self.refund(viewer, refund)
        return json_answer(status, body)

    def refund(self, viewer: Viewer, points: float) -> None:
        """Owe ``points`` back to the key's bucket: paid with its next reservation here."""
        if points and viewer.key_name is not None:
            self.refunds[viewer.key_name] = self.refunds.get(viewer.key_name, 0.0) + points

    async def _render(
        self,
        result: ExecutionResult,
        prepared: Prepared,
        viewer: Viewer,
        bucket: float | None,
        trace: Trace,
        within: AsyncSession | None = None,
    ) -> tuple[int, bytes, float]:
        """The status and body, and the refund still to be settled (none ``within`` a session,
        where it is settled at once, in that session's transaction)."""
        requested = prepared.plan.requested_cost
        actual = actual_cost(result.data, prepared.plan.kind, len(prepared.plan.root_fields))
        trace.actual = actual
        available = bucket
        refund = 0.0
        if bucket is not None and actual != requested:
            if within is not None:
                available = await self._settle(viewer, requested - actual, within)
            else:
                refund = requested - actual
                available = min(self.limits.budget.capacity, bucket + refund)
        content: dict[str, Any] = {}
        if result.errors:
            content["errors"] = [error.formatted for error in result.errors]
        content["data"] = result.data
        content["extensions"] = {"cost": self.cost(requested, actual, available)}
        try:
            body = orjson.dumps(content)
        except TypeError as exc:  # e.g. a lone surrogate that slipped into an answer
            raise unexpected(exc, "-") from exc
        return status_of(result), body, refund

    async def _idempotent(
        self,
        graphql_request: GraphQLRequest,
        prepared: Prepared,
        viewer: Viewer,
        rid: str,
        key: str,
        bucket: float | None,
        trace: Trace,
    ) -> Response:
        owner = viewer.key_name or ""
        digest = idempotency.request_hash(canonical(graphql_request))
        async with self.sessions() as outer:
            claimed = await idempotency.claim(outer, owner, key, digest)
            if claimed is True:
                # The mutation's sessions join this transaction, taking turns among themselves.
                inner = joined_sessions(
                    await outer.connection(),
                    wait_seconds=self.limits.request_timeout,
                    turn=asyncio.Lock(),
                )
                result = await self.execute(graphql_request, prepared, viewer, rid, inner, trace)
                status, body, _ = await self._render(result, prepared, viewer, bucket, trace, outer)
                if status == 200:
                    await idempotency.store(outer, owner, key, status, body)
                    await outer.commit()
                else:
                    await outer.rollback()
                return json_answer(status, body)
            await outer.rollback()
        self.refund(viewer, prepared.plan.requested_cost)  # a replay does no work: no charge
        trace.ran, trace.actual = True, 0  # admitted and answered (the stored answer), charged nothing
        return Response(
            claimed.body, claimed.status, {"Idempotent-Replayed": "true"}, media_type="application/json"
        )

    def cost(self, requested: int, actual: int | None, available: float | None) -> dict[str, Any]:
        budget = self.limits.budget
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": budget.capacity,
                "currentlyAvailable": budget.capacity if available is None else int(available),
                "restoreRate": budget.rate,
            },
        }


def _check_role(viewer: Viewer, root_fields: tuple[str, ...]) -> None:
    refused = [name for name in root_fields if not may_run_mutation(viewer.role, name)]
    if refused:
        raise RefusalError(
            403,
            "FORBIDDEN",
            f"The {viewer.role.value} role may not run {', '.join(refused)}; nothing ran.",
        )


__all__ = ["GraphQLEndpoint", "Limits", "actual_cost"]
