"""The root Mutation (api.md §6): one field per use case, grouped by area."""

from __future__ import annotations

import strawberry

from graph.mutations.activity import ActivityMutation
from graph.mutations.campaign import CampaignMutation
from graph.mutations.close_code import CloseOpportunityCodeMutation
from graph.mutations.contact import ContactMutation
from graph.mutations.opportunity import OpportunityMutation
from graph.mutations.sales_cycle import SalesCycleMutation
from graph.mutations.sales_document import SalesDocumentMutation
from graph.mutations.salesperson import SalespersonMutation
from graph.mutations.setup import SetupMutation
from graph.mutations.task import TaskMutation
from graph.mutations.webhook import WebhookMutation


@strawberry.type(description="Every change goes through here; each mutation is one transaction.")
class Mutation(
    SetupMutation,
    SalespersonMutation,
    ContactMutation,
    CampaignMutation,
    SalesCycleMutation,
    CloseOpportunityCodeMutation,
    ActivityMutation,
    OpportunityMutation,
    SalesDocumentMutation,
    TaskMutation,
    WebhookMutation,
):
    pass
