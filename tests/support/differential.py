"""The two read paths side by side: the same request to the app that compiles reads into one SQL
statement (``compile_reads`` on) and to the one that resolves field by field (off), and what differs.

The compiled path exists only to be faster; the resolver path defines the answer. So every answer
the compiled path gives must equal the resolver path's: the same HTTP status, the same ``data``
(parsed JSON: key order ignored, list order kept), the same errors (messages, codes, paths,
locations, in order) and the same ``extensions.cost`` except the bucket's state
(``throttleStatus.currentlyAvailable``, which moves with every request). Both requests carry one
``x-request-id`` so that errors naming it agree.

``Differential.compare`` is what the generated tests call; ``compare_answers`` and ``differences``
serve the ``gql`` fixture's shadow run and the comparator's own test. ``shadowing()`` marks the
shadow run, which the ``sql_log`` fixture does not count (a context variable: the ASGI transport,
the tasks the app spawns and SQLAlchemy's greenlets all run in the request's context).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import graphql
import httpx
import orjson

from server.app import create_app
from server.settings import Settings

if TYPE_CHECKING:  # tests.conftest imports this module: no import back at run time
    from tests.conftest import TestDatabase

PLAN_HEADER = "x-salesgraph-plan"
COMPILED = "compiled"
#: Where the bucket's state sits in a body: it differs between two requests by design.
VOLATILE = (("extensions", "cost", "throttleStatus", "currentlyAvailable"),)
#: Differences listed in a report; the rest are counted.
MAX_REPORTED = 20

_shadowing: ContextVar[bool] = ContextVar("differential_shadowing", default=False)


def is_shadowing() -> bool:
    """Whether the current request is a shadow run (not to be counted by ``sql_log``)."""
    return _shadowing.get()


@contextmanager
def shadowing() -> Iterator[None]:
    token = _shadowing.set(True)
    try:
        yield
    finally:
        _shadowing.reset(token)


def is_read(query: str, operation_name: str | None = None) -> bool:
    """Whether ``query`` would run as a query: no mutation or subscription among the operations
    that could be chosen. A document that does not parse counts as a read (both paths must refuse
    it alike)."""
    try:
        document = graphql.parse(query)
    except graphql.GraphQLError:
        return True
    kinds = [
        d.operation
        for d in document.definitions
        if isinstance(d, graphql.OperationDefinitionNode)
        and (operation_name is None or (d.name is not None and d.name.value == operation_name))
    ]
    return all(kind is graphql.OperationType.QUERY for kind in kinds)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    plan: str | None

    @property
    def compiled(self) -> bool:
        return self.plan == COMPILED

    @classmethod
    def of(cls, response: httpx.Response) -> Answer:
        try:
            body: Any = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = {"<not JSON>": response.text}
        return cls(response.status_code, body, response.headers.get(PLAN_HEADER))


@dataclass(frozen=True)
class Comparison:
    """Both answers to one request and where they differ (empty: identical)."""

    resolver: Answer
    compiled: Answer
    differences: tuple[str, ...]

    @property
    def same(self) -> bool:
        return not self.differences

    @property
    def was_compiled(self) -> bool:
        """Whether the compile_reads app answered on the compiled path (its response header)."""
        return self.compiled.compiled

    def report(self, query: str, variables: Mapping[str, Any] | None = None) -> str:
        shown = list(self.differences[:MAX_REPORTED])
        if len(self.differences) > MAX_REPORTED:
            shown.append(f"… and {len(self.differences) - MAX_REPORTED} more")
        return "\n".join(
            [
                f"the compiled path ({self.compiled.plan or 'no plan header'}) and the resolver path "
                f"disagree in {len(self.differences)} place(s):",
                *(f"  {line}" for line in shown),
                "query:",
                query,
                f"variables: {orjson.dumps(dict(variables or {})).decode()}",
                f"resolver body: {_text(self.resolver.body)}",
                f"compiled body: {_text(self.compiled.body)}",
            ]
        )


def _text(body: Any, limit: int = 2_000) -> str:
    text = orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode()
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def canonical(body: Any) -> Any:
    """``body`` without its volatile parts (the bucket's state). Dicts compare regardless of key
    order already; lists keep their order."""
    if not isinstance(body, dict):
        return body
    result = dict(body)
    for path in VOLATILE:
        result = _without(result, path)
    return result


def _without(value: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    head, *rest = path
    if head not in value:
        return value
    copy = dict(value)
    if not rest:
        del copy[head]
    elif isinstance(copy[head], dict):
        copy[head] = _without(copy[head], tuple(rest))
    return copy


def differences(resolver: Any, compiled: Any, path: str = "$") -> list[str]:
    """Every place where two parsed JSON values differ, as ``path: resolver ≠ compiled`` lines."""
    if isinstance(resolver, dict) and isinstance(compiled, dict):
        found: list[str] = []
        for key in resolver.keys() | compiled.keys():
            where = f"{path}.{key}"
            if key not in compiled:
                found.append(f"{where}: only the resolver path has it ({_short(resolver[key])})")
            elif key not in resolver:
                found.append(f"{where}: only the compiled path has it ({_short(compiled[key])})")
            else:
                found.extend(differences(resolver[key], compiled[key], where))
        return sorted(found)
    if isinstance(resolver, list) and isinstance(compiled, list):
        found = []
        for i, (r, c) in enumerate(zip(resolver, compiled, strict=False)):
            found.extend(differences(r, c, f"{path}[{i}]"))
        if len(resolver) != len(compiled):
            found.append(f"{path}: {len(resolver)} items on the resolver path, {len(compiled)} compiled")
        return found
    # bool is an int in Python: 1 and true are different JSON.
    if type(resolver) is not type(compiled) or resolver != compiled:
        return [f"{path}: {_short(resolver)} ≠ {_short(compiled)}"]
    return []


def _short(value: Any, limit: int = 120) -> str:
    text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    return text if len(text) <= limit else text[:limit] + "…"


def compare_answers(resolver: Answer, compiled: Answer) -> Comparison:
    found = differences(canonical(resolver.body), canonical(compiled.body))
    if resolver.status != compiled.status:
        found.insert(0, f"HTTP status: {resolver.status} ≠ {compiled.status}")
    return Comparison(resolver, compiled, tuple(found))


def _payload(query: str, variables: Mapping[str, Any] | None, operation_name: str | None) -> dict[str, Any]:
    payload: dict[str, Any] = {"query": query, "variables": dict(variables or {})}
    if operation_name is not None:
        payload["operationName"] = operation_name
    return payload


class Differential:
    """Two dev-mode apps over one database's sessions: ``compile_reads`` on and off."""

    def __init__(self, compiled: httpx.AsyncClient, resolver: httpx.AsyncClient) -> None:
        self.compiled_client = compiled
        self.resolver_client = resolver
        self.compared = 0
        self.answered_compiled = 0

    async def compare(
        self, query: str, variables: Mapping[str, Any] | None = None, operation_name: str | None = None
    ) -> Comparison:
        """Post the request to the resolver path, then to the compiled path, and compare."""
        payload = _payload(query, variables, operation_name)
        headers = {"x-request-id": uuid.uuid4().hex}
        resolver = await self.resolver_client.post("/graphql", json=payload, headers=headers)
        compiled = await self.compiled_client.post("/graphql", json=payload, headers=headers)
        comparison = compare_answers(Answer.of(resolver), Answer.of(compiled))
        self.compared += 1
        self.answered_compiled += comparison.was_compiled
        return comparison

    async def assert_same(
        self, query: str, variables: Mapping[str, Any] | None = None, operation_name: str | None = None
    ) -> Comparison:
        comparison = await self.compare(query, variables, operation_name)
        assert comparison.same, comparison.report(query, variables)
        return comparison


@asynccontextmanager
async def app_client(database: TestDatabase, *, compile_reads: bool) -> AsyncIterator[httpx.AsyncClient]:
    """A dev-mode client of the app over ``database``'s sessions, reads compiled or not."""
    app = create_app(
        database.engine,
        dev=True,
        sessions=database.sessions,
        settings=replace(Settings.from_env({}), compile_reads=compile_reads),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@asynccontextmanager
async def differential(database: TestDatabase) -> AsyncIterator[Differential]:
    async with (
        app_client(database, compile_reads=True) as compiled,
        app_client(database, compile_reads=False) as resolver,
    ):
        yield Differential(compiled, resolver)
