"""Replaying a demo opportunity's plan through the lifecycle rules: its entries, tasks, quote and order.

Once the opportunity has dates, ``build_history`` replays the plan drawn by
``resolvers.demo.plan.plan_history`` through the same pure rules the mutations call
(``models.stage_change.plan_first_stage`` and ``plan_stage_change``, ``models.closing.plan_close``,
and ``models.activity_tasks.planned_tasks``), on a ``Position`` read from the opportunity as built so
far. So every entry, estimate and task comes from the rules, and every history in the demo data is
one the API would have written. The plan only ever draws valid inputs: a ``DomainError`` raised
here is a bug of the generator.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from models.activity_tasks import planned_tasks
from models.closing import CloseRequest, plan_close
from models.enums import ActionTaken, CloseOutcome, OpportunityStatus, StageAction
from models.lifecycle import PlannedEntry
from models.probability import round_money
from models.stage_change import StageRequest, plan_first_stage, plan_stage_change
from resolvers.demo.catalog import ACTIVITIES, CLOSE_CODES, QUOTE_ITEMS, StepDef
from resolvers.demo.plan import Closing, Move, Plan
from resolvers.demo.rows import EntryRow, OpportunityRow, OrderRow, QuoteLine, QuoteRow, TaskRow

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
#: What ``close_code_outcome`` reads from the close opportunity codes.
CLOSE_CODE_OUTCOMES = {code: outcome for code, _, outcome in CLOSE_CODES}
#: What ``create_stage_tasks`` reads from the activity steps.
ACTIVITY_STEPS: dict[str, tuple[StepDef, ...]] = {a.code: a.steps for a in ACTIVITIES}


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
