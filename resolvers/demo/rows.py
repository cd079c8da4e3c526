"""A demo opportunity in memory: its row and those of its entries, tasks, quotes and order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from models.enums import ActionTaken, OpportunityStatus, Priority, TaskType
from models.lifecycle import Position
from resolvers.demo.catalog import CycleDef
from resolvers.demo.contacts import CampaignRow, ContactRow


@dataclass(slots=True)
class QuoteLine:
    line_no: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    amount: Decimal  # what the database's generated column computes


@dataclass(slots=True)
class QuoteRow:
    opportunity: OpportunityRow
    document_date: dt.date
    order_date: dt.date
    lines: list[QuoteLine]
    total: Decimal
    no: str = ""


@dataclass(slots=True)
class OrderRow:
    quote: QuoteRow
    document_date: dt.date
    no: str = ""


@dataclass(slots=True)
class EntryRow:
    """An entry as the rules planned it; the last one is the active entry they read next
    (a ``models.lifecycle.ActiveEntryLike``)."""

    opportunity: OpportunityRow
    seq: int
    sales_cycle_stage: int  # 0 on closing entries
    stage_description: str
    previous_stage: int
    action: ActionTaken
    date_of_change: dt.date
    date_closed: dt.date | None
    estimated_value: Decimal
    calculated_value: Decimal
    completed_pct: Decimal
    chances_pct: Decimal
    probability_pct: Decimal
    close_code: str | None
    close_date: dt.date
    active: bool = True
    days_open: int = 0
    entry_no: int = 0


@dataclass(slots=True)
class TaskRow:
    entry: EntryRow
    seq: int  # the step's place in its activity
    type: TaskType
    priority: Priority
    description: str
    date: dt.date
    canceled: bool = False
    date_closed: dt.date | None = None
    no: str = ""


@dataclass(slots=True)
class OpportunityRow:
    order_key: int
    contact: ContactRow
    salesperson_code: str
    campaign: CampaignRow | None
    cycle: CycleDef
    creation_date: dt.date
    priority: Priority
    description: str
    #: Follows the entries as ``insert_entry`` sets it: Not Started until the first one.
    status: OpportunityStatus = OpportunityStatus.NOT_STARTED
    entries: list[EntryRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    quote: QuoteRow | None = None  # linked, and still a quote
    order: OrderRow | None = None
    quotes_made: list[QuoteRow] = field(default_factory=list)  # including one made into an order
    no: str = ""
    campaign_no: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.campaign_no = self.campaign.no if self.campaign is not None else None

    @property
    def date_closed(self) -> dt.date | None:
        closed = self.status in (OpportunityStatus.WON, OpportunityStatus.LOST)
        return self.entries[-1].date_of_change if closed else None

    def position(self) -> Position:
        """The opportunity as the lifecycle rules see it (``resolvers.lifecycle.moves.situation``)."""
        entries = self.entries
        return Position(
            no=self.no,
            status=self.status,
            sales_cycle_code=self.cycle.code,
            method=self.cycle.method,
            active=entries[-1] if entries else None,
            quote_amount=self.quote.total if self.quote is not None else None,
        )
