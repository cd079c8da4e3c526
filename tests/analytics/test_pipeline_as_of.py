"""The pipeline as of a past date: the entries active on that date, with what they recorded then."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from models import ActionTaken
from models import OpportunityStatus as S
from resolvers.analytics import pipeline as reads
from resolvers.session import SessionFactory
from tests.analytics.pipeline_helpers import PIPELINE, given_six_opportunities, grouped, pipeline, total
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f
from tests.support import lifecycle_api as api


def day(month: int, d: int) -> dt.date:
    return dt.date(2024, month, d)


async def given_histories(sessions: SessionFactory) -> None:
    """Five opportunities of cycle NEW whose entries tell what was active when.

    * OPA (C1, SP1 today) created 01-01: stage 1 from 01-01 (1000.00 / 200.00, salesperson SP2
      then), stage 2 from 02-01 (1200.00 / 480.00, SP1), WON on 03-01 (1200.00 / 1500.00).
    * OPB (C2, SP2) created 01-15: stage 1 twice on 01-15 (500.00 / 50.00, then updated to
      600.00 / 60.00 the same day), stage 2 from 02-29 (600.00 / 150.00).
    * OPC (C1, SP1) created 01-20, never started.
    * OPD (C2, SP2) created 03-10: stage 1 from 03-10 (700.00 / 70.00).
    * OPE (C2, SP1) created 01-05, started only on 02-10: stage 1 (400.00 / 40.00).

    ``days_open`` of each replaced entry is the gap to the next one, as the lifecycle writes it.
    """
    c1, c2 = f.company("C1"), f.company("C2")
    opa = f.opportunity("OPA", c1, "SP1", "NEW", creation_date=day(1, 1), **b.closed(S.WON, day(3, 1)))
    opb = f.opportunity("OPB", c2, "SP2", "NEW", creation_date=day(1, 15), status=S.IN_PROGRESS)
    opc = f.opportunity("OPC", c1, "SP1", "NEW", creation_date=day(1, 20))
    opd = f.opportunity("OPD", c2, "SP2", "NEW", creation_date=day(3, 10), status=S.IN_PROGRESS)
    ope = f.opportunity("OPE", c2, "SP1", "NEW", creation_date=day(1, 5), status=S.IN_PROGRESS)

    def e(o: Any, stage: int, value: str, calc: str, on: dt.date, days_open: int | None, **kw: Any) -> Any:
        # days_open None: the active entry; ``then``: the salesperson when it differs from today's
        then = kw.pop("then", o.salesperson_code)
        kw.setdefault("estimated_close_date", day(4, 30))
        row = f.entry(o, stage, value, calculated_current_value=calc, date_of_change=on,
                      active=days_open is None, days_open=days_open or 0, **kw)  # fmt: skip
        row.salesperson_code = then
        return row

    won = {"action_taken": ActionTaken.WON, "date_closed": day(3, 1), "estimated_close_date": day(3, 1)}
    await b.insert(
        sessions,
        f.salesperson("SP1"),
        f.salesperson("SP2"),
        c1,
        c2,
        *f.cycle("NEW"),
        opa,
        opb,
        opc,
        opd,
        ope,
        e(opa, 1, "1000.00", "200.00", day(1, 1), 31, then="SP2"),
        e(opa, 2, "1200.00", "480.00", day(2, 1), 29, action_taken=ActionTaken.NEXT),
        e(opa, 0, "1200.00", "1500.00", day(3, 1), None, **won),
        e(opb, 1, "500.00", "50.00", day(1, 15), 0),
        e(opb, 1, "600.00", "60.00", day(1, 15), 45, action_taken=ActionTaken.UPDATED),
        e(opb, 2, "600.00", "150.00", day(2, 29), None, action_taken=ActionTaken.NEXT),
        e(opd, 1, "700.00", "70.00", day(3, 10), None),
        e(ope, 1, "400.00", "40.00", day(2, 10), None),
    )


NOT_STARTED_2 = (2, "0.00", "0.00", "0.00", "0.00")


async def test_before_a_stage_move_the_opportunity_counts_on_its_old_stage(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_histories(sessions)

    # 01-31: OPA on stage 1 (1000 / 200), OPB on its same-day update (600 / 60, not 500 / 50),
    # OPC and OPE not started yet, OPD not created yet.
    assert await grouped(gql, ["STAGE"], as_of="2024-01-31") == [
        (1, 2, "1600.00", "260.00", "800.00", "130.00"),
        (None, *NOT_STARTED_2),
    ]
    assert await total(gql, ["STAGE"], as_of="2024-01-31") == (4, "1600.00", "260.00", "400.00", "65.00")


async def test_on_the_day_of_a_stage_move_the_opportunity_counts_on_its_new_stage(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_histories(sessions)

    assert await grouped(gql, ["STAGE"], as_of="2024-02-01") == [
        (1, 1, "600.00", "60.00", "600.00", "60.00"),  # OPB
        (2, 1, "1200.00", "480.00", "1200.00", "480.00"),  # OPA, moved on 02-01
        (None, *NOT_STARTED_2),  # OPC, OPE
    ]


async def test_history_keeps_the_salesperson_an_entry_recorded(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_histories(sessions)

    # OPA's stage-1 entry was SP2's; the not-started OPC and OPE have today's SP1.
    assert await grouped(gql, ["SALESPERSON", "STATUS"], as_of="2024-01-31") == [
        ("SP1", "NOT_STARTED", *NOT_STARTED_2),
        ("SP2", "IN_PROGRESS", 2, "1600.00", "260.00", "800.00", "130.00"),
    ]
    assert await grouped(gql, ["SALESPERSON"], as_of="2024-01-31", filter={"salespersonCode": "SP2"}) == [
        ("SP2", 2, "1600.00", "260.00", "800.00", "130.00"),
    ]
    assert await grouped(gql, ["SALESPERSON", "STATUS"], as_of="2024-02-01") == [
        ("SP1", "NOT_STARTED", *NOT_STARTED_2),
        ("SP1", "IN_PROGRESS", 1, "1200.00", "480.00", "1200.00", "480.00"),
        ("SP2", "IN_PROGRESS", 1, "600.00", "60.00", "600.00", "60.00"),
    ]


async def test_before_a_close_it_is_in_progress_and_after_it_is_won(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_histories(sessions)

    # 02-29: OPA on stage 2 (1200 / 480), OPB moved to stage 2 (600 / 150), OPE on stage 1 (400 / 40).
    assert await grouped(gql, ["STATUS"], as_of="2024-02-29") == [
        ("NOT_STARTED", 1, "0.00", "0.00", "0.00", "0.00"),
        ("IN_PROGRESS", 3, "2200.00", "670.00", "733.33", "223.33"),
    ]
    assert await grouped(gql, ["STATUS"], as_of="2024-03-01") == [
        ("NOT_STARTED", 1, "0.00", "0.00", "0.00", "0.00"),
        ("IN_PROGRESS", 2, "1000.00", "190.00", "500.00", "95.00"),
        ("WON", 1, "1200.00", "1500.00", "1200.00", "1500.00"),
    ]
    # The filter reads the state on that date: OPA is still open on 02-29, closed on 03-01.
    open_only = {"closed": False, "status": ["IN_PROGRESS"]}
    assert await total(gql, [], as_of="2024-02-29", filter=open_only) == (
        3,
        "2200.00",
        "670.00",
        "733.33",
        "223.33",
    )
    assert await total(gql, [], as_of="2024-03-01", filter=open_only) == (
        2,
        "1000.00",
        "190.00",
        "500.00",
        "95.00",
    )


async def test_closing_date_periods_exist_only_once_closed(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_histories(sessions)

    assert await grouped(gql, ["PERIOD"], period="MONTH", date="DATE_CLOSED", as_of="2024-02-29") == [
        (None, None, 4, "2200.00", "670.00", "550.00", "167.50"),
    ]
    assert await grouped(gql, ["PERIOD"], period="MONTH", date="DATE_CLOSED", as_of="2024-03-01") == [
        ("2024-03-01", "2024-03-31", 1, "1200.00", "1500.00", "1200.00", "1500.00"),
        (None, None, 3, "1000.00", "190.00", "333.33", "63.33"),
    ]


async def test_an_opportunity_created_after_the_date_is_left_out(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_histories(sessions)

    before = await total(gql, [], as_of="2024-03-09")
    on = await total(gql, [], as_of="2024-03-10")

    assert before == (4, "2200.00", "1690.00", "550.00", "422.50")  # OPA won, OPB, OPC, OPE
    assert on == (5, "2900.00", "1760.00", "580.00", "352.00")  # + OPD, created and started 03-10
    assert await grouped(gql, ["STAGE"], as_of="2023-12-31") == []


async def test_as_of_a_later_date_than_any_entry_is_the_current_pipeline(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_six_opportunities(sessions)
    group_by = ["SALESPERSON", "SALES_CYCLE", "STAGE", "STATUS"]

    now = await pipeline(gql, group_by)
    later = await pipeline(gql, group_by, as_of="2030-01-01")

    assert later == now
    assert len(now["groups"]) == 6


async def test_as_of_follows_a_history_built_by_the_lifecycle(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await api.given_cycles(sessions)
    await api.given_opportunity(sessions, "O", stage=None)  # created 2024-01-10, cycle CYC

    async def run(mutation: str, **fields: Any) -> None:
        data = await gql.query(mutation, {"input": {"no": "O", **fields}})
        assert data[api.MUTATION[mutation]]["userErrors"] == []

    await run(api.ACTIVATE, dateOfChange="2024-01-20")
    await run(api.STAGE, action="NEXT", dateOfChange="2024-02-05", estimatedValue="10000")
    await run(api.STAGE, action="UPDATE", dateOfChange="2024-02-05", estimatedValue="8000")
    await run(
        api.CLOSE, outcome="WON", closeOpportunityCode="WON1", closingDate="2024-03-01", salesValue="9000"
    )

    async def stage_and_status(on: str) -> list[tuple[Any, ...]]:
        return await grouped(gql, ["STAGE", "STATUS"], as_of=on)

    assert await stage_and_status("2024-01-19") == [(None, "NOT_STARTED", 1, "0.00", "0.00", "0.00", "0.00")]
    assert await stage_and_status("2024-01-20") == [(1, "IN_PROGRESS", 1, "0.00", "0.00", "0.00", "0.00")]
    # stage 2 (chances 60 × completed 40 = 24 %): the same-day update to 8000 wins over 10000
    assert await stage_and_status("2024-02-29") == [
        (2, "IN_PROGRESS", 1, "8000.00", "1920.00", "8000.00", "1920.00")
    ]
    assert await stage_and_status("2024-03-01") == [(0, "WON", 1, "8000.00", "9000.00", "8000.00", "9000.00")]


async def test_a_filter_field_without_history_still_applies_as_of_a_date(
    gql: GraphQLClient, sessions: SessionFactory
) -> None:
    await given_histories(sessions)

    # The description has no history: today's is used ("Deal OPA").
    assert await total(gql, [], as_of="2024-01-31", filter={"search": "opa"}) == (
        1,
        "1000.00",
        "200.00",
        "1000.00",
        "200.00",
    )
    # Stage and estimated closing date as of the date: OPA's stage-1 entry closes 04-30.
    assert await total(
        gql, [], as_of="2024-01-31", filter={"currentStage": 1, "estimatedClosingDateTo": "2024-04-30"}
    ) == (
        2,
        "1600.00",
        "260.00",
        "800.00",
        "130.00",
    )


async def test_a_filter_field_without_a_meaning_as_of_a_date_is_refused(
    gql: GraphQLClient, sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A filter field added later (e.g. one measured from today) must be refused, not misread.
    await given_histories(sessions)
    monkeypatch.setattr(reads, "AS_OF_FILTER_FIELDS", reads.AS_OF_FILTER_FIELDS - {"search"})

    refused = await gql.raw(PIPELINE, {"g": [], "a": "2024-01-31", "f": {"search": "opa"}})
    today = await total(gql, [], filter={"search": "opa"})

    assert b.errors_of(refused) == [
        ("FILTER_NOT_SUPPORTED_AS_OF", "The filter field(s) `search` cannot be applied with `asOf`.")
    ]
    assert today == (1, "1200.00", "1500.00", "1200.00", "1500.00")
