"""Sales cycle and stage mutations (api.md §6): create, update and delete of both."""

from __future__ import annotations

import strawberry


@strawberry.type
class SalesCycleMutation:
    pass
