"""What the lifecycle writes cost: Python CPU and SQL statements per mutation (issue 11, "Cheap
writes": ≤ 5 ms of Python CPU each).

    python benchmarks/write_cost.py [--server URL] [--database NAME] [--count 300] [--rounds 3]

Without ``--database`` it creates a database, migrates it, seeds the demo data at scale 1 and drops
it at the end; with one it reuses a seeded database (and leaves the opportunities it wrote).

Each round runs ``--count`` times, one request at a time through the real app in process
(``server.app.create_app`` in production mode with an ``ADMIN`` API key, over
``httpx.ASGITransport``), this chain on a fresh opportunity of the demo's ``SMALL`` cycle (stage 1
has no activity, stage 2 the two-step ``INIT``, stage 3 none):

- ``create``: ``createOpportunity`` without activation (a second opportunity, left not started);
- ``create+activate``: ``createOpportunity`` with ``activateFirstStage`` (stage 1, no tasks);
- ``move+tasks``: ``updateOpportunityStage`` NEXT to stage 2, which creates two tasks;
- ``move``: ``updateOpportunityStage`` NEXT to stage 3, no tasks;
- ``close``: ``closeOpportunity`` WON with ``cancelOldTasks`` (cancels the two tasks).

Per mutation it prints the median (and the least, the figure other processes on a shared
machine inflate least) over the timed rounds (after one warm-up round) of the Python CPU time
per request (``time.process_time`` of this process, which runs the client, the ASGI app and the
driver; PostgreSQL is another process), the wall time, and the statements the app sent
(``before_cursor_execute``: every statement but BEGIN, which the asyncpg dialect sends on its own;
add 2 round trips for BEGIN and COMMIT). :data:`BEFORE` holds the figures this script measured on
the code before the cheap-writes work (commit ``e4d5ed9``) on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.requests import UNTHROTTLED
from benchmarks.requests import prepare as seed_database
from resolvers.access.keys import create_key
from resolvers.session import session_factory
from server.app import create_app
from server.asgi import tune_collector
from server.engine import create_engine
from server.settings import Settings
from tests.support.pg import drop_database, unique_name, with_database

MUTATIONS = ("create", "create+activate", "move+tasks", "move", "close")

#: (CPU ms, wall ms, statements) per request on commit ``e4d5ed9`` (before this work), measured by
#: this script (``--count 300 --rounds 3``) on the 2-core shared machine, 2026-12-04 19:39 UTC,
#: load average ~3.5 (other sessions' work): every mutation's own statements plus the 3 of the
#: API key check and the cost budget.
BEFORE: dict[str, tuple[float, float, float]] = {
    "create": (5.93, 9.10, 9),
    "create+activate": (8.47, 13.29, 15),
    "move+tasks": (9.23, 14.30, 14),
    "move": (6.70, 10.70, 11),
    "close": (7.54, 11.98, 13),
}

PAYLOAD = "opportunity { no version status } entry { entryNo } userErrors { code message field }"
CREATE = f"""mutation Create($input: CreateOpportunityInput!) {{
  createOpportunity(input: $input) {{ {PAYLOAD} createdTasks {{ no }} }}
}}"""
MOVE = f"""mutation Move($input: UpdateOpportunityStageInput!) {{
  updateOpportunityStage(input: $input) {{ {PAYLOAD} createdTasks {{ no }} }}
}}"""
CLOSE = f"""mutation Close($input: CloseOpportunityInput!) {{
  closeOpportunity(input: $input) {{ {PAYLOAD} }}
}}"""


@dataclasses.dataclass
class Cost:
    cpu: list[float] = dataclasses.field(default_factory=list)
    wall: list[float] = dataclasses.field(default_factory=list)
    statements: list[float] = dataclasses.field(default_factory=list)


class Bench:
    def __init__(self, url: str, key: str) -> None:
        self.engine = create_engine(url)
        settings = dataclasses.replace(
            Settings.from_env(), cost_bucket=UNTHROTTLED, cost_restore_rate=UNTHROTTLED
        )
        app = create_app(self.engine, settings=settings)
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
        self.headers = {"Authorization": f"Bearer {key}"}
        self.statements = 0
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._record)

    def _record(self, *_args: Any) -> None:
        self.statements += 1

    async def post(self, query: str, input: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": {"input": input}}, headers=self.headers
        )
        body: dict[str, Any] = response.json()
        payload = next(iter((body.get("data") or {}).values()), None) if response.status_code == 200 else None
        if body.get("errors") or not payload or payload["userErrors"]:
            raise SystemExit(f"{response.status_code} {response.text[:500]}")
        answer: dict[str, Any] = payload
        return answer

    async def close(self) -> None:
        await self.client.aclose()
        await self.engine.dispose()


async def contact_of(bench: Bench) -> str:
    async with bench.engine.connect() as conn:
        row = (
            await conn.exec_driver_sql(
                "SELECT c.no FROM contact c JOIN salesperson s ON s.code = c.salesperson_code"
                " WHERE NOT s.blocked ORDER BY c.no LIMIT 1"
            )
        ).one()
    return str(row[0])


async def chain(bench: Bench, contact: str, costs: dict[str, Cost] | None, count: int) -> None:
    """``count`` times the five mutations; with ``costs``, each one's per-request averages."""
    create = {"description": "Bench", "contactNo": contact, "salesCycleCode": "SMALL"}
    steps: list[tuple[str, str, Any]] = [
        ("create", CREATE, lambda _no: create),
        (
            "create+activate",
            CREATE,
            lambda _no: {
                **create,
                "activateFirstStage": True,
                "estimatedValue": "1000",
                "chancesOfSuccessPct": "50",
                "estimatedClosingDate": "2999-01-01",
            },
        ),
        ("move+tasks", MOVE, lambda no: {"no": no, "action": "NEXT"}),
        ("move", MOVE, lambda no: {"no": no, "action": "NEXT"}),
        (
            "close",
            CLOSE,
            lambda no: {
                "no": no,
                "outcome": "WON",
                "closeOpportunityCode": "WON1",
                "salesValue": "900",
                "cancelOldTasks": True,
            },
        ),
    ]
    totals = {name: [0.0, 0.0, 0] for name, _, _ in steps}
    for _ in range(count):
        no = ""
        for name, query, input_of in steps:
            cpu, wall, before = time.process_time(), time.perf_counter(), bench.statements
            payload = await bench.post(query, input_of(no))
            total = totals[name]
            total[0] += time.process_time() - cpu
            total[1] += time.perf_counter() - wall
            total[2] += bench.statements - before
            if name == "create+activate":
                no = payload["opportunity"]["no"]
    if costs is not None:
        for name, (cpu, wall, statements) in totals.items():
            costs[name].cpu.append(cpu * 1000 / count)
            costs[name].wall.append(wall * 1000 / count)
            costs[name].statements.append(statements / count)


async def run(url: str, key: str, args: argparse.Namespace) -> dict[str, Cost]:
    tune_collector()
    bench = Bench(url, key)
    costs = {name: Cost() for name in MUTATIONS}
    try:
        contact = await contact_of(bench)
        await chain(bench, contact, None, min(args.count, 30))  # warm-up
        for round_no in range(1, args.rounds + 1):
            await chain(bench, contact, costs, args.count)
            print(
                f"  round {round_no}: "
                + ", ".join(f"{n} {c.cpu[-1]:.2f} ms CPU/{c.statements[-1]:g} st" for n, c in costs.items())
            )
    finally:
        await bench.close()
    return costs


def report(costs: dict[str, Cost]) -> None:
    print()
    print(
        f"{'mutation':16} {'CPU ms':>7} {'min CPU':>8} {'wall ms':>8} {'stmts':>6}"
        f" {'before CPU':>11} {'before st':>10}"
    )
    for name, c in costs.items():
        cpu, wall, statements = (statistics.median(x) for x in (c.cpu, c.wall, c.statements))
        before = BEFORE.get(name)
        was = f"{before[0]:11.2f} {before[2]:10g}" if before else f"{'-':>11} {'-':>10}"
        print(f"{name:16} {cpu:7.2f} {min(c.cpu):8.2f} {wall:8.2f} {statements:6g} {was}")


async def admin_key(url: str) -> str:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            key = await create_key(session, name=unique_name("writes"), role="ADMIN", salesperson_code=None)
            await session.commit()
    finally:
        await engine.dispose()
    return key


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", help="a seeded database to reuse (not dropped)")
    parser.add_argument("--count", type=int, default=300, help="chains per round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (after a warm-up)")
    args = parser.parse_args()
    database = args.database or unique_name("sg_bench_writes")
    try:
        if args.database:
            url = with_database(args.server, database)
        else:
            url, _ = await seed_database(args.server, database, 1)
        costs = await run(url, await admin_key(url), args)
    finally:
        if not args.database:
            await drop_database(args.server, database)
    report(costs)


if __name__ == "__main__":
    asyncio.run(main())
