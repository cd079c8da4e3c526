"""Mutations of this area (api.md §6): createCampaign, updateCampaign, deleteCampaign."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.context import Info
from graph.mutations.common import INPUT, global_id, run
from graph.types.campaign import Campaign
from graph.types.common import load_one
from graph.types.errors import UserError
from resolvers.writes import campaign as writes


@strawberry.input(description="A new marketing campaign.")
class CreateCampaignInput:
    no: str | None = strawberry.field(
        default=None,
        description="Number (Code[20]); omitted: the next of the setup's campaign series. A given number "
        "needs a series that allows manual numbers.",
    )
    description: str = strawberry.field(description="Description (required, at most 100 characters).")
    starting_date: dt.date | None = strawberry.field(default=None, description="First day of the campaign.")
    ending_date: dt.date | None = strawberry.field(
        default=None, description="Last day of the campaign; not before the starting date."
    )
    activated: bool = strawberry.field(
        default=False, description="Only activated campaigns can be assigned to opportunities."
    )
    salesperson_code: str | None = strawberry.field(
        default=None, description="Salesperson responsible (not blocked)."
    )


@strawberry.type(description="Result of createCampaign.")
class CreateCampaignPayload:
    campaign: Campaign | None = strawberry.field(description="The new campaign.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(
    description="Changes to a campaign. Omitted fields stay as they are; null clears where allowed."
)
class UpdateCampaignInput:
    no: str = strawberry.field(description="The campaign to change.")
    description: strawberry.Maybe[str | None] = strawberry.field(
        description="Description (not blank, at most 100 characters)."
    )
    starting_date: strawberry.Maybe[dt.date | None] = strawberry.field(
        description="First day; not after the (new or stored) ending date; null clears it."
    )
    ending_date: strawberry.Maybe[dt.date | None] = strawberry.field(
        description="Last day; not before the (new or stored) starting date; null clears it."
    )
    activated: strawberry.Maybe[bool | None] = strawberry.field(description="Activated (not null).")
    salesperson_code: strawberry.Maybe[str | None] = strawberry.field(
        description="Salesperson responsible (not blocked); null clears it."
    )


@strawberry.type(description="Result of updateCampaign.")
class UpdateCampaignPayload:
    campaign: Campaign | None = strawberry.field(description="The campaign after the change.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(
    description="The campaign to delete. Refused (IN_USE) while any opportunity, entry, task, quote or "
    "order refers to it."
)
class DeleteCampaignInput:
    no: str = strawberry.field(description="Campaign number.")


@strawberry.type(description="Result of deleteCampaign.")
class DeleteCampaignPayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Global ID of the deleted campaign.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


async def _campaign(info: Info, no: str | None) -> Campaign | None:
    return await load_one(info.context.loaders.campaign_by_no, no, Campaign.from_row)


@strawberry.type
class CampaignMutation:
    @strawberry.mutation(description="Create a campaign.")
    async def create_campaign(
        self, info: Info, input: Annotated[CreateCampaignInput, INPUT]
    ) -> CreateCampaignPayload:
        new = writes.NewCampaign(
            no=input.no,
            description=input.description,
            starting_date=input.starting_date,
            ending_date=input.ending_date,
            activated=input.activated,
            salesperson_code=input.salesperson_code,
        )

        async def work(session: AsyncSession) -> str:
            return await writes.create_campaign(session, new)

        no, errors = await run(info, work)
        return CreateCampaignPayload(campaign=await _campaign(info, no), user_errors=errors)

    @strawberry.mutation(description="Change a campaign's fields.")
    async def update_campaign(
        self, info: Info, input: Annotated[UpdateCampaignInput, INPUT]
    ) -> UpdateCampaignPayload:
        changes = writes.CampaignChanges(
            description=input.description,
            starting_date=input.starting_date,
            ending_date=input.ending_date,
            activated=input.activated,
            salesperson_code=input.salesperson_code,
        )

        async def work(session: AsyncSession) -> str:
            return await writes.update_campaign(session, input.no, changes)

        no, errors = await run(info, work)
        return UpdateCampaignPayload(campaign=await _campaign(info, no), user_errors=errors)

    @strawberry.mutation(description="Delete a campaign that nothing refers to.")
    async def delete_campaign(
        self, info: Info, input: Annotated[DeleteCampaignInput, INPUT]
    ) -> DeleteCampaignPayload:
        async def work(session: AsyncSession) -> str:
            return await writes.delete_campaign(session, input.no)

        no, errors = await run(info, work)
        deleted = global_id("Campaign", no) if no is not None else None
        return DeleteCampaignPayload(deleted_id=deleted, user_errors=errors)
