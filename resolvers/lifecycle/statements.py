"""The lifecycle's SQL: the situation read and the entry write as one statement each.

Built once at import from the tables' metadata and sent as driver SQL (``exec_driver_sql``):
no statement is compiled per request, and asyncpg prepares each text once per connection. The
rows come back as the driver returns them; ``values_of`` turns a row's columns into what the
ORM's types would have loaded (the enums are stored as text), so that the use cases can keep
handing ORM instances to the rest of the code.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Enum, RowMapping, Table
from sqlalchemy.dialects import postgresql

from models import Opportunity, OpportunityEntry, Task
from models.setup import SETUP_ID

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]
OPPORTUNITY: Table = Opportunity.__table__  # type: ignore[assignment]
ENTRY: Table = OpportunityEntry.__table__  # type: ignore[assignment]
TASK: Table = Task.__table__  # type: ignore[assignment]

#: The entry's columns as the situation reads them, prefixed so they do not clash with the
#: opportunity's.
ENTRY_PREFIX = "e_"


def _cast(table: Table, column: str) -> str:
    return str(table.c[column].type.compile(dialect=_DIALECT))


def _converters(table: Table) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """Per column, what turns the driver's value into the ORM's (an enum from its text)."""
    out: list[tuple[str, Callable[[Any], Any] | None]] = []
    for c in table.columns:
        enum_class: type[enum.Enum] | None = c.type.enum_class if isinstance(c.type, Enum) else None
        out.append((c.name, enum_class))
    return tuple(out)


_CONVERTERS = {t.name: _converters(t) for t in (OPPORTUNITY, ENTRY, TASK)}


def values_of(table: Table, row: RowMapping, prefix: str = "") -> dict[str, Any]:
    """The ORM attribute values of ``table``'s columns in ``row`` (named ``prefix`` + column)."""
    values: dict[str, Any] = {}
    for name, convert in _CONVERTERS[table.name]:
        value = row[prefix + name]
        values[name] = convert(value) if convert is not None and value is not None else value
    return values


def stages_json(cycle: str) -> str:
    """The stages of the cycle ``cycle`` (an SQL expression) in stage order as JSON text, each
    with the steps of its activity; NULL for no cycle or one without stages."""
    return f"""(SELECT json_agg(json_build_object(
                'stage', st.stage, 'description', st.description,
                'completed_pct', st.completed_pct, 'chances_of_success_pct', st.chances_of_success_pct,
                'activity_code', st.activity_code, 'quote_required', st.quote_required,
                'allow_skip', st.allow_skip, 'date_formula', st.date_formula,
                'steps', (SELECT coalesce(json_agg(json_build_object(
                             'step_no', a.step_no, 'type', a.type, 'priority', a.priority,
                             'description', a.description, 'date_formula', a.date_formula)), '[]'::json)
                          FROM activity_step a WHERE a.activity_code = st.activity_code)
              ) ORDER BY st.stage)
        FROM sales_cycle_stage st WHERE st.sales_cycle_code = {cycle})::text"""


_OPPORTUNITY_COLUMNS = ", ".join(f"o.{c.name}" for c in OPPORTUNITY.columns)
_ENTRY_COLUMNS = ", ".join(f"e.{c.name} AS {ENTRY_PREFIX}{c.name}" for c in ENTRY.columns)

#: Lock the opportunity ``$1`` and read in the same statement everything the lifecycle rules read:
#: its active entry, its cycle's probability method and stages (with the steps of each stage's
#: activity), the linked quote's amount, and the setup's time zone and task series.
#:
#: ``fresh`` guards the one thing a single statement can get wrong under READ COMMITTED: when the
#: lock waited for a concurrent writer, the locked row is re-read at its newest version, but the
#: joined entry still comes from the statement's older snapshot. The scalar subquery reads the
#: opportunity from that snapshot too; when its ``xmin`` differs from the locked row's, the row
#: changed while we waited and the caller reads the situation again (the lock is then held, so
#: the second statement sees what the other transaction committed). Every writer of entries
#: locks the opportunity first and updates its row (``version``), so a changed entry always
#: comes with a changed opportunity row.
SITUATION = f"""
SELECT {_OPPORTUNITY_COLUMNS},
       o.xmin = (SELECT f.xmin FROM opportunity f WHERE f.no = o.no) AS fresh,
       {_ENTRY_COLUMNS},
       sc.probability_calculation,
       CASE WHEN q.no IS NOT NULL THEN
         (SELECT coalesce(sum(l.amount), 0.00) FROM sales_quote_line l WHERE l.quote_no = q.no)
       END AS quote_amount,
       {stages_json("o.sales_cycle_code")} AS stages,
       s.time_zone, s.task_nos
FROM opportunity o
LEFT JOIN opportunity_entry e ON e.opportunity_no = o.no AND e.active
LEFT JOIN sales_cycle sc ON sc.code = o.sales_cycle_code
LEFT JOIN sales_quote q ON q.no = o.sales_quote_no
LEFT JOIN setup s ON s.id = {SETUP_ID}
WHERE o.no = $1
FOR UPDATE OF o"""

#: The entry columns the write inserts, in the order of its parameters ``$7`` on.
ENTRY_VALUES: Sequence[str] = tuple(c.name for c in ENTRY.columns if c.name not in ("entry_no", "created_at"))
_FIRST_ENTRY_PARAM = 7
_ENTRY_PARAMS = ", ".join(
    f"${i}::{_cast(ENTRY, name)}" for i, name in enumerate(ENTRY_VALUES, start=_FIRST_ENTRY_PARAM)
)
_TASK_PARAM = _FIRST_ENTRY_PARAM + len(ENTRY_VALUES)

#: The task columns given per task (one array each); the others are the same for every task.
TASK_ARRAYS = ("no", "description", "type", "date", "priority")

#: A lifecycle change in one statement (domain.md §2.2), after ``SITUATION`` took the lock:
#:
#: - ``old``: the active entry ``$2`` (null: none) steps down with its days open ``$3``;
#: - ``entry``: the new active entry (``$7`` …), inserted only once ``old`` ran (its count is read
#:   first): the one-active-entry index must see the old entry inactive before the new one;
#: - ``opp``: the opportunity's status, closed and date closed (``$4``–``$6``); its version and
#:   ``updated_at`` move only when this mutation has not written the row yet (``$T+7``, ``$T+8``);
#: - ``canceled``: with ``$T+6``, the opportunity's open tasks are cancelled, which closes them
#:   (domain.md §4); the statement's snapshot does not see the tasks it inserts;
#: - ``tasks``: the entered stage's organizer tasks (arrays ``$T`` … ``$T+4``, ``$T+5`` the
#:   date closed of cancelled ones is the work date), pointing at the new entry.
WRITE = f"""
WITH old AS (
  UPDATE opportunity_entry SET active = false, days_open = $3
  WHERE entry_no = $2
  RETURNING entry_no
), entry AS (
  INSERT INTO opportunity_entry ({", ".join(ENTRY_VALUES)})
  SELECT {_ENTRY_PARAMS}
  FROM (SELECT count(*) FROM old) AS stepped_down
  RETURNING *
), opp AS (
  UPDATE opportunity
  SET status = $4, closed = $5, date_closed = $6,
      version = version + CASE WHEN ${_TASK_PARAM + 7}::boolean THEN 1 ELSE 0 END,
      updated_at = coalesce(${_TASK_PARAM + 8}::timestamptz, updated_at)
  WHERE no = $1
  RETURNING version, updated_at
), canceled AS (
  UPDATE task
  SET recurring = false, canceled = true, closed = true, status = 'COMPLETED',
      date_closed = ${_TASK_PARAM + 5}::date
  WHERE ${_TASK_PARAM + 6}::boolean AND opportunity_no = $1 AND NOT closed
  RETURNING no
), tasks AS (
  INSERT INTO task (
    no, description, type, date, priority, status, closed, canceled, recurring, duration_days,
    system_task_type, salesperson_code, contact_no, contact_company_no, campaign_no,
    opportunity_no, opportunity_entry_no)
  SELECT t.no, t.description, t.type, t.date, t.priority, 'NOT_STARTED', false, false, false, 1,
         'ORGANIZER', entry.salesperson_code, entry.contact_no, entry.contact_company_no,
         entry.campaign_no, entry.opportunity_no, entry.entry_no
  FROM unnest(${_TASK_PARAM}::text[], ${_TASK_PARAM + 1}::text[], ${_TASK_PARAM + 2}::text[],
              ${_TASK_PARAM + 3}::date[], ${_TASK_PARAM + 4}::text[])
       AS t(no, description, type, date, priority)
  CROSS JOIN entry
  RETURNING no
)
SELECT entry.entry_no, entry.created_at, opp.version AS opportunity_version,
       opp.updated_at AS opportunity_updated_at
FROM entry, opp"""


#: What ``createOpportunity`` checks and reads, in one statement: the setup, whether its
#: opportunity series allows manual numbers, whether the manual number ``$1`` is taken, the
#: contact ``$2``, the salesperson ``$3`` (with ``$4``: the contact's), the sales cycle ``$5``
#: (with ``$6``: the setup's default) with its method and stages, the campaign ``$7``; and
#: without a manual number, the next number of the series (rolled back with the transaction
#: when a check fails).
CREATE_REFERENCES = f"""
WITH number AS (
  UPDATE number_series SET next_no = next_no + 1
  WHERE $1::text IS NULL AND code = (SELECT opportunity_nos FROM setup WHERE id = {SETUP_ID})
  RETURNING prefix, width, next_no
)
SELECT s.time_zone, s.opportunity_nos, s.task_nos,
       (SELECT n.manual_nos FROM number_series n WHERE n.code = s.opportunity_nos) AS manual_nos,
       EXISTS (SELECT FROM opportunity d WHERE d.no = $1::text) AS duplicate,
       c.no AS contact_no, c.company_no AS contact_company_no,
       c.salesperson_code AS contact_salesperson_code,
       sp.code AS salesperson_code, sp.blocked AS salesperson_blocked,
       sc.code AS sales_cycle_code, sc.blocked AS sales_cycle_blocked, sc.probability_calculation,
       {stages_json("sc.code")} AS stages,
       cp.no AS campaign_no, cp.activated AS campaign_activated,
       cp.starting_date AS campaign_starting_date, cp.ending_date AS campaign_ending_date,
       number.prefix AS number_prefix, number.width AS number_width, number.next_no AS number_after
FROM setup s
LEFT JOIN contact c ON c.no = $2::text
LEFT JOIN salesperson sp ON sp.code = CASE WHEN $4::boolean THEN c.salesperson_code ELSE $3::text END
LEFT JOIN sales_cycle sc ON sc.code = CASE WHEN $6::boolean THEN s.default_sales_cycle_code ELSE $5::text END
LEFT JOIN campaign cp ON cp.no = $7::text
LEFT JOIN number ON true
WHERE s.id = {SETUP_ID}"""

#: A new opportunity: every column but the timestamps, in this order.
NEW_OPPORTUNITY: Sequence[str] = tuple(
    c.name for c in OPPORTUNITY.columns if c.name not in ("created_at", "updated_at")
)
INSERT_OPPORTUNITY = f"""
INSERT INTO opportunity ({", ".join(NEW_OPPORTUNITY)})
VALUES ({", ".join(f"${i}" for i in range(1, len(NEW_OPPORTUNITY) + 1))})
RETURNING created_at, updated_at"""

#: A close code's type, locked FOR SHARE: a concurrent change of the type waits until the closing
#: entry is written.
CLOSE_CODE_OUTCOME = "SELECT type FROM close_opportunity_code WHERE code = $1 FOR SHARE"
