"""Mutation payloads read their related objects through the request's loaders: the statements a
lifecycle mutation costs do not grow with the number of tasks it creates or returns."""

from __future__ import annotations

from decimal import Decimal

import pytest

import models
from models import Priority, TaskType
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient, StatementLog
from tests.support import builders as b
from tests.support import factories as f

TASK = "no date contact { name company { name } } salesperson { name } opportunity { no status }"
ACTIVATE = f"""mutation($input: ActivateFirstStageInput!) {{
  activateFirstStage(input: $input) {{
    opportunity {{ no version contact {{ name }} salesperson {{ name }} salesCycle {{ stages {{ stage }} }}
      currentStage {{ description activity {{ code }} }} availableStageActions {{ action stages {{ stage }} }}
      tasks(first: 50) {{ nodes {{ {TASK} }} }} }}
    entry {{ entryNo salesperson {{ name }} contact {{ name }} stage {{ description }} }}
    createdTasks {{ {TASK} opportunityEntry {{ entryNo }} }}
    userErrors {{ code }}
  }}
}}"""


async def given_a_cycle_whose_first_stage_creates(sessions: SessionFactory, steps: int) -> None:
    await b.insert(
        sessions,
        f.salesperson("S"),
        f.company("CO"),
        f.person("P", "CO"),
        models.Activity(code="ACT", description="Activity"),
        *[
            models.ActivityStep(
                activity_code="ACT",
                step_no=n,
                type=TaskType.PHONE_CALL,
                description=f"Step {n}",
                priority=Priority.NORMAL,
                date_formula=f"{n}D",
            )
            for n in range(1, steps + 1)
        ],
        *f.cycle("CYC", stages=0),
        b.stage("CYC", 1, activity_code="ACT", chances_of_success_pct=Decimal(50)),
        b.stage("CYC", 2),
        f.opportunity("OPP", f.person("P", "CO"), "S", "CYC"),
    )


@pytest.mark.parametrize("steps", [2, 12])
async def test_activating_costs_the_same_statements_for_2_or_12_tasks(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog, steps: int
) -> None:
    await given_a_cycle_whose_first_stage_creates(sessions, steps)
    sql_log.clear()

    data = await gql.query(ACTIVATE, {"input": {"no": "OPP", "dateOfChange": "2024-01-10"}})

    payload = data["activateFirstStage"]
    assert payload["userErrors"] == []
    assert len(payload["createdTasks"]) == steps
    assert len(payload["opportunity"]["tasks"]["nodes"]) == steps
    assert {t["contact"]["company"]["name"] for t in payload["createdTasks"]} == {"Company CO"}
    assert sql_log.count == EXPECTED_STATEMENTS, sql_log.statements


#: The use case (4): lock the opportunity and read its situation in one statement (active entry,
#: cycle method, stages with their activities' steps, quote amount, setup), take the task numbers,
#: and one statement that steps the old entry down, inserts the new one, updates the opportunity
#: and inserts the tasks, and the event's write to the outbox. The payload (6): contacts, the
#: task page, sales cycles with their stages, salespeople, the companies of the contacts,
#: activities. The opportunity and the entry are primed into their loaders; nothing is read per
#: task.
EXPECTED_STATEMENTS = 10
