"""The root Mutation (api.md §6): one field per use case, grouped by area."""

from __future__ import annotations

import strawberry

from graph.mutations.opportunity import OpportunityMutation
from graph.mutations.sales_document import SalesDocumentMutation


@strawberry.type(description="Every change goes through here; each mutation is one transaction.")
class Mutation(OpportunityMutation, SalesDocumentMutation):
    pass
