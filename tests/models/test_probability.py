"""Probability % and calculated current value (domain.md §3.1, §11.12)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.enums import ProbabilityCalculation
from models.probability import calculated_value, probability_pct, round_money, round_pct

M = ProbabilityCalculation.MULTIPLY
A = ProbabilityCalculation.ADD
CH = ProbabilityCalculation.CHANCES_OF_SUCCESS
CO = ProbabilityCalculation.COMPLETED

# (method, estimated value, chances %, completed %, probability %, calculated value)
CASES = [
    # the worked example of domain.md §3.1: value 1000, chances 60, completed 25
    (M, "1000", "60", "25", "15", "150"),
    (A, "1000", "60", "25", "42.5", "425"),
    (CH, "1000", "60", "25", "60", "600"),
    (CO, "1000", "60", "25", "25", "250"),
    # the end-to-end example of domain.md §9 (cycle NEW, MULTIPLY)
    (M, "0", "50", "10", "5", "0"),
    (M, "10000", "60", "40", "24", "2400"),
    (M, "10000", "80", "80", "64", "6400"),
    # bounds
    (M, "5000", "100", "100", "100", "5000"),
    (M, "5000", "0", "100", "0", "0"),
    (M, "5000", "100", "0", "0", "0"),
    (A, "5000", "0", "0", "0", "0"),
    (A, "5000", "100", "100", "100", "5000"),
    (A, "5000", "0", "100", "50", "2500"),
    (CH, "5000", "0", "100", "0", "0"),
    (CO, "5000", "100", "0", "0", "0"),
    # fractions: ADD halves, MULTIPLY products of fractional percentages
    (A, "999.99", "33", "10", "21.5", "215.00"),
    (A, "100", "1", "0", "0.5", "0.50"),
    (M, "1000", "33.3333", "33.3333", "11.1111", "111.11"),  # 11.11108889 rounds to 4 places
    (M, "1234.56", "55.5", "12.5", "6.9375", "85.65"),  # 85.6476
    (M, "0.01", "50", "100", "50", "0.01"),  # 0.005 rounds half-up
    (M, "0.01", "49.99", "100", "49.99", "0.00"),
    (CH, "333.33", "33.3333", "0", "33.3333", "111.11"),
    (CO, "12345678.90", "0", "12.3456", "12.3456", "1524148.13"),
    (M, "2", "0.0001", "0.0001", "0.0000", "0.00"),  # 0.00000001 rounds to zero
    (M, "100", "0.0050", "10", "0.0005", "0.00"),
    (A, "100", "0.0001", "0", "0.0001", "0.00"),  # 0.00005 rounds half-up
    (M, "1000000", "99.9999", "99.9999", "99.9998", "999998.00"),
]


@pytest.mark.parametrize(
    ("method", "estimated", "chances", "completed", "probability", "value"), CASES
)
def test_probability_and_calculated_value(
    method: ProbabilityCalculation,
    estimated: str,
    chances: str,
    completed: str,
    probability: str,
    value: str,
) -> None:
    p = probability_pct(method, Decimal(chances), Decimal(completed))
    v = calculated_value(Decimal(estimated), p)
    assert p == Decimal(probability)
    assert v == Decimal(value)
    # results carry the stored precision: 4 decimals for percentages, 2 for money
    assert p.as_tuple().exponent == -4
    assert v.as_tuple().exponent == -2


def test_every_method_has_a_formula() -> None:
    for method in ProbabilityCalculation:
        assert probability_pct(method, Decimal(60), Decimal(25)) > 0


@pytest.mark.parametrize(
    ("value", "money", "pct"),
    [
        ("0", "0.00", "0.0000"),
        ("1.005", "1.01", "1.0050"),
        ("1.00499", "1.00", "1.0050"),
        ("2.675", "2.68", "2.6750"),
        ("0.00005", "0.00", "0.0001"),
        ("0.000049", "0.00", "0.0000"),
        ("-1.005", "-1.01", "-1.0050"),  # ties round away from zero
        ("-0.00005", "-0.00", "-0.0001"),
        ("123456.785", "123456.79", "123456.7850"),
        ("99.99995", "100.00", "100.0000"),
    ],
)
def test_rounding_is_half_up(value: str, money: str, pct: str) -> None:
    assert str(round_money(Decimal(value))) == money
    assert str(round_pct(Decimal(value))) == pct
