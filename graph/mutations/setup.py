"""Mutations of this area (api.md §6): updateSetup."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.context import Info
from graph.mutations.common import INPUT, run
from graph.types.errors import UserError
from graph.types.setup import Setup, load_setup
from resolvers.writes import setup as writes
from resolvers.writes.transaction import Change

SERIES = (
    "Changes to the number series; omitted fields stay as they are. Numbers are Code[20]: "
    "the prefix's length plus the width is at most 20. Not null."
)


@strawberry.input(
    description="Changes to a number series (numbers are `prefix` + the number zero-padded to `width`). "
    "Omitted fields stay as they are."
)
class NumberSeriesInput:
    prefix: strawberry.Maybe[str | None] = strawberry.field(
        description="Prefix of every number, upper-cased, at most 20 characters; null: no prefix."
    )
    width: strawberry.Maybe[int | None] = strawberry.field(
        description="Digits after the prefix, 1–18 (not null)."
    )
    next_no: strawberry.Maybe[int | None] = strawberry.field(
        description="The number the next document gets: at least 1 and within the width (not null). "
        "Numbers already used are not checked: going back can collide with existing documents."
    )
    manual_nos: strawberry.Maybe[bool | None] = strawberry.field(
        description="Whether callers may supply their own numbers (not null)."
    )


@strawberry.input(
    description="Changes to the setup. Omitted fields stay as they are; null clears where allowed."
)
class UpdateSetupInput:
    opportunity_nos: strawberry.Maybe[NumberSeriesInput | None] = strawberry.field(
        description=f"Opportunity numbers. {SERIES}"
    )
    task_nos: strawberry.Maybe[NumberSeriesInput | None] = strawberry.field(
        description=f"Task numbers. {SERIES}"
    )
    contact_nos: strawberry.Maybe[NumberSeriesInput | None] = strawberry.field(
        description=f"Contact numbers. {SERIES}"
    )
    quote_nos: strawberry.Maybe[NumberSeriesInput | None] = strawberry.field(
        description=f"Sales quote numbers. {SERIES}"
    )
    order_nos: strawberry.Maybe[NumberSeriesInput | None] = strawberry.field(
        description=f"Sales order numbers. {SERIES}"
    )
    campaign_nos: strawberry.Maybe[NumberSeriesInput | None] = strawberry.field(
        description=f"Campaign numbers. {SERIES}"
    )
    default_sales_cycle_code: strawberry.Maybe[str | None] = strawberry.field(
        description="Sales cycle put on new opportunities: an existing one, not blocked; null clears it."
    )
    default_salesperson_code: strawberry.Maybe[str | None] = strawberry.field(
        description="Salesperson put on new contacts: an existing one, not blocked; null clears it."
    )
    time_zone: strawberry.Maybe[str | None] = strawberry.field(
        description="Business time zone, an IANA name such as `Europe/Berlin`: 'today' is the date "
        "there (not null)."
    )
    currency_code: strawberry.Maybe[str | None] = strawberry.field(
        description="Code of the local currency, upper-cased, at most 10 characters (not blank)."
    )


@strawberry.type(description="Result of updateSetup.")
class UpdateSetupPayload:
    setup: Setup | None = strawberry.field(description="The setup after the change.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


def _series(change: strawberry.Maybe[NumberSeriesInput | None]) -> Change[writes.SeriesChanges | None]:
    if change is None:
        return None
    given = change.value
    if given is None:
        return strawberry.Some(None)  # an explicit null, which the use case refuses
    return strawberry.Some(
        writes.SeriesChanges(
            prefix=given.prefix, width=given.width, next_no=given.next_no, manual_nos=given.manual_nos
        )
    )


@strawberry.type
class SetupMutation:
    @strawberry.mutation(
        description="Change the setup: number series, default sales cycle and salesperson, time zone, "
        "currency."
    )
    async def update_setup(self, info: Info, input: Annotated[UpdateSetupInput, INPUT]) -> UpdateSetupPayload:
        changes = writes.SetupChanges(
            opportunity_nos=_series(input.opportunity_nos),
            task_nos=_series(input.task_nos),
            contact_nos=_series(input.contact_nos),
            quote_nos=_series(input.quote_nos),
            order_nos=_series(input.order_nos),
            campaign_nos=_series(input.campaign_nos),
            default_sales_cycle_code=input.default_sales_cycle_code,
            default_salesperson_code=input.default_salesperson_code,
            time_zone=input.time_zone,
            currency_code=input.currency_code,
        )

        async def work(session: AsyncSession) -> None:
            await writes.update_setup(session, changes)

        _, errors = await run(info, work)
        return UpdateSetupPayload(setup=None if errors else await load_setup(info), user_errors=errors)
