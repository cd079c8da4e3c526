"""The read compiler: a validated query operation → one SQL statement whose one value is the whole
``data`` object as JSON text, built by PostgreSQL.

Written by hand because it is our performance core (issue 11): no library compiles this schema's
relations, keyset cursors and visibility rules into SQL.

Shape of the statement: every relation of an object is a scalar subquery beside the object's
columns, yielding the related object's (or list's) JSON; a connection picks its page first
(filter, visibility, seek, ``ORDER BY … LIMIT``, over whole rows), then builds each kept row's
JSON, then aggregates the page, its cursors and ``pageInfo`` (:mod:`resolvers.reads.compiled.paging`).
Scalar subqueries rather than ``LEFT JOIN LATERAL``: PostgreSQL plans each on its own, where a
lateral join is part of its parent's join search, whose planning doubled the cost of ``one.graphql``.

Values never enter the SQL text: arguments and variables become ``$n`` parameters computed per
request by the plan's getters (:mod:`resolvers.reads.compiled.arguments`), so one plan serves
every request with the same document, operation, variable shape and viewer scope. A value the
resolver path would refuse (a bad cursor, a page too large, an unstorable filter) raises
:class:`FallbackError` while the parameters are computed: that request runs on the resolver path,
which reports the error exactly as it always has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_fields, collect_subfields
from graphql.execution.values import VariableValues

from resolvers.reads.compiled.arguments import Arguments, Getter, Runtime, UncoveredError
from resolvers.reads.compiled.catalog import (
    GRAPHQL_TYPE,
    SOURCES,
    Column,
    Computed,
    Either,
    Paged,
    Source,
    ToMany,
    ToOne,
)
from resolvers.reads.compiled.listings import ROOT_LISTS, ROOT_LOOKUPS
from resolvers.reads.compiled.sql import formatted, global_id, json_object, quote
from resolvers.viewer import Viewer

#: The Node types ``node(id:)`` can answer, with their key parts' Python types.
NODE_TYPES = {
    name: source
    for name, source in SOURCES.items()
    if source.key and name in GRAPHQL_TYPE and GRAPHQL_TYPE[name] == name
}


@dataclass(frozen=True, slots=True)
class Compiled:
    """One plan: the statement and how to compute its parameters for a request."""

    sql: str
    getters: tuple[Getter, ...]

    def parameters(self, variables: dict[str, Any], viewer: Viewer) -> list[Any]:
        """The statement's parameters; :class:`FallbackError` when the resolver path must answer."""
        runtime = Runtime(variables, viewer)
        return [get(runtime) for get in self.getters]


@dataclass(slots=True)
class Row:
    """How an object's row is reached where its JSON is built: its table alias (or a whole-row
    composite of a page) and its active entry's."""

    t: str
    e: str


def scope_of(viewer: Viewer) -> str:
    """The part of the viewer a plan depends on: ``all`` rows, its ``own``, or ``none``."""
    if viewer.reads_everything:
        return "all"
    return "none" if viewer.salesperson_code is None else "own"


class Compiler:
    """Compiles one operation; raises :class:`UncoveredError` for what only resolvers answer.

    Every method that compiles a selection returns the SQL expression of its JSON."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDetails],
        operation: OperationDefinitionNode,
        values: VariableValues,
        scope: str,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.operation = operation
        self.values = values
        self.scope = scope
        self.args = Arguments(values)
        self._aliases = 0
        self._viewer_code: str | None = None

    # --- plumbing ------------------------------------------------------------------------------

    def alias(self, prefix: str) -> str:
        self._aliases += 1
        return f"{prefix}{self._aliases}"

    def param(self, getter: Getter, cast: str) -> str:
        return self.args.param(getter, cast)

    def viewer_code(self) -> str:
        if self._viewer_code is None:
            self._viewer_code = self.param(lambda rt: rt.viewer.salesperson_code, "text")
        return self._viewer_code

    def visibility(self, source: Source, t: str) -> str | None:
        """``resolvers.viewer.visible`` as SQL on the row ``t``; ``None`` when every row is visible."""
        if self.scope == "all" or source.scope is None:
            return None
        if self.scope == "none":
            return "false"
        code = self.viewer_code()
        if source.scope in ("opportunity", "task"):
            return f"{t}.salesperson_code = {code}"
        if source.scope == "entry":
            return f"{t}.opportunity_no IN (SELECT o.no FROM opportunity o WHERE o.salesperson_code = {code})"
        link = "sales_quote_no" if source.scope == "quote" else "sales_order_no"
        return (
            f"({t}.no IN (SELECT o.{link} FROM opportunity o WHERE o.salesperson_code = {code}) "
            f"OR ({t}.salesperson_code = {code} AND NOT EXISTS "
            f"(SELECT FROM opportunity o WHERE o.{link} = {t}.no)))"
        )

    def from_clause(self, source: Source, t: str, e: str) -> str:
        sql = f"{source.table} {t}"
        if source.active_entry:
            sql += f" LEFT JOIN opportunity_entry {e} ON {e}.opportunity_no = {t}.no AND {e}.active"
        return sql

    def subfields(self, parent_type: GraphQLObjectType, details: list[FieldDetails]) -> dict[str, Any]:
        collected = collect_subfields(
            self.schema, self.fragments, self.values, self.operation, parent_type, details
        )
        if collected.new_defer_usages:
            raise UncoveredError("@defer")
        return collected.grouped_field_set

    # --- the operation -------------------------------------------------------------------------

    def compile(self) -> Compiled:
        if self.operation.operation is not OperationType.QUERY:
            raise UncoveredError("only queries are compiled")
        root = self.schema.query_type
        assert root is not None
        grouped = collect_fields(self.schema, self.fragments, self.values, root, self.operation)
        if grouped.new_defer_usages:
            raise UncoveredError("@defer")
        pairs = [(key, self.root_field(root, details)) for key, details in grouped.grouped_field_set.items()]
        # As UTF-8 bytes: the body is written from them without decoding or encoding any text.
        return Compiled(f"SELECT convert_to(({json_object(pairs)})::text, 'UTF8')", tuple(self.args.getters))

    def root_field(self, root: GraphQLObjectType, details: list[FieldDetails]) -> str:
        name = details[0].node.name.value
        if name == "__typename":
            return quote(root.name)
        field_def = root.fields[name]
        if name in ROOT_LISTS:
            from resolvers.reads.compiled.paging import connection

            return connection(self, ROOT_LISTS[name], details, field_def, None, None, None)
        if name in ROOT_LOOKUPS:
            return self.lookup(name, details, field_def)
        if name in ("node", "nodes"):
            from resolvers.reads.compiled import nodes

            return (
                nodes.node_field(self, details, field_def)
                if name == "node"
                else nodes.nodes_field(self, details, field_def)
            )
        if name == "viewer":
            return self.viewer(details, field_def)
        if name == "setup":
            return self.to_one("Setup", details, "true")
        raise UncoveredError(f"Query.{name}")

    def lookup(self, name: str, details: list[FieldDetails], field_def: Any) -> str:
        type_name, argument, column = ROOT_LOOKUPS[name]
        value = self.args.of(field_def, details[0].node)[argument]
        if column == "entry_no":
            key = self.param(value.getter, "bigint")
        else:
            key = self.param(self.args.lookup_key(value.getter), "text")
        return self.to_one(type_name, details, f"{{t}}.{column} = {key}")

    def viewer(self, details: list[FieldDetails], field_def: Any) -> str:
        viewer_type = get_named_type(field_def.type)
        assert isinstance(viewer_type, GraphQLObjectType)
        values = {
            "role": lambda rt: rt.viewer.role.name,
            "keyName": lambda rt: rt.viewer.key_name,
            "salespersonCode": lambda rt: rt.viewer.salesperson_code,
        }
        pairs: list[tuple[str, str]] = []
        for key, sub in self.subfields(viewer_type, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                pairs.append((key, quote(viewer_type.name)))
            elif name in values:
                pairs.append((key, self.param(values[name], "text")))
            elif name == "salesperson":
                code = self.param(values["salespersonCode"], "text")
                pairs.append((key, self.to_one("Salesperson", sub, f"{{t}}.code = {code}")))
            else:
                raise UncoveredError(f"Viewer.{name}")
        return json_object(pairs)

    # --- objects -------------------------------------------------------------------------------

    def object(self, source_name: str, details: list[FieldDetails], row: Row) -> str:
        """The JSON of one object whose row is ``row``."""
        source = SOURCES[source_name]
        gql_type = self.schema.type_map[GRAPHQL_TYPE[source_name]]
        assert isinstance(gql_type, GraphQLObjectType)
        pairs: list[tuple[str, str]] = []
        for key, sub in self.subfields(gql_type, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                pairs.append((key, quote(gql_type.name)))
            elif name == "id" and source.key:
                parts = [(f"{row.t}.{column}", kind) for column, kind in source.key]
                pairs.append((key, global_id(gql_type.name, parts)))
            elif name in source.fields:
                pairs.append((key, self.field(source.fields[name], sub, gql_type.fields[name], row)))
            else:
                raise UncoveredError(f"{gql_type.name}.{name}")
        return json_object(pairs)

    def field(self, spec: Any, details: list[FieldDetails], field_def: Any, row: Row) -> str:
        if isinstance(spec, Column):
            return formatted(spec.sql.format(t=row.t, e=row.e), spec.format)
        if isinstance(spec, ToOne):
            return self.related(spec, details, row)
        if isinstance(spec, ToMany):
            return self.to_many(spec, details, row)
        if isinstance(spec, Paged):
            from resolvers.reads.compiled.paging import connection

            guard = None if spec.guard is None else spec.guard.format(p=row.t, pe=row.e)
            return connection(self, spec.listing, details, field_def, row, spec.on, guard)
        if isinstance(spec, Either):
            return self.either(spec, details, row)
        if isinstance(spec, Computed):
            return self.computed(spec, details, field_def, row)
        raise UncoveredError(repr(spec))

    def computed(self, spec: Computed, details: list[FieldDetails], field_def: Any, row: Row) -> str:
        from resolvers.reads.compiled import statistics

        if spec.kind == "days_in_stage":
            return statistics.days_in_current_stage(row.t, row.e)
        if spec.kind == "close_code_count":
            return statistics.close_code_count(self, row)
        if spec.kind == "stage_statistics":
            return statistics.stage_statistics(self, details, field_def, row)
        assert spec.scope is not None
        return statistics.opportunity_statistics(self, spec.scope, details, field_def, row)

    def related(self, spec: ToOne, details: list[FieldDetails], row: Row) -> str:
        condition = spec.on.replace("{p}", row.t).replace("{pe}", row.e)
        if spec.guard is not None:
            condition += " AND " + spec.guard.format(p=row.t, pe=row.e)
        return self.to_one(spec.target, details, condition, scoped=spec.scoped)

    def to_one(
        self, source_name: str, details: list[FieldDetails], condition: str, *, scoped: bool = True
    ) -> str:
        """The object of ``source_name`` meeting ``condition`` (``{t}`` its row), or null."""
        source = SOURCES[source_name]
        t, e = self.alias("t"), self.alias("e")
        json = self.object(source_name, details, Row(t, e))
        where = [condition.replace("{t}", t)]
        visible = self.visibility(source, t) if scoped else None
        if visible is not None:
            where.append(visible)
        return f"(SELECT {json} FROM {self.from_clause(source, t, e)} WHERE {' AND '.join(where)})"

    def to_many(self, spec: ToMany, details: list[FieldDetails], row: Row) -> str:
        source = SOURCES[spec.target]
        t, e = self.alias("t"), self.alias("e")
        json = self.object(spec.target, details, Row(t, e))
        condition = spec.on.replace("{t}", t).replace("{p}", row.t)
        order = spec.order.replace("{t}", t)
        return (
            f"(SELECT coalesce(json_agg({json} ORDER BY {order}), '[]'::json) "
            f"FROM {self.from_clause(source, t, e)} WHERE {condition})"
        )

    def either(self, spec: Either, details: list[FieldDetails], row: Row) -> str:
        """A union: the first option whose guard holds (its related object may still be null)."""
        cases: list[str] = []
        for i, (_, option) in enumerate(spec.options):
            json = self.related(option, details, row)
            if i == len(spec.options) - 1 or option.guard is None:
                cases.append(f"ELSE {json}")
                break
            cases.append(f"WHEN {option.guard.format(p=row.t, pe=row.e)} THEN {json}")
        return f"CASE {' '.join(cases)} END"


def node_types(schema: GraphQLSchema) -> list[str]:
    """The Node types ``node(id:)`` can answer: every implementation the compiler has a table for."""
    node = schema.type_map["Node"]
    return [t.name for t in schema.get_possible_types(node) if t.name in NODE_TYPES]  # type: ignore[arg-type]
