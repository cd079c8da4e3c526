"""Mutations of this area (api.md §6): createSalesperson, updateSalesperson, deleteSalesperson."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.context import Info
from graph.mutations.common import INPUT, global_id, run
from graph.types.common import load_one
from graph.types.errors import UserError
from graph.types.salesperson import Salesperson
from resolvers.writes import salesperson as writes


@strawberry.input(description="A new salesperson.")
class CreateSalespersonInput:
    code: str = strawberry.field(description="Code: upper-cased, at most 20 characters, unique.")
    name: str = strawberry.field(description="Name (required, at most 50 characters).")
    email: str | None = strawberry.field(default=None, description="E-mail address (at most 80 characters).")
    phone_no: str | None = strawberry.field(default=None, description="Phone number (at most 30 characters).")
    job_title: str | None = strawberry.field(default=None, description="Job title (at most 30 characters).")
    commission_pct: Decimal | None = strawberry.field(
        default=None, description="Commission %, 0–100; omitted: 0."
    )
    blocked: bool = strawberry.field(
        default=False, description="A blocked salesperson cannot be assigned to opportunities or tasks."
    )
    privacy_blocked: bool = strawberry.field(default=False, description="Privacy blocked.")


@strawberry.input(
    description="Changes to a salesperson. Omitted fields stay as they are; null clears where allowed."
)
class UpdateSalespersonInput:
    code: str = strawberry.field(description="The salesperson to change.")
    name: strawberry.Maybe[str | None] = strawberry.field(
        description="Name (not blank, at most 50 characters)."
    )
    email: strawberry.Maybe[str | None] = strawberry.field(
        description="E-mail address (at most 80 characters); null clears it."
    )
    phone_no: strawberry.Maybe[str | None] = strawberry.field(
        description="Phone number (at most 30 characters); null clears it."
    )
    job_title: strawberry.Maybe[str | None] = strawberry.field(
        description="Job title (at most 30 characters); null clears it."
    )
    commission_pct: strawberry.Maybe[Decimal | None] = strawberry.field(
        description="Commission %, 0–100; null sets 0."
    )
    blocked: strawberry.Maybe[bool | None] = strawberry.field(description="Blocked (not null).")
    privacy_blocked: strawberry.Maybe[bool | None] = strawberry.field(
        description="Privacy blocked (not null)."
    )


@strawberry.input(description="The salesperson to delete: only one that nothing refers to.")
class DeleteSalespersonInput:
    code: str = strawberry.field(description="Salesperson code.")


@strawberry.type(description="Result of createSalesperson.")
class CreateSalespersonPayload:
    salesperson: Salesperson | None = strawberry.field(description="The new salesperson.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.type(description="Result of updateSalesperson.")
class UpdateSalespersonPayload:
    salesperson: Salesperson | None = strawberry.field(description="The salesperson after the change.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.type(description="Result of deleteSalesperson.")
class DeleteSalespersonPayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Global ID of the deleted salesperson.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


async def _salesperson(info: Info, code: str | None) -> Salesperson | None:
    return await load_one(info.context.loaders.salesperson_by_code, code, Salesperson.from_row)


@strawberry.type
class SalespersonMutation:
    @strawberry.mutation(description="Create a salesperson.")
    async def create_salesperson(
        self, info: Info, input: Annotated[CreateSalespersonInput, INPUT]
    ) -> CreateSalespersonPayload:
        new = writes.NewSalesperson(
            code=input.code,
            name=input.name,
            email=input.email,
            phone_no=input.phone_no,
            job_title=input.job_title,
            commission_pct=input.commission_pct,
            blocked=input.blocked,
            privacy_blocked=input.privacy_blocked,
        )

        async def work(session: AsyncSession) -> str:
            return await writes.create_salesperson(session, new)

        code, errors = await run(info, work)
        return CreateSalespersonPayload(salesperson=await _salesperson(info, code), user_errors=errors)

    @strawberry.mutation(description="Change a salesperson's fields.")
    async def update_salesperson(
        self, info: Info, input: Annotated[UpdateSalespersonInput, INPUT]
    ) -> UpdateSalespersonPayload:
        changes = writes.SalespersonChanges(
            name=input.name,
            email=input.email,
            phone_no=input.phone_no,
            job_title=input.job_title,
            commission_pct=input.commission_pct,
            blocked=input.blocked,
            privacy_blocked=input.privacy_blocked,
        )

        async def work(session: AsyncSession) -> str:
            return await writes.update_salesperson(session, input.code, changes)

        code, errors = await run(info, work)
        return UpdateSalespersonPayload(salesperson=await _salesperson(info, code), user_errors=errors)

    @strawberry.mutation(
        description="Delete a salesperson. Refused (IN_USE) while open tasks, open opportunities or any "
        "other row (history, contacts, campaigns, documents, the setup) refers to it: block it instead."
    )
    async def delete_salesperson(
        self, info: Info, input: Annotated[DeleteSalespersonInput, INPUT]
    ) -> DeleteSalespersonPayload:
        async def work(session: AsyncSession) -> str:
            return await writes.delete_salesperson(session, input.code)

        code, errors = await run(info, work)
        deleted = global_id("Salesperson", code) if code is not None else None
        return DeleteSalespersonPayload(deleted_id=deleted, user_errors=errors)
