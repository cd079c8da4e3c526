"""What a cycle's stages allow and what entering one creates: the candidate lists, the default action,
the recorded action, the quote check and the other blockers, Activate First Stage, and the tasks of a
stage's activity (domain.md §2.4–§2.6, §4, §11.1, §11.5, §11.6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pytest

from models.activity_tasks import PlannedTask, planned_tasks
from models.date_formula import InvalidDateFormula
from models.enums import ActionTaken, OpportunityStatus, Priority, StageAction, TaskType
from models.enums import ProbabilityCalculation as Method
from models.errors import DomainError
from models.estimates import Estimates
from models.lifecycle import Position
from models.stage_actions import action_blockers, available_actions
from models.stage_change import plan_first_stage
from models.stages import Candidates, StageLike, action_taken, creates_tasks, needs_quote, stage_candidates

FIRST, NEXT, PREVIOUS = StageAction.FIRST, StageAction.NEXT, StageAction.PREVIOUS
SKIP, UPDATE, JUMP = StageAction.SKIP, StageAction.UPDATE, StageAction.JUMP
WON, LOST, NOT_STARTED = OpportunityStatus.WON, OpportunityStatus.LOST, OpportunityStatus.NOT_STARTED
ZERO = Decimal(0)
DAY, WEEK_LATER, MARCH = dt.date(2024, 1, 10), dt.date(2024, 1, 17), dt.date(2024, 3, 1)


@dataclass(frozen=True, slots=True)
class Stage:
    stage: int
    allow_skip: bool = False
    quote_required: bool = False
    description: str = ""
    completed_pct: Decimal = ZERO
    chances_of_success_pct: Decimal = ZERO
    activity_code: str | None = None
    date_formula: str = ""


def cycle(spec: str) -> list[Stage]:
    """``"1 2s 3sq"``: the stage numbers, ``s`` for Allow Skip, ``q`` for Quote Required."""
    return [Stage(int(t.rstrip("sq")), allow_skip="s" in t, quote_required="q" in t) for t in spec.split()]


def nos(stages: Sequence[StageLike]) -> tuple[int, ...]:
    return tuple(s.stage for s in stages)


def stage_no(stages: list[Stage], number: int) -> Stage:
    return next(s for s in stages if s.stage == number)


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


def position(current: int | None, status: OpportunityStatus | None = None, quote: bool = False) -> Position:
    """On stage ``current`` (``None``: not started); ``quote``: a sales quote is linked."""
    active = Entry(current, DAY, Decimal(1)) if current is not None else None
    status = status or (OpportunityStatus.IN_PROGRESS if active else NOT_STARTED)
    return Position("OP000001", status, "C", Method.MULTIPLY, active, Decimal(1) if quote else None)


# (cycle, current stage, first, next, previous, skip, update, jump)
LISTS = [
    pytest.param("", None, (), (), (), (), (), (), id="not started, no stages: nothing"),
    pytest.param("1 2 3", None, (1,), (), (), (), (), (), id="not started: first only"),
    pytest.param("1s 2s 3", None, (1,), (), (), (), (), (), id="not started: no skip before the first"),
    pytest.param("7", None, (7,), (), (), (), (), (), id="not started, one stage"),
    pytest.param("7", 7, (), (), (), (), (7,), (), id="single stage: update only"),
    pytest.param("1 2 3", 1, (), (2,), (), (), (1,), (), id="first stage"),
    pytest.param("1 2 3", 2, (), (3,), (1,), (), (2,), (1,), id="middle stage"),
    pytest.param("1 2 3", 3, (), (), (2,), (), (3,), (1, 2), id="last stage"),
    pytest.param("1 2s 3s 4", 1, (), (2,), (), (2, 3, 4), (1,), (), id="skip adds the ending stage"),
    pytest.param("1 2s 3 4s 5", 1, (), (2,), (), (2, 3), (1,), (), id="skip stops after first non-skip"),
    pytest.param("1 2 3s 4s", 1, (), (2,), (), (), (1,), (), id="skip empty: next stage not skippable"),
    pytest.param("1 2s 3s", 1, (), (2,), (), (2, 3), (1,), (), id="skip runs to the end of the cycle"),
    pytest.param("1 2s", 1, (), (2,), (), (2,), (1,), (), id="skip of one stage at the end"),
    pytest.param("1 2 3", 1, (), (2,), (), (), (1,), (), id="no skip flags at all"),
    pytest.param("1s 2 3", 1, (), (2,), (), (), (1,), (), id="current stage's own flag is irrelevant"),
    pytest.param("1 2s 3sq 4", 2, (), (3,), (1,), (3, 4), (2,), (1,), id="domain §9 cycle from stage 2"),
    pytest.param("1 2s 3s 4s", 3, (), (4,), (2,), (4,), (3,), (1, 2), id="skippable last stage"),
    pytest.param("1 2s 3s 4", 4, (), (), (3,), (), (4,), (1, 2, 3), id="skip empty at the end"),
    pytest.param("10 20s 35s 50", 20, (), (35,), (10,), (35, 50), (20,), (10,), id="non-consecutive"),
    pytest.param("5 15 25 45", 45, (), (), (25,), (), (45,), (5, 15, 25), id="non-consecutive jump"),
    pytest.param("40 10 30s 20s", None, (10,), (), (), (), (), (), id="unsorted: first is the lowest"),
    pytest.param("40 10 30s 20s", 10, (), (20,), (), (20, 30, 40), (10,), (), id="unsorted input"),
    pytest.param("40 10 30s 20s", 30, (), (40,), (20,), (), (30,), (10, 20), id="unsorted, later stage"),
]


@pytest.mark.parametrize(("spec", "current", "first", "next_", "previous", "skip", "update", "jump"), LISTS)
def test_candidate_lists(
    spec: str, current: int | None, first: tuple[int, ...], next_: tuple[int, ...], previous: tuple[int, ...],
    skip: tuple[int, ...], update: tuple[int, ...], jump: tuple[int, ...],
) -> None:
    c = stage_candidates(cycle(spec), current)

    assert (nos(c.first), nos(c.next), nos(c.previous)) == (first, next_, previous)
    assert (nos(c.skip), nos(c.update), nos(c.jump)) == (skip, update, jump)


# (cycle, current, offered actions in StageAction order, default action, its default stage)
OFFERED_CASES = [
    pytest.param("", None, [], None, None, id="no stages: nothing offered"),
    pytest.param("1 2 3", None, [FIRST], FIRST, 1, id="not started"),
    pytest.param("1 2 3", 1, [NEXT, UPDATE], NEXT, 2, id="first stage"),
    pytest.param("1 2 3", 2, [NEXT, PREVIOUS, UPDATE], NEXT, 3, id="jump of one is not offered"),
    pytest.param("1 2 3", 3, [PREVIOUS, UPDATE, JUMP], UPDATE, 3, id="last stage: update before previous"),
    pytest.param("1 2s", 1, [NEXT, UPDATE], NEXT, 2, id="skip of one is not offered"),
    pytest.param("1 2s 3", 1, [NEXT, SKIP, UPDATE], NEXT, 2, id="skip of two is offered"),
    pytest.param("1 2 3s 4s", 1, [NEXT, UPDATE], NEXT, 2, id="skip blocked by the next stage"),
    pytest.param("7", 7, [UPDATE], UPDATE, 7, id="single stage"),
    pytest.param("1 2s 3sq 4", 2, [NEXT, PREVIOUS, SKIP, UPDATE], NEXT, 3, id="domain §9 from stage 2"),
    pytest.param("1 2 3s 4s 5", 3, [NEXT, PREVIOUS, SKIP, UPDATE, JUMP], NEXT, 4, id="everything but first"),
]


@pytest.mark.parametrize(("spec", "current", "offered", "default", "stage"), OFFERED_CASES)
def test_offered_actions_and_default(
    spec: str, current: int | None, offered: list[StageAction], default: StageAction | None, stage: int | None
) -> None:
    candidates = stage_candidates(cycle(spec), current)

    assert candidates.offered_actions() == offered
    assert [a for a in StageAction if candidates.offered(a)] == offered
    assert candidates.default_action() is default
    chosen = candidates.default_stage(default) if default is not None else None
    assert (chosen.stage if chosen is not None else None) == stage


S1, S2, S3 = Stage(1), Stage(2), Stage(3)

# Hand-built lists, so that every step of First → Next → Update → Previous → Skip → Jump is reachable.
DEFAULT_ORDER_CASES = [
    pytest.param(Candidates(first=(S1,), next=(S2,), update=(S1,)), FIRST, id="first wins"),
    pytest.param(Candidates(next=(S3,), update=(S2,), previous=(S1,)), NEXT, id="next before update"),
    pytest.param(Candidates(update=(S2,), previous=(S1,), skip=(S2, S3), jump=(S1, S2)), UPDATE, id="update"),
    pytest.param(Candidates(previous=(S1,), skip=(S2, S3), jump=(S1, S2)), PREVIOUS, id="previous"),
    pytest.param(Candidates(skip=(S2, S3), jump=(S1, S2)), SKIP, id="skip before jump"),
    pytest.param(Candidates(skip=(S2,), jump=(S1, S2)), JUMP, id="skip of one falls through"),
    pytest.param(Candidates(skip=(S2,), jump=(S1,)), None, id="lists of one: nothing"),
    pytest.param(Candidates(), None, id="empty"),
]


@pytest.mark.parametrize(("candidates", "default"), DEFAULT_ORDER_CASES)
def test_default_action_order(candidates: Candidates, default: StageAction | None) -> None:
    assert candidates.default_action() is default


@pytest.mark.parametrize(
    ("action", "size", "offered"),
    [
        pytest.param(action, size, size > (1 if action in (SKIP, JUMP) else 0), id=f"{action.name}-{size}")
        for action in StageAction
        for size in (0, 1, 2)
    ],
)
def test_offered_needs_one_stage_or_two_for_skip_and_jump(
    action: StageAction, size: int, offered: bool
) -> None:
    stages = (S1, S2)[:size]
    candidates: Candidates = Candidates(stages, stages, stages, stages, stages, stages)

    assert candidates.offered(action) is offered


@pytest.mark.parametrize(
    ("current", "action", "stage"),
    [
        pytest.param(4, JUMP, 3, id="jump proposes the stage right before the current one"),
        pytest.param(1, SKIP, 2, id="skip proposes the next stage"),
        pytest.param(4, PREVIOUS, 3, id="previous"),
        pytest.param(2, NEXT, 3, id="next"),
        pytest.param(2, UPDATE, 2, id="update"),
        pytest.param(None, FIRST, 1, id="first"),
        pytest.param(1, JUMP, None, id="empty jump list"),
        pytest.param(5, NEXT, None, id="no next stage"),
    ],
)
def test_default_stage(current: int | None, action: StageAction, stage: int | None) -> None:
    chosen = stage_candidates(cycle("1 2s 3s 4 5"), current).default_stage(action)

    assert (chosen.stage if chosen is not None else None) == stage


@pytest.mark.parametrize(
    ("action", "number", "found"),
    # from stage 1 of "1 2s 3s 4 5": skip [2, 3, 4] (stage 5 is after the run's end), no previous or jump
    [
        *[(SKIP, 2, True), (SKIP, 4, True), (SKIP, 5, False), (SKIP, 1, False), (JUMP, 0, False)],
        *[(JUMP, 99, False), (NEXT, 2, True), (NEXT, 3, False), (UPDATE, 1, True), (PREVIOUS, 1, False)],
    ],
)
def test_find_looks_only_in_the_actions_list(action: StageAction, number: int, found: bool) -> None:
    stages = cycle("1 2s 3s 4 5")

    result = stage_candidates(stages, 1).find(action, number)

    assert result is (stage_no(stages, number) if found else None)


# (cycle, current, action, target stage, recorded action) — domain.md §2.5, §11.5, §11.6
ACTION_TAKEN_CASES = [
    pytest.param("1 2 3", None, FIRST, 1, ActionTaken.STARTED, id="first records STARTED"),
    pytest.param("1 2 3", 1, NEXT, 2, ActionTaken.NEXT, id="next"),
    pytest.param("1 2 3", 2, PREVIOUS, 1, ActionTaken.PREVIOUS, id="previous"),
    pytest.param("1 2 3", 2, UPDATE, 2, ActionTaken.UPDATED, id="update"),
    pytest.param("1 2 3", 3, UPDATE, 3, ActionTaken.UPDATED, id="update in the last stage (§11.5)"),
    pytest.param("1 2s 3s 4", 1, SKIP, 2, ActionTaken.NEXT, id="skip to the adjacent stage"),
    pytest.param("1 2s 3s 4", 1, SKIP, 3, ActionTaken.JUMPED, id="skip over one stage"),
    pytest.param("1 2s 3s 4", 1, SKIP, 4, ActionTaken.JUMPED, id="skip to the ending stage"),
    pytest.param("10 20s 35s 50", 10, SKIP, 20, ActionTaken.NEXT, id="skip adjacent, numbers with gaps"),
    pytest.param("10 20s 35s 50", 10, SKIP, 35, ActionTaken.JUMPED, id="skip far, numbers with gaps"),
    pytest.param("1 2s 3sq 4", 2, SKIP, 3, ActionTaken.NEXT, id="domain §9: skip to 3"),
    pytest.param("1 2s 3sq 4", 2, SKIP, 4, ActionTaken.JUMPED, id="domain §9: skip to 4"),
    pytest.param("1 2 3 4", 4, JUMP, 3, ActionTaken.PREVIOUS, id="jump to the adjacent stage"),
    pytest.param("1 2 3 4", 4, JUMP, 2, ActionTaken.JUMPED, id="jump over one stage"),
    pytest.param("1 2 3 4", 4, JUMP, 1, ActionTaken.JUMPED, id="jump to the first stage"),
    pytest.param("5 15 25", 25, JUMP, 15, ActionTaken.PREVIOUS, id="jump adjacent, numbers with gaps"),
    pytest.param("5 15 25", 25, JUMP, 5, ActionTaken.JUMPED, id="jump far, numbers with gaps"),
]


@pytest.mark.parametrize(("spec", "current", "action", "target", "taken"), ACTION_TAKEN_CASES)
def test_action_taken(
    spec: str, current: int | None, action: StageAction, target: int, taken: ActionTaken
) -> None:
    stages = cycle(spec)
    candidates = stage_candidates(stages, current)

    assert candidates.find(action, target) is stage_no(stages, target)
    assert action_taken(action, stage_no(stages, target), candidates) is taken


@pytest.mark.parametrize(
    ("taken", "creates"),
    [
        (ActionTaken.STARTED, True),
        (ActionTaken.NEXT, True),
        (ActionTaken.PREVIOUS, True),
        (ActionTaken.JUMPED, True),
        (ActionTaken.UPDATED, False),
        (ActionTaken.WON, False),
        (ActionTaken.LOST, False),
    ],
)
def test_creates_tasks_only_when_entering_a_stage(taken: ActionTaken, creates: bool) -> None:
    assert creates_tasks(taken) is creates


# (action, target has Quote Required, a quote is linked, the quote check refuses) — domain.md §11.1
NEEDS_QUOTE_CASES = [
    pytest.param(NEXT, True, False, True, id="next into a quote stage without a quote"),
    pytest.param(SKIP, True, False, True, id="skip into a quote stage without a quote"),
    pytest.param(NEXT, True, True, False, id="next with a quote"),
    pytest.param(SKIP, True, True, False, id="skip with a quote"),
    pytest.param(NEXT, False, False, False, id="next into a plain stage"),
    pytest.param(SKIP, False, False, False, id="skip into a plain stage"),
    pytest.param(PREVIOUS, True, False, False, id="previous is not checked"),
    pytest.param(JUMP, True, False, False, id="jump is not checked"),
    pytest.param(UPDATE, True, False, False, id="update is not checked"),
    pytest.param(FIRST, True, False, False, id="first is not checked"),
]


@pytest.mark.parametrize(("action", "required", "has_quote", "refused"), NEEDS_QUOTE_CASES)
def test_needs_quote(action: StageAction, required: bool, has_quote: bool, refused: bool) -> None:
    assert needs_quote(action, Stage(3, quote_required=required), has_quote) is refused


# (cycle, position, action, target stage, codes) — the state rules behind availableStageActions
BLOCKER_CASES = [
    pytest.param("1 2", position(0, status=WON), NEXT, None, ["OPPORTUNITY_CLOSED"], id="won"),
    pytest.param("1 2", position(0, status=LOST), FIRST, 1, ["OPPORTUNITY_CLOSED"], id="lost"),
    pytest.param("1 2", position(None), NEXT, 2, ["OPPORTUNITY_NOT_STARTED"], id="not started"),
    pytest.param("", position(None), FIRST, None, ["NO_STAGES"], id="no stages"),
    pytest.param("1q 2", position(None), FIRST, 1, [], id="first into a quote stage"),
    pytest.param("1 2 3", position(3), NEXT, None, ["ACTION_NOT_AVAILABLE"], id="next at the end"),
    pytest.param("1 2 3", position(1), FIRST, 1, ["ACTION_NOT_AVAILABLE"], id="first when started"),
    pytest.param("1 2 3s", position(2), SKIP, 3, ["ACTION_NOT_AVAILABLE"], id="skip of one"),
    pytest.param("1 2s 3sq 4", position(2), NEXT, 3, ["QUOTE_REQUIRED"], id="next into a quote stage"),
    pytest.param("1 2s 3sq 4", position(2), SKIP, 3, ["QUOTE_REQUIRED"], id="skip into a quote stage"),
    pytest.param("1 2s 3sq 4", position(2), SKIP, 4, [], id="skip over a quote stage"),
    pytest.param("1 2s 3sq 4", position(2), NEXT, None, [], id="no target: no quote check"),
    pytest.param("1 2s 3sq 4", position(2, quote=True), NEXT, 3, [], id="quote linked"),
    pytest.param("1q 2 3", position(2), PREVIOUS, 1, [], id="previous into a quote stage"),
    pytest.param("1q 2 3", position(3), JUMP, 1, [], id="jump into a quote stage"),
    pytest.param("1 2q", position(2), UPDATE, 2, [], id="update on a quote stage"),
]


@pytest.mark.parametrize(("spec", "pos", "action", "target", "codes"), BLOCKER_CASES)
def test_action_blockers(
    spec: str, pos: Position, action: StageAction, target: int | None, codes: list[str]
) -> None:
    stages = cycle(spec)
    chosen = stage_no(stages, target) if target is not None else None

    blockers = action_blockers(pos, action, chosen, stage_candidates(stages, pos.current_stage))

    assert [e.code for e in blockers] == codes


@pytest.mark.parametrize(
    ("pos", "options"),
    [
        pytest.param(position(0, WON), [], id="closed: nothing"),
        pytest.param(position(None), [(FIRST, (1,), 1, True, [])], id="not started"),
        pytest.param(
            position(2),
            [
                (NEXT, (3,), 3, True, ["QUOTE_REQUIRED"]),
                (PREVIOUS, (1,), 1, False, []),
                (SKIP, (3, 4), 3, False, ["QUOTE_REQUIRED"]),  # the blockers of the default stage
                (UPDATE, (2,), 2, False, []),
            ],
            id="domain §9 from stage 2",
        ),
    ],
)
def test_available_actions(
    pos: Position, options: list[tuple[StageAction, tuple[int, ...], int, bool, list[str]]]
) -> None:
    offered = available_actions(pos, cycle("1 2s 3sq 4"))

    blockers = [[e.code for e in o.blockers] for o in offered]
    summary = [(o.action, nos(o.stages), (o.default_stage or Stage(0)).stage, o.is_default) for o in offered]
    assert [(*row, codes) for row, codes in zip(summary, blockers, strict=True)] == options


def figures(no: int, completed: int, chances: int, formula: str, activity: str | None = None) -> Stage:
    return Stage(no, False, False, f"S{no}", Decimal(completed), Decimal(chances), activity, formula)


FIGURES = [figures(2, 40, 60, "2W", "A2"), figures(1, 10, 50, "1W", "INIT")]  # unsorted on purpose
BAD_FORMULA = figures(1, 10, 50, "XYZ")
NO_CYCLE = Position("OP000001", NOT_STARTED, None, Method.MULTIPLY, None)


def test_activate_first_stage_defaults() -> None:
    entry = plan_first_stage(position(None), FIGURES, DAY)

    assert entry.stage is FIGURES[1]
    assert (entry.action_taken, entry.previous_stage, entry.date_of_change) == (ActionTaken.STARTED, 0, DAY)
    # value 0 is allowed on this path (§2.6); chances 0 take the stage default
    assert entry.estimates == Estimates(ZERO, Decimal(50), Decimal(10), Decimal(5), ZERO, WEEK_LATER)
    assert (entry.activity_code, entry.stage_description, entry.closing) == ("INIT", "S1", False)


# (value, chances, close date entered) → (value, chances, P, calculated value, close date)
@pytest.mark.parametrize(
    ("value", "chances", "close", "expected"),
    [
        pytest.param("5000", "30", MARCH, ("5000", "30", "3", "150", MARCH), id="the wizard's values"),
        pytest.param("5000", "0", None, ("5000", "50", "5", "250", WEEK_LATER), id="chances from the stage"),
        pytest.param("0", "0", DAY, ("0", "50", "5", "0", WEEK_LATER), id="close date = date of change"),
    ],
)
def test_activate_first_stage_with_values(
    value: str, chances: str, close: dt.date | None, expected: tuple[str, str, str, str, dt.date]
) -> None:
    entry = plan_first_stage(position(None), FIGURES, DAY, Decimal(value), Decimal(chances), close)

    v, ch, p, calc, date = expected
    assert entry.estimates == Estimates(Decimal(v), Decimal(ch), Decimal(10), Decimal(p), Decimal(calc), date)


@pytest.mark.parametrize(
    ("pos", "stages", "code", "field"),
    [
        pytest.param(position(0, status=WON), FIGURES, "OPPORTUNITY_CLOSED", None, id="won"),
        pytest.param(position(1), FIGURES, "ACTION_NOT_AVAILABLE", ["no"], id="already started"),
        pytest.param(NO_CYCLE, FIGURES, "REQUIRED", None, id="no sales cycle"),
        pytest.param(position(None), [], "NO_STAGES", None, id="no stages"),
        pytest.param(position(None), [BAD_FORMULA], "INVALID", ["estimatedCloseDate"], id="bad date formula"),
    ],
)
def test_activate_first_stage_refusals(
    pos: Position, stages: list[Stage], code: str, field: list[str] | None
) -> None:
    with pytest.raises(DomainError) as info:
        plan_first_stage(pos, stages, DAY)

    assert (info.value.code, info.value.field) == (code, field)


def test_planned_tasks_one_per_step_in_step_order_from_the_same_date() -> None:
    steps = [
        Step(3, "1W", "Follow up", TaskType.PHONE_CALL, Priority.LOW),
        Step(1, "0D", "Call", TaskType.PHONE_CALL, Priority.HIGH),
        Step(2, "3D", "Meet", TaskType.MEETING),
    ]

    assert planned_tasks(steps, DAY) == [
        PlannedTask(TaskType.PHONE_CALL, Priority.HIGH, "Call", dt.date(2024, 1, 10)),
        PlannedTask(TaskType.MEETING, Priority.NORMAL, "Meet", dt.date(2024, 1, 13)),
        PlannedTask(TaskType.PHONE_CALL, Priority.LOW, "Follow up", dt.date(2024, 1, 17)),  # not chained
    ]


def test_planned_tasks_without_steps_is_one_blank_task() -> None:
    assert planned_tasks([], DAY) == [PlannedTask(TaskType.NONE, Priority.NORMAL, "", DAY)]


def test_planned_tasks_raise_for_a_bad_step_formula() -> None:
    with pytest.raises(InvalidDateFormula):
        planned_tasks([Step(1, "0D"), Step(2, "XYZ")], DAY)
