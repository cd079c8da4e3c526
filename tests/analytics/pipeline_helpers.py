"""The ``pipeline`` query, its reading helpers and the six opportunities the pipeline tests group
(``test_pipeline*.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models import ActionTaken
from models import OpportunityStatus as S
from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.support import builders as b
from tests.support import factories as f

PIPELINE = """query($g: [PipelineDimension!]!, $p: PeriodUnit, $d: PeriodDate, $f: OpportunityFilter,
  $a: Date) { pipeline(groupBy: $g, period: $p, periodDate: $d, filter: $f, asOf: $a) {
    groups { key { salespersonCode salesCycleCode stage contactCompanyNo campaignNo status periodStart
      periodEnd } measures { ...M } }
    total { ...M } } }
  fragment M on PipelineMeasures { noOfOpportunities estimatedValue calculatedCurrentValue
    averageEstimatedValue averageCalculatedCurrentValue }"""

KEY_FIELDS = {
    "SALESPERSON": ["salespersonCode"],
    "SALES_CYCLE": ["salesCycleCode"],
    "STAGE": ["stage"],
    "CONTACT_COMPANY": ["contactCompanyNo"],
    "CAMPAIGN": ["campaignNo"],
    "STATUS": ["status"],
    "PERIOD": ["periodStart", "periodEnd"],
}
MEASURES = [
    "noOfOpportunities",
    "estimatedValue",
    "calculatedCurrentValue",
    "averageEstimatedValue",
    "averageCalculatedCurrentValue",
]


def measures(m: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(m[name] for name in MEASURES)


async def pipeline(gql: GraphQLClient, group_by: list[str], **args: Any) -> dict[str, Any]:
    """``pipeline`` with the arguments given (an omitted one takes its default)."""
    names = {"period": "p", "date": "d", "filter": "f", "as_of": "a"}
    variables = {names[name]: value for name, value in args.items() if value is not None}
    data = await gql.query(PIPELINE, {"g": group_by, **variables})
    result: dict[str, Any] = data["pipeline"]
    return result


async def grouped(gql: GraphQLClient, group_by: list[str], **args: Any) -> list[tuple[Any, ...]]:
    """Each group as (its grouped key values in ``groupBy`` order…, its five measures…); the key
    fields of the dimensions not grouped by must be null."""
    result = await pipeline(gql, group_by, **args)
    rows = []
    for group in result["groups"]:
        key = group["key"]
        named = [name for dimension in group_by for name in KEY_FIELDS[dimension]]
        assert all(value is None for name, value in key.items() if name not in named), key
        rows.append((*[key[name] for name in named], *measures(group["measures"])))
    return rows


async def total(gql: GraphQLClient, group_by: list[str], **args: Any) -> tuple[Any, ...]:
    return measures((await pipeline(gql, group_by, **args))["total"])


def day(month: int, d: int) -> dt.date:
    return dt.date(2024, month, d)


async def given_six_opportunities(sessions: SessionFactory) -> None:
    """Salespeople SP1, SP2; companies C1 (person P1) and C2; cycles NEW and BIG; campaign CA1.

    ====  ========  ===  ====  ====  =======  ===========  ======  ===========  ======  ===========
    no    contact   sp   cyc   camp  created  status       stage   value        calc    est. close
    ====  ========  ===  ====  ====  =======  ===========  ======  ===========  ======  ===========
    OP1   P1 (C1)   SP1  NEW   CA1   01-01    IN_PROGRESS  2       1000.00      250.00  03-31 (Sun)
    OP2   C1        SP1  NEW   -     01-10    IN_PROGRESS  1        500.00      100.01  04-01 (Mon)
    OP3   C2        SP2  BIG   CA1   02-05    WON 03-15    0       2000.00     2000.00  03-15
    OP4   C2        SP2  NEW   -     02-20    LOST 04-02   0        300.00        0.00  04-02
    OP5   C2        SP1  BIG   -     03-01    NOT_STARTED  -          0             0   -
    OP6   P1 (C1)   SP2  BIG   CA1   03-30    IN_PROGRESS  2        333.33      111.11  06-30 (Sun)
    ====  ========  ===  ====  ====  =======  ===========  ======  ===========  ======  ===========

    OP1, OP3 and OP4 also have an older, inactive entry (other values), which must not count.
    """
    c1, c2, p1 = f.company("C1"), f.company("C2"), f.person("P1", "C1")
    ops = [
        f.opportunity("OP1", p1, "SP1", "NEW", campaign_no="CA1", creation_date=day(1, 1),
                      status=S.IN_PROGRESS),
        f.opportunity("OP2", c1, "SP1", "NEW", creation_date=day(1, 10), status=S.IN_PROGRESS),
        f.opportunity("OP3", c2, "SP2", "BIG", campaign_no="CA1", creation_date=day(2, 5),
                      **b.closed(S.WON, day(3, 15))),
        f.opportunity("OP4", c2, "SP2", "NEW", creation_date=day(2, 20), **b.closed(S.LOST, day(4, 2))),
        f.opportunity("OP5", c2, "SP1", "BIG", creation_date=day(3, 1)),
        f.opportunity("OP6", p1, "SP2", "BIG", campaign_no="CA1", creation_date=day(3, 30),
                      status=S.IN_PROGRESS),
    ]  # fmt: skip
    op1, op2, op3, op4, _, op6 = ops

    def e(o: Any, stage: int, value: str, calc: str, on: dt.date, close: dt.date, **kw: Any) -> Any:
        return f.entry(o, stage, value, calculated_current_value=calc, date_of_change=on,
                       estimated_close_date=close, campaign_no=o.campaign_no, **kw)  # fmt: skip

    won, lost = ActionTaken.WON, ActionTaken.LOST
    entries = [
        e(op1, 1, "800.00", "80.00", day(1, 1), day(3, 1), active=False, days_open=14),
        e(op1, 2, "1000.00", "250.00", day(1, 15), day(3, 31), action_taken=ActionTaken.NEXT),
        e(op2, 1, "500.00", "100.01", day(1, 10), day(4, 1)),
        e(op3, 1, "2000.00", "600.00", day(2, 5), day(3, 20), active=False, days_open=39),
        e(op3, 0, "2000.00", "2000.00", day(3, 15), day(3, 15), action_taken=won, date_closed=day(3, 15)),
        e(op4, 1, "300.00", "90.00", day(2, 20), day(4, 30), active=False, days_open=42),
        e(op4, 0, "300.00", "0.00", day(4, 2), day(4, 2), action_taken=lost, date_closed=day(4, 2)),
        e(op6, 2, "333.33", "111.11", day(3, 30), day(6, 30)),
    ]
    await b.insert(
        sessions,
        f.salesperson("SP1"),
        f.salesperson("SP2"),
        c1,
        c2,
        p1,
        *f.cycle("NEW"),
        *f.cycle("BIG"),
        b.campaign("CA1"),
        *ops,
        *entries,
    )
