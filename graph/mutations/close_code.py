"""Mutations of this area (api.md §6): create/update/deleteCloseOpportunityCode."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.context import Info
from graph.mutations.common import INPUT, global_id, run
from graph.types.activity import CloseOpportunityCode
from graph.types.common import load_one
from graph.types.enums import CloseOutcome
from graph.types.errors import UserError
from resolvers.writes import close_code as writes

ERRORS = "Broken rules; empty on success."


@strawberry.input(description="A new close opportunity code.")
class CreateCloseOpportunityCodeInput:
    code: str = strawberry.field(description="Code (at most 10 characters, upper-cased, unique).")
    description: str = strawberry.field(description="Description (not blank, at most 100 characters).")
    type: CloseOutcome = strawberry.field(description="The outcome this code closes with.")


@strawberry.type(description="Result of createCloseOpportunityCode.")
class CreateCloseOpportunityCodePayload:
    close_opportunity_code: CloseOpportunityCode | None = strawberry.field(description="The new code.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="Changes to a close opportunity code. Omitted fields stay as they are.")
class UpdateCloseOpportunityCodeInput:
    code: str = strawberry.field(description="The code to change.")
    description: strawberry.Maybe[str | None] = strawberry.field(description="Description (not blank).")
    type: strawberry.Maybe[CloseOutcome | None] = strawberry.field(
        description="Outcome (not null); cannot change while opportunity entries carry the code."
    )


@strawberry.type(description="Result of updateCloseOpportunityCode.")
class UpdateCloseOpportunityCodePayload:
    close_opportunity_code: CloseOpportunityCode | None = strawberry.field(
        description="The code after the change."
    )
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="The close code to delete; refused while opportunity entries carry it.")
class DeleteCloseOpportunityCodeInput:
    code: str = strawberry.field(description="Close opportunity code.")


@strawberry.type(description="Result of deleteCloseOpportunityCode.")
class DeleteCloseOpportunityCodePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Global ID of the deleted code.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


async def _code(info: Info, code: str | None) -> CloseOpportunityCode | None:
    return await load_one(info.context.loaders.close_code_by_code, code, CloseOpportunityCode.from_row)


@strawberry.type
class CloseOpportunityCodeMutation:
    @strawberry.mutation(description="Create a close opportunity code.")
    async def create_close_opportunity_code(
        self, info: Info, input: Annotated[CreateCloseOpportunityCodeInput, INPUT]
    ) -> CreateCloseOpportunityCodePayload:
        new = writes.NewCloseCode(code=input.code, description=input.description, type=input.type)

        async def work(session: AsyncSession) -> str:
            return await writes.create_close_opportunity_code(session, new)

        code, errors = await run(info, work)
        return CreateCloseOpportunityCodePayload(
            close_opportunity_code=await _code(info, code), user_errors=errors
        )

    @strawberry.mutation(description="Change a close opportunity code's description or type.")
    async def update_close_opportunity_code(
        self, info: Info, input: Annotated[UpdateCloseOpportunityCodeInput, INPUT]
    ) -> UpdateCloseOpportunityCodePayload:
        changes = writes.CloseCodeChanges(description=input.description, type=input.type)

        async def work(session: AsyncSession) -> str:
            return await writes.update_close_opportunity_code(session, input.code, changes)

        code, errors = await run(info, work)
        return UpdateCloseOpportunityCodePayload(
            close_opportunity_code=await _code(info, code), user_errors=errors
        )

    @strawberry.mutation(description="Delete a close opportunity code that no opportunity entry carries.")
    async def delete_close_opportunity_code(
        self, info: Info, input: Annotated[DeleteCloseOpportunityCodeInput, INPUT]
    ) -> DeleteCloseOpportunityCodePayload:
        async def work(session: AsyncSession) -> str:
            return await writes.delete_close_opportunity_code(session, input.code)

        code, errors = await run(info, work)
        deleted = global_id("CloseOpportunityCode", code) if code is not None else None
        return DeleteCloseOpportunityCodePayload(deleted_id=deleted, user_errors=errors)
