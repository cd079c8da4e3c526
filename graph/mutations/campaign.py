"""Mutations of this area (api.md §6): createCampaign, updateCampaign, deleteCampaign."""

from __future__ import annotations

import strawberry


@strawberry.type
class CampaignMutation:
    pass
