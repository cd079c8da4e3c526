"""What every mutation resolver shares: run the use case, report broken rules, build results."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.nodes import SelectedField

from graph.context import Info
from graph.relay import encode_id
from graph.types.entry import OpportunityEntry
from graph.types.errors import UserError, user_errors
from graph.types.opportunity import Opportunity
from graph.types.task import Task
from models.errors import DomainError, DomainErrors, Violations
from models.validation import unstorable_paths
from resolvers.lifecycle.moves import LifecycleResult
from resolvers.writes.transaction import write

T = TypeVar("T")
#: Every mutation takes one ``input`` argument (api.md §6).
INPUT = strawberry.argument(description="The mutation's input; its fields are described on its type.")
Work = Callable[[AsyncSession], Awaitable[T]]


async def run(info: Info, work: Work[T], *, dry_run: bool = False) -> tuple[T | None, list[UserError]]:
    """Run a use case in its own transaction; broken rules come back as ``userErrors``.

    After a commit the request's loaders are dropped: a later field (or the next mutation of the
    same request) must not be answered from what they cached before the write.

    A string anywhere in the input that PostgreSQL cannot store (a NUL, an unpaired surrogate) is
    ``INVALID`` on its field before the use case runs, whatever the field (api.md §7.2): the use
    cases check what a code or a text may hold, this makes sure no other string reaches the driver.
    """
    unstorable = unstorable_input(info)
    if unstorable:
        return None, user_errors(unstorable)
    try:
        result = await write(info.context.sessions, work, dry_run=dry_run)
    except (DomainError, DomainErrors) as exc:
        return None, user_errors(exc)
    if not dry_run:
        info.context.reset_loaders()
    return result, []


def unstorable_input(info: Info) -> DomainError | DomainErrors | None:
    """``INVALID`` for each string of the mutation's arguments (inline or from variables) that
    PostgreSQL cannot store; field paths are relative to ``input``, as every userError's."""
    v = Violations()
    for field in info.selected_fields[:1]:
        arguments = field.arguments if isinstance(field, SelectedField) else {}
        for path in unstorable_paths(arguments):
            path = path[1:] if path[:1] == ["input"] else path
            name = path[-1] if path else "input"
            v.add("INVALID", f"{name} contains a NUL or an unpaired surrogate, which cannot be stored.", path)
    if not v:
        return None
    return v.errors[0] if len(v.errors) == 1 else DomainErrors(v.errors)


def opportunity_of(info: Info, result: LifecycleResult | None, *, prime: bool) -> Opportunity | None:
    """The opportunity after the change. Its row and active entry are already in hand, so the
    loader is primed with them for the payload's nested fields to reuse."""
    if result is None:
        return None
    row = (result.opportunity, result.active)
    if prime:
        info.context.loaders.opportunity_by_no.prime(result.opportunity.no, row)
    return Opportunity.from_row(row)


def entry_of(info: Info, result: LifecycleResult | None, *, prime: bool) -> OpportunityEntry | None:
    """The entry the change wrote, primed into its loader like the opportunity."""
    if result is None or result.entry is None:
        return None
    if prime:
        info.context.loaders.entry_by_no.prime(result.entry.entry_no, (result.entry,))
    return OpportunityEntry.from_row((result.entry,))


def tasks_of(result: LifecycleResult | None) -> list[Task]:
    return [] if result is None else [Task.from_row((t,)) for t in result.tasks]


def global_id(type_name: str, *key: str | int) -> strawberry.ID:
    return strawberry.ID(encode_id(type_name, list(key)))
