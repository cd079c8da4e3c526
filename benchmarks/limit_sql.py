"""The hand-written SQL of the limit app (``benchmarks/limit_app.py``): what one statement per read
costs when PostgreSQL builds the whole ``data`` object, and the fewest statements of a stage move.

The reads mirror the Strawberry types exactly, so that the limit answers what salesgraph answers:

- money (``estimatedValue``) is ``numeric(18,2)`` printed as text (``"1500.00"``); an opportunity
  without an active entry has ``"0.00"`` (``graph/types/opportunity.py``);
- percentages lose the storage's trailing zeros (``graph/types/common.py`` ``pct``), which is
  PostgreSQL's ``trim_scale``: ``42.5000`` → ``"42.5"``, ``100.0000`` → ``"100"``; without an
  active entry ``"0"``;
- ``currentStage`` is null without an active entry, on stage 0 (won/lost) or without a cycle, and
  is looked up in the entry's cycle (``stage_in_cycle``);
- connections page per parent (``LIMIT`` inside the ``LATERAL``) in ``NO`` order, and a cycle's
  ``stages`` are always in stage order;
- ``contact(no:)`` is case-insensitive (``lookup_key`` upper-cases the number).
"""

from __future__ import annotations

#: One opportunity of a connection page, ``op`` joined to its active entry ``e``.
_OPPORTUNITY = """
json_build_object(
  'no', op.no,
  'description', op.description,
  'status', op.status,
  'estimatedValue', coalesce(e.estimated_value, 0.00)::text,
  'probabilityPct', coalesce(trim_scale(e.probability_pct), 0)::text,
  'currentStage', (
    SELECT json_build_object('stage', cs.stage)
    FROM sales_cycle_stage cs
    WHERE e.sales_cycle_stage <> 0
      AND cs.sales_cycle_code = e.sales_cycle_code AND cs.stage = e.sales_cycle_stage
  ),
  'salesperson', (
    SELECT json_build_object('code', sp.code, 'name', sp.name, 'email', sp.email)
    FROM salesperson sp WHERE sp.code = op.salesperson_code
  ),
  'salesCycle', (
    SELECT json_build_object(
      'code', sc.code,
      'description', sc.description,
      'stages', (
        SELECT coalesce(json_agg(json_build_object(
                 'stage', st.stage,
                 'description', st.description,
                 'completedPct', trim_scale(st.completed_pct)::text,
                 'chancesOfSuccessPct', trim_scale(st.chances_of_success_pct)::text
               ) ORDER BY st.stage), '[]'::json)
        FROM sales_cycle_stage st WHERE st.sales_cycle_code = sc.code
      )
    )
    FROM sales_cycle sc WHERE sc.code = op.sales_cycle_code
  )
)"""

#: A contact ``c`` with the first ``{limit}`` of its opportunities in NO order.
_CONTACT = f"""
json_build_object(
  'no', c.no,
  'name', c.name,
  'type', c.type,
  'opportunities', json_build_object('nodes', (
    SELECT coalesce(json_agg({_OPPORTUNITY} ORDER BY op.no), '[]'::json)
    FROM (
      SELECT * FROM opportunity WHERE contact_no = c.no ORDER BY no LIMIT {{limit}}
    ) op
    LEFT JOIN opportunity_entry e ON e.opportunity_no = op.no AND e.active
  ))
)"""

#: ``nested.graphql``: $1 contacts, $2 opportunities each.
NESTED = f"""
SELECT json_build_object('contacts', json_build_object('nodes', (
  SELECT coalesce(json_agg({_CONTACT.format(limit="$2")} ORDER BY c.no), '[]'::json)
  FROM (SELECT * FROM contact ORDER BY no LIMIT $1) c
)))::text"""

#: ``one.graphql``: the contact numbered $1 (any case) with its first 20 opportunities.
ONE = f"""
SELECT json_build_object('contact', (
  SELECT {_CONTACT.format(limit="20")} FROM contact c WHERE c.no = upper($1)
))::text"""

# --- the stage move -------------------------------------------------------------------------------

#: Lock the opportunity and read, in the same statement, what the rules read besides the active
#: entry: its cycle's method and stages (with their activities' steps), the linked quote's amount
#: and the setup's time zone and task series.
MOVE_SITUATION = """
SELECT o.no, o.status, o.sales_cycle_code, o.contact_no, o.contact_company_no,
       o.salesperson_code, o.campaign_no,
       sc.probability_calculation,
       CASE WHEN q.no IS NOT NULL THEN
         (SELECT coalesce(sum(l.amount), 0.00) FROM sales_quote_line l WHERE l.quote_no = o.sales_quote_no)
       END AS quote_amount,
       (SELECT json_agg(json_build_object(
                'stage', st.stage, 'description', st.description,
                'completed_pct', st.completed_pct, 'chances_of_success_pct', st.chances_of_success_pct,
                'activity_code', st.activity_code, 'quote_required', st.quote_required,
                'allow_skip', st.allow_skip, 'date_formula', st.date_formula,
                'steps', (SELECT coalesce(json_agg(json_build_object(
                             'step_no', a.step_no, 'type', a.type, 'priority', a.priority,
                             'description', a.description, 'date_formula', a.date_formula)), '[]'::json)
                          FROM activity_step a WHERE a.activity_code = st.activity_code)
              ) ORDER BY st.stage)
        FROM sales_cycle_stage st WHERE st.sales_cycle_code = o.sales_cycle_code)::text AS stages,
       s.time_zone, s.task_nos
FROM opportunity o
LEFT JOIN sales_cycle sc ON sc.code = o.sales_cycle_code
LEFT JOIN sales_quote q ON q.no = o.sales_quote_no
CROSS JOIN setup s
WHERE o.no = upper($1)
FOR UPDATE OF o"""

#: Read the active entry and step it down in one statement, after the lock (a statement of its
#: own sees what a move that held the lock before wrote). Its days open count to the move's date,
#: which without an entered date is the later of the entry's and today ($2). The one-active-entry
#: index must see it inactive before the new entry is inserted.
MOVE_DEACTIVATE = """
UPDATE opportunity_entry
SET active = false, days_open = greatest(date_of_change, $2::date) - date_of_change
WHERE opportunity_no = $1 AND active
RETURNING entry_no, sales_cycle_stage, date_of_change, estimated_value"""

#: The new active entry and the opportunity's status and version, in one statement.
MOVE_INSERT = """
WITH entry AS (
  INSERT INTO opportunity_entry (
    opportunity_no, sales_cycle_code, sales_cycle_stage, sales_cycle_stage_description,
    previous_sales_cycle_stage, contact_no, contact_company_no, salesperson_code, campaign_no,
    date_of_change, active, date_closed, days_open, action_taken, estimated_value,
    calculated_current_value, completed_pct, chances_of_success_pct, probability_pct,
    close_opportunity_code, estimated_close_date)
  SELECT o.no, o.sales_cycle_code, $2, $3, $4, o.contact_no, o.contact_company_no,
         o.salesperson_code, o.campaign_no, $5, true, NULL, 0, $6, $7, $8, $9, $10, $11, NULL, $12
  FROM opportunity o WHERE o.no = $1
  RETURNING entry_no
), opp AS (
  UPDATE opportunity SET status = 'IN_PROGRESS', version = version + 1, updated_at = now()
  WHERE no = $1
  RETURNING version
)
SELECT entry.entry_no, opp.version FROM entry, opp"""

#: The next ``$2`` numbers of the series ``$1``.
TAKE_NUMBERS = """
UPDATE number_series SET next_no = next_no + $2 WHERE code = $1 RETURNING prefix, width, next_no"""

#: The organizer tasks of the entered stage's activity, all in one statement.
INSERT_TASKS = """
INSERT INTO task (
  no, description, type, date, priority, status, closed, canceled, recurring, duration_days,
  system_task_type, salesperson_code, contact_no, contact_company_no, campaign_no,
  opportunity_no, opportunity_entry_no)
SELECT t.no, t.description, t.type, t.date, t.priority, 'NOT_STARTED', false, false, false, 1,
       'ORGANIZER', $6, $7, $8, $9, $10, $11
FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[])
     AS t(no, description, type, date, priority)"""
