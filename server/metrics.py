"""Prometheus metrics (api.md §7.7) with prometheus-client, and ``GET /metrics``.

Every series is prefixed ``salesgraph_``. The metric objects are the process's (prometheus-client's
own model: one per process, updated from anywhere); what a request adds is recorded once, by
:func:`observe_request`, when the endpoint has its answer.

**Several workers.** ``salesgraph serve --workers N`` (N > 1) sets ``PROMETHEUS_MULTIPROC_DIR`` to a
fresh directory before the workers start (and removes it when they are gone): prometheus-client
then keeps each worker's values in files there, and a scrape, answered by whichever worker the
connection lands on, reads them all (:class:`prometheus_client.multiprocess.MultiProcessCollector`):
counters and histograms summed over every worker that ever ran, gauges over the live ones
(``livesum``) or the latest value written (``livemostrecent``). A worker marks itself dead when it
stops, and one starting clears what workers that died without doing so left behind.

**Labels are bounded.** An operation name is a client's string: it becomes a label value only if it
is a GraphQL name of an operation that ran, and only the first :data:`MAX_OPERATION_LABELS` distinct
names (per process) are kept; every other one counts as ``other``. Error codes are the server's own
(``[A-Z_]`` words) and bounded the same way.
"""

from __future__ import annotations

import glob
import hmac
import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    # Only the type: the CLI imports this module, and server.answer brings in the whole schema.
    from server.answer import Trace

#: The variable prometheus-client reads (when it is imported) to keep values in files.
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
#: Distinct operation names (per process) that get a label of their own.
MAX_OPERATION_LABELS = 100
#: Distinct error codes (per process) that get a label of their own.
MAX_CODE_LABELS = 50
OTHER = "other"
ANONYMOUS = "anonymous"
#: What a request that ran no operation (refused before, or not a GraphQL request) is labelled.
NONE = "none"
_CODE = re.compile(r"[A-Z][A-Z_]{0,63}")

# A query costs 1 (one object) to MAX_QUERY_COST (25,000 by default).
_COST_BUCKETS = (1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 100_000)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "salesgraph_requests",
    "GraphQL HTTP requests answered, by operation name and HTTP status.",
    ["operation", "status"],
)
LATENCY = Histogram(
    "salesgraph_request_duration_seconds",
    "Time from a GraphQL request's arrival to its answer, by operation name.",
    ["operation"],
    buckets=_LATENCY_BUCKETS,
)
COST = Histogram(
    "salesgraph_query_cost",
    "Query cost points of the operations that ran: requested (planned, reserved) and actual (returned).",
    ["kind"],
    buckets=_COST_BUCKETS,
)
THROTTLED = Counter(
    "salesgraph_throttled_requests", "Requests refused 429 THROTTLED: the key's cost bucket was short."
)
ERRORS = Counter(
    "salesgraph_errors",
    "Errors answered, by code (refusals and top-level GraphQL errors; userErrors are data, not counted).",
    ["code"],
)
POOL_IN_USE = Gauge(
    "salesgraph_db_pool_in_use",
    "Database connections checked out of the pool.",
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "salesgraph_db_pool_waiting",
    "Checkouts waiting for a database connection (for a free one, or for a new one to connect).",
    multiprocess_mode="livesum",
)
SUBSCRIPTIONS_OPEN = Gauge(
    "salesgraph_subscriptions_open", "GraphQL subscriptions open.", multiprocess_mode="livesum"
)
WORKER_REQUESTS = Gauge(
    "salesgraph_worker_requests",
    "GraphQL requests answered by this worker since it started (one sample per live worker, by pid).",
    multiprocess_mode="liveall",
)
EVENTS_UNDELIVERED = Gauge(
    "salesgraph_events_undelivered",
    "Outbox events not yet delivered to every webhook endpoint (the latest count a process saw).",
    multiprocess_mode="livemostrecent",
)


class BoundedLabel:
    """Label values for a client-influenced dimension: the first ``limit`` distinct values seen,
    then :data:`OTHER` for every new one (a client cannot grow the series without bound)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: set[str] = set()

    def __call__(self, value: str) -> str:
        if value in self._kept:
            return value
        if len(self._kept) >= self.limit:
            return OTHER
        self._kept.add(value)
        return value


_operations = BoundedLabel(MAX_OPERATION_LABELS)
_codes = BoundedLabel(MAX_CODE_LABELS)


def operation_label(trace: Trace) -> str:
    """The operation label of a request: its operation's name once the operation ran (a
    validated document named it), bounded; ``anonymous`` for an unnamed one; ``none`` otherwise."""
    if not trace.ran:
        return NONE
    if trace.operation is None:
        return ANONYMOUS
    # An operation that ran was planned (``Trace.planned``): its name is the validated document's.
    return _operations(trace.operation)


def code_label(code: str) -> str:
    return _codes(code) if _CODE.fullmatch(code) else OTHER


def observe_request(status: int, trace: Trace, seconds: float) -> None:
    """Count one answered GraphQL request."""
    operation = operation_label(trace)
    REQUESTS.labels(operation, str(status)).inc()
    WORKER_REQUESTS.inc()
    LATENCY.labels(operation).observe(seconds)
    if trace.ran and trace.cost is not None:
        COST.labels("requested").observe(trace.cost)
        if trace.actual is not None:
            COST.labels("actual").observe(trace.actual)
    if status == 429:
        THROTTLED.inc()
    for code in trace.errors:
        ERRORS.labels(code_label(code)).inc()


def subscription_opened() -> None:
    """One more subscription open (the subscriptions call it when one starts)."""
    SUBSCRIPTIONS_OPEN.inc()


def subscription_closed() -> None:
    """One subscription fewer (the subscriptions call it when one ends, however it ends)."""
    SUBSCRIPTIONS_OPEN.dec()


def set_events_undelivered(count: int) -> None:
    """The outbox's backlog as last counted (the webhook worker sets it)."""
    EVENTS_UNDELIVERED.set(count)


class MeteredPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's pool for asyncio engines, counting its connections in use and the checkouts
    waiting for one (the pool's events say when a checkout got its connection, not when it began
    to wait; and they cannot be listened to on an asyncio pool class)."""

    def _do_get(self) -> ConnectionPoolEntry:
        POOL_WAITING.inc()
        try:
            record = super()._do_get()
        finally:
            POOL_WAITING.dec()
        POOL_IN_USE.inc()
        return record

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        # Every checkout comes back here, also one whose connection was invalidated while out.
        POOL_IN_USE.dec()
        super()._do_return_conn(record)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_DIR) or None


def worker_started() -> None:
    """In multiprocess mode: forget the live gauges of workers that died without saying so (a
    killed worker that uvicorn replaced), so that ``livesum`` counts live workers only."""
    directory = multiprocess_dir()
    if directory is None:
        return
    for pid in _pids_with_live_gauges(directory):
        if pid != os.getpid() and not _alive(pid):
            prometheus_multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]


def worker_stopped() -> None:
    """In multiprocess mode: this worker's live gauges stop counting."""
    directory = multiprocess_dir()
    if directory is not None:
        prometheus_multiprocess.mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]


def _pids_with_live_gauges(directory: str) -> Iterable[int]:
    pids = set()
    for path in glob.glob(os.path.join(directory, "gauge_live*_*.db")):
        stem = os.path.basename(path)[: -len(".db")]
        pid = stem.rsplit("_", 1)[-1]
        if pid.isdigit():
            pids.add(int(pid))
    return pids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exposition() -> bytes:
    """The Prometheus text of every series: this process's, or every worker's in multiprocess mode."""
    directory = multiprocess_dir()
    if directory is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def metrics_endpoint(token: str | None) -> Any:
    """``GET /metrics``; with ``token``, only for ``Authorization: Bearer <token>``."""
    expected = None if token is None else f"Bearer {token}".encode()

    async def metrics(request: Request) -> Response:
        if expected is not None:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return Response(
                    "metrics need the scrape token (SALESGRAPH_METRICS_TOKEN)\n",
                    401,
                    {"WWW-Authenticate": "Bearer"},
                    media_type="text/plain",
                )
        return Response(exposition(), 200, media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return metrics
