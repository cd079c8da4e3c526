"""The pipeline's bounds and cost: malformed groupings refused with their code, at most a thousand
groups, and one statement per related type for the group objects."""

from __future__ import annotations

import datetime as dt

import pytest

from models import OpportunityStatus as S
from resolvers.session import SessionFactory
from tests.analytics.pipeline_helpers import PIPELINE, day, pipeline
from tests.conftest import GraphQLClient, StatementLog
from tests.support import builders as b
from tests.support import factories as f


@pytest.mark.parametrize(
    ("group_by", "period", "code"),
    [
        (["PERIOD"], None, "PERIOD_REQUIRED"),
        (["STATUS"], "MONTH", "PERIOD_NOT_GROUPED"),
        (["STATUS", "SALESPERSON", "STATUS"], None, "DUPLICATE_DIMENSION"),
        (["STATUS", "SALESPERSON", "STAGE", "CAMPAIGN", "SALES_CYCLE"], None, "TOO_MANY_DIMENSIONS"),
    ],
)
async def test_malformed_grouping_is_refused_with_its_code(
    gql: GraphQLClient, group_by: list[str], period: str | None, code: str
) -> None:
    body = await gql.raw(PIPELINE, {"g": group_by, "p": period})

    assert [c for c, _ in b.errors_of(body)] == [code]
    assert body["data"] is None


async def test_a_thousand_groups_are_answered_and_one_more_is_refused(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    # 1,001 opportunities created on 1,001 consecutive days: one group each by creation day.
    first = day(1, 1)
    contact = f.company("C1")
    opportunities = [
        f.opportunity(f"OP{n:04d}", contact, None, None, creation_date=first + dt.timedelta(days=n))
        for n in range(1001)
    ]
    await f.add(sessions, contact)
    await f.add(sessions, *opportunities)
    last_of_1000 = (first + dt.timedelta(days=999)).isoformat()

    result = await pipeline(
        gql, ["PERIOD"], period="DAY", date="CREATION_DATE", filter={"creationDateTo": last_of_1000}
    )
    body = await gql.raw(PIPELINE, {"g": ["PERIOD"], "p": "DAY", "d": "CREATION_DATE"})

    assert len(result["groups"]) == 1000
    assert result["groups"][-1]["key"]["periodStart"] == last_of_1000
    assert result["total"]["noOfOpportunities"] == 1000
    assert [c for c, _ in b.errors_of(body)] == ["TOO_MANY_GROUPS"]


OBJECTS = """query { pipeline(groupBy: [SALESPERSON, SALES_CYCLE, STAGE, CONTACT_COMPANY]) {
  groups { key { salesperson { code name } salesCycle { code description } salesCycleStage { stage
    description } contactCompany { no name } campaign { no } } measures { noOfOpportunities } } } }"""


@pytest.mark.parametrize("companies", [1, 12])
async def test_group_objects_cost_one_statement_per_related_type(
    gql: GraphQLClient, sessions: SessionFactory, sql_log: StatementLog, companies: int
) -> None:
    # Per company: an opportunity of SP1 on NEW stage 1 and one of SP2 on BIG stage 2.
    contacts = [f.company(f"C{n:02d}") for n in range(companies)]
    opportunities = [
        f.opportunity(f"OP{n:02d}{sp}", c, f"SP{sp}", "NEW" if sp == 1 else "BIG", status=S.IN_PROGRESS)
        for n, c in enumerate(contacts)
        for sp in (1, 2)
    ]
    entries = [f.entry(o, 1 if o.salesperson_code == "SP1" else 2, "100") for o in opportunities]
    await b.insert(sessions, f.salesperson("SP1"), f.salesperson("SP2"), *f.cycle("NEW"), *f.cycle("BIG"))
    await b.insert(sessions, *contacts, *opportunities, *entries)
    sql_log.clear()

    data = await gql.query(OBJECTS)

    keys = [group["key"] for group in data["pipeline"]["groups"]]
    assert len(keys) == 2 * companies
    assert keys[0] == {
        "salesperson": {"code": "SP1", "name": "Salesperson SP1"},
        "salesCycle": {"code": "NEW", "description": "Cycle NEW"},
        "salesCycleStage": {"stage": 1, "description": "Stage 1"},
        "contactCompany": {"no": "C00", "name": "Company C00"},
        "campaign": None,
    }
    assert keys[-1]["salesCycleStage"] == {"stage": 2, "description": "Stage 2"}
    # the groups; the salespeople; the cycles with their stages; the companies
    assert sql_log.count == 4, sql_log.statements
