"""What a /graphql answer is made of once the operation ran: its actual cost, its status, the
refusal for an unexpected error, and the request's log line (api.md §7.2, §7.3)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import ExecutionResult

from graph.errors import INTERNAL_MESSAGE, UNAVAILABLE_MESSAGES
from resolvers.errors import unavailability
from server.http import RefusalError

log = logging.getLogger("salesgraph.requests")

#: Seconds a client is told to wait after a 503.
RETRY_AFTER_UNAVAILABLE = 5
GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
#: The fixed cost of each mutation root field (api.md §7.3).
MUTATION_COST = 10


@dataclass
class Trace:
    """What the request's log line says."""

    operation: str | None = None
    key: str | None = None
    cost: int | None = None


def actual_cost(data: Any, kind: str, root_fields: int) -> int:
    """The objects an answer holds (each JSON object below ``data``), plus the fixed cost of each
    mutation: what the key's bucket is charged."""
    fixed = MUTATION_COST * root_fields if kind == "mutation" else 0
    count = 0
    stack = [data] if data is not None else []
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            count += 1
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return fixed + max(count - 1, 0)  # the ``data`` object itself is not returned


def status_of(result: ExecutionResult) -> int:
    codes = {(error.extensions or {}).get("code") for error in result.errors or ()}
    if "INTERNAL_SERVER_ERROR" in codes:
        return 500
    if codes & UNAVAILABLE_MESSAGES.keys():
        return 503
    return 200


def json_answer(status: int, body: bytes) -> Response:
    headers = {"Retry-After": str(RETRY_AFTER_UNAVAILABLE)} if status == 503 else None
    return Response(body, status, headers, media_type="application/json")


def unexpected(exc: BaseException, rid: str) -> RefusalError:
    code = unavailability(exc)
    if code is None:
        log.error("unexpected error in request %s", rid, exc_info=exc)
        return RefusalError(500, "INTERNAL_SERVER_ERROR", INTERNAL_MESSAGE.format(request_id=rid))
    log.warning("request %s: %s (%s)", rid, code, type(exc).__name__)
    retry = {"Retry-After": str(RETRY_AFTER_UNAVAILABLE)}
    if code == "TIMEOUT":
        return RefusalError(503, "TIMEOUT", UNAVAILABLE_MESSAGES[code], headers=retry)
    return RefusalError(503, "SERVICE_UNAVAILABLE", UNAVAILABLE_MESSAGES[code], headers=retry)


def loggable_name(name: str | None) -> str | None:
    """An operation name as the log may show it: a GraphQL name, else a placeholder (a client's
    string with a newline or a NUL must not forge or break a log line)."""
    if name is None:
        return None
    return name if GRAPHQL_NAME.fullmatch(name) else "(invalid name)"


def log_request(request: Request, status: int, rid: str, trace: Trace, seconds: float) -> None:
    level = logging.ERROR if status >= 500 and status != 503 else logging.INFO
    if status == 503:
        level = logging.WARNING
    log.log(
        level,
        "%s %s %s op=%s status=%d ms=%.1f cost=%s key=%s",
        rid,
        request.method,
        request.url.path,
        trace.operation or "-",
        status,
        seconds * 1000,
        trace.cost if trace.cost is not None else "-",
        trace.key or "-",
    )
