"""Connections that send no complete request within ``SALESGRAPH_IDLE_TIMEOUT`` are closed.

Against a real ``salesgraph serve`` (two workers, so the protocol reaches spawned processes too),
over raw sockets, as an attacker holding connections open would use it; and, in process, each of
uvicorn's HTTP protocols with the idle timer.
"""

from __future__ import annotations

import asyncio
import json
import resource
import select
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from uvicorn.server import ServerState
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from server.protocol import (
    MAX_CONCURRENCY,
    IdleTimeout,
    IdleTimeoutH11Protocol,
    IdleTimeoutProtocol,
    concurrency_limit,
    configured_idle_timeout,
)
from server.settings import Settings
from tests.server.cli_process import cli_env
from tests.server.serving import serving
from tests.support.pg import admin_execute, drop_database, unique_name, with_database

IDLE_TIMEOUT = 0.5
#: How late a close may come on a busy machine (two cores shared by every test worker).
SLACK = 2.5


@pytest.fixture(scope="module")
async def server_db(pg_url: str, template_db: str) -> AsyncIterator[str]:
    name = unique_name("sg_idle")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_database(pg_url, name)
    await drop_database(pg_url, name)


@pytest.fixture(scope="module")
def server(server_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """``salesgraph serve --workers 2`` with a 0.5 s idle timeout; its (host, port)."""
    log = tmp_path_factory.mktemp("idle") / "serve.log"
    env = cli_env(DATABASE_URL=server_db, SALESGRAPH_IDLE_TIMEOUT=str(IDLE_TIMEOUT))
    # --dev: the WebSocket test connects without a key, as the loopback caller.
    with serving(["--dev", "--workers", "2"], env, log) as base:
        yield "127.0.0.1", int(base.rsplit(":", 1)[1])


def _connect(address: tuple[str, int]) -> socket.socket:
    return socket.create_connection(address, timeout=10)


def _read_until_closed(sock: socket.socket, within: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and when it did (monotonic)."""
    sock.settimeout(within)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received, time.monotonic()


def _read_response(sock: socket.socket) -> bytes:
    """One response with a ``content-length`` body."""
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed mid-response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: salesgraph\r\n\r\n"


@pytest.mark.own_database
def test_a_connection_that_sends_nothing_is_closed_after_the_idle_timeout(server: tuple[str, int]) -> None:
    with _connect(server) as sock:
        opened = time.monotonic()

        received, closed = _read_until_closed(sock, within=IDLE_TIMEOUT + SLACK)

    assert received == b""
    assert IDLE_TIMEOUT * 0.8 <= closed - opened <= IDLE_TIMEOUT + SLACK


def _trickle(sock: socket.socket, data: bytes, within: float) -> tuple[bytes, float]:
    """Send ``data`` a byte every 50 ms, as slowloris does, until the server answers or closes."""
    deadline = time.monotonic() + within
    for byte in data:
        readable, _, _ = select.select([sock], [], [], 0.05)
        if readable or time.monotonic() > deadline:
            break
        try:
            sock.send(bytes([byte]))
        except OSError:
            break
    try:
        return _read_until_closed(sock, within=max(0.1, deadline - time.monotonic()))
    except ConnectionResetError:
        return b"", time.monotonic()


# A head that never ends: a request line, then a header whose value goes on and on.
ENDLESS_HEAD = b"GET /healthz HTTP/1.1\r\nHost: salesgraph\r\nX-Slow: " + b"a" * 1000


@pytest.mark.own_database
def test_a_request_head_trickled_slowly_is_closed_with_408(server: tuple[str, int]) -> None:
    with _connect(server) as sock:
        opened = time.monotonic()

        received, closed = _trickle(sock, ENDLESS_HEAD, within=IDLE_TIMEOUT + SLACK)

    assert received.startswith(b"HTTP/1.1 408 "), received
    assert IDLE_TIMEOUT * 0.8 <= closed - opened <= IDLE_TIMEOUT + SLACK


@pytest.mark.own_database
def test_a_keep_alive_connection_serves_requests_then_is_closed_when_idle(server: tuple[str, int]) -> None:
    with _connect(server) as sock:
        sock.sendall(HEALTHZ)
        first = _read_response(sock)
        sock.sendall(HEALTHZ)
        second = _read_response(sock)
        answered = time.monotonic()

        received, closed = _read_until_closed(sock, within=IDLE_TIMEOUT + SLACK)

    assert first.startswith(b"HTTP/1.1 200 ")
    assert second.startswith(b"HTTP/1.1 200 ")
    assert received == b""
    assert IDLE_TIMEOUT * 0.8 <= closed - answered <= IDLE_TIMEOUT + SLACK


@pytest.mark.own_database
def test_a_head_trickled_after_a_response_is_closed_too(server: tuple[str, int]) -> None:
    # uvicorn's own keep-alive timer is cancelled by the first byte and never armed again.
    with _connect(server) as sock:
        sock.sendall(HEALTHZ)
        assert _read_response(sock).startswith(b"HTTP/1.1 200 ")
        answered = time.monotonic()

        received, closed = _trickle(sock, ENDLESS_HEAD, within=IDLE_TIMEOUT + SLACK)

    assert received.startswith(b"HTTP/1.1 408 "), received
    assert closed - answered <= IDLE_TIMEOUT + SLACK


@pytest.mark.own_database
def test_a_fresh_client_is_served_while_idle_connections_are_reaped(server: tuple[str, int]) -> None:
    idle = [_connect(server) for _ in range(200)]
    try:
        opened = time.monotonic()

        response = httpx.get(f"http://{server[0]}:{server[1]}/healthz", timeout=5)

        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        for sock in idle:
            received, closed = _read_until_closed(
                sock, within=max(0.1, opened + IDLE_TIMEOUT + SLACK - time.monotonic())
            )
            assert received == b""
        assert closed - opened <= IDLE_TIMEOUT + SLACK
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.own_database
def test_a_websocket_outlives_the_idle_timeout(server: tuple[str, int]) -> None:
    # Once upgraded, the connection is the WebSocket protocol's: the idle timer leaves it alone.
    url = f"ws://{server[0]}:{server[1]}/graphql"
    with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=10) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        time.sleep(IDLE_TIMEOUT * 3)

        ws.send(json.dumps({"type": "ping"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "pong"


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.mark.parametrize("protocol", sorted({IdleTimeoutProtocol, IdleTimeoutH11Protocol}, key=str))
async def test_each_uvicorn_protocol_closes_idle_connections(
    protocol: type[IdleTimeout], monkeypatch: pytest.MonkeyPatch
) -> None:
    # In process: salesgraph serve runs the httptools one; h11 is what uvicorn falls back to.
    monkeypatch.setenv("SALESGRAPH_IDLE_TIMEOUT", "0.3")
    configured_idle_timeout.cache_clear()
    config = uvicorn.Config(_hello, http=protocol, lifespan="off", log_level="warning")
    config.load()
    loop = asyncio.get_running_loop()
    state = ServerState()
    server = await loop.create_server(lambda: protocol(config, state, {}, loop), "127.0.0.1", 0)  # type: ignore[call-arg]
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(HEALTHZ)
        answer = await asyncio.wait_for(reader.readuntil(b"ok"), 5)
        writer.write(b"GET / HT")
        after_partial = await asyncio.wait_for(reader.read(), 0.3 + SLACK)
        writer.close()

        silent_reader, silent = await asyncio.open_connection("127.0.0.1", port)
        nothing = await asyncio.wait_for(silent_reader.read(), 0.3 + SLACK)
        silent.close()
    finally:
        server.close()
        configured_idle_timeout.cache_clear()

    assert answer.startswith(b"HTTP/1.1 200 ")
    assert after_partial.startswith(b"HTTP/1.1 408 ")
    assert nothing == b""


@pytest.mark.parametrize(("descriptors", "expected"), [(1024, 1024 - 20 - 64), (65536, MAX_CONCURRENCY)])
def test_the_concurrency_limit_keeps_descriptors_for_the_pool_and_the_process(
    descriptors: int, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda _: (descriptors, descriptors))
    settings = Settings.from_env({"SALESGRAPH_POOL_SIZE": "10", "SALESGRAPH_MAX_OVERFLOW": "10"})

    assert concurrency_limit(settings) == expected
