"""Every setting salesgraph reads from its environment, in one place, checked when it is read.

``Environment`` (pydantic-settings) names the variables and their rules; ``Settings``, the frozen
dataclass built from it, is what the rest of the code is handed (a plain value: tests derive
variants with ``dataclasses.replace``). A value that breaks a rule raises ``SettingsError``, whose
message is one line naming each bad variable and what it must be.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_core import ErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

#: The drivers ``DATABASE_URL`` may name; the engine always connects through asyncpg.
POSTGRES_DRIVERS = ("postgresql", "postgresql+asyncpg", "postgresql+psycopg", "postgresql+psycopg2")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("json", "text")
#: A scrape token shorter than this is refused: it would be guessable.
MIN_METRICS_TOKEN = 16
#: PostgreSQL's ``statement_timeout`` is an int4 of milliseconds.
MAX_TIMEOUT_MS = 2_147_483_647


class SettingsError(ValueError):
    """The environment holds a value salesgraph cannot use; the message is one line saying which and why."""


def postgres_url(url: str) -> URL:
    """``url`` parsed, in its asyncpg form; ``ValueError`` saying what is wrong with it otherwise.

    Accepts ``postgresql://…``, ``postgres://…`` and ``postgresql+asyncpg://…`` (and the psycopg forms).
    The message never repeats the URL, which may hold a password.
    """
    if url.startswith("postgres://"):
        url = url.replace("postgres://", "postgresql://", 1)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError("is not a URL (postgresql://user:password@host:port/database)") from None
    except ValueError:
        # make_url's only ValueError is int() of the port.
        raise ValueError("has a port that is not a number") from None
    if parsed.drivername not in POSTGRES_DRIVERS:
        raise ValueError(f"must be a PostgreSQL URL (postgresql://…), not {parsed.drivername}://…")
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise ValueError(f"has port {parsed.port}, outside 1-65535")
    return parsed.set(drivername="postgresql+asyncpg")


class Environment(BaseSettings):
    """The variables, their defaults and their rules. An empty variable counts as unset."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore")

    database_url: str | None = Field(None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(
        default_factory=lambda: Path.cwd() / ".salesgraph", validation_alias="SALESGRAPH_DATA_DIR"
    )
    pool_size: int = Field(10, ge=1, validation_alias="SALESGRAPH_POOL_SIZE")
    #: 0: SQLAlchemy closes an overflow connection as soon as it returns to a full pool, so under
    #: steady load above the pool size every request opened and closed one (a backend start and
    #: its prepared statements lost): ``one.graphql`` at 32 connections ran 660 req/s with 10
    #: overflow connections, 1,630 with none. Requests beyond the pool wait ``pool_timeout_ms``.
    max_overflow: int = Field(0, ge=0, validation_alias="SALESGRAPH_MAX_OVERFLOW")
    statement_timeout_ms: int = Field(
        15_000, ge=1, le=MAX_TIMEOUT_MS, validation_alias="SALESGRAPH_STATEMENT_TIMEOUT_MS"
    )
    connect_timeout_ms: int = Field(
        10_000, ge=1, le=MAX_TIMEOUT_MS, validation_alias="SALESGRAPH_CONNECT_TIMEOUT_MS"
    )
    log_level: str = Field("INFO", validation_alias="SALESGRAPH_LOG_LEVEL")
    dev: bool = Field(False, validation_alias="SALESGRAPH_DEV")
    pool_timeout_ms: int = Field(
        5_000, ge=1, le=MAX_TIMEOUT_MS, validation_alias="SALESGRAPH_POOL_TIMEOUT_MS"
    )
    request_timeout: float = Field(30.0, gt=0, le=3600, validation_alias="SALESGRAPH_REQUEST_TIMEOUT")
    idle_timeout: float = Field(15.0, gt=0, le=3600, validation_alias="SALESGRAPH_IDLE_TIMEOUT")
    max_body_bytes: int = Field(1_048_576, ge=1024, validation_alias="SALESGRAPH_MAX_BODY_BYTES")
    max_query_cost: int = Field(25_000, ge=1, validation_alias="SALESGRAPH_MAX_QUERY_COST")
    cost_bucket: int = Field(100_000, ge=1, validation_alias="SALESGRAPH_COST_BUCKET")
    cost_restore_rate: int = Field(10_000, ge=1, validation_alias="SALESGRAPH_COST_RESTORE_RATE")
    introspection: bool = Field(True, validation_alias="SALESGRAPH_INTROSPECTION")
    cors_origins: str = Field("", validation_alias="SALESGRAPH_CORS_ORIGINS")
    compile_reads: bool = Field(True, validation_alias="SALESGRAPH_COMPILE_READS")
    log_format: str | None = Field(None, validation_alias="SALESGRAPH_LOG_FORMAT")
    metrics_token: str | None = Field(None, validation_alias="SALESGRAPH_METRICS_TOKEN")

    @field_validator("database_url")
    @classmethod
    def _postgres(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                postgres_url(value)
            except ValueError as exc:
                raise PydanticCustomError("postgres_url", str(exc)) from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_level(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().upper() in LOG_LEVELS:
            return value.strip().upper()
        raise PydanticCustomError("log_level", f"must be one of {', '.join(LOG_LEVELS)}, not {value!r}")

    @field_validator("log_format", mode="before")
    @classmethod
    def _known_format(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and value.strip().lower() in LOG_FORMATS):
            return value.strip().lower() if isinstance(value, str) else value
        raise PydanticCustomError("log_format", f"must be json or text, not {value!r}")

    @field_validator("metrics_token")
    @classmethod
    def _long_token(cls, value: str | None) -> str | None:
        # Never echoed: the message says what is wrong, not what was given.
        if value is not None and len(value) < MIN_METRICS_TOKEN:
            raise PydanticCustomError("metrics_token", f"must be {MIN_METRICS_TOKEN} characters or more")
        return value


class _MappingSource(EnvSettingsSource):
    """The environment source of pydantic-settings, reading a given mapping instead of ``os.environ``."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {k: v for k, v in self._environ.items() if not (self.env_ignore_empty and v == "")}


# What a value must be, by pydantic error type; the input is appended (", not '0'").
_REQUIREMENTS = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be 1 or 0 (or true/false, yes/no, on/off)",
    "greater_than_equal": "must be {ge} or more",
    "less_than_equal": "must be {le} or less",
    "greater_than": "must be more than {gt}",
    "float_parsing": "must be a number",
}


def _describe(error: ErrorDetails) -> str:
    name = str(error["loc"][0]) if error["loc"] else "the environment"
    requirement = _REQUIREMENTS.get(error["type"])
    if requirement is None:
        # Our own rules (PydanticCustomError) say everything, and never echo a URL.
        message = error["msg"]
        return f"{name} {message[:1].lower()}{message[1:]}"
    return f"{name} {requirement.format(**error.get('ctx', {}))}, not {error['input']!r}"


@dataclass(frozen=True, slots=True)
class Settings:
    """Process settings. ``database_url`` is ``None`` when the embedded database should be used."""

    database_url: str | None
    data_dir: Path
    pool_size: int
    max_overflow: int
    statement_timeout_ms: int
    log_level: str
    connect_timeout_ms: int
    dev: bool
    pool_timeout_ms: int = 5_000
    #: Seconds a request may run before it is cancelled and answered 503 TIMEOUT.
    request_timeout: float = 30.0
    #: Seconds a connection may stay without sending a complete request before it is closed.
    idle_timeout: float = 15.0
    max_body_bytes: int = 1_048_576
    max_query_cost: int = 25_000
    cost_bucket: int = 100_000
    cost_restore_rate: int = 10_000
    #: ``False``: introspection for ``ADMIN`` keys only.
    introspection: bool = True
    #: Comma-separated origins, ``*``, or empty (CORS off).
    cors_origins: str = ""
    #: ``False``: every read runs on the resolver path (one resolver per field), never compiled to SQL.
    compile_reads: bool = True
    #: ``json`` or ``text``; ``None``: ``text`` with ``dev``, ``json`` otherwise (see ``log_style``).
    log_format: str | None = None
    #: When set, ``GET /metrics`` needs ``Authorization: Bearer <token>``; unset, it is open.
    metrics_token: str | None = field(default=None, repr=False)

    @property
    def log_style(self) -> str:
        """The log format in force: the one asked for, else text in dev mode and JSON otherwise."""
        if self.log_format is not None:
            return self.log_format
        return "text" if self.dev else "json"

    @property
    def cors_origin_list(self) -> tuple[str, ...]:
        return tuple(o.strip() for o in self.cors_origins.split(",") if o.strip())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings in ``env`` (default: ``os.environ``); ``SettingsError`` when a value is bad."""
        source = _MappingSource(Environment, os.environ if env is None else env)
        try:
            # pydantic-settings' documented way to build from given sources; its dataclass
            # transform shows mypy the fields only.
            read = Environment(_build_sources=((source,), {}))  # type: ignore[call-arg]
        except ValidationError as exc:
            raise SettingsError("; ".join(_describe(e) for e in exc.errors())) from None
        values: dict[str, Any] = read.model_dump()
        return cls(**values)
