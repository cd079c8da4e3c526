"""A real local HTTP endpoint for webhook tests: ``http.server`` in a thread on a free port, which
records every POST and answers 500 to the first ``failures`` of them."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson


@dataclass
class Received:
    signature: str
    body: bytes
    status: int

    @property
    def event(self) -> dict[str, Any]:
        event: dict[str, Any] = orjson.loads(self.body)
        return event


@dataclass
class Receiver:
    url: str
    failures: int
    delay_seconds: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    received: list[Received] = field(default_factory=list)

    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.status == 200]

    def wait_for(self, count: int, seconds: float = 60) -> list[Received]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(self.accepted()) >= count:
                time.sleep(1.5)  # anything more (a duplicate) would come now
                return self.accepted()
            time.sleep(0.1)
        raise AssertionError(f"{len(self.accepted())} of {count} deliveries after {seconds:g} s")


def verifies(secret: str, received: Received, *, tolerance_seconds: int = 300) -> bool:
    """The receiver's check, as the README shows it."""
    parts = dict(p.split("=", 1) for p in received.signature.split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body, hashlib.sha256).hexdigest()
    return abs(time.time() - timestamp) <= tolerance_seconds and hmac.compare_digest(expected, parts["v1"])


@contextmanager
def receiving(*, failures: int = 0, delay_seconds: float = 0.0) -> Iterator[Receiver]:
    receiver = Receiver("", failures, delay_seconds)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            time.sleep(receiver.delay_seconds)
            with receiver.lock:
                status = 500 if len(receiver.received) < receiver.failures else 200
                receiver.received.append(Received(self.headers.get("Salesgraph-Signature", ""), body, status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
