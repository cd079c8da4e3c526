"""Plans of the read compiler: built once per document, operation, variable shape and viewer
scope, never on a warm request; what the compiler does not cover, and values the resolvers
refuse, are answered by the resolvers exactly as before."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

import resolvers.reads.compiled as compiled
from resolvers.access.keys import revoke_key
from resolvers.session import SessionFactory
from tests.conftest import TestDatabase
from tests.support import factories as f
from tests.support.api import bearer, new_key, partner_client

ONE = (
    "query($no: String!, $first: Int) "
    "{ contact(no: $no) { no opportunities(first: $first) { nodes { no } } } }"
)


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents compiled while the test runs (the plan cache starts empty)."""
    seen: list[str] = []
    real = compiled.compile_operation
    monkeypatch.setattr(compiled, "_plans", type(compiled._plans)())

    def counting(*args: Any, **kwargs: Any) -> Any:
        seen.append(args[2].name.value if args[2].name else "-")
        return real(*args, **kwargs)

    monkeypatch.setattr(compiled, "compile_operation", counting)
    return seen


async def given_two_contacts(sessions: SessionFactory) -> None:
    await f.add(sessions, f.salesperson("SP1"), f.salesperson("SP2"), *f.cycle("CYC"))
    await f.add(sessions, f.company("C1"), f.company("C2"))
    await f.add(
        sessions,
        f.opportunity("O1", f.company("C1"), "SP1", "CYC"),
        f.opportunity("O2", f.company("C2"), "SP2", "CYC"),
    )


async def test_a_plan_is_built_once_per_variable_shape_and_reused_for_other_values(
    database: TestDatabase, sessions: SessionFactory, compiles: list[str]
) -> None:
    await given_two_contacts(sessions)
    async with partner_client(database, dev=True) as http:
        answers = []
        for variables in ({"no": "C1"}, {"no": "C2"}, {"no": "C1", "first": 1}, {"no": "C2", "first": 5}):
            response = await http.post("/graphql", json={"query": ONE, "variables": variables})
            assert response.headers["x-salesgraph-plan"] == "compiled"
            answers.append(response.json()["data"]["contact"])

    assert [a["no"] for a in answers] == ["C1", "C2", "C1", "C2"]
    assert [[o["no"] for o in a["opportunities"]["nodes"]] for a in answers] == [
        ["O1"],
        ["O2"],
        ["O1"],
        ["O2"],
    ]
    assert len(compiles) == 2  # `first` absent, then given: two shapes; the numbers never rebuild it


async def test_each_viewer_scope_has_its_own_plan_and_reads_only_its_rows(
    database: TestDatabase, sessions: SessionFactory, compiles: list[str]
) -> None:
    await given_two_contacts(sessions)
    query = "{ opportunities { nodes { no } } }"
    admin = await new_key(sessions, "ADMIN")
    sp1 = await new_key(sessions, "SALESPERSON", name="sp1", salesperson="SP1")
    sp2 = await new_key(sessions, "SALESPERSON", name="sp2", salesperson="SP2")
    async with partner_client(database) as http:
        seen = {}
        for name, key in (("admin", admin), ("sp1", sp1), ("sp2", sp2), ("again", sp1)):
            response = await http.post("/graphql", json={"query": query}, headers=bearer(key))
            assert response.headers["x-salesgraph-plan"] == "compiled"
            seen[name] = [o["no"] for o in response.json()["data"]["opportunities"]["nodes"]]

    assert seen == {"admin": ["O1", "O2"], "sp1": ["O1"], "sp2": ["O2"], "again": ["O1"]}
    assert len(compiles) == 2  # every row, and a salesperson's own (its code is a parameter)


async def test_an_uncovered_field_runs_on_the_resolvers_and_is_not_compiled_again(
    database: TestDatabase, sessions: SessionFactory, compiles: list[str]
) -> None:
    await given_two_contacts(sessions)
    query = '{ opportunity(no: "O1") { no availableStageActions { action } } }'
    async with partner_client(database, dev=True) as http:
        for _ in range(2):
            response = await http.post("/graphql", json={"query": query})
            assert response.headers["x-salesgraph-plan"] == "resolvers"
            assert response.json()["data"]["opportunity"]["no"] == "O1"

    assert len(compiles) == 1


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"after": "not-a-cursor"}, "INVALID_CURSOR"),
        ({"first": 101}, "PAGE_SIZE_EXCEEDED"),
        ({"first": 2, "last": 2}, "INVALID_PAGINATION"),
    ],
)
async def test_values_the_resolvers_refuse_are_answered_by_them_with_their_error(
    database: TestDatabase, sessions: SessionFactory, variables: dict[str, Any], code: str
) -> None:
    await given_two_contacts(sessions)
    query = (
        "query($first: Int, $last: Int, $after: String) "
        "{ opportunities(first: $first, last: $last, after: $after) { nodes { no } } }"
    )
    async with partner_client(database, dev=True) as http:
        response = await http.post("/graphql", json={"query": query, "variables": variables})

    assert response.headers["x-salesgraph-plan"] == "resolvers"
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == [code]


async def test_a_key_whose_scope_changed_between_two_reads_reads_with_its_new_scope(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    await given_two_contacts(sessions)
    key = await new_key(sessions, "SALESPERSON", name="mover", salesperson="SP1")
    query = "{ opportunities { nodes { no } } }"
    async with partner_client(database) as http:
        before = await http.post("/graphql", json={"query": query}, headers=bearer(key))
        async with sessions() as session:
            await session.execute(text("UPDATE api_key SET salesperson_code = 'SP2' WHERE name = 'mover'"))
            await session.commit()
        after = await http.post("/graphql", json={"query": query}, headers=bearer(key))
        again = await http.post("/graphql", json={"query": query}, headers=bearer(key))

    nos = [[o["no"] for o in r.json()["data"]["opportunities"]["nodes"]] for r in (before, after, again)]
    assert nos == [["O1"], ["O2"], ["O2"]]


async def test_a_key_revoked_between_two_reads_is_refused_and_reads_nothing(
    database: TestDatabase, sessions: SessionFactory
) -> None:
    await given_two_contacts(sessions)
    key = await new_key(sessions, "ADMIN", name="gone")
    query = "{ opportunities { nodes { no } } }"
    async with partner_client(database) as http:
        first = await http.post("/graphql", json={"query": query}, headers=bearer(key))
        async with sessions() as session:
            await revoke_key(session, "gone")
            await session.commit()
        second = await http.post("/graphql", json={"query": query}, headers=bearer(key))

    assert first.status_code == 200
    assert second.status_code == 401
    assert "data" not in second.json() or second.json()["data"] is None
