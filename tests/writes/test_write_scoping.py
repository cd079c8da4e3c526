"""A SALESPERSON writes only its own opportunities and tasks (api.md §7.1).

Another salesperson's row is NOT_FOUND, in the very words a missing row gets; giving a row to
another salesperson is FORBIDDEN on the salesperson field; either way nothing is written. Other
roles keep the behaviour they had.
"""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.session import SessionFactory
from resolvers.viewer import Role, Viewer
from tests.support.scoping import (
    ERRORS,
    MANAGER,
    SP1,
    given_two_salespeople,
    ok,
    refusal,
    run_as,
    tables,
)

OPPORTUNITY = "opportunity { no description salesperson { code } status closed }"
CREATE = f"""mutation($input: CreateOpportunityInput!) {{ createOpportunity(input: $input) {{
  {OPPORTUNITY} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateOpportunityInput!) {{ updateOpportunity(input: $input) {{
  {OPPORTUNITY} {ERRORS} }} }}"""
ACTIVATE = f"""mutation($input: ActivateFirstStageInput!) {{ activateFirstStage(input: $input) {{
  {OPPORTUNITY} {ERRORS} }} }}"""
STAGE = f"""mutation($input: UpdateOpportunityStageInput!) {{ updateOpportunityStage(input: $input) {{
  {OPPORTUNITY} {ERRORS} }} }}"""
CLOSE = f"""mutation($input: CloseOpportunityInput!) {{ closeOpportunity(input: $input) {{
  {OPPORTUNITY} {ERRORS} }} }}"""
DELETE = f"""mutation($input: DeleteOpportunityInput!) {{ deleteOpportunity(input: $input) {{
  deletedId {ERRORS} }} }}"""
DELETE_CLOSED = f"""mutation($input: DeleteClosedOpportunitiesInput!) {{
  deleteClosedOpportunities(input: $input) {{ deletedIds {ERRORS} }} }}"""
TASK = "task { no status closed canceled salesperson { code } }"
UPDATE_TASK = f"mutation($input: UpdateTaskInput!) {{ updateTask(input: $input) {{ {TASK} {ERRORS} }} }}"
CANCEL_TASK = f"mutation($input: CancelTaskInput!) {{ cancelTask(input: $input) {{ {TASK} {ERRORS} }} }}"

#: One mutation per opportunity-scoped use case, as (document, input for the opportunity ``no``).
OPPORTUNITY_MUTATIONS: list[tuple[str, dict[str, Any]]] = [
    (UPDATE, {"description": "Renamed"}),
    (ACTIVATE, {}),
    (STAGE, {"action": "NEXT"}),
    (CLOSE, {"outcome": "LOST", "closeOpportunityCode": "LOST1"}),
]
#: The opportunity of salesperson X each mutation above is run on (activateFirstStage needs N<X>).
TARGET = {UPDATE: "O", ACTIVATE: "N", STAGE: "O", CLOSE: "O"}
IDS = ["update", "activate", "stage", "close"]


@pytest.fixture
async def world(sessions: SessionFactory) -> SessionFactory:
    await given_two_salespeople(sessions)
    return sessions


# --- create ---------------------------------------------------------------------------------------


async def test_a_salesperson_creates_an_opportunity_for_itself_by_default(world: SessionFactory) -> None:
    # contact D's salesperson is SP2: for anyone else the opportunity would default to SP2.
    payload = ok(await run_as(SP1, world, CREATE, description="Mine", contactNo="D"))

    assert payload["opportunity"]["salesperson"] == {"code": "SP1"}


async def test_a_salesperson_creates_an_opportunity_naming_itself(world: SessionFactory) -> None:
    payload = ok(await run_as(SP1, world, CREATE, description="Mine", contactNo="D", salespersonCode="sp1"))

    assert payload["opportunity"]["salesperson"] == {"code": "SP1"}


async def test_creating_an_opportunity_for_another_salesperson_is_forbidden(world: SessionFactory) -> None:
    before = await tables(world)

    payload = await run_as(SP1, world, CREATE, description="Theirs", contactNo="C", salespersonCode="SP2")

    assert [(code, field) for code, field, _ in refusal(payload)] == [("FORBIDDEN", ["salespersonCode"])]
    assert payload["opportunity"] is None
    assert await tables(world) == before


async def test_a_manager_still_gets_the_contacts_salesperson_by_default(world: SessionFactory) -> None:
    payload = ok(await run_as(MANAGER, world, CREATE, description="Theirs", contactNo="D"))

    assert payload["opportunity"]["salesperson"] == {"code": "SP2"}


# --- the opportunity-scoped use cases -------------------------------------------------------------


@pytest.mark.parametrize(("document", "extra"), OPPORTUNITY_MUTATIONS, ids=IDS)
async def test_a_salesperson_acts_on_its_own_opportunity(
    world: SessionFactory, document: str, extra: dict[str, Any]
) -> None:
    no = f"{TARGET[document]}1"

    payload = ok(await run_as(SP1, world, document, no=no, **extra))

    assert payload["opportunity"]["no"] == no


@pytest.mark.parametrize(("document", "extra"), OPPORTUNITY_MUTATIONS, ids=IDS)
async def test_another_salespersons_opportunity_is_not_found_and_nothing_is_written(
    world: SessionFactory, document: str, extra: dict[str, Any]
) -> None:
    no = f"{TARGET[document]}2"
    before = await tables(world)

    payload = await run_as(SP1, world, document, no=no, **extra)
    missing = await run_as(SP1, world, document, no="NOPE", **extra)

    assert refusal(payload) == [("NOT_FOUND", ["no"], f"Opportunity {no} does not exist.")]
    assert refusal(missing) == [("NOT_FOUND", ["no"], "Opportunity NOPE does not exist.")]
    assert payload["opportunity"] is None
    assert await tables(world) == before


@pytest.mark.parametrize(("document", "extra"), OPPORTUNITY_MUTATIONS, ids=IDS)
async def test_a_manager_acts_on_any_salespersons_opportunity(
    world: SessionFactory, document: str, extra: dict[str, Any]
) -> None:
    ok(await run_as(MANAGER, world, document, no=f"{TARGET[document]}2", **extra))


async def test_reassigning_ones_opportunity_to_another_salesperson_is_forbidden(
    world: SessionFactory,
) -> None:
    before = await tables(world)

    payload = await run_as(SP1, world, UPDATE, no="O1", salespersonCode="SP2", description="Moved")

    assert [(code, field) for code, field, _ in refusal(payload)] == [("FORBIDDEN", ["salespersonCode"])]
    assert await tables(world) == before


async def test_naming_oneself_again_is_no_reassignment(world: SessionFactory) -> None:
    payload = ok(await run_as(SP1, world, UPDATE, no="O1", salespersonCode="SP1", description="Same"))

    assert payload["opportunity"]["salesperson"] == {"code": "SP1"}


async def test_a_manager_still_reassigns_an_opportunity(world: SessionFactory) -> None:
    payload = ok(await run_as(MANAGER, world, UPDATE, no="O1", salespersonCode="SP2"))

    assert payload["opportunity"]["salesperson"] == {"code": "SP2"}


async def test_a_salesperson_key_without_a_salesperson_owns_nothing(world: SessionFactory) -> None:
    before = await tables(world)
    nobody = Viewer(Role.SALESPERSON, None, "k0")

    payload = await run_as(nobody, world, UPDATE, no="O1", description="Renamed")
    created = await run_as(nobody, world, CREATE, description="Mine", contactNo="C")

    assert refusal(payload) == [("NOT_FOUND", ["no"], "Opportunity O1 does not exist.")]
    assert [(code, field) for code, field, _ in refusal(created)] == [("FORBIDDEN", ["salespersonCode"])]
    assert await tables(world) == before


async def test_deleting_another_salespersons_opportunity_is_not_found(world: SessionFactory) -> None:
    # The request gate refuses deletes to salespeople; the use case is scoped all the same.
    before = await tables(world)

    payload = await run_as(SP1, world, DELETE, no="N2")

    assert refusal(payload) == [("NOT_FOUND", ["no"], "Opportunity N2 does not exist.")]
    assert await tables(world) == before


async def test_deleting_closed_opportunities_as_a_salesperson_deletes_only_its_own(
    world: SessionFactory,
) -> None:
    for no in ("O1", "O2"):
        ok(await run_as(MANAGER, world, CLOSE, no=no, outcome="LOST", closeOpportunityCode="LOST1"))

    payload = ok(await run_as(SP1, world, DELETE_CLOSED))

    assert len(payload["deletedIds"]) == 1
    assert [row[0] for row in (await tables(world))["opportunity"]] == ["N1", "N2", "O2"]


# --- tasks ----------------------------------------------------------------------------------------


async def test_a_salesperson_completes_its_own_task(world: SessionFactory) -> None:
    payload = ok(await run_as(SP1, world, UPDATE_TASK, no="T1", status="COMPLETED"))

    assert payload["task"]["closed"] is True


async def test_a_salesperson_cancels_its_own_task(world: SessionFactory) -> None:
    payload = ok(await run_as(SP1, world, CANCEL_TASK, no="T1"))

    assert payload["task"]["canceled"] is True


@pytest.mark.parametrize(
    ("document", "extra"),
    [(UPDATE_TASK, {"status": "COMPLETED"}), (CANCEL_TASK, {})],
    ids=["update", "cancel"],
)
async def test_another_salespersons_task_is_not_found_and_nothing_is_written(
    world: SessionFactory, document: str, extra: dict[str, Any]
) -> None:
    before = await tables(world)

    payload = await run_as(SP1, world, document, no="T2", **extra)
    missing = await run_as(SP1, world, document, no="NOPE", **extra)

    assert refusal(payload) == [("NOT_FOUND", ["no"], "Task T2 does not exist.")]
    assert refusal(missing) == [("NOT_FOUND", ["no"], "Task NOPE does not exist.")]
    assert payload["task"] is None
    assert await tables(world) == before


async def test_a_manager_completes_any_task(world: SessionFactory) -> None:
    payload = ok(await run_as(MANAGER, world, UPDATE_TASK, no="T2", status="COMPLETED"))

    assert payload["task"]["closed"] is True
