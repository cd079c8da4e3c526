"""The world of the row-scoping tests (api.md §7.1): master data shared by two salespeople, SP1
and SP2, who each own the same set of rows, and a way to run a query as any viewer.

Each salesperson ``SPt`` (t = 1, 2) owns, with values and durations scaled by t so that their
figures differ:

* opportunities ``OAt`` (in progress on stage 2, quote ``QLt`` linked), ``OWt`` (won, order
  ``RLt`` linked), ``OLt`` (lost), ``ONt`` (not started); all of the shared person P1 or its
  company C1, cycle CYC, campaign CMP. Their keys interleave (OA1, OA2, OL1, …) so that a
  salesperson's rows are never one block of the full list;
* their entries (stage 1 then stage 2, won or lost);
* tasks ``TAt`` (on ``OAt``, its active entry) and ``TBt`` (no opportunity);
* quotes ``QLt`` (linked to ``OAt`` but naming the *other* salesperson: the link decides) and
  ``QUt`` (unlinked, its own salesperson); orders ``RLt`` (linked to ``OWt``, no salesperson)
  and ``RUt`` (unlinked, its own salesperson).

:func:`given_cross_rows` adds a task of each salesperson on the other's opportunity (``XAt``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from graph.context import Context
from graph.schema import schema
from models import ActionTaken, CloseOutcome, OpportunityEntry, OpportunityStatus
from resolvers.session import SessionFactory
from resolvers.viewer import Role, Viewer
from tests.support import builders as b
from tests.support import factories as f

DAY = f.DAY
SP1 = Viewer(Role.SALESPERSON, "SP1", "sp1-key")
SP2 = Viewer(Role.SALESPERSON, "SP2", "sp2-key")
ADMIN = Viewer(Role.ADMIN, None, "admin-key")
MANAGER = Viewer(Role.MANAGER, None, "manager-key")
READ_ONLY = Viewer(Role.READ_ONLY, None, "partner-key")
ANONYMOUS = Viewer()
#: The roles that read every row.
EVERYTHING = [ADMIN, MANAGER, READ_ONLY, ANONYMOUS]

KINDS = ("A", "L", "N", "W")


def other(t: int) -> int:
    return 3 - t


def opportunities_of(*owners: int) -> list[str]:
    return sorted(f"O{kind}{t}" for kind in KINDS for t in owners)


def tasks_of(*owners: int) -> list[str]:
    return sorted(f"T{kind}{t}" for kind in "AB" for t in owners)


def quotes_of(*owners: int) -> list[str]:
    return sorted(f"Q{kind}{t}" for kind in "LU" for t in owners)


def orders_of(*owners: int) -> list[str]:
    return sorted(f"R{kind}{t}" for kind in "LU" for t in owners)


async def given_master_data(sessions: SessionFactory) -> None:
    """Both salespeople, company C1 with person P1, cycle CYC (3 stages), campaign CMP, close codes."""
    await b.insert(
        sessions,
        f.salesperson("SP1"),
        f.salesperson("SP2"),
        f.company("C1"),
        f.person("P1", "C1"),
        *f.cycle("CYC", stages=3),
        b.campaign("CMP", "SP2", activated=True),
        b.close_code("WIN", CloseOutcome.WON),
        b.close_code("LOSE", CloseOutcome.LOST),
    )


async def given_rows_of(sessions: SessionFactory, t: int) -> None:
    """Everything salesperson ``SPt`` owns (see the module docstring)."""
    code, scale = f"SP{t}", Decimal(t)
    c1, p1 = f.company("C1"), f.person("P1", "C1")
    active = f.opportunity(
        f"OA{t}", p1, code, "CYC", campaign_no="CMP", sales_quote_no=f"QL{t}",
        status=OpportunityStatus.IN_PROGRESS,
    )  # fmt: skip
    won = f.opportunity(
        f"OW{t}", c1, code, "CYC", campaign_no="CMP", sales_order_no=f"RL{t}",
        **b.closed(OpportunityStatus.WON, DAY + dt.timedelta(days=5 * t)),
    )  # fmt: skip
    lost_on = DAY + dt.timedelta(days=2 * t)
    lost = f.opportunity(f"OL{t}", p1, code, "CYC", **b.closed(OpportunityStatus.LOST, lost_on))
    idle = f.opportunity(f"ON{t}", c1, code, "CYC")
    current = f.entry(
        active, 2, str(1000 * scale), action_taken=ActionTaken.NEXT, previous_sales_cycle_stage=1,
        date_of_change=DAY + dt.timedelta(days=3 * t),
    )  # fmt: skip
    await b.insert(
        sessions,
        *b.quote(f"QL{t}", "P1", ("1", str(100 * scale), "0"), salesperson_code=f"SP{other(t)}"),
        *b.quote(f"QU{t}", "C1", ("2", "10", "0"), salesperson_code=code),
        *b.order(f"RL{t}", "C1", ("1", str(500 * scale), "0"), quote_no=f"QX{t}"),
        *b.order(f"RU{t}", "C1", ("3", "10", "0"), salesperson_code=code),
        active, won, lost, idle,
        f.entry(active, 1, str(800 * scale), active=False, days_open=3 * t),
        current,
        f.entry(won, 1, str(500 * scale), active=False, days_open=5 * t),
        f.entry(
            won, 0, str(500 * scale), action_taken=ActionTaken.WON, previous_sales_cycle_stage=1,
            date_of_change=DAY + dt.timedelta(days=5 * t), date_closed=DAY + dt.timedelta(days=5 * t),
            close_opportunity_code="WIN",
        ),
        f.entry(lost, 1, str(300 * scale), active=False, days_open=2 * t),
        f.entry(
            lost, 0, str(300 * scale), action_taken=ActionTaken.LOST, previous_sales_cycle_stage=1,
            date_of_change=DAY + dt.timedelta(days=2 * t), date_closed=DAY + dt.timedelta(days=2 * t),
            close_opportunity_code="LOSE", calculated_current_value=Decimal(0),
        ),
    )  # fmt: skip
    await b.insert(
        sessions,
        b.task(f"TA{t}", salesperson_code=code, contact_no="P1", opportunity_no=f"OA{t}",
               opportunity_entry_no=current.entry_no),
        b.task(f"TB{t}", salesperson_code=code),
    )  # fmt: skip


async def given_cross_rows(sessions: SessionFactory) -> None:
    """A task of each salesperson on the other's in-progress opportunity and its first entry."""
    e = OpportunityEntry
    stmt = select(e.opportunity_no, e.entry_no).where(e.opportunity_no.in_(["OA1", "OA2"]), ~e.active)
    async with sessions() as session:
        firsts = dict((await session.execute(stmt)).all())
    await b.insert(
        sessions,
        *[
            b.task(f"XA{t}", salesperson_code=f"SP{t}", opportunity_no=f"OA{other(t)}",
                   opportunity_entry_no=firsts[f"OA{other(t)}"])
            for t in (1, 2)
        ],
    )  # fmt: skip


async def given_the_world(sessions: SessionFactory, *, cross: bool = True) -> None:
    await given_master_data(sessions)
    await given_rows_of(sessions, 1)
    await given_rows_of(sessions, 2)
    if cross:
        await given_cross_rows(sessions)


async def run(
    sessions: SessionFactory, viewer: Viewer, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``data`` of ``query`` executed as ``viewer``, failing on any error."""
    result = await schema.execute(
        query, variable_values=variables or {}, context_value=Context(sessions, "t", viewer=viewer)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def nos(connection: dict[str, Any], key: str = "no") -> list[Any]:
    return [node[key] for node in connection["nodes"]]
