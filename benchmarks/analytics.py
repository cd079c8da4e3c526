"""Time the statistics and analytics queries on the benchmark data set (scale 100 by default).

    python benchmarks/analytics.py [--server postgresql://postgres@127.0.0.1:5432] [--scale 100]
                                   [--repeat 5] [--keep]

Creates the database ``sg_bench_analytics`` on the server (or reuses it when it already holds the
demo data of that scale), migrates and seeds it, then runs every query below through the GraphQL
app in-process and prints, per query, the median / min / max time of ``--repeat`` runs after one
warm-up, and the SQL statements one run executes. ``--keep`` leaves the database for the next run;
without it the database is dropped at the end. A figure, not a test: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models
from resolvers.demo.seed import seed_demo
from server.app import create_app
from server.engine import create_engine
from server.migrate import upgrade
from tests.support.pg import admin_execute, with_database

DATABASE = "sg_bench_analytics"
STATS = "noOfOpportunities estimatedValue calculatedCurrentValue averageEstimatedValue"
PIPELINE = STATS

#: (name, document, variables). The first page of each list, as a dashboard would ask for it.
QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "50 salespeople with statistics",
        f"{{ salespeople(first: 50) {{ nodes {{ code statistics {{ {STATS} }} }} }} }}",
        {},
    ),
    (
        "50 salespeople, open opportunities closing in 2025",
        f"""query($f: StatisticsFilter) {{ salespeople(first: 50) {{ nodes {{ code
              statistics(filter: $f) {{ {STATS} }} }} }} }}""",
        {
            "f": {
                "actionTaken": ["STARTED", "NEXT", "PREVIOUS", "UPDATED", "JUMPED"],
                "estimatedCloseDateFrom": "2025-01-01",
                "estimatedCloseDateTo": "2025-12-31",
            }
        },
    ),
    (
        "50 company contacts with statistics (persons included)",
        f"""{{ contacts(first: 50, filter: {{type: COMPANY}}) {{ nodes {{ no
              statistics {{ {STATS} }} }} }} }}""",
        {},
    ),
    (
        "campaigns with statistics",
        f"{{ campaigns(first: 50) {{ nodes {{ no statistics {{ {STATS} }} }} }} }}",
        {},
    ),
    (
        "sales cycles and stages with statistics",
        f"""{{ salesCycles(first: 50) {{ nodes {{ code statistics {{ {STATS} }}
              stages {{ stage statistics {{ noOfOpportunities estimatedValue averageNoOfDays }} }}
            }} }} }}""",
        {},
    ),
    (
        "close codes with their counts",
        "{ closeOpportunityCodes(first: 50) { nodes { code noOfOpportunities } } }",
        {},
    ),
    (
        "pipeline by salesperson and status",
        f"""{{ pipeline(groupBy: [SALESPERSON, STATUS]) {{ groups {{ key {{ salesperson {{ name }} status }}
              measures {{ {PIPELINE} }} }} total {{ {PIPELINE} }} }} }}""",
        {},
    ),
    (
        "pipeline by month of the estimated close date",
        f"""{{ pipeline(groupBy: [PERIOD], period: MONTH) {{ groups {{ key {{ periodStart }}
              measures {{ {PIPELINE} }} }} }} }}""",
        {},
    ),
    (
        "pipeline by sales cycle and stage, open only",
        f"""{{ pipeline(groupBy: [SALES_CYCLE, STAGE], filter: {{closed: false}}) {{ groups {{
              key {{ salesCycle {{ code }} stage }} measures {{ {PIPELINE} }} }} }} }}""",
        {},
    ),
    (
        "pipeline by salesperson and status, as of a year ago",
        f"""query($d: Date) {{ pipeline(groupBy: [SALESPERSON, STATUS], asOf: $d) {{ groups {{
              key {{ salespersonCode status }} measures {{ {PIPELINE} }} }} }} }}""",
        {"d": (dt.date.today() - dt.timedelta(days=365)).isoformat()},
    ),
    (
        "win rate by salesperson",
        """{ winRate(groupBy: SALESPERSON) { salesperson { name } won lost winRateByCount
              winRateByValue } }""",
        {},
    ),
    (
        "win rate by sales cycle, this year",
        """query($from: Date) { winRate(groupBy: SALES_CYCLE, from: $from) { salesCycle { code }
              winRateByCount winRateByValue } }""",
        {"from": dt.date(dt.date.today().year, 1, 1).isoformat()},
    ),
    *[
        (
            f"velocity and stage conversion of {cycle}",
            """query($c: String!) { velocity(salesCycleCode: $c) { averageDaysToClose medianDaysToClose
                  stages { stageNo averageDaysInStage medianDaysInStage } }
                stageConversion(salesCycleCode: $c) { stageNo reached converted conversionRate } }""",
            {"c": cycle},
        )
        for cycle in ("NEW", "EXISTING", "SMALL", "PROJECT")
    ],
    (
        "opportunities stalled over 30 days, first 50, with count",
        """{ opportunities(first: 50, filter: {stalledForDays: 30}) { totalCount
              nodes { no daysInCurrentStage } } }""",
        {},
    ),
]


async def prepare(server: str, scale: int) -> str:
    """The benchmark database, migrated and seeded at ``scale`` (reused when it already is)."""
    url = with_database(server, DATABASE)
    # A database kept from an earlier run (--keep) is reused below if it holds this scale's data.
    with contextlib.suppress(asyncpg.DuplicateDatabaseError):
        await admin_execute(server, f'CREATE DATABASE "{DATABASE}"')
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            opportunities = await conn.scalar(select(func.count()).select_from(models.Opportunity))
        if opportunities == 0:
            started = time.perf_counter()
            summary = await seed_demo(engine, scale=scale)
            print(f"seeded scale {scale}: {summary.total:,} rows in {time.perf_counter() - started:.1f} s")
        elif opportunities != 1000 * scale:
            raise SystemExit(f"{DATABASE} holds {opportunities} opportunities, not {1000 * scale}: drop it")
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return url


async def run(url: str, repeat: int) -> None:
    engine = create_engine(url)
    statements: list[str] = []

    def record(*_args: Any) -> None:
        statements.append("")

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    app = create_app(engine, dev=True)
    transport = httpx.ASGITransport(app=app)
    print(f"{'query':58} {'median':>9} {'min':>9} {'max':>9} {'SQL':>4}")
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, document, variables in QUERIES:
                times: list[float] = []
                for i in range(repeat + 1):
                    statements.clear()
                    started = time.perf_counter()
                    response = await client.post("/graphql", json={"query": document, "variables": variables})
                    elapsed = (time.perf_counter() - started) * 1000
                    body = response.json()
                    if "errors" in body:
                        raise SystemExit(f"{name}: {body['errors']}")
                    if i:  # the first run warms caches up
                        times.append(elapsed)
                print(
                    f"{name[:58]:58} {statistics.median(times):7.1f}ms {min(times):7.1f}ms "
                    f"{max(times):7.1f}ms {len(statements):4d}"
                )
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run")
    args = parser.parse_args()
    url = await prepare(args.server, args.scale)
    try:
        await run(url, args.repeat)
    finally:
        if not args.keep:
            await admin_execute(args.server, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
