"""api.md §7.7: one JSON line per request (request id, operation, status, duration, cost, key name),
never an API key nor a variable's value; every other record JSON too; text with ``--dev``."""

from __future__ import annotations

import argparse
import io
import json
import logging
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.cli import _log_style
from server.logs import JsonFormatter, logging_config
from server.settings import Settings
from tests.server.cli_process import cli_env, create_key_with_cli, salesgraph
from tests.server.serving import serving
from tests.support.api import bearer
from tests.support.pg import admin_execute, drop_database, unique_name, with_database

SECRET = "hunter2-do-not-log"
QUERY = "query FindContact($no: String!) { contact(no: $no) { no } }"


@pytest.fixture
async def logs_db(pg_url: str, template_db: str) -> AsyncIterator[str]:
    name = unique_name("sg_logs")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_database(pg_url, name)
    await drop_database(pg_url, name)


def _lines(log: Path) -> list[dict[str, Any]]:
    """Every line of the log, each one a JSON object (or the test fails on the one that is not)."""
    parsed = []
    for line in log.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            assert isinstance(record, dict), line
            parsed.append(record)
    return parsed


@pytest.mark.own_database
def test_serve_logs_one_json_line_per_request_without_key_or_variable_values(
    logs_db: str, tmp_path: Path
) -> None:
    key = create_key_with_cli(logs_db, "logged-partner")
    log = tmp_path / "serve.log"
    with serving([], cli_env(DATABASE_URL=logs_db), log, ready="/readyz") as base:
        response = httpx.post(
            f"{base}/graphql",
            json={"query": QUERY, "variables": {"no": SECRET}},
            headers={**bearer(key), "x-request-id": "req-json-1"},
            timeout=10,
        )
        refused = httpx.post(
            f"{base}/graphql",
            json={"query": QUERY, "variables": {"no": SECRET}},
            headers={"Authorization": f"Bearer {key}x", "x-request-id": "req-json-2"},
            timeout=10,
        )
    assert response.status_code == 200, response.text
    assert refused.status_code == 401

    records = _lines(log)  # uvicorn's start-up and shutdown lines are JSON too
    requests = {r["request_id"]: r for r in records if r.get("logger") == "salesgraph.requests"}
    line = requests["req-json-1"]
    assert line["message"] == "request"
    assert line["level"] == "INFO"
    assert line["timestamp"]
    assert line["operation"] == "FindContact"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["cost"]["requested"] >= 1
    assert line["cost"]["actual"] == 0  # no contact has that number: null
    assert line["key"] == "logged-partner"
    assert requests["req-json-2"]["status"] == 401
    assert requests["req-json-2"]["key"] is None
    assert requests["req-json-2"]["errors"] == ["UNAUTHENTICATED"]
    assert any(r.get("logger", "").startswith("uvicorn") for r in records)
    text = log.read_text()
    assert SECRET not in text
    assert key not in text
    assert key[:12] not in text  # not even the key's prefix


def test_an_error_with_a_traceback_is_one_json_line() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("salesgraph.test_logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.exception("unexpected error in request %s", "req-9")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True

    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["level"] == "ERROR"
    assert record["logger"] == "salesgraph.test_logs"
    assert record["message"] == "unexpected error in request req-9"
    assert "Traceback" in record["exc_info"]
    assert "RuntimeError: boom" in record["exc_info"]


def _style(command: str, env: dict[str, str], *, dev: bool = False) -> str:
    return _log_style(argparse.Namespace(command=command, dev=dev), Settings.from_env(env))


def test_json_is_the_default_outside_dev_and_text_in_dev() -> None:
    assert _style("serve", {}) == "json"
    assert _style("serve", {}, dev=True) == "text"
    assert _style("serve", {"SALESGRAPH_DEV": "1"}) == "text"
    assert _style("serve", {"SALESGRAPH_LOG_FORMAT": "text"}) == "text"
    assert _style("serve", {"SALESGRAPH_LOG_FORMAT": "json"}, dev=True) == "json"
    # The one-shot commands are read by a person: text, unless JSON is asked for.
    assert _style("migrate", {}) == "text"
    assert _style("migrate", {"SALESGRAPH_LOG_FORMAT": "json"}) == "json"


def test_the_formats_use_uvicorn_text_or_the_json_formatter() -> None:
    assert logging_config("INFO", "json")["formatters"]["default"]["()"] == "server.logs.JsonFormatter"
    assert logging_config("INFO", "text")["formatters"]["default"]["()"] == "uvicorn.logging.DefaultFormatter"


@pytest.mark.own_database
def test_serve_dev_logs_text_lines(logs_db: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with serving(["--dev"], cli_env(DATABASE_URL=logs_db), log, ready="/readyz") as base:
        response = httpx.post(
            f"{base}/graphql", json={"query": "{ setup { timeZone } }"}, headers={"x-request-id": "req-text"}
        )
    assert response.status_code == 200

    line = next(line for line in log.read_text().splitlines() if "req-text" in line)
    assert "op=- status=200" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_bad_log_format_is_refused() -> None:
    done = subprocess.run(
        [salesgraph(), "export-schema", "--output", "-"],
        env=cli_env(SALESGRAPH_LOG_FORMAT="xml"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "SALESGRAPH_LOG_FORMAT must be json or text, not 'xml'" in done.stderr
