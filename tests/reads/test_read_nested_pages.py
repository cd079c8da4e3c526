"""Nested connections page per parent, each parent with its own cursors (api.md §3)."""

from __future__ import annotations

from typing import Any

import pytest

from models import ActionTaken, OpportunityStatus
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support.builders import closed, errors_of, insert
from tests.support.factories import DAY, company, entry, opportunity, person, salesperson

# Opportunity numbers interleave across parents, so one flat LIMIT over all parents gives other pages.
BY_CONTACT = {
    "C1": [],
    "C2": ["OP02", "OP04", "OP06"],
    "C3": ["OP01", "OP03", "OP05", "OP07", "OP08", "OP09", "OP10"],
}
BY_SALESPERSON = {"SP1": [], "SP2": ["OP01", "OP02", "OP03"], "SP3": [f"OP{n:02}" for n in range(4, 11)]}
PERSONS = {"C1": [], "C2": ["P2", "P4"], "C3": ["P1", "P3", "P5", "P6"]}
# Entry values of OP01 and OP03, inserted round-robin so their entry numbers interleave.
ENTRY_VALUES = {"OP01": ["100", "110", "120"], "OP03": ["300", "310", "320", "330", "340"]}

PAGE = "nodes { no } pageInfo { hasNextPage hasPreviousPage endCursor } totalCount"


async def given_contacts_salespeople_and_opportunities(sessions: SessionFactory) -> dict[str, list[int]]:
    """Returns each opportunity's entry numbers in ascending order; OP05 is won, the others open."""
    contacts = {no: company(no) for no in BY_CONTACT}
    persons = [person(p, c) for c, ps in PERSONS.items() for p in ps]
    owner = {o: sp for sp, nos in BY_SALESPERSON.items() for o in nos}
    opportunities = {
        no: opportunity(
            no, contacts[c], owner[no], None, **(closed(OpportunityStatus.WON, DAY) if no == "OP05" else {})
        )
        for c, nos in BY_CONTACT.items()
        for no in nos
    }
    entries: list[Any] = []
    for i in range(max(len(v) for v in ENTRY_VALUES.values())):
        for no, values in ENTRY_VALUES.items():
            if i < len(values):
                last = i == len(values) - 1
                kind = {"action_taken": ActionTaken.NEXT} if i else {}
                entries.append((no, entry(opportunities[no], i + 1, values[i], active=last, **kind)))
    await insert(
        sessions,
        *(salesperson(sp) for sp in BY_SALESPERSON),
        *contacts.values(),
        *persons,
        *(opportunities[no] for no in sorted(opportunities)),
        *(e for _, e in entries),
    )
    return {no: [e.entry_no for n, e in entries if n == no] for no in ENTRY_VALUES}


def nos(connection: dict[str, Any], key: str = "no") -> list[Any]:
    return [node[key] for node in connection["nodes"]]


async def test_contact_opportunities_page_per_contact_not_across_contacts(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts_salespeople_and_opportunities(sessions)

    data = await gql.query(
        f"""query($f: ContactFilter) {{ contacts(filter: $f) {{ nodes {{ no
              opportunities(first: 2) {{ {PAGE} }} }} }} }}""",
        {"f": {"type": "COMPANY"}},
    )

    pages = {c["no"]: c["opportunities"] for c in data["contacts"]["nodes"]}
    assert {no: nos(page) for no, page in pages.items()} == {no: opps[:2] for no, opps in BY_CONTACT.items()}
    assert {no: page["totalCount"] for no, page in pages.items()} == {"C1": 0, "C2": 3, "C3": 7}
    assert {no: page["pageInfo"]["hasNextPage"] for no, page in pages.items()} == {
        "C1": False,
        "C2": True,
        "C3": True,
    }
    assert pages["C1"]["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": False, "endCursor": None}


async def test_an_empty_nested_page_still_tells_which_contacts_have_more(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts_salespeople_and_opportunities(sessions)

    data = await gql.query(
        f"""query($f: ContactFilter) {{ contacts(filter: $f) {{ nodes {{ no
              opportunities(first: 0) {{ {PAGE} }} }} }} }}""",
        {"f": {"type": "COMPANY"}},
    )

    pages = {c["no"]: c["opportunities"] for c in data["contacts"]["nodes"]}
    assert {no: (nos(page), page["pageInfo"]["hasNextPage"]) for no, page in pages.items()} == {
        "C1": ([], False),
        "C2": ([], True),
        "C3": ([], True),
    }


async def test_each_contact_pages_on_with_its_own_cursor_in_one_request(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts_salespeople_and_opportunities(sessions)
    query = f"""query($c2: String, $c3: String) {{
      c2: contact(no: "C2") {{ opportunities(first: 2, after: $c2) {{ {PAGE} }} }}
      c3: contact(no: "C3") {{ opportunities(first: 2, after: $c3) {{ {PAGE} }} }} }}"""
    seen: dict[str, list[str]] = {"c2": [], "c3": []}
    cursors: dict[str, str | None] = {"c2": None, "c3": None}

    for _ in range(4):
        data = await gql.query(query, cursors)
        for alias in seen:
            page = data[alias]["opportunities"]
            seen[alias] += nos(page)
            cursors[alias] = page["pageInfo"]["endCursor"] or cursors[alias]

    assert seen == {"c2": BY_CONTACT["C2"], "c3": BY_CONTACT["C3"]}


async def test_contact_opportunities_page_backwards_per_contact(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts_salespeople_and_opportunities(sessions)

    data = await gql.query(
        f"{{ contacts(filter: {{type: COMPANY}}) {{ nodes {{ no opportunities(last: 2) {{ {PAGE} }} }} }} }}"
    )

    pages = {c["no"]: c["opportunities"] for c in data["contacts"]["nodes"]}
    assert {no: nos(page) for no, page in pages.items()} == {no: opps[-2:] for no, opps in BY_CONTACT.items()}
    assert {no: page["pageInfo"]["hasPreviousPage"] for no, page in pages.items()} == {
        "C1": False,
        "C2": True,
        "C3": True,
    }


async def test_salesperson_opportunities_page_per_salesperson_and_page_on(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts_salespeople_and_opportunities(sessions)

    first = await gql.query(f"{{ salespeople {{ nodes {{ code opportunities(first: 2) {{ {PAGE} }} }} }} }}")
    pages = {s["code"]: s["opportunities"] for s in first["salespeople"]["nodes"]}
    rest: dict[str, list[str]] = {}
    for code in ("SP2", "SP3"):
        data = await gql.query(
            f"""query($c: String!, $a: String) {{ salesperson(code: $c) {{
                  opportunities(first: 100, after: $a) {{ {PAGE} }} }} }}""",
            {"c": code, "a": pages[code]["pageInfo"]["endCursor"]},
        )
        rest[code] = nos(data["salesperson"]["opportunities"])

    assert {code: nos(page) for code, page in pages.items()} == {c: o[:2] for c, o in BY_SALESPERSON.items()}
    assert {code: page["totalCount"] for code, page in pages.items()} == {"SP1": 0, "SP2": 3, "SP3": 7}
    assert rest == {"SP2": ["OP03"], "SP3": BY_SALESPERSON["SP3"][2:]}


async def test_opportunity_entries_newest_first_page_per_opportunity(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    entry_nos = await given_contacts_salespeople_and_opportunities(sessions)
    query = """query($after: String) { opportunities(first: 3) { nodes { no
      entries(first: 2, after: $after, orderBy: [{field: ENTRY_NO, direction: DESC}]) {
        nodes { entryNo active } pageInfo { hasNextPage endCursor } totalCount } } } }"""
    newest_first = {no: entry_nos.get(no, [])[::-1] for no in ("OP01", "OP02", "OP03")}

    data = await gql.query(query)
    pages = {o["no"]: o["entries"] for o in data["opportunities"]["nodes"]}
    following = {}
    for no in ("OP01", "OP03"):
        again = await gql.query(
            """query($no: String!, $after: String) { opportunity(no: $no) {
                 entries(first: 2, after: $after, orderBy: [{field: ENTRY_NO, direction: DESC}]) {
                   nodes { entryNo } } } }""",
            {"no": no, "after": pages[no]["pageInfo"]["endCursor"]},
        )
        following[no] = nos(again["opportunity"]["entries"], "entryNo")

    assert {no: nos(page, "entryNo") for no, page in pages.items()} == {
        n: e[:2] for n, e in newest_first.items()
    }
    assert [node["active"] for node in pages["OP03"]["nodes"]] == [True, False]
    assert {no: page["totalCount"] for no, page in pages.items()} == {"OP01": 3, "OP02": 0, "OP03": 5}
    assert following == {"OP01": newest_first["OP01"][2:4], "OP03": newest_first["OP03"][2:4]}


async def test_company_persons_page_per_company_and_a_person_has_none(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts_salespeople_and_opportunities(sessions)

    data = await gql.query(f"{{ contacts {{ nodes {{ no type persons(first: 2) {{ {PAGE} }} }} }} }}")
    pages = {c["no"]: c["persons"] for c in data["contacts"]["nodes"]}
    c3_rest = await gql.query(
        f'query($a: String) {{ contact(no: "C3") {{ persons(first: 100, after: $a) {{ {PAGE} }} }} }}',
        {"a": pages["C3"]["pageInfo"]["endCursor"]},
    )

    assert {no: nos(pages[no]) for no in PERSONS} == {no: ps[:2] for no, ps in PERSONS.items()}
    assert {no: pages[no]["totalCount"] for no in PERSONS} == {"C1": 0, "C2": 2, "C3": 4}
    assert {no: pages[no]["pageInfo"]["hasNextPage"] for no in PERSONS} == {
        "C1": False,
        "C2": False,
        "C3": True,
    }
    assert all(pages[p]["totalCount"] == 0 and pages[p]["nodes"] == [] for ps in PERSONS.values() for p in ps)
    assert nos(c3_rest["contact"]["persons"]) == ["P5", "P6"]


async def test_aliases_page_the_same_relation_twice_with_different_arguments(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts_salespeople_and_opportunities(sessions)

    data = await gql.query(
        """{ contacts(filter: {type: COMPANY}) { nodes { no
             one: opportunities(first: 1) { nodes { no } totalCount }
             three: opportunities(first: 3, orderBy: [{field: NO, direction: DESC}]) { nodes { no } }
             open: opportunities(first: 3, filter: {closed: false}) { nodes { no } totalCount } } } }"""
    )

    got = {
        c["no"]: (
            nos(c["one"]),
            c["one"]["totalCount"],
            nos(c["three"]),
            nos(c["open"]),
            c["open"]["totalCount"],
        )
        for c in data["contacts"]["nodes"]
    }
    assert got == {
        "C1": ([], 0, [], [], 0),
        "C2": (["OP02"], 3, ["OP06", "OP04", "OP02"], ["OP02", "OP04", "OP06"], 3),
        "C3": (["OP01"], 7, ["OP10", "OP09", "OP08"], ["OP01", "OP03", "OP07"], 6),
    }


async def test_nested_order_by_a_value_of_the_active_entry_pages_per_contact(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_contacts_salespeople_and_opportunities(sessions)

    data = await gql.query(
        """{ contacts(filter: {type: COMPANY}) { nodes { no
             opportunities(first: 3, orderBy: [{field: ESTIMATED_VALUE, direction: DESC}]) {
               nodes { no estimatedValue currentStage { stage } } } } } }"""
    )

    pages = {c["no"]: c["opportunities"]["nodes"] for c in data["contacts"]["nodes"]}
    zero = {"estimatedValue": "0.00", "currentStage": None}
    assert pages == {
        "C1": [],
        "C2": [{"no": "OP02", **zero}, {"no": "OP04", **zero}, {"no": "OP06", **zero}],
        "C3": [
            {"no": "OP03", "estimatedValue": "340.00", "currentStage": None},
            {"no": "OP01", "estimatedValue": "120.00", "currentStage": None},
            {"no": "OP05", **zero},
        ],
    }


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ("first: 101", "PAGE_SIZE_EXCEEDED"),
        ('after: "garbage"', "INVALID_CURSOR"),
        ("first: 1, last: 1", "INVALID_PAGINATION"),
    ],
)
async def test_nested_page_arguments_are_checked_like_root_ones(
    gql: GraphQLClient, sessions: SessionFactory, arguments: str, code: str
) -> None:
    await given_contacts_salespeople_and_opportunities(sessions)

    body = await gql.raw(f'{{ contact(no: "C3") {{ opportunities({arguments}) {{ nodes {{ no }} }} }} }}')

    assert [c for c, _ in errors_of(body)] == [code]
    assert body["data"] == {"contact": None}
