"""Settings from the environment (server/settings.py): defaults, parsing, and one line per bad value."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path

import pytest

from server.asgi import app_factory
from server.engine import async_url
from server.settings import Settings, SettingsError
from tests.server.cli_process import cli_env


def test_an_empty_environment_gives_the_defaults() -> None:
    settings = Settings.from_env({})

    assert settings == Settings(
        database_url=None,
        data_dir=Path.cwd() / ".salesgraph",
        pool_size=10,
        max_overflow=0,
        statement_timeout_ms=15_000,
        log_level="INFO",
        connect_timeout_ms=10_000,
        dev=False,
    )


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgres://u:p@db.example:6543/sales",
            "SALESGRAPH_DATA_DIR": "/var/lib/salesgraph",
            "SALESGRAPH_POOL_SIZE": "3",
            "SALESGRAPH_MAX_OVERFLOW": "4",
            "SALESGRAPH_STATEMENT_TIMEOUT_MS": "1",
            "SALESGRAPH_CONNECT_TIMEOUT_MS": "2500",
            "SALESGRAPH_LOG_LEVEL": "debug",
            "SALESGRAPH_DEV": "1",
        }
    )

    assert settings == Settings(
        database_url="postgres://u:p@db.example:6543/sales",
        data_dir=Path("/var/lib/salesgraph"),
        pool_size=3,
        max_overflow=4,
        statement_timeout_ms=1,
        log_level="DEBUG",
        connect_timeout_ms=2500,
        dev=True,
    )


def test_an_empty_variable_counts_as_unset() -> None:
    names = [
        "DATABASE_URL",
        "SALESGRAPH_DATA_DIR",
        "SALESGRAPH_POOL_SIZE",
        "SALESGRAPH_LOG_LEVEL",
        "SALESGRAPH_DEV",
    ]

    assert Settings.from_env(dict.fromkeys(names, "")) == Settings.from_env({})


def test_names_are_case_sensitive_like_the_environment() -> None:
    assert Settings.from_env({"salesgraph_pool_size": "0"}).pool_size == 10


def test_settings_stay_a_plain_value_that_replace_derives_from() -> None:
    settings = dataclasses.replace(Settings.from_env({}), pool_size=30, max_overflow=0)

    assert (settings.pool_size, settings.max_overflow) == (30, 0)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SALESGRAPH_POOL_SIZE": "0"}, "SALESGRAPH_POOL_SIZE must be 1 or more, not '0'"),
        ({"SALESGRAPH_POOL_SIZE": "ten"}, "SALESGRAPH_POOL_SIZE must be a whole number, not 'ten'"),
        ({"SALESGRAPH_POOL_SIZE": "2.5"}, "SALESGRAPH_POOL_SIZE must be a whole number, not '2.5'"),
        ({"SALESGRAPH_MAX_OVERFLOW": "-1"}, "SALESGRAPH_MAX_OVERFLOW must be 0 or more, not '-1'"),
        (
            {"SALESGRAPH_STATEMENT_TIMEOUT_MS": "0"},
            "SALESGRAPH_STATEMENT_TIMEOUT_MS must be 1 or more, not '0'",
        ),
        (
            {"SALESGRAPH_STATEMENT_TIMEOUT_MS": "2147483648"},
            "SALESGRAPH_STATEMENT_TIMEOUT_MS must be 2147483647 or less, not '2147483648'",
        ),
        (
            {"SALESGRAPH_CONNECT_TIMEOUT_MS": "soon"},
            "SALESGRAPH_CONNECT_TIMEOUT_MS must be a whole number, not 'soon'",
        ),
        (
            {"SALESGRAPH_LOG_LEVEL": "LOUD"},
            "SALESGRAPH_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'",
        ),
        (
            {"SALESGRAPH_DEV": "maybe"},
            "SALESGRAPH_DEV must be 1 or 0 (or true/false, yes/no, on/off), not 'maybe'",
        ),
        ({"DATABASE_URL": "postgresql://x:y@h:notaport/db"}, "DATABASE_URL has a port that is not a number"),
        ({"DATABASE_URL": "postgresql://x:y@h:70000/db"}, "DATABASE_URL has port 70000, outside 1-65535"),
        (
            {"DATABASE_URL": "mysql://x:y@h/db"},
            "DATABASE_URL must be a PostgreSQL URL (postgresql://…), not mysql://…",
        ),
        (
            {"DATABASE_URL": "localhost:5432"},
            "DATABASE_URL is not a URL (postgresql://user:password@host:port/database)",
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable_and_why(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env)

    assert str(raised.value) == message


def test_several_bad_values_are_named_in_the_one_line() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"SALESGRAPH_POOL_SIZE": "0", "SALESGRAPH_LOG_LEVEL": "LOUD"})

    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("SALESGRAPH_POOL_SIZE must be 1 or more, not '0'; SALESGRAPH_LOG_LEVEL must be")


def test_a_bad_database_url_never_shows_its_password() -> None:
    for url in ["postgresql://user:s3cret@h:notaport/db", "mysql://user:s3cret@h/db"]:
        with pytest.raises(SettingsError) as raised:
            Settings.from_env({"DATABASE_URL": url})
        assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:p@h:5432/db",
        "postgres://u:p@h:5432/db",
        "postgresql+asyncpg://u:p@h:5432/db",
        "postgresql+psycopg://u:p@h:5432/db",
    ],
)
def test_every_postgresql_url_form_becomes_the_asyncpg_one(url: str) -> None:
    assert async_url(url) == "postgresql+asyncpg://u:p@h:5432/db"


def test_async_url_names_the_variable_when_a_url_is_not_postgresql() -> None:
    with pytest.raises(ValueError, match=r"^DATABASE_URL must be a PostgreSQL URL"):
        async_url("sqlite:///x.db")


def test_the_asgi_factory_stops_on_a_bad_value_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    monkeypatch.setenv("SALESGRAPH_POOL_SIZE", "0")

    with pytest.raises(SystemExit) as exited:
        app_factory()

    assert exited.value.code == 2
    assert capsys.readouterr().err == "salesgraph: error: SALESGRAPH_POOL_SIZE must be 1 or more, not '0'\n"


async def test_uvicorn_with_the_factory_exits_on_a_bad_value_with_one_line() -> None:
    # Given the factory as an operator would start it, with a bad pool size
    env = cli_env(DATABASE_URL="postgresql://postgres@127.0.0.1:5432/postgres", SALESGRAPH_POOL_SIZE="0")
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "uvicorn", "server.asgi:app_factory", "--factory", "--port", "0"),
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)

    # Then it stops before serving, with the line and no traceback
    assert proc.returncode == 2, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert (
        "salesgraph: error: SALESGRAPH_POOL_SIZE must be 1 or more, not '0'" in stderr.decode().splitlines()
    )
