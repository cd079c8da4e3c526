"""Mutations of this area (api.md §6): create/update/deleteActivity."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.context import Info
from graph.mutations.common import INPUT, global_id, run
from graph.types.activity import Activity
from graph.types.common import load_one
from graph.types.enums import Priority, TaskType
from graph.types.errors import UserError
from resolvers.writes import activity as writes


@strawberry.input(description="One step of an activity: a template of the task a stage generates.")
class ActivityStepInput:
    step_no: int = strawberry.field(description="Step number, 1 or more, unique within the activity.")
    type: TaskType = strawberry.field(default=TaskType.NONE, description="Type of the generated task.")
    description: str = strawberry.field(
        description="Description of the generated task (required, at most 100 characters)."
    )
    priority: Priority = strawberry.field(
        default=Priority.NORMAL, description="Priority of the generated task."
    )
    date_formula: str | None = strawberry.field(
        default=None,
        description="Date formula (e.g. `1W`, `CM+1D`) applied to the date of change to date the task; "
        "omitted or blank: the date of change. Stored in canonical form.",
    )

    def to_step(self) -> writes.StepInput:
        return writes.StepInput(
            step_no=self.step_no,
            description=self.description,
            type=self.type,
            priority=self.priority,
            date_formula=self.date_formula,
        )


@strawberry.input(description="A new activity with its steps.")
class CreateActivityInput:
    code: str = strawberry.field(description="Code (required, Code[10], upper-cased, unique).")
    description: str = strawberry.field(description="Description (required, at most 100 characters).")
    steps: list[ActivityStepInput] | None = strawberry.field(
        default=None, description="The steps (at most 100); omitted: none."
    )


@strawberry.type(description="Result of createActivity.")
class CreateActivityPayload:
    activity: Activity | None = strawberry.field(description="The new activity.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(
    description="Changes to an activity. Omitted fields stay as they are. Tasks already generated "
    "from the old steps are not changed."
)
class UpdateActivityInput:
    code: str = strawberry.field(description="The activity to change.")
    description: strawberry.Maybe[str | None] = strawberry.field(
        description="Description (not blank, not null, at most 100 characters)."
    )
    steps: strawberry.Maybe[list[ActivityStepInput] | None] = strawberry.field(
        description="Replaces all the steps (at most 100); null or an empty list removes them all."
    )


@strawberry.type(description="Result of updateActivity.")
class UpdateActivityPayload:
    activity: Activity | None = strawberry.field(description="The activity after the change.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(description="The activity to delete, with its steps; refused while a stage uses it.")
class DeleteActivityInput:
    code: str = strawberry.field(description="Activity code.")


@strawberry.type(description="Result of deleteActivity.")
class DeleteActivityPayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Global ID of the deleted activity.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


async def _activity(info: Info, code: str | None) -> Activity | None:
    return await load_one(info.context.loaders.activity_by_code, code, Activity.from_row)


@strawberry.type
class ActivityMutation:
    @strawberry.mutation(description="Create an activity with its steps.")
    async def create_activity(
        self, info: Info, input: Annotated[CreateActivityInput, INPUT]
    ) -> CreateActivityPayload:
        new = writes.NewActivity(
            code=input.code,
            description=input.description,
            steps=None if input.steps is None else [s.to_step() for s in input.steps],
        )

        async def work(session: AsyncSession) -> str:
            return await writes.create_activity(session, new)

        code, errors = await run(info, work)
        return CreateActivityPayload(activity=await _activity(info, code), user_errors=errors)

    @strawberry.mutation(
        description="Change an activity's description and/or replace its steps as a whole; stages "
        "entered afterwards generate tasks from the new steps."
    )
    async def update_activity(
        self, info: Info, input: Annotated[UpdateActivityInput, INPUT]
    ) -> UpdateActivityPayload:
        steps = input.steps
        changes = writes.ActivityChanges(
            description=input.description,
            steps=None
            if steps is None
            else strawberry.Some(None if steps.value is None else [s.to_step() for s in steps.value]),
        )

        async def work(session: AsyncSession) -> str:
            return await writes.update_activity(session, input.code, changes)

        code, errors = await run(info, work)
        return UpdateActivityPayload(activity=await _activity(info, code), user_errors=errors)

    @strawberry.mutation(
        description="Delete an activity with its steps; refused (IN_USE) while a sales cycle stage uses it."
    )
    async def delete_activity(
        self, info: Info, input: Annotated[DeleteActivityInput, INPUT]
    ) -> DeleteActivityPayload:
        async def work(session: AsyncSession) -> str:
            return await writes.delete_activity(session, input.code)

        code, errors = await run(info, work)
        deleted = global_id("Activity", code) if code is not None else None
        return DeleteActivityPayload(deleted_id=deleted, user_errors=errors)
