"""What clients see of errors: request errors with their code, everything unexpected masked.

An unexpected exception reaches the client as a generic message with the request id, and the
log gets the whole traceback under the same id. ``TOP_LEVEL_CODES`` is the one list of the
``errors[].extensions.code`` values of the contract (api.md §7.2), with their HTTP status; a test
fails when the code raises one that is not in it, and the README's table is rendered from it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from resolvers.analytics import performance, pipeline
from resolvers.errors import RequestError, unavailability
from resolvers.reads.pagination import MAX_PAGE_SIZE
from resolvers.reads.stage_age import MAX_STALLED_DAYS

log = logging.getLogger("salesgraph.errors")

INTERNAL_MESSAGE = "Unexpected error; the server logged it under request id {request_id}."
UNAVAILABLE_MESSAGES = {
    "SERVICE_UNAVAILABLE": "The database is unavailable or busy; retry later.",
    "TIMEOUT": "The database did not answer in time; retry later or ask for less.",
}


@dataclass(frozen=True, slots=True)
class TopLevelCode:
    """One ``errors[].extensions.code``: when it is given and the HTTP status of its response.

    ``emitted`` is false for a code the contract fixes but the server does not give yet; ``today``
    then says what the server answers instead (also for an emitted code whose status differs).
    """

    code: str
    http_status: int
    when: str
    emitted: bool = True
    today: str = ""


#: The codes raised as ``RequestError`` (during execution, so HTTP 200 like every executed
#: operation) come first, then the request-level codes of api.md §7.2 in its order.
TOP_LEVEL_CODES: tuple[TopLevelCode, ...] = (
    TopLevelCode("INVALID_ID", 200, "`node`/`nodes` gets an ID that is not a salesgraph global ID."),
    TopLevelCode(
        "TOO_MANY_IDS",
        200,
        "`nodes(ids:)` gets more IDs than it resolves at once (the message names the limit).",
    ),
    TopLevelCode("INVALID_PAGINATION", 200, "A list gets both `first` and `last`, or a negative one."),
    TopLevelCode("PAGE_SIZE_EXCEEDED", 200, f"A list's `first` or `last` is above {MAX_PAGE_SIZE}."),
    TopLevelCode(
        "INVALID_CURSOR",
        200,
        "`after`/`before` is not a cursor of this list and ordering, or `opportunityEvents(after:)` "
        "is not an event id.",
    ),
    TopLevelCode(
        "SUBSCRIPTION_ENDED",
        200,
        "`opportunityEvents` cannot go on: the subscriber fell too far behind its events, the server "
        "is shutting down, or its event feed is not connected yet. Resubscribe with `after` (the "
        "last event id received) to miss nothing.",
    ),
    TopLevelCode(
        "ADMIN_ONLY",
        200,
        "`webhookDeliveries` is read by a role other than ADMIN (webhooks are ADMIN's: "
        "`createWebhook`/`deleteWebhook` are FORBIDDEN to the others); nothing is read.",
    ),
    TopLevelCode(
        "INVALID_FILTER",
        200,
        f"`stalledForDays` is outside 0–{MAX_STALLED_DAYS}, or a filter's text or code (`search`, "
        "`salespersonCode`, the cycle code of `velocity`/`stageConversion`…) holds a NUL or a lone "
        "surrogate (a lookup such as `contact(no:)` by such a key answers `null`).",
    ),
    TopLevelCode("INVALID_DATE_RANGE", 200, "An analytics query's `from` is after its `to`."),
    TopLevelCode(
        "NOT_FOUND",
        200,
        "`velocity` or `stageConversion` names a sales cycle that does not exist (a root lookup such as "
        "`salesCycle(code:)` answers `null` instead; a mutation gives the `userError` NOT_FOUND).",
    ),
    TopLevelCode(
        "TOO_MANY_GROUPS",
        200,
        f"`pipeline` would return more than {pipeline.MAX_GROUPS} groups (`winRate`: more than "
        f"{performance.MAX_GROUPS}): the message says how to narrow it.",
    ),
    TopLevelCode(
        "TOO_MANY_DIMENSIONS",
        200,
        f"`pipeline(groupBy:)` has more than {pipeline.MAX_DIMENSIONS} dimensions.",
    ),
    TopLevelCode("DUPLICATE_DIMENSION", 200, "`pipeline(groupBy:)` names a dimension more than once."),
    TopLevelCode("PERIOD_REQUIRED", 200, "`pipeline(groupBy:)` has PERIOD but no `period` is given."),
    TopLevelCode("PERIOD_NOT_GROUPED", 200, "`pipeline` gets a `period` but `groupBy` has no PERIOD."),
    TopLevelCode(
        "FILTER_NOT_SUPPORTED_AS_OF",
        200,
        "`pipeline(asOf:)` gets filter fields that cannot be applied as of a past day "
        "(the message names them).",
    ),
    TopLevelCode(
        "BAD_REQUEST",
        400,
        "The body is not JSON or not UTF-8, or has no `query`, or a malformed `Idempotency-Key`.",
    ),
    TopLevelCode(
        "GRAPHQL_PARSE_FAILED",
        400,
        "The query has a GraphQL syntax error.",
    ),
    TopLevelCode(
        "GRAPHQL_VALIDATION_FAILED",
        400,
        "The query fails validation: an unknown field, a wrong type, several operations without "
        "`operationName`.",
    ),
    TopLevelCode(
        "BAD_USER_INPUT",
        400,
        "A variable cannot be coerced (a bad `Decimal`, `Date` or enum, an Int out of 32-bit range, NUL or a "
        "lone surrogate in a string); the message names the variable and why.",
    ),
    TopLevelCode(
        "MAX_COST_EXCEEDED",
        400,
        "The query's requested cost is above `SALESGRAPH_MAX_QUERY_COST` (api.md §7.3); nothing runs.",
    ),
    TopLevelCode(
        "MAX_DEPTH_EXCEEDED",
        400,
        "The query is nested deeper than the depth limit.",
    ),
    TopLevelCode(
        "MAX_ALIASES_EXCEEDED",
        400,
        "The query has more aliases than the alias limit.",
    ),
    TopLevelCode(
        "MAX_TOKENS_EXCEEDED",
        400,
        "The query has more tokens than the token limit.",
    ),
    TopLevelCode("METHOD_NOT_ALLOWED", 405, "A mutation sent with GET (mutations are POSTed); nothing runs."),
    TopLevelCode(
        "UNSUPPORTED_MEDIA_TYPE",
        415,
        "A POST whose `Content-Type` is not `application/json` (or `application/graphql-response+json`): "
        "what a cross-site form could send (CSRF, api.md §7.5); nothing runs.",
    ),
    TopLevelCode(
        "UNAUTHENTICATED",
        401,
        "No API key, or an unknown or revoked one (with `WWW-Authenticate: Bearer`).",
    ),
    TopLevelCode(
        "FORBIDDEN",
        403,
        "The caller's role may never run the operation (any mutation for READ_ONLY, `updateSetup` for "
        "MANAGER, master data for SALESPERSON); nothing runs.",
    ),
    TopLevelCode(
        "PAYLOAD_TOO_LARGE",
        413,
        "The body is larger than `SALESGRAPH_MAX_BODY_BYTES` (default 1 MiB).",
    ),
    TopLevelCode(
        "IDEMPOTENCY_KEY_IN_USE",
        409,
        "A retry with the same `Idempotency-Key` arrives while the first request still runs, and it "
        "does not finish within a few seconds (api.md §7.4).",
    ),
    TopLevelCode(
        "IDEMPOTENCY_KEY_REUSED",
        422,
        "The same `Idempotency-Key` comes with a different body (api.md §7.4).",
    ),
    TopLevelCode(
        "THROTTLED",
        429,
        "The caller's cost budget holds less than the operation's requested cost; `Retry-After` says "
        "when it would fit (api.md §7.3).",
    ),
    TopLevelCode(
        "SERVICE_UNAVAILABLE",
        503,
        "The database is unreachable or the pool is exhausted past its wait; with `Retry-After`.",
    ),
    TopLevelCode(
        "TIMEOUT",
        503,
        "The request deadline passed; with `Retry-After`.",
    ),
    TopLevelCode(
        "INTERNAL_SERVER_ERROR",
        500,
        "Anything unexpected: the message is generic and carries the request id "
        "(`extensions.requestId`) under which the server logged the whole traceback.",
    ),
)


def _unavailable(code: str, request_id: str) -> dict[str, str]:
    if code == "TIMEOUT":
        return {"code": "TIMEOUT", "requestId": request_id}
    return {"code": "SERVICE_UNAVAILABLE", "requestId": request_id}


def _is_expected(error: GraphQLError) -> bool:
    # Parse and validation errors carry no original error; request errors are the client's doing.
    return error.original_error is None or isinstance(error.original_error, RequestError)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: not _is_expected(e))

    def _request_id(self) -> str:
        context = self.execution_context.context
        return str(getattr(context, "request_id", "-"))

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed: list[GraphQLError] = []
        for error in errors:
            original = error.original_error
            if isinstance(original, RequestError):
                processed.append(
                    GraphQLError(
                        original.message,
                        nodes=error.nodes,
                        source=error.source,
                        positions=error.positions,
                        path=error.path,
                        extensions={"code": original.code},
                    )
                )
            elif _is_expected(error):
                processed.append(error)
            elif original is not None and (code := unavailability(original)) is not None:
                log.warning(
                    "request %s at %s: %s (%s)", self._request_id(), error.path, code, type(original).__name__
                )
                processed.append(
                    GraphQLError(
                        UNAVAILABLE_MESSAGES[code],
                        nodes=error.nodes,
                        source=error.source,
                        positions=error.positions,
                        path=error.path,
                        extensions=_unavailable(code, self._request_id()),
                    )
                )
            else:
                request_id = self._request_id()
                log.error(
                    "unexpected error in request %s at %s",
                    request_id,
                    error.path,
                    exc_info=(type(original), original, original.__traceback__) if original else None,
                )
                processed.append(
                    GraphQLError(
                        INTERNAL_MESSAGE.format(request_id=request_id),
                        nodes=error.nodes,
                        source=error.source,
                        positions=error.positions,
                        path=error.path,
                        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
                    )
                )
        return processed
