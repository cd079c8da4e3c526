"""The database engine of a server process: its URL forms, pool and per-connection settings."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from server.settings import Settings


def async_url(url: str) -> str:
    """Accept ``postgresql://…``, ``postgres://…`` and ``postgresql+asyncpg://…``; return the asyncpg form."""
    parsed = make_url(
        url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url
    )
    if parsed.drivername in (
        "postgresql",
        "postgresql+asyncpg",
        "postgresql+psycopg",
        "postgresql+psycopg2",
    ):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, not {parsed.drivername!r}")


def create_engine(url: str, settings: Settings | None = None) -> AsyncEngine:
    s = settings or Settings.from_env()
    return create_async_engine(
        async_url(url),
        pool_size=s.pool_size,
        max_overflow=s.max_overflow,
        pool_pre_ping=True,
        connect_args={
            "server_settings": {
                "statement_timeout": str(s.statement_timeout_ms),
                "application_name": "salesgraph",
                "TimeZone": "UTC",
            }
        },
    )

