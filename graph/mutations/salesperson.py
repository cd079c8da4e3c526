"""Mutations of this area (api.md §6): createSalesperson, updateSalesperson, deleteSalesperson."""

from __future__ import annotations

import strawberry


@strawberry.type
class SalespersonMutation:
    pass
