"""Which rows a viewer may write (api.md §7.1): a ``SALESPERSON`` only its own.

A row belongs to the salesperson its ``salesperson_code`` names: an opportunity, a task; a quote
belongs to the salesperson of the opportunity it is linked to, else to its own salesperson. Every
other role may act on every row (whether it may run the mutation at all is ``policy``'s question).

A row the viewer may not read is reported exactly as a row that does not exist (``NOT_FOUND``, same
message, same field), so a refusal does not tell whether it exists. Giving a row to another
salesperson is ``FORBIDDEN`` on the salesperson field. Every check runs before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence

from resolvers.errors import DomainError
from resolvers.viewer import Role, Viewer


def owns(viewer: Viewer, salesperson_code: str | None) -> bool:
    """Whether ``viewer`` may act on a row of the salesperson ``salesperson_code``.

    A ``SALESPERSON`` key without a salesperson owns nothing, not even rows without one.
    """
    if viewer.role is not Role.SALESPERSON:
        return True
    return viewer.salesperson_code is not None and salesperson_code == viewer.salesperson_code


def check_readable(viewer: Viewer, salesperson_code: str | None, not_found: DomainError) -> None:
    """Raise ``not_found`` (the error a missing row gets) when the row is not the viewer's."""
    if not owns(viewer, salesperson_code):
        raise not_found


def forbidden_salesperson(salesperson_code: str | None, field: Sequence[str]) -> DomainError:
    """The ``FORBIDDEN`` error of a ``SALESPERSON`` giving a row to another salesperson."""
    return DomainError(
        "FORBIDDEN",
        f"You may only act for yourself, not for salesperson {salesperson_code or '(none)'}.",
        field,
    )
