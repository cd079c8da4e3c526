"""Who is calling, and the one place that decides which rows a caller may read (api.md §7.1).

Every read narrows its rows here, with a SQL condition added to its own statement (a WHERE, never
a statement of its own): root lists and nested pages through :func:`scoped`, the loaders behind
lookups, ``node``/``nodes`` and relations through :func:`restrict`, statistics and analytics
through :func:`visible` on the table they aggregate. A row the caller may not read is therefore
never returned, never counted and never a cursor.

What a ``SALESPERSON`` reads (bound to one salesperson, ``S``):

* master data in full: salespeople, contacts, cycles and stages, close codes, activities,
  campaigns, setup;
* an opportunity whose ``salesperson_code`` is ``S``;
* an opportunity entry whose *opportunity* is ``S``'s (its own ``salesperson_code`` is a copy made
  when the entry was written; the opportunity's current salesperson decides);
* a task whose ``salesperson_code`` is ``S`` (whatever its opportunity);
* a sales quote (order) linked to an opportunity (``opportunity.sales_quote_no`` /
  ``sales_order_no``, the only copy of the link) when that opportunity is ``S``'s; an unlinked one
  when its own ``salesperson_code`` is ``S``. The link wins over the document's own salesperson, so
  a quote on someone else's opportunity stays theirs even if it names ``S``.

A ``SALESPERSON`` without a salesperson reads none of those. Every other role (``ADMIN``,
``MANAGER``, ``READ_ONLY``, and ``ANONYMOUS`` until every caller is authenticated) reads every row.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, inspect, or_, select
from sqlalchemy.orm import aliased

from models import Opportunity, OpportunityEntry, SalesOrder, SalesQuote, Task
from resolvers.reads.pagination import AnySelect, Listing


class Role(enum.Enum):
    ANONYMOUS = "ANONYMOUS"
    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    SALESPERSON = "SALESPERSON"
    READ_ONLY = "READ_ONLY"


@dataclass(frozen=True, slots=True)
class Viewer:
    role: Role = Role.ANONYMOUS
    salesperson_code: str | None = None
    key_name: str | None = None

    @property
    def reads_everything(self) -> bool:
        """Every role but ``SALESPERSON`` reads every row."""
        return self.role is not Role.SALESPERSON


ANONYMOUS = Viewer()

#: The tables whose rows a salesperson reads only its own of; every other table is master data.
SCOPED_MODELS: tuple[type[Any], ...] = (Opportunity, OpportunityEntry, Task, SalesQuote, SalesOrder)


def _model_of(entity: Any) -> type[Any] | None:
    """The mapped class of an ORM entity or of an alias of one; ``None`` for anything else."""
    info = inspect(entity, raiseerr=False)
    mapper = getattr(info, "mapper", None)
    return None if mapper is None else mapper.class_


# Each subquery reads a fresh alias of ``opportunity``, so it never correlates with an outer
# query that reads ``opportunity`` itself (the opportunity list, the analytics).


def _opportunity_is_own(no: Any, code: str) -> ColumnElement[bool]:
    o = aliased(Opportunity)
    condition: ColumnElement[bool] = no.in_(select(o.no).where(o.salesperson_code == code))
    return condition


def _document_is_own(row: Any, link: str, code: str) -> ColumnElement[bool]:
    """A quote or order (``row``) linked through ``opportunity.<link>``: see the module docstring."""
    owner, other = aliased(Opportunity), aliased(Opportunity)
    linked_to_own = row.no.in_(select(getattr(owner, link)).where(owner.salesperson_code == code))
    linked = exists().where(getattr(other, link) == row.no)
    return or_(linked_to_own, and_(row.salesperson_code == code, ~linked))


def visible(viewer: Viewer, entity: Any) -> ColumnElement[bool] | None:
    """The condition a row of ``entity`` (a model class, or an alias of one as in the analytics'
    subqueries) meets when ``viewer`` may read it; ``None`` when it may read every row."""
    model = _model_of(entity)
    if viewer.reads_everything or model not in SCOPED_MODELS:
        return None
    code = viewer.salesperson_code
    if code is None:
        return false()
    if model is Opportunity or model is Task:
        condition: ColumnElement[bool] = entity.salesperson_code == code
        return condition
    if model is OpportunityEntry:
        return _opportunity_is_own(entity.opportunity_no, code)
    return _document_is_own(entity, "sales_quote_no" if model is SalesQuote else "sales_order_no", code)


def visible_conditions(viewer: Viewer, *entities: Any) -> list[ColumnElement[bool]]:
    """:func:`visible` of each entity, as a list to spread into ``where(...)``."""
    conditions = [visible(viewer, entity) for entity in entities]
    return [c for c in conditions if c is not None]


def restrict(stmt: AnySelect, viewer: Viewer) -> AnySelect:
    """``stmt`` narrowed to the rows ``viewer`` may read, judged on its first selected entity
    (``select(Opportunity, ActiveEntry)`` by the opportunity)."""
    entity = stmt.column_descriptions[0]["entity"] if stmt.column_descriptions else None
    condition = None if entity is None else visible(viewer, entity)
    return stmt if condition is None else stmt.where(condition)


def scoped(listing: Listing, viewer: Viewer) -> Listing:
    """Every list passes through here: root lists, nested pages and their ``totalCount``."""
    return Listing(restrict(listing.stmt, viewer), listing.orders, listing.name)
