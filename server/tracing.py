"""OpenTelemetry tracing (api.md §7.7): optional, off unless configured.

``pip install -e '.[otel]'`` brings the SDK, the OTLP/HTTP exporter and the SQLAlchemy
instrumentation; with ``OTEL_EXPORTER_OTLP_ENDPOINT`` set, every server process exports (the
exporter reads the standard ``OTEL_*`` variables: headers, timeout, ``OTEL_SERVICE_NAME``):

* a ``POST /graphql`` (or ``GET``) span per request (SERVER kind), with the request id, method,
  path and status;
* the operation: Strawberry's ``OpenTelemetryExtension`` on the resolver path (operation, parse,
  validate and one span per resolver that is not a plain attribute; resolver arguments are *not*
  recorded, they hold variable values), and a ``GraphQL Query`` span of its own on the compiled path,
  which Strawberry does not run;
* one span per SQL statement (``opentelemetry-instrumentation-sqlalchemy`` on the app's engine;
  the statement's text with its ``$n`` placeholders, never the values).

Every span started while a request is answered carries ``salesgraph.request_id``
(:class:`RequestIdProcessor`), so a trace can be found from a log line or an error message.

Without the extra, or without the variable, :data:`NO_TRACING` does nothing and nothing of
OpenTelemetry is imported. Tests pass a ``TracerProvider`` of their own to :func:`install`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span

log = logging.getLogger("salesgraph")

ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT"
REQUEST_ID_ATTRIBUTE = "salesgraph.request_id"

#: The request being answered, for the spans started below it (SQL, resolvers).
_request_id: ContextVar[str | None] = ContextVar("salesgraph_request_id", default=None)


class RequestSpan:
    """What the endpoint may tell the request's span once it has the answer."""

    def finish(self, status: int) -> None:
        """The response's status; nothing without tracing."""


class Tracing:
    """No tracing: every span is a no-op (the default)."""

    enabled = False

    @contextmanager
    def request(self, rid: str, method: str, path: str) -> Iterator[RequestSpan]:
        yield RequestSpan()

    @contextmanager
    def operation(self, name: str | None, kind: str, plan: str) -> Iterator[None]:
        yield

    def instrument(self, engine: AsyncEngine) -> None:
        """Trace ``engine``'s SQL statements."""

    def uninstall(self) -> None:
        """Stop tracing (tests)."""


NO_TRACING = Tracing()


class _OtelRequestSpan(RequestSpan):
    def __init__(self, span: Span) -> None:
        self.span = span

    def finish(self, status: int) -> None:
        from opentelemetry.trace import Status, StatusCode

        self.span.set_attribute("http.response.status_code", status)
        if status >= 500:
            self.span.set_status(Status(StatusCode.ERROR))


class OpenTelemetryTracing(Tracing):
    """Spans to ``provider``'s processors, from the endpoint, Strawberry and SQLAlchemy."""

    enabled = True

    def __init__(self, provider: TracerProvider) -> None:
        from opentelemetry.sdk.trace import SpanProcessor
        from opentelemetry.trace import SpanKind

        class RequestIdProcessor(SpanProcessor):
            """Puts the request id on every span started while a request is answered."""

            def on_start(self, span: Any, parent_context: Any = None) -> None:
                rid = _request_id.get()
                if rid is not None:
                    span.set_attribute(REQUEST_ID_ATTRIBUTE, rid)

        provider.add_span_processor(RequestIdProcessor())
        self.provider = provider
        self.tracer = provider.get_tracer("salesgraph")
        self._server_kind = SpanKind.SERVER
        self._engine_tracers: list[Any] = []
        self._extension = _strawberry_extension(provider)
        _add_schema_extension(self._extension)

    @contextmanager
    def request(self, rid: str, method: str, path: str) -> Iterator[RequestSpan]:
        token = _request_id.set(rid)
        try:
            with self.tracer.start_as_current_span(
                f"{method} {path}",
                kind=self._server_kind,
                attributes={REQUEST_ID_ATTRIBUTE: rid, "http.request.method": method, "url.path": path},
            ) as span:
                yield _OtelRequestSpan(span)
        finally:
            _request_id.reset(token)

    @contextmanager
    def operation(self, name: str | None, kind: str, plan: str) -> Iterator[None]:
        title = f"GraphQL Query: {name}" if name else "GraphQL Query"
        attributes = {"component": "graphql", "graphql.operation.type": kind, "salesgraph.plan": plan}
        if name:
            attributes["graphql.operation.name"] = name
        with self.tracer.start_as_current_span(title, attributes=attributes):
            yield

    def instrument(self, engine: AsyncEngine) -> None:
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
        from opentelemetry.metrics import NoOpMeter

        # The instrumentation's own SQLAlchemyInstrumentor patches create_engine and
        # Engine.connect process-wide, once; its EngineTracer traces just the engine it is given.
        # Connection metrics are Prometheus's business here (server.metrics): a no-op meter.
        usage = NoOpMeter("salesgraph").create_up_down_counter("db.client.connections.usage")
        tracer = self.provider.get_tracer("opentelemetry.instrumentation.sqlalchemy")
        self._engine_tracers.append(EngineTracer(tracer, engine.sync_engine, usage))  # type: ignore[no-untyped-call]

    def uninstall(self) -> None:
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

        _remove_schema_extension(self._extension)
        if self._engine_tracers:
            EngineTracer.remove_all_event_listeners()  # type: ignore[no-untyped-call]
            self._engine_tracers.clear()


def _strawberry_extension(provider: TracerProvider) -> type[Any]:
    from strawberry.extensions.tracing import OpenTelemetryExtension

    class Extension(OpenTelemetryExtension):
        """Strawberry's tracing with this provider, and without resolver arguments (variable values)."""

        def __init__(self, *, execution_context: Any = None) -> None:
            super().__init__(
                execution_context=execution_context,
                arg_filter=lambda _args, _info: {},
                tracer_provider=provider,
            )

    return Extension


def _add_schema_extension(extension: type[Any]) -> None:
    from graph.schema import schema

    # The schema is the process's; so is tracing. Strawberry builds the extension per execution.
    schema.extensions = (*schema.extensions, extension)


def _remove_schema_extension(extension: type[Any]) -> None:
    from graph.schema import schema

    schema.extensions = tuple(e for e in schema.extensions if e is not extension)


def install(provider: TracerProvider) -> OpenTelemetryTracing:
    """Trace to ``provider`` (its processors and exporters are the caller's)."""
    return OpenTelemetryTracing(provider)


_from_env: Tracing | None = None


def from_environment() -> Tracing:
    """The process's tracing: OTLP export when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set and the
    ``otel`` extra is installed, else :data:`NO_TRACING` (with a warning when the variable is set
    but the extra is missing). Built once per process."""
    global _from_env
    if _from_env is not None:
        return _from_env
    _from_env = NO_TRACING
    if not os.environ.get(ENDPOINT_VARIABLE):
        return _from_env
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning(
            "%s is set but OpenTelemetry is not installed (pip install 'salesgraph[otel]'): no tracing",
            ENDPOINT_VARIABLE,
        )
        return _from_env
    # Resource.create reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; what it is given wins.
    named = os.environ.get("OTEL_SERVICE_NAME")
    provider = TracerProvider(resource=Resource.create({} if named else {SERVICE_NAME: "salesgraph"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    _from_env = install(provider)
    log.info("tracing: OTLP spans to %s", ENDPOINT_VARIABLE)
    return _from_env
