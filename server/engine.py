"""The database engine of a server process: its URL forms, pool and per-connection settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from server.metrics import MeteredPool
from server.settings import Settings, postgres_url


def async_url(url: str) -> str:
    """Accept ``postgresql://…``, ``postgres://…`` and ``postgresql+asyncpg://…``; return the asyncpg form.

    ``ValueError`` (saying what is wrong, without the URL) for anything else.
    """
    try:
        parsed = postgres_url(url)
    except ValueError as exc:
        raise ValueError(f"DATABASE_URL {exc}") from None
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, settings: Settings | None = None) -> AsyncEngine:
    """The engine of ``url`` with the pool and connection settings of ``settings`` (default: the
    environment's). A checkout that finds the pool exhausted waits ``pool_timeout_ms`` at most, then
    raises ``sqlalchemy.exc.TimeoutError`` (answered 503, never a request queued without end)."""
    s = settings or Settings.from_env()
    return create_async_engine(
        async_url(url),
        # SQLAlchemy's own pool for asyncio, counting waiting checkouts for /metrics.
        poolclass=MeteredPool,
        pool_size=s.pool_size,
        max_overflow=s.max_overflow,
        pool_timeout=s.pool_timeout_ms / 1000,
        # No ping per checkout: it is a round trip on every request. A connection the server has
        # dropped (a restart) fails its first statement instead; SQLAlchemy then recycles every
        # connection the pool holds, a compiled read retries once on a fresh one, and anything else
        # is answered 503 SERVICE_UNAVAILABLE with Retry-After (nothing was written).
        pool_pre_ping=False,
        connect_args={
            # asyncpg's own default is 60 s: a server that does not answer would hold a command that long.
            "timeout": s.connect_timeout_ms / 1000,
            "server_settings": {
                "statement_timeout": str(s.statement_timeout_ms),
                "application_name": "salesgraph",
                "TimeZone": "UTC",
            },
        },
    )
