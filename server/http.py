"""What an HTTP request to ``/graphql`` must get past before its operation runs, and how a
refusal is answered (api.md §7.2): the request id, the content type, the body limit, the JSON.

A refusal is an exception (``RefusalError``) carrying its status, code and headers; the endpoint turns
it into the one response shape every refusal has.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

#: A request id a client may choose: short, and nothing a log or a header could be confused by.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
JSON_TYPES = ("application/json", "application/graphql-response+json")


class RefusalError(Exception):
    """The request is answered ``status`` with ``code`` and runs nothing."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extensions = extensions or {}


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    operation_name: str | None = None


def request_id(request: Request) -> str:
    """The client's ``x-request-id`` when it is a sane one, else a new one."""
    given = request.headers.get("x-request-id")
    if given is not None and REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def json_response(
    content: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(orjson.dumps(content), status, headers, media_type="application/json")


def refusal_response(refusal: RefusalError, rid: str) -> Response:
    body: dict[str, Any] = {
        "errors": [{"message": refusal.message, "extensions": {"code": refusal.code, "requestId": rid}}]
    }
    if refusal.extensions:
        body["extensions"] = refusal.extensions
    return json_response(body, refusal.status, refusal.headers)


async def read_body(request: Request, limit: int) -> bytes:
    """The body, or 413 as soon as it would pass ``limit`` bytes (never more is read)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> RefusalError:
    return RefusalError(
        413,
        "PAYLOAD_TOO_LARGE",
        f"The body is larger than {limit} bytes (SALESGRAPH_MAX_BODY_BYTES).",
        headers={"Connection": "close"},
    )


def check_content_type(request: Request) -> None:
    """POSTs must be JSON: a form or plain-text POST is what a cross-site page can send (CSRF)."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in JSON_TYPES:
        raise RefusalError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "POST /graphql takes Content-Type: application/json.",
        )


def decode_post(body: bytes) -> GraphQLRequest:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RefusalError(400, "BAD_REQUEST", f"The body is not UTF-8 (byte {exc.start}).") from None
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        # orjson refuses lone surrogates (``"\\ud800"``), which are valid JSON: the variable check
        # names them; anything else is not JSON.
        try:
            payload = json.loads(text)
        except ValueError as exc:
            raise RefusalError(400, "BAD_REQUEST", f"The body is not JSON: {exc}.") from None
    return _graphql_request(payload)


def decode_get(params: dict[str, str]) -> GraphQLRequest:
    variables: Any = None
    if params.get("variables"):
        try:
            variables = orjson.loads(params["variables"])
        except orjson.JSONDecodeError:
            raise RefusalError(400, "BAD_REQUEST", "`variables` is not JSON.") from None
    return _graphql_request(
        {
            "query": params.get("query"),
            "variables": variables,
            "operationName": params.get("operationName") or None,
        }
    )


def _graphql_request(payload: Any) -> GraphQLRequest:
    if not isinstance(payload, dict):
        raise RefusalError(400, "BAD_REQUEST", "The body must be a JSON object with a `query`.")
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RefusalError(400, "BAD_REQUEST", "The request has no `query` (a string).")
    variables = payload.get("variables")
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        raise RefusalError(400, "BAD_REQUEST", "`variables` must be a JSON object.")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RefusalError(400, "BAD_REQUEST", "`operationName` must be a string.")
    return GraphQLRequest(query, variables, operation_name)


def canonical(request: GraphQLRequest) -> bytes:
    """The request as bytes that do not depend on key order or spacing (for idempotency)."""
    return orjson.dumps(
        [request.query, request.variables, request.operation_name], option=orjson.OPT_SORT_KEYS
    )
