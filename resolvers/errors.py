"""Errors the resolvers raise for the graph layer to report.

``DomainError`` is a broken business rule: it becomes a ``userError`` in a mutation payload.
``RequestError`` is a malformed request (a bad cursor, a page size over the limit): it becomes a
top-level GraphQL error whose message is shown to the client. Anything else is unexpected and is
masked for the client.
"""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, code: str, message: str, field: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class RequestError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
