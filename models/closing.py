"""The Won or Lost entry of the Close command (domain.md §2.7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from models.enums import ActionTaken, CloseOutcome
from models.errors import Violations
from models.estimates import lost_estimates, won_estimates
from models.lifecycle import PlannedEntry, Position, closed_error
from models.validation import check_date, check_money, positive_as_stored

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class CloseRequest:
    """The inputs of a Close. ``close_code_outcome`` is the type of the entered close code,
    ``None`` when no such code exists."""

    outcome: CloseOutcome
    close_code: str
    close_code_outcome: CloseOutcome | None
    closing_date: dt.date | None = None
    sales_value: Decimal | None = None


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
    check_date(request.closing_date, ["closingDate"], violations)
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
        if not positive_as_stored(position.quote_amount):
            violations.add(
                "MUST_BE_POSITIVE",
                f"The linked sales quote's amount, {position.quote_amount}, must be greater than 0.",
                ["salesValue"],
            )
        return position.quote_amount
    if request.sales_value is None:
        violations.add("REQUIRED", "A won opportunity needs its sales value.", ["salesValue"])
        return ZERO
    if not positive_as_stored(request.sales_value):
        violations.add("MUST_BE_POSITIVE", "Sales value must be greater than 0.", ["salesValue"])
    return request.sales_value
