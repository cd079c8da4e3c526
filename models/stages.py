"""Which stages an opportunity may move to, and what a move records (domain.md §2.4, §2.5, §11.6).

Everything here is computed from the cycle's stages and the stage of the active entry; nothing
reads a database. The functions take any object with a stage's attributes (``StageLike``), so the
same rules serve the stored ``SalesCycleStage`` rows and the demo generator's stage definitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from models.enums import ActionTaken, StageAction


class StageLike(Protocol):
    """What the rules read of a sales cycle stage."""

    @property
    def stage(self) -> int: ...
    @property
    def description(self) -> str: ...
    @property
    def completed_pct(self) -> Decimal: ...
    @property
    def chances_of_success_pct(self) -> Decimal: ...
    @property
    def activity_code(self) -> str | None: ...
    @property
    def quote_required(self) -> bool: ...
    @property
    def allow_skip(self) -> bool: ...
    @property
    def date_formula(self) -> str: ...


#: The order in which the Update dialog picks its default action (domain.md §2.4).
DEFAULT_ORDER = (
    StageAction.FIRST,
    StageAction.NEXT,
    StageAction.UPDATE,
    StageAction.PREVIOUS,
    StageAction.SKIP,
    StageAction.JUMP,
)
#: Actions offered only when their list holds more than one stage.
NEEDS_CHOICE = frozenset({StageAction.SKIP, StageAction.JUMP})
#: Actions whose target stage's Quote Required flag is checked (domain.md §11.1).
QUOTE_CHECKED = frozenset({StageAction.NEXT, StageAction.SKIP})
#: Actions that replace the entered chances by the target stage's default (domain.md §11.6).
FORCES_CHANCES = frozenset({StageAction.SKIP, StageAction.JUMP})


@dataclass(frozen=True, slots=True)
class Candidates:
    """The candidate list of every action, for one opportunity's current position."""

    first: tuple[StageLike, ...] = ()
    next: tuple[StageLike, ...] = ()
    previous: tuple[StageLike, ...] = ()
    skip: tuple[StageLike, ...] = ()
    update: tuple[StageLike, ...] = ()
    jump: tuple[StageLike, ...] = ()

    def of(self, action: StageAction) -> tuple[StageLike, ...]:
        match action:
            case StageAction.FIRST:
                return self.first
            case StageAction.NEXT:
                return self.next
            case StageAction.PREVIOUS:
                return self.previous
            case StageAction.SKIP:
                return self.skip
            case StageAction.UPDATE:
                return self.update
            case StageAction.JUMP:
                return self.jump

    def offered(self, action: StageAction) -> bool:
        """Skip and Jump need a choice (more than one stage); the others one stage."""
        return len(self.of(action)) > (1 if action in NEEDS_CHOICE else 0)

    def offered_actions(self) -> list[StageAction]:
        """The offered actions, in the order of ``StageAction``."""
        return [action for action in StageAction if self.offered(action)]

    def default_action(self) -> StageAction | None:
        """First → Next → Update → Previous → Skip → Jump: the first one offered."""
        return next((a for a in DEFAULT_ORDER if self.offered(a)), None)

    def default_stage(self, action: StageAction) -> StageLike | None:
        """The stage the dialog proposes: Jump's is the stage right before the current one."""
        stages = self.of(action)
        if not stages:
            return None
        return stages[-1] if action is StageAction.JUMP else stages[0]

    def find(self, action: StageAction, stage_no: int) -> StageLike | None:
        """The stage numbered ``stage_no`` if it is in ``action``'s list."""
        return next((s for s in self.of(action) if s.stage == stage_no), None)


def stage_candidates(stages: Sequence[StageLike], current: int | None) -> Candidates:
    """The candidate lists of domain.md §2.4.

    ``current`` is the stage of the active entry, ``None`` when the opportunity has none. The
    stages need not be sorted nor numbered consecutively.
    """
    ordered = sorted(stages, key=lambda s: s.stage)
    if current is None:
        return Candidates(first=tuple(ordered[:1]))
    before = [s for s in ordered if s.stage < current]
    after = [s for s in ordered if s.stage > current]
    skip: list[StageLike] = []
    if after and after[0].allow_skip:
        for stage in after:
            skip.append(stage)
            if not stage.allow_skip:
                break
    return Candidates(
        next=tuple(after[:1]),
        previous=tuple(before[-1:]),
        skip=tuple(skip),
        update=tuple(s for s in ordered if s.stage == current),
        jump=tuple(before),
    )


def action_taken(action: StageAction, target: StageLike, candidates: Candidates) -> ActionTaken:
    """What the entry records for ``action`` into ``target`` (domain.md §2.5, §11.5, §11.6).

    A Skip to the adjacent stage records NEXT and a Jump to it PREVIOUS; a Skip or Jump anywhere
    else records JUMPED.
    """
    match action:
        case StageAction.FIRST:
            return ActionTaken.STARTED
        case StageAction.NEXT:
            return ActionTaken.NEXT
        case StageAction.PREVIOUS:
            return ActionTaken.PREVIOUS
        case StageAction.UPDATE:
            return ActionTaken.UPDATED
        case StageAction.SKIP:
            adjacent = candidates.next[0].stage if candidates.next else None
            return ActionTaken.NEXT if target.stage == adjacent else ActionTaken.JUMPED
        case StageAction.JUMP:
            adjacent = candidates.previous[0].stage if candidates.previous else None
            return ActionTaken.PREVIOUS if target.stage == adjacent else ActionTaken.JUMPED


def creates_tasks(taken: ActionTaken) -> bool:
    """Entering a stage creates its activity's tasks; Update and Close do not (domain.md §4)."""
    return taken not in (ActionTaken.UPDATED, ActionTaken.WON, ActionTaken.LOST)


def needs_quote(action: StageAction, target: StageLike, has_quote: bool) -> bool:
    """The Quote Required check of domain.md §2.5 (4): Next or Skip into a stage that needs one."""
    return action in QUOTE_CHECKED and target.quote_required and not has_quote
