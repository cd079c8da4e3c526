"""The schema and its extensions (given as factories: never share an instance between requests)."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from graph.errors import MaskUnexpectedErrors
from graph.mutation import Mutation
from graph.planner import MAX_ALIASES, MAX_DEPTH
from graph.query import Query
from graph.types.sales_document import SalesOrder, SalesQuote

MAX_TOKENS = 5000
CACHE_SIZE = 512


def _extensions() -> list[type[SchemaExtension]]:
    # Strawberry builds each extension per operation from these classes/factories.
    return [MaskUnexpectedErrors]


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[SalesQuote, SalesOrder],
    extensions=[
        *_extensions(),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    ],
    config=StrawberryConfig(relay_max_results=100),
)
