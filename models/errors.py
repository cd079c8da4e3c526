"""Broken business rules, as data (api.md §6).

The rules in ``models/`` and the use cases in ``resolvers/`` report a broken rule by raising
``DomainError``; a request that breaks several independent rules raises one ``DomainErrors``
holding one error each, in the order of domain.md §2.5. The graph layer turns either into the
payload's ``userErrors``; nothing raising them may have written anything that is kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class DomainError(Exception):
    """One broken rule: an ``ErrorCode`` name, a message for people, and the input path."""

    def __init__(self, code: str, message: str, field: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = list(field) if field is not None else None

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r}, {self.field!r})"


class DomainErrors(Exception):  # noqa: N818 - the plural of DomainError reads best
    """Several broken rules of one request, reported together."""

    def __init__(self, errors: Iterable[DomainError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(e.message for e in self.errors))


class Violations:
    """Collects the broken rules of one request so that all of them can be reported at once."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def add(self, code: str, message: str, field: Sequence[str] | None = None) -> None:
        self.errors.append(DomainError(code, message, field))

    def extend(self, errors: Iterable[DomainError]) -> None:
        self.errors.extend(errors)

    def errors_on(self, field: Sequence[str]) -> bool:
        """Whether an error was already reported for ``field``."""
        return any(e.field == list(field) for e in self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_any(self) -> None:
        """Raise what was collected, if anything."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise DomainErrors(self.errors)
