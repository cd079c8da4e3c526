"""Estimate recomputation for a new entry ("UpdateEstimates", domain.md §3.2, §3.4, §11.12).

An entry on a stage takes the stage's completed %, defaults (or, for Skip and Jump, forces) the
chances of success from the stage, computes the probability by the cycle's method and the
calculated current value from it, and proposes the estimated close date from the stage's date
formula. Won and Lost entries override the percentages and the calculated value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from models.date_formula import calc_date
from models.enums import ProbabilityCalculation, StageAction
from models.probability import calculated_value, probability_pct, round_money, round_pct
from models.stages import FORCES_CHANCES, StageLike

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Estimates:
    """The figures an entry stores."""

    estimated_value: Decimal
    chances_of_success_pct: Decimal
    completed_pct: Decimal
    probability_pct: Decimal
    calculated_current_value: Decimal
    estimated_close_date: dt.date | None


def stage_chances(stage: StageLike, action: StageAction, chances: Decimal) -> Decimal:
    """The chances the entry keeps: the stage's default when none was entered (0), and always
    for Skip and Jump, unless the stage's default is 0."""
    default = stage.chances_of_success_pct
    if (chances == 0 or action in FORCES_CHANCES) and default != 0:
        return round_pct(default)
    return round_pct(chances)


def proposed_close_date(stage: StageLike, date_of_change: dt.date, entered: dt.date | None) -> dt.date:
    """The estimated close date: the entered one, unless it is blank or equal to the date of
    change, in which case ``CalcDate(stage.dateFormula, dateOfChange)``.

    Raises ``InvalidDateFormula`` or ``DateOutOfRangeError`` from the stage's formula.
    """
    if entered is not None and entered != date_of_change:
        return entered
    return calc_date(stage.date_formula, date_of_change)


def stage_estimates(
    method: ProbabilityCalculation,
    stage: StageLike,
    action: StageAction,
    date_of_change: dt.date,
    estimated_value: Decimal,
    chances: Decimal,
    estimated_close_date: dt.date | None,
) -> Estimates:
    """The estimates of an entry on ``stage`` (domain.md §3.2, step 1)."""
    value = round_money(estimated_value)
    chances = stage_chances(stage, action, chances)
    completed = round_pct(stage.completed_pct)
    probability = probability_pct(method, chances, completed)
    return Estimates(
        estimated_value=value,
        chances_of_success_pct=chances,
        completed_pct=completed,
        probability_pct=probability,
        calculated_current_value=calculated_value(value, probability),
        estimated_close_date=proposed_close_date(stage, date_of_change, estimated_close_date),
    )


def won_estimates(estimated_value: Decimal, sales_value: Decimal, closing_date: dt.date) -> Estimates:
    """A Won entry: the last open estimate, the sales value (the linked quote's amount when there
    is one), 100 / 100 / 100, and the closing date as the estimated close date."""
    return Estimates(
        estimated_value=round_money(estimated_value),
        chances_of_success_pct=HUNDRED,
        completed_pct=HUNDRED,
        probability_pct=HUNDRED,
        calculated_current_value=round_money(sales_value),
        estimated_close_date=closing_date,
    )


def lost_estimates(estimated_value: Decimal, closing_date: dt.date) -> Estimates:
    """A Lost entry: the last open estimate, value 0, chances 0, completed 100, probability 0."""
    return Estimates(
        estimated_value=round_money(estimated_value),
        chances_of_success_pct=ZERO,
        completed_pct=HUNDRED,
        probability_pct=ZERO,
        calculated_current_value=round_money(ZERO),
        estimated_close_date=closing_date,
    )
