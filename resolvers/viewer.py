"""Who is calling, and the one place that narrows what a caller may list."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from resolvers.reads.pagination import Listing


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


ANONYMOUS = Viewer()


def scoped(listing: Listing, viewer: Viewer) -> Listing:
    """Every list query passes through here, so access rules can be added in one place.

    Until authentication lands (api.md §7) every caller may read every row.
    """
    del viewer
    return listing
