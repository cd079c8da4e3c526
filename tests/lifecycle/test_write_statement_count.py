"""The lifecycle writes in the fewest statements (issue 11, "Cheap writes"): a stage move reads its
situation in the statement that locks the opportunity and writes everything in one more; the
tasks add the one that takes their numbers; a close adds the read of its close code; a create
reads every reference in one statement and inserts in a second. Every write ends with the one
statement that writes its event to the outbox (and notifies the subscribers on commit).

The payloads select only what the write returns, so that the counts are the use cases' own (the
nested reads of a payload are counted in test_mutation_query_count.py). BEGIN and COMMIT are not
statements the log sees: add their two round trips.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import models
from models import OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient, StatementLog
from tests.support import builders as b
from tests.support import factories as f

PAYLOAD = "opportunity { no version status } entry { entryNo } userErrors { code field message }"
MOVE = f"""mutation($input: UpdateOpportunityStageInput!) {{
  updateOpportunityStage(input: $input) {{ {PAYLOAD} createdTasks {{ no }} }} }}"""
CLOSE = f"""mutation($input: CloseOpportunityInput!) {{ closeOpportunity(input: $input) {{ {PAYLOAD} }} }}"""
CREATE = f"""mutation($input: CreateOpportunityInput!) {{
  createOpportunity(input: $input) {{ {PAYLOAD} createdTasks {{ no }} }} }}"""

LOCK_AND_READ = "SELECT o.no"
WRITE_ENTRY = "WITH old AS"
TAKE_NUMBERS = "UPDATE number_series"
CLOSE_CODE = "SELECT type FROM close_opportunity_code"
CREATE_REFERENCES = "WITH number AS"
INSERT_OPPORTUNITY = "INSERT INTO opportunity"
PUBLISH_EVENT = "WITH ordered AS"


async def given_a_cycle(sessions: SessionFactory) -> None:
    """Cycle CYC: stage 1 without an activity, stage 2 with the two-step activity ACT, stage 3
    without; opportunity OPP in progress on stage 1 with an open task; close code W1."""
    contact = f.person("P", "CO")
    opp = f.opportunity("OPP", contact, "S", "CYC", status=OpportunityStatus.IN_PROGRESS)
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.company("CO"),
        contact,
        *b.activity("ACT", (1, "Call"), (2, "Meet")),
        *f.cycle("CYC", stages=0),
        b.stage("CYC", 1, chances_of_success_pct=Decimal(20)),
        b.stage("CYC", 2, activity_code="ACT", chances_of_success_pct=Decimal(50)),
        b.stage("CYC", 3, chances_of_success_pct=Decimal(70)),
        b.close_code("W1", models.CloseOutcome.WON),
        opp,
        f.entry(opp, 1, "1000"),
        b.task("T1", opportunity_no="OPP", salesperson_code="S"),
    )


def kinds(log: StatementLog) -> list[str]:
    known = (
        LOCK_AND_READ,
        WRITE_ENTRY,
        TAKE_NUMBERS,
        CLOSE_CODE,
        CREATE_REFERENCES,
        INSERT_OPPORTUNITY,
        PUBLISH_EVENT,
    )
    return [next((k for k in known if s.lstrip().startswith(k)), s[:40]) for s in log.statements]


async def mutate(gql: GraphQLClient, sql_log: StatementLog, query: str, input: dict[str, Any]) -> list[str]:
    sql_log.clear()
    data = await gql.query(query, {"input": input})
    payload = next(iter(data.values()))
    assert payload["userErrors"] == []
    return kinds(sql_log)


async def test_a_stage_move_without_tasks_is_two_statements_and_its_event(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_a_cycle(sessions)
    await mutate(gql, sql_log, MOVE, {"no": "OPP", "action": "NEXT"})

    statements = await mutate(gql, sql_log, MOVE, {"no": "OPP", "action": "NEXT"})

    assert statements == [LOCK_AND_READ, WRITE_ENTRY, PUBLISH_EVENT]


async def test_a_stage_move_with_tasks_adds_the_statement_that_numbers_them(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_a_cycle(sessions)

    statements = await mutate(gql, sql_log, MOVE, {"no": "OPP", "action": "NEXT"})

    assert statements == [LOCK_AND_READ, TAKE_NUMBERS, WRITE_ENTRY, PUBLISH_EVENT]


async def test_closing_as_won_and_cancelling_the_tasks_is_three_statements_and_its_event(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_a_cycle(sessions)
    close = {
        "no": "OPP",
        "outcome": "WON",
        "closeOpportunityCode": "W1",
        "salesValue": "900",
        "cancelOldTasks": True,
    }

    statements = await mutate(gql, sql_log, CLOSE, close)

    assert statements == [LOCK_AND_READ, CLOSE_CODE, WRITE_ENTRY, PUBLISH_EVENT]
    async with sessions() as session:
        task = await session.get(models.Task, "T1")
    assert task is not None
    assert task.canceled


async def test_a_create_is_two_statements_and_its_event(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_a_cycle(sessions)
    create = {"description": "Deal", "contactNo": "P", "salespersonCode": "S", "salesCycleCode": "CYC"}

    statements = await mutate(gql, sql_log, CREATE, create)

    assert statements == [CREATE_REFERENCES, INSERT_OPPORTUNITY, PUBLISH_EVENT]


async def test_a_create_with_activation_adds_the_entry_write(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog
) -> None:
    await given_a_cycle(sessions)
    create = {
        "description": "Deal",
        "contactNo": "P",
        "salespersonCode": "S",
        "salesCycleCode": "CYC",
        "activateFirstStage": True,
        "estimatedValue": "1000",
        "chancesOfSuccessPct": "30",
        "estimatedClosingDate": "2999-01-01",
    }

    statements = await mutate(gql, sql_log, CREATE, create)

    assert statements == [CREATE_REFERENCES, INSERT_OPPORTUNITY, WRITE_ENTRY, PUBLISH_EVENT]
