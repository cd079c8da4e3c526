"""The schema and its extensions (given as factories: never share an instance between requests).

The limits (cost, depth, aliases, tokens) are not extensions: ``graph.prepare`` checks them before
execution in one linear pass, and the server answers their refusals with HTTP 400.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from graph.errors import MaskUnexpectedErrors
from graph.mutation import Mutation
from graph.query import Query
from graph.types.sales_document import SalesOrder, SalesQuote

CACHE_SIZE = 512


class Schema(strawberry.Schema):
    """Strawberry's schema without its error log: ``MaskUnexpectedErrors`` logs what is unexpected
    (with its traceback, under the request id), and a client's mistake is not the server's error."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        del errors, execution_context


schema = Schema(
    query=Query,
    mutation=Mutation,
    types=[SalesQuote, SalesOrder],
    extensions=[
        MaskUnexpectedErrors,
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
    ],
    config=StrawberryConfig(relay_max_results=100),
)
