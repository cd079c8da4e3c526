"""api.md §7.7: with OpenTelemetry configured, a request yields its request span, its operation
span and one span per SQL statement, each with the request id; nothing when it is not configured."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

pytest.importorskip("opentelemetry.sdk", reason="the otel extra: pip install -e '.[otel]'")

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strawberry.extensions.tracing import OpenTelemetryExtension

from graph.schema import schema
from server import tracing
from server.app import create_app
from tests.conftest import TestDatabase
from tests.server.cli_process import cli_env
from tests.server.serving import serving
from tests.support.api import settings

QUERY = "query Zone($secret: String!) { setup { timeZone } contact(no: $secret) { no } }"
SECRET = "variable-value-not-in-spans"


@pytest.fixture
def exporter() -> Iterator[tuple[InMemorySpanExporter, tracing.Tracing]]:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    installed = tracing.install(provider)
    yield spans, installed
    installed.uninstall()
    provider.shutdown()


@pytest.fixture(params=["compiled", "resolvers"])
async def traced(
    request: pytest.FixtureRequest,
    database: TestDatabase,
    exporter: tuple[InMemorySpanExporter, tracing.Tracing],
) -> AsyncIterator[tuple[httpx.AsyncClient, InMemorySpanExporter, str]]:
    spans, installed = exporter
    path: str = request.param
    app = create_app(
        database.engine,
        dev=True,
        sessions=database.sessions,
        settings=settings(compile_reads=path == "compiled"),
        tracing=installed,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c, spans, path


def _attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


async def test_one_request_yields_request_operation_and_sql_spans_with_its_request_id(
    traced: tuple[httpx.AsyncClient, InMemorySpanExporter, str],
) -> None:
    client, spans, path = traced

    response = await client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"secret": SECRET}},
        headers={"x-request-id": "req-traced"},
    )

    assert response.status_code == 200, response.text
    assert response.headers["x-salesgraph-plan"] == path
    finished = spans.get_finished_spans()
    by_name = {span.name: span for span in finished}
    request_span = by_name["POST /graphql"]
    assert _attributes(request_span)["http.response.status_code"] == 200
    operation = by_name["GraphQL Query: Zone"]
    sql = [
        span
        for span in finished
        if "db.statement" in _attributes(span) or "db.query.text" in _attributes(span)
    ]
    assert sql, [span.name for span in finished]
    for span in [request_span, operation, *sql]:
        assert _attributes(span)[tracing.REQUEST_ID_ATTRIBUTE] == "req-traced", span.name
        assert span.context.trace_id == request_span.context.trace_id, span.name
    assert all(SECRET not in str(_attributes(span)) for span in finished)


def test_uninstalled_tracing_leaves_no_strawberry_extension(
    exporter: tuple[InMemorySpanExporter, tracing.Tracing],
) -> None:
    _, installed = exporter

    assert any(issubclass(e, OpenTelemetryExtension) for e in schema.extensions if isinstance(e, type))
    installed.uninstall()
    assert not any(issubclass(e, OpenTelemetryExtension) for e in schema.extensions if isinstance(e, type))


def test_tracing_is_off_unless_the_otlp_endpoint_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(tracing.ENDPOINT_VARIABLE, raising=False)
    monkeypatch.setattr(tracing, "_from_env", None)

    assert tracing.from_environment() is tracing.NO_TRACING


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver: keeps the spans of each ``POST /v1/traces``."""

    spans: ClassVar[list[Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/v1/traces":
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            for resource_spans in request.resource_spans:
                for scope_spans in resource_spans.scope_spans:
                    self.spans.extend(scope_spans.spans)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[Any]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.spans = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Collector.spans
    server.shutdown()
    server.server_close()


def _string_attributes(span: Any) -> dict[str, str]:
    return {a.key: a.value.string_value for a in span.attributes}


@pytest.mark.own_database
def test_serve_exports_spans_over_otlp_when_the_endpoint_is_set(
    db_url: str, collector: tuple[str, list[Any]], tmp_path: Path
) -> None:
    endpoint, received = collector
    env = cli_env(DATABASE_URL=db_url, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_BSP_SCHEDULE_DELAY="100")
    # --dev: the loopback caller needs no key, so the query runs (compiled: one SQL statement).
    with serving(["--dev"], env, tmp_path / "serve.log", ready="/readyz") as base:
        response = httpx.post(
            f"{base}/graphql",
            json={"query": "query Zone { setup { timeZone } }"},
            headers={"x-request-id": "req-otlp"},
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            mine = [
                s
                for s in list(received)
                if _string_attributes(s).get(tracing.REQUEST_ID_ATTRIBUTE) == "req-otlp"
            ]
            if any(s.name == "POST /graphql" for s in mine):
                break
            time.sleep(0.1)

    assert response.status_code == 200, response.text
    names = {span.name for span in mine}
    assert {"POST /graphql", "GraphQL Query: Zone"} <= names, names
    statements = [
        s for s in mine if "db.statement" in _string_attributes(s) or "db.query.text" in _string_attributes(s)
    ]
    assert statements, names
    assert len({span.trace_id for span in mine}) == 1
