"""What a /graphql answer is made of once the operation ran: its actual cost, its status, the
refusal for an unexpected error, and the request's log line (api.md §7.2, §7.3, §7.7)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import ExecutionResult

from graph.errors import INTERNAL_MESSAGE, UNAVAILABLE_MESSAGES
from graph.prepare import Prepared
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
    """What the request's log line, metrics and spans say about it, filled in as it goes."""

    operation: str | None = None
    key: str | None = None
    #: The requested cost, once the operation is planned.
    cost: int | None = None
    #: The actual cost, once the operation ran.
    actual: int | None = None
    #: The operation was admitted and ran (its name is then a validated document's).
    ran: bool = False
    #: ``compiled`` or ``resolvers``, for a query that ran.
    plan: str | None = None
    #: The error codes answered: the refusal's, or each top-level GraphQL error's.
    errors: list[str] = field(default_factory=list)

    def planned(self, prepared: Prepared) -> None:
        """The operation is valid and costed: its name is the document's (a GraphQL name, also when
        the request named none), and its requested cost is known."""
        name = prepared.operation.name
        self.operation = name.value if name is not None else None
        self.cost = prepared.plan.requested_cost

    def record(self, result: ExecutionResult) -> None:
        """What an executed operation tells: it ran, and the codes of its errors."""
        self.ran = True
        for error in result.errors or ():
            code = (error.extensions or {}).get("code")
            self.errors.append(code if isinstance(code, str) else "UNKNOWN")


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
    """The request's one line: its fields as ``extra`` (the JSON format's fields, see
    ``server.logs``), the same in a text message. Never the key itself nor a variable's value:
    only the key's name, and the operation's name when it is a GraphQL name."""
    level = logging.ERROR if status >= 500 and status != 503 else logging.INFO
    if status == 503:
        level = logging.WARNING
    duration_ms = round(seconds * 1000, 1)
    log.log(
        level,
        "%s %s %s op=%s status=%d ms=%.1f cost=%s key=%s",
        rid,
        request.method,
        request.url.path,
        trace.operation or "-",
        status,
        duration_ms,
        trace.cost if trace.cost is not None else "-",
        trace.key or "-",
        extra={
            "request_id": rid,
            "method": request.method,
            "path": request.url.path,
            "operation": trace.operation,
            "status": status,
            "duration_ms": duration_ms,
            "cost": {"requested": trace.cost, "actual": trace.actual},
            "key": trace.key,
            "plan": trace.plan,
            "errors": trace.errors,
        },
    )
