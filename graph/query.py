"""The root Query (api.md §4), composed of the root fields of each area in graph/queries/."""

from __future__ import annotations

import strawberry

from graph.queries.lists import ListQuery
from graph.queries.lookups import LookupQuery
from graph.queries.node import NodeQuery
from graph.queries.performance import PerformanceQuery
from graph.queries.pipeline import PipelineQuery
from graph.queries.setup import SetupQuery
from graph.queries.webhook import WebhookQuery


# The bases' order is the order of the fields in the SDL (schema.graphql): keep it.
@strawberry.type(description="Read the opportunity-management graph.")
class Query(PipelineQuery, PerformanceQuery, NodeQuery, SetupQuery, LookupQuery, ListQuery, WebhookQuery):
    pass
