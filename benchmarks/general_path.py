"""What the resolver path (the general path: mutations and every field the read compiler does not
cover) costs on ``nested.graphql``, against a saved figure and against Strawberry's plain view.

    python benchmarks/general_path.py [--server URL] [--database NAME] [--scale 100]
                                      [--requests 20] [--rounds 3] [--forever]

With ``--database`` it reuses a seeded database (``benchmarks/requests.py --keep`` leaves one);
otherwise it creates one, migrates and seeds it at ``--scale`` and drops it at the end.

Two apps over one engine, interleaved in rounds after a warm-up round, in-process through
``httpx.ASGITransport`` (one client, one request at a time):

- ``general``: ``server.app.create_app`` with a ``READ_ONLY`` key and ``compile_reads=False``
  (``SALESGRAPH_COMPILE_READS=0``), so every field runs its resolver;
- ``baseline``: Strawberry's own view (``server.app.GraphQLApp``), as ``benchmarks/requests.py``.

Per app it prints the median wall time and Python CPU time (``time.process_time`` of this
process, which runs both the client and the app; PostgreSQL is another process) per request. The
code before issue 11's general-path work cannot run in the same process, so the ratio "before" is
taken against :data:`BEFORE`, the figures this script measured on that code (commit ``ac1439f``)
on the same machine, and against the baseline view measured now (which shares the loaders and so
gains a part of the speed-up too). ``--forever`` keeps sending ``general`` requests, for
``py-spy record --pid …``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from starlette.applications import Starlette
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.requests import BENCH, UNTHROTTLED
from benchmarks.requests import prepare as seed_database
from resolvers.access.keys import create_key
from resolvers.session import session_factory
from server.app import GraphQLApp, create_app
from server.asgi import tune_collector
from server.engine import create_engine
from server.settings import Settings
from tests.support.pg import drop_database, unique_name, with_database

#: ms per ``nested`` request on the code before this work (commit ``ac1439f``, CPython's collector
#: settings), measured by this script at scale 100 on the 2-core shared machine (2026-12-03
#: 14:09 UTC, load ~3; median of 3 rounds of 10): (wall, CPU). Two later runs at load ~6 gave
#: general 754/375 and 396/320, baseline 881/387 and 475/342.
BEFORE = {"general": (599.7, 350.5), "baseline": (558.5, 320.9)}


@dataclasses.dataclass
class Timing:
    wall: list[float] = dataclasses.field(default_factory=list)
    cpu: list[float] = dataclasses.field(default_factory=list)
    collector: list[float] = dataclasses.field(default_factory=list)


class Collector:
    """Time spent in the cyclic garbage collector (``gc.callbacks``), in seconds."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


async def post(client: httpx.AsyncClient, query: str, headers: dict[str, str]) -> httpx.Response:
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    # A byte search, not a decoding: the client's work is counted in the CPU figures too.
    if response.status_code != 200 or b'"errors":' in response.content:
        raise SystemExit(f"{response.status_code} {response.text[:500]}")
    return response


async def key_of(url: str) -> str:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            key = await create_key(
                session, name=unique_name("bench"), role="READ_ONLY", salesperson_code=None
            )
            await session.commit()
    finally:
        await engine.dispose()
    return key


def build(url: str, key: str) -> tuple[Any, dict[str, tuple[Starlette, dict[str, str]]]]:
    engine = create_engine(url)
    settings = dataclasses.replace(
        Settings.from_env(), cost_bucket=UNTHROTTLED, cost_restore_rate=UNTHROTTLED, compile_reads=False
    )
    plain = GraphQLApp(session_factory(engine), dev=False)
    return engine, {
        "general": (create_app(engine, settings=settings), {"Authorization": f"Bearer {key}"}),
        "baseline": (Starlette(routes=[Route("/graphql", plain, methods=["GET", "POST"])]), {}),
    }


async def run(url: str, key: str, args: argparse.Namespace) -> dict[str, Timing]:
    query = (BENCH / "nested.graphql").read_text()
    engine, built = build(url, key)
    if args.gc == "tuned":
        tune_collector()
        if args.gc_threshold:
            gc.set_threshold(*(int(t) for t in args.gc_threshold.split(",")))
    elif args.gc == "off":
        gc.disable()
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split())[:60])

    clients = {
        name: (httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench"), headers)
        for name, (app, headers) in built.items()
    }
    timings = {name: Timing() for name in clients}
    collector = Collector()
    try:
        answers = {}
        for name, (client, headers) in clients.items():
            event.listen(engine.sync_engine, "before_cursor_execute", record)
            response = await post(client, query, headers)
            event.remove(engine.sync_engine, "before_cursor_execute", record)
            answers[name] = response.json()["data"]
            plan = response.headers.get("x-salesgraph-plan", "-")
            print(f"{name}: {len(statements)} statements (plan {plan}): {statements}")
            statements.clear()
        if answers["general"] != answers["baseline"]:
            raise SystemExit("general answers other data than the baseline")
        if args.forever:
            client, headers = clients["general"]
            print(f"pid {os.getpid()}: sending nested requests until interrupted")
            while True:
                await post(client, query, headers)
        for round_no in range(args.rounds + 1):  # round 0 warms up and is not counted
            for name, (client, headers) in clients.items():
                wall, cpu, in_gc = time.perf_counter(), time.process_time(), collector.seconds
                for _ in range(args.requests):
                    await post(client, query, headers)
                if round_no:
                    timings[name].wall.append((time.perf_counter() - wall) * 1000 / args.requests)
                    timings[name].cpu.append((time.process_time() - cpu) * 1000 / args.requests)
                    timings[name].collector.append((collector.seconds - in_gc) * 1000 / args.requests)
            if round_no:
                print(
                    f"  round {round_no}: "
                    + ", ".join(
                        f"{n} {t.wall[-1]:.1f} ms ({t.cpu[-1]:.1f} CPU, {t.collector[-1]:.1f} GC)"
                        for n, t in timings.items()
                    )
                )
    finally:
        for client, _ in clients.values():
            await client.aclose()
        await engine.dispose()
    return timings


def report(timings: dict[str, Timing]) -> None:
    median = {n: (statistics.median(t.wall), statistics.median(t.cpu)) for n, t in timings.items()}
    print()
    print(f"{'app':9} {'wall ms':>8} {'CPU ms':>8} {'before wall':>12} {'before CPU':>11} {'speed-up':>9}")
    for name, (wall, cpu) in median.items():
        before_wall, before_cpu = BEFORE[name]
        ratio = f"{before_wall / wall:.2f}x" if before_wall else "-"
        print(f"{name:9} {wall:8.1f} {cpu:8.1f} {before_wall:12.1f} {before_cpu:11.1f} {ratio:>9}")
    general, baseline = median["general"][0], median["baseline"][0]
    print(f"\ngeneral / baseline (same run, wall): {baseline / general:.2f}x faster")
    if BEFORE["general"][0]:
        before = BEFORE["baseline"][0] / BEFORE["general"][0]
        print(f"general / baseline before (saved):   {before:.2f}x faster")


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--server", default=os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--database", help="a seeded database to reuse (not dropped)")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--requests", type=int, default=20, help="requests per app per round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (after one warm-up round)")
    parser.add_argument(
        "--gc",
        choices=("tuned", "default", "off"),
        default="tuned",
        help="the collector as server.asgi sets it (default), CPython's defaults, or none",
    )
    parser.add_argument("--gc-threshold", help="with --gc tuned: other thresholds, e.g. 50000,20,100")
    parser.add_argument("--forever", action="store_true", help="send general requests until interrupted")
    args = parser.parse_args()
    database = args.database or unique_name("sg_bench_general")
    try:
        if args.database:
            url = with_database(args.server, database)
            key = await key_of(url)
        else:
            url, key = await seed_database(args.server, database, args.scale)
        timings = await run(url, key, args)
    finally:
        if not args.database:
            await drop_database(args.server, database)
    report(timings)


if __name__ == "__main__":
    asyncio.run(main())
