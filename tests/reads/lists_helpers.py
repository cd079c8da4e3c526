"""The root-list queries and the rows they read, shared by the list tests (``test_read_list_*.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import models
from models import ActionTaken, CloseOutcome, Priority, TaskStatus
from models import OpportunityStatus as S
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.builders import activity, campaign, close_code, closed, insert, order, quote, task
from tests.support.factories import company, entry, opportunity, person, salesperson

# root field: (filter input, order input, key field)
LISTS = {
    "salespeople": ("SalespersonFilter", "SalespersonOrder", "code"),
    "contacts": ("ContactFilter", "ContactOrder", "no"),
    "salesCycles": ("SalesCycleFilter", "SalesCycleOrder", "code"),
    "closeOpportunityCodes": ("CloseOpportunityCodeFilter", "CloseOpportunityCodeOrder", "code"),
    "activities": ("ActivityFilter", "ActivityOrder", "code"),
    "campaigns": ("CampaignFilter", "CampaignOrder", "no"),
    "opportunities": ("OpportunityFilter", "OpportunityOrder", "no"),
    "opportunityEntries": ("OpportunityEntryFilter", "OpportunityEntryOrder", "entryNo"),
    "tasks": ("TaskFilter", "TaskOrder", "no"),
    "salesQuotes": ("SalesDocumentFilter", "SalesDocumentOrder", "no"),
    "salesOrders": ("SalesDocumentFilter", "SalesDocumentOrder", "no"),
}


def list_query(field: str) -> str:
    filter_type, order_type, key = LISTS[field]
    return f"""query($f: {filter_type}, $o: [{order_type}!], $first: Int, $after: String, $last: Int,
      $before: String) {{ items: {field}(filter: $f, orderBy: $o, first: $first, after: $after, last: $last,
      before: $before) {{ totalCount nodes {{ {key} }} edges {{ cursor node {{ {key} }} }}
      pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"""


def variables(
    filter: dict[str, Any] | None, order_by: list[dict[str, str]] | None, **page: Any
) -> dict[str, Any]:
    return {"f": filter, "o": order_by, **page}


async def listed(
    gql: GraphQLClient,
    field: str,
    filter: dict[str, Any] | None = None,
    order_by: list[dict[str, str]] | None = None,
    **page: Any,
) -> dict[str, Any]:
    data = await gql.query(list_query(field), variables(filter, order_by, **page))
    items: dict[str, Any] = data["items"]
    return items


def keys(connection: dict[str, Any]) -> list[Any]:
    key = next(iter(connection["nodes"][0])) if connection["nodes"] else "no"
    return [node[key] for node in connection["nodes"]]


def day(d: int, month: int = 1) -> dt.date:
    return dt.date(2024, month, d)


async def given_a_catalog(sessions: SessionFactory) -> None:
    """A few rows of every entity, inserted out of key order."""
    c1, c2, p1, p2 = company("C1", "Acme"), company("C2", "Beta Corp"), person("P1", "C1"), person("P2", "C2")
    ops = [
        opportunity("OP03", c2, "SP1", "CYC2", campaign_no="CA2", creation_date=day(10),
                    priority=Priority.LOW, description="Gamma", **closed(S.WON, day(10, 2))),
        opportunity("OP01", c1, "SP1", "CYC1", campaign_no="CA1", creation_date=day(1),
                    priority=Priority.HIGH, description="Alpha 100% deal", status=S.IN_PROGRESS),
        opportunity("OP05", c1, "SP1", "CYC1", creation_date=day(20), priority=Priority.HIGH,
                    description="Delta betaXx 100 units"),
        opportunity("OP02", p1, "SP2", "CYC1", creation_date=day(5), description="beta_x",
                    status=S.IN_PROGRESS),
        opportunity("OP04", p2, None, "CYC1", creation_date=day(15), description="alphabet",
                    **closed(S.LOST, day(10, 3))),
    ]  # fmt: skip
    op3, op1, _, op2, op4 = ops
    entries = [
        entry(op1, 1, "100", entry_no=5, date_of_change=day(1), estimated_close_date=day(1, 2)),
        entry(op2, 1, "200", entry_no=3, active=False, date_of_change=day(5)),
        entry(op2, 2, "200", entry_no=6, action_taken=ActionTaken.NEXT, date_of_change=day(12),
              estimated_close_date=day(1, 3)),
        entry(op3, 1, "300", entry_no=1, active=False, date_of_change=day(10)),
        entry(op3, 0, "300", entry_no=4, action_taken=ActionTaken.WON, date_of_change=day(10, 2),
              date_closed=day(10, 2), close_opportunity_code="WON1", estimated_close_date=day(10, 2)),
        entry(op4, 0, "400", entry_no=2, action_taken=ActionTaken.LOST, date_of_change=day(10, 3),
              date_closed=day(10, 3), close_opportunity_code="LOST1", estimated_close_date=day(10, 3)),
    ]  # fmt: skip
    await insert(
        sessions,
        salesperson("SP3", "Bob Day", blocked=True), salesperson("SP1", "Zed Doe"),
        salesperson("SP2", "Ann Lee"),
        c2, c1, p2, p1, person("P3", None, "Person without company", salesperson_code="SP2"),
        models.SalesCycle(code="CYC2", description="Big deals", blocked=True),
        models.SalesCycle(code="CYC1", description="Standard"),
        close_code("WON2", CloseOutcome.WON, "Relationship"),
        close_code("LOST1", CloseOutcome.LOST, "Too expensive"),
        close_code("WON1", CloseOutcome.WON, "Best price"),
        *activity("ACT2", description="Demo"), *activity("ACT1", description="Call"),
        campaign("CA2", "SP1", activated=True, starting_date=day(1), ending_date=day(31),
                 description="Spring"),
        campaign("CA1", "SP2", description="Winter"),
        campaign("CA3", "SP1", activated=True, starting_date=day(1, 3), ending_date=day(31, 3),
                 description="Summer"),
        *ops, *entries,
        task("TD3", salesperson_code="SP1", contact_no="C1", opportunity_no="OP01", date=day(20),
             status=TaskStatus.COMPLETED, closed=True, description="Agenda"),
        task("TD1", salesperson_code="SP2", contact_no="P1", date=day(5), description="Call 100 times"),
        task("TD4", salesperson_code="SP2", date=day(25), closed=True, canceled=True, description="Visit"),
        task("TD2", salesperson_code="SP1", contact_no="C1", opportunity_no="OP01", date=day(10),
             status=TaskStatus.IN_PROGRESS, description="Send 100% offer"),
        *quote("SQ2", "C1", salesperson_code="SP1", document_date=day(15)),
        *quote("SQ1", "P1", salesperson_code="SP2", document_date=day(5)),
        *quote("SQ3", "C1", document_date=day(25)),
        *order("SO2", "C1", salesperson_code="SP1", document_date=day(15)),
        *order("SO1", "P1", salesperson_code="SP2", document_date=day(5)),
    )  # fmt: skip


async def given_opportunities(sessions: SessionFactory, *nos: str, created: dt.date | None = None) -> None:
    """Opportunities of contact C1 (created first when missing), inserted in the order given."""
    async with sessions() as session:
        has_contact = await session.get(models.Contact, "C1") is not None
    contact = company("C1")
    rows = [opportunity(no, contact, None, None, creation_date=created or day(1)) for no in nos]
    await insert(sessions, *([] if has_contact else [contact]), *rows)


def numbered(first: int, last: int) -> list[str]:
    return [f"OP{n:02}" for n in range(first, last + 1)]
