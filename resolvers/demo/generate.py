"""The whole demo data set as rows ready for ``COPY``, generated without I/O.

Deterministic: the same scale, date, seed and number series give the same rows. Numbers follow
time: ``OP000001`` is the oldest opportunity, entry numbers follow the dates of change, tasks
their entries, quotes and orders their document dates.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from models.date_formula import calc_date
from models.enums import OpportunityStatus, Priority, SystemTaskType, TaskStatus
from resolvers.demo.catalog import (
    ACTIVITIES,
    CLOSE_CODES,
    CYCLES,
    PRODUCTS,
    SALESPEOPLE,
    CycleDef,
)
from resolvers.demo.contacts import (
    CampaignRow,
    ContactRow,
    Series,
    generate_campaigns,
    generate_contacts,
)
from resolvers.demo.history import build_history
from resolvers.demo.plan import plan_history
from resolvers.demo.rows import EntryRow, OpportunityRow, TaskRow

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

OPPORTUNITIES_PER_SCALE = 1000
MAX_PER_CONTACT = 20
#: How far back the histories go.
HISTORY_FORMULA = "-18M"
#: Share of the opportunities with a campaign (when one runs on their creation date).
CAMPAIGN_SHARE = 0.15
#: Share of old closed opportunities kept by the salesperson who has since been blocked.
BLOCKED_SHARE = 0.3
STATUS_WEIGHTS = (
    (OpportunityStatus.NOT_STARTED, 15),
    (OpportunityStatus.IN_PROGRESS, 50),
    (OpportunityStatus.WON, 20),
    (OpportunityStatus.LOST, 15),
)
_STATUSES = [s for s, _ in STATUS_WEIGHTS]
_STATUS_CUM_WEIGHTS = list(itertools.accumulate(w for _, w in STATUS_WEIGHTS))
_CYCLE_CUM_WEIGHTS = list(itertools.accumulate(c.weight for c in CYCLES))
_PRIORITIES = list(Priority)
_PRIORITY_CUM_WEIGHTS = [2, 8, 10]

Row = tuple[object, ...]
T = TypeVar("T")


class FastRandom(random.Random):
    """``random.Random`` whose integer draws take one float each.

    The generator makes millions of them; the standard library's exact rejection sampling costs
    a tenth of the generation time, and its bias-free guarantee matters nothing for demo data.
    Deterministic for a given seed, like its base class.
    """

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        return seq[int(self.random() * len(seq))]


@dataclass(frozen=True, slots=True)
class DemoSeries:
    """The number series the generated documents are numbered from."""

    contact: Series
    campaign: Series
    opportunity: Series
    task: Series
    quote: Series
    order: Series
    opportunity_code: str = "OPP"  # stored in ``opportunity.no_series``


DEFAULT_SERIES = DemoSeries(
    contact=Series("CT", 6, 1),
    campaign=Series("CP", 6, 1),
    opportunity=Series("OP", 6, 1),
    task=Series("TD", 6, 1),
    quote=Series("SQ", 6, 1),
    order=Series("SO", 6, 1),
)


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: list[Row]


@dataclass(frozen=True, slots=True)
class DemoData:
    """The tables in an order that satisfies their foreign keys, and how far each series went."""

    tables: tuple[Table, ...]
    numbers_used: dict[str, int]  # series role ("contact", "quote", …) -> numbers taken

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def _opportunity_counts(rng: random.Random, contacts: int, total: int) -> list[int]:
    """Opportunities per contact: 0-20 each, ``total`` in all."""
    counts = [rng.randint(0, MAX_PER_CONTACT) for _ in range(contacts)]
    diff = total - sum(counts)
    while diff:
        i = rng.randrange(contacts)
        if diff > 0 and counts[i] < MAX_PER_CONTACT:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > 0:
            counts[i] -= 1
            diff += 1
    return counts


def _opportunity(
    rng: random.Random,
    key: int,
    contact: ContactRow,
    campaigns: list[CampaignRow],
    today: dt.date,
    window: int,
) -> OpportunityRow:
    status = rng.choices(_STATUSES, cum_weights=_STATUS_CUM_WEIGHTS)[0]
    if status is OpportunityStatus.WON and contact.company_no is None:
        # Winning needs the contact's company (domain.md §5.2); a lone person can only lose.
        status = OpportunityStatus.LOST
    cycle: CycleDef = rng.choices(CYCLES, cum_weights=_CYCLE_CUM_WEIGHTS)[0]
    plan = None
    if status is OpportunityStatus.NOT_STARTED:
        back = int(rng.triangular(0, 150, 0))
    else:
        plan = plan_history(rng, cycle, status)
        free = max(0, window - plan.span)
        if status is OpportunityStatus.IN_PROGRESS:
            back = plan.span + int(rng.triangular(0, free, 0))
        else:
            back = plan.span + rng.randint(0, free)
    created = today - dt.timedelta(days=back)
    salesperson = contact.salesperson_code
    closed = status in (OpportunityStatus.WON, OpportunityStatus.LOST)
    if closed and back > 365 and rng.random() < BLOCKED_SHARE:
        salesperson = next(s.code for s in SALESPEOPLE if s.blocked)
    running = [c for c in campaigns if c.covers(created)]
    campaign = rng.choice(running) if running and rng.random() < CAMPAIGN_SHARE else None
    org = contact.company_name or contact.name
    opp = OpportunityRow(
        order_key=key,
        contact=contact,
        salesperson_code=salesperson,
        campaign=campaign,
        cycle=cycle,
        creation_date=created,
        priority=rng.choices(_PRIORITIES, cum_weights=_PRIORITY_CUM_WEIGHTS)[0],
        description=f"{rng.choice(PRODUCTS)} for {org}"[:100],
    )
    if plan is not None:
        build_history(rng, opp, plan, today)
    return opp


def generate_demo(
    *,
    scale: int,
    today: dt.date,
    rng_seed: int,
    series: DemoSeries = DEFAULT_SERIES,
    progress: Callable[[int, int], None] | None = None,
) -> DemoData:
    """Generate every demo row: ``100 × scale`` contacts and ``1000 × scale`` opportunities.

    ``progress(made, total)`` is called after each contact's opportunities; an exception it
    raises stops the generation.
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    rng = FastRandom(rng_seed)
    contacts = generate_contacts(rng, scale, series.contact, SALESPEOPLE)
    campaigns = generate_campaigns(rng, today, series.campaign, SALESPEOPLE)
    window = (today - calc_date(HISTORY_FORMULA, today)).days
    total = OPPORTUNITIES_PER_SCALE * scale
    counts = _opportunity_counts(rng, len(contacts), total)
    opportunities: list[OpportunityRow] = []
    for i, (contact, count) in enumerate(zip(contacts, counts, strict=True)):
        opportunities.extend(
            _opportunity(rng, len(contacts) * k + i, contact, campaigns, today, window)
            for k in range(count)
        )
        if progress is not None:
            progress(len(opportunities), total)
    return _numbered(series, contacts, campaigns, opportunities)


def _numbered(
    series: DemoSeries,
    contacts: list[ContactRow],
    campaigns: list[CampaignRow],
    opportunities: list[OpportunityRow],
) -> DemoData:
    opportunities.sort(key=lambda o: (o.creation_date, o.order_key))
    for i, opp in enumerate(opportunities):
        opp.no = series.opportunity.number(i)
    entries = [e for o in opportunities for e in o.entries]
    entries.sort(key=lambda e: (e.date_of_change, e.opportunity.no, e.seq))
    for i, entry in enumerate(entries, start=1):
        entry.entry_no = i
    tasks = [t for o in opportunities for t in o.tasks]
    tasks.sort(key=lambda t: (t.entry.entry_no, t.seq))
    for i, task in enumerate(tasks):
        task.no = series.task.number(i)
    quotes = [q for o in opportunities for q in o.quotes_made]
    quotes.sort(key=lambda q: (q.document_date, q.opportunity.no))
    for i, quote in enumerate(quotes):
        quote.no = series.quote.number(i)
    orders = [o.order for o in opportunities if o.order is not None]
    orders.sort(key=lambda o: (o.document_date, o.quote.opportunity.no))
    for i, order in enumerate(orders):
        order.no = series.order.number(i)
    kept_quotes = [q for q in quotes if q.opportunity.quote is q]
    tables = (
        *_master_tables(),
        Table("campaign", ("no", "description", "starting_date", "ending_date", "activated",
              "salesperson_code"), [c.as_tuple() for c in campaigns]),
        Table("contact", ("no", "type", "name", "company_no", "salesperson_code", "email",
              "phone_no"), [c.as_tuple() for c in contacts]),
        Table("sales_quote", ("no", "contact_no", "salesperson_code", "campaign_no",
              "document_date", "order_date", "shipment_date", "currency_code"), [
            (q.no, q.opportunity.contact.no, q.opportunity.salesperson_code,
             q.opportunity.campaign_no, q.document_date, q.order_date, q.order_date, "")
            for q in kept_quotes]),
        Table("sales_quote_line", LINE_COLUMNS, [
            (q.no, ln.line_no, ln.description, ln.quantity, ln.unit_price, ln.discount_pct)
            for q in kept_quotes for ln in q.lines]),
        Table("sales_order", ("no", "quote_no", "contact_no", "salesperson_code", "campaign_no",
              "document_date", "order_date", "currency_code"), [
            (o.no, o.quote.no, o.quote.opportunity.contact.no,
             o.quote.opportunity.salesperson_code, o.quote.opportunity.campaign_no,
             o.document_date, o.quote.order_date, "") for o in orders]),
        Table("sales_order_line", ("order_no", *LINE_COLUMNS[1:]), [
            (o.no, ln.line_no, ln.description, ln.quantity, ln.unit_price, ln.discount_pct)
            for o in orders for ln in o.quote.lines]),
        Table("opportunity", OPPORTUNITY_COLUMNS,
              [_opportunity_row(o, series.opportunity_code) for o in opportunities]),
        Table("opportunity_entry", ENTRY_COLUMNS, _entry_rows(entries)),
        Table("task", TASK_COLUMNS, _task_rows(tasks)),
    )  # fmt: skip
    used = {
        "contact": len(contacts),
        "campaign": len(campaigns),
        "opportunity": len(opportunities),
        "task": len(tasks),
        "quote": len(quotes),
        "order": len(orders),
    }
    return DemoData(tables, used)


def _master_tables() -> tuple[Table, ...]:
    return (
        Table("salesperson", ("code", "name", "email", "phone_no", "job_title",
              "commission_pct", "blocked", "privacy_blocked"), [
            (s.code, s.name, s.email, f"+1 425 555 01{i:02d}", s.job_title, s.commission_pct,
             s.blocked, False) for i, s in enumerate(SALESPEOPLE)]),
        Table("activity", ("code", "description"), [(a.code, a.description) for a in ACTIVITIES]),
        Table("activity_step", ("activity_code", "step_no", "type", "description", "priority",
              "date_formula"), [
            (a.code, s.step_no, s.type.name, s.description, s.priority.name, s.date_formula)
            for a in ACTIVITIES for s in a.steps]),
        Table("close_opportunity_code", ("code", "description", "type"),
              [(c, d, t.name) for c, d, t in CLOSE_CODES]),
        Table("sales_cycle", ("code", "description", "probability_calculation", "blocked"),
              [(c.code, c.description, c.method.name, False) for c in CYCLES]),
        Table("sales_cycle_stage", ("sales_cycle_code", "stage", "description", "completed_pct",
              "chances_of_success_pct", "activity_code", "quote_required", "allow_skip",
              "date_formula"), [
            (c.code, s.stage, s.description, s.completed_pct, s.chances_of_success_pct,
             s.activity_code, s.quote_required, s.allow_skip,
             s.date_formula) for c in CYCLES for s in c.stages]),
    )  # fmt: skip


def _opportunity_row(o: OpportunityRow, no_series: str) -> Row:
    closed = o.date_closed
    return (
        o.no, no_series, o.description, o.salesperson_code, o.campaign_no, o.contact.no,
        o.contact.company_no, o.cycle.code, o.quote.no if o.quote else None,
        o.order.no if o.order else None, o.creation_date, o.status.name, o.priority.name,
        closed is not None, closed, _version(o),
    )  # fmt: skip


def _version(o: OpportunityRow) -> int:
    """One write per mutation (api.md §6): creation, each entry, and each quote made for it
    (Make Order closes and re-links in one mutation, whose entry is already counted)."""
    return 1 + len(o.entries) + len(o.quotes_made)


def _entry_rows(entries: list[EntryRow]) -> list[Row]:
    rows: list[Row] = []
    for e in entries:
        o = e.opportunity
        rows.append((
            e.entry_no, o.no, o.cycle.code, e.sales_cycle_stage, e.stage_description,
            e.previous_stage, o.contact.no, o.contact.company_no, o.salesperson_code,
            o.campaign_no, e.date_of_change, e.active, e.date_closed, e.days_open,
            e.action.name, e.estimated_value,
            e.calculated_value, e.completed_pct, e.chances_pct, e.probability_pct, e.close_code,
            e.close_date,
        ))  # fmt: skip
    return rows


def _task_rows(tasks: list[TaskRow]) -> list[Row]:
    rows: list[Row] = []
    completed, not_started = TaskStatus.COMPLETED.name, TaskStatus.NOT_STARTED.name
    organizer = SystemTaskType.ORGANIZER.name
    for t in tasks:
        o = t.entry.opportunity
        closed = t.date_closed is not None
        rows.append((
            t.no, t.description, t.type.name, t.date, t.priority.name,
            completed if closed else not_started, closed, t.canceled, t.date_closed, False, 1,
            organizer, o.salesperson_code, o.contact.no, o.contact.company_no, o.campaign_no,
            o.no, t.entry.entry_no,
        ))  # fmt: skip
    return rows


LINE_COLUMNS = (
    "quote_no", "line_no", "description", "quantity", "unit_price", "line_discount_pct",
)  # fmt: skip
OPPORTUNITY_COLUMNS = (
    "no", "no_series", "description", "salesperson_code", "campaign_no", "contact_no",
    "contact_company_no", "sales_cycle_code", "sales_quote_no", "sales_order_no",
    "creation_date", "status", "priority", "closed", "date_closed", "version",
)  # fmt: skip
ENTRY_COLUMNS = (
    "entry_no", "opportunity_no", "sales_cycle_code", "sales_cycle_stage",
    "sales_cycle_stage_description", "previous_sales_cycle_stage", "contact_no",
    "contact_company_no", "salesperson_code", "campaign_no", "date_of_change", "active",
    "date_closed", "days_open", "action_taken", "estimated_value", "calculated_current_value",
    "completed_pct", "chances_of_success_pct", "probability_pct", "close_opportunity_code",
    "estimated_close_date",
)  # fmt: skip
TASK_COLUMNS = (
    "no", "description", "type", "date", "priority", "status", "closed", "canceled",
    "date_closed", "recurring", "duration_days", "system_task_type", "salesperson_code",
    "contact_no", "contact_company_no", "campaign_no", "opportunity_no", "opportunity_entry_no",
)  # fmt: skip
