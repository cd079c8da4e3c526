"""The schema and its extensions (given as factories: never share an instance between requests).

The limits (cost, depth, aliases, tokens) are not extensions: ``graph.prepare`` checks them before
execution in one linear pass, and the server answers their refusals with HTTP 400.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from graph.errors import MaskUnexpectedErrors
from graph.mutation import Mutation
from graph.query import Query
from graph.subscription import Subscription
from graph.types.sales_document import SalesOrder, SalesQuote

CACHE_SIZE = 512


class Schema(strawberry.Schema):
    """Strawberry's schema without its error log: ``MaskUnexpectedErrors`` logs what is unexpected
    (with its traceback, under the request id), and a client's mistake is not the server's error."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        del errors, execution_context

    def _create_execution_context(
        self,
        query: str | None,
        allowed_operation_types: Iterable[OperationType],
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionContext:
        """With a prepared document in the context (``graph.context.Context.document``), the
        execution starts from it: it is neither parsed nor validated again (``graph.prepare``
        validated it with these rules and more)."""
        context = super()._create_execution_context(
            query,
            allowed_operation_types,
            variable_values,
            context_value,
            root_value,
            operation_name,
            operation_extensions,
        )
        document = getattr(context_value, "document", None)
        if document is not None:
            context.graphql_document = document
            context.pre_execution_errors = []
        return context

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> Any:
        """Only subscriptions over the WebSocket: queries and mutations go to ``POST /graphql``,
        where their cost, role and throttle are checked (server/endpoint.py)."""
        return await super().stream(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            operation_extensions,
            allowed_operation_types or (OperationType.SUBSCRIPTION,),
        )


class CachedParse(ParserCache):
    """Strawberry's parser cache, for a document not parsed already (the IDE, the WebSocket)."""

    def on_parse(self) -> Iterator[None]:
        if self.execution_context.graphql_document is not None:
            yield
            return
        yield from super().on_parse()


class CachedValidation(ValidationCache):
    """Strawberry's validation cache, for a document not validated already."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors is not None:
            yield
            return
        yield from super().on_validate()


schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[SalesQuote, SalesOrder],
    extensions=[
        MaskUnexpectedErrors,
        lambda: CachedParse(maxsize=CACHE_SIZE),
        lambda: CachedValidation(maxsize=CACHE_SIZE),
    ],
    config=StrawberryConfig(relay_max_results=100),
)
