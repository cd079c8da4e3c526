"""Salesperson."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from graph.context import Info
from graph.relay import Connection, Node, OrderDirection
from graph.types.common import After, Before, First, Last, pct
from graph.types.statistics import OpportunityStatistics, StatisticsFilterArg, statistics_of
from resolvers.analytics.statistics import Scope
from resolvers.reads import salesperson as reads

if TYPE_CHECKING:
    from graph.types.opportunity import Opportunity, OpportunityFilter, OpportunityOrder
    from graph.types.task import Task, TaskFilter, TaskOrder

SalespersonOrderField = reads.SalespersonOrderField
strawberry.enum(reads.SalespersonOrderField, description="Sort keys of salespeople.")


@strawberry.input(description="One sort term of a salesperson list.")
class SalespersonOrder:
    field: SalespersonOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Sort direction.")


@strawberry.input(description="Narrows a salesperson list.")
class SalespersonFilter:
    blocked: bool | None = strawberry.field(default=None, description="Blocked or not.")
    search: str | None = strawberry.field(default=None, description="Case-insensitive substring of the name.")


@strawberry.type(description="A salesperson, responsible for opportunities and tasks.")
class Salesperson(Node):
    code: str = strawberry.field(description="Code (natural key, Code[20]).")
    name: str = strawberry.field(description="Name.")
    email: str = strawberry.field(description="E-mail address.")
    phone_no: str = strawberry.field(description="Phone number.")
    job_title: str = strawberry.field(description="Job title.")
    commission_pct: Decimal = strawberry.field(description="Commission % (0–100).")
    blocked: bool = strawberry.field(description="A blocked salesperson cannot be assigned.")
    privacy_blocked: bool = strawberry.field(description="Privacy blocked.")

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> Salesperson:
        s = row[0]
        assert isinstance(s, models.Salesperson)
        return cls(
            code=s.code,
            name=s.name,
            email=s.email,
            phone_no=s.phone_no,
            job_title=s.job_title,
            commission_pct=pct(s.commission_pct),
            blocked=s.blocked,
            privacy_blocked=s.privacy_blocked,
        )

    def node_key(self) -> list[str | int]:
        return [self.code]

    @strawberry.field(
        description="Figures of the salesperson's active entries, won and lost included unless `actionTaken` "
        "narrows them (domain.md §7), one statement for a whole list of parents."
    )
    async def statistics(self, info: Info, filter: StatisticsFilterArg = None) -> OpportunityStatistics:
        return await statistics_of(info, Scope.SALESPERSON, self.code, filter)

    @strawberry.field(description="Opportunities of this salesperson, paged.")
    async def opportunities(
        self,
        info: Info,
        filter: Annotated[
            Annotated[OpportunityFilter, strawberry.lazy("graph.types.opportunity")] | None,
            strawberry.argument(description="Only items meeting all these conditions."),
        ] = None,
        order_by: Annotated[
            list[Annotated[OpportunityOrder, strawberry.lazy("graph.types.opportunity")]] | None,
            strawberry.argument(
                description="Sort terms, applied in order; ties are broken by the natural key."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Opportunity, strawberry.lazy("graph.types.opportunity")]]:
        from graph.types.opportunity import opportunities_of

        return await opportunities_of(
            info,
            "OpportunitiesBySalesperson",
            models.Opportunity.salesperson_code,
            self.code,
            filter,
            order_by,
            first,
            after,
            last,
            before,
        )

    @strawberry.field(description="Tasks of this salesperson, paged.")
    async def tasks(
        self,
        info: Info,
        filter: Annotated[
            Annotated[TaskFilter, strawberry.lazy("graph.types.task")] | None,
            strawberry.argument(description="Only items meeting all these conditions."),
        ] = None,
        order_by: Annotated[
            list[Annotated[TaskOrder, strawberry.lazy("graph.types.task")]] | None,
            strawberry.argument(
                description="Sort terms, applied in order; ties are broken by the natural key."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Task, strawberry.lazy("graph.types.task")]]:
        from graph.types.task import tasks_of

        return await tasks_of(
            info,
            "TasksBySalesperson",
            models.Task.salesperson_code,
            self.code,
            filter,
            order_by,
            first,
            after,
            last,
            before,
        )
