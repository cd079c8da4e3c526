"""Root fields that read any object by its global ID."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.node import resolve_node, resolve_nodes
from graph.relay import Node


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID.")
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
    ) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(
        description="Objects by global ID, in the order asked (null where not found); at most 100."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs (at most 100).")],
    ) -> list[Node | None]:
        return await resolve_nodes(info, ids)
