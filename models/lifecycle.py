"""What the lifecycle rules read and return: an opportunity's ``Position`` and the ``PlannedEntry``.

The rules of the opportunity lifecycle are pure functions around these two types:
``models.stage_actions`` says which Update actions are offered and what refuses them,
``models.stage_change`` plans the Update command (domain.md §2.5) and Activate First Stage (§2.6,
and the create wizard, §2.3), ``models.closing`` plans the Close command (§2.7). Each checks every
rule against the position and returns the entry to insert; a request that breaks rules raises them
all at once (``DomainErrors``), in the order of §2.5. They read nothing and write nothing: the use
cases in ``resolvers/`` load the position under a row lock, call them, and write the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from models.enums import ActionTaken, OpportunityStatus, ProbabilityCalculation
from models.errors import DomainError
from models.estimates import Estimates
from models.stages import StageLike, creates_tasks


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
