"""Pipeline analytics root fields: grouped measures now and as of a past date."""

from __future__ import annotations

import strawberry


@strawberry.type
class PipelineQuery:
    pass
