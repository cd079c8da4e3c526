"""A query on the compiled path: one connection checkout and at most two statements, the
admission (key, last use and bucket in one, :mod:`server.admission`; none for the dev caller) and
the read itself (:mod:`resolvers.reads.compiled`), whose JSON text becomes the body unparsed.

Anything unusual leaves this path before a statement runs or before anything is written, and the
endpoint's general path answers it with its precise status and message: a document that does not
prepare (400), a key that is unknown (401) or whose bucket is short (429), a mutation, an
introspection query. An operation the compiler does not cover, or whose values the resolvers
refuse with their own errors, runs on the resolvers with the viewer and reservation admitted here.

:func:`admit_request` admits any other operation of a key's caller (a mutation, an uncompiled
read) with the same one-statement admission.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response

from graph.prepare import OperationRefusedError, Prepared, prepare
from graph.schema import schema
from resolvers.reads.compiled import Compiled, FallbackError, plan_for
from resolvers.reads.compiled.run import fetch, objects_below_data
from resolvers.viewer import Viewer
from server.admission import Admission, admit, admit_and_read, token_hash
from server.answer import Trace, json_answer
from server.auth import DEV_VIEWER, bearer_token, is_loopback
from server.http import GraphQLRequest

if TYPE_CHECKING:
    from server.endpoint import GraphQLEndpoint

#: Response header naming the path a query took: ``compiled`` (one SQL statement) or ``resolvers``.
PLAN_HEADER = "x-salesgraph-plan"


async def compiled_read(
    endpoint: GraphQLEndpoint, request: Request, graphql_request: GraphQLRequest, rid: str, trace: Trace
) -> Response | None:
    """The answer of a query admitted here, or ``None`` for the endpoint's general path."""
    token = bearer_token(request.headers.get("authorization"))
    key_hash = None if token is None else token_hash(token)
    if key_hash is None and not (token is None and endpoint.dev and is_loopback(request)):
        return None
    limits = endpoint.limits
    try:
        prepared = prepare(
            schema._schema,
            graphql_request.query,
            graphql_request.operation_name,
            graphql_request.variables,
            introspection=limits.introspection,
            max_cost=limits.max_query_cost,
        )
    except OperationRefusedError:
        return None
    operation = prepared.plan
    if operation.kind != "query" or operation.introspection:
        return None
    requested = operation.requested_cost
    trace.planned(prepared)
    admitted: Admission | None = None
    data: bytes | None = None
    plan: tuple[Compiled, list[Any]] | None = None
    # The operation span of the compiled path (Strawberry, which traces the resolver path, does not
    # run here): the admission and the read, one or two statements.
    with endpoint.tracing.operation(trace.operation, "query", "compiled"):
        for attempt in (1, 2):
            try:
                async with endpoint.reads() as connection:
                    if admitted is None and key_hash is not None and key_hash in endpoint.key_viewers:
                        # A key seen before: its admission and the read in one statement, with the plan
                        # of the viewer it was then (the statement reads nothing if that has changed).
                        expected = endpoint.key_viewers[key_hash]
                        plan = _plan(prepared, graphql_request, expected)
                        if plan is not None:
                            admitted, data = await _admit_and_read(
                                endpoint, connection, key_hash, requested, plan
                            )
                            if admitted is None:
                                return None  # 401 or 429, with the general path's detail; nothing was written
                    if admitted is None:
                        admitted = await admit_key(endpoint, connection, key_hash, requested)
                        if admitted is None:
                            return None
                    viewer, bucket = admitted.viewer, admitted.available
                    trace.key = viewer.key_name
                    if data is None:
                        plan = _plan(prepared, graphql_request, viewer)
                        if plan is not None:
                            data = await fetch(connection, *plan)
                break
            except DBAPIError as exc:
                # No pre-ping per checkout (server/engine.py): a connection the server dropped fails its
                # first statement, and the pool then recycles all of them. A read is safe to repeat,
                # on a fresh connection; the admission, once done, is not repeated.
                if attempt == 2 or not exc.connection_invalidated:
                    raise
    if data is None:
        result = await endpoint.execute(graphql_request, prepared, viewer, rid, endpoint.sessions, trace)
        response = await endpoint.answer(result, prepared, viewer, bucket, trace)
        trace.plan = response.headers[PLAN_HEADER] = "resolvers"
        return response
    trace.ran = True
    trace.plan = "compiled"
    actual = trace.actual = objects_below_data(data)
    available = bucket
    if bucket is not None and actual != requested:
        endpoint.refund(viewer, requested - actual)
        available = min(limits.budget.capacity, bucket + requested - actual)
    cost = orjson.dumps({"cost": endpoint.cost(requested, actual, available)})
    # PostgreSQL's JSON text goes into the body as it is: never decoded into Python objects.
    body = b"".join((b'{"data":', data, b',"extensions":', cost, b"}"))
    response = json_answer(200, body)
    response.headers[PLAN_HEADER] = "compiled"
    return response


async def admit_request(
    endpoint: GraphQLEndpoint, request: Request, graphql_request: GraphQLRequest
) -> tuple[Viewer, Prepared, float | None] | None:
    """A key's caller admitted in one statement (key, last use and bucket, as a compiled
    read's: :mod:`server.admission`), with the prepared operation; ``None`` when anything is
    unusual (no key, a document that does not prepare, an unknown key, a short bucket), which
    the detailed path then answers: nothing was taken or written here."""
    token = bearer_token(request.headers.get("authorization"))
    key_hash = None if token is None else token_hash(token)
    if key_hash is None:
        return None
    try:
        prepared = prepare(
            schema._schema,
            graphql_request.query,
            graphql_request.operation_name,
            graphql_request.variables,
            introspection=endpoint.limits.introspection,
            max_cost=endpoint.limits.max_query_cost,
        )
    except OperationRefusedError:
        return None
    async with endpoint.reads() as connection:
        admitted = await admit_key(endpoint, connection, key_hash, prepared.plan.requested_cost)
    if admitted is None or admitted.available is None:
        return None
    return admitted.viewer, prepared, admitted.available


async def admit_key(
    endpoint: GraphQLEndpoint, connection: AsyncConnection, key_hash: bytes | None, cost: int
) -> Admission | None:
    """The dev caller (unthrottled), or the key's caller with ``cost`` reserved; ``None`` when the
    key is unknown or its bucket is short (the refund it was owed stays owed)."""
    if key_hash is None:
        return Admission(DEV_VIEWER, None)
    known = endpoint.key_names.get(key_hash)
    refund = endpoint.refunds.pop(known, 0.0) if known is not None else 0.0
    admission = await admit(connection, key_hash, cost, endpoint.limits.budget, refund)
    if admission is None or admission.available is None:
        if known is not None and refund:
            endpoint.refunds[known] = endpoint.refunds.get(known, 0.0) + refund
        return None
    assert admission.viewer.key_name is not None
    endpoint.key_names[key_hash] = admission.viewer.key_name
    endpoint.key_viewers[key_hash] = admission.viewer
    return admission


async def _admit_and_read(
    endpoint: GraphQLEndpoint,
    connection: AsyncConnection,
    key_hash: bytes,
    cost: int,
    plan: tuple[Compiled, list[Any]],
) -> tuple[Admission | None, bytes | None]:
    """:func:`server.admission.admit_and_read` with the key's refund; the caller's new viewer is
    remembered when it has changed (a role or salesperson changed, the data is then not read)."""
    expected = endpoint.key_viewers[key_hash]
    known = endpoint.key_names.get(key_hash)
    refund = endpoint.refunds.pop(known, 0.0) if known is not None else 0.0
    admission, data = await admit_and_read(
        connection, key_hash, cost, endpoint.limits.budget, refund, expected, plan[0].sql, plan[1]
    )
    if admission is None or admission.available is None:
        if known is not None and refund:
            endpoint.refunds[known] = endpoint.refunds.get(known, 0.0) + refund
        if admission is None:
            endpoint.key_viewers.pop(key_hash, None)
        return None, None
    endpoint.key_viewers[key_hash] = admission.viewer
    return admission, data


def _plan(
    prepared: Prepared, graphql_request: GraphQLRequest, viewer: Viewer
) -> tuple[Compiled, list[Any]] | None:
    """The compiled plan and this request's parameters; ``None`` for the resolvers to answer."""
    plan = plan_for(
        schema._schema, graphql_request.query, prepared.document, prepared.operation, prepared.values, viewer
    )
    if plan is None:
        return None
    try:
        return plan, plan.parameters(prepared.values.coerced, viewer)
    except FallbackError:
        return None
