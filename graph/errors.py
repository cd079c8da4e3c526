"""What clients see of errors: request errors with their code, everything unexpected masked.

An unexpected exception reaches the client as a generic message with the request id, and the
log gets the whole traceback under the same id.
"""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from resolvers.errors import RequestError

log = logging.getLogger("salesgraph.errors")

INTERNAL_MESSAGE = "Unexpected error; the server logged it under request id {request_id}."


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
