"""Root-list filters: each filter field of every list keeps only the matching rows, and ``totalCount``
counts them (api.md §3)."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.reads.lists_helpers import given_a_catalog, keys, listed

OPPORTUNITY_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"status": ["IN_PROGRESS"]}, ["OP01", "OP02"]), ({"status": ["WON", "LOST"]}, ["OP03", "OP04"]),
    ({"status": ["NOT_STARTED"]}, ["OP05"]),
    ({"closed": True}, ["OP03", "OP04"]), ({"closed": False}, ["OP01", "OP02", "OP05"]),
    ({"salespersonCode": "sp1"}, ["OP01", "OP03", "OP05"]), ({"contactNo": "c1"}, ["OP01", "OP05"]),
    ({"contactCompanyNo": "c1"}, ["OP01", "OP02", "OP05"]), ({"campaignNo": "ca2"}, ["OP03"]),
    ({"salesCycleCode": "cyc2"}, ["OP03"]), ({"currentStage": 1}, ["OP01"]), ({"currentStage": 2}, ["OP02"]),
    ({"priority": ["HIGH", "LOW"]}, ["OP01", "OP03", "OP05"]),
    ({"creationDateFrom": "2024-01-05", "creationDateTo": "2024-01-15"}, ["OP02", "OP03", "OP04"]),
    ({"creationDateFrom": "2024-01-16"}, ["OP05"]),
    ({"estimatedClosingDateFrom": "2024-02-01", "estimatedClosingDateTo": "2024-03-01"},
     ["OP01", "OP02", "OP03"]),
    ({"estimatedClosingDateTo": "2024-02-05"}, ["OP01"]),
    ({"dateClosedFrom": "2024-03-01"}, ["OP04"]), ({"dateClosedTo": "2024-03-01"}, ["OP03"]),
    ({"search": "ALPHA"}, ["OP01", "OP04"]), ({"search": "100%"}, ["OP01"]), ({"search": "a_x"}, ["OP02"]),
    ({"search": ""}, ["OP01", "OP02", "OP03", "OP04", "OP05"]),
    ({"search": "   "}, ["OP01", "OP02", "OP03", "OP04", "OP05"]), ({"search": "  alpha "}, ["OP01", "OP04"]),
    ({"closed": False, "salespersonCode": "SP1", "priority": ["HIGH"]}, ["OP01", "OP05"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("filter", "expected"), OPPORTUNITY_FILTERS, ids=[str(f) for f, _ in OPPORTUNITY_FILTERS]
)
async def test_opportunity_filter_keeps_only_matching_rows(
    gql: GraphQLClient, sessions: SessionFactory, filter: dict[str, Any], expected: list[str]
) -> None:
    await given_a_catalog(sessions)

    connection = await listed(gql, "opportunities", filter)

    assert (keys(connection), connection["totalCount"]) == (expected, len(expected))


OTHER_FILTERS: list[tuple[str, dict[str, Any], list[Any]]] = [
    ("salespeople", {"blocked": True}, ["SP3"]),
    ("salespeople", {"blocked": False, "search": "ANN"}, ["SP2"]),
    ("contacts", {"type": "COMPANY"}, ["C1", "C2"]), ("contacts", {"type": "PERSON"}, ["P1", "P2", "P3"]),
    ("contacts", {"companyNo": "c1"}, ["C1", "P1"]), ("contacts", {"salespersonCode": "sp2"}, ["P3"]),
    ("contacts", {"search": "corp"}, ["C2"]),
    ("salesCycles", {"blocked": True}, ["CYC2"]), ("salesCycles", {"search": "STAND"}, ["CYC1"]),
    ("closeOpportunityCodes", {"type": "WON"}, ["WON1", "WON2"]),
    ("closeOpportunityCodes", {"search": "expensive"}, ["LOST1"]),
    ("activities", {"search": "dem"}, ["ACT2"]),
    ("campaigns", {"activated": True}, ["CA2", "CA3"]), ("campaigns", {"salespersonCode": "sp2"}, ["CA1"]),
    ("campaigns", {"activeOn": "2024-01-15"}, ["CA1", "CA2"]), ("campaigns", {"search": "SUM"}, ["CA3"]),
    ("opportunityEntries", {"opportunityNo": "op02"}, [3, 6]),
    ("opportunityEntries", {"active": False}, [1, 3]),
    ("opportunityEntries", {"actionTaken": ["WON", "LOST"]}, [2, 4]),
    ("opportunityEntries", {"salesCycleCode": "cyc2"}, [1, 4]),
    ("opportunityEntries", {"stage": 1}, [1, 3, 5]),
    ("opportunityEntries", {"salespersonCode": "sp2"}, [3, 6]),
    ("opportunityEntries", {"contactNo": "p2"}, [2]),
    ("opportunityEntries", {"closeOpportunityCode": "won1"}, [4]),
    ("opportunityEntries", {"dateOfChangeFrom": "2024-01-05", "dateOfChangeTo": "2024-01-12"}, [1, 3, 6]),
    ("tasks", {"status": ["IN_PROGRESS", "COMPLETED"]}, ["TD2", "TD3"]),
    ("tasks", {"closed": True}, ["TD3", "TD4"]),
    ("tasks", {"canceled": True}, ["TD4"]), ("tasks", {"salespersonCode": "sp2"}, ["TD1", "TD4"]),
    ("tasks", {"contactNo": "p1"}, ["TD1"]), ("tasks", {"opportunityNo": "op01"}, ["TD2", "TD3"]),
    ("tasks", {"dateFrom": "2024-01-10"}, ["TD2", "TD3", "TD4"]),
    ("tasks", {"dateTo": "2024-01-10"}, ["TD1", "TD2"]),
    ("tasks", {"search": "100%"}, ["TD2"]),
    ("salesQuotes", {"contactNo": "c1"}, ["SQ2", "SQ3"]),
    ("salesQuotes", {"salespersonCode": "sp2"}, ["SQ1"]),
    ("salesQuotes", {"documentDateFrom": "2024-01-10"}, ["SQ2", "SQ3"]),
    ("salesQuotes", {"documentDateTo": "2024-01-15"}, ["SQ1", "SQ2"]),
    ("salesOrders", {"contactNo": "p1"}, ["SO1"]), ("salesOrders", {"salespersonCode": "sp1"}, ["SO2"]),
    ("salesOrders", {"documentDateFrom": "2024-01-10", "documentDateTo": "2024-01-31"}, ["SO2"]),
]  # fmt: skip


@pytest.mark.parametrize("case", OTHER_FILTERS, ids=[f"{f}-{x}" for f, x, _ in OTHER_FILTERS])
async def test_list_filter_keeps_only_matching_rows(
    gql: GraphQLClient, sessions: SessionFactory, case: tuple[str, dict[str, Any], list[Any]]
) -> None:
    field, filter, expected = case
    await given_a_catalog(sessions)

    connection = await listed(gql, field, filter)

    assert (keys(connection), connection["totalCount"]) == (expected, len(expected))
