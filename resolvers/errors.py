"""Errors the resolvers raise for the graph layer to report.

``DomainError`` / ``DomainErrors`` (defined with the rules in ``models.errors``) are broken business
rules: they become ``userErrors`` in a mutation payload. ``RequestError`` is a malformed request (a
bad cursor, a page size over the limit): it becomes a top-level GraphQL error whose message is
shown to the client. Anything else is unexpected and is masked for the client.
"""

from __future__ import annotations

import asyncpg
import sqlalchemy.exc

from models.errors import DomainError, DomainErrors, Violations

__all__ = ["DomainError", "DomainErrors", "RequestError", "Violations", "unavailability"]


class RequestError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def unavailability(exc: BaseException) -> str | None:
    """``"TIMEOUT"`` or ``"SERVICE_UNAVAILABLE"`` when ``exc`` means the database cannot answer now
    (a statement cancelled by its timeout; the pool exhausted past its wait; the server refusing or
    dropping connections), ``None`` for anything else (a bug, to be reported as such)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, asyncpg.QueryCanceledError):
            return "TIMEOUT"
        if isinstance(
            current,
            sqlalchemy.exc.TimeoutError
            | asyncpg.PostgresConnectionError
            | asyncpg.CannotConnectNowError
            | asyncpg.AdminShutdownError
            | asyncpg.InterfaceError
            | ConnectionError
            | TimeoutError,
        ):
            return "SERVICE_UNAVAILABLE"
        if isinstance(current, OSError) and current.errno is not None:
            return "SERVICE_UNAVAILABLE"
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return "SERVICE_UNAVAILABLE"
        current = current.__cause__ or current.__context__
    return None
