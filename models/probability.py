"""Probability % and calculated current value of an opportunity entry (domain.md §3.1, §11.12).

Percentages are stored with 4 decimals and money with 2, both rounded half-up. The probability is
rounded to the stored precision *before* the value is computed from it, so that anyone recomputing
``calculated_current_value`` from the stored columns gets exactly the stored value.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from models.enums import ProbabilityCalculation

MONEY_QUANTUM = Decimal("0.01")
PCT_QUANTUM = Decimal("0.0001")
HUNDRED = Decimal(100)
TWO = Decimal(2)


def round_money(value: Decimal) -> Decimal:
    """Round an amount to 2 decimals, half-up (away from zero on ties)."""
    return value.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_UP)


def money_total(value: Decimal | None) -> Decimal:
    """A SQL aggregate's amount as money; ``None`` (an aggregate over no rows) is 0.00."""
    return round_money(value if value is not None else Decimal(0))


def round_pct(value: Decimal) -> Decimal:
    """Round a percentage to 4 decimals, half-up (away from zero on ties)."""
    return value.quantize(PCT_QUANTUM, rounding=ROUND_HALF_UP)


def probability_pct(
    method: ProbabilityCalculation, chances: Decimal, completed: Decimal
) -> Decimal:
    """The entry's Probability % for the sales cycle's calculation ``method``, to 4 decimals.

    MULTIPLY: ``chances * completed / 100``; ADD: ``(chances + completed) / 2``;
    CHANCES_OF_SUCCESS: ``chances``; COMPLETED: ``completed``.
    """
    match method:
        case ProbabilityCalculation.MULTIPLY:
            result = chances * completed / HUNDRED
        case ProbabilityCalculation.ADD:
            result = (chances + completed) / TWO
        case ProbabilityCalculation.CHANCES_OF_SUCCESS:
            result = chances
        case ProbabilityCalculation.COMPLETED:
            result = completed
    return round_pct(result)


def calculated_value(estimated: Decimal, probability: Decimal) -> Decimal:
    """The entry's calculated current value: ``round(estimated * probability / 100, 2)`` half-up."""
    return round_money(estimated * probability / HUNDRED)
