"""Contact reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select

from models import Contact, ContactType
from resolvers.reads.filters import code_value, contains, equal
from resolvers.reads.pagination import Listing, ordering


class ContactOrderField(enum.Enum):
    NO = "NO"
    NAME = "NAME"


@dataclass(frozen=True, slots=True)
class ContactFilter:
    type: ContactType | None = None
    company_no: str | None = None
    salesperson_code: str | None = None
    search: str | None = None


def contact_listing(f: ContactFilter | None, order: list[tuple[str, bool]]) -> Listing:
    c = Contact
    stmt = select(c)
    if f is not None:
        stmt = stmt.where(
            *equal(
                [
                    (c.type, f.type),
                    (c.company_no, code_value(f.company_no)),
                    (c.salesperson_code, code_value(f.salesperson_code)),
                ]
            ),
            *contains(c.name, f.search),
        )
    return Listing(stmt, ordering(order, {"NO": c.no, "NAME": c.name}, "NO"), "contact")


def person_listing(order: list[tuple[str, bool]]) -> Listing:
    """A company's persons (paged per company by ``company_no``)."""
    return contact_listing(ContactFilter(type=ContactType.PERSON), order)
