"""Each loader answers a batch of N keys with one statement, in key order, None/[] when missing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import models
from resolvers.reads.loaders import Loaders
from resolvers.reads.opportunity import opportunity_listing
from resolvers.reads.pagination import PageArgs
from resolvers.session import SessionFactory
from resolvers.viewer import Role, Viewer
from tests.conftest import StatementLog
from tests.support import factories as f

ADMIN = Viewer(Role.ADMIN)


async def given_data(sessions: SessionFactory) -> None:
    await f.add(sessions, f.salesperson("A"), f.salesperson("B"), *f.cycle("NEW", 3), *f.cycle("OLD", 2))
    await f.add(sessions, f.company("C1"), f.company("C2"))
    opps = [
        f.opportunity("OP1", f.company("C1"), "A", "NEW"),
        f.opportunity("OP2", f.company("C1"), "B", "NEW"),
        f.opportunity("OP3", f.company("C2"), "A", "OLD"),
    ]
    await f.add(sessions, *opps)
    await f.add(sessions, f.entry(opps[0], 1, "100"), f.entry(opps[2], 2, "300"))


KEYED: list[tuple[str, list[Any], Callable[[Any], Any]]] = [
    ("salesperson_by_code", ["B", "X", "A"], lambda r: r[0].code),
    ("contact_by_no", ["C2", "C1", "NOPE"], lambda r: r[0].no),
    ("sales_cycle_by_code", ["OLD", "NEW", "NONE"], lambda r: r[0].code),
    ("opportunity_by_no", ["OP3", "OP9", "OP1"], lambda r: r[0].no),
]


@pytest.mark.parametrize(("loader", "keys", "key_of"), KEYED)
async def test_key_loader_runs_one_statement_for_many_keys(
    sessions: SessionFactory,
    sql_log: StatementLog,
    loader: str,
    keys: list[Any],
    key_of: Callable[[Any], Any],
) -> None:
    await given_data(sessions)
    loaders = Loaders(sessions, ADMIN)
    sql_log.clear()

    rows = await asyncio.gather(*(getattr(loaders, loader).load(k) for k in keys))

    assert [None if r is None else key_of(r) for r in rows] == [
        k if k in ("A", "B", "C1", "C2", "NEW", "OLD", "OP1", "OP3") else None for k in keys
    ]
    assert sql_log.count == 1


async def test_opportunity_rows_carry_their_active_entry(sessions: SessionFactory) -> None:
    await given_data(sessions)

    loaders = Loaders(sessions, ADMIN)
    op1, op2 = await asyncio.gather(*(loaders.opportunity_by_no.load(k) for k in ["OP1", "OP2"]))

    assert op1[1].estimated_value == 100
    assert op2[1] is None


async def test_cycle_loader_primes_the_stage_lists(sessions: SessionFactory, sql_log: StatementLog) -> None:
    await given_data(sessions)
    loaders = Loaders(sessions, ADMIN)
    sql_log.clear()

    await asyncio.gather(loaders.sales_cycle_by_code.load("NEW"), loaders.sales_cycle_by_code.load("OLD"))
    new, old = await asyncio.gather(
        loaders.stages_by_sales_cycle.load("NEW"), loaders.stages_by_sales_cycle.load("OLD")
    )

    assert [r[0].stage for r in new] == [1, 2, 3]
    assert [r[0].stage for r in old] == [1, 2]
    assert sql_log.count == 1


async def test_group_loader_returns_empty_lists_for_parents_without_children(
    sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_data(sessions)
    loaders = Loaders(sessions, ADMIN)
    sql_log.clear()

    stages = await asyncio.gather(*(loaders.stages_by_sales_cycle.load(k) for k in ["OLD", "NONE", "NEW"]))

    assert [len(s) for s in stages] == [2, 0, 3]
    assert sql_log.count == 1


async def test_page_loader_pages_each_parent_in_one_statement(
    sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_data(sessions)
    loaders = Loaders(sessions, ADMIN)
    listing = opportunity_listing(None, [])
    loader = loaders.page_by(
        "OpportunitiesBySalesperson",
        None,
        lambda: listing,
        models.Opportunity.salesperson_code,
        PageArgs(first=1),
    )
    sql_log.clear()

    a, b, none = await asyncio.gather(loader.load("A"), loader.load("B"), loader.load("Z"))

    assert [r[0].no for r in a.rows] == ["OP1"]
    assert a.has_next_page
    assert [r[0].no for r in b.rows] == ["OP2"]
    assert not b.has_next_page
    assert none.rows == []
    assert sql_log.count == 1
