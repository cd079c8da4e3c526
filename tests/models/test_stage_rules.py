"""What a cycle's stages allow: the candidate lists, the offered and default actions and stages, the
recorded action, which actions create tasks, and the quote check (domain.md §2.4, §2.5, §11.1, §11.5,
§11.6)."""

from __future__ import annotations

import pytest

from models.enums import ActionTaken, StageAction
from models.stages import Candidates, action_taken, creates_tasks, needs_quote, stage_candidates
from tests.models.rules_helpers import FIRST, JUMP, NEXT, PREVIOUS, SKIP, UPDATE
from tests.models.stage_helpers import Stage, cycle, nos, stage_no

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
