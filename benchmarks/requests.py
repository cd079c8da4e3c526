"""What the request pipeline (issue 10) costs: the canonical workloads through it and without it.

    python benchmarks/requests.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
                                  [--scale 1] [--rounds 3] [--requests-nested 30]
                                  [--requests-one 200] [--concurrency 1]

Creates a fresh database on the server (``DATABASE_URL`` when set), migrates and seeds the demo
data at ``--scale``, creates one ``READ_ONLY`` API key, and builds three ASGI apps over one engine:

- ``baseline``: Strawberry's own view (``server.app.GraphQLApp``) on ``/graphql`` in a bare
  Starlette app, what was served before the pipeline: no authentication, no cost, no throttle;
- ``pipeline``: ``server.app.create_app`` with the key (``Authorization: Bearer …``) and a bucket
  so large that throttling never refuses: authentication, planning and costing, reserve, settle;
- ``dev``: the pipeline in dev mode called from loopback without a key: planning and costing but
  neither the key lookup nor the bucket, which separates those from the planner.

Each workload of ``/work/shared/bench`` (``nested.graphql`` with its default variables,
``one.graphql`` for the contact with the most opportunities) first runs once through every app,
and the three answers' ``data`` must be equal. Then, per concurrency, a warm-up round and
``--rounds`` rounds interleave the apps (baseline, pipeline, dev, baseline, …) so that the noise of
a shared machine falls on all of them alike; a round sends ``--requests-*`` requests to one app
(``concurrency`` at a time, in-process through ``httpx.ASGITransport``). The table gives each
app's median req/s over the rounds and its ratio to the baseline of the same run, the SQL
statements of one request, and the workload's requested cost against the limit. Absolute figures
mean nothing across runs or machines; the ratios are the result. The database is dropped at the
end (``--keep`` leaves it). A figure, not a test: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models
from resolvers.access.keys import create_key
from resolvers.demo.seed import seed_demo
from resolvers.session import session_factory
from server.app import GraphQLApp, create_app
from server.engine import create_engine
from server.migrate import upgrade
from server.settings import Settings
from tests.support.pg import admin_execute, drop_database, unique_name, with_database

BENCH = Path("/work/shared/bench")
#: A bucket no benchmark can empty, refilled faster than any benchmark spends: never a 429.
UNTHROTTLED = 10**9
APPS = ("baseline", "pipeline", "dev")


@dataclasses.dataclass
class Workload:
    name: str
    document: str
    variables: dict[str, Any]
    requests: int
    cost: int = 0
    statements: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    #: app -> concurrency -> req/s of each timed round
    rates: dict[str, dict[int, list[float]]] = dataclasses.field(default_factory=dict)


async def prepare(server: str, database: str, scale: int) -> tuple[str, str]:
    """The benchmark database's URL, migrated and seeded at ``scale``, and a READ_ONLY key."""
    await admin_execute(server, f'CREATE DATABASE "{database}"')
    url = with_database(server, database)
    engine = create_engine(url)
    try:
        await upgrade(engine)
        started = time.perf_counter()
        summary = await seed_demo(engine, scale=scale)
        print(f"seeded scale {scale}: {summary.total:,} rows in {time.perf_counter() - started:.1f} s")
        async with session_factory(engine)() as session:
            key = await create_key(session, name="bench", role="READ_ONLY", salesperson_code=None)
            await session.commit()
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return url, key


async def busiest_contact(engine: AsyncEngine) -> tuple[str, int]:
    """The contact with the most opportunities, and how many it has."""
    count = func.count().label("n")
    query = (
        select(models.Opportunity.contact_no, count)
        .group_by(models.Opportunity.contact_no)
        .order_by(count.desc(), models.Opportunity.contact_no)
        .limit(1)
    )
    async with engine.connect() as conn:
        row = (await conn.execute(query)).one()
    return str(row[0]), int(row[1])


def apps(engine: AsyncEngine, key: str) -> dict[str, tuple[Starlette, dict[str, str]]]:
    """Each app of the comparison with the headers its caller sends."""
    plain = GraphQLApp(session_factory(engine), dev=False)
    baseline = Starlette(routes=[Route("/graphql", plain, methods=["GET", "POST"])])
    settings = dataclasses.replace(
        Settings.from_env(), cost_bucket=UNTHROTTLED, cost_restore_rate=UNTHROTTLED
    )
    return {
        "baseline": (baseline, {}),
        "pipeline": (create_app(engine, settings=settings), {"Authorization": f"Bearer {key}"}),
        "dev": (create_app(engine, dev=True, settings=settings), {}),
    }


async def post(client: httpx.AsyncClient, workload: Workload, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": workload.document, "variables": workload.variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or "errors" in body:
        raise SystemExit(f"{workload.name}: {response.status_code} {body.get('errors')}")
    return body


async def rate(
    client: httpx.AsyncClient, workload: Workload, headers: dict[str, str], concurrency: int
) -> float:
    """Requests per second for ``workload.requests`` requests, ``concurrency`` at a time."""
    left = workload.requests

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await post(client, workload, headers)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return workload.requests / (time.perf_counter() - started)


async def check(
    clients: dict[str, tuple[httpx.AsyncClient, dict[str, str]]],
    workload: Workload,
    statements: list[str],
    max_cost: int,
) -> None:
    """One request per app: equal ``data``, its statements, the pipeline's requested cost."""
    answers = {}
    for name, (client, headers) in clients.items():
        statements.clear()
        answers[name] = await post(client, workload, headers)
        workload.statements[name] = list(statements)
    for name in APPS[1:]:
        if answers[name]["data"] != answers["baseline"]["data"]:
            raise SystemExit(f"{workload.name}: {name} answers other data than the baseline")
    cost = answers["pipeline"]["extensions"]["cost"]
    workload.cost = cost["requestedQueryCost"]
    if workload.cost > max_cost:
        raise SystemExit(f"{workload.name}: requested cost {workload.cost} over the limit {max_cost}")
    print(
        f"{workload.name}: same data from every app; cost requested {workload.cost:,}, "
        f"actual {cost['actualQueryCost']:,}, limit {max_cost:,}"
    )


async def run(url: str, key: str, args: argparse.Namespace, concurrencies: list[int]) -> list[Workload]:
    engine = create_engine(url)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    contact, opportunities = await busiest_contact(engine)
    print(f"one.graphql: contact {contact} ({opportunities} opportunities)")
    workloads = [
        Workload("nested", (BENCH / "nested.graphql").read_text(), {}, args.requests_nested),
        Workload("one", (BENCH / "one.graphql").read_text(), {"no": contact}, args.requests_one),
    ]
    max_cost = Settings.from_env().max_query_cost
    built = apps(engine, key)
    clients = {
        name: (httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench"), headers)
        for name, (app, headers) in built.items()
    }
    try:
        for workload in workloads:
            await check(clients, workload, statements, max_cost)
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        for workload in workloads:
            for concurrency in concurrencies:
                for round_no in range(args.rounds + 1):  # round 0 warms up and is not counted
                    for name, (client, headers) in clients.items():
                        per_second = await rate(client, workload, headers, concurrency)
                        if round_no:
                            workload.rates.setdefault(name, {}).setdefault(concurrency, []).append(per_second)
                rounds = {n: workload.rates[n][concurrency] for n in APPS}
                print(
                    f"  {workload.name} c={concurrency}: "
                    + ", ".join(f"{n} {' '.join(f'{r:.1f}' for r in rs)}" for n, rs in rounds.items())
                )
    finally:
        for client, _ in clients.values():
            await client.aclose()
        await engine.dispose()
    return workloads


def kind(statement: str) -> str:
    """A statement's name in the statement counts: what it is for, not its text."""
    flat = " ".join(statement.split())
    if "FROM api_key" in flat:
        return "auth"
    if flat.startswith("INSERT INTO cost_bucket"):
        return "reserve"
    if flat.startswith("UPDATE cost_bucket"):
        return "settle"
    return "query"


def report(workloads: list[Workload], concurrencies: list[int]) -> None:
    print()
    print(
        f"{'workload':9} {'c':>2} {'baseline':>10} {'pipeline':>10} {'dev':>10} "
        f"{'pipe/base':>10} {'dev/base':>9}"
    )
    for w in workloads:
        for c in concurrencies:
            median = {n: statistics.median(w.rates[n][c]) for n in APPS}
            print(
                f"{w.name:9} {c:>2} {median['baseline']:6.1f}/s {median['pipeline']:6.1f}/s "
                f"{median['dev']:6.1f}/s {median['pipeline'] / median['baseline']:>10.2f} "
                f"{median['dev'] / median['baseline']:>9.2f}"
            )
    print()
    print(f"{'workload':9} {'cost':>6} {'limit':>7}   SQL statements per request")
    for w in workloads:
        counts = []
        for n in APPS:
            kinds = [kind(s) for s in w.statements[n]]
            extra = [k for k in ("auth", "reserve", "settle") if k in kinds]
            detail = f" ({kinds.count('query')} + {' + '.join(extra)})" if extra else ""
            counts.append(f"{n} {len(kinds)}{detail}")
        print(f"{w.name:9} {w.cost:6,} {Settings.from_env().max_query_cost:7,}   " + ", ".join(counts))


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--server", default=os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (after one warm-up round)")
    parser.add_argument("--requests-nested", type=int, default=30, help="nested requests per app per round")
    parser.add_argument("--requests-one", type=int, default=200, help="one requests per app per round")
    parser.add_argument("--concurrency", default="1", help="comma-separated, e.g. 1,8")
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    args = parser.parse_args()
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    database = unique_name("sg_bench_requests")
    started = time.perf_counter()
    try:
        url, key = await prepare(args.server, database, args.scale)
        workloads = await run(url, key, args, concurrencies)
    finally:
        if args.keep:
            print(f"kept database {database}")
        else:
            await drop_database(args.server, database)
    report(workloads, concurrencies)
    print(f"\n{time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    asyncio.run(main())
