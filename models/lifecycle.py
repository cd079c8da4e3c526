"""The decisions of the opportunity lifecycle: which entry a request would insert, or why not.

``plan_stage_change`` (the Update command, domain.md §2.5), ``plan_first_stage`` (Activate First
Stage, §2.6, and the create wizard, §2.3) and ``plan_close`` (§2.7) check every rule against the
opportunity's position and return the entry to insert; a request that breaks rules raises them
all at once (``DomainErrors``), in the order of §2.5. They read nothing and write nothing: the use
cases in ``resolvers/`` load the position under a row lock, call these, and write the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from models.date_formula import DateOutOfRangeError, InvalidDateFormula
from models.enums import ActionTaken, CloseOutcome, OpportunityStatus, ProbabilityCalculation, StageAction
from models.errors import DomainError, Violations
from models.estimates import Estimates, lost_estimates, stage_estimates, won_estimates
from models.stages import Candidates, StageLike, action_taken, creates_tasks, needs_quote, stage_candidates
from models.validation import check_money, check_pct

ZERO = Decimal(0)


class ActiveEntryLike(Protocol):
    """What the rules read of the active entry."""

    @property
    def sales_cycle_stage(self) -> int: ...
    @property
    def date_of_change(self) -> dt.date: ...
    @property
    def estimated_value(self) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class Position:
    """An opportunity as the lifecycle rules see it."""

    no: str
    status: OpportunityStatus
    sales_cycle_code: str | None
    method: ProbabilityCalculation
    active: ActiveEntryLike | None
    #: The linked sales quote's amount; ``None`` when no quote is linked.
    quote_amount: Decimal | None = None

    @property
    def closed(self) -> bool:
        return self.status in (OpportunityStatus.WON, OpportunityStatus.LOST)

    @property
    def current_stage(self) -> int | None:
        return self.active.sales_cycle_stage if self.active is not None else None

    def default_date(self, today: dt.date) -> dt.date:
        """The proposed date of change: the later of the active entry's and today."""
        return max(self.active.date_of_change, today) if self.active is not None else today


@dataclass(frozen=True, slots=True)
class StageRequest:
    """The inputs of an Update; ``None`` takes the dialog's default (domain.md §2.5)."""

    action: StageAction
    stage: int | None = None
    date_of_change: dt.date | None = None
    estimated_value: Decimal | None = None
    chances_of_success_pct: Decimal | None = None
    estimated_close_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class CloseRequest:
    """The inputs of a Close. ``close_code_outcome`` is the type of the entered close code,
    ``None`` when no such code exists."""

    outcome: CloseOutcome
    close_code: str
    close_code_outcome: CloseOutcome | None
    closing_date: dt.date | None = None
    sales_value: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    """The entry a request inserts. ``stage`` is ``None`` on Won and Lost entries (stage 0)."""

    stage: StageLike | None
    previous_stage: int
    action_taken: ActionTaken
    date_of_change: dt.date
    estimates: Estimates
    close_code: str | None = None

    @property
    def stage_no(self) -> int:
        return self.stage.stage if self.stage is not None else 0

    @property
    def stage_description(self) -> str:
        return self.stage.description if self.stage is not None else ""

    @property
    def closing(self) -> bool:
        return self.action_taken in (ActionTaken.WON, ActionTaken.LOST)

    @property
    def date_closed(self) -> dt.date | None:
        return self.date_of_change if self.closing else None

    @property
    def activity_code(self) -> str | None:
        """The activity whose tasks the entry generates (domain.md §4), if any."""
        if self.stage is None or not creates_tasks(self.action_taken):
            return None
        return self.stage.activity_code


def closed_error(position: Position) -> DomainError:
    return DomainError(
        "OPPORTUNITY_CLOSED", f"Opportunity {position.no} is {position.status.name.lower()} and closed."
    )


def no_stages_error(position: Position) -> DomainError:
    if position.sales_cycle_code is None:
        return DomainError("NO_STAGES", f"Opportunity {position.no} has no sales cycle, so no stages.")
    return DomainError("NO_STAGES", f"There are no stages in sales cycle {position.sales_cycle_code}.")


def action_blockers(
    position: Position, action: StageAction, target: StageLike | None, candidates: Candidates
) -> list[DomainError]:
    """Why ``action`` into ``target`` would be refused for reasons of state, not of input: the
    rules behind ``Opportunity.availableStageActions`` and step 1 and 4 of domain.md §2.5."""
    if position.closed:
        return [closed_error(position)]
    if position.active is None and action is not StageAction.FIRST:
        return [
            DomainError(
                "OPPORTUNITY_NOT_STARTED",
                f"Opportunity {position.no} is not started: activate its first stage first.",
                ["action"],
            )
        ]
    if not any(candidates.of(a) for a in StageAction):
        return [no_stages_error(position)]
    if not candidates.offered(action):
        return [
            DomainError(
                "ACTION_NOT_AVAILABLE",
                f"{action.name} is not available for opportunity {position.no} at its current stage.",
                ["action"],
            )
        ]
    if target is not None and needs_quote(action, target, position.quote_amount is not None):
        return [quote_required_error(target)]
    return []


def quote_required_error(target: StageLike) -> DomainError:
    return DomainError(
        "QUOTE_REQUIRED",
        f"You cannot go to stage {target.stage} before you have assigned a sales quote.",
        ["stage"],
    )


@dataclass(frozen=True, slots=True)
class ActionOption:
    """One action the Update dialog offers, with what would refuse it (api.md ``AvailableStageAction``)."""

    action: StageAction
    stages: tuple[StageLike, ...]
    default_stage: StageLike | None
    is_default: bool
    blockers: tuple[DomainError, ...]


def available_actions(position: Position, stages: Sequence[StageLike]) -> list[ActionOption]:
    """The offered actions with their candidate stages, default stage and blockers; none once
    the opportunity is closed. The blockers are those of the action into its default stage."""
    if position.closed:
        return []
    candidates = stage_candidates(stages, position.current_stage)
    default = candidates.default_action()
    options: list[ActionOption] = []
    for action in candidates.offered_actions():
        target = candidates.default_stage(action)
        options.append(
            ActionOption(
                action=action,
                stages=candidates.of(action),
                default_stage=target,
                is_default=action is default,
                blockers=tuple(action_blockers(position, action, target, candidates)),
            )
        )
    return options


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
    if value <= 0:
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
    if close_date is not None and close_date < date:
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
    violations.raise_any()
    assert estimates is not None
    return PlannedEntry(
        stage=target,
        previous_stage=0,
        action_taken=ActionTaken.STARTED,
        date_of_change=date_of_change,
        estimates=estimates,
    )


def plan_close(position: Position, request: CloseRequest, today: dt.date) -> PlannedEntry:
    """The Won or Lost entry of the Close command (domain.md §2.7, §3.2, §11.2, §11.4)."""
    if position.closed:
        raise closed_error(position)
    violations = Violations()
    check_money(request.sales_value, ["salesValue"], violations)
    if violations:
        violations.raise_any()  # a value that is not an amount cannot be compared nor rounded below
    if not request.close_code:
        violations.add("REQUIRED", "You must fill in the close opportunity code.", ["closeOpportunityCode"])
    elif request.close_code_outcome is None:
        violations.add(
            "NOT_FOUND",
            f"Close opportunity code {request.close_code} does not exist.",
            ["closeOpportunityCode"],
        )
    elif request.close_code_outcome is not request.outcome:
        violations.add(
            "CLOSE_CODE_TYPE_MISMATCH",
            f"Close opportunity code {request.close_code} is a {request.close_code_outcome.name} code, "
            f"not a {request.outcome.name} code.",
            ["closeOpportunityCode"],
        )
    date = request.closing_date or position.default_date(today)
    if position.active is not None and date < position.active.date_of_change:
        violations.add(
            "DATE_BEFORE_LAST_CHANGE",
            f"The closing date has to be on or after the last date of change, "
            f"{position.active.date_of_change.isoformat()}.",
            ["closingDate"],
        )
    estimated = position.active.estimated_value if position.active is not None else ZERO
    if request.outcome is CloseOutcome.WON:
        sales_value = _won_value(position, request, violations)
        estimates = won_estimates(estimated, sales_value, date)
        taken = ActionTaken.WON
    else:
        estimates = lost_estimates(estimated, date)
        taken = ActionTaken.LOST
    violations.raise_any()
    return PlannedEntry(
        stage=None,
        previous_stage=position.current_stage or 0,
        action_taken=taken,
        date_of_change=date,
        estimates=estimates,
        close_code=request.close_code,
    )


def _won_value(position: Position, request: CloseRequest, violations: Violations) -> Decimal:
    """The sales value of a Won entry: the linked quote's amount overrides the entered one."""
    if position.quote_amount is not None:
        if position.quote_amount <= 0:
            violations.add(
                "MUST_BE_POSITIVE",
                f"The linked sales quote's amount, {position.quote_amount}, must be greater than 0.",
                ["salesValue"],
            )
        return position.quote_amount
    if request.sales_value is None:
        violations.add("REQUIRED", "A won opportunity needs its sales value.", ["salesValue"])
        return ZERO
    if request.sales_value <= 0:
        violations.add("MUST_BE_POSITIVE", "Sales value must be greater than 0.", ["salesValue"])
    return request.sales_value
