"""The compiled read path answers exactly as the resolver path: generated queries and pagination
walks over seeded demo data, each sent to both apps (``tests/support/differential.py``).

In the suite this runs a small, fixed (derandomized) sample. The full size (issue 11: at least
2,000 generated queries, plus pagination walks)::

    SALESGRAPH_PARITY_EXAMPLES=2000 pytest tests/compiled -n 0

(``-n 0``, not ``-p no:xdist``: the project's ``addopts`` name xdist's options.)

``SALESGRAPH_PARITY_WALKS`` sets the number of walks (default: a tenth of the examples, at least
20); ``SALESGRAPH_PARITY_SEED=<int>`` draws another sample than the fixed one. At the end the
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
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st

from graph.schema import schema
from resolvers.session import session_factory
from tests.compiled.generate import Pool, Request, load_pool, requests
from tests.compiled.paging import Walk, walks
from tests.conftest import TestDatabase
from tests.support.differential import Comparison, Differential, differential
from tests.support.seeding import seeded_database

pytestmark = pytest.mark.own_database

EXAMPLES = int(os.environ.get("SALESGRAPH_PARITY_EXAMPLES", "60"))
WALKS = int(os.environ.get("SALESGRAPH_PARITY_WALKS", str(max(20, EXAMPLES // 10))))
SEED = os.environ.get("SALESGRAPH_PARITY_SEED")
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
    statuses: Counter[int] = field(default_factory=Counter)

    def add(self, comparison: Comparison) -> None:
        self.requests += 1
        self.compiled += comparison.was_compiled
        self.statuses[comparison.resolver.status] += 1
        event(f"status {comparison.resolver.status}")
        event("compiled" if comparison.was_compiled else "resolvers")
        body = comparison.resolver.body
        for error in body.get("errors") or () if isinstance(body, dict) else ():
            event(f"error {(error.get('extensions') or {}).get('code', 'without a code')}")

    def line(self, name: str) -> str:
        statuses = ", ".join(f"{n}× {s}" for s, n in sorted(self.statuses.items()))
        return (
            f"parity {name}: {self.requests} requests compared, {self.compiled} answered compiled, "
            f"zero differences ({statuses})"
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
    for name, tally in found.tallies.items():
        if reporter is not None:  # none in an xdist worker
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
    query = walk.connection.document()
    step = await parity.same("pagination walks", query, walk.variables(first=walk.size))
    page = walk.page(step.resolver.body)
    for _ in range(walk.steps):
        if page is None or not page["pageInfo"]["hasNextPage"]:
            break
        step = await parity.same(
            "pagination walks", query, walk.variables(first=walk.size, after=page["pageInfo"]["endCursor"])
        )
        page = walk.page(step.resolver.body)
    for _ in range(walk.steps + 1):
        if page is None or page["pageInfo"]["startCursor"] is None:
            break
        step = await parity.same(
            "pagination walks", query, walk.variables(last=walk.size, before=page["pageInfo"]["startCursor"])
        )
        page = walk.page(step.resolver.body)
        if page is not None and not page["pageInfo"]["hasPreviousPage"]:
            break
