"""Resolving global IDs: ``node(id:)`` and ``nodes(ids:)``, batched through the loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from graph.context import Info
from graph.relay import Node, decode_id
from graph.types.activity import Activity, CloseOpportunityCode
from graph.types.campaign import Campaign
from graph.types.common import load_one
from graph.types.contact import Contact
from graph.types.entry import OpportunityEntry
from graph.types.opportunity import Opportunity
from graph.types.sales_cycle import SalesCycle, stage_in_cycle
from graph.types.sales_document import SalesOrder, SalesQuote
from graph.types.salesperson import Salesperson
from graph.types.task import Task
from resolvers.errors import RequestError
from resolvers.reads.loaders import Loaders

MAX_IDS = 100

Resolve = Callable[[Info, list[Any]], Awaitable[Node | None]]


def _by_loader(loader: Callable[[Loaders], Any], convert: Callable[[Any], Node], key_type: type) -> Resolve:
    async def resolve(info: Info, key: list[Any]) -> Node | None:
        if len(key) != 1 or not isinstance(key[0], key_type):
            return None
        return await load_one(loader(info.context.loaders), key[0], convert)

    return resolve


async def _stage(info: Info, key: list[Any]) -> Node | None:
    if len(key) != 2 or not isinstance(key[0], str) or not isinstance(key[1], int):
        return None
    return await stage_in_cycle(info, key[0], key[1])


RESOLVERS: dict[str, Resolve] = {
    "Salesperson": _by_loader(lambda ld: ld.salesperson_by_code, Salesperson.from_row, str),
    "Contact": _by_loader(lambda ld: ld.contact_by_no, Contact.from_row, str),
    "Campaign": _by_loader(lambda ld: ld.campaign_by_no, Campaign.from_row, str),
    "SalesCycle": _by_loader(lambda ld: ld.sales_cycle_by_code, SalesCycle.from_row, str),
    "SalesCycleStage": _stage,
    "Activity": _by_loader(lambda ld: ld.activity_by_code, Activity.from_row, str),
    "CloseOpportunityCode": _by_loader(lambda ld: ld.close_code_by_code, CloseOpportunityCode.from_row, str),
    "Opportunity": _by_loader(lambda ld: ld.opportunity_by_no, Opportunity.from_row, str),
    "OpportunityEntry": _by_loader(lambda ld: ld.entry_by_no, OpportunityEntry.from_row, int),
    "Task": _by_loader(lambda ld: ld.task_by_no, Task.from_row, str),
    "SalesQuote": _by_loader(lambda ld: ld.sales_quote_by_no, SalesQuote.from_row, str),
    "SalesOrder": _by_loader(lambda ld: ld.sales_order_by_no, SalesOrder.from_row, str),
}


async def resolve_node(info: Info, global_id: str) -> Node | None:
    type_name, key = decode_id(global_id)
    resolve = RESOLVERS.get(type_name)
    return None if resolve is None else await resolve(info, key)


async def resolve_nodes(info: Info, ids: Sequence[str]) -> list[Node | None]:
    """All IDs at once: the loaders batch each type into one statement."""
    if len(ids) > MAX_IDS:
        raise RequestError("TOO_MANY_IDS", f"`ids` holds {len(ids)} IDs, above the limit of {MAX_IDS}.")
    return list(await asyncio.gather(*(resolve_node(info, i) for i in ids)))
