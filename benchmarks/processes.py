"""The benchmark's database and server processes: seeded once and reused, started as a user would.

- ``prepare_database``: a database of the given name is reused when it is complete (migrated, and
  holding the ``1000 × scale`` opportunities the demo seed writes in one transaction, so a
  database with them is whole); otherwise it is (re)created, migrated and seeded with
  ``salesgraph seed --demo --scale N --migrate``, and the time that took is returned.
- ``create_key``: ``salesgraph keys create`` (an ``ADMIN`` key: the stage move writes).
- ``salesgraph_server``: ``salesgraph serve`` in production mode (``DATABASE_URL``, no ``--dev``,
  one worker) on a free port, with a cost bucket nothing can empty; ``SALESGRAPH_COMPILE_READS``
  passes through from this process's environment.
- ``limit_server``: ``uvicorn --factory benchmarks.limit_app:app_from_env``, one worker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
#: A bucket no benchmark can empty, refilled faster than any benchmark spends: never a 429.
UNTHROTTLED = str(10**12)


def bin_path(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def with_database(server: str, database: str) -> str:
    base, _, _ = server.rpartition("/")
    return f"{base}/{database}"


async def _complete(url: str, scale: int) -> bool:
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        return False
    try:
        if await conn.fetchval("SELECT to_regclass('opportunity')") is None:
            return False
        count: int = await conn.fetchval("SELECT count(*) FROM opportunity")
        return count == 1000 * scale
    finally:
        await conn.close()


async def prepare_database(server: str, database: str, scale: int) -> float | None:
    """The benchmark database, reused or seeded; the seconds seeding took, ``None`` if reused."""
    url = with_database(server, database)
    if await _complete(url, scale):
        env = {**_clean_env(), "DATABASE_URL": url}
        _run([bin_path("salesgraph"), "migrate"], env)
        return None
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    started = time.monotonic()
    seed = [bin_path("salesgraph"), "seed", "--demo", "--scale", str(scale), "--migrate"]
    _run(seed, {**_clean_env(), "DATABASE_URL": url})
    return time.monotonic() - started


def _run(argv: list[str], env: dict[str, str]) -> None:
    """A salesgraph command to its end (the benchmark waits for it: nothing else runs meanwhile)."""
    subprocess.run(argv, env=env, check=True, capture_output=True)


def _clean_env() -> dict[str, str]:
    """This environment without salesgraph's variables, except ``SALESGRAPH_COMPILE_READS``."""
    return {
        k: v
        for k, v in os.environ.items()
        if k != "DATABASE_URL" and (not k.startswith("SALESGRAPH_") or k == "SALESGRAPH_COMPILE_READS")
    }


def create_key(url: str, name: str) -> str:
    done = subprocess.run(
        [bin_path("salesgraph"), "keys", "create", "--name", name, "--role", "ADMIN"],
        env={**_clean_env(), "DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    headers: dict[str, str]
    pid: int

    def rss_mb(self) -> float:
        """Resident set size of the server process (and its children, if any), in MB."""
        pids = [self.pid, *_children(self.pid)]
        total = 0
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    def cpu_seconds(self) -> float:
        total = 0.0
        for pid in [self.pid, *_children(self.pid)]:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def wait_idle(self, timeout: float = 600) -> None:
        """Until the server stops working on what a finished run left it (requests wrk gave up
        waiting for keep running): under 2 % of a core for half a second."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            time.sleep(0.5)
            if self.cpu_seconds() - before < 0.01:
                return
        raise RuntimeError(f"{self.name} still busy after {timeout:g} s")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            found += [int(child), *_children(int(child))]
    return found


@contextmanager
def _process(
    name: str, argv: list[str], env: dict[str, str], port: int, headers: dict[str, str], log: Path, ready: str
) -> Iterator[Server]:
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=out, stdin=subprocess.DEVNULL, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}{ready}", timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready after 120 s:\n{log.read_text()}")
            time.sleep(0.2)
        yield Server(name, f"{base}/graphql", headers, proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def salesgraph_server(url: str, key: str, log: Path) -> Iterator[Server]:
    port = free_port()
    env = {
        **_clean_env(),
        "DATABASE_URL": url,
        "SALESGRAPH_COST_BUCKET": UNTHROTTLED,
        "SALESGRAPH_COST_RESTORE_RATE": UNTHROTTLED,
        "SALESGRAPH_LOG_LEVEL": "WARNING",
        # A request waits as long as it must, as the limit's do: a 32-connection nested run on the
        # resolver path queues for longer than the 30 s and 5 s defaults (which would answer 503).
        "SALESGRAPH_REQUEST_TIMEOUT": "3600",
        "SALESGRAPH_POOL_TIMEOUT_MS": "3600000",
    }
    argv = [bin_path("salesgraph"), "serve", "--port", str(port), "--workers", "1"]
    headers = {"Authorization": f"Bearer {key}"}
    with _process("salesgraph", argv, env, port, headers, log, "/healthz") as server:
        yield server


@contextmanager
def limit_server(url: str, log: Path) -> Iterator[Server]:
    port = free_port()
    env = {**_clean_env(), "LIMIT_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    argv = [
        bin_path("uvicorn"),
        "--factory",
        "benchmarks.limit_app:app_from_env",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with _process("limit", argv, env, port, {}, log, "/graphql") as server:
        yield server
