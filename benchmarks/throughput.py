"""Issue 11's benchmark: salesgraph in production mode against the hand-written limit, in one run.

    python benchmarks/throughput.py [--scale 100] [--duration 10] [--connections 1,32]
                                    [--rounds 1] [--server postgresql://postgres@127.0.0.1:5432/postgres]

1. **Data**: the database ``bench_throughput_s<scale>`` on ``--server`` (``DATABASE_URL``'s
   server when set) is reused if complete, else seeded with ``salesgraph seed --demo --scale N``
   (the time it took is printed; scale 100 took 82 s on the 2-core machine). An ``ADMIN`` key is
   created for the run.
2. **Apps**, one worker process each: ``salesgraph serve`` (production mode: ``DATABASE_URL``, no
   ``--dev``, ``Authorization: Bearer <key>``, a cost bucket nothing can empty;
   ``SALESGRAPH_COMPILE_READS`` passes through from the environment, so both read paths can be
   compared) and ``benchmarks/limit_app.py`` under uvicorn (one SQL statement per read, a stage
   move in hand-written asyncpg statements).
3. **Counting phase**: both apps run behind ``benchmarks/wire_count.py``, a PostgreSQL protocol
   proxy that counts the statements (``Execute`` + ``Query`` messages) and round trips (``Sync``
   + ``Query``) each request sends, so "SQL statements per request" is measured on the wire for
   both apps alike, everything included (BEGIN/COMMIT, key check, bucket, pre-ping). Before
   counting, both apps must return the same ``data`` for ``nested`` and ``one`` (``one`` is the
   contact with the most opportunities), and the stage-move opportunities are proven: each must
   accept NEXT then PREVIOUS from both apps (``benchmarks/workloads.py``).
4. **Timing phase**: fresh app processes without the proxy, warmed up, then driven by ``wrk``
   (``benchmarks/wrk_run.py``) for ``--duration`` seconds per cell, at each ``--connections``,
   salesgraph and the limit interleaved (salesgraph, limit, salesgraph, … for ``--rounds``; the
   median round is reported) so that the noise of a shared machine falls on both. Every response
   is checked by the Lua script; a non-200, GraphQL ``errors`` or non-empty ``userErrors`` counts
   as an error (the table has the count: it must be 0). each app's resident memory is read from
   ``/proc`` right after its 32-connection ``nested`` run (issue 11: < 150 MB).

``ratio`` is salesgraph's req/s over the limit's in the same round. Absolute figures mean
nothing across runs or machines. A figure, not a test: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import processes, workloads
from benchmarks.processes import Server
from benchmarks.wire_count import WireCount
from benchmarks.workloads import STAGE_MOVE, Workload
from benchmarks.wrk_run import Result, check_wrk, lua_script, run_wrk

MOVES_PER_CONNECTION = 4


def _via(url: str, port: int) -> str:
    parts = urlsplit(url)
    user = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}"))


async def count_statements(
    proxy: WireCount,
    client: httpx.AsyncClient,
    server: Server,
    reads: list[Workload],
    moves: list[str],
    n: int,
) -> dict[str, tuple[float, float]]:
    """Statements and round trips per request of each workload, over ``n`` sequential requests."""
    counted: dict[str, tuple[float, float]] = {}
    for w in reads:
        await workloads.post(client, server.url, w.body(), server.headers)  # warm: prepared, cached
        proxy.reset()
        for _ in range(n):
            await workloads.post(client, server.url, w.body(), server.headers)
        counted[w.name] = (proxy.statements / n, proxy.round_trips / n)
    proxy.reset()
    pairs = max(1, n // 2)
    for i in range(pairs):
        for action in ("NEXT", "PREVIOUS"):
            body = STAGE_MOVE.body(no=moves[i % len(moves)], action=action)
            errors = workloads.move_errors(await workloads.post(client, server.url, body, server.headers))
            if errors:
                raise RuntimeError(f"stage move on {server.name}: {errors}")
    counted["move"] = (proxy.statements / (2 * pairs), proxy.round_trips / (2 * pairs))
    return counted


async def stages_of(url: str, nos: list[str]) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT opportunity_no, sales_cycle_stage FROM opportunity_entry "
            "WHERE active AND opportunity_no = ANY($1::text[])",
            nos,
        )
    finally:
        await conn.close()
    return {r["opportunity_no"]: r["sales_cycle_stage"] for r in rows}


async def move_back(url: str, limit: Server, start: dict[str, int]) -> None:
    """Opportunities a timed run left one stage up (stopped between NEXT and PREVIOUS) go back."""
    now = await stages_of(url, list(start))
    async with httpx.AsyncClient() as client:
        for no, stage in now.items():
            if stage != start[no]:
                body = STAGE_MOVE.body(no=no, action="PREVIOUS")
                errors = workloads.move_errors(await workloads.post(client, limit.url, body, {}))
                if errors:
                    raise RuntimeError(f"moving {no} back: {errors}")
    if await stages_of(url, list(start)) != start:
        raise RuntimeError("the stage-move opportunities did not return to their stages")


def run_seconds(args: argparse.Namespace, connections: int, latency_c1: float | None) -> float:
    """``--duration``, or longer for many connections to a slow app: long enough for each
    connection to finish about two requests at the 1-connection latency (a run shorter than one
    round of queued requests would measure nothing), at most ``--max-duration``."""
    if latency_c1 is None or connections == 1:
        return float(args.duration)
    return float(min(args.max_duration, max(args.duration, 2 * connections * latency_c1)))


def print_table(
    results: dict[tuple[str, int, str], list[Result]],
    counts: dict[str, dict[str, tuple[float, float]]],
    rss: dict[str, float],
) -> None:
    print(
        f"\n{'workload':9} {'c':>3} {'app':10} {'req/s':>8} {'p50 ms':>9} {'p99 ms':>9} "
        f"{'n':>6} {'err':>4} {'stmts (trips)/req':>18} {'ratio':>6}"
    )
    for (name, c, app), rounds in results.items():
        r = sorted(rounds, key=lambda x: x.rate)[len(rounds) // 2]
        ratio = ""
        if app == "salesgraph":
            limits = results.get((name, c, "limit"))
            if limits:
                pairs = [s.rate / lim.rate for s, lim in zip(rounds, limits, strict=False) if lim.rate]
                ratio = f"{statistics.median(pairs):.3f}" if pairs else "-"
        stmts, trips = counts[app][name]
        errors = sum(x.errors for x in rounds)
        print(
            f"{name:9} {c:>3} {app:10} {r.rate:>8.1f} {r.p50_ms:>9.1f} {r.p99_ms:>9.1f} "
            f"{sum(x.requests for x in rounds):>6} {errors:>4} {f'{stmts:g} ({trips:g})':>18} {ratio:>6}"
        )
        if errors:
            print(f"    first failure: {next(x.sample for x in rounds if x.sample)}")
    if rss:
        c = max(c for _, c, _ in results)
        print(
            f"\nRSS after the {c}-connection nested run: "
            + ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items())
        )


async def main(args: argparse.Namespace) -> None:
    started = time.monotonic()
    check_wrk()
    database = args.database or f"bench_throughput_s{args.scale}"
    seeded = await processes.prepare_database(args.server, database, args.scale)
    url = processes.with_database(args.server, database)
    print(
        f"database {database}: " + (f"seeded at scale {args.scale} in {seeded:.0f} s" if seeded else "reused")
    )
    key = processes.create_key(url, f"bench-{int(time.time())}")
    conn = await asyncpg.connect(url)
    try:
        one_contact = await workloads.contact_with_most_opportunities(conn)
        candidates = await workloads.move_candidates(conn, MOVES_PER_CONNECTION * max(args.connections) + 16)
    finally:
        await conn.close()
    reads = workloads.read_workloads(one_contact)
    compile_reads = os.environ.get("SALESGRAPH_COMPILE_READS", "(default)")
    print(f"one.graphql for {one_contact}; SALESGRAPH_COMPILE_READS={compile_reads}")
    logs = Path(tempfile.mkdtemp(prefix="bench-throughput-"))

    proxy = WireCount(port=urlsplit(url).port or 5432)
    counted_url = _via(url, proxy.start())
    counts: dict[str, dict[str, tuple[float, float]]] = {}
    with (
        processes.salesgraph_server(counted_url, key, logs / "salesgraph-counted.log") as sg,
        processes.limit_server(counted_url, logs / "limit-counted.log") as lim,
    ):
        apps = {"salesgraph": (sg.url, sg.headers), "limit": (lim.url, lim.headers)}
        async with httpx.AsyncClient() as client:
            await workloads.same_reads(client, apps, reads)
            print("nested and one: the same data from both apps")
            response = await client.post(sg.url, json=reads[0].body(), headers=sg.headers, timeout=120)
            print(f"salesgraph plan: {response.headers.get('x-salesgraph-plan', '(no header)')}")
            moves = await workloads.prove_moves(client, apps, candidates)
            print(f"stage moves: {len(moves)} of {len(candidates)} opportunities accept NEXT and PREVIOUS")
            for server in (sg, lim):
                counts[server.name] = await count_statements(proxy, client, server, reads, moves, args.count)
    proxy.stop()
    if len(moves) < max(args.connections):
        sys.exit(
            f"{len(moves)} opportunities for stage moves: too few for {max(args.connections)} connections"
        )
    start_stages = await stages_of(url, moves)

    script_dir = logs / "lua"
    script_dir.mkdir()
    results: dict[tuple[str, int, str], list[Result]] = {}
    rss: dict[str, float] = {}
    latency: dict[tuple[str, str], float] = {}
    with (
        processes.salesgraph_server(url, key, logs / "salesgraph.log") as sg,
        processes.limit_server(url, logs / "limit.log") as lim,
    ):
        async with httpx.AsyncClient() as client:
            for server in (sg, lim):
                for w in reads:
                    for _ in range(3):
                        await workloads.post(client, server.url, w.body(), server.headers)
        for w in [*reads, STAGE_MOVE]:
            for c in args.connections:
                for round_no in range(args.rounds):
                    for server in (sg, lim):
                        threads = c if w is STAGE_MOVE else min(c, 2)
                        slices = None
                        if w is STAGE_MOVE:
                            per = max(1, len(moves) // c)
                            slices = [moves[i * per : (i + 1) * per] or moves[:1] for i in range(c)]
                        script = script_dir / f"{w.name}-{c}-{server.name}.lua"
                        script.write_text(lua_script(w.body(), server.headers, slices))
                        seconds = run_seconds(args, c, latency.get((w.name, server.name)))
                        result = run_wrk(server.url, script, c, threads, seconds)
                        if c == 1:
                            latency[(w.name, server.name)] = result.p50_ms / 1000
                        server.wait_idle()
                        results.setdefault((w.name, c, server.name), []).append(result)
                        print(
                            f"  {w.name} c={c} round {round_no + 1} {server.name} ({seconds:.0f} s): "
                            f"{result.rate:.1f} req/s, "
                            f"p50 {result.p50_ms:.1f} ms, {result.errors} errors",
                            flush=True,
                        )
                        if w is STAGE_MOVE:
                            await move_back(url, lim, start_stages)
                        if w.name == "nested" and c == max(args.connections):
                            rss[server.name] = server.rss_mb()
    print_table(results, counts, rss)
    print(f"\n{time.monotonic() - started:.0f} s in all; logs in {logs}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--server", default=processes.with_database(default_server, "postgres"))
    parser.add_argument("--database", help="database name (default bench_throughput_s<scale>)")
    parser.add_argument("--scale", type=int, default=100, help="demo data scale (100)")
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run (10)")
    parser.add_argument(
        "--connections", type=lambda s: sorted(int(x) for x in s.split(",")), default=[1, 32], help="1,32"
    )
    parser.add_argument(
        "--max-duration", type=float, default=120, help="longest run for many connections (120)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds per cell (1)")
    parser.add_argument("--count", type=int, default=10, help="requests per workload when counting (10)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
