"""Mutations of this area (api.md §6): updateSetup."""

from __future__ import annotations

import strawberry


@strawberry.type
class SetupMutation:
    pass
