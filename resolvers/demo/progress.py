"""How far ``seed_demo`` got, step by step, for whoever shows it (the CLI draws a bar or logs lines)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SeedProgress:
    """How far one step of ``seed_demo`` got: ``done`` of ``total`` ``unit``.

    The steps, in order: ``generating`` opportunities, ``loading`` rows, ``indexing`` (the indexes
    and foreign keys rebuilt after the load; skipped when the tables are not ours), ``analyzing``
    tables. Each is reported at its start (``done == 0``), at most once per percent, and at its end.
    """

    step: str
    unit: str
    done: int
    total: int


SeedProgressCallback = Callable[[SeedProgress], None]


class StepProgress:
    """One step's count, reported to ``callback`` (when there is one) at most once per percent."""

    def __init__(self, callback: SeedProgressCallback | None, step: str, unit: str, total: int) -> None:
        self.callback, self.step, self.unit, self.total = callback, step, unit, total
        self.done = 0
        self._percent = -1
        self.set(0)

    def percent(self, done: int) -> int:
        return 100 * done // self.total if self.total else 100

    def advance(self, n: int) -> None:
        self.set(self.done + n)

    def set(self, done: int) -> None:
        self.done = done
        percent = self.percent(done)
        if self.callback is not None and (percent != self._percent or done == self.total):
            self._percent = percent
            self.callback(SeedProgress(self.step, self.unit, done, self.total))
