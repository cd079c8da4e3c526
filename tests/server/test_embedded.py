"""The embedded PostgreSQL and the ``salesgraph`` command, end to end."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from server.embedded import EmbeddedPostgres, EmbeddedPostgresError
from server.engine import create_engine
from server.migrate import is_at_head, upgrade
from tests.server.serving import free_port
from tests.support.pg import admin_execute, drop_database, unique_name, with_database

# Servers, processes and databases of their own: the embedded PostgreSQL, the CLI, migrations.
pytestmark = pytest.mark.own_database

REPO = Path(__file__).parents[2]
QUERIES = REPO / "tests" / "queries"
# The canonical workloads, of which tests/queries holds copies.
SHARED_QUERIES = REPO.parent / "shared" / "bench"


def read_query(name: str) -> str:
    """A canonical workload, from the copy in tests/queries (else from ../shared/bench)."""
    copy = QUERIES / name
    return (copy if copy.exists() else SHARED_QUERIES / name).read_text(encoding="utf-8")


def salesgraph() -> str:
    script = Path(sys.executable).parent / "salesgraph"
    assert script.exists(), "the salesgraph command is not installed: pip install -e '.[test]'"
    return str(script)


def cli_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SALESGRAPH_DATA_DIR")}
    env.update(overrides)
    return env


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (ProcessLookupError, FileNotFoundError):
        return False
    # An exited process nobody has reaped (containers often lack an init that reaps) is a zombie.
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def exited(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split()[0])


@pytest.fixture(autouse=True)
def delete_relocated_clusters(tmp_path: Path) -> Iterator[None]:
    """As root, a cluster whose data dir the pgserver user cannot reach (tmp_path is 0700) lives in
    /var/lib/salesgraph, linked from the data dir (server/embedded.py): delete those too."""
    yield
    for link in tmp_path.rglob("pgdata"):
        if link.is_symlink():
            EmbeddedPostgres(link.parent).delete()


async def test_embedded_postgres_keeps_its_data_across_restarts(tmp_path: Path) -> None:
    # Long enough that <data dir>/pgdata/.s.PGSQL.5432 passes the ~107-byte socket path limit.
    data_dir = tmp_path / ("d" * 100)
    embedded = EmbeddedPostgres(data_dir)
    try:
        engine = create_engine(embedded.start())
        try:
            await upgrade(engine)
            assert await is_at_head(engine)
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE kept (v text)"))
                await conn.execute(text("INSERT INTO kept VALUES ('still here')"))
        finally:
            await engine.dispose()
        embedded.stop()
        assert not (embedded.pgdata / "postmaster.pid").exists()

        engine = create_engine(embedded.start())
        try:
            assert await is_at_head(engine)
            async with engine.connect() as conn:
                assert await conn.scalar(text("SELECT v FROM kept")) == "still here"
        finally:
            await engine.dispose()
    finally:
        embedded.stop()
        embedded.stop()
    assert not (embedded.pgdata / "postmaster.pid").exists()


def test_embedded_postgres_stops_after_a_user_that_was_killed(tmp_path: Path) -> None:
    # Given a process that started the server and died without stopping it
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal, sys; from server.embedded import EmbeddedPostgres; "
            "EmbeddedPostgres(sys.argv[1]).start(); os.kill(os.getpid(), signal.SIGKILL)",
            str(tmp_path),
        ],
        cwd=REPO,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    embedded = EmbeddedPostgres(tmp_path)
    assert pid_alive(postmaster_pid(embedded.pgdata))

    # When the next user starts and stops it
    embedded.start()
    embedded.stop()

    # Then the server is stopped
    assert not (embedded.pgdata / "postmaster.pid").exists()


def test_embedded_postgres_refuses_a_data_dir_with_spaces(tmp_path: Path) -> None:
    embedded = EmbeddedPostgres(tmp_path / "with space")
    with pytest.raises(EmbeddedPostgresError, match="path with spaces"):
        embedded.start()
    embedded.stop()


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"salesgraph serve exited early:\n{log.read_text()}"
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"/readyz not 200 after {timeout} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> int | None:
    """SIGTERM, and the exit code if the process ended within 30 s (then killed)."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def test_serve_answers_on_embedded_postgres_and_stops_it_on_sigterm(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    pgdata = data_dir / "pgdata"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = cli_env(SALESGRAPH_DATA_DIR=str(data_dir))
    command = [salesgraph(), "serve", "--dev", "--demo", "--port", str(port)]

    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=out, stderr=out)
        try:
            _wait_ready(proc, base_url, log, timeout=120)
            server_pid = postmaster_pid(pgdata)
            with httpx.Client(base_url=base_url, timeout=60) as http:
                nested = http.post("/graphql", json={"query": read_query("nested.graphql")})
                graphiql = http.get("/graphql", headers={"Accept": "text/html"})
        finally:
            exit_code = _stop(proc)

    assert nested.status_code == 200, nested.text
    body: dict[str, Any] = nested.json()
    assert "errors" not in body, body["errors"]
    contacts = body["data"]["contacts"]["nodes"]
    assert len(contacts) == 50
    opportunities = [o for c in contacts for o in c["opportunities"]["nodes"]]
    assert opportunities
    for opportunity in opportunities:
        assert opportunity["salesperson"]["code"]
        assert opportunity["salesCycle"]["code"]
        assert opportunity["salesCycle"]["stages"]

    assert graphiql.status_code == 200
    assert graphiql.headers["content-type"].startswith("text/html")
    assert "graphiql" in graphiql.text.lower()

    assert exit_code == 0, log.read_text()
    assert not (pgdata / "postmaster.pid").exists(), log.read_text()
    assert exited(server_pid, timeout=5)

    # The demo data stayed in the data directory: seeding again is refused, and the server stopped.
    seed = subprocess.run(
        [salesgraph(), "seed", "--demo"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert seed.returncode == 1, seed.stderr
    assert "empty database" in seed.stderr
    assert not (pgdata / "postmaster.pid").exists()


async def _run_cli(*args: str, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        salesgraph(),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, output.decode()


async def test_serve_refuses_a_database_url_behind_the_migrations_until_migrated(
    pg_url: str,
) -> None:
    name = unique_name("sg_cli")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}"')
    try:
        url = with_database(pg_url, name)
        env = cli_env(DATABASE_URL=url)

        code, output = await _run_cli("serve", "--port", str(free_port()), env=env)
        assert code == 1, output
        assert "not at the migration head" in output

        code, output = await _run_cli("migrate", env=env)
        assert code == 0, output
        engine = create_engine(url)
        try:
            assert await is_at_head(engine)
        finally:
            await engine.dispose()
    finally:
        await drop_database(pg_url, name)


def test_schema_graphql_is_what_the_code_exports() -> None:
    exported = subprocess.run(
        [salesgraph(), "export-schema", "--output", "-"],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr
    committed = (REPO / "schema.graphql").read_text(encoding="utf-8")
    assert exported.stdout == committed, (
        "schema.graphql differs from the code: run `salesgraph export-schema` and review the diff"
    )


def test_query_copies_match_the_canonical_workloads() -> None:
    for copy in sorted(QUERIES.glob("*.graphql")):
        canonical = SHARED_QUERIES / copy.name
        if canonical.exists():
            assert copy.read_text() == canonical.read_text(), f"tests/queries/{copy.name} is stale"
