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
from typing import Any

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from models import (
    Activity,
    Campaign,
    CloseOpportunityCode,
    Contact,
    Opportunity,
    OpportunityEntry,
    SalesCycle,
    SalesCycleStage,
    SalesOrder,
    Salesperson,
    SalesQuote,
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
from resolvers.reads.loading import count_loader, group_loader, key_loader, page_loader
from resolvers.reads.opportunity import opportunity_rows
from resolvers.reads.pagination import Listing, PageArgs
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


def _first(row: Any) -> Any:
    return row[0]


class Loaders:
    """Loaders of one request and its viewer. Never share an instance between requests."""

    def __init__(self, sessions: SessionFactory, viewer: Viewer) -> None:
        self.sessions = sessions
        self.viewer = viewer
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}

    def _get(self, name: Hashable, build: Callable[[], DataLoader[Any, Any]]) -> DataLoader[Any, Any]:
        loader = self._loaders.get(name)
        if loader is None:
            loader = self._loaders[name] = build()
        return loader

    def _by(self, name: str, stmt: Any, key: Any, key_of: Callable[[Any], Any]) -> DataLoader[Any, Any]:
        return self._get(name, lambda: key_loader(self.sessions, restrict(stmt, self.viewer), key, key_of))

    # --- single rows by natural key (rows are tuples: (entity, …extras)) ------------------

    @property
    def salesperson_by_code(self) -> DataLoader[str, Any]:
        return self._by("SalespersonByCode", select(Salesperson), Salesperson.code, lambda r: r[0].code)

    @property
    def contact_by_no(self) -> DataLoader[str, Any]:
        return self._by("ContactByNo", select(Contact), Contact.no, lambda r: r[0].no)

    @property
    def campaign_by_no(self) -> DataLoader[str, Any]:
        return self._by("CampaignByNo", select(Campaign), Campaign.no, lambda r: r[0].no)

    @property
    def activity_by_code(self) -> DataLoader[str, Any]:
        return self._by("ActivityByCode", select(Activity), Activity.code, lambda r: r[0].code)

    @property
    def close_code_by_code(self) -> DataLoader[str, Any]:
        return self._by(
            "CloseOpportunityCodeByCode",
            select(CloseOpportunityCode),
            CloseOpportunityCode.code,
            lambda r: r[0].code,
        )

    @property
    def sales_cycle_by_code(self) -> DataLoader[str, Any]:
        """Cycles with their stages in one statement; the stages prime ``stages_by_sales_cycle``.

        Reading a stage through its cycle (``currentStage``, ``entry.stage``) therefore costs no
        statement beyond the cycle's own, and ``salesCycle { stages }`` none at all.
        """

        async def load(codes: list[str]) -> list[Any]:
            stmt = (
                select(SalesCycle, SalesCycleStage)
                .outerjoin(SalesCycleStage, SalesCycleStage.sales_cycle_code == SalesCycle.code)
                .where(SalesCycle.code.in_(codes))
                .order_by(SalesCycle.code, SalesCycleStage.stage)
            )
            async with self.sessions() as session:
                rows = (await session.execute(stmt)).all()
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

        return self._get("SalesCycleByCode", lambda: DataLoader(load_fn=load))

    @property
    def opportunity_by_no(self) -> DataLoader[str, Any]:
        return self._by("OpportunityByNo", opportunity_rows(), Opportunity.no, lambda r: r[0].no)

    @property
    def opportunity_by_sales_quote(self) -> DataLoader[str, Any]:
        return self._by(
            "OpportunityBySalesQuote",
            opportunity_rows(),
            Opportunity.sales_quote_no,
            lambda r: r[0].sales_quote_no,
        )

    @property
    def opportunity_by_sales_order(self) -> DataLoader[str, Any]:
        return self._by(
            "OpportunityBySalesOrder",
            opportunity_rows(),
            Opportunity.sales_order_no,
            lambda r: r[0].sales_order_no,
        )

    @property
    def days_in_current_stage_by_opportunity(self) -> DataLoader[str, Any]:
        """(no, days) of open opportunities; ``None`` for not started or closed ones."""
        # Built on first use only: the statement is costly to build once per field.
        return self._get(
            "DaysInCurrentStageByOpportunity",
            lambda: key_loader(
                self.sessions,
                restrict(days_in_current_stage(), self.viewer),
                CurrentEntry.opportunity_no,
                lambda r: r[0],
            ),
        )

    @property
    def entry_by_no(self) -> DataLoader[int, Any]:
        return self._by(
            "OpportunityEntryByNo",
            select(OpportunityEntry),
            OpportunityEntry.entry_no,
            lambda r: r[0].entry_no,
        )

    @property
    def task_by_no(self) -> DataLoader[str, Any]:
        return self._by("TaskByNo", select(Task), Task.no, lambda r: r[0].no)

    @property
    def sales_quote_by_no(self) -> DataLoader[str, Any]:
        return self._by("SalesQuoteByNo", quote_rows(), SalesQuote.no, lambda r: r[0].no)

    @property
    def sales_order_by_no(self) -> DataLoader[str, Any]:
        return self._by("SalesOrderByNo", order_rows(), SalesOrder.no, lambda r: r[0].no)

    # --- children grouped by parent ---------------------------------------------------------

    def _group(
        self, name: str, stmt: Any, parent: Any, parent_of: Callable[[Any], Any]
    ) -> DataLoader[Any, list[Any]]:
        return self._get(
            name, lambda: group_loader(self.sessions, restrict(stmt, self.viewer), parent, parent_of)
        )

    @property
    def stages_by_sales_cycle(self) -> DataLoader[str, list[Any]]:
        return self._group(
            "StagesBySalesCycle",
            stages_in_order(),
            SalesCycleStage.sales_cycle_code,
            lambda r: r[0].sales_cycle_code,
        )

    @property
    def steps_by_activity(self) -> DataLoader[str, list[Any]]:
        from models import ActivityStep

        return self._group(
            "StepsByActivity",
            steps_in_order(),
            ActivityStep.activity_code,
            lambda r: r[0].activity_code,
        )

    @property
    def lines_by_sales_quote(self) -> DataLoader[str, list[Any]]:
        from models import SalesQuoteLine

        return self._group(
            "LinesBySalesQuote",
            quote_lines_in_order(),
            SalesQuoteLine.quote_no,
            lambda r: r[0].quote_no,
        )

    @property
    def lines_by_sales_order(self) -> DataLoader[str, list[Any]]:
        from models import SalesOrderLine

        return self._group(
            "LinesBySalesOrder",
            order_lines_in_order(),
            SalesOrderLine.order_no,
            lambda r: r[0].order_no,
        )

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
        return self._get(
            "EntryCountByCloseCode", lambda: close_code_count_loader(self.sessions, self.viewer)
        )

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

        ``params`` (filter and ordering values) and ``args`` tell one page request from another.
        """
        return self._get(
            (relation, params, args),
            lambda: page_loader(self.sessions, scoped(listing(), self.viewer), parent, args),
        )

    def count_by(
        self,
        relation: str,
        params: Hashable,
        listing: Callable[[], Listing],
        parent: Any,
    ) -> DataLoader[Any, int]:
        """``totalCount`` of ``relation`` per parent, counting only rows the viewer may read."""
        return self._get(
            ("count", relation, params),
            lambda: count_loader(self.sessions, scoped(listing(), self.viewer), parent),
        )
