"""The demo data is what the API writes: seeded histories replay through the mutations entry for
entry (domain.md §2-§5), and the seeded database keeps the lifecycle's invariants."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from sqlalchemy import RowMapping, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from resolvers.demo.seed import seed_demo
from tests.conftest import GraphQLClient
from tests.support.seeding import (
    TODAY,
    Seeded,
    entries_by_opportunity,
    fetch,
    seeded_database,
    stages_by_cycle,
)

# Seeding commits, and the replay reads the seed through other connections.
pytestmark = pytest.mark.own_database

ERRORS = "userErrors { code field message }"
CREATE = f"""mutation($input: CreateOpportunityInput!) {{
  createOpportunity(input: $input) {{ opportunity {{ no }} {ERRORS} }} }}"""
ACTIVATE = f"""mutation($input: ActivateFirstStageInput!) {{
  activateFirstStage(input: $input) {{ opportunity {{ no }} {ERRORS} }} }}"""
STAGE = f"""mutation($input: UpdateOpportunityStageInput!) {{
  updateOpportunityStage(input: $input) {{ opportunity {{ no }} {ERRORS} }} }}"""
CLOSE = f"""mutation($input: CloseOpportunityInput!) {{
  closeOpportunity(input: $input) {{ opportunity {{ no }} {ERRORS} }} }}"""
QUOTE = f"""mutation($input: CreateSalesQuoteInput!) {{
  createSalesQuote(input: $input) {{ salesQuote {{ no }} {ERRORS} }} }}"""
ORDER = f"""mutation($input: MakeOrderFromQuoteInput!) {{
  makeOrderFromQuote(input: $input) {{ salesOrder {{ no }} {ERRORS} }} }}"""

#: Everything an entry records, and the tasks it generated (their states depend on the day
#: the tasks were cancelled, which the API takes from the clock).
HISTORY = """
SELECT e.sales_cycle_code, e.sales_cycle_stage, e.sales_cycle_stage_description,
       e.previous_sales_cycle_stage, e.action_taken, e.date_of_change, e.active, e.days_open,
       e.date_closed, e.estimated_value, e.calculated_current_value, e.completed_pct,
       e.chances_of_success_pct, e.probability_pct, e.close_opportunity_code,
       e.estimated_close_date, e.contact_no, e.contact_company_no, e.salesperson_code,
       e.campaign_no,
       (SELECT count(*) FROM task t WHERE t.opportunity_entry_no = e.entry_no) AS tasks,
       (SELECT string_agg(concat_ws(' | ', t.type, t.priority, t.description, t.date), '; ' ORDER BY t.no)
        FROM task t WHERE t.opportunity_entry_no = e.entry_no) AS task_details
FROM opportunity_entry e WHERE e.opportunity_no = :no ORDER BY e.entry_no"""
#: The opportunity's own fields, and its quote or order.
SUMMARY = """
SELECT o.description, o.status, o.priority, o.closed, o.date_closed, o.version, o.creation_date,
       o.contact_no, o.salesperson_code, o.campaign_no, o.sales_cycle_code,
       q.document_date AS quote_date, q.order_date AS quote_order_date,
       q.shipment_date AS quote_shipment_date,
       (SELECT sum(l.amount) FROM sales_quote_line l WHERE l.quote_no = q.no) AS quote_amount,
       s.document_date AS order_date_doc, s.order_date AS order_order_date,
       (SELECT sum(l.amount) FROM sales_order_line l WHERE l.order_no = s.no) AS order_amount
FROM opportunity o LEFT JOIN sales_quote q ON q.no = o.sales_quote_no
LEFT JOIN sales_order s ON s.no = o.sales_order_no WHERE o.no = :no"""
LINES = """
SELECT description, quantity, unit_price, line_discount_pct FROM sales_quote_line
WHERE quote_no = :quote UNION ALL
SELECT description, quantity, unit_price, line_discount_pct FROM sales_order_line
WHERE order_no = :order"""


def ok(data: dict[str, Any], field: str) -> dict[str, Any]:
    payload: dict[str, Any] = data[field]
    assert payload["userErrors"] == [], (field, payload["userErrors"])
    return payload


def stage_action(entry: RowMapping, numbers: list[int]) -> tuple[str, int | None]:
    """The Update action (and chosen stage) that records ``entry``'s action taken."""
    taken = entry["action_taken"]
    if taken == "STARTED":
        return "FIRST", None
    if taken == "UPDATED":
        return "UPDATE", None
    before = numbers.index(entry["previous_sales_cycle_stage"])
    after = numbers.index(entry["sales_cycle_stage"])
    stage = entry["sales_cycle_stage"]
    if taken == "NEXT":
        return ("NEXT", None) if after == before + 1 else ("SKIP", stage)
    if taken == "PREVIOUS":
        return ("PREVIOUS", None) if after == before - 1 else ("JUMP", stage)
    assert taken == "JUMPED", taken
    return ("SKIP", stage) if after > before else ("JUMP", stage)


def quote_point(history: Sequence[RowMapping], quote_required: set[int]) -> int:
    """Where the generator made the quote: just before the first move forward into a stage that
    requires one (Next and Skip check for it), else just before closing."""
    for i, entry in enumerate(history):
        stage = entry["sales_cycle_stage"]
        forward = entry["action_taken"] in ("NEXT", "JUMPED") and stage > entry["previous_sales_cycle_stage"]
        if forward and stage in quote_required:
            return i
    assert history[-1]["action_taken"] in ("WON", "LOST")
    return len(history) - 1


def features(opp: RowMapping, history: Sequence[RowMapping], numbers: list[int]) -> set[str]:
    found = {opp["status"], opp["sales_cycle_code"]}
    for entry in history:
        if entry["action_taken"] in ("WON", "LOST"):
            found.add(f"CLOSE_{entry['action_taken']}")
        elif entry["action_taken"] == "STARTED" and entry["estimated_value"] == 0:
            found.add("ACTIVATE")
        else:
            found.add(stage_action(entry, numbers)[0])
    if opp["sales_quote_no"]:
        found.add(f"QUOTE_{opp['status']}")
    if opp["sales_order_no"]:
        found.add("ORDER")
    return found


REQUIRED = {
    "NOT_STARTED", "IN_PROGRESS", "WON", "LOST", "NEW", "EXISTING", "SMALL", "PROJECT",
    "ACTIVATE", "FIRST", "NEXT", "PREVIOUS", "SKIP", "JUMP", "UPDATE", "CLOSE_WON", "CLOSE_LOST",
    "QUOTE_IN_PROGRESS", "QUOTE_WON", "QUOTE_LOST", "ORDER",
}  # fmt: skip


async def sample(engine: AsyncEngine, size: int) -> list[str]:
    """The first opportunity (by number) showing each of ``REQUIRED``, then the next ones up to
    ``size``; only those of salespeople who can still be given new opportunities."""
    stages = {code: [s["stage"] for s in rows] for code, rows in (await stages_by_cycle(engine)).items()}
    opportunities = await fetch(
        engine,
        "SELECT o.* FROM opportunity o JOIN salesperson sp ON sp.code = o.salesperson_code"
        " WHERE NOT sp.blocked ORDER BY o.no",
    )
    chains = await entries_by_opportunity(engine)
    found = {
        o["no"]: features(o, chains.get(o["no"], []), stages[o["sales_cycle_code"]]) for o in opportunities
    }
    chosen: list[str] = []
    for feature in sorted(REQUIRED):
        if not any(feature in found[no] for no in chosen):
            chosen.append(next(no for no, f in found.items() if feature in f and no not in chosen))
    chosen += [no for no in found if no not in chosen][: max(0, size - len(chosen))]
    assert set().union(*(found[no] for no in chosen)) >= REQUIRED
    return chosen


async def create_quote(gql: GraphQLClient, no: str, date: str, lines: Sequence[RowMapping]) -> str:
    quote_lines = [
        {
            "description": ln["description"],
            "quantity": str(ln["quantity"]),
            "unitPrice": str(ln["unit_price"]),
            "lineDiscountPct": str(ln["line_discount_pct"]),
        }
        for ln in lines
    ]
    data = await gql.query(
        QUOTE, {"input": {"opportunityNo": no, "documentDate": date, "lines": quote_lines}}
    )
    quote_no: str = ok(data, "createSalesQuote")["salesQuote"]["no"]
    return quote_no


async def replay(gql: GraphQLClient, engine: AsyncEngine, no: str) -> str:
    """Re-enter seeded opportunity ``no`` through the mutations, as a new opportunity."""
    (opp,) = await fetch(engine, "SELECT * FROM opportunity WHERE no = :no", no=no)
    history = await fetch(engine, HISTORY, no=no)
    cycle = (await stages_by_cycle(engine))[opp["sales_cycle_code"]]
    numbers = [s["stage"] for s in cycle]
    lines = await fetch(engine, LINES, quote=opp["sales_quote_no"], order=opp["sales_order_no"])
    data = await gql.query(
        CREATE,
        {
            "input": {
                "description": opp["description"],
                "contactNo": opp["contact_no"],
                "salespersonCode": opp["salesperson_code"],
                "salesCycleCode": opp["sales_cycle_code"],
                "campaignNo": opp["campaign_no"],
                "priority": opp["priority"],
                "creationDate": opp["creation_date"].isoformat(),
            }
        },
    )
    copy: str = ok(data, "createOpportunity")["opportunity"]["no"]
    documents = bool(opp["sales_quote_no"] or opp["sales_order_no"])
    quote_required = {s["stage"] for s in cycle if s["quote_required"]}
    make_quote_at = quote_point(history, quote_required) if documents else None
    quote_no = None
    for i, entry in enumerate(history):
        date = entry["date_of_change"].isoformat()
        if i == make_quote_at:
            quote_no = await create_quote(gql, copy, date, lines)
        taken = entry["action_taken"]
        code = entry["close_opportunity_code"]
        if taken in ("WON", "LOST") and opp["sales_order_no"]:
            order = {"quoteNo": quote_no, "closeOpportunityCode": code, "closingDate": date}
            ok(await gql.query(ORDER, {"input": order}), "makeOrderFromQuote")
        elif taken in ("WON", "LOST"):
            close: dict[str, Any] = {
                "no": copy,
                "outcome": taken,
                "closeOpportunityCode": code,
                "closingDate": date,
            }
            if taken == "WON":
                close["salesValue"] = str(entry["calculated_current_value"])
            ok(await gql.query(CLOSE, {"input": close}), "closeOpportunity")
        elif taken == "STARTED" and entry["estimated_value"] == 0:
            ok(await gql.query(ACTIVATE, {"input": {"no": copy, "dateOfChange": date}}), "activateFirstStage")
        else:
            action, stage = stage_action(entry, numbers)
            move = {
                "no": copy,
                "action": action,
                "stage": stage,
                "dateOfChange": date,
                "estimatedValue": str(entry["estimated_value"]),
                "chancesOfSuccessPct": str(entry["chances_of_success_pct"]),
                "estimatedCloseDate": entry["estimated_close_date"].isoformat(),
            }
            ok(await gql.query(STAGE, {"input": move}), "updateOpportunityStage")
    return copy


async def test_seeded_histories_replay_through_the_mutations_entry_for_entry(
    gql: GraphQLClient, engine: AsyncEngine
) -> None:
    # given: the demo data, and a sample of its opportunities covering every status, cycle,
    # stage action, closing, and quotes kept, won, lost and made into orders
    await seed_demo(engine, today=TODAY)
    chosen = await sample(engine, 24)
    assert len(chosen) == 24

    for no in chosen:
        # when: the same opportunity is entered again, move by move, through the API
        copy = await replay(gql, engine, no)

        # then: the API wrote the same history, figure for figure, with the same tasks
        seeded, replayed = await fetch(engine, HISTORY, no=no), await fetch(engine, HISTORY, no=copy)
        assert [dict(r) for r in replayed] == [dict(r) for r in seeded], no
        (before,) = await fetch(engine, SUMMARY, no=no)
        (after,) = await fetch(engine, SUMMARY, no=copy)
        assert dict(after) == dict(before), no
    async with engine.connect() as conn:
        assert await lifecycle_violations(conn) == NO_VIOLATIONS


# --- invariants of the seeded database ----------------------------------------------------------

CHAINS = """
SELECT c.* FROM (
    SELECT e.opportunity_no, e.entry_no, e.active, e.days_open, e.previous_sales_cycle_stage,
           e.sales_cycle_stage, e.action_taken, e.date_of_change, e.date_closed,
           lag(e.sales_cycle_stage) OVER w AS stage_before,
           lead(e.date_of_change) OVER w AS next_date, lead(e.entry_no) OVER w AS next_entry
    FROM opportunity_entry e WINDOW w AS (PARTITION BY e.opportunity_no ORDER BY e.entry_no)
) c
WHERE c.previous_sales_cycle_stage <> coalesce(c.stage_before, 0)
   OR c.days_open <> coalesce(c.next_date - c.date_of_change, 0)
   OR c.active <> (c.next_entry IS NULL)
   OR (c.action_taken = 'STARTED') <> (c.stage_before IS NULL)
   OR (c.action_taken IN ('WON', 'LOST'))
      <> (c.sales_cycle_stage = 0 AND c.active AND c.date_closed = c.date_of_change)
ORDER BY c.entry_no"""
STATUSES = """
SELECT o.no, o.status, o.closed, o.date_closed, e.action_taken FROM opportunity o
JOIN opportunity_entry e ON e.opportunity_no = o.no AND e.active
WHERE o.status <> CASE e.action_taken WHEN 'WON' THEN 'WON' WHEN 'LOST' THEN 'LOST'
                                      ELSE 'IN_PROGRESS' END
   OR o.closed <> (e.action_taken IN ('WON', 'LOST'))
   OR o.date_closed IS DISTINCT FROM e.date_closed
ORDER BY o.no"""
ACTIVE_ENTRIES = """
SELECT o.no, o.status, count(e.entry_no) AS entries,
       count(e.entry_no) FILTER (WHERE e.active) AS active
FROM opportunity o LEFT JOIN opportunity_entry e ON e.opportunity_no = o.no GROUP BY o.no, o.status
HAVING CASE WHEN o.status = 'NOT_STARTED' THEN count(e.entry_no) <> 0
            ELSE count(e.entry_no) FILTER (WHERE e.active) <> 1 END
ORDER BY o.no"""
NO_VIOLATIONS: dict[str, list[dict[str, Any]]] = {"active entries": [], "chains": [], "statuses": []}


async def lifecycle_violations(conn: AsyncConnection) -> dict[str, list[dict[str, Any]]]:
    """What breaks the lifecycle's invariants (domain.md §2.1, §2.2, §3.3): an active entry per
    started opportunity and no entry for the others; each entry's previous stage and days open
    follow from its neighbours, only the first is STARTED, and the closing entry is the last, on
    stage 0; the status, closed and date closed follow the active entry."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, sql in (("active entries", ACTIVE_ENTRIES), ("chains", CHAINS), ("statuses", STATUSES)):
        found[name] = [dict(r) for r in (await conn.execute(text(sql))).mappings()]
    return found


@pytest.fixture(scope="module")
async def seeded(pg_url: str, template_db: str) -> AsyncIterator[Seeded]:
    async with seeded_database(pg_url, template_db) as db:
        yield db


async def test_seeded_database_keeps_the_lifecycle_invariants(seeded: Seeded) -> None:
    statuses = await fetch(seeded.engine, "SELECT status, count(*) AS n FROM opportunity GROUP BY 1")
    assert {r["status"] for r in statuses if r["n"] >= 50} == {"NOT_STARTED", "IN_PROGRESS", "WON", "LOST"}
    async with seeded.engine.connect() as conn:
        assert await lifecycle_violations(conn) == NO_VIOLATIONS


async def test_the_invariant_check_reports_a_wrong_days_open(seeded: Seeded) -> None:
    async with seeded.engine.connect() as conn:
        # given: one inactive entry whose days open is a day off (in a transaction rolled back)
        entry_no = await conn.scalar(
            text("SELECT min(entry_no) FROM opportunity_entry WHERE NOT active AND days_open > 0")
        )
        await conn.execute(
            text("UPDATE opportunity_entry SET days_open = days_open + 1 WHERE entry_no = :no"),
            {"no": entry_no},
        )

        # when
        found = await lifecycle_violations(conn)
        await conn.rollback()

    # then: that entry, and nothing else
    assert [r["entry_no"] for r in found["chains"]] == [entry_no]
    assert (found["active entries"], found["statuses"]) == ([], [])
