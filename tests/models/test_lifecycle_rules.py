"""The Update command's action × guard × effect table and its validation order, and the end-to-end
example replayed (domain.md §2.5, §9, §11; api.md §6 error codes).

Activate First Stage and action_blockers are tested in test_stage_rules.py, the Close command with the
Won/Lost estimates in test_estimates.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pytest

from models.activity_tasks import planned_tasks
from models.closing import CloseRequest, plan_close
from models.enums import ActionTaken, CloseOutcome, OpportunityStatus, Priority, StageAction, TaskType
from models.enums import ProbabilityCalculation as Method
from models.errors import DomainError, DomainErrors
from models.estimates import Estimates
from models.lifecycle import Position
from models.stage_change import StageRequest, plan_first_stage, plan_stage_change
from models.stages import StageLike, stage_candidates

FIRST, NEXT, PREVIOUS = StageAction.FIRST, StageAction.NEXT, StageAction.PREVIOUS
SKIP, UPDATE, JUMP = StageAction.SKIP, StageAction.UPDATE, StageAction.JUMP
WON = CloseOutcome.WON
IN_PROGRESS = OpportunityStatus.IN_PROGRESS
ZERO, HUNDRED = Decimal(0), Decimal(100)
Errors = list[tuple[str, list[str] | None]]


def d(month: int, day: int) -> dt.date:
    return dt.date(2024, month, day)


ACTIVE = d(1, 10)  # the active entry's date of change
TODAY = d(1, 20)


@dataclass(frozen=True, slots=True)
class Stage:
    stage: int
    completed_pct: Decimal
    chances_of_success_pct: Decimal
    allow_skip: bool = False
    quote_required: bool = False
    date_formula: str = ""
    activity_code: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    sales_cycle_stage: int
    date_of_change: dt.date
    estimated_value: Decimal


@dataclass(frozen=True, slots=True)
class Step:
    step_no: int
    date_formula: str
    description: str = ""
    type: TaskType = TaskType.NONE
    priority: Priority = Priority.NORMAL


def stage(
    no: int, completed: int, chances: int, flags: str = "", formula: str = "", activity: str = ""
) -> Stage:
    """``flags``: ``s`` for Allow Skip, ``q`` for Quote Required."""
    flagged = ("s" in flags, "q" in flags)
    return Stage(no, Decimal(completed), Decimal(chances), *flagged, formula, activity or None, f"S{no}")


# From stage 3: next [4], previous [2], skip [4, 5], update [3], jump [1, 2].
C5 = [
    stage(1, 10, 50, "", "1W", "A1"),
    stage(2, 40, 60, "s", "2W", "A2"),
    stage(3, 60, 70, "", "1M", "A3"),
    stage(4, 70, 75, "s", "10D", "A4"),
    stage(5, 90, 85, "", "", "A5"),
]
# Quote Required on 1, 3 and 4; from stage 2 the Skip list is [3, 4, 5].
QC = [stage(1, 10, 50, "q"), stage(2, 20, 50, "s"), stage(3, 30, 50, "sq"), stage(4, 40, 50, "sq")]
QC.append(stage(5, 50, 50))
# Stages 2 and 3 propose no chances; 3 proposes a close date before the date of change; 4's formula is bad.
ZC = [stage(1, 10, 50), stage(2, 20, 0, "s"), stage(3, 30, 0, "", "-1D"), stage(4, 40, 50, "", "XYZ")]
ONE_SKIP = [stage(1, 10, 50), stage(2, 20, 50), stage(3, 30, 50, "s")]


def position(
    current: int | None, *, value: str = "1000", date: dt.date = ACTIVE, quote: str | None = None,
    status: OpportunityStatus | None = None, cycle: str | None = "C5",
) -> Position:
    active = Entry(current, date, Decimal(value)) if current is not None else None
    status = status or (IN_PROGRESS if active else OpportunityStatus.NOT_STARTED)
    return Position("OP000001", status, cycle, Method.MULTIPLY, active, Decimal(quote) if quote else None)


def request(
    action: StageAction, stage: int | None = None, chances: str | None = None, *, value: str | None = "1000",
    date: dt.date | None = None, close: dt.date | None = None,
) -> StageRequest:
    amount = Decimal(value) if value is not None else None
    return StageRequest(action, stage, date, amount, Decimal(chances) if chances is not None else None, close)


def refusal(call: Callable[[], object]) -> Errors:
    """The (code, field) of every error ``call`` raises; several come as one ``DomainErrors``."""
    with pytest.raises((DomainError, DomainErrors)) as info:
        call()
    error = info.value
    if isinstance(error, DomainErrors):
        assert len(error.errors) > 1
        return [(e.code, e.field) for e in error.errors]
    assert isinstance(error, DomainError)
    return [(error.code, error.field)]


def change(pos: Position, plan: StageRequest, stages: Sequence[StageLike] = C5) -> Errors:
    return refusal(lambda: plan_stage_change(pos, stages, plan, TODAY))


# (current, action, stage, chances entered, target, recorded, chances used, P, close date, activity);
# the estimated value is 1000, so the calculated value is P × 10.
ACTION_CASES = [
    pytest.param(None, FIRST, None, None, 1, "STARTED", "50", "5", d(1, 27), "A1", id="first"),
    pytest.param(None, FIRST, 3, "30", 1, "STARTED", "30", "3", d(1, 27), "A1", id="first, entered"),
    pytest.param(3, NEXT, None, None, 4, "NEXT", "75", "52.5", d(1, 30), "A4", id="next"),
    pytest.param(3, NEXT, 1, "30", 4, "NEXT", "30", "21", d(1, 30), "A4", id="next, entered"),
    pytest.param(3, PREVIOUS, None, None, 2, "PREVIOUS", "60", "24", d(2, 3), "A2", id="previous"),
    pytest.param(3, PREVIOUS, 5, "30", 2, "PREVIOUS", "30", "12", d(2, 3), "A2", id="previous, entered"),
    pytest.param(3, UPDATE, None, None, 3, "UPDATED", "70", "42", d(2, 20), None, id="update"),
    pytest.param(3, UPDATE, 5, "30", 3, "UPDATED", "30", "18", d(2, 20), None, id="update, entered"),
    pytest.param(5, UPDATE, None, None, 5, "UPDATED", "85", "76.5", TODAY, None, id="update, last (§11.5)"),
    pytest.param(3, SKIP, None, "30", 4, "NEXT", "75", "52.5", d(1, 30), "A4", id="skip, default"),
    pytest.param(3, SKIP, 4, "30", 4, "NEXT", "75", "52.5", d(1, 30), "A4", id="skip, adjacent"),
    pytest.param(3, SKIP, 5, "30", 5, "JUMPED", "85", "76.5", TODAY, "A5", id="skip, further"),
    pytest.param(3, JUMP, None, "30", 2, "PREVIOUS", "60", "24", d(2, 3), "A2", id="jump, default"),
    pytest.param(3, JUMP, 2, "90", 2, "PREVIOUS", "60", "24", d(2, 3), "A2", id="jump, adjacent"),
    pytest.param(3, JUMP, 1, "30", 1, "JUMPED", "50", "5", d(1, 27), "A1", id="jump, further"),
]


@pytest.mark.parametrize(
    ("current", "action", "stage_no", "chances", "target", "taken", "used", "p", "close", "activity"),
    ACTION_CASES,
)
def test_action_effects(
    current: int | None, action: StageAction, stage_no: int | None, chances: str | None, target: int,
    taken: str, used: str, p: str, close: dt.date, activity: str | None,
) -> None:
    entry = plan_stage_change(position(current), C5, request(action, stage_no, chances), TODAY)

    assert entry.stage is C5[target - 1]
    assert (entry.stage_no, entry.stage_description) == (target, f"S{target}")
    assert entry.action_taken is ActionTaken[taken]
    assert (entry.previous_stage, entry.date_of_change) == (current or 0, TODAY)
    completed, probability = C5[target - 1].completed_pct, Decimal(p)
    expected = Estimates(Decimal(1000), Decimal(used), completed, probability, probability * 10, close)
    assert entry.estimates == expected
    # tasks only for the actions that enter a stage, from that stage's activity
    assert entry.activity_code == activity
    assert (entry.closing, entry.date_closed, entry.close_code) == (False, None, None)


@pytest.mark.parametrize("status", [OpportunityStatus.WON, OpportunityStatus.LOST])
@pytest.mark.parametrize("action", list(StageAction))
def test_closed_opportunity_refuses_everything(status: OpportunityStatus, action: StageAction) -> None:
    closed = position(0, status=status)

    assert change(closed, request(action, chances="-1")) == [("OPPORTUNITY_CLOSED", None)]  # before INVALID
    assert refusal(lambda: plan_first_stage(closed, C5, TODAY)) == [("OPPORTUNITY_CLOSED", None)]
    won = CloseRequest(WON, "WON1", WON, TODAY, Decimal(5))
    assert refusal(lambda: plan_close(closed, won, TODAY)) == [("OPPORTUNITY_CLOSED", None)]


@pytest.mark.parametrize("action", [NEXT, PREVIOUS, SKIP, UPDATE, JUMP])
def test_actions_other_than_first_need_a_started_opportunity(action: StageAction) -> None:
    assert change(position(None), request(action, 2)) == [("OPPORTUNITY_NOT_STARTED", ["action"])]


@pytest.mark.parametrize(
    ("stages", "current", "action", "stage_no"),
    [
        pytest.param(C5, 3, FIRST, None, id="first when started"),
        pytest.param(C5, 5, NEXT, None, id="next in the last stage"),
        pytest.param(C5, 1, PREVIOUS, None, id="previous in the first stage"),
        pytest.param(C5, 2, SKIP, 4, id="skip when the next stage does not allow it"),
        pytest.param(ONE_SKIP, 2, SKIP, 3, id="skip with a list of one"),
        pytest.param(C5, 1, JUMP, None, id="jump in the first stage"),
        pytest.param(C5, 2, JUMP, 1, id="jump with a list of one"),
    ],
)
def test_action_not_available(
    stages: list[Stage], current: int, action: StageAction, stage_no: int | None
) -> None:
    plan = request(action, stage_no, date=d(1, 1), value="0")  # the later rules are not checked

    assert change(position(current), plan, stages) == [("ACTION_NOT_AVAILABLE", ["action"])]


@pytest.mark.parametrize("cycle", ["EMPTY", None])
def test_no_stages(cycle: str | None) -> None:
    with pytest.raises(DomainError) as info:
        plan_stage_change(position(None, cycle=cycle), [], request(FIRST), TODAY)

    assert (info.value.code, info.value.field) == ("NO_STAGES", None)
    assert cycle is None or "EMPTY" in info.value.message


@pytest.mark.parametrize(
    ("action", "stage_no"), [(SKIP, 3), (SKIP, 2), (SKIP, 6), (JUMP, 3), (JUMP, 4), (JUMP, 0)]
)
def test_stage_not_available(action: StageAction, stage_no: int) -> None:
    assert change(position(3), request(action, stage_no)) == [("STAGE_NOT_AVAILABLE", ["stage"])]


# (current, action, stage, quote amount, entered stage and recorded action, or None: QUOTE_REQUIRED)
QUOTE_CASES = [
    pytest.param(2, NEXT, None, None, None, id="next"),
    pytest.param(2, SKIP, None, None, None, id="skip to the default, adjacent stage"),
    pytest.param(2, SKIP, 3, None, None, id="skip to the adjacent stage"),
    pytest.param(2, SKIP, 4, None, None, id="skip further"),
    pytest.param(2, NEXT, None, "500", (3, "NEXT"), id="next with a quote"),
    pytest.param(2, SKIP, 4, "500", (4, "JUMPED"), id="skip with a quote"),
    pytest.param(2, SKIP, 5, None, (5, "JUMPED"), id="stages passed over are not checked"),
    pytest.param(4, PREVIOUS, None, None, (3, "PREVIOUS"), id="previous is not checked"),
    pytest.param(4, JUMP, 3, None, (3, "PREVIOUS"), id="jump to the adjacent stage is not checked"),
    pytest.param(4, JUMP, 1, None, (1, "JUMPED"), id="jump is not checked"),
    pytest.param(3, UPDATE, None, None, (3, "UPDATED"), id="update is not checked"),
    pytest.param(None, FIRST, None, None, (1, "STARTED"), id="first is not checked"),
]


@pytest.mark.parametrize(("current", "action", "stage_no", "quote", "entered"), QUOTE_CASES)
def test_quote_required(
    current: int | None, action: StageAction, stage_no: int | None, quote: str | None,
    entered: tuple[int, str] | None,
) -> None:
    pos, plan = position(current, quote=quote), request(action, stage_no)
    if entered is None:
        assert change(pos, plan, QC) == [("QUOTE_REQUIRED", ["stage"])]
    else:
        entry = plan_stage_change(pos, QC, plan, TODAY)
        assert (entry.stage_no, entry.action_taken) == (entered[0], ActionTaken[entered[1]])


@pytest.mark.parametrize(
    ("current", "active", "entered", "date"),
    [
        pytest.param(3, ACTIVE, None, TODAY, id="default: today when later"),
        pytest.param(3, d(1, 25), None, d(1, 25), id="default: the active date when later"),
        pytest.param(None, ACTIVE, None, TODAY, id="default when not started: today"),
        pytest.param(3, ACTIVE, ACTIVE, ACTIVE, id="equal to the last date of change"),
        pytest.param(3, ACTIVE, d(1, 12), d(1, 12), id="before today is fine"),
        pytest.param(3, ACTIVE, d(1, 9), None, id="before the last date of change"),
    ],
)
def test_date_of_change(
    current: int | None, active: dt.date, entered: dt.date | None, date: dt.date | None
) -> None:
    pos, plan = position(current, date=active), request(UPDATE if current else FIRST, date=entered)
    if date is None:
        assert change(pos, plan) == [("DATE_BEFORE_LAST_CHANGE", ["dateOfChange"])]
    else:
        assert plan_stage_change(pos, C5, plan, TODAY).date_of_change == date


# (active value, quote amount, entered value, value used; None: MUST_BE_POSITIVE)
@pytest.mark.parametrize(
    ("active", "quote", "entered", "used"),
    [
        pytest.param("2500", None, None, "2500", id="default: the active entry's value"),
        pytest.param("2500", "4000", None, "4000", id="default: the linked quote's amount"),
        pytest.param("2500", "4000", "3000", "3000", id="entered beats both"),
        pytest.param("0", None, None, None, id="default 0"),
        pytest.param("2500", "0", None, None, id="default from a quote of 0"),
        pytest.param("2500", None, "0", None, id="entered 0"),
        pytest.param("2500", None, "-1", None, id="entered negative"),
    ],
)
def test_estimated_value(active: str, quote: str | None, entered: str | None, used: str | None) -> None:
    pos, plan = position(3, value=active, quote=quote), request(UPDATE, value=entered)
    if used is None:
        assert change(pos, plan) == [("MUST_BE_POSITIVE", ["estimatedValue"])]
    else:
        assert plan_stage_change(pos, C5, plan, TODAY).estimates.estimated_value == Decimal(used)


CHANCES, VALUE, CLOSE = ["chancesOfSuccessPct"], ["estimatedValue"], ["estimatedCloseDate"]


@pytest.mark.parametrize(
    ("action", "stage_no", "chances", "value", "error"),
    [
        pytest.param(NEXT, None, None, "9", ("MUST_BE_POSITIVE", CHANCES), id="no default, none entered"),
        pytest.param(NEXT, None, "0", "9", ("MUST_BE_POSITIVE", CHANCES), id="no default, 0 entered"),
        pytest.param(SKIP, 2, None, "9", ("MUST_BE_POSITIVE", CHANCES), id="skip onto no default"),
        pytest.param(NEXT, None, "-1", "9", ("INVALID", CHANCES), id="chances negative"),
        pytest.param(NEXT, None, "100.01", "9", ("INVALID", CHANCES), id="chances over 100"),
        pytest.param(NEXT, None, "NaN", "9", ("INVALID", CHANCES), id="chances NaN"),
        pytest.param(NEXT, None, "Infinity", "9", ("INVALID", CHANCES), id="chances infinite"),
        pytest.param(NEXT, None, "5", "NaN", ("INVALID", VALUE), id="value NaN"),
        pytest.param(NEXT, None, "5", "-Infinity", ("INVALID", VALUE), id="value infinite"),
        pytest.param(NEXT, None, "5", "1E+17", ("INVALID", VALUE), id="value too large"),
        pytest.param(SKIP, 3, "40", "9", ("CLOSE_DATE_BEFORE_CHANGE", CLOSE), id="formula -1D lands before"),
    ],
)
def test_chances_and_ranges(
    action: StageAction, stage_no: int | None, chances: str | None, value: str, error: tuple[str, list[str]]
) -> None:
    assert change(position(1), request(action, stage_no, chances, value=value), ZC) == [error]


@pytest.mark.parametrize(
    ("current", "entered", "close"),
    [
        pytest.param(3, d(1, 19), None, id="before the date of change"),
        pytest.param(3, TODAY, d(1, 30), id="equal to the date of change: from the formula"),
        pytest.param(4, TODAY, TODAY, id="equal is allowed (blank formula)"),
        pytest.param(3, d(1, 21), d(1, 21), id="entered and later: kept"),
    ],
)
def test_estimated_close_date(current: int, entered: dt.date, close: dt.date | None) -> None:
    plan = request(NEXT, close=entered)
    if close is None:
        assert change(position(current), plan) == [("CLOSE_DATE_BEFORE_CHANGE", CLOSE)]
    else:
        assert plan_stage_change(position(current), C5, plan, TODAY).estimates.estimated_close_date == close


def test_a_bad_stage_formula_is_invalid() -> None:
    assert change(position(3), request(NEXT, chances="5"), ZC) == [("INVALID", CLOSE)]


def test_several_broken_rules_are_reported_in_order() -> None:
    stages = [stage(1, 10, 50), stage(2, 20, 0, "q")]
    plan = request(NEXT, value="0", date=d(1, 5), close=d(1, 4))

    assert change(position(1), plan, stages) == [
        ("DATE_BEFORE_LAST_CHANGE", ["dateOfChange"]),
        ("QUOTE_REQUIRED", ["stage"]),
        ("MUST_BE_POSITIVE", VALUE),
        ("MUST_BE_POSITIVE", CHANCES),
        ("CLOSE_DATE_BEFORE_CHANGE", CLOSE),
    ]
    assert change(position(3), request(SKIP, 9, value="-5", date=d(1, 5))) == [
        ("DATE_BEFORE_LAST_CHANGE", ["dateOfChange"]),
        ("STAGE_NOT_AVAILABLE", ["stage"]),
        ("MUST_BE_POSITIVE", VALUE),
    ]


def test_invalid_value_and_chances_are_reported_value_first() -> None:
    errors = change(position(3), request(NEXT, chances="101", value="NaN"))

    assert errors == [("INVALID", VALUE), ("INVALID", CHANCES)]


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
