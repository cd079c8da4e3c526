"""The demo histories obey the domain's rules: entries, estimates and tasks (domain.md §2-§4)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import RowMapping

from models.date_formula import calc_date
from resolvers.demo.generate import ENTRY_COLUMNS, generate_demo
from tests.support.seeding import (
    TODAY,
    Seeded,
    entries_by_opportunity,
    fetch,
    scalar,
    seeded_database,
    stages_by_cycle,
)

# The seeded data set lives in a database of the module's own.
pytestmark = pytest.mark.own_database

TASK_ACTIONS = ("STARTED", "NEXT", "PREVIOUS", "JUMPED")


@pytest.fixture(scope="module")
async def seeded(pg_url: str, template_db: str) -> AsyncIterator[Seeded]:
    """One scale-1 seed shared by the read-only tests of this module."""
    async with seeded_database(pg_url, template_db) as db:
        yield db


# --- entry chains (domain.md §2) -------------------------------------------------------------


async def test_each_started_opportunity_has_exactly_one_active_entry_the_last(
    seeded: Seeded,
) -> None:
    chains = await entries_by_opportunity(seeded.engine)
    for opp in await fetch(seeded.engine, "SELECT no, status FROM opportunity"):
        chain = chains.get(opp["no"], [])
        if opp["status"] == "NOT_STARTED":
            assert chain == [], opp["no"]
            continue
        assert [e["active"] for e in chain] == [False] * (len(chain) - 1) + [True], opp["no"]


async def test_entry_chains_start_on_the_lowest_stage_and_keep_dates_in_order(
    seeded: Seeded,
) -> None:
    stages = await stages_by_cycle(seeded.engine)
    chains = await entries_by_opportunity(seeded.engine)
    opportunities = {
        o["no"]: o for o in await fetch(seeded.engine, "SELECT no, creation_date FROM opportunity")
    }
    window_start = calc_date("-18M", TODAY)
    for no, chain in chains.items():
        first = chain[0]
        assert first["action_taken"] == "STARTED"
        assert first["sales_cycle_stage"] == stages[first["sales_cycle_code"]][0]["stage"]
        assert first["previous_sales_cycle_stage"] == 0
        assert window_start <= opportunities[no]["creation_date"] <= first["date_of_change"]
        assert chain[-1]["date_of_change"] <= TODAY
        for before, after in itertools.pairwise(chain):
            assert before["date_of_change"] <= after["date_of_change"], no
            assert before["days_open"] == (after["date_of_change"] - before["date_of_change"]).days
            assert after["previous_sales_cycle_stage"] == before["sales_cycle_stage"], no
            assert after["action_taken"] != "STARTED", no
        assert chain[-1]["days_open"] == 0
        assert all(e["estimated_close_date"] >= e["date_of_change"] for e in chain), no


async def test_stage_moves_follow_the_candidate_lists_and_the_quote_rule(seeded: Seeded) -> None:
    e = seeded.engine
    stages = await stages_by_cycle(e)
    documents = {
        r["no"]: r
        for r in await fetch(
            e,
            "SELECT o.no, o.sales_quote_no, o.sales_order_no, q.document_date AS quote_date"
            " FROM opportunity o LEFT JOIN sales_quote q ON q.no = o.sales_quote_no",
        )
    }
    actions: Counter[str] = Counter()
    for no, chain in (await entries_by_opportunity(e)).items():
        for entry in chain[1:]:
            action = entry["action_taken"]
            if action in ("WON", "LOST"):
                continue
            actions[action] += 1
            numbers = [s["stage"] for s in stages[entry["sales_cycle_code"]]]
            cur = numbers.index(entry["previous_sales_cycle_stage"])
            target = numbers.index(entry["sales_cycle_stage"])
            if action == "NEXT":
                assert target == cur + 1, no
            elif action == "PREVIOUS":
                assert target == cur - 1, no
            elif action == "UPDATED":
                assert target == cur, no
            elif target > cur:  # JUMPED forward: a Skip over skippable stages only
                assert target > cur + 1, no
                passed = stages[entry["sales_cycle_code"]][cur + 1 : target]
                assert all(s["allow_skip"] for s in passed), no
            else:  # JUMPED back
                assert target < cur - 1, no
            entered = stages[entry["sales_cycle_code"]][target]
            if target > cur and entered["quote_required"]:
                doc = documents[no]
                assert doc["sales_quote_no"] or doc["sales_order_no"], no
                if doc["quote_date"] is not None:
                    assert doc["quote_date"] <= entry["date_of_change"], no
    assert set(actions) == {"NEXT", "PREVIOUS", "UPDATED", "JUMPED"}


async def test_entries_copy_the_opportunity_and_its_contact(seeded: Seeded) -> None:
    mismatches = await scalar(
        seeded.engine,
        "SELECT count(*) FROM opportunity_entry e JOIN opportunity o ON o.no = e.opportunity_no"
        " WHERE (e.sales_cycle_code, e.contact_no, e.salesperson_code)"
        "  IS DISTINCT FROM (o.sales_cycle_code, o.contact_no, o.salesperson_code)"
        " OR e.contact_company_no IS DISTINCT FROM o.contact_company_no"
        " OR e.campaign_no IS DISTINCT FROM o.campaign_no",
    )
    assert mismatches == 0


# --- estimates (domain.md §3) ----------------------------------------------------------------

EXPECTED_PROBABILITY = """
    CASE c.probability_calculation
        WHEN 'MULTIPLY' THEN round(e.chances_of_success_pct * e.completed_pct / 100, 4)
        WHEN 'ADD' THEN round((e.chances_of_success_pct + e.completed_pct) / 2, 4)
        WHEN 'CHANCES_OF_SUCCESS' THEN e.chances_of_success_pct
        WHEN 'COMPLETED' THEN e.completed_pct
    END"""


async def test_open_entries_follow_the_cycles_probability_method(seeded: Seeded) -> None:
    rows = await fetch(
        seeded.engine,
        "SELECT c.probability_calculation AS method, count(*) AS n,"
        f" count(*) FILTER (WHERE e.probability_pct <> {EXPECTED_PROBABILITY}) AS bad_p,"
        " count(*) FILTER (WHERE e.calculated_current_value"
        "   <> round(e.estimated_value * e.probability_pct / 100, 2)) AS bad_value,"
        " count(*) FILTER (WHERE e.completed_pct <> s.completed_pct"
        "   OR e.sales_cycle_stage_description <> s.description) AS bad_stage,"
        " count(*) FILTER (WHERE e.action_taken = 'JUMPED'"
        "   AND e.chances_of_success_pct <> s.chances_of_success_pct) AS bad_forced_chances,"
        " count(*) FILTER (WHERE e.chances_of_success_pct <= 0) AS bad_chances"
        " FROM opportunity_entry e JOIN sales_cycle c ON c.code = e.sales_cycle_code"
        " JOIN sales_cycle_stage s"
        "   ON (s.sales_cycle_code, s.stage) = (e.sales_cycle_code, e.sales_cycle_stage)"
        " WHERE e.action_taken NOT IN ('WON', 'LOST') GROUP BY 1",
    )
    assert {r["method"] for r in rows} == {"MULTIPLY", "ADD", "CHANCES_OF_SUCCESS", "COMPLETED"}
    for r in rows:
        assert r["n"] > 50, r
        assert (r["bad_p"], r["bad_value"], r["bad_stage"]) == (0, 0, 0), r
        assert (r["bad_forced_chances"], r["bad_chances"]) == (0, 0), r


async def test_closing_entries_are_on_stage_zero_with_the_outcomes_percentages(
    seeded: Seeded,
) -> None:
    e = seeded.engine
    chains = await entries_by_opportunity(e)
    codes = {r["code"]: r["type"] for r in await fetch(e, "SELECT * FROM close_opportunity_code")}
    totals = {
        r["no"]: r["total"]
        for r in await fetch(
            e,
            "SELECT o.no, coalesce(sum(ql.amount), sum(ol.amount)) AS total FROM opportunity o"
            " LEFT JOIN sales_quote_line ql ON ql.quote_no = o.sales_quote_no"
            " LEFT JOIN sales_order_line ol ON ol.order_no = o.sales_order_no"
            " WHERE o.sales_quote_no IS NOT NULL OR o.sales_order_no IS NOT NULL GROUP BY o.no",
        )
    }
    closed = 0
    for no, chain in chains.items():
        last = chain[-1]
        for entry in chain[:-1]:
            assert entry["action_taken"] not in ("WON", "LOST"), no
            assert entry["date_closed"] is None
            assert entry["close_opportunity_code"] is None
        if last["action_taken"] not in ("WON", "LOST"):
            continue
        closed += 1
        date = last["date_of_change"]
        assert last["sales_cycle_stage"] == 0
        assert last["previous_sales_cycle_stage"] == chain[-2]["sales_cycle_stage"]
        assert last["sales_cycle_stage_description"] == ""
        assert last["date_closed"] == last["estimated_close_date"] == date
        assert last["estimated_value"] == chain[-2]["estimated_value"]
        assert codes[last["close_opportunity_code"]] == last["action_taken"]
        pcts = (last["completed_pct"], last["chances_of_success_pct"], last["probability_pct"])
        if last["action_taken"] == "WON":
            assert pcts == (100, 100, 100)
            assert last["calculated_current_value"] > 0
            if no in totals:
                assert last["calculated_current_value"] == totals[no], no
        else:
            assert pcts == (100, 0, 0)
            assert last["calculated_current_value"] == 0
    assert closed > 200


async def test_some_estimated_close_dates_lie_in_the_future(seeded: Seeded) -> None:
    future = await scalar(
        seeded.engine,
        "SELECT count(*) FROM opportunity_entry WHERE active AND estimated_close_date > :today",
        today=TODAY,
    )
    assert future >= 50


# --- tasks (domain.md §4) ----------------------------------------------------------------------


async def test_tasks_come_from_the_entered_stages_activity(seeded: Seeded) -> None:
    e = seeded.engine
    steps: dict[str, list[RowMapping]] = defaultdict(list)
    for step in await fetch(e, "SELECT * FROM activity_step ORDER BY step_no"):
        steps[step["activity_code"]].append(step)
    entries = {
        r["entry_no"]: r
        for r in await fetch(
            e,
            "SELECT e.*, s.activity_code FROM opportunity_entry e LEFT JOIN sales_cycle_stage s"
            " ON (s.sales_cycle_code, s.stage) = (e.sales_cycle_code, e.sales_cycle_stage)",
        )
    }
    tasks_by_entry: dict[int, list[RowMapping]] = defaultdict(list)
    for task in await fetch(e, "SELECT * FROM task ORDER BY no"):
        tasks_by_entry[task["opportunity_entry_no"]].append(task)
        assert task["system_task_type"] == "ORGANIZER"
    for entry_no, entry in entries.items():
        activity = entry["activity_code"]
        generates = activity is not None and entry["action_taken"] in TASK_ACTIONS
        tasks = tasks_by_entry.pop(entry_no, [])
        if not generates:
            assert tasks == [], entry_no
            continue
        assert len(tasks) == len(steps[activity]), entry_no
        for task, step in zip(tasks, steps[activity], strict=True):
            assert task["date"] == calc_date(step["date_formula"], entry["date_of_change"])
            assert (task["type"], task["priority"], task["description"]) == (
                step["type"],
                step["priority"],
                step["description"],
            )
            assert task["opportunity_no"] == entry["opportunity_no"]
            for column in ("salesperson_code", "contact_no", "contact_company_no", "campaign_no"):
                assert task[column] == entry[column], (entry_no, column)
    assert tasks_by_entry == {}


async def test_task_states_are_consistent(seeded: Seeded) -> None:
    e = seeded.engine
    rows = await fetch(
        e,
        "SELECT t.*, o.status AS opp_status, o.date_closed AS opp_closed"
        " FROM task t JOIN opportunity o ON o.no = t.opportunity_no",
    )
    states = Counter(
        "canceled" if t["canceled"] else "completed" if t["closed"] else "open" for t in rows
    )
    assert min(states.values()) >= 100, states
    for t in rows:
        if t["closed"]:
            assert t["status"] == "COMPLETED"
            assert t["date_closed"] <= TODAY
        else:
            assert t["status"] == "NOT_STARTED"
            assert t["date_closed"] is None
            assert t["opp_status"] == "IN_PROGRESS", t["no"]
        if t["canceled"] and t["opp_closed"] is not None:
            assert t["date_closed"] <= t["opp_closed"]
    closed_opp_open_tasks = await scalar(
        e,
        "SELECT count(*) FROM task t JOIN opportunity o ON o.no = t.opportunity_no"
        " WHERE o.closed AND NOT t.closed",
    )
    assert closed_opp_open_tasks == 0


# --- the generator goes through the rules ------------------------------------------------------


@pytest.mark.parametrize(
    ("rng_seed", "today"),
    [(1, dt.date(2024, 2, 29)), (2, dt.date(2025, 12, 31)), (3, dt.date(2026, 1, 31))],
)
def test_generation_draws_only_inputs_the_rules_accept(rng_seed: int, today: dt.date) -> None:
    # Every entry comes from plan_first_stage, plan_stage_change or plan_close: a DomainError
    # from any of them would end the generation.
    data = generate_demo(scale=1, today=today, rng_seed=rng_seed)
    entries = data.table("opportunity_entry").rows
    actions = Counter(str(row[ENTRY_COLUMNS.index("action_taken")]) for row in entries)
    assert set(actions) == {"STARTED", "NEXT", "PREVIOUS", "UPDATED", "JUMPED", "WON", "LOST"}
    dates = [row[ENTRY_COLUMNS.index("date_of_change")] for row in entries]
    assert all(isinstance(d, dt.date) and d <= today for d in dates)
