"""The contracts that must not drift: the SDL file and the database schema of the migrations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.printer import print_schema

import models
from graph.schema import schema

SCHEMA_FILE = Path(__file__).parents[2] / "schema.graphql"


def test_schema_graphql_is_the_exported_schema() -> None:
    # Regenerate with: salesgraph export-schema --output schema.graphql
    assert SCHEMA_FILE.read_text() == print_schema(schema) + "\n"


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, models.Base.metadata))


async def test_migrations_create_exactly_the_models_tables(connection: AsyncConnection) -> None:
    differences = await connection.run_sync(_differences)

    assert differences == []


def _compact(sdl: str) -> str:
    """The SDL without descriptions, one space between tokens, none inside parentheses."""
    text = re.sub(r'""".*?"""|"[^"\n]*"', "", sdl, flags=re.S)
    text = re.sub(r"\s+", " ", text)
    return text.replace("( ", "(").replace(" )", ")")


def test_every_name_api_md_fixes_is_in_the_schema() -> None:
    sdl = _compact(SCHEMA_FILE.read_text())
    for name in [
        "interface Node",
        "node(id: ID!): Node",
        "nodes(ids: [ID!]!): [Node]!",
        "viewer: Viewer!",
        "setup: Setup!",
        "salesperson(code: String!): Salesperson",
        "contact(no: String!): Contact",
        "salesCycle(code: String!): SalesCycle",
        "closeOpportunityCode(code: String!): CloseOpportunityCode",
        "activity(code: String!): Activity",
        "campaign(no: String!): Campaign",
        "opportunity(no: String!): Opportunity",
        "task(no: String!): Task",
        "salesQuote(no: String!): SalesQuote",
        "salesOrder(no: String!): SalesOrder",
        "): SalespersonConnection!",
        "): ContactConnection!",
        "): SalesCycleConnection!",
        "): CloseOpportunityCodeConnection!",
        "): ActivityConnection!",
        "): CampaignConnection!",
        "): OpportunityConnection!",
        "): OpportunityEntryConnection!",
        "): TaskConnection!",
        "): SalesQuoteConnection!",
        "): SalesOrderConnection!",
        "enum OpportunityStatus { NOT_STARTED IN_PROGRESS WON LOST }",
        "enum Priority { LOW NORMAL HIGH }",
        "enum ProbabilityCalculation { MULTIPLY ADD CHANCES_OF_SUCCESS COMPLETED }",
        "enum ContactType { COMPANY PERSON }",
        "enum CloseOutcome { WON LOST }",
        "enum StageAction { FIRST NEXT PREVIOUS SKIP UPDATE JUMP }",
        "enum ActionTaken { STARTED NEXT PREVIOUS UPDATED JUMPED WON LOST }",
        "enum TaskType { NONE MEETING PHONE_CALL }",
        "enum TaskStatus { NOT_STARTED IN_PROGRESS COMPLETED WAITING POSTPONED }",
        "union SalesDocument = SalesQuote | SalesOrder",
        "scalar Decimal",
        "scalar Date",
        "scalar DateTime",
        "totalCount: Int!",
        "hasNextPage: Boolean!",
        "hasPreviousPage: Boolean!",
        "startCursor: String",
        "endCursor: String",
    ]:
        assert name in sdl, name


def test_every_type_field_and_argument_is_described() -> None:
    graphql_schema = schema._schema
    undescribed: list[str] = []
    for name, named_type in graphql_schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Boolean", "ID", "Float"}:
            continue
        if not named_type.description:
            undescribed.append(name)
        for field_name, field in getattr(named_type, "fields", {}).items():
            if not field.description:
                undescribed.append(f"{name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if not arg.description:
                    undescribed.append(f"{name}.{field_name}({arg_name})")

    assert undescribed == []


MUTATIONS = [
    "updateSetup",
    "createSalesperson",
    "updateSalesperson",
    "deleteSalesperson",
    "createContact",
    "updateContact",
    "deleteContact",
    "createCampaign",
    "updateCampaign",
    "deleteCampaign",
    "createSalesCycle",
    "updateSalesCycle",
    "deleteSalesCycle",
    "createSalesCycleStage",
    "updateSalesCycleStage",
    "deleteSalesCycleStage",
    "createCloseOpportunityCode",
    "updateCloseOpportunityCode",
    "deleteCloseOpportunityCode",
    "createActivity",
    "updateActivity",
    "deleteActivity",
    "createOpportunity",
    "updateOpportunity",
    "activateFirstStage",
    "updateOpportunityStage",
    "closeOpportunity",
    "deleteOpportunity",
    "deleteClosedOpportunities",
    "createSalesQuote",
    "assignSalesQuote",
    "unassignSalesDocument",
    "makeOrderFromQuote",
    "deleteSalesQuote",
    "updateTask",
    "cancelTask",
]


@pytest.mark.parametrize("name", MUTATIONS)
def test_every_mutation_api_md_names_takes_one_input_and_returns_its_payload(name: str) -> None:
    sdl = _compact(SCHEMA_FILE.read_text())
    type_name = name[0].upper() + name[1:]

    assert f"{name}(input: {type_name}Input!" in sdl
    assert f"): {type_name}Payload!" in sdl or name in ("assignSalesQuote", "unassignSalesDocument")


def test_the_payloads_carry_user_errors_and_the_error_codes_api_md_fixes() -> None:
    sdl = _compact(SCHEMA_FILE.read_text())

    user_error = sdl[sdl.index("type UserError {") :].split("}")[0]
    for field in ("code: ErrorCode!", "message: String!", "field: [String!]"):
        assert field in user_error, field
    for code in [
        "NOT_FOUND",
        "REQUIRED",
        "INVALID",
        "TOO_LONG",
        "DUPLICATE",
        "BLOCKED",
        "MUST_BE_POSITIVE",
        "OPPORTUNITY_CLOSED",
        "OPPORTUNITY_IN_PROGRESS",
        "OPPORTUNITY_NOT_STARTED",
        "NO_STAGES",
        "ACTION_NOT_AVAILABLE",
        "STAGE_NOT_AVAILABLE",
        "QUOTE_REQUIRED",
        "QUOTE_ALREADY_ASSIGNED",
        "DATE_BEFORE_LAST_CHANGE",
        "CLOSE_DATE_BEFORE_CHANGE",
        "CLOSE_CODE_TYPE_MISMATCH",
        "CONTACT_OTHER_COMPANY",
        "NOT_EDITABLE",
        "IN_USE",
        "STALE_VERSION",
        "FORBIDDEN",
    ]:
        assert f" {code} " in sdl, code
