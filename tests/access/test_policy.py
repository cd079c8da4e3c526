"""The request-level gate (api.md §7.1): which Mutation fields each role may run at all."""

from __future__ import annotations

import pytest

from graph.schema import schema
from resolvers.access.policy import AREAS, Area, may_run_mutation, mutation_fields_forbidden
from resolvers.viewer import Role

MASTER_DATA = {
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
}
#: What a SALESPERSON may run: its own opportunities, quotes/orders on them, its own tasks.
SALESPERSON = {
    "createOpportunity",
    "updateOpportunity",
    "activateFirstStage",
    "updateOpportunityStage",
    "closeOpportunity",
    "createSalesQuote",
    "assignSalesQuote",
    "unassignSalesDocument",
    "makeOrderFromQuote",
    "deleteSalesQuote",
    "updateTask",
    "cancelTask",
}
DELETING_OPPORTUNITIES = {"deleteOpportunity", "deleteClosedOpportunities"}
#: Where events leave the system, with a signing secret: ADMIN only.
WEBHOOKS = {"createWebhook", "deleteWebhook"}
EVERY = {"updateSetup", *MASTER_DATA, *SALESPERSON, *DELETING_OPPORTUNITIES, *WEBHOOKS}

EXPECTED: dict[Role, set[str]] = {
    Role.ADMIN: EVERY,
    Role.MANAGER: EVERY - {"updateSetup", *WEBHOOKS},
    Role.SALESPERSON: SALESPERSON,
    Role.READ_ONLY: set(),
    Role.ANONYMOUS: set(),
}


def mutation_fields() -> set[str]:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    return set(mutation.fields)


def test_every_mutation_field_has_an_area() -> None:
    assert mutation_fields() - set(AREAS) == set(), "classify the new mutation in resolvers/access/policy.py"


def test_the_area_table_names_no_field_the_schema_lacks() -> None:
    assert set(AREAS) - mutation_fields() == set()


def test_the_expected_sets_cover_every_field() -> None:
    assert mutation_fields() == EVERY


@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_run_exactly_its_mutations(role: Role) -> None:
    allowed = {name for name in mutation_fields() if may_run_mutation(role, name)}

    assert allowed == EXPECTED[role]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALESPERSON, Role.READ_ONLY, Role.ANONYMOUS])
def test_an_unclassified_field_is_refused_to_every_role_but_admin(role: Role) -> None:
    assert not may_run_mutation(role, "launchRockets")
    assert may_run_mutation(Role.ADMIN, "launchRockets")


def test_salespeople_touch_no_master_data_and_delete_no_opportunity() -> None:
    assert {name for name, area in AREAS.items() if area is Area.MASTER_DATA} == MASTER_DATA
    assert {name for name, area in AREAS.items() if area is Area.OPPORTUNITY_DELETION} == (
        DELETING_OPPORTUNITIES
    )


def test_the_forbidden_fields_of_an_operation_come_in_order_once_each() -> None:
    fields = ["updateTask", "createContact", "updateSetup", "createContact", "closeOpportunity"]

    assert mutation_fields_forbidden(Role.SALESPERSON, fields) == ["createContact", "updateSetup"]
    assert mutation_fields_forbidden(Role.MANAGER, fields) == ["updateSetup"]
    assert mutation_fields_forbidden(Role.ADMIN, fields) == []
    assert mutation_fields_forbidden(Role.READ_ONLY, fields) == [
        "updateTask",
        "createContact",
        "updateSetup",
        "closeOpportunity",
    ]
