"""One demo opportunity's history: its stage moves, entries, tasks, and its quote or order.

``plan_history`` draws the moves an opportunity makes through its sales cycle, obeying the
candidate lists and guards of domain.md §2.4 and §2.5 (Skip only over skippable stages, Next and Skip
into a quote-required stage only once a quote is linked). Once the opportunity has dates,
``build_history`` turns the plan into entries with the estimates of §3.2, the tasks of §4 and the
closing entry of §2.7.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from models.date_formula import calc_date
from models.enums import (
    ActionTaken,
    CloseOutcome,
    OpportunityStatus,
    Priority,
    StageAction,
)
from models.probability import calculated_value, probability_pct, round_money
from resolvers.seed_catalog import CLOSE_CODES, QUOTE_ITEMS, CycleDef, StageDef, StepDef
from resolvers.seed_contacts import CampaignRow, ContactRow

ZERO = Decimal(0)
HUNDRED = Decimal(100)
#: Entries created by these actions generate the entered stage's activity tasks (domain.md §4).
TASK_ACTIONS = frozenset(
    {ActionTaken.STARTED, ActionTaken.NEXT, ActionTaken.PREVIOUS, ActionTaken.JUMPED}
)
#: Skip and Jump force the target stage's default chances (domain.md §3.2).
FORCED_CHANCES = frozenset({StageAction.SKIP, StageAction.JUMP})
WON_CODES = tuple(code for code, _, outcome in CLOSE_CODES if outcome is CloseOutcome.WON)
LOST_CODES = tuple(code for code, _, outcome in CLOSE_CODES if outcome is CloseOutcome.LOST)
#: The few formulas meet the ~550 dates of the window over and over: remember the results.
_calc_date = lru_cache(maxsize=1 << 16)(calc_date)


@dataclass(frozen=True, slots=True)
class Move:
    """One Update-dialog action (or the first-stage activation) and the inputs it was given."""

    action: StageAction
    target: int  # index into the cycle's stages
    taken: ActionTaken
    gap: int  # days since the previous step
    chances_offset: Decimal  # the input chances as an offset from the stage's; 0: its default
    value_factor: Decimal | None  # a new estimate, relative to the current one
    close_days: int | None  # an explicit estimated close date, in days after the change
    cancel_tasks: bool
    quote_before: bool  # a sales quote is created just before this move


@dataclass(frozen=True, slots=True)
class Closing:
    outcome: CloseOutcome
    gap: int
    code: str
    quote_before: bool
    to_order: bool  # the won quote was made into an order
    sales_factor: Decimal  # sales value relative to the estimate, when no quote is linked


@dataclass(frozen=True, slots=True)
class Plan:
    start_gap: int  # days from creation to the first entry
    initial_value: Decimal
    moves: tuple[Move, ...]  # starts with the FIRST move
    closing: Closing | None

    @property
    def span(self) -> int:
        """Days from the creation date to the last entry."""
        closing = self.closing.gap if self.closing else 0
        return self.start_gap + sum(m.gap for m in self.moves) + closing


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
    opportunity: OpportunityRow
    seq: int
    stage: StageDef | None  # None on closing entries
    previous_stage: int
    action: ActionTaken
    date: dt.date
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

    @property
    def stage_no(self) -> int:
        return self.stage.stage if self.stage is not None else 0


@dataclass(slots=True)
class TaskRow:
    entry: EntryRow
    step: StepDef
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
    status: OpportunityStatus
    priority: Priority
    description: str
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
        return self.entries[-1].date if closed else None


def _gap(rng: random.Random) -> int:
    return 0 if rng.random() < 0.12 else rng.randint(1, 24)


def _skip_targets(stages: tuple[StageDef, ...], cur: int) -> list[int]:
    """The Skip candidate list of domain.md §2.4, as stage indexes."""
    targets: list[int] = []
    j = cur + 1
    if j < len(stages) and stages[j].allow_skip:
        while j < len(stages):
            targets.append(j)
            if not stages[j].allow_skip:
                break
            j += 1
    return targets


def _move(
    rng: random.Random, action: StageAction, target: int, taken: ActionTaken, *, quote: bool
) -> Move:
    custom = action not in FORCED_CHANCES and rng.random() < 0.3
    chances = Decimal(rng.choice((-15, -10, -5, 5, 10, 15))) if custom else ZERO
    changes_value = action is not StageAction.FIRST and rng.random() < 0.35
    return Move(
        action=action,
        target=target,
        taken=taken,
        gap=0 if action is StageAction.FIRST else _gap(rng),
        chances_offset=chances,
        value_factor=Decimal(rng.randint(80, 125)) / HUNDRED if changes_value else None,
        close_days=rng.randint(7, 120) if rng.random() < 0.3 else None,
        cancel_tasks=action is not StageAction.FIRST and rng.random() < 0.08,
        quote_before=quote,
    )


def plan_history(rng: random.Random, cycle: CycleDef, status: OpportunityStatus) -> Plan:
    """Draw the moves of a started opportunity that ends in ``status``."""
    stages = cycle.stages
    n = len(stages)
    won = status is OpportunityStatus.WON
    count = {
        OpportunityStatus.IN_PROGRESS: rng.randint(0, n + 1),
        OpportunityStatus.WON: rng.randint(1, n + 1),
        OpportunityStatus.LOST: rng.randint(0, n),
    }[status]
    moves = [_move(rng, StageAction.FIRST, 0, ActionTaken.STARTED, quote=False)]
    cur, has_quote = 0, False
    for _ in range(count):
        if won and cur == n - 1 and rng.random() < 0.6:
            break
        options: list[tuple[StageAction, int]] = []
        if cur + 1 < n:
            options.append((StageAction.NEXT, 60 if won else 45))
        skip = _skip_targets(stages, cur)
        if len(skip) > 1:
            options.append((StageAction.SKIP, 12))
        options.append((StageAction.UPDATE, 18))
        if cur >= 1:
            options.append((StageAction.PREVIOUS, 6))
        if cur >= 2:
            options.append((StageAction.JUMP, 4))
        action = rng.choices([o[0] for o in options], [o[1] for o in options])[0]
        target, taken = cur, ActionTaken.UPDATED
        if action is StageAction.NEXT:
            target, taken = cur + 1, ActionTaken.NEXT
        elif action is StageAction.SKIP:
            target = rng.choice(skip)
            taken = ActionTaken.NEXT if target == cur + 1 else ActionTaken.JUMPED
        elif action is StageAction.PREVIOUS:
            target, taken = cur - 1, ActionTaken.PREVIOUS
        elif action is StageAction.JUMP:
            target = rng.randrange(cur)
            taken = ActionTaken.PREVIOUS if target == cur - 1 else ActionTaken.JUMPED
        quote = False
        if action in (StageAction.NEXT, StageAction.SKIP) and stages[target].quote_required:
            # The quote check of domain.md §2.5 (4): link a quote first, or do something else.
            if not has_quote and rng.random() < 0.85:
                quote = has_quote = True
            elif not has_quote:
                action, target, taken = StageAction.UPDATE, cur, ActionTaken.UPDATED
        moves.append(_move(rng, action, target, taken, quote=quote))
        cur = target
    closing = None
    if status is not OpportunityStatus.IN_PROGRESS:
        outcome = CloseOutcome.WON if won else CloseOutcome.LOST
        quote = not has_quote and rng.random() < (0.5 if won else 0.1)
        closing = Closing(
            outcome=outcome,
            gap=rng.randint(0, 30),
            code=rng.choice(WON_CODES if won else LOST_CODES),
            quote_before=quote,
            to_order=won and rng.random() < 0.25,
            sales_factor=Decimal(rng.randint(85, 105)) / HUNDRED,
        )
    initial = ZERO if rng.random() < 0.05 else Decimal(rng.randint(2, 400) * 250)
    return Plan(rng.choice((0, 0, 0, 1, 2, 5)), initial, tuple(moves), closing)


def _make_quote(
    rng: random.Random, opp: OpportunityRow, date: dt.date, value: Decimal, order_date: dt.date
) -> QuoteRow:
    """A quote of 1-4 lines adding up to about ``value`` (or a made-up value when it is 0)."""
    base = value if value > 0 else Decimal(rng.randint(4, 200) * 250)
    target = base * Decimal(rng.randint(85, 110)) / HUNDRED
    n = rng.randint(1, 4)
    weights = [rng.randint(2, 10) for _ in range(n)]
    lines: list[QuoteLine] = []
    for line_no, (item, weight) in enumerate(
        zip(rng.sample(QUOTE_ITEMS, n), weights, strict=True), start=1
    ):
        quantity = Decimal(rng.choice((1, 1, 2, 3, 4, 5, 10, 12, 20, 25)))
        discount = Decimal(rng.choice((0, 0, 0, 5, 10, 15)))
        price = max(round_money(target * weight / sum(weights) / quantity), Decimal(1))
        amount = round_money(quantity * price * (1 - discount / HUNDRED))
        lines.append(QuoteLine(line_no, item, quantity, price, discount, amount))
    quote = QuoteRow(opp, date, order_date, lines, sum((ln.amount for ln in lines), ZERO))
    opp.quote = quote
    opp.quotes_made.append(quote)
    return quote


def _append(opp: OpportunityRow, entry: EntryRow) -> None:
    if opp.entries:
        previous = opp.entries[-1]
        previous.active = False
        previous.days_open = (entry.date - previous.date).days
    opp.entries.append(entry)


def _complete_due(rng: random.Random, open_tasks: list[TaskRow], date: dt.date, share: float) -> None:
    for task in list(open_tasks):
        if task.date <= date and rng.random() < share:
            task.date_closed = task.date
            open_tasks.remove(task)


def _cancel(open_tasks: list[TaskRow], date: dt.date) -> None:
    for task in open_tasks:
        task.canceled, task.date_closed = True, date
    open_tasks.clear()


def build_history(rng: random.Random, opp: OpportunityRow, plan: Plan, today: dt.date) -> None:
    """Fill ``opp``'s entries, tasks and documents from ``plan``, starting at its creation date."""
    cycle = opp.cycle
    date = opp.creation_date + dt.timedelta(days=plan.start_gap)
    value = plan.initial_value
    open_tasks: list[TaskRow] = []
    for move in plan.moves:
        date += dt.timedelta(days=move.gap)
        _complete_due(rng, open_tasks, date, 0.5)
        if move.cancel_tasks:
            _cancel(open_tasks, date)
        if move.quote_before:
            _make_quote(rng, opp, date, value, opp.entries[-1].close_date)
        if opp.quote is not None:
            value = opp.quote.total  # the Update dialog proposes the linked quote's total
        elif value == 0 and move.action is not StageAction.FIRST:
            value = Decimal(rng.randint(2, 400) * 250)  # Update requires a value > 0
        elif move.value_factor is not None:
            value = round_money(value * move.value_factor)
        stage = cycle.stages[move.target]
        if move.chances_offset == 0 or move.action in FORCED_CHANCES:
            chances = stage.chances_pct
        else:
            chances = min(max(stage.chances_pct + move.chances_offset, Decimal(1)), HUNDRED)
        probability = probability_pct(cycle.method, chances, stage.completed_pct)
        close_date = (
            date + dt.timedelta(days=move.close_days)
            if move.close_days is not None
            else _calc_date(stage.date_formula, date)
        )
        entry = EntryRow(
            opportunity=opp,
            seq=len(opp.entries),
            stage=stage,
            previous_stage=opp.entries[-1].stage_no if opp.entries else 0,
            action=move.taken,
            date=date,
            estimated_value=value,
            calculated_value=calculated_value(value, probability),
            completed_pct=stage.completed_pct,
            chances_pct=chances,
            probability_pct=probability,
            close_code=None,
            close_date=close_date,
        )
        _append(opp, entry)
        if move.taken in TASK_ACTIONS and stage.activity is not None:
            for step in stage.activity.steps:
                task = TaskRow(entry, step, _calc_date(step.date_formula, date))
                opp.tasks.append(task)
                open_tasks.append(task)
    if plan.closing is None:
        _complete_due(rng, open_tasks, today, 0.6)
        return
    _close(rng, opp, plan.closing, date, open_tasks)


def _close(
    rng: random.Random,
    opp: OpportunityRow,
    closing: Closing,
    last_date: dt.date,
    open_tasks: list[TaskRow],
) -> None:
    """Append the Won or Lost entry (domain.md §2.7, §3.2) and cancel the open tasks."""
    date = last_date + dt.timedelta(days=closing.gap)
    active = opp.entries[-1]
    _complete_due(rng, open_tasks, date, 0.5)
    if closing.quote_before and opp.quote is None:
        _make_quote(rng, opp, date, active.estimated_value, active.close_date)
    won = closing.outcome is CloseOutcome.WON
    if not won:
        value, chances, probability = ZERO, ZERO, ZERO
    elif opp.quote is not None:
        value, chances, probability = opp.quote.total, HUNDRED, HUNDRED
    else:
        estimate = active.estimated_value or Decimal(rng.randint(2, 400) * 250)
        value = round_money(estimate * closing.sales_factor)
        chances, probability = HUNDRED, HUNDRED
    entry = EntryRow(
        opportunity=opp,
        seq=len(opp.entries),
        stage=None,
        previous_stage=active.stage_no,
        action=ActionTaken.WON if won else ActionTaken.LOST,
        date=date,
        estimated_value=active.estimated_value,
        calculated_value=value,
        completed_pct=HUNDRED,
        chances_pct=chances,
        probability_pct=probability,
        close_code=closing.code,
        close_date=date,
    )
    _append(opp, entry)
    _cancel(open_tasks, date)
    if won and closing.to_order and opp.quote is not None:
        # Make Order (domain.md §5.4): the quote is deleted, the opportunity points at the order.
        opp.order = OrderRow(opp.quote, date)
        opp.quote = None
