"""Errors the resolvers raise for the graph layer to report.

``DomainError`` / ``DomainErrors`` (defined with the rules in ``models.errors``) are broken business
rules: they become ``userErrors`` in a mutation payload. ``RequestError`` is a malformed request (a
bad cursor, a page size over the limit): it becomes a top-level GraphQL error whose message is
shown to the client. Anything else is unexpected and is masked for the client.
"""

from __future__ import annotations

from models.errors import DomainError, DomainErrors, Violations

__all__ = ["DomainError", "DomainErrors", "RequestError", "Violations"]


class RequestError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
