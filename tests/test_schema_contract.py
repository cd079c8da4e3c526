"""The contracts that must not drift: the SDL file and the database schema of the migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.printer import print_schema

import models
from graph.schema import schema

SCHEMA_FILE = Path(__file__).parents[1] / "schema.graphql"


def test_schema_graphql_is_the_exported_schema() -> None:
    # Regenerate with: salesgraph export-schema --output schema.graphql
    assert SCHEMA_FILE.read_text() == print_schema(schema) + "\n"


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, models.Base.metadata))


async def test_migrations_create_exactly_the_models_tables(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        differences = await conn.run_sync(_differences)

    assert differences == []


def test_every_name_api_md_fixes_is_in_the_schema() -> None:
    sdl = SCHEMA_FILE.read_text()
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
        "enum OpportunityStatus {\n  NOT_STARTED\n  IN_PROGRESS\n  WON\n  LOST\n}",
        "enum Priority {\n  LOW\n  NORMAL\n  HIGH\n}",
        "enum ProbabilityCalculation {\n  MULTIPLY\n  ADD\n  CHANCES_OF_SUCCESS\n  COMPLETED\n}",
        "enum ContactType {\n  COMPANY\n  PERSON\n}",
        "enum CloseOutcome {\n  WON\n  LOST\n}",
        "enum StageAction {\n  FIRST\n  NEXT\n  PREVIOUS\n  SKIP\n  UPDATE\n  JUMP\n}",
        "enum ActionTaken {\n  STARTED\n  NEXT\n  PREVIOUS\n  UPDATED\n  JUMPED\n  WON\n  LOST\n}",
        "enum TaskType {\n  NONE\n  MEETING\n  PHONE_CALL\n}",
        "enum TaskStatus {\n  NOT_STARTED\n  IN_PROGRESS\n  COMPLETED\n  WAITING\n  POSTPONED\n}",
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
