"""Which mutations a role may run at all (api.md §7.1): the request-level gate.

The HTTP pipeline asks ``may_run_mutation`` for every root field of a mutation before it executes
anything; a refusal is the top-level 403 ``FORBIDDEN`` and nothing runs. Which *rows* a
``SALESPERSON`` may then act on is the use cases' business (``resolvers.access.rows``).

Every field of the ``Mutation`` type is listed in ``AREAS`` (a test fails on one that is not), so a
new mutation cannot slip past the gate: an unlisted name is refused to every role but ``ADMIN``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from resolvers.viewer import Role


class Area(enum.Enum):
    """What a mutation changes, as far as the roles tell them apart."""

    SETUP = "SETUP"
    """The setup row: number series, defaults, time zone, currency."""
    MASTER_DATA = "MASTER_DATA"
    """Salespeople, contacts, campaigns, sales cycles and stages, close codes, activities."""
    OPPORTUNITY_DELETION = "OPPORTUNITY_DELETION"
    """Deleting opportunities with their entries: housekeeping, not selling."""
    OPPORTUNITY = "OPPORTUNITY"
    """Creating and editing an opportunity, its stage moves and its close."""
    SALES_DOCUMENT = "SALES_DOCUMENT"
    """Quotes and orders, and their links to opportunities."""
    TASK = "TASK"
    """Editing, completing, reopening and cancelling tasks."""
    WEBHOOK = "WEBHOOK"
    """Webhook endpoints: where events leave the system, with a signing secret; ``ADMIN`` only."""


#: The area of every ``Mutation`` field, by its GraphQL name.
AREAS: Mapping[str, Area] = {
    "updateSetup": Area.SETUP,
    "createSalesperson": Area.MASTER_DATA,
    "updateSalesperson": Area.MASTER_DATA,
    "deleteSalesperson": Area.MASTER_DATA,
    "createContact": Area.MASTER_DATA,
    "updateContact": Area.MASTER_DATA,
    "deleteContact": Area.MASTER_DATA,
    "createCampaign": Area.MASTER_DATA,
    "updateCampaign": Area.MASTER_DATA,
    "deleteCampaign": Area.MASTER_DATA,
    "createSalesCycle": Area.MASTER_DATA,
    "updateSalesCycle": Area.MASTER_DATA,
    "deleteSalesCycle": Area.MASTER_DATA,
    "createSalesCycleStage": Area.MASTER_DATA,
    "updateSalesCycleStage": Area.MASTER_DATA,
    "deleteSalesCycleStage": Area.MASTER_DATA,
    "createCloseOpportunityCode": Area.MASTER_DATA,
    "updateCloseOpportunityCode": Area.MASTER_DATA,
    "deleteCloseOpportunityCode": Area.MASTER_DATA,
    "createActivity": Area.MASTER_DATA,
    "updateActivity": Area.MASTER_DATA,
    "deleteActivity": Area.MASTER_DATA,
    "createOpportunity": Area.OPPORTUNITY,
    "updateOpportunity": Area.OPPORTUNITY,
    "activateFirstStage": Area.OPPORTUNITY,
    "updateOpportunityStage": Area.OPPORTUNITY,
    "closeOpportunity": Area.OPPORTUNITY,
    "deleteOpportunity": Area.OPPORTUNITY_DELETION,
    "deleteClosedOpportunities": Area.OPPORTUNITY_DELETION,
    "createSalesQuote": Area.SALES_DOCUMENT,
    "assignSalesQuote": Area.SALES_DOCUMENT,
    "unassignSalesDocument": Area.SALES_DOCUMENT,
    "makeOrderFromQuote": Area.SALES_DOCUMENT,
    "deleteSalesQuote": Area.SALES_DOCUMENT,
    "updateTask": Area.TASK,
    "cancelTask": Area.TASK,
    "createWebhook": Area.WEBHOOK,
    "deleteWebhook": Area.WEBHOOK,
}

_EVERY_AREA = frozenset(Area)

#: The areas each role may write (api.md §7.1, the roles table). A ``SALESPERSON`` writes only its
#: own opportunities ("create for itself, update, stage moves, close, quotes/orders on them") and
#: its own tasks, "nothing else": not master data, and not deleting opportunities either.
WRITABLE: Mapping[Role, frozenset[Area]] = {
    Role.ADMIN: _EVERY_AREA,
    Role.MANAGER: _EVERY_AREA - {Area.SETUP, Area.WEBHOOK},
    Role.SALESPERSON: frozenset({Area.OPPORTUNITY, Area.SALES_DOCUMENT, Area.TASK}),
    Role.READ_ONLY: frozenset(),
    Role.ANONYMOUS: frozenset(),
}


def may_run_mutation(role: Role, field_name: str) -> bool:
    """Whether ``role`` may run the ``Mutation`` root field ``field_name`` at all.

    ``ADMIN`` may run everything, even a field missing from ``AREAS``; every other role is refused
    a field it does not list.
    """
    if role is Role.ADMIN:
        return True
    area = AREAS.get(field_name)
    return area is not None and area in WRITABLE[role]


def mutation_fields_forbidden(role: Role, field_names: Iterable[str]) -> list[str]:
    """The fields of one operation ``role`` may not run, in the order given, each once."""
    return list(dict.fromkeys(name for name in field_names if not may_run_mutation(role, name)))
