"""The money and percentage range checks: out of range, not a number or infinite is ``INVALID`` on
the field given, and an error found earlier is kept (api.md §6)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import pytest

from models.errors import Violations
from models.validation import check_money, check_pct

# (check, value, valid) — api.md §6: out of range is INVALID; the sign is each rule's business
RANGE_CASES = [
    pytest.param(check_money, None, True, id="money absent"),
    pytest.param(check_money, "0", True, id="money zero"),
    pytest.param(check_money, "-5", True, id="money negative"),
    pytest.param(check_money, "9999999999999999.99", True, id="the largest amount"),
    pytest.param(check_money, "-9999999999999999.99", True, id="the smallest amount"),
    pytest.param(check_money, "0.001", True, id="sub-cent precision, rounded later"),
    pytest.param(check_money, "10000000000000000.00", False, id="money too large"),
    pytest.param(check_money, "-10000000000000000", False, id="money too small"),
    pytest.param(check_money, "1E+30", False, id="money in exponent notation"),
    pytest.param(check_money, "NaN", False, id="money NaN"),
    pytest.param(check_money, "sNaN", False, id="money signalling NaN"),
    pytest.param(check_money, "Infinity", False, id="money infinite"),
    pytest.param(check_money, "-Infinity", False, id="money minus infinite"),
    pytest.param(check_pct, None, True, id="pct absent"),
    pytest.param(check_pct, "0", True, id="pct zero"),
    pytest.param(check_pct, "100", True, id="pct one hundred"),
    pytest.param(check_pct, "50.12345", True, id="pct fractions"),
    pytest.param(check_pct, "-0.0001", False, id="pct negative"),
    pytest.param(check_pct, "100.0001", False, id="pct over 100"),
    pytest.param(check_pct, "NaN", False, id="pct NaN"),
    pytest.param(check_pct, "Infinity", False, id="pct infinite"),
    pytest.param(check_pct, "-Infinity", False, id="pct minus infinite"),
]


@pytest.mark.parametrize(("check", "value", "valid"), RANGE_CASES)
def test_range_checks(
    check: Callable[[Decimal | None, Sequence[str], Violations], None], value: str | None, valid: bool
) -> None:
    violations = Violations()
    violations.add("MUST_BE_POSITIVE", "an earlier error is kept", ["other"])

    check(Decimal(value) if value is not None else None, ["input", "field"], violations)

    expected = [("MUST_BE_POSITIVE", ["other"])] + ([] if valid else [("INVALID", ["input", "field"])])
    assert [(e.code, e.field) for e in violations.errors] == expected
