"""The Update command's action × guard × effect table: the entry each action plans, and the guards
that refuse it — a closed or not started opportunity, an action or stage not available, no stages,
a quote stage without a quote (domain.md §2.5, §11.1, §11.5, §11.6; api.md §6 error codes).

The checks of the values entered are in test_lifecycle_validation.py, the end-to-end example in
test_lifecycle_example.py; Activate First Stage is tested in test_first_stage.py, action_blockers in
test_stage_actions.py, the Close command in test_closing.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.closing import CloseRequest, plan_close
from models.enums import ActionTaken, OpportunityStatus, StageAction
from models.errors import DomainError
from models.estimates import Estimates
from models.stage_change import plan_first_stage, plan_stage_change
from tests.models.lifecycle_helpers import C5, ONE_SKIP, QC, TODAY, WON, Stage, change, d, position, request
from tests.models.rules_helpers import FIRST, JUMP, NEXT, PREVIOUS, SKIP, UPDATE, refusal

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
