"""Every ```graphql example of README.md runs, as written, against the demo data of ``serve --dev --demo``.

The blocks run in the README's order on one database seeded the way ``salesgraph serve --demo`` seeds
an empty one (scale 1, today's real date: a reader runs them today, so a pinned date would hide an
example that only works near the day it was written), because the lifecycle walkthrough's mutations
build on each other. Each block is posted as it is, without variables (a block's variables must have
defaults), and must give HTTP 200, no top-level ``errors`` and no non-empty ``userErrors`` anywhere.
The results the blocks' comments state are checked too: every comment in a block is either one of
``STATED`` (with the values it stands for) or one of ``EXPLANATIONS`` (it states no result).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.database import seed_demo_data
from server.engine import create_engine
from server.migrate import upgrade
from tests.support.pg import admin_execute, drop_database, unique_name, with_database

README = Path(__file__).parents[1] / "README.md"


@dataclass(frozen=True)
class Block:
    """A fenced ```graphql block: its text and the README line its fence opens on."""

    line: int
    text: str

    def comments(self) -> Iterator[str]:
        for line in self.text.splitlines():
            _, hash_, comment = line.partition("#")
            if hash_:
                yield "# " + comment.strip()


@dataclass(frozen=True)
class Stated:
    """A result a block's comment states: the comment as written, and what it means in the data.

    ``values`` maps a path into the block's ``data`` to the value found there; ``a[].b`` is the
    list of ``b`` of every item of ``a``.
    """

    comment: str
    values: Mapping[str, object]


_ACTIVATE = "activateFirstStage"
_ACTIONS = f"{_ACTIVATE}.opportunity.availableStageActions[]"
_MOVE = "updateOpportunityStage"
_CLOSE = "closeOpportunity"

STATED = (
    # The lifecycle walkthrough.
    Stated(
        "# EXAMPLE, MULTIPLY (the default)",
        {
            "createSalesCycle.salesCycle.code": "EXAMPLE",
            "createSalesCycle.salesCycle.probabilityCalculation": "MULTIPLY",
        },
    ),
    Stated(
        "# O, NOT_STARTED, 1",
        {
            "createOpportunity.opportunity.no": "O",
            "createOpportunity.opportunity.status": "NOT_STARTED",
            "createOpportunity.opportunity.version": 1,
        },
    ),
    Stated(
        '# 1, STARTED, "5" (10 × 50 / 100), 2024-01-17',
        {
            f"{_ACTIVATE}.entry.stageNo": 1,
            f"{_ACTIVATE}.entry.actionTaken": "STARTED",
            f"{_ACTIVATE}.entry.probabilityPct": "5",
            f"{_ACTIVATE}.entry.estimatedCloseDate": "2024-01-17",
        },
    ),
    Stated(
        "# dated 2024-01-10 and 2024-01-13 (INIT's steps)",
        {f"{_ACTIVATE}.createdTasks[].date": ["2024-01-10", "2024-01-13"]},
    ),
    Stated("# IN_PROGRESS", {f"{_ACTIVATE}.opportunity.status": "IN_PROGRESS"}),
    Stated(
        "# NEXT (the default) into 2, SKIP into 2, 3 or 4, UPDATE on 1; no blockers",
        {
            f"{_ACTIONS}.action": ["NEXT", "SKIP", "UPDATE"],
            f"{_ACTIONS}.isDefault": [True, False, False],
            f"{_ACTIONS}.stages[].stage": [[2], [2, 3, 4], [1]],
            f"{_ACTIONS}.blockers": [[], [], []],
        },
    ),
    Stated(
        '# 2, NEXT, "60" (stage 2\'s default), "24" (60 × 40 / 100), "2400.00"',
        {
            f"{_MOVE}.entry.stageNo": 2,
            f"{_MOVE}.entry.actionTaken": "NEXT",
            f"{_MOVE}.entry.chancesOfSuccessPct": "60",
            f"{_MOVE}.entry.probabilityPct": "24",
            f"{_MOVE}.entry.calculatedCurrentValue": "2400.00",
        },
    ),
    Stated("# 3", {f"{_MOVE}.opportunity.version": 3}),
    Stated(
        '# 4, JUMPED, "10000.00" (kept), "80" (stage 4\'s), "64" (80 × 80 / 100), "6400.00"',
        {
            f"{_MOVE}.entry.stageNo": 4,
            f"{_MOVE}.entry.actionTaken": "JUMPED",
            f"{_MOVE}.entry.estimatedValue": "10000.00",
            f"{_MOVE}.entry.chancesOfSuccessPct": "80",
            f"{_MOVE}.entry.probabilityPct": "64",
            f"{_MOVE}.entry.calculatedCurrentValue": "6400.00",
        },
    ),
    Stated("# 4", {f"{_MOVE}.opportunity.version": 4}),
    Stated(
        '# 0, WON, "9500.00", "100", 2024-02-01',
        {
            f"{_CLOSE}.entry.stageNo": 0,
            f"{_CLOSE}.entry.actionTaken": "WON",
            f"{_CLOSE}.entry.calculatedCurrentValue": "9500.00",
            f"{_CLOSE}.entry.probabilityPct": "100",
            f"{_CLOSE}.entry.dateClosed": "2024-02-01",
        },
    ),
    Stated(
        "# WON, true, 2024-02-01",
        {
            f"{_CLOSE}.opportunity.status": "WON",
            f"{_CLOSE}.opportunity.closed": True,
            f"{_CLOSE}.opportunity.dateClosed": "2024-02-01",
        },
    ),
    Stated(
        "# 1 STARTED 5, 2 NEXT 5, 4 JUMPED 12, 0 WON 0",
        {
            "opportunity.entries.nodes[].stageNo": [1, 2, 4, 0],
            "opportunity.entries.nodes[].actionTaken": ["STARTED", "NEXT", "JUMPED", "WON"],
            "opportunity.entries.nodes[].daysOpen": [5, 5, 12, 0],
        },
    ),
    Stated(
        "# 2024-01-10 and 2024-01-13, both cancelled",
        {
            "opportunity.tasks.nodes[].date": ["2024-01-10", "2024-01-13"],
            "opportunity.tasks.nodes[].canceled": [True, True],
        },
    ),
    # Setup and master data.
    Stated(
        '# PARTNER; 1 "1W", 2 ""',
        {
            "createSalesCycle.salesCycle.code": "PARTNER",
            "createSalesCycle.salesCycle.stages[].stage": [1, 2],
            "createSalesCycle.salesCycle.stages[].dateFormula": ["1W", ""],
        },
    ),
)

#: Comments that explain rather than state a result of the block.
EXPLANATIONS = frozenset({'# e.g. INVALID ["stages", "0", "dateFormula"]'})


def graphql_blocks(markdown: str) -> list[Block]:
    blocks: list[Block] = []
    opened: int | None = None
    lines: list[str] = []
    for number, line in enumerate(markdown.splitlines(), start=1):
        if opened is None:
            if line.strip() == "```graphql":
                opened, lines = number, []
        elif line.strip() == "```":
            blocks.append(Block(opened, "\n".join(lines)))
            opened = None
        else:
            lines.append(line)
    assert opened is None, f"README.md:{opened}: the ```graphql block is never closed"
    return blocks


def pick(data: Any, path: str) -> Any:
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        return [pick(item, rest) if rest else item for item in data[head.removesuffix("[]")]]
    return pick(data[head], rest) if rest else data[head]


def user_errors(value: Any, path: str = "data") -> Iterator[tuple[str, Any]]:
    """Every non-empty ``userErrors`` list in a response, with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "userErrors" and item:
                yield f"{path}.{key}", item
            yield from user_errors(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from user_errors(item, f"{path}[{index}]")


@pytest.fixture(scope="module")
async def demo(pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app over a database prepared as ``serve --demo`` prepares an empty one."""
    name = unique_name("sg_readme")
    await admin_execute(pg_url, f'CREATE DATABASE "{name}"')
    engine = create_engine(with_database(pg_url, name))
    try:
        await upgrade(engine)
        await seed_demo_data(engine, scale=1, only_if_empty=True)
        transport = httpx.ASGITransport(app=create_app(engine, dev=True))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await engine.dispose()
        await drop_database(pg_url, name)


def test_graphql_blocks_are_found_in_order_with_their_lines() -> None:
    markdown = "intro\n```graphql\n{ a }\n```\n```sh\nls\n```\n```graphql\n{ b }  # c\n```\n"

    blocks = graphql_blocks(markdown)

    assert blocks == [Block(2, "{ a }"), Block(8, "{ b }  # c")]
    assert list(blocks[1].comments()) == ["# c"]


def test_user_errors_are_found_at_any_depth_and_empty_ones_are_not() -> None:
    error = {"code": "NOT_FOUND", "field": ["no"], "message": "…"}
    data = {"a": {"userErrors": []}, "b": [{"c": {"userErrors": [error]}}]}

    assert list(user_errors(data)) == [("data.b[0].c.userErrors", [error])]


def test_every_comment_in_a_readme_block_is_checked_or_states_no_result() -> None:
    blocks = graphql_blocks(README.read_text(encoding="utf-8"))
    comments = [comment for block in blocks for comment in block.comments()]

    unchecked = [c for c in comments if c not in EXPLANATIONS and c not in {s.comment for s in STATED}]
    assert unchecked == []
    for stated in STATED:
        assert comments.count(stated.comment) == 1, stated.comment
    assert set(comments) >= EXPLANATIONS


@pytest.mark.own_database
async def test_every_graphql_example_in_the_readme_runs_against_the_demo_data(
    demo: httpx.AsyncClient,
) -> None:
    blocks = graphql_blocks(README.read_text(encoding="utf-8"))
    assert blocks, "README.md has no ```graphql block"

    for block in blocks:
        where = f"README.md:{block.line}"
        response = await demo.post("/graphql", json={"query": block.text})

        assert response.status_code == 200, f"{where}: {response.text}"
        body: dict[str, Any] = response.json()
        assert "errors" not in body, f"{where}: {body['errors']}"
        assert list(user_errors(body["data"])) == [], where
        for stated in STATED:
            if stated.comment in block.comments():
                found = {path: pick(body["data"], path) for path in stated.values}
                assert found == stated.values, f"{where}: {stated.comment}"
