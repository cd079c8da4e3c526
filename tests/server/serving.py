"""Real ``salesgraph serve`` processes for tests: a free port, started, ready, stopped."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.server.cli_process import salesgraph


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(
    args: list[str], env: dict[str, str], log: Path, *, ready: str = "/healthz", wait_seconds: float = 120
) -> Iterator[str]:
    """``salesgraph serve ARGS`` on a free port, its output in ``log``; yields its base URL once
    ``ready`` answers 200, and stops it with SIGTERM (killed after 30 s) at the end."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [salesgraph(), "serve", *args, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, f"{base}{ready}", log, wait_seconds)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, wait_seconds: float) -> None:
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"salesgraph serve exited early:\n{log.read_text()}"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not 200 after {wait_seconds:g} s:\n{log.read_text()}")
