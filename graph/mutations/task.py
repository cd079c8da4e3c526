"""Mutations of this area (api.md §6): updateTask, cancelTask."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.context import Info
from graph.mutations.common import INPUT, run
from graph.types.common import load_one
from graph.types.enums import Priority, TaskStatus
from graph.types.errors import UserError
from graph.types.task import Task
from resolvers.writes import task as writes


@strawberry.input(description="Changes to a task. Omitted fields stay as they are.")
class UpdateTaskInput:
    no: str = strawberry.field(description="The task to change.")
    status: strawberry.Maybe[TaskStatus | None] = strawberry.field(
        description="Status (not null). COMPLETED closes the task (dateClosed = today); any other status "
        "on a closed (completed or canceled) task reopens it, clearing dateClosed and canceled."
    )
    date: strawberry.Maybe[dt.date | None] = strawberry.field(
        description="Due date (not null), between 1900-01-01 and 2999-12-31."
    )
    description: strawberry.Maybe[str | None] = strawberry.field(
        description="Description (at most 100 characters); null clears it."
    )
    priority: strawberry.Maybe[Priority | None] = strawberry.field(description="Priority (not null).")


@strawberry.type(description="Result of updateTask.")
class UpdateTaskPayload:
    task: Task | None = strawberry.field(description="The task after the change.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(
    description="The task to cancel: it is closed as COMPLETED, marked canceled and no longer recurs. "
    "A canceled task stays as it is; a completed one is marked canceled and keeps its close date."
)
class CancelTaskInput:
    no: str = strawberry.field(description="Task number.")


@strawberry.type(description="Result of cancelTask.")
class CancelTaskPayload:
    task: Task | None = strawberry.field(description="The canceled task.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


async def _task(info: Info, no: str | None) -> Task | None:
    return await load_one(info.context.loaders.task_by_no, no, Task.from_row)


@strawberry.type
class TaskMutation:
    @strawberry.mutation(description="Change a task's status, date, description or priority.")
    async def update_task(self, info: Info, input: Annotated[UpdateTaskInput, INPUT]) -> UpdateTaskPayload:
        changes = writes.TaskChanges(
            status=input.status,
            date=input.date,
            description=input.description,
            priority=input.priority,
        )

        async def work(session: AsyncSession) -> str:
            return await writes.update_task(session, info.context.viewer, input.no, changes)

        no, errors = await run(info, work)
        return UpdateTaskPayload(task=await _task(info, no), user_errors=errors)

    @strawberry.mutation(description="Cancel a task (which closes it).")
    async def cancel_task(self, info: Info, input: Annotated[CancelTaskInput, INPUT]) -> CancelTaskPayload:
        async def work(session: AsyncSession) -> str:
            return await writes.cancel_task(session, info.context.viewer, input.no)

        no, errors = await run(info, work)
        return CancelTaskPayload(task=await _task(info, no), user_errors=errors)
