"""The statistics fields in SQL, as ``resolvers/analytics/statistics.py`` computes them (domain.md
§7): aggregates over the opportunity entries a parent's scope names, narrowed by
``StatisticsFilter`` and by what the viewer may read, rounded half-up to cents as ``round_money``
does (PostgreSQL's ``round`` rounds ties away from zero, as ``ROUND_HALF_UP`` does).

Also ``Opportunity.daysInCurrentStage`` (``resolvers/reads/stage_age.py``) and
``CloseOpportunityCode.noOfOpportunities``, the other figures computed from entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLObjectType, get_named_type
from graphql.execution.collect_fields import FieldDetails

from models.validation import unstorable
from resolvers.reads.compiled.arguments import FallbackError, UncoveredError, Value, item, mapped
from resolvers.reads.compiled.sql import json_object, quote

if TYPE_CHECKING:
    from resolvers.reads.compiled.compiler import Compiler, Row

STAGE_ENTERED_ON = (
    "CASE WHEN {e}.action_taken <> 'UPDATED' THEN {e}.date_of_change ELSE "
    "(SELECT x.date_of_change FROM opportunity_entry x WHERE x.sales_cycle_code = {e}.sales_cycle_code "
    "AND x.opportunity_no = {e}.opportunity_no AND x.entry_no < {e}.entry_no "
    "AND x.action_taken <> 'UPDATED' ORDER BY x.entry_no DESC LIMIT 1) END"
)
BUSINESS_TODAY = "CAST(timezone((SELECT s.time_zone FROM setup s WHERE s.id = 1), now()) AS DATE)"

#: The entries each scope's statistics count (``_scope_statement``), on the entry ``x`` and parent ``p``.
SCOPES = {
    "SALESPERSON": "x.salesperson_code = {p}.code",
    "CAMPAIGN": "x.campaign_no = {p}.no",
    "SALES_CYCLE": "x.sales_cycle_code = {p}.code AND x.action_taken NOT IN ('WON', 'LOST')",
}


def days_in_current_stage(t: str, e: str) -> str:
    """Today (in the setup's zone) minus the day the open opportunity entered its stage; null
    when it is not started or closed."""
    return (
        f"CASE WHEN {e}.entry_no IS NULL OR {t}.closed OR {e}.date_closed IS NOT NULL THEN NULL "
        f"ELSE {BUSINESS_TODAY} - ({STAGE_ENTERED_ON.format(e=e)}) END"
    )


def _code(text: str) -> str:
    if unstorable(text):
        raise FallbackError("an unstorable cycle code")  # the resolvers' own answer, whatever it is
    return text.strip().upper()


def _names(values: list[Any]) -> list[str]:
    from resolvers.reads.compiled.paging import name_of

    return [name_of(v) for v in values]


def entry_conditions(compiler: Compiler, value: Value) -> list[str]:
    """``statistics.entry_conditions`` of a ``StatisticsFilter`` on the entry ``x``."""
    given = value.value or {}
    conditions: list[str] = []
    columns = {
        "estimatedCloseDateFrom": ("x.estimated_close_date >= {}", "date", None),
        "estimatedCloseDateTo": ("x.estimated_close_date <= {}", "date", None),
        "actionTaken": ("x.action_taken = ANY({})", "text[]", _names),
        "salesCycleCode": ("x.sales_cycle_code = {}", "text", _code),
        "stage": ("x.sales_cycle_stage = {}", "int", None),
    }
    for key, current in given.items():
        if current is None:
            continue
        if key not in columns:
            raise UncoveredError(f"StatisticsFilter.{key}")
        template, cast, transform = columns[key]
        get = item(value.getter, key)
        conditions.append(template.format(compiler.param(mapped(get, transform) if transform else get, cast)))
    return conditions


def _visible(compiler: Compiler) -> list[str]:
    from resolvers.reads.compiled.catalog import SOURCES

    condition = compiler.visibility(SOURCES["OpportunityEntry"], "x")
    return [] if condition is None else [condition]


def _object(details: list[FieldDetails], field_def: Any, compiler: Compiler, values: dict[str, str]) -> str:
    stats_type = get_named_type(field_def.type)
    assert isinstance(stats_type, GraphQLObjectType)
    pairs = []
    for key, sub in compiler.subfields(stats_type, details).items():
        name = sub[0].node.name.value
        pairs.append((key, quote(stats_type.name) if name == "__typename" else values[name]))
    return json_object(pairs)


def opportunity_statistics(
    compiler: Compiler, scope: str, details: list[FieldDetails], field_def: Any, row: Row
) -> str:
    conditions = [
        "x.active",
        *entry_conditions(compiler, compiler.args.of(field_def, details[0].node)["filter"]),
    ]
    conditions += _visible(compiler)
    where = " AND ".join(conditions)
    if scope == "CONTACT":
        # A company counts its own and its persons' entries; a person only its own (§1.3).
        p = row.t
        source = (
            f"(SELECT x.* FROM opportunity_entry x WHERE {where} AND x.contact_company_no = {p}.company_no "
            f"AND ({p}.type = 'COMPANY' OR x.contact_no = {p}.no) UNION ALL "
            f"SELECT x.* FROM opportunity_entry x WHERE {where} AND {p}.company_no IS NULL "
            f"AND x.contact_company_no IS NULL AND x.contact_no = {p}.no) x"
        )
        where = "true"
    else:
        source = "opportunity_entry x"
        where += " AND " + SCOPES[scope].format(p=row.t)
    money = "round(coalesce({}, 0), 2)::text"
    values = {
        "noOfOpportunities": "count(x.entry_no)",
        "estimatedValue": money.format("sum(x.estimated_value)"),
        "calculatedCurrentValue": money.format("sum(x.calculated_current_value)"),
        "averageEstimatedValue": money.format("avg(x.estimated_value)"),
        "averageCalculatedCurrentValue": money.format("avg(x.calculated_current_value)"),
    }
    return f"(SELECT {_object(details, field_def, compiler, values)} FROM {source} WHERE {where})"


def stage_statistics(compiler: Compiler, details: list[FieldDetails], field_def: Any, row: Row) -> str:
    conditions = [
        f"x.sales_cycle_code = {row.t}.sales_cycle_code",
        f"x.sales_cycle_stage = {row.t}.stage",
        *entry_conditions(compiler, compiler.args.of(field_def, details[0].node)["filter"]),
        *_visible(compiler),
    ]
    money = "round(coalesce({}, 0), 2)::text"
    values = {
        "noOfOpportunities": "count(x.entry_no) FILTER (WHERE x.active)",
        "estimatedValue": money.format("sum(x.estimated_value) FILTER (WHERE x.active)"),
        "calculatedCurrentValue": money.format("sum(x.calculated_current_value) FILTER (WHERE x.active)"),
        "averageNoOfDays": money.format("avg(x.days_open) FILTER (WHERE NOT x.active)"),
    }
    json = _object(details, field_def, compiler, values)
    return f"(SELECT {json} FROM opportunity_entry x WHERE {' AND '.join(conditions)})"


def close_code_count(compiler: Compiler, row: Row) -> str:
    """How many entries, active or not, carry the close code (``close_code_count_loader``)."""
    conditions = [f"x.close_opportunity_code = {row.t}.code", *_visible(compiler)]
    return f"(SELECT count(*) FROM opportunity_entry x WHERE {' AND '.join(conditions)})"
