"""What the read compiler knows of each list: its sort keys, its filters, and the resolver
listing whose fingerprint its cursors carry (mirrors ``resolvers/reads/*`` listings; see
:mod:`resolvers.reads.compiled.catalog`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from resolvers.reads import activity, campaign, contact, entry, opportunity, sales_cycle, salesperson, task
from resolvers.reads import sales_document as documents
from resolvers.reads.pagination import Listing

#: A filter field: (kind, SQL column template). Kinds: ``eq`` (equal), ``code`` (equal after
#: :func:`resolvers.reads.filters.code_key`), ``enum`` (equal to an enum's name), ``any`` (one of
#: a list of enum names), ``from``/``to`` (a date range), ``contains`` (a case-insensitive
#: substring), ``active_on`` (campaigns running on a date), ``stalled`` (days in stage).
Filter = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ListingSpec:
    target: str
    #: Sort keys by ``orderBy`` field: (SQL template, cursor kind). Nullable columns are coalesced
    #: exactly as the resolver's ``ORDER_COLUMNS``.
    orders: dict[str, tuple[str, str]]
    unique: str
    filters: dict[str, Filter]
    #: The resolver's own listing for an ordering: its fingerprint makes the cursors the same.
    resolver_listing: Callable[[list[tuple[str, bool]]], Listing]
    #: Conditions every row of the list meets (``opportunity_rows`` joins; none elsewhere).
    always: tuple[str, ...] = field(default=())


#: The resolvers coalesce a missing date to ``date(1, 1, 1)``, which asyncpg sends as ``-infinity``
#: (its encoding of ``date.min``) and reads back as ``date.min``: the same key here.
_NO_DATE = "'-infinity'::date"

_OPPORTUNITY_FILTERS: dict[str, Filter] = {
    "status": ("any", "{t}.status"),
    "closed": ("eq", "{t}.closed"),
    "salespersonCode": ("code", "{t}.salesperson_code"),
    "contactNo": ("code", "{t}.contact_no"),
    "contactCompanyNo": ("code", "{t}.contact_company_no"),
    "campaignNo": ("code", "{t}.campaign_no"),
    "salesCycleCode": ("code", "{t}.sales_cycle_code"),
    "currentStage": ("eq", "{e}.sales_cycle_stage"),
    "priority": ("any", "{t}.priority"),
    "creationDateFrom": ("from", "{t}.creation_date"),
    "creationDateTo": ("to", "{t}.creation_date"),
    "estimatedClosingDateFrom": ("from", "{e}.estimated_close_date"),
    "estimatedClosingDateTo": ("to", "{e}.estimated_close_date"),
    "dateClosedFrom": ("from", "{t}.date_closed"),
    "dateClosedTo": ("to", "{t}.date_closed"),
    "search": ("contains", "{t}.description"),
    "stalledForDays": ("stalled", "{e}"),
}


def _ordered(
    build: Callable[[Any, list[tuple[str, bool]]], Listing],
) -> Callable[[list[tuple[str, bool]]], Listing]:
    return lambda order: build(None, order)


def _document_spec(target: str, build: Callable[[Any, list[tuple[str, bool]]], Listing]) -> ListingSpec:
    """Quotes and orders list alike (``_document_listing``); only their table and name differ."""
    return ListingSpec(
        target,
        {"NO": ("{t}.no", "s"), "DOCUMENT_DATE": ("{t}.document_date", "d")},
        "NO",
        {
            "contactNo": ("code", "{t}.contact_no"),
            "salespersonCode": ("code", "{t}.salesperson_code"),
            "documentDateFrom": ("from", "{t}.document_date"),
            "documentDateTo": ("to", "{t}.document_date"),
        },
        _ordered(build),
    )


LISTINGS: dict[str, ListingSpec] = {
    "salesperson": ListingSpec(
        "Salesperson",
        {"CODE": ("{t}.code", "s"), "NAME": ("{t}.name", "s")},
        "CODE",
        {"blocked": ("eq", "{t}.blocked"), "search": ("contains", "{t}.name")},
        _ordered(salesperson.salesperson_listing),
    ),
    "contact": ListingSpec(
        "Contact",
        {"NO": ("{t}.no", "s"), "NAME": ("{t}.name", "s")},
        "NO",
        {
            "type": ("enum", "{t}.type"),
            "companyNo": ("code", "{t}.company_no"),
            "salespersonCode": ("code", "{t}.salesperson_code"),
            "search": ("contains", "{t}.name"),
        },
        _ordered(contact.contact_listing),
    ),
    "sales_cycle": ListingSpec(
        "SalesCycle",
        {"CODE": ("{t}.code", "s"), "DESCRIPTION": ("{t}.description", "s")},
        "CODE",
        {"blocked": ("eq", "{t}.blocked"), "search": ("contains", "{t}.description")},
        _ordered(sales_cycle.sales_cycle_listing),
    ),
    "close_opportunity_code": ListingSpec(
        "CloseOpportunityCode",
        {"CODE": ("{t}.code", "s"), "DESCRIPTION": ("{t}.description", "s")},
        "CODE",
        {"type": ("enum", "{t}.type"), "search": ("contains", "{t}.description")},
        _ordered(activity.close_code_listing),
    ),
    "activity": ListingSpec(
        "Activity",
        {"CODE": ("{t}.code", "s"), "DESCRIPTION": ("{t}.description", "s")},
        "CODE",
        {"search": ("contains", "{t}.description")},
        _ordered(activity.activity_listing),
    ),
    "campaign": ListingSpec(
        "Campaign",
        {
            "NO": ("{t}.no", "s"),
            "DESCRIPTION": ("{t}.description", "s"),
            "STARTING_DATE": (f"coalesce({{t}}.starting_date, {_NO_DATE})", "d"),
        },
        "NO",
        {
            "activated": ("eq", "{t}.activated"),
            "salespersonCode": ("code", "{t}.salesperson_code"),
            "activeOn": ("active_on", "{t}"),
            "search": ("contains", "{t}.description"),
        },
        _ordered(campaign.campaign_listing),
    ),
    "opportunity": ListingSpec(
        "Opportunity",
        {
            "NO": ("{t}.no", "s"),
            "DESCRIPTION": ("{t}.description", "s"),
            "CREATION_DATE": ("{t}.creation_date", "d"),
            "ESTIMATED_VALUE": ("coalesce({e}.estimated_value, 0)", "n"),
            "CALCULATED_CURRENT_VALUE": ("coalesce({e}.calculated_current_value, 0)", "n"),
            "ESTIMATED_CLOSING_DATE": (f"coalesce({{e}}.estimated_close_date, {_NO_DATE})", "d"),
            "PROBABILITY_PCT": ("coalesce({e}.probability_pct, 0)", "n"),
            "DATE_CLOSED": (f"coalesce({{t}}.date_closed, {_NO_DATE})", "d"),
        },
        "NO",
        _OPPORTUNITY_FILTERS,
        _ordered(opportunity.opportunity_listing),
    ),
    "opportunity_entry": ListingSpec(
        "OpportunityEntry",
        {"ENTRY_NO": ("{t}.entry_no", "i"), "DATE_OF_CHANGE": ("{t}.date_of_change", "d")},
        "ENTRY_NO",
        {
            "opportunityNo": ("code", "{t}.opportunity_no"),
            "active": ("eq", "{t}.active"),
            "actionTaken": ("any", "{t}.action_taken"),
            "salesCycleCode": ("code", "{t}.sales_cycle_code"),
            "stage": ("eq", "{t}.sales_cycle_stage"),
            "salespersonCode": ("code", "{t}.salesperson_code"),
            "contactNo": ("code", "{t}.contact_no"),
            "closeOpportunityCode": ("code", "{t}.close_opportunity_code"),
            "dateOfChangeFrom": ("from", "{t}.date_of_change"),
            "dateOfChangeTo": ("to", "{t}.date_of_change"),
        },
        _ordered(entry.entry_listing),
    ),
    "task": ListingSpec(
        "Task",
        {"NO": ("{t}.no", "s"), "DATE": ("{t}.date", "d"), "DESCRIPTION": ("{t}.description", "s")},
        "NO",
        {
            "status": ("any", "{t}.status"),
            "closed": ("eq", "{t}.closed"),
            "canceled": ("eq", "{t}.canceled"),
            "salespersonCode": ("code", "{t}.salesperson_code"),
            "contactNo": ("code", "{t}.contact_no"),
            "opportunityNo": ("code", "{t}.opportunity_no"),
            "dateFrom": ("from", "{t}.date"),
            "dateTo": ("to", "{t}.date"),
            "search": ("contains", "{t}.description"),
        },
        _ordered(task.task_listing),
    ),
    "sales_quote": _document_spec("SalesQuote", documents.quote_listing),
    "sales_order": _document_spec("SalesOrder", documents.order_listing),
}

#: Root lists and lookups: GraphQL root field → listing, or → (type, lookup key kind).
ROOT_LISTS = {
    "salespeople": "salesperson",
    "contacts": "contact",
    "salesCycles": "sales_cycle",
    "closeOpportunityCodes": "close_opportunity_code",
    "activities": "activity",
    "campaigns": "campaign",
    "opportunities": "opportunity",
    "opportunityEntries": "opportunity_entry",
    "tasks": "task",
    "salesQuotes": "sales_quote",
    "salesOrders": "sales_order",
}
#: Root lookup → (type, argument, key column, the key is a code/number (upper-cased) or an int).
ROOT_LOOKUPS = {
    "salesperson": ("Salesperson", "code", "code"),
    "contact": ("Contact", "no", "no"),
    "salesCycle": ("SalesCycle", "code", "code"),
    "closeOpportunityCode": ("CloseOpportunityCode", "code", "code"),
    "activity": ("Activity", "code", "code"),
    "campaign": ("Campaign", "no", "no"),
    "opportunity": ("Opportunity", "no", "no"),
    "opportunityEntry": ("OpportunityEntry", "entryNo", "entry_no"),
    "task": ("Task", "no", "no"),
    "salesQuote": ("SalesQuote", "no", "no"),
    "salesOrder": ("SalesOrder", "no", "no"),
}
