"""What the read compiler knows of each GraphQL type: its table, its fields as SQL, its lists.

Every entry mirrors a resolver of ``graph/types`` (and the listings of ``resolvers/reads``): the
same columns, the same formatting (``pct`` strips a percentage's trailing zeros, money keeps its
two decimals), the same relation keys, filters, sort keys and visibility. The differential test
(``tests/compiled``) runs both paths on the same data and fails on any difference, so an entry
here that drifts from its resolver is caught. A field not listed here is not compiled: the
operation runs on the resolver path. The lists (sort keys, filters) are in
:mod:`resolvers.reads.compiled.listings`.

SQL templates use ``{t}`` for the object's row and ``{e}`` for an opportunity's active entry;
``{p}``/``{pe}`` in a relation's condition are the parent's.
"""

from __future__ import annotations

from dataclasses import dataclass

#: How a scalar column becomes JSON: as PostgreSQL encodes it, as text (money), as a percentage
#: without trailing zeros, or as an ISO 8601 timestamp exactly as Python's ``isoformat`` prints it.
RAW, TEXT, PCT, TIMESTAMP = "raw", "text", "pct", "timestamp"


@dataclass(frozen=True, slots=True)
class Column:
    sql: str
    format: str = RAW


@dataclass(frozen=True, slots=True)
class ToOne:
    """A related object: the target row meeting ``on``; null when ``guard`` (on the parent) fails."""

    target: str
    on: str
    guard: str | None = None
    #: Visibility of the target applies (a loader's ``restrict``); not for the joined active entry.
    scoped: bool = True


@dataclass(frozen=True, slots=True)
class ToMany:
    """An unpaged list of related objects, in ``order``."""

    target: str
    on: str
    order: str


@dataclass(frozen=True, slots=True)
class Paged:
    """A nested connection: ``listing`` narrowed to the rows meeting ``on``; none when ``guard`` fails."""

    listing: str
    on: str
    guard: str | None = None


@dataclass(frozen=True, slots=True)
class Either:
    """A union-typed relation: the first option whose guard holds (``Opportunity.salesDocument``)."""

    options: tuple[tuple[str, ToOne], ...]


@dataclass(frozen=True, slots=True)
class Computed:
    """A figure computed from entries (:mod:`resolvers.reads.compiled.statistics`): ``statistics``
    of a scope (``SALESPERSON``…), ``stage_statistics``, ``close_code_count``, ``days_in_stage``."""

    kind: str
    scope: str | None = None


Field = Column | ToOne | ToMany | Paged | Either | Computed


@dataclass(frozen=True, slots=True)
class Source:
    table: str
    #: The natural key (the global ID's parts) as (column, cursor kind).
    key: tuple[tuple[str, str], ...]
    fields: dict[str, Field]
    #: Which visibility rule of ``resolvers.viewer`` its rows follow (``None``: master data).
    scope: str | None = None
    #: Opportunities come with their active entry (``{e}``), as ``opportunity_rows`` reads them.
    active_entry: bool = False


def _pct(column: str) -> Column:
    return Column(column, PCT)


def _money(column: str) -> Column:
    return Column(column, TEXT)


def _raw(*names: str) -> dict[str, Field]:
    """Fields read as their own snake_case column (``phoneNo`` → ``phone_no``)."""
    return {
        name: Column("{t}." + "".join("_" + c.lower() if c.isupper() else c for c in name)) for name in names
    }


SALESPERSON = ToOne("Salesperson", "{t}.code = {p}.salesperson_code")
CONTACT = ToOne("Contact", "{t}.no = {p}.contact_no")

SOURCES: dict[str, Source] = {
    "Salesperson": Source(
        "salesperson",
        (("code", "s"),),
        {
            **_raw("code", "name", "email", "phoneNo", "jobTitle", "blocked", "privacyBlocked"),
            "commissionPct": _pct("{t}.commission_pct"),
            "statistics": Computed("statistics", "SALESPERSON"),
            "opportunities": Paged("opportunity", "{t}.salesperson_code = {p}.code"),
            "tasks": Paged("task", "{t}.salesperson_code = {p}.code"),
        },
    ),
    "Contact": Source(
        "contact",
        (("no", "s"),),
        {
            **_raw("no", "type", "name", "email", "phoneNo", "companyNo"),
            "company": ToOne("Contact", "{t}.no = {p}.company_no"),
            "statistics": Computed("statistics", "CONTACT"),
            "salesperson": SALESPERSON,
            # A person has no persons: the resolver pages them by company number "" (none).
            "persons": Paged(
                "contact", "{t}.company_no = {p}.no AND {t}.type = 'PERSON'", guard="{p}.type = 'COMPANY'"
            ),
            "opportunities": Paged("opportunity", "{t}.contact_no = {p}.no"),
        },
    ),
    "Campaign": Source(
        "campaign",
        (("no", "s"),),
        {
            **_raw("no", "description", "startingDate", "endingDate", "activated"),
            "statistics": Computed("statistics", "CAMPAIGN"),
            "salesperson": SALESPERSON,
            "opportunities": Paged("opportunity", "{t}.campaign_no = {p}.no"),
        },
    ),
    "SalesCycle": Source(
        "sales_cycle",
        (("code", "s"),),
        {
            **_raw("code", "description", "probabilityCalculation", "blocked"),
            "statistics": Computed("statistics", "SALES_CYCLE"),
            "stages": ToMany("SalesCycleStage", "{t}.sales_cycle_code = {p}.code", "{t}.stage"),
            "opportunities": Paged("opportunity", "{t}.sales_cycle_code = {p}.code"),
        },
    ),
    "SalesCycleStage": Source(
        "sales_cycle_stage",
        (("sales_cycle_code", "s"), ("stage", "i")),
        {
            **_raw("salesCycleCode", "stage", "description", "quoteRequired", "allowSkip", "dateFormula"),
            "completedPct": _pct("{t}.completed_pct"),
            "chancesOfSuccessPct": _pct("{t}.chances_of_success_pct"),
            "statistics": Computed("stage_statistics"),
            "salesCycle": ToOne("SalesCycle", "{t}.code = {p}.sales_cycle_code"),
            "activity": ToOne("Activity", "{t}.code = {p}.activity_code"),
        },
    ),
    "Activity": Source(
        "activity",
        (("code", "s"),),
        {
            **_raw("code", "description"),
            "steps": ToMany("ActivityStep", "{t}.activity_code = {p}.code", "{t}.step_no"),
        },
    ),
    "ActivityStep": Source(
        "activity_step",
        (),
        _raw("stepNo", "type", "description", "priority", "dateFormula"),
    ),
    "CloseOpportunityCode": Source(
        "close_opportunity_code",
        (("code", "s"),),
        {**_raw("code", "description", "type"), "noOfOpportunities": Computed("close_code_count")},
    ),
    "Opportunity": Source(
        "opportunity",
        (("no", "s"),),
        {
            **_raw(
                "no", "description", "status", "priority", "closed", "dateClosed", "creationDate", "version"
            ),
            "estimatedValue": _money("coalesce({e}.estimated_value, 0.00)"),
            "calculatedCurrentValue": _money("coalesce({e}.calculated_current_value, 0.00)"),
            "probabilityPct": _pct("coalesce({e}.probability_pct, 0)"),
            "chancesOfSuccessPct": _pct("coalesce({e}.chances_of_success_pct, 0)"),
            "completedPct": _pct("coalesce({e}.completed_pct, 0)"),
            "estimatedClosingDate": Column("{e}.estimated_close_date"),
            "daysInCurrentStage": Computed("days_in_stage"),
            "activeEntry": ToOne(
                "OpportunityEntry",
                "{t}.entry_no = {pe}.entry_no",
                guard="{pe}.entry_no IS NOT NULL",
                scoped=False,
            ),
            "currentStage": ToOne(
                "SalesCycleStage",
                "{t}.sales_cycle_code = {pe}.sales_cycle_code AND {t}.stage = {pe}.sales_cycle_stage",
                guard="{pe}.sales_cycle_stage <> 0 AND {pe}.sales_cycle_code <> ''",
            ),
            "contact": CONTACT,
            "contactCompany": ToOne("Contact", "{t}.no = {p}.contact_company_no"),
            "salesperson": SALESPERSON,
            "salesCycle": ToOne("SalesCycle", "{t}.code = {p}.sales_cycle_code"),
            "campaign": ToOne("Campaign", "{t}.no = {p}.campaign_no"),
            "salesDocument": Either(
                (
                    (
                        "SalesQuote",
                        ToOne(
                            "SalesQuote",
                            "{t}.no = {p}.sales_quote_no",
                            guard="{p}.sales_quote_no IS NOT NULL",
                        ),
                    ),
                    ("SalesOrder", ToOne("SalesOrder", "{t}.no = {p}.sales_order_no")),
                )
            ),
            "entries": Paged("opportunity_entry", "{t}.opportunity_no = {p}.no"),
            "tasks": Paged("task", "{t}.opportunity_no = {p}.no"),
        },
        scope="opportunity",
        active_entry=True,
    ),
    "OpportunityEntry": Source(
        "opportunity_entry",
        (("entry_no", "i"),),
        {
            **_raw(
                "entryNo",
                "dateOfChange",
                "active",
                "dateClosed",
                "daysOpen",
                "actionTaken",
                "estimatedCloseDate",
            ),
            "stageNo": Column("{t}.sales_cycle_stage"),
            "previousStageNo": Column("{t}.previous_sales_cycle_stage"),
            "stageDescription": Column("{t}.sales_cycle_stage_description"),
            "estimatedValue": _money("{t}.estimated_value"),
            "calculatedCurrentValue": _money("{t}.calculated_current_value"),
            "completedPct": _pct("{t}.completed_pct"),
            "chancesOfSuccessPct": _pct("{t}.chances_of_success_pct"),
            "probabilityPct": _pct("{t}.probability_pct"),
            "createdAt": Column("{t}.created_at", TIMESTAMP),
            "opportunity": ToOne("Opportunity", "{t}.no = {p}.opportunity_no"),
            "salesCycle": ToOne("SalesCycle", "{t}.code = {p}.sales_cycle_code"),
            "stage": ToOne(
                "SalesCycleStage",
                "{t}.sales_cycle_code = {p}.sales_cycle_code AND {t}.stage = {p}.sales_cycle_stage",
                guard="{p}.sales_cycle_stage <> 0",
            ),
            "closeOpportunityCode": ToOne("CloseOpportunityCode", "{t}.code = {p}.close_opportunity_code"),
            "salesperson": SALESPERSON,
            "contact": CONTACT,
        },
        scope="entry",
    ),
    "Task": Source(
        "task",
        (("no", "s"),),
        {
            **_raw(
                "no",
                "description",
                "type",
                "date",
                "priority",
                "status",
                "closed",
                "canceled",
                "dateClosed",
                "systemTaskType",
            ),
            "salesperson": SALESPERSON,
            "contact": CONTACT,
            "opportunity": ToOne("Opportunity", "{t}.no = {p}.opportunity_no"),
            "opportunityEntry": ToOne("OpportunityEntry", "{t}.entry_no = {p}.opportunity_entry_no"),
        },
        scope="task",
    ),
    "SalesQuote": Source(
        "sales_quote",
        (("no", "s"),),
        {
            **_raw("no", "documentDate", "orderDate", "shipmentDate"),
            "amount": _money(
                "(SELECT coalesce(sum(l.amount), 0.00) FROM sales_quote_line l WHERE l.quote_no = {t}.no)"
            ),
            "contact": CONTACT,
            "salesperson": SALESPERSON,
            "opportunity": ToOne("Opportunity", "{t}.sales_quote_no = {p}.no"),
            "lines": ToMany("SalesLine", "{t}.quote_no = {p}.no", "{t}.line_no"),
        },
        scope="quote",
    ),
    "SalesOrder": Source(
        "sales_order",
        (("no", "s"),),
        {
            **_raw("no", "quoteNo", "documentDate"),
            "amount": _money(
                "(SELECT coalesce(sum(l.amount), 0.00) FROM sales_order_line l WHERE l.order_no = {t}.no)"
            ),
            "contact": CONTACT,
            "salesperson": SALESPERSON,
            "opportunity": ToOne("Opportunity", "{t}.sales_order_no = {p}.no"),
            "lines": ToMany("SalesOrderLine", "{t}.order_no = {p}.no", "{t}.line_no"),
        },
        scope="order",
    ),
}

_LINE_FIELDS: dict[str, Field] = {
    **_raw("lineNo", "description"),
    "quantity": _money("{t}.quantity"),
    "unitPrice": _money("{t}.unit_price"),
    "lineDiscountPct": _pct("{t}.line_discount_pct"),
    "amount": _money("{t}.amount"),
}
SOURCES["SalesLine"] = Source("sales_quote_line", (), _LINE_FIELDS)
#: Order lines are the GraphQL type ``SalesLine`` too; only their table differs.
SOURCES["SalesOrderLine"] = Source("sales_order_line", (), _LINE_FIELDS)

#: The GraphQL type an entry of ``SOURCES`` answers as.
GRAPHQL_TYPE = {name: name for name in SOURCES} | {"SalesOrderLine": "SalesLine"}


def _series(column: str) -> ToOne:
    return ToOne("NumberSeries", f"{{t}}.code = {{p}}.{column}")


SOURCES["NumberSeries"] = Source(
    "number_series", (), _raw("code", "description", "prefix", "width", "nextNo", "manualNos")
)
SOURCES["Setup"] = Source(
    "setup",
    (),
    {
        **_raw("timeZone", "currencyCode"),
        "opportunityNos": _series("opportunity_nos"),
        "taskNos": _series("task_nos"),
        "contactNos": _series("contact_nos"),
        "campaignNos": _series("campaign_nos"),
        "quoteNos": _series("quote_nos"),
        "orderNos": _series("order_nos"),
        "defaultSalesCycle": ToOne("SalesCycle", "{t}.code = {p}.default_sales_cycle_code"),
        "defaultSalesperson": ToOne("Salesperson", "{t}.code = {p}.default_salesperson_code"),
    },
)
GRAPHQL_TYPE.update({"NumberSeries": "NumberSeries", "Setup": "Setup"})
