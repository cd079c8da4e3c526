"""Activity with its steps, and close opportunity codes."""

from __future__ import annotations

import strawberry

import models
from graph.context import Info
from graph.relay import Node, OrderDirection
from graph.types.enums import CloseOutcome, Priority, TaskType
from resolvers.reads import activity as reads

ActivityOrderField = reads.ActivityOrderField
strawberry.enum(reads.ActivityOrderField, description="Sort keys of activities.")
CloseOpportunityCodeOrderField = reads.CloseOpportunityCodeOrderField
strawberry.enum(reads.CloseOpportunityCodeOrderField, description="Sort keys of close opportunity codes.")


@strawberry.input(description="One sort term of an activity list.")
class ActivityOrder:
    field: ActivityOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Sort direction.")


@strawberry.input(description="Narrows an activity list.")
class ActivityFilter:
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the description."
    )


@strawberry.input(description="One sort term of a close opportunity code list.")
class CloseOpportunityCodeOrder:
    field: CloseOpportunityCodeOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Sort direction.")


@strawberry.input(description="Narrows a close opportunity code list.")
class CloseOpportunityCodeFilter:
    type: CloseOutcome | None = strawberry.field(default=None, description="Won or lost codes.")
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the description."
    )


@strawberry.type(description="A step of an activity: one task per step when a stage is entered.")
class ActivityStep:
    step_no: int = strawberry.field(description="Step number; steps run in this order.")
    type: TaskType = strawberry.field(description="Type of the generated task.")
    description: str = strawberry.field(description="Description of the generated task.")
    priority: Priority = strawberry.field(description="Priority of the generated task.")
    date_formula: str = strawberry.field(
        description="The task's date is this formula applied to the entry's date of change."
    )

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> ActivityStep:
        s = row[0]
        assert isinstance(s, models.ActivityStep)
        return cls(
            step_no=s.step_no,
            type=s.type,
            description=s.description,
            priority=s.priority,
            date_formula=s.date_formula,
        )


@strawberry.type(description="An activity: a template of tasks that a sales cycle stage generates.")
class Activity(Node):
    code: str = strawberry.field(description="Code (natural key, Code[10]).")
    description: str = strawberry.field(description="Description.")

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> Activity:
        a = row[0]
        assert isinstance(a, models.Activity)
        return cls(code=a.code, description=a.description)

    def node_key(self) -> list[str | int]:
        return [self.code]

    @strawberry.field(description="The steps in step order.")
    async def steps(self, info: Info) -> list[ActivityStep]:
        rows = await info.context.loaders.steps_by_activity.load(self.code)
        return [ActivityStep.from_row(row) for row in rows]


@strawberry.type(description="Why an opportunity was won or lost.")
class CloseOpportunityCode(Node):
    code: str = strawberry.field(description="Code (natural key, Code[10]).")
    description: str = strawberry.field(description="Description.")
    type: CloseOutcome = strawberry.field(description="The outcome this code may close with.")

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> CloseOpportunityCode:
        c = row[0]
        assert isinstance(c, models.CloseOpportunityCode)
        return cls(code=c.code, description=c.description, type=c.type)

    def node_key(self) -> list[str | int]:
        return [self.code]

    @strawberry.field(description="How many opportunity entries, active or not, carry this code.")
    async def no_of_opportunities(self, info: Info) -> int:
        return await info.context.loaders.entries_by_close_code.load(self.code)
