"""uvicorn's HTTP protocol, with every connection bounded while it is idle (``SALESGRAPH_IDLE_TIMEOUT``).

A connection is *idle* from the moment it is accepted, and again from the moment each response is
complete, until the head (request line and headers) of its next request has arrived. Idle for
longer than the timeout, it is closed: silently when it sent nothing (as any server closes an idle
keep-alive connection), after a ``408 Request Timeout`` when it had sent part of a request head
(slowloris: a request line trickled a byte at a time). Once a head is complete the connection is
the request's until its response is: a slow body or a long query is bounded by the request deadline
(``SALESGRAPH_REQUEST_TIMEOUT``), not here. A connection handed to the WebSocket protocol is left to
it (graphql-transport-ws has its own ``connection_init`` timeout).

Hand-written because uvicorn has no such option. Its ``timeout_keep_alive`` is only armed after a
response, so a connection that never sends a request is never timed out (uvicorn issue #160, "Keep
alive timeout should trigger for first request too", closed without a change; PR #1192, closed
unmerged), and every received byte cancels it without re-arming it, so one that trickles a byte
now and then is never timed out either. This timer replaces uvicorn's keep-alive timer (one knob:
between requests too a connection may idle for ``SALESGRAPH_IDLE_TIMEOUT``, uvicorn's
``timeout_keep_alive`` is not used) and is not reset by partial data.

``IdleTimeoutProtocol`` is the subclass of the protocol uvicorn's ``http="auto"`` picks: httptools
where it is installed (always with ``uvicorn[standard]`` on CPython), h11 otherwise. Pass the class
(or ``server.protocol:IdleTimeoutProtocol`` to ``uvicorn --http``). The timeout is read from the
environment, once per process, as ``server.asgi`` reads the app's settings: every worker uvicorn
spawns is a fresh interpreter that inherits the environment, and a module-level class reaches it by
name (a closure or a partial would not pickle, and a ``Config`` subclass would mean copying
``uvicorn.run``).

:func:`concurrency_limit` is what ``salesgraph serve`` passes as uvicorn's ``limit_concurrency``:
past that many open connections (or running requests) in a worker, a new request is answered 503
at once, before it is read, rather than the worker running out of file descriptors (where
``accept()`` fails and every fresh client hangs) or of memory (each request may hold a body of up
to ``SALESGRAPH_MAX_BODY_BYTES``). It is the process's file-descriptor limit less what the database
pool and the process itself need, at most ``MAX_CONCURRENCY``. uvicorn's ``backlog`` (2048, capped
by the kernel's ``somaxconn``) is kept: connections waiting there hold no descriptor of ours.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from functools import cache
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from server.settings import Settings

log = logging.getLogger("salesgraph")

#: Sent before closing a connection that had sent part of a request head, then fell silent.
REQUEST_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 33\r\nconnection: close\r\n\r\nNo complete request head in time."
)
#: Requests (and connections) per worker at most: with bodies of up to 1 MiB, about 1 GiB.
MAX_CONCURRENCY = 1000
#: Descriptors a worker needs besides its clients and its pool: the listening socket, logs,
#: stdio, the event loop's own, imports.
RESERVED_DESCRIPTORS = 64


@cache
def configured_idle_timeout() -> float:
    """``SALESGRAPH_IDLE_TIMEOUT`` of this process, read once."""
    return Settings.from_env().idle_timeout


def concurrency_limit(settings: Settings) -> int:
    """uvicorn's ``limit_concurrency`` for one worker of ``settings`` (see the module docstring)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONCURRENCY
    available = soft - settings.pool_size - settings.max_overflow - RESERVED_DESCRIPTORS
    return max(1, min(MAX_CONCURRENCY, available))


class IdleTimeout(asyncio.Protocol):
    """The idle timer, mixed in before one of uvicorn's HTTP protocols (which provide these)."""

    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    timeout_keep_alive_task: asyncio.TimerHandle | None
    cycle: Any  # each protocol's RequestResponseCycle, None before the first request

    _idle_timer: asyncio.TimerHandle | None = None
    #: Bytes arrived since the timer was armed: the client has started a request head.
    _idle_started_request = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._arm_idle_timer()

    def data_received(self, data: bytes) -> None:
        self._idle_started_request = True
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_idle_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]  # uvicorn's protocols define it
        # uvicorn arms its keep-alive timer when the connection goes idle (no pipelined request
        # started): ours takes its place.
        if self.timeout_keep_alive_task is not None:
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None
            self._arm_idle_timer()

    def _arm_idle_timer(self) -> None:
        self._cancel_idle_timer()
        self._idle_started_request = False
        self._idle_timer = self.loop.call_later(configured_idle_timeout(), self._idle_timed_out)

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _idle_timed_out(self) -> None:
        self._idle_timer = None
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            return  # closed already, or upgraded to a WebSocket
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request head arrived; on_response_complete arms the timer again
        if self._idle_started_request:
            log.debug("closing a connection that sent no complete request head in time")
            self.transport.write(REQUEST_TIMEOUT_RESPONSE)
        self.transport.close()


class IdleTimeoutH11Protocol(IdleTimeout, H11Protocol):
    """uvicorn's h11 protocol with the idle timer."""


IdleTimeoutProtocol: type[asyncio.Protocol]
try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - uvicorn[standard] installs httptools on CPython
    IdleTimeoutProtocol = IdleTimeoutH11Protocol
else:

    class IdleTimeoutHttpToolsProtocol(IdleTimeout, HttpToolsProtocol):
        """uvicorn's httptools protocol with the idle timer."""

    IdleTimeoutProtocol = IdleTimeoutHttpToolsProtocol
