"""Reads compiled into one SQL statement each (issue 11): see :mod:`resolvers.reads.compiled.compiler`.

:func:`plan_for` is the one entry point: the cached plan of an operation for a viewer, or ``None``
when the operation selects something only the resolvers answer (that answer is cached too).
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from graphql import DocumentNode, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.values import VariableValues

from resolvers.reads.compiled.arguments import FallbackError, UncoveredError, variable_shape
from resolvers.reads.compiled.compiler import Compiled, Compiler, scope_of
from resolvers.viewer import Viewer

__all__ = ["Compiled", "FallbackError", "plan_for"]

#: Plans kept per process (least recently used first out); each is a few kilobytes of SQL.
MAX_PLANS = 2_000
#: Longer documents are compiled every time rather than kept (as graph/prepare.py's cache does).
MAX_CACHED_QUERY_LENGTH = 32_768

_plans: OrderedDict[tuple[object, ...], Compiled | None] = OrderedDict()
_lock = Lock()


def plan_for(
    schema: GraphQLSchema,
    query: str,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    values: VariableValues,
    viewer: Viewer,
) -> Compiled | None:
    """The plan of ``operation`` for requests of this variable shape and viewer scope."""
    scope = scope_of(viewer)
    key = (
        query,
        operation.name.value if operation.name else None,
        variable_shape(schema, operation, values.coerced),
        scope,
    )
    with _lock:
        if key in _plans:
            _plans.move_to_end(key)
            return _plans[key]
    try:
        plan: Compiled | None = compile_operation(schema, document, operation, values, scope)
    except UncoveredError:
        plan = None
    except FallbackError:
        return None  # decided by this request's values (too many IDs): never kept
    if len(query) <= MAX_CACHED_QUERY_LENGTH:
        with _lock:
            _plans[key] = plan
            while len(_plans) > MAX_PLANS:
                _plans.popitem(last=False)
    return plan


def compile_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    values: VariableValues,
    scope: str,
) -> Compiled:
    fragments = {
        d.name.value: FragmentDetails(d)
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    return Compiler(schema, fragments, operation, values, scope).compile()
