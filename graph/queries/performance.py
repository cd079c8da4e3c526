"""Sales performance root fields: win rate, velocity and stage conversion."""

from __future__ import annotations

import strawberry


@strawberry.type
class PerformanceQuery:
    pass
