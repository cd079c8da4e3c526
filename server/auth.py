"""Who is calling: the API key of ``Authorization: Bearer …``, or, only in ``serve --dev`` and only
from loopback, an unauthenticated ``ADMIN`` (api.md §7.1)."""

from __future__ import annotations

import ipaddress

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from resolvers.access.keys import find_viewer
from resolvers.viewer import Role, Viewer
from server.http import RefusalError

#: The dev-mode loopback caller: ``ADMIN``, no key, never throttled.
DEV_VIEWER = Viewer(Role.ADMIN)


def is_loopback(connection: HTTPConnection) -> bool:
    client = connection.client
    if client is None:
        return False
    try:
        return ipaddress.ip_address(client.host).is_loopback
    except ValueError:
        return False


def bearer_token(authorization: str | None) -> str | None:
    """The token of a ``Bearer`` authorization value (``None`` when there is none)."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated("The Authorization header must be `Bearer <api key>`.", invalid=True)
    return token.strip()


async def authenticate(
    connection: HTTPConnection, session: AsyncSession, *, dev: bool, authorization: str | None
) -> Viewer:
    """The caller's viewer, or 401 ``UNAUTHENTICATED``; the key is looked up in ``session``'s
    transaction (its use is recorded when the caller commits)."""
    token = bearer_token(authorization)
    if token is None:
        if dev and is_loopback(connection):
            return DEV_VIEWER
        raise _unauthenticated("An API key is required: send `Authorization: Bearer <api key>`.")
    viewer = await find_viewer(await session.connection(), token)
    if viewer is None:
        raise _unauthenticated("The API key is unknown or revoked.", invalid=True)
    return viewer


def _unauthenticated(message: str, *, invalid: bool = False) -> RefusalError:
    challenge = 'Bearer error="invalid_token"' if invalid else "Bearer"
    return RefusalError(401, "UNAUTHENTICATED", message, headers={"WWW-Authenticate": challenge})
