"""The end-to-end example of domain.md §9 replayed step by step through the pure rules: Activate
First Stage, Next, Skip past a quote stage, and Close Won."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models.activity_tasks import planned_tasks
from models.closing import CloseRequest, plan_close
from models.enums import ActionTaken, OpportunityStatus
from models.enums import ProbabilityCalculation as Method
from models.estimates import Estimates
from models.lifecycle import Position
from models.stage_change import StageRequest, plan_first_stage, plan_stage_change
from models.stages import stage_candidates
from tests.models.lifecycle_helpers import IN_PROGRESS, WON, Stage, d
from tests.models.rules_helpers import FIRST, HUNDRED, NEXT, SKIP, ZERO, Entry, Step, refusal


def test_domain_example_replayed() -> None:
    """domain.md §9, step by step, through the pure rules (the resolvers persist each entry)."""
    new = [
        Stage(1, Decimal(10), Decimal(50), date_formula="1W", activity_code="INIT", description="Initial"),
        Stage(2, Decimal(40), Decimal(60), allow_skip=True, description="Presentation"),
        Stage(3, Decimal(60), Decimal(70), allow_skip=True, quote_required=True, description="Proposal"),
        Stage(4, Decimal(80), Decimal(80), description="Negotiation"),
    ]
    work_date, ten_k = d(1, 10), Decimal(10000)

    def at(stage: int, date: dt.date, value: Decimal, quote: Decimal | None = None) -> Position:
        return Position("O", IN_PROGRESS, "NEW", Method.MULTIPLY, Entry(stage, date, value), quote)

    # 1. created: not started, no entries; only First is offered
    o = Position("O", OpportunityStatus.NOT_STARTED, "NEW", Method.MULTIPLY, None)
    assert stage_candidates(new, None).offered_actions() == [FIRST]
    # 2. activate first stage: entry 1 and two tasks dated from its date of change
    e1 = plan_first_stage(o, new, work_date)
    assert (e1.stage_no, e1.stage_description, e1.action_taken) == (1, "Initial", ActionTaken.STARTED)
    assert e1.estimates == Estimates(ZERO, Decimal(50), Decimal(10), Decimal(5), ZERO, d(1, 17))
    assert e1.activity_code == "INIT"
    tasks = planned_tasks([Step(1, "0D"), Step(2, "3D")], e1.date_of_change)
    assert [t.date for t in tasks] == [d(1, 10), d(1, 13)]
    # 3. Next on 01-15 with value 10 000: chances from stage 2, close date from its blank formula
    next_ = StageRequest(NEXT, None, d(1, 15), ten_k)
    e2 = plan_stage_change(at(1, e1.date_of_change, ZERO), new, next_, work_date)
    assert (e2.stage_no, e2.action_taken, e2.previous_stage) == (2, ActionTaken.NEXT, 1)
    assert e2.activity_code is None  # stage 2 has no activity: no tasks
    assert e2.estimates == Estimates(ten_k, Decimal(60), Decimal(40), Decimal(24), Decimal(2400), d(1, 15))
    assert (e2.date_of_change - e1.date_of_change).days == 5  # entry 1's daysOpen
    # 4. Next needs a quote for stage 3; Skip [3, 4] to 4 records JUMPED with chances forced to 80
    o = at(2, e2.date_of_change, ten_k)
    quote_required = [("QUOTE_REQUIRED", ["stage"])]
    assert refusal(lambda: plan_stage_change(o, new, StageRequest(NEXT), work_date)) == quote_required
    assert [s.stage for s in stage_candidates(new, 2).skip] == [3, 4]
    e3 = plan_stage_change(o, new, StageRequest(SKIP, 4, d(1, 20), ten_k, Decimal(60)), work_date)
    assert (e3.stage_no, e3.action_taken, e3.previous_stage) == (4, ActionTaken.JUMPED, 2)
    assert e3.estimates == Estimates(ten_k, Decimal(80), Decimal(80), Decimal(64), Decimal(6400), d(1, 20))
    assert (e3.date_of_change - e2.date_of_change).days == 5
    to_3 = StageRequest(SKIP, 3, d(1, 20), ten_k)
    assert refusal(lambda: plan_stage_change(o, new, to_3, work_date)) == quote_required
    quoted = at(2, e2.date_of_change, ten_k, Decimal(12000))
    assert plan_stage_change(quoted, new, to_3, work_date).action_taken is ActionTaken.NEXT
    # 5. Close Won on 02-01 with code WON1 and sales value 9 500 (or the linked quote's amount)
    won = CloseRequest(WON, "WON1", WON, d(2, 1), Decimal(9500))
    e4 = plan_close(at(4, e3.date_of_change, ten_k), won, work_date)
    assert (e4.stage_no, e4.previous_stage, e4.action_taken, e4.close_code) == (0, 4, ActionTaken.WON, "WON1")
    assert e4.estimates == Estimates(ten_k, HUNDRED, HUNDRED, HUNDRED, Decimal(9500), d(2, 1))
    assert e4.date_closed == d(2, 1)
    e4_quoted = plan_close(at(4, e3.date_of_change, ten_k, Decimal(12000)), won, work_date)
    assert e4_quoted.estimates.calculated_current_value == Decimal(12000)
