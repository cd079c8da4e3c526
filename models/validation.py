"""Range checks shared by every input that carries money or a percentage (api.md §2, §6)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from models.errors import Violations

#: The largest amount a ``Numeric(18, 2)`` column holds.
MAX_MONEY = Decimal("9999999999999999.99")
HUNDRED = Decimal(100)


def check_money(value: Decimal | None, field: Sequence[str], violations: Violations) -> None:
    """A finite amount that fits the money columns (the sign is each rule's business)."""
    if value is None:
        return
    if not value.is_finite() or abs(value) > MAX_MONEY:
        violations.add("INVALID", f"{value} is not an amount (at most {MAX_MONEY}).", field)


def check_pct(value: Decimal | None, field: Sequence[str], violations: Violations) -> None:
    """A percentage between 0 and 100."""
    if value is None:
        return
    if not value.is_finite() or not 0 <= value <= HUNDRED:
        violations.add("INVALID", f"{value} is not a percentage between 0 and 100.", field)
