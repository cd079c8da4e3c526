"""Mutations of this area (api.md §6): create/update/deleteActivity."""

from __future__ import annotations

import strawberry


@strawberry.type
class ActivityMutation:
    pass
