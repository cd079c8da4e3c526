"""Mutations of this area (api.md §6): create/update/deleteCloseOpportunityCode."""

from __future__ import annotations

import strawberry


@strawberry.type
class CloseOpportunityCodeMutation:
    pass
