"""Drawing a demo opportunity's plan: the Update actions a salesperson takes, with which inputs and when."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from decimal import Decimal

from models.enums import CloseOutcome, OpportunityStatus, StageAction
from models.stages import FORCES_CHANCES, Candidates, needs_quote, stage_candidates
from resolvers.demo.catalog import CLOSE_CODES, CycleDef, StageDef

ZERO = Decimal(0)
HUNDRED = Decimal(100)
WON_CODES = tuple(code for code, _, outcome in CLOSE_CODES if outcome is CloseOutcome.WON)
LOST_CODES = tuple(code for code, _, outcome in CLOSE_CODES if outcome is CloseOutcome.LOST)
#: The catalog's cycles' candidate lists, by cycle code and current stage.
_candidate_cache: dict[tuple[str, int | None], Candidates] = {}


def candidates(cycle: CycleDef, current: int | None) -> Candidates:
    """``stage_candidates`` of ``cycle`` (one of the catalog's) at stage ``current``, computed
    once per stage."""
    key = (cycle.code, current)
    found = _candidate_cache.get(key)
    if found is None:
        found = _candidate_cache[key] = stage_candidates(cycle.stages, current)
    return found


@dataclass(frozen=True, slots=True)
class Move:
    """One Update-dialog action (or the first-stage activation) and the inputs it is given."""

    action: StageAction
    stage: StageDef  # the stage the move goes to, drawn from the action's candidate list
    gap: int  # days since the previous step
    chances_offset: Decimal  # the entered chances as an offset from the stage's; 0: none entered
    value_factor: Decimal | None  # a new estimate, relative to the current one
    close_days: int | None  # an entered estimated close date, in days after the change
    cancel_tasks: bool
    quote_before: bool  # a sales quote is created just before this move


@dataclass(frozen=True, slots=True)
class Closing:
    outcome: CloseOutcome
    gap: int
    code: str
    quote_before: bool
    to_order: bool  # the won quote was made into an order
    sales_factor: Decimal  # sales value relative to the estimate, when no quote is linked


@dataclass(frozen=True, slots=True)
class Plan:
    start_gap: int  # days from creation to the first entry
    #: 0: Activate First Stage (date only); else Update with action First and the FIRST move's inputs.
    initial_value: Decimal
    moves: tuple[Move, ...]  # starts with the FIRST move
    closing: Closing | None

    @property
    def span(self) -> int:
        """Days from the creation date to the last entry."""
        closing = self.closing.gap if self.closing else 0
        return self.start_gap + sum(m.gap for m in self.moves) + closing


def _gap(rng: random.Random) -> int:
    return 0 if rng.random() < 0.12 else rng.randint(1, 24)


def _move(rng: random.Random, action: StageAction, stage: StageDef, *, quote: bool) -> Move:
    # Skip and Jump use the target stage's chances whatever is entered (domain.md §11.6).
    custom = action not in FORCES_CHANCES and rng.random() < 0.3
    chances = Decimal(rng.choice((-15, -10, -5, 5, 10, 15))) if custom else ZERO
    changes_value = action is not StageAction.FIRST and rng.random() < 0.35
    return Move(
        action=action,
        stage=stage,
        gap=0 if action is StageAction.FIRST else _gap(rng),
        chances_offset=chances,
        value_factor=Decimal(rng.randint(80, 125)) / HUNDRED if changes_value else None,
        close_days=rng.randint(7, 120) if rng.random() < 0.3 else None,
        cancel_tasks=action is not StageAction.FIRST and rng.random() < 0.08,
        quote_before=quote,
    )


_MOVE_WEIGHTS = (
    (StageAction.NEXT, 45),
    (StageAction.SKIP, 12),
    (StageAction.UPDATE, 18),
    (StageAction.PREVIOUS, 6),
    (StageAction.JUMP, 4),
)
_WON_NEXT_WEIGHT = 60
_weight_cache: dict[tuple[str, int, bool], tuple[list[StageAction], list[int]]] = {}


def _weights(cycle: CycleDef, stage: int, won: bool) -> tuple[list[StageAction], list[int]]:
    """The actions offered at ``stage`` with the cumulative odds of each being taken; Next is
    likelier on the way to a win."""
    key = (cycle.code, stage, won)
    found = _weight_cache.get(key)
    if found is None:
        offered = candidates(cycle, stage)
        moves = [
            (a, _WON_NEXT_WEIGHT if won and a is StageAction.NEXT else w)
            for a, w in _MOVE_WEIGHTS
            if offered.offered(a)
        ]
        found = _weight_cache[key] = (
            [a for a, _ in moves],
            list(itertools.accumulate(w for _, w in moves)),
        )
    return found


def plan_history(rng: random.Random, cycle: CycleDef, status: OpportunityStatus) -> Plan:
    """Draw the moves of a started opportunity that ends in ``status``: each one an action the
    Update dialog offers at the stage reached (domain.md §2.4), into a stage of its list."""
    n = len(cycle.stages)
    won = status is OpportunityStatus.WON
    count = {
        OpportunityStatus.IN_PROGRESS: rng.randint(0, n + 1),
        OpportunityStatus.WON: rng.randint(1, n + 1),
        OpportunityStatus.LOST: rng.randint(0, n),
    }[status]
    cur = _stage(candidates(cycle, None).first[0])
    moves = [_move(rng, StageAction.FIRST, cur, quote=False)]
    has_quote = False
    for _ in range(count):
        offered = candidates(cycle, cur.stage)
        if won and not offered.next and rng.random() < 0.6:
            break  # a won deal often closes from the last stage
        actions, cum_weights = _weights(cycle, cur.stage, won)
        action = rng.choices(actions, cum_weights=cum_weights)[0]
        if action is StageAction.SKIP or action is StageAction.JUMP:
            target = _stage(rng.choice(offered.of(action)))
        else:
            target = _stage(offered.of(action)[0])
        quote = False
        if needs_quote(action, target, has_quote):
            # The quote check of domain.md §2.5 (4): link a quote first, or do something else.
            if rng.random() < 0.85:
                quote = has_quote = True
            else:
                action, target = StageAction.UPDATE, cur
        moves.append(_move(rng, action, target, quote=quote))
        cur = target
    closing = None
    if status is not OpportunityStatus.IN_PROGRESS:
        outcome = CloseOutcome.WON if won else CloseOutcome.LOST
        quote = not has_quote and rng.random() < (0.5 if won else 0.1)
        closing = Closing(
            outcome=outcome,
            gap=rng.randint(0, 30),
            code=rng.choice(WON_CODES if won else LOST_CODES),
            quote_before=quote,
            to_order=won and rng.random() < 0.25,
            sales_factor=Decimal(rng.randint(85, 105)) / HUNDRED,
        )
    initial = ZERO if rng.random() < 0.05 else Decimal(rng.randint(2, 400) * 250)
    return Plan(rng.choice((0, 0, 0, 1, 2, 5)), initial, tuple(moves), closing)


def _stage(stage: object) -> StageDef:
    """The candidate lists hold the cycle's own ``StageDef`` objects."""
    assert isinstance(stage, StageDef)
    return stage
