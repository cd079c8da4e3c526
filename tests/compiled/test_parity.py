"""The compiled read path answers exactly as the resolver path: generated queries and pagination
walks over seeded demo data, each sent to both apps (``tests/support/differential.py``).

In the suite this runs a small, fixed (derandomized) sample. The full size (issue 11: at least
2,000 generated queries, plus pagination walks)::

    SALESGRAPH_PARITY_EXAMPLES=5000 pytest tests/compiled -n 0

About 45 % of generated queries select a field only the resolvers answer (both sides then run the
resolvers), so 5,000 examples are needed for 2,000 compared on the compiled path: on 2026-12-04,
5,000 generated queries, 2,196 of them answered compiled, zero differences (7.5 minutes); at
2,000 examples the walks compared 801 requests and every order 687, all compiled.

(``-n 0``, not ``-p no:xdist``: the project's ``addopts`` name xdist's options.)

``SALESGRAPH_PARITY_WALKS`` sets the number of walks (default: a tenth of the examples, at least
20); ``SALESGRAPH_PARITY_SEED=<int>`` draws another sample than the fixed one;
``SALESGRAPH_PARITY_SHRINK=1`` shrinks a failing example (off: it can take minutes). From 2,000
examples on, every order of every connection is walked in both directions (one in the suite). At the end the
module prints how many requests were compared and how many the compiled path answered (with
``-n 0``: an xdist worker has no terminal to print on); ``--hypothesis-show-statistics``
shows the statuses and plans as hypothesis events. A failure prints the query, variables and
both bodies, and reproduces with the same seed and example count.

Cost refusals (more than 25,000 points) are expected among generated queries: they must only be
the same on both paths.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import graphql
import pytest
from hypothesis import HealthCheck, Phase, event, given, seed, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from graph.schema import schema
from resolvers.session import session_factory
from tests.compiled.generate import Pool, Request, load_pool, requests
from tests.compiled.paging import Connection, Walk, connections, walks
from tests.conftest import TestDatabase
from tests.support.differential import Comparison, Differential, differential
from tests.support.seeding import seeded_database

pytestmark = pytest.mark.own_database

EXAMPLES = int(os.environ.get("SALESGRAPH_PARITY_EXAMPLES", "60"))
WALKS = int(os.environ.get("SALESGRAPH_PARITY_WALKS", str(max(20, EXAMPLES // 10))))
SEED = os.environ.get("SALESGRAPH_PARITY_SEED")
#: Shrinking a failure re-runs slow examples for minutes; the report names the query and the
#: differences in full anyway. ``SALESGRAPH_PARITY_SHRINK=1`` shrinks.
SHRINK = os.environ.get("SALESGRAPH_PARITY_SHRINK") == "1"
PHASES = tuple(p for p in Phase if SHRINK or p is not Phase.shrink)
#: From this many examples on, the run is a full-size one (issue 11).
FULL_SIZE = 2_000
SCHEMA: graphql.GraphQLSchema = schema._schema

F = TypeVar("F", bound=Callable[..., Any])


def sized(examples: int) -> Callable[[F], F]:
    """Hypothesis settings for a differential test: no deadline (PostgreSQL on a shared machine),
    no database of examples, the fixed sample unless a seed is given."""

    def decorate(test: F) -> F:
        configured = settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=SEED is None,
            print_blob=True,
            phases=PHASES,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
            ],
        )(test)
        return configured if SEED is None else seed(int(SEED))(configured)

    return decorate


@dataclass
class Tally:
    requests: int = 0
    compiled: int = 0
    settled: int = 0
    racing: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    def add(self, comparison: Comparison) -> None:
        self.requests += 1
        self.compiled += comparison.was_compiled
        self.settled += comparison.reruns > 0
        self.racing += comparison.racing
        self.statuses[comparison.resolver.status] += 1
        if not currently_in_test_context():  # a plain test: no hypothesis events
            return
        event(f"status {comparison.resolver.status}")
        event("compiled" if comparison.was_compiled else "resolvers")
        body = comparison.resolver.body
        for error in body.get("errors") or () if isinstance(body, dict) else ():
            event(f"error {(error.get('extensions') or {}).get('code', 'without a code')}")

    def line(self, name: str) -> str:
        statuses = ", ".join(f"{n}× {s}" for s, n in sorted(self.statuses.items()))
        return (
            f"parity {name}: {self.requests} requests compared, {self.compiled} answered compiled, "
            f"zero differences ({statuses}; errors {self.racing}× racing, {self.settled}× matched on a rerun)"
        )


@dataclass
class Parity:
    diff: Differential
    pool: Pool
    tallies: dict[str, Tally] = field(default_factory=dict)

    async def same(
        self, tally: str, query: str, variables: dict[str, Any], name: str | None = None
    ) -> Comparison:
        comparison = await self.diff.assert_same(query, variables, name)
        self.tallies.setdefault(tally, Tally()).add(comparison)
        return comparison


@pytest.fixture(scope="module")
async def parity(request: pytest.FixtureRequest, pg_url: str, template_db: str) -> AsyncIterator[Parity]:
    """Scale-1 demo data, seeded once for the module, and both apps over it."""
    async with seeded_database(pg_url, template_db) as seeded:
        database = TestDatabase(seeded.engine, session_factory(seeded.engine))
        async with differential(database) as diff:
            found = Parity(diff, await load_pool(seeded.engine))
            yield found
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:  # an xdist worker has no terminal
        with capture.global_and_fixture_disabled():
            for name, tally in found.tallies.items():
                reporter.write_line(tally.line(name))


@pytest.fixture(scope="module")
def generated(parity: Parity) -> st.SearchStrategy[Request]:
    return requests(SCHEMA, parity.pool)


@pytest.fixture(scope="module")
def paging(parity: Parity) -> st.SearchStrategy[Walk]:
    return walks(SCHEMA, parity.pool)


@sized(EXAMPLES)
@given(data=st.data())
async def test_generated_reads_answer_alike(
    parity: Parity, generated: st.SearchStrategy[Request], data: st.DataObject
) -> None:
    read = data.draw(generated, label="request")
    await parity.same("generated queries", read.query, read.variables, read.operation_name)


@sized(WALKS)
@given(data=st.data())
async def test_pages_walked_both_ways_answer_alike(
    parity: Parity, paging: st.SearchStrategy[Walk], data: st.DataObject
) -> None:
    walk = data.draw(paging, label="walk")
    event(walk.connection.label)
    await follow(parity, "pagination walks", walk)


async def test_every_order_of_every_connection_answers_alike(parity: Parity) -> None:
    """Each order field of each connection, on a parent that has a few pages. At full size: both
    directions, walked two pages forwards and back; in the suite: the first page, one direction
    per field (alternating), the walks above following the cursors."""
    full = EXAMPLES >= FULL_SIZE
    reached = fields = 0
    for connection in connections(SCHEMA, parity.pool):
        parent_id = await busy_parent(parity, connection)
        for n, order_field in enumerate(connection.order_fields):
            fields += 1
            for direction in ["ASC", "DESC"] if full else [("ASC", "DESC")[n % 2]]:
                order = [{"field": order_field, "direction": direction}]
                walk = Walk(connection, parent_id, order, size=3, steps=2 if full else 0)
                pages = await follow(parity, "every order", walk)
                reached += bool(pages[0] and pages[0]["pageInfo"]["hasNextPage"])
    # Most first pages have a next one: the orders are compared over data, not empty answers.
    assert reached >= fields // 2, (reached, fields)


async def busy_parent(parity: Parity, connection: Connection) -> str | None:
    """The first of a few parents whose ``connection`` holds more than two pages of three (or the
    last one tried); ``None`` for a root list."""
    if connection.parent is None:
        return None
    ids = parity.pool.ids_of(connection.parent)
    parent_id = None
    for parent_id in ids[:: max(1, len(ids) // 6)][:6]:
        walk = Walk(connection, parent_id, [], size=1, steps=0)
        step = await parity.same("every order", connection.document(), walk.variables(first=1))
        page = walk.page(step.resolver.body)
        if page is not None and (page.get("totalCount") or 0) > 6:
            break
    return parent_id


async def follow(parity: Parity, tally: str, walk: Walk) -> list[dict[str, Any] | None]:
    """The walk's pages, each compared on both paths: forwards from the first page by ``after``
    its ``endCursor``, then backwards by ``before`` the ``startCursor`` of the last one reached
    (no more than the first page with ``steps=0``)."""
    query = walk.connection.document()
    step = await parity.same(tally, query, walk.variables(first=walk.size))
    page = walk.page(step.resolver.body)
    pages = [page]
    if walk.steps == 0:
        return pages
    for _ in range(walk.steps):
        if page is None or not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        step = await parity.same(tally, query, walk.variables(first=walk.size, after=after))
        page = walk.page(step.resolver.body)
        pages.append(page)
    for _ in range(walk.steps + 1):
        if page is None or page["pageInfo"]["startCursor"] is None:
            break
        before = page["pageInfo"]["startCursor"]
        step = await parity.same(tally, query, walk.variables(last=walk.size, before=before))
        page = walk.page(step.resolver.body)
        pages.append(page)
        if page is not None and not page["pageInfo"]["hasPreviousPage"]:
            break
    return pages
