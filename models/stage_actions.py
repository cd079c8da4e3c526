"""The actions the Update dialog offers an opportunity, and what would refuse each (domain.md §2.5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from models.enums import StageAction
from models.errors import DomainError
from models.lifecycle import Position, closed_error, no_stages_error
from models.stages import Candidates, StageLike, needs_quote, stage_candidates


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
