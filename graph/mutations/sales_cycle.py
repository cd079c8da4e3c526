"""Sales cycle and stage mutations (api.md §6): create, update and delete of both."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.context import Info
from graph.mutations.common import INPUT, global_id, run
from graph.types.common import load_one
from graph.types.enums import ProbabilityCalculation
from graph.types.errors import UserError
from graph.types.sales_cycle import SalesCycle, SalesCycleStage, stage_in_cycle
from resolvers.writes import sales_cycle as writes

ERRORS = "Broken rules; empty on success."


@strawberry.input(description="One stage of a new sales cycle.")
class SalesCycleStageInput:
    stage: int = strawberry.field(description="Stage number (≥ 1), unique within the cycle.")
    description: str = strawberry.field(description="Description (not blank, at most 100 characters).")
    completed_pct: Decimal = strawberry.field(default=Decimal(0), description="Completed %, 0–100.")
    chances_of_success_pct: Decimal = strawberry.field(
        default=Decimal(0), description="Default chances of success %, 0–100."
    )
    activity_code: str | None = strawberry.field(
        default=None, description="An existing activity whose steps become tasks on entering the stage."
    )
    quote_required: bool = strawberry.field(
        default=False, description="A quote must be linked before entering the stage with NEXT or SKIP."
    )
    allow_skip: bool = strawberry.field(default=False, description="SKIP may pass over the stage.")
    date_formula: str | None = strawberry.field(
        default=None,
        description="Date formula proposing the estimated close date (e.g. 2W); stored canonical.",
    )


@strawberry.input(description="A new sales cycle, optionally with its stages.")
class CreateSalesCycleInput:
    code: str = strawberry.field(description="Code (at most 10 characters, upper-cased, unique).")
    description: str = strawberry.field(description="Description (not blank, at most 100 characters).")
    probability_calculation: ProbabilityCalculation = strawberry.field(
        default=ProbabilityCalculation.MULTIPLY, description="How entries' probability % is computed."
    )
    blocked: bool = strawberry.field(default=False, description="A blocked cycle cannot be assigned.")
    stages: list[SalesCycleStageInput] | None = strawberry.field(
        default=None, description=f"The stages (at most {writes.MAX_STAGES}, distinct stage numbers)."
    )


@strawberry.type(description="Result of createSalesCycle.")
class CreateSalesCyclePayload:
    sales_cycle: SalesCycle | None = strawberry.field(description="The new sales cycle with its stages.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="Changes to a sales cycle. Omitted fields stay as they are.")
class UpdateSalesCycleInput:
    code: str = strawberry.field(description="The sales cycle to change.")
    description: strawberry.Maybe[str | None] = strawberry.field(description="Description (not blank).")
    probability_calculation: strawberry.Maybe[ProbabilityCalculation | None] = strawberry.field(
        description="How entries' probability % is computed (not null); existing entries keep theirs."
    )
    blocked: strawberry.Maybe[bool | None] = strawberry.field(description="Blocked (not null).")


@strawberry.type(description="Result of updateSalesCycle.")
class UpdateSalesCyclePayload:
    sales_cycle: SalesCycle | None = strawberry.field(description="The sales cycle after the change.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(
    description="The sales cycle to delete, with its stages; refused while any opportunity uses it."
)
class DeleteSalesCycleInput:
    code: str = strawberry.field(description="Sales cycle code.")


@strawberry.type(description="Result of deleteSalesCycle.")
class DeleteSalesCyclePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Global ID of the deleted sales cycle.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="A new stage of an existing sales cycle.")
class CreateSalesCycleStageInput:
    sales_cycle_code: str = strawberry.field(description="The sales cycle.")
    stage: int = strawberry.field(description="Stage number (≥ 1), not yet in the cycle.")
    description: str = strawberry.field(description="Description (not blank, at most 100 characters).")
    completed_pct: Decimal = strawberry.field(default=Decimal(0), description="Completed %, 0–100.")
    chances_of_success_pct: Decimal = strawberry.field(
        default=Decimal(0), description="Default chances of success %, 0–100."
    )
    activity_code: str | None = strawberry.field(
        default=None, description="An existing activity whose steps become tasks on entering the stage."
    )
    quote_required: bool = strawberry.field(
        default=False, description="A quote must be linked before entering the stage with NEXT or SKIP."
    )
    allow_skip: bool = strawberry.field(default=False, description="SKIP may pass over the stage.")
    date_formula: str | None = strawberry.field(
        default=None,
        description="Date formula proposing the estimated close date (e.g. 2W); stored canonical.",
    )


@strawberry.type(description="Result of createSalesCycleStage.")
class CreateSalesCycleStagePayload:
    sales_cycle_stage: SalesCycleStage | None = strawberry.field(description="The new stage.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(
    description="Changes to a stage. Omitted fields stay as they are; null clears where allowed. "
    "Entries already written keep the description and percentages they copied."
)
class UpdateSalesCycleStageInput:
    sales_cycle_code: str = strawberry.field(description="The sales cycle.")
    stage: int = strawberry.field(description="The stage to change.")
    new_stage: strawberry.Maybe[int | None] = strawberry.field(
        description="Renumber the stage (≥ 1, not taken); refused while any entry sits on it."
    )
    description: strawberry.Maybe[str | None] = strawberry.field(description="Description (not blank).")
    completed_pct: strawberry.Maybe[Decimal | None] = strawberry.field(
        description="Completed %, 0–100 (not null)."
    )
    chances_of_success_pct: strawberry.Maybe[Decimal | None] = strawberry.field(
        description="Default chances of success %, 0–100 (not null)."
    )
    activity_code: strawberry.Maybe[str | None] = strawberry.field(
        description="An existing activity; null clears it."
    )
    quote_required: strawberry.Maybe[bool | None] = strawberry.field(description="Quote required (not null).")
    allow_skip: strawberry.Maybe[bool | None] = strawberry.field(description="Allow skip (not null).")
    date_formula: strawberry.Maybe[str | None] = strawberry.field(
        description="Date formula; null or blank clears it."
    )


@strawberry.type(description="Result of updateSalesCycleStage.")
class UpdateSalesCycleStagePayload:
    sales_cycle_stage: SalesCycleStage | None = strawberry.field(description="The stage after the change.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.input(description="The stage to delete; refused while an active entry sits on it.")
class DeleteSalesCycleStageInput:
    sales_cycle_code: str = strawberry.field(description="The sales cycle.")
    stage: int = strawberry.field(description="Stage number.")


@strawberry.type(description="Result of deleteSalesCycleStage.")
class DeleteSalesCycleStagePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Global ID of the deleted stage.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


def _stage_fields(s: SalesCycleStageInput | CreateSalesCycleStageInput) -> writes.StageFields:
    return writes.StageFields(
        stage=s.stage,
        description=s.description,
        completed_pct=s.completed_pct,
        chances_of_success_pct=s.chances_of_success_pct,
        activity_code=s.activity_code,
        quote_required=s.quote_required,
        allow_skip=s.allow_skip,
        date_formula=s.date_formula,
    )


async def _cycle(info: Info, code: str | None) -> SalesCycle | None:
    return await load_one(info.context.loaders.sales_cycle_by_code, code, SalesCycle.from_row)


async def _stage(info: Info, key: tuple[str, int] | None) -> SalesCycleStage | None:
    return None if key is None else await stage_in_cycle(info, *key)


@strawberry.type
class SalesCycleMutation:
    @strawberry.mutation(description="Create a sales cycle, with the stages given inline.")
    async def create_sales_cycle(
        self, info: Info, input: Annotated[CreateSalesCycleInput, INPUT]
    ) -> CreateSalesCyclePayload:
        new = writes.NewSalesCycle(
            code=input.code,
            description=input.description,
            probability_calculation=input.probability_calculation,
            blocked=input.blocked,
            stages=tuple(_stage_fields(s) for s in input.stages or []),
        )

        async def work(session: AsyncSession) -> str:
            return await writes.create_sales_cycle(session, new)

        code, errors = await run(info, work)
        return CreateSalesCyclePayload(sales_cycle=await _cycle(info, code), user_errors=errors)

    @strawberry.mutation(
        description="Change a sales cycle's description, probability calculation or blocked."
    )
    async def update_sales_cycle(
        self, info: Info, input: Annotated[UpdateSalesCycleInput, INPUT]
    ) -> UpdateSalesCyclePayload:
        changes = writes.SalesCycleChanges(
            description=input.description,
            probability_calculation=input.probability_calculation,
            blocked=input.blocked,
        )

        async def work(session: AsyncSession) -> str:
            return await writes.update_sales_cycle(session, input.code, changes)

        code, errors = await run(info, work)
        return UpdateSalesCyclePayload(sales_cycle=await _cycle(info, code), user_errors=errors)

    @strawberry.mutation(description="Delete a sales cycle that no opportunity uses, with its stages.")
    async def delete_sales_cycle(
        self, info: Info, input: Annotated[DeleteSalesCycleInput, INPUT]
    ) -> DeleteSalesCyclePayload:
        async def work(session: AsyncSession) -> str:
            return await writes.delete_sales_cycle(session, input.code)

        code, errors = await run(info, work)
        deleted = global_id("SalesCycle", code) if code is not None else None
        return DeleteSalesCyclePayload(deleted_id=deleted, user_errors=errors)

    @strawberry.mutation(
        description=f"Add a stage to a sales cycle (at most {writes.MAX_STAGES} in one cycle)."
    )
    async def create_sales_cycle_stage(
        self, info: Info, input: Annotated[CreateSalesCycleStageInput, INPUT]
    ) -> CreateSalesCycleStagePayload:
        fields = _stage_fields(input)

        async def work(session: AsyncSession) -> tuple[str, int]:
            return await writes.create_sales_cycle_stage(session, input.sales_cycle_code, fields)

        key, errors = await run(info, work)
        return CreateSalesCycleStagePayload(sales_cycle_stage=await _stage(info, key), user_errors=errors)

    @strawberry.mutation(description="Change or renumber a stage of a sales cycle.")
    async def update_sales_cycle_stage(
        self, info: Info, input: Annotated[UpdateSalesCycleStageInput, INPUT]
    ) -> UpdateSalesCycleStagePayload:
        changes = writes.StageChanges(
            new_stage=input.new_stage,
            description=input.description,
            completed_pct=input.completed_pct,
            chances_of_success_pct=input.chances_of_success_pct,
            activity_code=input.activity_code,
            quote_required=input.quote_required,
            allow_skip=input.allow_skip,
            date_formula=input.date_formula,
        )

        async def work(session: AsyncSession) -> tuple[str, int]:
            return await writes.update_sales_cycle_stage(
                session, input.sales_cycle_code, input.stage, changes
            )

        key, errors = await run(info, work)
        return UpdateSalesCycleStagePayload(sales_cycle_stage=await _stage(info, key), user_errors=errors)

    @strawberry.mutation(description="Delete a stage no active entry sits on.")
    async def delete_sales_cycle_stage(
        self, info: Info, input: Annotated[DeleteSalesCycleStageInput, INPUT]
    ) -> DeleteSalesCycleStagePayload:
        async def work(session: AsyncSession) -> tuple[str, int]:
            return await writes.delete_sales_cycle_stage(session, input.sales_cycle_code, input.stage)

        key, errors = await run(info, work)
        deleted = global_id("SalesCycleStage", *key) if key is not None else None
        return DeleteSalesCycleStagePayload(deleted_id=deleted, user_errors=errors)
