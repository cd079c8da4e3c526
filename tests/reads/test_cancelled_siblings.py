"""A field error inside a list makes graphql-core cancel that list's pending siblings. A loader's
batch is shared by every field that asked for one of its keys, so the cancellation must stop at
the cancelled field: another branch of the query waiting for the same batch still gets its row
(before, it got the CancelledError, which escaped the executor as a 500)."""

from __future__ import annotations

import asyncio

from resolvers.reads.loading import Loader
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

#: ``tasks(first: 1000)`` fails in each opportunity; the error nulls the nullable ``failing`` and
#: cancels the opportunities' pending ``salesperson`` loads, which ``fine`` waits for too.
QUERY = """{
  failing: contact(no: "P") {
    opportunities(first: 5) { nodes { salesperson { name } tasks(first: 1000) { totalCount } } }
  }
  fine: contact(no: "P") { opportunities(first: 5) { nodes { no salesperson { name } } } }
}"""


async def test_a_failing_sibling_does_not_cancel_another_branchs_loads(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    contact = f.person("P", "CO")
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.company("CO"),
        contact,
        *f.cycle("CYC", stages=1),
        *[f.opportunity(f"OPP{n}", contact, "S", "CYC") for n in range(3)],
    )

    body = await gql.raw(QUERY)

    assert body["data"]["failing"] is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"PAGE_SIZE_EXCEEDED"}
    nodes = body["data"]["fine"]["opportunities"]["nodes"]
    assert [(o["no"], o["salesperson"]["name"]) for o in nodes] == [
        (f"OPP{n}", nodes[0]["salesperson"]["name"]) for n in range(3)
    ]


async def test_cancelling_one_waiter_leaves_the_batch_to_the_others() -> None:
    release = asyncio.Event()

    async def load(keys: list[str]) -> list[str]:
        await release.wait()
        return [k.lower() for k in keys]

    loader: Loader[str, str] = Loader(load_fn=load)
    first = asyncio.ensure_future(loader.load("A"))
    second = asyncio.ensure_future(loader.load("A"))
    await asyncio.sleep(0)
    first.cancel()
    release.set()
    assert await second == "a"
    assert await loader.load("A") == "a"  # the cached batch was not cancelled either
