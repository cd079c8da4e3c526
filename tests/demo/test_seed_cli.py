"""``salesgraph seed --demo`` as a user runs it: its progress on stderr, and Ctrl-C rolling it all back."""

from __future__ import annotations

import asyncio
import os
import pty
import re
import signal
import time
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.engine import create_engine
from tests.server.cli_process import cli_env, run_cli, salesgraph

# Seeding commits into a database the test owns, through another process.
pytestmark = pytest.mark.own_database

SCALE = "5"
OPPORTUNITIES = 5000
#: The seed's steps, in order: an interrupted step is the last one the seed reports.
STEPS = ("generating", "loading", "indexing", "analyzing")
#: A bound against a hang only, not a speed check (well under a second on an idle machine, over
#: 2 s on a loaded one): "at once" is proven by the step that was under way being the last one.
HANG_SECONDS = 30.0
STEP_LINE = re.compile(r"demo data: (\w+) (\d+)/(\d+) ([a-z ]+) \((\d+)%\)$")


async def scalar(engine: AsyncEngine, sql: str) -> Any:
    async with engine.connect() as conn:
        return await conn.scalar(text(sql))


async def database_state(db_url: str) -> dict[str, Any]:
    """What an interrupted seed must leave exactly as it was."""
    engine = create_engine(db_url)
    try:
        return {
            "revision": await scalar(engine, "SELECT version_num FROM alembic_version"),
            "rows": await scalar(
                engine,
                "SELECT (SELECT count(*) FROM opportunity) + (SELECT count(*) FROM contact)"
                " + (SELECT count(*) FROM opportunity_entry) + (SELECT count(*) FROM salesperson)",
            ),
            "indexes": await scalar(engine, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"),
            "foreign_keys": await scalar(engine, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"),
        }
    finally:
        await engine.dispose()


async def test_seed_reports_each_step_in_plain_lines_when_stderr_is_not_a_terminal(db_url: str) -> None:
    finished = await run_cli("seed", "--demo", "--scale", SCALE, env=cli_env(DATABASE_URL=db_url))

    assert finished.code == 0, finished.stderr
    assert "\r" not in finished.stderr
    progress = [m.groups() for line in finished.stderr.splitlines() if (m := STEP_LINE.search(line))]
    steps = list(dict.fromkeys(step for step, *_ in progress))
    assert steps == list(STEPS), finished.stderr
    for step in steps:
        counts = [(int(done), int(total)) for s, done, total, *_ in progress if s == step]
        assert counts[0][0] == 0, (step, counts)
        assert counts[-1][0] == counts[-1][1], (step, counts)
        assert [done for done, _ in counts] == sorted(done for done, _ in counts), (step, counts)
    assert ("generating", "0", str(OPPORTUNITIES), "opportunities", "0") in progress
    summary = re.search(r"demo data: (\d+) rows \(", finished.stderr)
    assert summary is not None, finished.stderr
    assert ("loading", summary[1], summary[1], "rows", "100") in progress
    engine = create_engine(db_url)
    try:
        assert await scalar(engine, "SELECT count(*) FROM opportunity") == OPPORTUNITIES
    finally:
        await engine.dispose()


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


async def test_seed_redraws_one_bar_per_step_on_a_terminal(db_url: str) -> None:
    # Given stderr on a terminal
    controller, terminal = pty.openpty()
    try:
        proc = await asyncio.create_subprocess_exec(
            salesgraph(),
            *("seed", "--demo"),
            env=cli_env(DATABASE_URL=db_url),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=terminal,
        )
        os.close(terminal)
        terminal = -1
        output = (await asyncio.wait_for(asyncio.to_thread(_read_all, controller), timeout=120)).decode()
        code = await asyncio.wait_for(proc.wait(), timeout=30)
    finally:
        os.close(controller)
        if terminal != -1:
            os.close(terminal)

    # Then each step is one line redrawn with \r, ending full
    assert code == 0, output
    lines = output.split("\n")
    for step in STEPS:
        (bar,) = [line for line in lines if f"demo data: {step}" in line]
        assert bar.count("\r") > 1, bar
        assert re.search(r"\[#{30}\] 100% (\d+)/\1 ", bar.rsplit("\r", 2)[-2]), bar


@pytest.mark.parametrize("step", ["generating", "loading"])
async def test_sigint_stops_the_seed_at_once_and_leaves_the_database_as_it_was(
    db_url: str, step: str
) -> None:
    # Given a seed under way, at the start of `step`: generating the rows, or COPYing them in
    before = await database_state(db_url)
    proc = await asyncio.create_subprocess_exec(
        salesgraph(),
        *("seed", "--demo", "--scale", SCALE),
        env=cli_env(DATABASE_URL=db_url),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    seen: list[str] = []
    try:
        while not any(f"demo data: {step} 0/" in line for line in seen):
            line = (await asyncio.wait_for(proc.stderr.readline(), timeout=120)).decode()
            assert line, "the seed ended before the step began:\n" + "".join(seen)
            seen.append(line)

        # When Ctrl-C arrives
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _, rest = await asyncio.wait_for(proc.communicate(), timeout=HANG_SECONDS)
        took = time.monotonic() - sent
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    stderr = "".join(seen) + rest.decode()
    print(f"SIGINT while {step}: exited {proc.returncode} after {took:.3f} s")

    # Then it exits 130 within the step it was in (no later step began), and nothing is left
    assert proc.returncode == 130, stderr
    later = STEPS[STEPS.index(step) + 1 :]
    begun = {m.group(1) for line in stderr.splitlines() if (m := STEP_LINE.search(line))}
    assert not begun & set(later), stderr
    assert "Traceback" not in stderr
    assert "demo data: interrupted; rolled back, nothing was loaded" in stderr
    assert await database_state(db_url) == before
    assert before["rows"] == 0
