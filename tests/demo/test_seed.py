"""The demo data set: counts, master data, documents, numbering and loading (resolvers/demo/seed.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from models.number_series import NumberSeriesExhaustedError, format_number, parse_number
from resolvers.demo.generate import generate_demo
from resolvers.demo.seed import DatabaseNotEmptyError, is_empty, seed_demo
from tests.support.seeding import TODAY, Seeded, fetch, scalar, seeded_database, stages_by_cycle

# Seeding commits (COPY in one transaction) into a database the test owns.
pytestmark = pytest.mark.own_database


@pytest.fixture(scope="module")
async def seeded(pg_url: str, template_db: str) -> AsyncIterator[Seeded]:
    """One scale-1 seed shared by the read-only tests of this module."""
    async with seeded_database(pg_url, template_db) as db:
        yield db


# --- counts ---------------------------------------------------------------------------------


async def test_summary_counts_the_inserted_rows(seeded: Seeded) -> None:
    for table_field, count in seeded.summary.as_dict().items():
        table = {
            "salespeople": "salesperson",
            "activities": "activity",
            "opportunities": "opportunity",
            "opportunity_entries": "opportunity_entry",
        }.get(table_field, table_field.removesuffix("s"))
        assert await scalar(seeded.engine, f"SELECT count(*) FROM {table}") == count, table
    assert seeded.summary.total == sum(seeded.summary.as_dict().values())


async def test_counts_are_in_the_expected_ranges(seeded: Seeded) -> None:
    s = seeded.summary
    assert s.salespeople == 8
    assert s.sales_cycles == 4
    assert 16 <= s.sales_cycle_stages <= 28
    assert 3 <= s.activities <= 6
    assert s.activities <= s.activity_steps <= 3 * s.activities
    assert s.close_opportunity_codes >= 4
    assert s.campaigns == 5
    assert s.contacts == 100
    assert s.opportunities == 1000
    assert 2500 <= s.opportunity_entries <= 6000
    assert 1000 <= s.tasks <= 6000
    assert 100 <= s.sales_quotes <= 600
    assert s.sales_quotes <= s.sales_quote_lines <= 4 * s.sales_quotes
    assert 5 <= s.sales_orders <= 100
    assert s.sales_orders <= s.sales_order_lines <= 4 * s.sales_orders


async def test_master_data_has_the_planned_shape(seeded: Seeded) -> None:
    e = seeded.engine
    assert await scalar(e, "SELECT count(*) FROM salesperson WHERE blocked") == 1
    methods = await fetch(e, "SELECT probability_calculation AS m FROM sales_cycle")
    assert sorted(r["m"] for r in methods) == ["ADD", "CHANCES_OF_SUCCESS", "COMPLETED", "MULTIPLY"]
    for code, stages in (await stages_by_cycle(e)).items():
        assert 4 <= len(stages) <= 7, code
        assert sum(s["quote_required"] for s in stages) == 1, code
        assert any(s["allow_skip"] for s in stages), code
        completed = [s["completed_pct"] for s in stages]
        assert completed == sorted(completed), code
        assert len(set(completed)) == len(completed), code
    step_counts = await fetch(e, "SELECT count(*) AS n FROM activity_step GROUP BY activity_code")
    assert all(1 <= r["n"] <= 3 for r in step_counts)
    types = await fetch(e, "SELECT DISTINCT type FROM close_opportunity_code")
    assert {r["type"] for r in types} == {"WON", "LOST"}
    contacts = await fetch(e, "SELECT type, company_no, no FROM contact")
    kinds = Counter(
        "company" if c["type"] == "COMPANY" else "person" if c["company_no"] else "lone"
        for c in contacts
    )
    assert kinds["company"] == 30
    assert 50 <= kinds["person"] <= 70
    assert 1 <= kinds["lone"] <= 20
    assert all(c["company_no"] == c["no"] for c in contacts if c["type"] == "COMPANY")


async def test_every_status_occurs_in_about_its_planned_share(seeded: Seeded) -> None:
    rows = await fetch(seeded.engine, "SELECT status, count(*) AS n FROM opportunity GROUP BY 1")
    share = {r["status"]: r["n"] / 1000 for r in rows}
    assert 0.08 <= share["NOT_STARTED"] <= 0.25
    assert 0.40 <= share["IN_PROGRESS"] <= 0.60
    assert 0.12 <= share["WON"] <= 0.28
    assert 0.08 <= share["LOST"] <= 0.25


async def test_opportunities_per_contact_vary_between_0_and_20(seeded: Seeded) -> None:
    rows = await fetch(
        seeded.engine,
        "SELECT c.no, count(o.no) AS n FROM contact c"
        " LEFT JOIN opportunity o ON o.contact_no = c.no GROUP BY c.no",
    )
    counts = [r["n"] for r in rows]
    assert max(counts) <= 20
    assert min(counts) <= 3
    assert max(counts) >= 17


async def test_opportunity_rows_agree_with_their_active_entry(seeded: Seeded) -> None:
    rows = await fetch(
        seeded.engine,
        "SELECT o.*, e.action_taken, e.date_of_change, ct.company_no AS contacts_company,"
        " (SELECT count(*) FROM opportunity_entry x WHERE x.opportunity_no = o.no) AS entries,"
        " sp.blocked, cp.starting_date, cp.ending_date, cp.activated"
        " FROM opportunity o JOIN contact ct ON ct.no = o.contact_no"
        " JOIN salesperson sp ON sp.code = o.salesperson_code"
        " LEFT JOIN campaign cp ON cp.no = o.campaign_no"
        " LEFT JOIN opportunity_entry e ON e.opportunity_no = o.no AND e.active",
    )
    for o in rows:
        expected = {None: "NOT_STARTED", "WON": "WON", "LOST": "LOST"}.get(
            o["action_taken"], "IN_PROGRESS"
        )
        assert o["status"] == expected, o["no"]
        assert o["closed"] == (expected in ("WON", "LOST"))
        assert o["date_closed"] == (o["date_of_change"] if o["closed"] else None)
        # One write per mutation: the creation, each entry, and the quote made for it, if any
        # (Make Order both closes and links the order in one).
        documents = 1 if o["sales_quote_no"] or o["sales_order_no"] else 0
        assert o["version"] == 1 + o["entries"] + documents
        assert o["contact_company_no"] == o["contacts_company"]
        assert o["sales_cycle_code"] is not None
        assert o["no_series"] == "OPP"
        assert not o["blocked"] or o["closed"], o["no"]
        if o["sales_order_no"]:
            assert o["status"] == "WON"
            assert o["sales_quote_no"] is None
        if o["campaign_no"]:
            assert o["activated"]
            assert o["starting_date"] <= o["creation_date"] <= o["ending_date"]
    assert sum(1 for o in rows if o["campaign_no"]) >= 20
    assert sum(1 for o in rows if o["blocked"]) >= 1


# --- documents and numbering -------------------------------------------------------------------


async def test_quotes_and_orders_belong_to_their_opportunitys_contact(seeded: Seeded) -> None:
    e = seeded.engine
    assert await scalar(
        e,
        "SELECT count(*) FROM sales_quote q LEFT JOIN opportunity o ON o.sales_quote_no = q.no"
        " WHERE o.no IS NULL OR o.contact_no <> q.contact_no",
    ) == 0  # fmt: skip
    assert await scalar(
        e,
        "SELECT count(*) FROM sales_order s LEFT JOIN opportunity o ON o.sales_order_no = s.no"
        " WHERE o.no IS NULL OR o.contact_no <> s.contact_no OR s.quote_no = ''"
        " OR EXISTS (SELECT 1 FROM sales_quote q WHERE q.no = s.quote_no)",
    ) == 0  # fmt: skip
    lines = await fetch(e, "SELECT count(*) AS n FROM sales_quote_line GROUP BY quote_no")
    assert all(1 <= r["n"] <= 4 for r in lines)
    assert len(lines) == seeded.summary.sales_quotes


async def test_number_series_and_entry_sequence_are_advanced(seeded: Seeded) -> None:
    e = seeded.engine
    series = {r["code"]: r for r in await fetch(e, "SELECT * FROM number_series")}
    for code, table in [
        ("OPP", "opportunity"),
        ("TASK", "task"),
        ("CONT", "contact"),
        ("CAMP", "campaign"),
        ("S-ORD", "sales_order"),
    ]:
        count = await scalar(e, f"SELECT count(*) FROM {table}")
        highest = await scalar(e, f"SELECT max(no) FROM {table}")
        s = series[code]
        assert highest == format_number(s["prefix"], count, s["width"]), code
        assert s["next_no"] == count + 1, code
    used_quotes = await scalar(
        e, "SELECT max(no) FROM (SELECT no FROM sales_quote UNION SELECT quote_no FROM sales_order) q"
    )
    assert series["S-QUO"]["next_no"] == parse_number("SQ", used_quotes) + 1  # type: ignore[operator]
    assert await scalar(e, "SELECT default_sales_cycle_code FROM setup") == "NEW"
    last = await scalar(
        e,
        "SELECT pg_sequence_last_value(pg_get_serial_sequence('opportunity_entry', 'entry_no'))",
    )
    assert last == seeded.summary.opportunity_entries


async def test_seeding_twice_is_refused_and_writes_nothing(seeded: Seeded) -> None:
    assert not await is_empty(seeded.engine)
    with pytest.raises(DatabaseNotEmptyError, match="empty database"):
        await seed_demo(seeded.engine, today=TODAY)
    assert await scalar(seeded.engine, "SELECT count(*) FROM opportunity") == 1000
    assert await scalar(seeded.engine, "SELECT next_no FROM number_series WHERE code = 'OPP'") == 1001


async def test_seeding_leaves_the_schema_as_migrated(engine: AsyncEngine) -> None:
    schema_sql = (
        "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)"
        " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
        " UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
    )
    async with engine.connect() as conn:
        before = (await conn.scalars(text(schema_sql))).all()
    assert await is_empty(engine)
    await seed_demo(engine, today=TODAY, rng_seed=7)
    assert not await is_empty(engine)
    async with engine.connect() as conn:
        after = (await conn.scalars(text(schema_sql))).all()
    assert after == before


# --- the generator, without a database -------------------------------------------------------


def test_generation_is_deterministic() -> None:
    first = generate_demo(scale=1, today=TODAY, rng_seed=42)
    again = generate_demo(scale=1, today=TODAY, rng_seed=42)
    other = generate_demo(scale=1, today=TODAY, rng_seed=43)
    assert first.tables == again.tables
    assert first.table("opportunity").rows != other.table("opportunity").rows


def test_scale_multiplies_contacts_and_opportunities() -> None:
    data = generate_demo(scale=2, today=TODAY, rng_seed=42)
    assert len(data.table("contact").rows) == 200
    assert len(data.table("opportunity").rows) == 2000
    assert len(data.table("salesperson").rows) == 8
    assert data.numbers_used["opportunity"] == 2000
    with pytest.raises(ValueError, match="scale"):
        generate_demo(scale=0, today=TODAY, rng_seed=42)


@pytest.mark.parametrize(
    ("prefix", "number", "width", "expected"),
    [
        ("OP", 1, 6, "OP000001"),
        ("OP", 999999, 6, "OP999999"),
        ("SQ", 42, 6, "SQ000042"),
        ("", 7, 3, "007"),
        ("X-", 0, 1, "X-0"),
        ("TD", 123456789, 9, "TD123456789"),
    ],
)
def test_format_number(prefix: str, number: int, width: int, expected: str) -> None:
    assert format_number(prefix, number, width) == expected
    assert parse_number(prefix, expected) == number


def test_format_number_refuses_what_does_not_fit() -> None:
    with pytest.raises(NumberSeriesExhaustedError):
        format_number("OP", 1_000_000, 6)
    with pytest.raises(ValueError, match="negative"):
        format_number("OP", -1, 6)
    with pytest.raises(ValueError, match="width"):
        format_number("OP", 1, 0)
    assert parse_number("OP", "SQ000001") is None
    assert parse_number("OP", "OP") is None
    assert parse_number("OP", "OP12A") is None
