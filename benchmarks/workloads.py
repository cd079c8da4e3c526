"""The benchmark's three workloads as requests to salesgraph and to the limit app, and the checks
that both answer alike.

``nested`` and ``one`` send the canonical documents of ``/work/shared/bench`` to both apps (the
limit app reads only ``operationName`` and ``variables``). The stage move sends salesgraph the
real ``updateOpportunityStage`` mutation and the limit app operation ``StageMove`` with the same
opportunity and action. Moves go NEXT then PREVIOUS on the same opportunity, so each pair leaves
it where it was: ``move_candidates`` picks in-progress opportunities for which both moves are legal
(a next stage exists and does not require a quote, no quote is linked) and ``prove_moves`` keeps
only those whose two moves both apps accept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

BENCH = Path("/work/shared/bench")

MOVE = """mutation StageMove($no: String!, $action: StageAction!) {
  updateOpportunityStage(input: {no: $no, action: $action}) {
    opportunity { no version }
    entry { entryNo }
    userErrors { code message }
  }
}"""


@dataclass(frozen=True)
class Workload:
    name: str
    operation: str
    document: str
    variables: dict[str, Any]

    def body(self, **variables: Any) -> dict[str, Any]:
        return {
            "query": self.document,
            "operationName": self.operation,
            "variables": {**self.variables, **variables},
        }


def read_workloads(one_contact: str) -> list[Workload]:
    """``nested`` with its default variables, ``one`` for ``one_contact``."""
    return [
        Workload(
            "nested", "Nested", (BENCH / "nested.graphql").read_text(), {"contacts": 50, "opportunities": 10}
        ),
        Workload("one", "One", (BENCH / "one.graphql").read_text(), {"no": one_contact}),
    ]


STAGE_MOVE = Workload("move", "StageMove", MOVE, {})


async def contact_with_most_opportunities(conn: asyncpg.Connection) -> str:
    no: str = await conn.fetchval(
        "SELECT contact_no FROM opportunity GROUP BY contact_no ORDER BY count(*) DESC, contact_no LIMIT 1"
    )
    return no


async def move_candidates(conn: asyncpg.Connection, limit: int) -> list[str]:
    """In-progress opportunities whose NEXT and then PREVIOUS should both be legal, spread over
    the data set (every k-th by number)."""
    rows = await conn.fetch(
        """
        SELECT o.no
        FROM opportunity o
        JOIN opportunity_entry e ON e.opportunity_no = o.no AND e.active
        JOIN sales_cycle_stage cur ON cur.sales_cycle_code = o.sales_cycle_code
                                  AND cur.stage = e.sales_cycle_stage
        JOIN LATERAL (
          SELECT s.* FROM sales_cycle_stage s
          WHERE s.sales_cycle_code = o.sales_cycle_code AND s.stage > e.sales_cycle_stage
          ORDER BY s.stage LIMIT 1
        ) nxt ON true
        WHERE o.status = 'IN_PROGRESS' AND o.sales_quote_no IS NULL AND o.sales_order_no IS NULL
          AND NOT nxt.quote_required AND nxt.chances_of_success_pct > 0
          AND cur.chances_of_success_pct > 0 AND e.estimated_value > 0
          AND e.date_of_change <= current_date
        ORDER BY o.no
        """
    )
    nos = [r["no"] for r in rows]
    step = max(1, len(nos) // max(1, limit))
    return nos[::step][:limit]


def move_errors(answer: dict[str, Any]) -> list[str]:
    """What went wrong with a stage move's answer (GraphQL errors or user errors); empty if fine."""
    if answer.get("errors"):
        return [e.get("message", "?") for e in answer["errors"]]
    move = (answer.get("data") or {}).get("updateOpportunityStage") or {}
    return [f"{e['code']}: {e['message']}" for e in move.get("userErrors", ["no payload"])]


async def post(client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    response = await client.post(url, json=body, headers=headers, timeout=120)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}: {response.text[:500]}")
    return response.json()


async def same_reads(
    client: httpx.AsyncClient, apps: dict[str, tuple[str, dict[str, str]]], workloads: list[Workload]
) -> dict[str, Any]:
    """Each read from every app; raises unless every app's ``data`` is the same (as parsed JSON).
    Returns the common ``data`` of each workload."""
    common: dict[str, Any] = {}
    for w in workloads:
        answers = {name: await post(client, url, w.body(), headers) for name, (url, headers) in apps.items()}
        for name, answer in answers.items():
            if answer.get("errors") or answer.get("data") is None:
                raise RuntimeError(f"{w.name} on {name}: {json.dumps(answer)[:500]}")
        datas = {name: json.dumps(a["data"], sort_keys=True) for name, a in answers.items()}
        if len(set(datas.values())) != 1:
            raise RuntimeError(f"{w.name}: the apps answer differently: {_first_difference(answers)}")
        common[w.name] = next(iter(answers.values()))["data"]
    return common


def _first_difference(answers: dict[str, Any]) -> str:
    (a_name, a), (b_name, b) = list(answers.items())[:2]

    def walk(x: Any, y: Any, path: str) -> str | None:
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                found = walk(x.get(k), y.get(k), f"{path}.{k}")
                if found:
                    return found
            return None
        if isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                return f"{path}: {len(x)} items on {a_name}, {len(y)} on {b_name}"
            for i, (p, q) in enumerate(zip(x, y, strict=True)):
                found = walk(p, q, f"{path}[{i}]")
                if found:
                    return found
            return None
        return None if x == y else f"{path}: {x!r} on {a_name}, {y!r} on {b_name}"

    return walk(a["data"], b["data"], "data") or "?"


async def prove_moves(
    client: httpx.AsyncClient, apps: dict[str, tuple[str, dict[str, str]]], candidates: list[str]
) -> list[str]:
    """The candidates whose NEXT and PREVIOUS every app accepts (each app moves each candidate
    forth and back, so all end where they started)."""
    proven = []
    for no in candidates:
        ok = True
        for url, headers in apps.values():
            for action in ("NEXT", "PREVIOUS"):
                errors = move_errors(await post(client, url, STAGE_MOVE.body(no=no, action=action), headers))
                if errors:
                    ok = False
                    break
            if not ok:
                break
        if ok:
            proven.append(no)
    return proven
