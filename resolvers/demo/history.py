"""One demo opportunity's history: its stage moves, entries, tasks, and its quote or order.

``plan_history`` draws what a salesperson does with an opportunity: which of the actions the Update
dialog offers (``models.stages.stage_candidates``) they take, with which inputs, and when. Once the
opportunity has dates, ``build_history`` replays the plan through the same pure rules the mutations
call (``models.lifecycle.plan_first_stage``, ``plan_stage_change`` and ``plan_close``, and
``models.activity_tasks.planned_tasks``), on a ``Position`` read from the opportunity as built so
far. So every entry, estimate and task comes from the rules, and every history in the demo data is
one the API would have written. The plan only ever draws valid inputs: a ``DomainError`` raised
here is a bug of the generator.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from decimal import Decimal

from models.activity_tasks import planned_tasks
from models.closing import CloseRequest, plan_close
from models.enums import (
    ActionTaken,
    CloseOutcome,
    OpportunityStatus,
    Priority,
    StageAction,
    TaskType,
)
from models.lifecycle import PlannedEntry, Position
from models.probability import round_money
from models.stage_change import StageRequest, plan_first_stage, plan_stage_change
from models.stages import FORCES_CHANCES, Candidates, needs_quote, stage_candidates
from resolvers.demo.catalog import ACTIVITIES, CLOSE_CODES, QUOTE_ITEMS, CycleDef, StageDef, StepDef
from resolvers.demo.contacts import CampaignRow, ContactRow

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
WON_CODES = tuple(code for code, _, outcome in CLOSE_CODES if outcome is CloseOutcome.WON)
LOST_CODES = tuple(code for code, _, outcome in CLOSE_CODES if outcome is CloseOutcome.LOST)
#: What ``close_code_outcome`` reads from the close opportunity codes.
CLOSE_CODE_OUTCOMES = {code: outcome for code, _, outcome in CLOSE_CODES}
#: What ``create_stage_tasks`` reads from the activity steps.
ACTIVITY_STEPS: dict[str, tuple[StepDef, ...]] = {a.code: a.steps for a in ACTIVITIES}
#: The catalog's cycles' candidate lists, by cycle code and current stage.
_candidate_cache: dict[tuple[str, int | None], Candidates] = {}


def candidates(cycle: CycleDef, current: int | None) -> Candidates:
    """``stage_candidates`` of ``cycle`` (one of the catalog's) at stage ``current``, computed
    once per stage."""
    key = (cycle.code, current)
    found = _candidate_cache.get(key)
    if found is None:
        found = _candidate_cache[key] = stage_candidates(cycle.stages, current)
    return found


@dataclass(frozen=True, slots=True)
class Move:
    """One Update-dialog action (or the first-stage activation) and the inputs it is given."""

    action: StageAction
    stage: StageDef  # the stage the move goes to, drawn from the action's candidate list
    gap: int  # days since the previous step
    chances_offset: Decimal  # the entered chances as an offset from the stage's; 0: none entered
    value_factor: Decimal | None  # a new estimate, relative to the current one
    close_days: int | None  # an entered estimated close date, in days after the change
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
    #: 0: Activate First Stage (date only); else Update with action First and the FIRST move's inputs.
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


# --- drawing the plan ------------------------------------------------------------------------


def _gap(rng: random.Random) -> int:
    return 0 if rng.random() < 0.12 else rng.randint(1, 24)


def _move(rng: random.Random, action: StageAction, stage: StageDef, *, quote: bool) -> Move:
    # Skip and Jump use the target stage's chances whatever is entered (domain.md §11.6).
    custom = action not in FORCES_CHANCES and rng.random() < 0.3
    chances = Decimal(rng.choice((-15, -10, -5, 5, 10, 15))) if custom else ZERO
    changes_value = action is not StageAction.FIRST and rng.random() < 0.35
    return Move(
        action=action,
        stage=stage,
        gap=0 if action is StageAction.FIRST else _gap(rng),
        chances_offset=chances,
        value_factor=Decimal(rng.randint(80, 125)) / HUNDRED if changes_value else None,
        close_days=rng.randint(7, 120) if rng.random() < 0.3 else None,
        cancel_tasks=action is not StageAction.FIRST and rng.random() < 0.08,
        quote_before=quote,
    )


_MOVE_WEIGHTS = (
    (StageAction.NEXT, 45),
    (StageAction.SKIP, 12),
    (StageAction.UPDATE, 18),
    (StageAction.PREVIOUS, 6),
    (StageAction.JUMP, 4),
)
_WON_NEXT_WEIGHT = 60
_weight_cache: dict[tuple[str, int, bool], tuple[list[StageAction], list[int]]] = {}


def _weights(cycle: CycleDef, stage: int, won: bool) -> tuple[list[StageAction], list[int]]:
    """The actions offered at ``stage`` with the cumulative odds of each being taken; Next is
    likelier on the way to a win."""
    key = (cycle.code, stage, won)
    found = _weight_cache.get(key)
    if found is None:
        offered = candidates(cycle, stage)
        moves = [
            (a, _WON_NEXT_WEIGHT if won and a is StageAction.NEXT else w)
            for a, w in _MOVE_WEIGHTS
            if offered.offered(a)
        ]
        found = _weight_cache[key] = (
            [a for a, _ in moves],
            list(itertools.accumulate(w for _, w in moves)),
        )
    return found


def plan_history(rng: random.Random, cycle: CycleDef, status: OpportunityStatus) -> Plan:
    """Draw the moves of a started opportunity that ends in ``status``: each one an action the
    Update dialog offers at the stage reached (domain.md §2.4), into a stage of its list."""
    n = len(cycle.stages)
    won = status is OpportunityStatus.WON
    count = {
        OpportunityStatus.IN_PROGRESS: rng.randint(0, n + 1),
        OpportunityStatus.WON: rng.randint(1, n + 1),
        OpportunityStatus.LOST: rng.randint(0, n),
    }[status]
    cur = _stage(candidates(cycle, None).first[0])
    moves = [_move(rng, StageAction.FIRST, cur, quote=False)]
    has_quote = False
    for _ in range(count):
        offered = candidates(cycle, cur.stage)
        if won and not offered.next and rng.random() < 0.6:
            break  # a won deal often closes from the last stage
        actions, cum_weights = _weights(cycle, cur.stage, won)
        action = rng.choices(actions, cum_weights=cum_weights)[0]
        if action is StageAction.SKIP or action is StageAction.JUMP:
            target = _stage(rng.choice(offered.of(action)))
        else:
            target = _stage(offered.of(action)[0])
        quote = False
        if needs_quote(action, target, has_quote):
            # The quote check of domain.md §2.5 (4): link a quote first, or do something else.
            if rng.random() < 0.85:
                quote = has_quote = True
            else:
                action, target = StageAction.UPDATE, cur
        moves.append(_move(rng, action, target, quote=quote))
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


def _stage(stage: object) -> StageDef:
    """The candidate lists hold the cycle's own ``StageDef`` objects."""
    assert isinstance(stage, StageDef)
    return stage


# --- building the history through the rules --------------------------------------------------


def _make_quote(
    rng: random.Random, opp: OpportunityRow, date: dt.date, value: Decimal, order_date: dt.date
) -> QuoteRow:
    """A quote of 1-4 lines adding up to about ``value`` (or a made-up value when it is 0),
    linked to ``opp``; like ``create_sales_quote``, its order date is the active entry's
    estimated close date."""
    base = value if value > 0 else Decimal(rng.randint(4, 200) * 250)
    target = base * Decimal(rng.randint(85, 110)) / HUNDRED
    n = rng.randint(1, 4)
    weights = [rng.randint(2, 10) for _ in range(n)]
    lines: list[QuoteLine] = []
    for line_no, (item, weight) in enumerate(zip(rng.sample(QUOTE_ITEMS, n), weights, strict=True), start=1):
        quantity = Decimal(rng.choice((1, 1, 2, 3, 4, 5, 10, 12, 20, 25)))
        discount = Decimal(rng.choice((0, 0, 0, 5, 10, 15)))
        price = max(round_money(target * weight / sum(weights) / quantity), ONE)
        amount = round_money(quantity * price * (1 - discount / HUNDRED))
        lines.append(QuoteLine(line_no, item, quantity, price, discount, amount))
    quote = QuoteRow(opp, date, order_date, lines, sum((ln.amount for ln in lines), ZERO))
    opp.quote = quote
    opp.quotes_made.append(quote)
    return quote


def _complete_due(rng: random.Random, open_tasks: list[TaskRow], date: dt.date, share: float) -> None:
    for task in list(open_tasks):
        if task.date <= date and rng.random() < share:
            task.date_closed = task.date
            open_tasks.remove(task)


def _cancel(open_tasks: list[TaskRow], date: dt.date) -> None:
    for task in open_tasks:
        task.canceled, task.date_closed = True, date
    open_tasks.clear()


def insert_entry(
    opp: OpportunityRow, planned: PlannedEntry, open_tasks: list[TaskRow], *, cancel_old_tasks: bool
) -> EntryRow:
    """``resolvers.lifecycle.moves.insert_entry`` in memory: deactivate the active entry, append the
    planned one, cancel the open tasks on request, add the entered stage's tasks, set the status.
    Tasks are cancelled on the date of change, the day the move is made."""
    date = planned.date_of_change
    entries = opp.entries
    if entries:
        old = entries[-1]
        old.active = False
        old.days_open = (date - old.date_of_change).days
    estimates = planned.estimates
    entry = EntryRow(
        opportunity=opp,
        seq=len(entries),
        sales_cycle_stage=planned.stage_no,
        stage_description=planned.stage_description,
        previous_stage=planned.previous_stage,
        action=planned.action_taken,
        date_of_change=date,
        date_closed=planned.date_closed,
        estimated_value=estimates.estimated_value,
        calculated_value=estimates.calculated_current_value,
        completed_pct=estimates.completed_pct,
        chances_pct=estimates.chances_of_success_pct,
        probability_pct=estimates.probability_pct,
        close_code=planned.close_code,
        close_date=estimates.estimated_close_date or date,
    )
    entries.append(entry)
    if cancel_old_tasks:
        _cancel(open_tasks, date)
    activity = planned.activity_code
    if activity is not None:
        for seq, task in enumerate(planned_tasks(ACTIVITY_STEPS[activity], date)):
            row = TaskRow(entry, seq, task.type, task.priority, task.description, task.date)
            opp.tasks.append(row)
            open_tasks.append(row)
    if planned.action_taken is ActionTaken.WON:
        opp.status = OpportunityStatus.WON
    elif planned.action_taken is ActionTaken.LOST:
        opp.status = OpportunityStatus.LOST
    else:
        opp.status = OpportunityStatus.IN_PROGRESS
    return entry


def stage_request(
    rng: random.Random, opp: OpportunityRow, plan: Plan, move: Move, date: dt.date
) -> StageRequest:
    """What the salesperson enters in the Update dialog for ``move`` on ``date``. The estimated
    value is left to the dialog's default (the linked quote's amount, else the current value)
    unless the plan changes it or the current value is 0 (Update needs a value > 0)."""
    value: Decimal | None = None
    if move.action is StageAction.FIRST:
        value = plan.initial_value
    elif opp.quote is None:
        current = opp.entries[-1].estimated_value
        if current == 0:
            value = Decimal(rng.randint(2, 400) * 250)
        elif move.value_factor is not None:
            value = round_money(current * move.value_factor)
    chances = ZERO
    if move.chances_offset != 0:
        chances = min(max(move.stage.chances_of_success_pct + move.chances_offset, ONE), HUNDRED)
    chosen = move.action is StageAction.SKIP or move.action is StageAction.JUMP
    return StageRequest(
        action=move.action,
        stage=move.stage.stage if chosen else None,
        date_of_change=date,
        estimated_value=value,
        chances_of_success_pct=chances,
        estimated_close_date=(
            date + dt.timedelta(days=move.close_days) if move.close_days is not None else None
        ),
    )


def build_history(rng: random.Random, opp: OpportunityRow, plan: Plan, today: dt.date) -> None:
    """Replay ``plan`` on ``opp`` from its creation date through the lifecycle rules, filling its
    entries, tasks and documents."""
    stages = opp.cycle.stages
    date = opp.creation_date + dt.timedelta(days=plan.start_gap)
    open_tasks: list[TaskRow] = []
    for move in plan.moves:
        date += dt.timedelta(days=move.gap)
        _complete_due(rng, open_tasks, date, 0.5)
        if move.quote_before:
            active = opp.entries[-1]
            _make_quote(rng, opp, date, active.estimated_value, active.close_date)
        if move.action is StageAction.FIRST and plan.initial_value == 0:
            planned = plan_first_stage(opp.position(), stages, date)  # Activate First Stage
        else:
            request = stage_request(rng, opp, plan, move, date)
            planned = plan_stage_change(opp.position(), stages, request, today)
        assert planned.stage is move.stage, "the plan and the rules disagree on the target stage"
        insert_entry(opp, planned, open_tasks, cancel_old_tasks=move.cancel_tasks)
    if plan.closing is None:
        _complete_due(rng, open_tasks, today, 0.6)
        return
    _close(rng, opp, plan.closing, date, open_tasks, today)


def _close(
    rng: random.Random,
    opp: OpportunityRow,
    closing: Closing,
    last_date: dt.date,
    open_tasks: list[TaskRow],
    today: dt.date,
) -> None:
    """Close as Won or Lost through ``plan_close`` (domain.md §2.7), cancelling the open tasks;
    a won quote may then be made into an order (§5.4)."""
    date = last_date + dt.timedelta(days=closing.gap)
    active = opp.entries[-1]
    _complete_due(rng, open_tasks, date, 0.5)
    if closing.quote_before and opp.quote is None:
        _make_quote(rng, opp, date, active.estimated_value, active.close_date)
    won = closing.outcome is CloseOutcome.WON
    sales_value = None  # Lost takes none; Won takes the linked quote's amount
    if won and opp.quote is None:
        estimate = active.estimated_value or Decimal(rng.randint(2, 400) * 250)
        sales_value = round_money(estimate * closing.sales_factor)
    request = CloseRequest(
        outcome=closing.outcome,
        close_code=closing.code,
        close_code_outcome=CLOSE_CODE_OUTCOMES[closing.code],
        closing_date=date,
        sales_value=sales_value,
    )
    insert_entry(opp, plan_close(opp.position(), request, today), open_tasks, cancel_old_tasks=True)
    if won and closing.to_order and opp.quote is not None:
        # Make Order (domain.md §5.4): the quote is deleted, the opportunity points at the order.
        opp.order = OrderRow(opp.quote, date)
        opp.quote = None
