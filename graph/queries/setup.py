"""Root fields that read who is calling and the setup."""

from __future__ import annotations

import strawberry

from graph.context import Info
from graph.types.setup import Setup, Viewer, load_setup


@strawberry.type
class SetupQuery:
    @strawberry.field(description="Who is calling.")
    def viewer(self, info: Info) -> Viewer:
        v = info.context.viewer
        return Viewer(role=v.role, key_name=v.key_name, salesperson_code=v.salesperson_code)

    @strawberry.field(description="Number series, default sales cycle, currency and time zone.")
    async def setup(self, info: Info) -> Setup:
        return await load_setup(info)
