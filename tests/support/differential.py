"""The two read paths side by side: the same request to the app that compiles reads into one SQL
statement (``compile_reads`` on) and to the one that resolves field by field (off), and what differs.

The compiled path exists only to be faster; the resolver path defines the answer. So every answer
the compiled path gives must equal the resolver path's: the same HTTP status, the same ``data``
(parsed JSON: key order ignored, list order kept), the same errors (messages, codes, paths,
locations; in any order, see ``canonical``) and the same ``extensions.cost`` except the bucket's state
(``throttleStatus.currentlyAvailable``, which moves with every request). Both requests carry one
``x-request-id`` so that errors naming it agree.

``Differential.compare`` is what the generated tests call; ``compare_answers`` and ``differences``
serve the ``gql`` fixture's shadow run and the comparator's own test. ``shadowing()`` marks the
shadow run, which the ``sql_log`` fixture does not count (a context variable: the ASGI transport,
the tasks the app spawns and SQLAlchemy's greenlets all run in the request's context).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
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
#: Times ``settle`` asks the resolver path again for the compiled path's errors.
REFERENCE_RERUNS = 8
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
    #: Times the resolver path was asked again before it gave the compiled path's errors (``settle``).
    reruns: int = 0
    #: The errors differ only where a field's null reached its parent (``racing_errors_agree``).
    racing: bool = False

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
    """``body`` without its volatile parts (the bucket's state), its errors in a fixed order.
    Dicts compare regardless of key order already; every other list keeps its order.

    The errors' order is not the answer's: GraphQL does not define it, and the resolver path
    itself lists the errors of concurrently resolved fields in the order they happened to fail
    (two runs of one document differ). Their content is compared in full.
    """
    if not isinstance(body, dict):
        return body
    result = dict(body)
    for path in VOLATILE:
        result = _without(result, path)
    if isinstance(result.get("errors"), list):
        result["errors"] = sorted(result["errors"], key=_sort_key)
    return result


def _sort_key(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


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


def errors_only(comparison: Comparison) -> bool:
    """Whether the two answers differ in their errors alone (same status, same ``data``)."""
    resolver, compiled = canonical(comparison.resolver.body), canonical(comparison.compiled.body)
    return (
        comparison.resolver.status == comparison.compiled.status
        and isinstance(resolver, dict)
        and isinstance(compiled, dict)
        and {k: v for k, v in resolver.items() if k != "errors"}
        == {k: v for k, v in compiled.items() if k != "errors"}
    )


async def settle(comparison: Comparison, rerun: Callable[[], Awaitable[Answer]]) -> Comparison:
    """``comparison``, or the same answers found to agree, when they differ in errors alone and
    in errors that the resolver path does not itself report the same way every time.

    When a non-null field fails, the null reaches its parent and the fields beside it may or may
    not have failed yet: the resolver path reports whichever of the concurrently resolved fields
    failed first, so two runs of one document can list different errors over the same ``data``.
    Such errors (``racing_errors_agree``) must fall in the same nulled places on both paths; any
    other difference in errors must go away when the resolver path is asked again (at most
    ``REFERENCE_RERUNS`` times): the compiled path's answer is right when the resolver path gives it.
    """
    if comparison.same or not errors_only(comparison):
        return comparison
    if racing_errors_agree(comparison.resolver.body, comparison.compiled.body):
        return replace(comparison, differences=(), racing=True)
    for reruns in range(1, REFERENCE_RERUNS + 1):
        again = compare_answers(await rerun(), comparison.compiled)
        if again.same:
            return replace(again, reruns=reruns)
    return comparison


def racing_errors_agree(resolver: Any, compiled: Any) -> bool:
    """Whether two bodies with the same ``data`` report the same errors where a field's own value
    is in ``data``, and some error under each place where a null stopped a path."""
    data = resolver.get("data")
    exact_resolver, racing_resolver = _split_errors(data, resolver.get("errors") or [])
    exact_compiled, racing_compiled = _split_errors(data, compiled.get("errors") or [])
    return exact_resolver == exact_compiled and racing_resolver == racing_compiled


def _split_errors(data: Any, errors: list[Any]) -> tuple[list[bytes], set[tuple[Any, ...]]]:
    exact, racing = [], set()
    for error in errors:
        path = error.get("path") if isinstance(error, dict) else None
        stop = None if not isinstance(path, list) else _null_before(data, path)
        if stop is None:
            exact.append(_sort_key(error))
        else:
            racing.add(stop)
    return sorted(exact), racing


def _null_before(data: Any, path: list[Any]) -> tuple[Any, ...] | None:
    """The part of ``path`` that leads to a null (or missing) value before the path's end; ``None``
    when the whole path is in ``data`` (the failed field's own null: reported every time)."""
    value = data
    for i, key in enumerate(path):
        in_dict = isinstance(value, dict) and key in value
        in_list = isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value)
        if in_dict or in_list:
            value = value[key]
        else:
            return tuple(path[:i])
    return None


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

        async def resolve() -> Answer:
            return Answer.of(await self.resolver_client.post("/graphql", json=payload, headers=headers))

        resolver = await resolve()
        compiled = await self.compiled_client.post("/graphql", json=payload, headers=headers)
        comparison = await settle(compare_answers(resolver, Answer.of(compiled)), resolve)
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
