"""Mutations of this area (api.md §6): updateTask, cancelTask."""

from __future__ import annotations

import strawberry


@strawberry.type
class TaskMutation:
    pass
