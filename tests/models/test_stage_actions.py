"""The Update actions an opportunity is offered and what blocks each one: a closed or not started
opportunity, no stages, an action with no candidate, a quote stage without a quote (domain.md §2.5,
§11.1)."""

from __future__ import annotations

import pytest

from models.enums import StageAction
from models.lifecycle import Position
from models.stage_actions import action_blockers, available_actions
from models.stages import stage_candidates
from tests.models.rules_helpers import FIRST, JUMP, NEXT, PREVIOUS, SKIP, UPDATE
from tests.models.stage_helpers import LOST, WON, Stage, cycle, nos, position, stage_no

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
