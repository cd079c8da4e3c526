"""Number series: ``prefix`` + the number zero-padded to ``width`` digits (domain.md §11.16)."""

from __future__ import annotations


class NumberSeriesExhaustedError(ValueError):
    """The number needs more digits than the series' width allows."""


def format_number(prefix: str, number: int, width: int) -> str:
    """Format ``number`` in a series: ``format_number("OP", 1, 6) == "OP000001"``.

    Raises ``ValueError`` for a negative number or a width below 1, and
    ``NumberSeriesExhaustedError`` when the number has more digits than ``width``: growing past
    the width would break the series' sort order (``OP1000000`` sorts before ``OP999999``), so
    the series must be widened instead.
    """
    if width < 1:
        raise ValueError(f"width must be at least 1, not {width}")
    if number < 0:
        raise ValueError(f"number must not be negative, not {number}")
    digits = str(number)
    if len(digits) > width:
        raise NumberSeriesExhaustedError(
            f"number {number} does not fit the {width} digits of series prefix {prefix!r}"
        )
    return prefix + digits.zfill(width)


def parse_number(prefix: str, no: str) -> int | None:
    """The number in ``no`` if it has the series' form (``prefix`` then digits), else ``None``."""
    if not no.startswith(prefix):
        return None
    digits = no[len(prefix) :]
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits)
