"""Setup (the marketing setup singleton) and the viewer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select

import models
from graph.context import Info
from graph.types.common import load_one
from graph.types.enums import Role

if TYPE_CHECKING:
    from graph.types.sales_cycle import SalesCycle
    from graph.types.salesperson import Salesperson


@strawberry.type(description="A number series: `prefix` + the next number, zero-padded to `width`.")
class NumberSeries:
    code: str = strawberry.field(description="Code of the series.")
    description: str = strawberry.field(description="Description.")
    prefix: str = strawberry.field(description="Prefix of every number.")
    width: int = strawberry.field(description="Digits after the prefix.")
    next_no: int = strawberry.field(description="The number the next document gets.")
    manual_nos: bool = strawberry.field(description="Whether callers may supply their own numbers.")

    @classmethod
    def from_model(cls, s: models.NumberSeries) -> NumberSeries:
        return cls(
            code=s.code,
            description=s.description,
            prefix=s.prefix,
            width=s.width,
            next_no=s.next_no,
            manual_nos=s.manual_nos,
        )


@strawberry.type(description="Company-wide settings of opportunity management.")
class Setup:
    opportunity_nos: NumberSeries = strawberry.field(description="Series numbering opportunities.")
    task_nos: NumberSeries = strawberry.field(description="Series numbering tasks.")
    contact_nos: NumberSeries = strawberry.field(description="Series numbering contacts.")
    campaign_nos: NumberSeries = strawberry.field(description="Series numbering campaigns.")
    quote_nos: NumberSeries = strawberry.field(description="Series numbering sales quotes.")
    order_nos: NumberSeries = strawberry.field(description="Series numbering sales orders.")
    time_zone: str = strawberry.field(description="Business time zone: 'today' is the date there.")
    currency_code: str = strawberry.field(description="Code of the local currency all amounts are in.")
    row: strawberry.Private[models.Setup]

    @strawberry.field(description="Sales cycle put on new opportunities (when it exists and is not blocked).")
    async def default_sales_cycle(
        self, info: Info
    ) -> Annotated[SalesCycle, strawberry.lazy("graph.types.sales_cycle")] | None:
        from graph.types.sales_cycle import SalesCycle

        return await load_one(
            info.context.loaders.sales_cycle_by_code, self.row.default_sales_cycle_code, SalesCycle.from_row
        )

    @strawberry.field(description="Salesperson put on new contacts.")
    async def default_salesperson(
        self, info: Info
    ) -> Annotated[Salesperson, strawberry.lazy("graph.types.salesperson")] | None:
        from graph.types.salesperson import Salesperson

        return await load_one(
            info.context.loaders.salesperson_by_code, self.row.default_salesperson_code, Salesperson.from_row
        )


async def load_setup(info: Info) -> Setup:
    async with info.context.sessions() as session:
        setup = (await session.execute(select(models.Setup))).scalar_one()
        series = {
            s.code: NumberSeries.from_model(s)
            for s in (await session.execute(select(models.NumberSeries))).scalars()
        }
    return Setup(
        opportunity_nos=series[setup.opportunity_nos],
        task_nos=series[setup.task_nos],
        contact_nos=series[setup.contact_nos],
        campaign_nos=series[setup.campaign_nos],
        quote_nos=series[setup.quote_nos],
        order_nos=series[setup.order_nos],
        time_zone=setup.time_zone,
        currency_code=setup.currency_code,
        row=setup,
    )


@strawberry.type(description="Who is calling.")
class Viewer:
    role: Role = strawberry.field(description="The caller's role; ANONYMOUS when not authenticated.")
    key_name: str | None = strawberry.field(description="Name of the API key used, if any.")
    salesperson_code: str | None = strawberry.field(description="Salesperson the caller acts as, if any.")

    @strawberry.field(description="The salesperson the caller acts as.")
    async def salesperson(
        self, info: Info
    ) -> Annotated[Salesperson, strawberry.lazy("graph.types.salesperson")] | None:
        from graph.types.salesperson import Salesperson

        return await load_one(
            info.context.loaders.salesperson_by_code, self.salesperson_code, Salesperson.from_row
        )
