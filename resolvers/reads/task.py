"""Task reads."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import select

from models import Task, TaskStatus
from resolvers.reads.filters import code_value, contains, date_range, equal, one_of
from resolvers.reads.pagination import Listing, ordering


class TaskOrderField(enum.Enum):
    NO = "NO"
    DATE = "DATE"
    DESCRIPTION = "DESCRIPTION"


@dataclass(frozen=True, slots=True)
class TaskFilter:
    status: tuple[TaskStatus, ...] | None = None
    closed: bool | None = None
    canceled: bool | None = None
    salesperson_code: str | None = None
    contact_no: str | None = None
    opportunity_no: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    search: str | None = None


def task_listing(f: TaskFilter | None, order: list[tuple[str, bool]]) -> Listing:
    t = Task
    stmt = select(t)
    if f is not None:
        stmt = stmt.where(
            *equal(
                [
                    (t.closed, f.closed),
                    (t.canceled, f.canceled),
                    (t.salesperson_code, code_value(f.salesperson_code)),
                    (t.contact_no, code_value(f.contact_no)),
                    (t.opportunity_no, code_value(f.opportunity_no)),
                ]
            ),
            *one_of(t.status, f.status),
            *date_range(t.date, f.date_from, f.date_to),
            *contains(t.description, f.search),
        )
    columns = {"NO": t.no, "DATE": t.date, "DESCRIPTION": t.description}
    return Listing(stmt, ordering(order, columns, "NO"), "task")
