"""updateTask and cancelTask through GraphQL (domain.md §1.10, §4; api.md §6): Maybe semantics,
completing (closes, dated today in the business time zone), reopening, and cancelling."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update

import models
from models import Priority, TaskStatus
from resolvers.session import SessionFactory
from resolvers.writes.transaction import today_in
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

TASK = "task { no description date priority status closed canceled dateClosed }"
ERRORS = "userErrors { code field message }"
UPDATE = f"mutation($input: UpdateTaskInput!) {{ updateTask(input: $input) {{ {TASK} {ERRORS} }} }}"
CANCEL = f"mutation($input: CancelTaskInput!) {{ cancelTask(input: $input) {{ {TASK} {ERRORS} }} }}"

#: Far from UTC, so that today there differs from today in UTC for part of every day.
ZONE = "Pacific/Kiritimati"
OLD_CLOSE = dt.date(2024, 1, 15)

Row = tuple[Any, ...]
Errors = list[tuple[str, list[str] | None]]


async def given_tasks(sessions: SessionFactory) -> None:
    """Open task T1 (recurring, of salesperson S), completed task T2 (closed 2024-01-15) and
    canceled task T3 (closed 2024-01-15), all due 2024-01-10; the setup's time zone is ZONE."""
    await b.insert(
        sessions,
        f.salesperson("S"),
        b.task("T1", salesperson_code="S", priority=Priority.LOW, recurring=True),
        b.task("T2", salesperson_code="S", status=TaskStatus.COMPLETED, closed=True, date_closed=OLD_CLOSE),
        b.task(
            "T3",
            salesperson_code="S",
            status=TaskStatus.COMPLETED,
            closed=True,
            canceled=True,
            date_closed=OLD_CLOSE,
        ),
    )
    async with sessions() as session, session.begin():
        await session.execute(update(models.Setup).values(time_zone=ZONE))


async def call(gql: GraphQLClient, document: str, **input: Any) -> dict[str, Any]:
    data = await gql.query(document, {"input": input})
    payload: dict[str, Any] = next(iter(data.values()))
    return payload


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    task: dict[str, Any] = payload["task"]
    return task


def refused(payload: dict[str, Any]) -> Errors:
    assert payload["task"] is None
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def rows(sessions: SessionFactory) -> dict[str, Row]:
    """Every task: (description, date, priority, status, closed, canceled, dateClosed, recurring)."""
    t = models.Task
    async with sessions() as session:
        result = await session.execute(
            select(
                t.no,
                t.description,
                t.date,
                t.priority,
                t.status,
                t.closed,
                t.canceled,
                t.date_closed,
                t.recurring,
            ).order_by(t.no)
        )
        return {r[0]: tuple(r[1:]) for r in result}


def today() -> str:
    return today_in(ZONE).isoformat()


# --- updateTask ------------------------------------------------------------------------------------


async def test_update_task_stores_the_given_fields(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_tasks(sessions)
    before = await rows(sessions)

    task = ok(
        await call(
            gql,
            UPDATE,
            no=" t1 ",
            status="IN_PROGRESS",
            date="2024-02-01",
            description=" Call back ",
            priority="HIGH",
        )
    )

    assert task == {
        "no": "T1",
        "description": "Call back",
        "date": "2024-02-01",
        "priority": "HIGH",
        "status": "IN_PROGRESS",
        "closed": False,
        "canceled": False,
        "dateClosed": None,
    }
    after = await rows(sessions)
    assert after["T1"] == (
        "Call back",
        dt.date(2024, 2, 1),
        Priority.HIGH,
        TaskStatus.IN_PROGRESS,
        False,
        False,
        None,
        True,
    )
    assert {k: after[k] for k in ("T2", "T3")} == {k: before[k] for k in ("T2", "T3")}


async def test_update_task_leaves_omitted_fields_unchanged_and_null_clears_the_description(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_tasks(sessions)
    before = (await rows(sessions))["T1"]

    ok(await call(gql, UPDATE, no="T1", priority="NORMAL"))
    assert (await rows(sessions))["T1"] == (before[0], before[1], Priority.NORMAL, *before[3:])

    task = ok(await call(gql, UPDATE, no="T1", description=None))
    assert task["description"] == ""
    assert (await rows(sessions))["T1"] == ("", before[1], Priority.NORMAL, *before[3:])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"no": "NOPE"}, [("NOT_FOUND", ["no"])]),
        ({"status": None}, [("REQUIRED", ["status"])]),
        ({"date": None}, [("REQUIRED", ["date"])]),
        ({"priority": None}, [("REQUIRED", ["priority"])]),
        ({"date": "1899-12-31"}, [("INVALID", ["date"])]),
        ({"date": "3000-01-01"}, [("INVALID", ["date"])]),
        ({"description": "D" * 101}, [("TOO_LONG", ["description"])]),
        (
            {"status": None, "date": "0001-01-01", "description": "D" * 101, "priority": None},
            [
                ("REQUIRED", ["status"]),
                ("INVALID", ["date"]),
                ("TOO_LONG", ["description"]),
                ("REQUIRED", ["priority"]),
            ],
        ),
    ],
)
async def test_update_task_refuses_a_broken_rule_and_writes_nothing(
    gql: GraphQLClient, sessions: SessionFactory, change: dict[str, Any], expected: Errors
) -> None:
    await given_tasks(sessions)
    before = await rows(sessions)

    errors = refused(await call(gql, UPDATE, **{"no": "T1", "status": "WAITING", **change}))

    assert errors == expected
    assert await rows(sessions) == before


@pytest.mark.parametrize("date", ["1900-01-01", "2999-12-31"])
async def test_update_task_takes_the_first_and_last_date(
    gql: GraphQLClient, sessions: SessionFactory, date: str
) -> None:
    await given_tasks(sessions)

    assert ok(await call(gql, UPDATE, no="T1", date=date))["date"] == date
    assert (await rows(sessions))["T1"][1] == dt.date.fromisoformat(date)


async def test_completing_a_task_closes_it_today_in_the_business_time_zone(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_tasks(sessions)

    task = ok(await call(gql, UPDATE, no="T1", status="COMPLETED"))

    assert (task["status"], task["closed"], task["canceled"], task["dateClosed"]) == (
        "COMPLETED",
        True,
        False,
        today(),
    )
    stored = (await rows(sessions))["T1"]
    assert stored[3:7] == (TaskStatus.COMPLETED, True, False, dt.date.fromisoformat(today()))


@pytest.mark.parametrize("no", ["T2", "T3"])
async def test_completing_a_closed_task_keeps_its_close(
    gql: GraphQLClient, sessions: SessionFactory, no: str
) -> None:
    await given_tasks(sessions)
    before = await rows(sessions)

    task = ok(await call(gql, UPDATE, no=no, status="COMPLETED"))

    assert task["dateClosed"] == OLD_CLOSE.isoformat()
    assert await rows(sessions) == before


@pytest.mark.parametrize(("no", "status"), [("T2", "WAITING"), ("T3", "NOT_STARTED"), ("T3", "POSTPONED")])
async def test_another_status_reopens_a_completed_or_canceled_task(
    gql: GraphQLClient, sessions: SessionFactory, no: str, status: str
) -> None:
    await given_tasks(sessions)

    task = ok(await call(gql, UPDATE, no=no, status=status))

    assert (task["status"], task["closed"], task["canceled"], task["dateClosed"]) == (
        status,
        False,
        False,
        None,
    )
    stored = (await rows(sessions))[no]
    assert stored[3:7] == (TaskStatus(status), False, False, None)


async def test_a_status_change_on_an_open_task_keeps_it_open(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_tasks(sessions)

    ok(await call(gql, UPDATE, no="T1", status="POSTPONED"))

    assert (await rows(sessions))["T1"][3:7] == (TaskStatus.POSTPONED, False, False, None)


# --- cancelTask ------------------------------------------------------------------------------------


async def test_cancel_task_closes_it_today_and_stops_its_recurrence(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_tasks(sessions)
    before = await rows(sessions)

    task = ok(await call(gql, CANCEL, no="t1"))

    assert (task["no"], task["status"], task["closed"], task["canceled"], task["dateClosed"]) == (
        "T1",
        "COMPLETED",
        True,
        True,
        today(),
    )
    after = await rows(sessions)
    assert after["T1"] == (
        *before["T1"][:3],
        TaskStatus.COMPLETED,
        True,
        True,
        dt.date.fromisoformat(today()),
        False,
    )
    assert {k: after[k] for k in ("T2", "T3")} == {k: before[k] for k in ("T2", "T3")}


async def test_cancel_task_of_a_canceled_task_changes_nothing(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_tasks(sessions)
    before = await rows(sessions)

    task = ok(await call(gql, CANCEL, no="T3"))

    assert (task["canceled"], task["dateClosed"]) == (True, OLD_CLOSE.isoformat())
    assert await rows(sessions) == before


async def test_cancel_task_of_a_completed_task_marks_it_canceled_and_keeps_its_close_date(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_tasks(sessions)
    before = (await rows(sessions))["T2"]

    task = ok(await call(gql, CANCEL, no="T2"))

    assert (task["status"], task["closed"], task["canceled"], task["dateClosed"]) == (
        "COMPLETED",
        True,
        True,
        OLD_CLOSE.isoformat(),
    )
    assert (await rows(sessions))["T2"] == (*before[:5], True, OLD_CLOSE, False)


async def test_cancel_task_of_an_unknown_task_is_not_found(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_tasks(sessions)
    before = await rows(sessions)

    assert refused(await call(gql, CANCEL, no="NOPE")) == [("NOT_FOUND", ["no"])]
    assert await rows(sessions) == before
