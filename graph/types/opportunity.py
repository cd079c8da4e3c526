"""Opportunity and its filter/order inputs. KPIs are read from the active entry (domain.md §3.4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

import models
from graph.context import Info
from graph.relay import Connection, Node, OrderDirection, nested_connection, order_terms, page_args
from graph.types.common import After, Before, First, Last, load_one, pct, to_filter
from graph.types.enums import OpportunityStatus, Priority, StageAction
from graph.types.errors import UserError
from models.lifecycle import Position
from models.stage_actions import available_actions
from resolvers.reads import opportunity as opportunity_reads
from resolvers.reads.pagination import Listing

if TYPE_CHECKING:
    from graph.types.campaign import Campaign
    from graph.types.contact import Contact
    from graph.types.entry import OpportunityEntry, OpportunityEntryFilter, OpportunityEntryOrder
    from graph.types.sales_cycle import SalesCycle, SalesCycleStage
    from graph.types.sales_document import SalesDocument
    from graph.types.salesperson import Salesperson
    from graph.types.task import Task, TaskFilter, TaskOrder

OpportunityOrderField = opportunity_reads.OpportunityOrderField
strawberry.enum(
    opportunity_reads.OpportunityOrderField,
    description=(
        "Sort keys of opportunities. Values of the active entry sort a not-started opportunity as "
        "0 or as the earliest date; ties are broken by NO."
    ),
)


@strawberry.input(description="One sort term of an opportunity list.")
class OpportunityOrder:
    field: OpportunityOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Sort direction.")


@strawberry.input(description="Narrows an opportunity list; all given conditions must hold.")
class OpportunityFilter:
    status: list[OpportunityStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    closed: bool | None = strawberry.field(default=None, description="Won or lost (true) or open (false).")
    salesperson_code: str | None = strawberry.field(default=None, description="Salesperson code.")
    contact_no: str | None = strawberry.field(default=None, description="Contact the opportunity is for.")
    contact_company_no: str | None = strawberry.field(
        default=None, description="Company of the contact (includes its persons' opportunities)."
    )
    campaign_no: str | None = strawberry.field(default=None, description="Campaign number.")
    sales_cycle_code: str | None = strawberry.field(default=None, description="Sales cycle code.")
    current_stage: int | None = strawberry.field(default=None, description="Stage of the active entry.")
    priority: list[Priority] | None = strawberry.field(default=None, description="Any of these priorities.")
    creation_date_from: dt.date | None = strawberry.field(default=None, description="Created on or after.")
    creation_date_to: dt.date | None = strawberry.field(default=None, description="Created on or before.")
    estimated_closing_date_from: dt.date | None = strawberry.field(
        default=None, description="Estimated closing date on or after."
    )
    estimated_closing_date_to: dt.date | None = strawberry.field(
        default=None, description="Estimated closing date on or before."
    )
    date_closed_from: dt.date | None = strawberry.field(default=None, description="Closed on or after.")
    date_closed_to: dt.date | None = strawberry.field(default=None, description="Closed on or before.")
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the description."
    )
    stalled_for_days: int | None = strawberry.field(
        default=None,
        description="Open (started, not closed) opportunities whose `daysInCurrentStage` is greater "
        "than this (0 to 36500; else INVALID_FILTER).",
    )


def opportunity_listing(
    filter: OpportunityFilter | None, order_by: list[OpportunityOrder] | None
) -> tuple[tuple[object, ...], Listing]:
    """The listing for a filter and ordering, with a hashable key of both. Not yet scoped to the
    caller: ``root_connection`` and the loaders do that where the rows are fetched."""
    data = to_filter(filter, opportunity_reads.OpportunityFilter)
    terms = order_terms(order_by)
    listing = opportunity_reads.opportunity_listing(data, terms)
    return (data, tuple(terms)), listing


async def opportunities_of(
    info: Info,
    relation: str,
    parent_column: Any,
    parent_key: str,
    filter: OpportunityFilter | None,
    order_by: list[OpportunityOrder] | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Opportunity]:
    """A parent's opportunities, paged per parent and batched across parents."""
    params, listing = opportunity_listing(filter, order_by)
    return await nested_connection(
        info,
        relation,
        params,
        listing,
        parent_column,
        parent_key,
        page_args(first, after, last, before),
        Opportunity.from_row,
    )


@strawberry.type(
    description="An action the stage update offers an opportunity now, so a client can render the choice "
    "without repeating the rules."
)
class AvailableStageAction:
    action: StageAction = strawberry.field(description="The action, as `updateOpportunityStage` takes it.")
    stages: list[Annotated[SalesCycleStage, strawberry.lazy("graph.types.sales_cycle")]] = strawberry.field(
        description="The stages it can reach (one, except for SKIP and JUMP), in stage order."
    )
    default_stage: Annotated[SalesCycleStage, strawberry.lazy("graph.types.sales_cycle")] | None = (
        strawberry.field(description="The stage proposed when `stage` is omitted.")
    )
    is_default: bool = strawberry.field(description="Whether this is the action the dialog proposes.")
    blockers: list[UserError] = strawberry.field(
        description="What would refuse the action into its default stage whatever the input "
        "(e.g. QUOTE_REQUIRED); empty when it can go ahead."
    )


@strawberry.type(description="A sales opportunity moving through the stages of its sales cycle.")
class Opportunity(Node):
    no: str = strawberry.field(description="Number (natural key), from the opportunity number series.")
    description: str = strawberry.field(description="What is being sold.")
    status: OpportunityStatus = strawberry.field(description="Changed only by entries.")
    priority: Priority = strawberry.field(description="Priority.")
    closed: bool = strawberry.field(description="True once won or lost.")
    date_closed: dt.date | None = strawberry.field(description="Closing date of the won/lost entry.")
    creation_date: dt.date = strawberry.field(description="Work date of creation.")
    version: int = strawberry.field(description="Incremented on every write; pass it as `expectedVersion`.")
    row: strawberry.Private[models.Opportunity]
    entry: strawberry.Private[models.OpportunityEntry | None]

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> Opportunity:
        opp, entry = row[0], row[1]
        assert isinstance(opp, models.Opportunity)
        assert entry is None or isinstance(entry, models.OpportunityEntry)
        return cls(
            no=opp.no,
            description=opp.description,
            status=opp.status,
            priority=opp.priority,
            closed=opp.closed,
            date_closed=opp.date_closed,
            creation_date=opp.creation_date,
            version=opp.version,
            row=opp,
            entry=entry,
        )

    def node_key(self) -> list[str | int]:
        return [self.no]

    # --- KPIs from the active entry ------------------------------------------------------------

    @strawberry.field(description="Estimated value (LCY) of the active entry; 0 when not started.")
    def estimated_value(self) -> Decimal:
        return self.entry.estimated_value if self.entry else Decimal("0.00")

    @strawberry.field(description="Calculated current value (LCY) of the active entry: value × probability.")
    def calculated_current_value(self) -> Decimal:
        return self.entry.calculated_current_value if self.entry else Decimal("0.00")

    @strawberry.field(description="Probability % of the active entry.")
    def probability_pct(self) -> Decimal:
        return pct(self.entry.probability_pct) if self.entry else Decimal(0)

    @strawberry.field(description="Chances of success % of the active entry.")
    def chances_of_success_pct(self) -> Decimal:
        return pct(self.entry.chances_of_success_pct) if self.entry else Decimal(0)

    @strawberry.field(description="Completed % of the active entry.")
    def completed_pct(self) -> Decimal:
        return pct(self.entry.completed_pct) if self.entry else Decimal(0)

    @strawberry.field(description="Estimated closing date of the active entry.")
    def estimated_closing_date(self) -> dt.date | None:
        return self.entry.estimated_close_date if self.entry else None

    @strawberry.field(description="The active entry; null when not started.")
    def active_entry(
        self,
    ) -> Annotated[OpportunityEntry, strawberry.lazy("graph.types.entry")] | None:
        from graph.types.entry import OpportunityEntry

        return OpportunityEntry.from_row((self.entry,)) if self.entry else None

    @strawberry.field(description="Stage of the active entry; null when not started or closed.")
    async def current_stage(
        self, info: Info
    ) -> Annotated[SalesCycleStage, strawberry.lazy("graph.types.sales_cycle")] | None:
        from graph.types.sales_cycle import stage_in_cycle

        if self.entry is None or self.entry.sales_cycle_stage == 0 or not self.entry.sales_cycle_code:
            return None
        return await stage_in_cycle(info, self.entry.sales_cycle_code, self.entry.sales_cycle_stage)

    @strawberry.field(
        description="Days since the opportunity entered its current stage: today (in the setup's time "
        "zone) minus the date of change of its latest entry that is not UPDATED (an update never "
        "changes the stage); negative for a stage entered on a future date. Null when not started "
        "or closed. Loaded in one batch for a page of opportunities."
    )
    async def days_in_current_stage(self, info: Info) -> int | None:
        if self.entry is None or self.closed:
            return None
        row = await info.context.loaders.days_in_current_stage_by_opportunity.load(self.no)
        return None if row is None else int(row[1])

    @strawberry.field(
        description="The stage actions offered now, with their stages and blockers; empty once closed."
    )
    async def available_stage_actions(self, info: Info) -> list[AvailableStageAction]:
        from graph.types.sales_cycle import SalesCycleStage

        code = self.row.sales_cycle_code
        if self.closed or code is None:
            return []
        loaders = info.context.loaders
        await loaders.sales_cycle_by_code.load(code)  # fetches the stages with the cycle
        stages = [row[0] for row in await loaders.stages_by_sales_cycle.load(code)]
        position = Position(
            no=self.no,
            status=self.status,
            sales_cycle_code=code,
            method=models.ProbabilityCalculation.MULTIPLY,  # not needed to list actions
            active=self.entry,
            quote_amount=Decimal(0) if self.row.sales_quote_no is not None else None,
        )
        return [
            AvailableStageAction(
                action=option.action,
                stages=[SalesCycleStage.from_row((stage,)) for stage in option.stages],
                default_stage=SalesCycleStage.from_row((option.default_stage,))
                if option.default_stage is not None
                else None,
                is_default=option.is_default,
                blockers=[UserError.from_error(e) for e in option.blockers],
            )
            for option in available_actions(position, stages)
        ]

    # --- relations -----------------------------------------------------------------------------

    @strawberry.field(description="The contact the opportunity is for.")
    async def contact(self, info: Info) -> Annotated[Contact, strawberry.lazy("graph.types.contact")]:
        from graph.types.contact import Contact

        row = await info.context.loaders.contact_by_no.load(self.row.contact_no)
        return Contact.from_row(row)

    @strawberry.field(description="The company of the contact (the contact itself for a company).")
    async def contact_company(
        self, info: Info
    ) -> Annotated[Contact, strawberry.lazy("graph.types.contact")] | None:
        from graph.types.contact import Contact

        return await load_one(
            info.context.loaders.contact_by_no, self.row.contact_company_no, Contact.from_row
        )

    @strawberry.field(description="The salesperson responsible.")
    async def salesperson(
        self, info: Info
    ) -> Annotated[Salesperson, strawberry.lazy("graph.types.salesperson")] | None:
        from graph.types.salesperson import Salesperson

        return await load_one(
            info.context.loaders.salesperson_by_code, self.row.salesperson_code, Salesperson.from_row
        )

    @strawberry.field(description="The sales cycle the opportunity moves through.")
    async def sales_cycle(
        self, info: Info
    ) -> Annotated[SalesCycle, strawberry.lazy("graph.types.sales_cycle")] | None:
        from graph.types.sales_cycle import SalesCycle

        return await load_one(
            info.context.loaders.sales_cycle_by_code, self.row.sales_cycle_code, SalesCycle.from_row
        )

    @strawberry.field(description="The campaign the opportunity belongs to.")
    async def campaign(
        self, info: Info
    ) -> Annotated[Campaign, strawberry.lazy("graph.types.campaign")] | None:
        from graph.types.campaign import Campaign

        return await load_one(info.context.loaders.campaign_by_no, self.row.campaign_no, Campaign.from_row)

    @strawberry.field(description="The linked sales quote or order, if any.")
    async def sales_document(
        self, info: Info
    ) -> Annotated[SalesDocument, strawberry.lazy("graph.types.sales_document")] | None:
        from graph.types.sales_document import SalesOrder, SalesQuote

        loaders = info.context.loaders
        if self.row.sales_quote_no is not None:
            return await load_one(loaders.sales_quote_by_no, self.row.sales_quote_no, SalesQuote.from_row)
        return await load_one(loaders.sales_order_by_no, self.row.sales_order_no, SalesOrder.from_row)

    @strawberry.field(description="The history of entries, by default in ascending entry number.")
    async def entries(
        self,
        info: Info,
        filter: Annotated[
            Annotated[OpportunityEntryFilter, strawberry.lazy("graph.types.entry")] | None,
            strawberry.argument(description="Only items meeting all these conditions."),
        ] = None,
        order_by: Annotated[
            list[Annotated[OpportunityEntryOrder, strawberry.lazy("graph.types.entry")]] | None,
            strawberry.argument(
                description="Sort terms, applied in order; ties are broken by the natural key."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[OpportunityEntry, strawberry.lazy("graph.types.entry")]]:
        from graph.types.entry import entries_of

        return await entries_of(
            info,
            "EntriesByOpportunity",
            models.OpportunityEntry.opportunity_no,
            self.no,
            filter,
            order_by,
            first,
            after,
            last,
            before,
        )

    @strawberry.field(description="Tasks of the opportunity, by default in ascending task number.")
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
            "TasksByOpportunity",
            models.Task.opportunity_no,
            self.no,
            filter,
            order_by,
            first,
            after,
            last,
            before,
        )
