"""The per-request loaders: one per relation, created lazily, each batch one SQL statement.

Named as in STYLE.md (``SalespersonByCode``, ``OpportunitiesByContact``…). Connection loaders
are keyed by their arguments as well, because one request may page the same relation twice with
different ``first``/``filter``/``orderBy`` (under aliases).

The loaders belong to one viewer (the request's caller) and read only what it may read
(:mod:`resolvers.viewer`): every statement is narrowed by :func:`~resolvers.viewer.restrict` or
:func:`~resolvers.viewer.scoped`, so a lookup, ``node`` or relation to a row the viewer may not
read finds nothing (``None``), and a nested page or count never holds one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select
from strawberry.dataloader import DataLoader

from models import (
    Activity,
    ActivityStep,
    Campaign,
    CloseOpportunityCode,
    Contact,
    Opportunity,
    OpportunityEntry,
    SalesCycle,
    SalesCycleStage,
    SalesOrder,
    SalesOrderLine,
    Salesperson,
    SalesQuote,
    SalesQuoteLine,
    Task,
)
from resolvers.analytics.statistics import (
    Scope,
    StageStatistics,
    Statistics,
    StatisticsFilter,
    close_code_count_loader,
    stage_statistics_loader,
    statistics_loader,
)
from resolvers.reads.activity import steps_in_order
from resolvers.reads.loading import (
    KEYS,
    KeyedStatement,
    Loader,
    StatementCache,
    count_loader,
    fetch_rows,
    group_loader,
    key_loader,
    keyed_statement,
    page_loader,
    scope_of,
)
from resolvers.reads.opportunity import opportunity_rows
from resolvers.reads.pagination import AnySelect, Listing, PageArgs, counts_statement, pages_statement
from resolvers.reads.sales_cycle import stages_in_order
from resolvers.reads.sales_document import (
    order_lines_in_order,
    order_rows,
    quote_lines_in_order,
    quote_rows,
)
from resolvers.reads.stage_age import CurrentEntry, days_in_current_stage
from resolvers.session import SessionFactory
from resolvers.viewer import Viewer, restrict, scoped

#: What each key loader reads: its statement (unscoped, no key condition), the key column(s) the
#: batch's keys are matched on and how to tell a row's key. Built once per scope, see ``_keyed``.
_KEYED: dict[str, tuple[Callable[[], AnySelect], Callable[[], Any], Callable[[Any], Any]]] = {
    "SalespersonByCode": (lambda: select(Salesperson), lambda: Salesperson.code, lambda r: r[0].code),
    "ContactByNo": (lambda: select(Contact), lambda: Contact.no, lambda r: r[0].no),
    "CampaignByNo": (lambda: select(Campaign), lambda: Campaign.no, lambda r: r[0].no),
    "ActivityByCode": (lambda: select(Activity), lambda: Activity.code, lambda r: r[0].code),
    "CloseOpportunityCodeByCode": (
        lambda: select(CloseOpportunityCode),
        lambda: CloseOpportunityCode.code,
        lambda r: r[0].code,
    ),
    "OpportunityByNo": (opportunity_rows, lambda: Opportunity.no, lambda r: r[0].no),
    "OpportunityBySalesQuote": (
        opportunity_rows,
        lambda: Opportunity.sales_quote_no,
        lambda r: r[0].sales_quote_no,
    ),
    "OpportunityBySalesOrder": (
        opportunity_rows,
        lambda: Opportunity.sales_order_no,
        lambda r: r[0].sales_order_no,
    ),
    "DaysInCurrentStageByOpportunity": (
        days_in_current_stage,
        lambda: CurrentEntry.opportunity_no,
        lambda r: r[0],
    ),
    "OpportunityEntryByNo": (
        lambda: select(OpportunityEntry),
        lambda: OpportunityEntry.entry_no,
        lambda r: r[0].entry_no,
    ),
    "TaskByNo": (lambda: select(Task), lambda: Task.no, lambda r: r[0].no),
    "SalesQuoteByNo": (quote_rows, lambda: SalesQuote.no, lambda r: r[0].no),
    "SalesOrderByNo": (order_rows, lambda: SalesOrder.no, lambda r: r[0].no),
}

#: What each group loader reads: its ordered statement and the parent column.
_GROUPED: dict[str, tuple[Callable[[], AnySelect], Callable[[], Any]]] = {
    "StagesBySalesCycle": (stages_in_order, lambda: SalesCycleStage.sales_cycle_code),
    "StepsByActivity": (steps_in_order, lambda: ActivityStep.activity_code),
    "LinesBySalesQuote": (quote_lines_in_order, lambda: SalesQuoteLine.quote_no),
    "LinesBySalesOrder": (order_lines_in_order, lambda: SalesOrderLine.order_no),
}

#: Scopes are few (one for every role reading everything, one per salesperson), statements small.
STATEMENT_CACHE_SIZE = 1024
#: Nested pages and counts by (relation, filter and order values, page arguments, scope).
_PAGES = StatementCache(STATEMENT_CACHE_SIZE)
_COUNTS = StatementCache(STATEMENT_CACHE_SIZE)


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _keyed(name: str, scope: Viewer) -> KeyedStatement:
    build, key, key_of = _KEYED[name]
    return keyed_statement(restrict(build(), scope), key(), key_of)


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _grouped(name: str, scope: Viewer) -> KeyedStatement:
    build, parent = _GROUPED[name]
    column = parent()
    return keyed_statement(restrict(build(), scope), column, lambda row: getattr(row[0], column.key))


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _cycles_with_stages(scope: Viewer) -> AnySelect:
    stmt = (
        select(SalesCycle, SalesCycleStage)
        .outerjoin(SalesCycleStage, SalesCycleStage.sales_cycle_code == SalesCycle.code)
        .where(SalesCycle.code.in_(bindparam(KEYS, expanding=True)))
        .order_by(SalesCycle.code, SalesCycleStage.stage)
    )
    return restrict(stmt, scope)


class Loaders:
    """Loaders of one request and its viewer. Never share an instance between requests.

    A loader is built on its first use in the request; its statement comes from a cache shared
    by every request of the same scope (:func:`resolvers.reads.loading.scope_of`), with the
    batch's keys as a bound parameter, so a field that asks its loader builds no SQL.
    """

    def __init__(self, sessions: SessionFactory, viewer: Viewer) -> None:
        self.sessions = sessions
        self.viewer = viewer
        self.scope = scope_of(viewer)
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}
        #: Objects converted from loaded rows, for the fields of the request that read the same
        #: rows (a cycle's stages, read by every opportunity on it); forgotten with the loaders.
        self.converted: dict[Hashable, Any] = {}

    def _get(self, name: Hashable, build: Callable[[], DataLoader[Any, Any]]) -> DataLoader[Any, Any]:
        loader = self._loaders.get(name)
        if loader is None:
            loader = self._loaders[name] = build()
        return loader

    def _by(self, name: str) -> DataLoader[Any, Any]:
        loader = self._loaders.get(name)
        if loader is None:
            loader = self._loaders[name] = key_loader(self.sessions, _keyed(name, self.scope))
        return loader

    def _group(self, name: str) -> DataLoader[Any, list[Any]]:
        loader = self._loaders.get(name)
        if loader is None:
            loader = self._loaders[name] = group_loader(self.sessions, _grouped(name, self.scope))
        return loader

    # --- single rows by natural key (rows are tuples: (entity, …extras)) ------------------

    @property
    def salesperson_by_code(self) -> DataLoader[str, Any]:
        return self._by("SalespersonByCode")

    @property
    def contact_by_no(self) -> DataLoader[str, Any]:
        return self._by("ContactByNo")

    @property
    def campaign_by_no(self) -> DataLoader[str, Any]:
        return self._by("CampaignByNo")

    @property
    def activity_by_code(self) -> DataLoader[str, Any]:
        return self._by("ActivityByCode")

    @property
    def close_code_by_code(self) -> DataLoader[str, Any]:
        return self._by("CloseOpportunityCodeByCode")

    @property
    def sales_cycle_by_code(self) -> DataLoader[str, Any]:
        """Cycles with their stages in one statement; the stages prime ``stages_by_sales_cycle``.

        Reading a stage through its cycle (``currentStage``, ``entry.stage``) therefore costs no
        statement beyond the cycle's own, and ``salesCycle { stages }`` none at all.
        """
        loader = self._loaders.get("SalesCycleByCode")
        if loader is not None:
            return loader

        async def load(codes: list[str]) -> list[Any]:
            rows = await fetch_rows(self.sessions, _cycles_with_stages(self.scope), codes)
            cycles: dict[str, tuple[SalesCycle]] = {}
            stages: dict[str, list[tuple[SalesCycleStage]]] = {}
            for cycle, stage in rows:
                cycles[cycle.code] = (cycle,)
                stages.setdefault(cycle.code, [])
                if stage is not None:
                    stages[cycle.code].append((stage,))
            for code, cycle_stages in stages.items():
                self.stages_by_sales_cycle.prime(code, cycle_stages)
            return [cycles.get(code) for code in codes]

        return self._get("SalesCycleByCode", lambda: Loader(load_fn=load))

    @property
    def opportunity_by_no(self) -> DataLoader[str, Any]:
        return self._by("OpportunityByNo")

    @property
    def opportunity_by_sales_quote(self) -> DataLoader[str, Any]:
        return self._by("OpportunityBySalesQuote")

    @property
    def opportunity_by_sales_order(self) -> DataLoader[str, Any]:
        return self._by("OpportunityBySalesOrder")

    @property
    def days_in_current_stage_by_opportunity(self) -> DataLoader[str, Any]:
        """(no, days) of open opportunities; ``None`` for not started or closed ones."""
        return self._by("DaysInCurrentStageByOpportunity")

    @property
    def entry_by_no(self) -> DataLoader[int, Any]:
        return self._by("OpportunityEntryByNo")

    @property
    def task_by_no(self) -> DataLoader[str, Any]:
        return self._by("TaskByNo")

    @property
    def sales_quote_by_no(self) -> DataLoader[str, Any]:
        return self._by("SalesQuoteByNo")

    @property
    def sales_order_by_no(self) -> DataLoader[str, Any]:
        return self._by("SalesOrderByNo")

    # --- children grouped by parent ---------------------------------------------------------

    @property
    def stages_by_sales_cycle(self) -> DataLoader[str, list[Any]]:
        return self._group("StagesBySalesCycle")

    @property
    def steps_by_activity(self) -> DataLoader[str, list[Any]]:
        return self._group("StepsByActivity")

    @property
    def lines_by_sales_quote(self) -> DataLoader[str, list[Any]]:
        return self._group("LinesBySalesQuote")

    @property
    def lines_by_sales_order(self) -> DataLoader[str, list[Any]]:
        return self._group("LinesBySalesOrder")

    # --- statistics (resolvers/analytics/statistics.py): one statement per batch of parents ----------

    def statistics(self, scope: Scope, f: StatisticsFilter) -> DataLoader[str, Statistics]:
        return self._get(
            ("Statistics", scope, f), lambda: statistics_loader(self.sessions, scope, f, self.viewer)
        )

    def stage_statistics(self, f: StatisticsFilter) -> DataLoader[tuple[str, int], StageStatistics]:
        return self._get(
            ("StageStatistics", f), lambda: stage_statistics_loader(self.sessions, f, self.viewer)
        )

    @property
    def entries_by_close_code(self) -> DataLoader[str, int]:
        return self._get("EntryCountByCloseCode", lambda: close_code_count_loader(self.sessions, self.viewer))

    # --- nested connections: one page per parent --------------------------------------------

    def page_by(
        self,
        relation: str,
        params: Hashable,
        listing: Callable[[], Listing],
        parent: Any,
        args: PageArgs,
    ) -> DataLoader[Any, Any]:
        """Pages of ``relation`` (``OpportunitiesByContact``) for one set of arguments, holding only
        rows the viewer may read (``listing`` is scoped here).

        ``params`` (filter and ordering values) and ``args`` tell one page request from another:
        with the relation and the scope they determine the statement, built once for all requests.
        """

        def paged() -> tuple[Listing, AnySelect]:
            def build() -> tuple[Listing, AnySelect]:
                scoped_listing = scoped(listing(), self.scope)
                return scoped_listing, pages_statement(scoped_listing, parent, args, parent.type)

            return _PAGES.get((relation, params, args, self.scope), build)

        return self._get((relation, params, args), lambda: page_loader(self.sessions, paged, parent, args))

    def count_by(
        self,
        relation: str,
        params: Hashable,
        listing: Callable[[], Listing],
        parent: Any,
    ) -> DataLoader[Any, int]:
        """``totalCount`` of ``relation`` per parent, counting only rows the viewer may read."""

        def counted() -> tuple[Listing, AnySelect]:
            def build() -> tuple[Listing, AnySelect]:
                scoped_listing = scoped(listing(), self.scope)
                return scoped_listing, counts_statement(scoped_listing, parent)

            return _COUNTS.get((relation, params, self.scope), build)

        return self._get(("count", relation, params), lambda: count_loader(self.sessions, counted, parent))
