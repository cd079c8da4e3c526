"""Opportunity mutations (api.md §6): create, edit, delete, and the lifecycle commands."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.context import Info
from graph.mutations.common import INPUT, entry_of, global_id, opportunity_of, run, tasks_of
from graph.types.entry import OpportunityEntry
from graph.types.enums import CloseOutcome, Priority, StageAction
from graph.types.errors import UserError
from graph.types.opportunity import Opportunity
from graph.types.task import Task
from models.stage_change import StageRequest
from resolvers.lifecycle import moves as lifecycle
from resolvers.lifecycle.moves import LifecycleResult
from resolvers.writes import opportunity as writes
from resolvers.writes import opportunity_create

VERSION = "The opportunity's `version` as last read; a different current version refuses the change."
DRY_RUN = "Check every rule and return what would be written, without writing it."


# --- create / update / delete --------------------------------------------------------------------


@strawberry.input(
    description="A new opportunity: Business Central's Create Opportunity wizard (domain.md §2.3)."
)
class CreateOpportunityInput:
    no: str | None = strawberry.field(
        default=None, description="Number; omitted: the next of the setup's opportunity series."
    )
    description: str = strawberry.field(description="What is being sold (required, at most 100 characters).")
    contact_no: str = strawberry.field(description="The contact the opportunity is for (required).")
    salesperson_code: str | None = strawberry.field(
        default=None, description="Salesperson (not blocked); omitted: the contact's salesperson."
    )
    sales_cycle_code: str | None = strawberry.field(
        default=None, description="Sales cycle (not blocked); omitted: the setup's default sales cycle."
    )
    campaign_no: str | None = strawberry.field(
        default=None, description="An activated campaign running on the creation date."
    )
    priority: Priority = strawberry.field(default=Priority.NORMAL, description="Priority.")
    creation_date: dt.date | None = strawberry.field(
        default=None, description="Creation date; omitted: today."
    )
    activate_first_stage: bool = strawberry.field(
        default=False,
        description="Also enter the first stage, which then needs a positive estimated value and chances and "
        "an estimated closing date on or after the creation date.",
    )
    estimated_value: Decimal | None = strawberry.field(
        default=None, description="Estimated value of the first stage (with activateFirstStage)."
    )
    chances_of_success_pct: Decimal | None = strawberry.field(
        default=None, description="Chances of success % of the first stage (with activateFirstStage)."
    )
    estimated_closing_date: dt.date | None = strawberry.field(
        default=None, description="Estimated closing date of the first stage (with activateFirstStage)."
    )


@strawberry.type(description="Result of createOpportunity.")
class CreateOpportunityPayload:
    opportunity: Opportunity | None = strawberry.field(description="The new opportunity.")
    entry: OpportunityEntry | None = strawberry.field(description="The first entry, when activated.")
    created_tasks: list[Task] = strawberry.field(description="Tasks of the first stage's activity.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(
    description="Changes to an opportunity. Omitted fields stay as they are; null clears where allowed."
)
class UpdateOpportunityInput:
    no: str = strawberry.field(description="The opportunity to change.")
    description: strawberry.Maybe[str | None] = strawberry.field(description="Description (not blank).")
    priority: strawberry.Maybe[Priority | None] = strawberry.field(description="Priority (not null).")
    contact_no: strawberry.Maybe[str | None] = strawberry.field(
        description="Contact; once started, only a contact of the same company."
    )
    salesperson_code: strawberry.Maybe[str | None] = strawberry.field(
        description="Salesperson (not blocked); cannot be cleared."
    )
    campaign_no: strawberry.Maybe[str | None] = strawberry.field(
        description="Campaign (activated, running on the creation date); null clears it."
    )
    sales_cycle_code: strawberry.Maybe[str | None] = strawberry.field(
        description="Sales cycle (not blocked); editable only while not started."
    )
    propagate_to_open_tasks: bool = strawberry.field(
        default=True,
        description="Move the open tasks carrying the old salesperson, contact or campaign to the new one.",
    )
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.type(description="Result of updateOpportunity.")
class UpdateOpportunityPayload:
    opportunity: Opportunity | None = strawberry.field(description="The opportunity after the change.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(description="The opportunity to delete: not started, won or lost, never in progress.")
class DeleteOpportunityInput:
    no: str = strawberry.field(description="Opportunity number.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.type(description="Result of a delete.")
class DeleteOpportunityPayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Global ID of the deleted opportunity.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(description="Which closed opportunities to delete; every given condition must hold.")
class DeleteClosedOpportunitiesInput:
    nos: list[str] | None = strawberry.field(default=None, description="Only these numbers (at most 1000).")
    date_closed_from: dt.date | None = strawberry.field(default=None, description="Closed on or after.")
    date_closed_to: dt.date | None = strawberry.field(default=None, description="Closed on or before.")
    salesperson_code: str | None = strawberry.field(default=None, description="Of this salesperson.")
    campaign_no: str | None = strawberry.field(default=None, description="Of this campaign.")
    contact_no: str | None = strawberry.field(default=None, description="For this contact.")
    sales_cycle_code: str | None = strawberry.field(default=None, description="On this sales cycle.")


@strawberry.type(description="Result of deleteClosedOpportunities.")
class DeleteClosedOpportunitiesPayload:
    deleted_count: int = strawberry.field(description="How many opportunities were deleted.")
    deleted_ids: list[strawberry.ID] = strawberry.field(description="Their global IDs.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


# --- lifecycle -----------------------------------------------------------------------------------


@strawberry.input(description="Enter the first stage of a not-started opportunity (domain.md §2.6).")
class ActivateFirstStageInput:
    no: str = strawberry.field(description="Opportunity number.")
    date_of_change: dt.date | None = strawberry.field(
        default=None, description="Date of change; omitted: today."
    )
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.type(description="Result of activateFirstStage.")
class ActivateFirstStagePayload:
    opportunity: Opportunity | None = strawberry.field(description="The opportunity, now in progress.")
    entry: OpportunityEntry | None = strawberry.field(description="The first entry.")
    created_tasks: list[Task] = strawberry.field(description="Tasks of the first stage's activity.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(description="Move an opportunity through its sales cycle (domain.md §2.5).")
class UpdateOpportunityStageInput:
    no: str = strawberry.field(description="Opportunity number.")
    action: StageAction = strawberry.field(description="What to do; see Opportunity.availableStageActions.")
    stage: int | None = strawberry.field(
        default=None,
        description="Target stage for SKIP and JUMP (omitted: the first of SKIP's list, the stage right "
        "before the current one for JUMP); ignored for the other actions.",
    )
    date_of_change: dt.date | None = strawberry.field(
        default=None, description="Not before the active entry's; omitted: the later of that and today."
    )
    estimated_value: Decimal | None = strawberry.field(
        default=None, description="Must be > 0; omitted: the linked quote's amount, else the current value."
    )
    chances_of_success_pct: Decimal | None = strawberry.field(
        default=None,
        description="0–100; omitted or 0: the stage's default. SKIP and JUMP always use the stage's default.",
    )
    estimated_close_date: dt.date | None = strawberry.field(
        default=None,
        description="Not before the date of change; omitted or equal to it: the stage's date formula "
        "applied to the date of change.",
    )
    cancel_old_tasks: bool = strawberry.field(default=False, description="Cancel the open tasks first.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION)
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)


@strawberry.type(description="Result of updateOpportunityStage.")
class UpdateOpportunityStagePayload:
    opportunity: Opportunity | None = strawberry.field(description="The opportunity after the move.")
    entry: OpportunityEntry | None = strawberry.field(description="The new active entry.")
    created_tasks: list[Task] = strawberry.field(description="Tasks of the entered stage's activity.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(description="Close an opportunity as won or lost (domain.md §2.7).")
class CloseOpportunityInput:
    no: str = strawberry.field(description="Opportunity number.")
    outcome: CloseOutcome = strawberry.field(description="Won or lost.")
    close_opportunity_code: str = strawberry.field(description="A close code of the outcome's type.")
    closing_date: dt.date | None = strawberry.field(
        default=None,
        description="Not before the active entry's date of change; omitted: the later of that and today.",
    )
    sales_value: Decimal | None = strawberry.field(
        default=None,
        description="Won only, must be > 0; a linked quote's amount replaces it. Ignored for lost.",
    )
    cancel_old_tasks: bool = strawberry.field(default=True, description="Cancel the open tasks.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION)
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)


@strawberry.type(description="Result of closeOpportunity.")
class CloseOpportunityPayload:
    opportunity: Opportunity | None = strawberry.field(description="The closed opportunity.")
    entry: OpportunityEntry | None = strawberry.field(description="The won or lost entry.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.type
class OpportunityMutation:
    @strawberry.mutation(description="Create an opportunity, optionally entering its first stage.")
    async def create_opportunity(
        self, info: Info, input: Annotated[CreateOpportunityInput, INPUT]
    ) -> CreateOpportunityPayload:
        new = opportunity_create.NewOpportunity(
            no=input.no,
            description=input.description,
            contact_no=input.contact_no,
            salesperson_code=input.salesperson_code,
            sales_cycle_code=input.sales_cycle_code,
            campaign_no=input.campaign_no,
            priority=input.priority,
            creation_date=input.creation_date,
            activate_first_stage=input.activate_first_stage,
            estimated_value=input.estimated_value,
            chances_of_success_pct=input.chances_of_success_pct,
            estimated_closing_date=input.estimated_closing_date,
        )

        async def work(session: AsyncSession) -> LifecycleResult:
            return await opportunity_create.create_opportunity(session, info.context.viewer, new)

        result, errors = await run(info, work)
        return CreateOpportunityPayload(
            opportunity=opportunity_of(info, result, prime=True),
            entry=entry_of(info, result, prime=True),
            created_tasks=tasks_of(result),
            user_errors=errors,
        )

    @strawberry.mutation(description="Change an opportunity's fields (read-only once closed).")
    async def update_opportunity(
        self, info: Info, input: Annotated[UpdateOpportunityInput, INPUT]
    ) -> UpdateOpportunityPayload:
        changes = writes.OpportunityChanges(
            description=input.description,
            priority=input.priority,
            contact_no=input.contact_no,
            salesperson_code=input.salesperson_code,
            campaign_no=input.campaign_no,
            sales_cycle_code=input.sales_cycle_code,
            propagate_to_open_tasks=input.propagate_to_open_tasks,
        )

        async def work(session: AsyncSession) -> LifecycleResult:
            return await writes.update_opportunity(
                session, info.context.viewer, input.no, changes, input.expected_version
            )

        result, errors = await run(info, work)
        return UpdateOpportunityPayload(
            opportunity=opportunity_of(info, result, prime=True), user_errors=errors
        )

    @strawberry.mutation(description="Delete a not-started, won or lost opportunity with its entries.")
    async def delete_opportunity(
        self, info: Info, input: Annotated[DeleteOpportunityInput, INPUT]
    ) -> DeleteOpportunityPayload:
        async def work(session: AsyncSession) -> str:
            return await writes.delete_opportunity(
                session, info.context.viewer, input.no, input.expected_version
            )

        no, errors = await run(info, work)
        deleted = global_id("Opportunity", no) if no is not None else None
        return DeleteOpportunityPayload(deleted_id=deleted, user_errors=errors)

    @strawberry.mutation(
        description="Delete the closed opportunities matching the input, with their entries."
    )
    async def delete_closed_opportunities(
        self, info: Info, input: Annotated[DeleteClosedOpportunitiesInput, INPUT]
    ) -> DeleteClosedOpportunitiesPayload:
        filter = writes.ClosedFilter(
            nos=tuple(input.nos) if input.nos is not None else None,
            date_closed_from=input.date_closed_from,
            date_closed_to=input.date_closed_to,
            salesperson_code=input.salesperson_code,
            campaign_no=input.campaign_no,
            contact_no=input.contact_no,
            sales_cycle_code=input.sales_cycle_code,
        )

        async def work(session: AsyncSession) -> list[str]:
            return await writes.delete_closed_opportunities(session, info.context.viewer, filter)

        nos, errors = await run(info, work)
        ids = [global_id("Opportunity", no) for no in nos or []]
        return DeleteClosedOpportunitiesPayload(deleted_count=len(ids), deleted_ids=ids, user_errors=errors)

    @strawberry.mutation(description="Enter the first stage of a not-started opportunity.")
    async def activate_first_stage(
        self, info: Info, input: Annotated[ActivateFirstStageInput, INPUT]
    ) -> ActivateFirstStagePayload:
        async def work(session: AsyncSession) -> LifecycleResult:
            return await lifecycle.activate_first_stage(
                session, info.context.viewer, input.no, input.date_of_change, input.expected_version
            )

        result, errors = await run(info, work)
        return ActivateFirstStagePayload(
            opportunity=opportunity_of(info, result, prime=True),
            entry=entry_of(info, result, prime=True),
            created_tasks=tasks_of(result),
            user_errors=errors,
        )

    @strawberry.mutation(description="Move an opportunity to another stage, or update its current one.")
    async def update_opportunity_stage(
        self, info: Info, input: Annotated[UpdateOpportunityStageInput, INPUT]
    ) -> UpdateOpportunityStagePayload:
        request = StageRequest(
            action=input.action,
            stage=input.stage,
            date_of_change=input.date_of_change,
            estimated_value=input.estimated_value,
            chances_of_success_pct=input.chances_of_success_pct,
            estimated_close_date=input.estimated_close_date,
        )

        async def work(session: AsyncSession) -> LifecycleResult:
            return await lifecycle.update_stage(
                session,
                info.context.viewer,
                input.no,
                request,
                cancel_old_tasks=input.cancel_old_tasks,
                expected_version=input.expected_version,
            )

        result, errors = await run(info, work, dry_run=input.dry_run)
        return UpdateOpportunityStagePayload(
            opportunity=opportunity_of(info, result, prime=not input.dry_run),
            entry=entry_of(info, result, prime=not input.dry_run),
            created_tasks=tasks_of(result),
            user_errors=errors,
        )

    @strawberry.mutation(description="Close an opportunity as won or lost.")
    async def close_opportunity(
        self, info: Info, input: Annotated[CloseOpportunityInput, INPUT]
    ) -> CloseOpportunityPayload:
        async def work(session: AsyncSession) -> LifecycleResult:
            return await lifecycle.close(
                session,
                info.context.viewer,
                input.no,
                input.outcome,
                input.close_opportunity_code,
                input.closing_date,
                input.sales_value,
                cancel_old_tasks=input.cancel_old_tasks,
                expected_version=input.expected_version,
            )

        result, errors = await run(info, work, dry_run=input.dry_run)
        return CloseOpportunityPayload(
            opportunity=opportunity_of(info, result, prime=not input.dry_run),
            entry=entry_of(info, result, prime=not input.dry_run),
            user_errors=errors,
        )
