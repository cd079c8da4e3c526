"""The entry of a stage move: the Update command (domain.md §2.5) and Activate First Stage (§2.6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from models.date_formula import DateOutOfRangeError, InvalidDateFormula
from models.enums import ActionTaken, StageAction
from models.errors import DomainError, Violations
from models.estimates import Estimates, stage_estimates
from models.lifecycle import PlannedEntry, Position, closed_error, no_stages_error
from models.stage_actions import action_blockers, quote_required_error
from models.stages import Candidates, StageLike, action_taken, needs_quote, stage_candidates
from models.validation import check_date, check_money, check_pct, positive_as_stored

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class StageRequest:
    """The inputs of an Update; ``None`` takes the dialog's default (domain.md §2.5)."""

    action: StageAction
    stage: int | None = None
    date_of_change: dt.date | None = None
    estimated_value: Decimal | None = None
    chances_of_success_pct: Decimal | None = None
    estimated_close_date: dt.date | None = None


def _target(
    position: Position, request: StageRequest, candidates: Candidates, violations: Violations
) -> StageLike | None:
    """The stage the request moves to: fixed for most actions, chosen for Skip and Jump."""
    if request.action in (StageAction.SKIP, StageAction.JUMP) and request.stage is not None:
        target = candidates.find(request.action, request.stage)
        if target is None and candidates.offered(request.action):
            violations.add(
                "STAGE_NOT_AVAILABLE",
                f"Stage {request.stage} is not among the stages {request.action.name} can reach from "
                f"stage {position.current_stage}.",
                ["stage"],
            )
        return target
    return candidates.default_stage(request.action)


def _value_default(position: Position) -> Decimal:
    if position.quote_amount is not None:
        return position.quote_amount
    return position.active.estimated_value if position.active is not None else ZERO


def _estimates(
    position: Position,
    target: StageLike,
    action: StageAction,
    date: dt.date,
    value: Decimal,
    chances: Decimal,
    close_date: dt.date | None,
    violations: Violations,
) -> Estimates | None:
    try:
        return stage_estimates(position.method, target, action, date, value, chances, close_date)
    except (InvalidDateFormula, DateOutOfRangeError) as exc:
        violations.add(
            "INVALID",
            f"The date formula of stage {target.stage} cannot propose a close date: {exc}",
            ["estimatedCloseDate"],
        )
        return None


def plan_stage_change(
    position: Position, stages: Sequence[StageLike], request: StageRequest, today: dt.date
) -> PlannedEntry:
    """The entry the Update command inserts (domain.md §2.5, §3.2), or every rule it breaks."""
    if position.closed:
        raise closed_error(position)
    violations = Violations()
    check_money(request.estimated_value, ["estimatedValue"], violations)
    check_pct(request.chances_of_success_pct, ["chancesOfSuccessPct"], violations)
    if violations:
        violations.raise_any()
    candidates = stage_candidates(stages, position.current_stage)
    action = request.action
    if action is StageAction.FIRST and position.active is not None:
        violations.add(
            "ACTION_NOT_AVAILABLE",
            f"Opportunity {position.no} is already started: FIRST is only for a new opportunity.",
            ["action"],
        )
    else:
        violations.extend(action_blockers(position, action, None, candidates))
    if not candidates.offered(action):
        violations.raise_any()  # nothing below can be checked without a target stage
    date = request.date_of_change or position.default_date(today)
    check_date(request.date_of_change, ["dateOfChange"], violations)
    if position.active is not None and date < position.active.date_of_change:
        violations.add(
            "DATE_BEFORE_LAST_CHANGE",
            f"The date of change has to be on or after the last date of change, "
            f"{position.active.date_of_change.isoformat()}.",
            ["dateOfChange"],
        )
    target = _target(position, request, candidates, violations)
    if target is not None and needs_quote(action, target, position.quote_amount is not None):
        violations.extend([quote_required_error(target)])
    value = request.estimated_value if request.estimated_value is not None else _value_default(position)
    if not positive_as_stored(value):
        violations.add("MUST_BE_POSITIVE", "Estimated value must be greater than 0.", ["estimatedValue"])
    if target is None:
        violations.raise_any()
        raise AssertionError("an offered action always has a target stage")
    estimates = _estimates(
        position,
        target,
        action,
        date,
        value,
        request.chances_of_success_pct or ZERO,
        request.estimated_close_date,
        violations,
    )
    if estimates is not None and estimates.chances_of_success_pct <= 0:
        violations.add(
            "MUST_BE_POSITIVE", "Chances of success % must be greater than 0.", ["chancesOfSuccessPct"]
        )
    close_date = estimates.estimated_close_date if estimates is not None else None
    # Entered or computed from the stage's date formula, the close date must fit the range.
    close_date_in_range = check_date(close_date, ["estimatedCloseDate"], violations)
    if close_date_in_range and close_date is not None and close_date < date:
        violations.add(
            "CLOSE_DATE_BEFORE_CHANGE",
            "The estimated closing date has to be on or after the date of change.",
            ["estimatedCloseDate"],
        )
    violations.raise_any()
    assert estimates is not None
    return PlannedEntry(
        stage=target,
        previous_stage=position.current_stage or 0,
        action_taken=action_taken(action, target, candidates),
        date_of_change=date,
        estimates=estimates,
    )


def plan_first_stage(
    position: Position,
    stages: Sequence[StageLike],
    date_of_change: dt.date,
    estimated_value: Decimal = ZERO,
    chances: Decimal = ZERO,
    estimated_close_date: dt.date | None = None,
) -> PlannedEntry:
    """The first entry of Activate First Stage (domain.md §2.6): the lowest stage, with no check
    on the estimated value; 0 chances take the stage's default."""
    if position.closed:
        raise closed_error(position)
    if position.active is not None:
        raise DomainError("ACTION_NOT_AVAILABLE", f"Opportunity {position.no} is already started.", ["no"])
    if position.sales_cycle_code is None:
        raise DomainError(
            "REQUIRED", f"Opportunity {position.no} has no sales cycle: set one before activating it."
        )
    candidates = stage_candidates(stages, None)
    if not candidates.first:
        raise no_stages_error(position)
    target = candidates.first[0]
    violations = Violations()
    estimates = _estimates(
        position,
        target,
        StageAction.FIRST,
        date_of_change,
        estimated_value,
        chances,
        estimated_close_date,
        violations,
    )
    check_date(date_of_change, ["dateOfChange"], violations)
    if estimates is not None:
        check_date(estimates.estimated_close_date, ["estimatedCloseDate"], violations)
    violations.raise_any()
    assert estimates is not None
    return PlannedEntry(
        stage=target,
        previous_stage=0,
        action_taken=ActionTaken.STARTED,
        date_of_change=date_of_change,
        estimates=estimates,
    )
