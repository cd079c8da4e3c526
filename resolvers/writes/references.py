"""Checks on the references and texts a mutation's input carries (domain.md §6.2, api.md §6).

Each check adds what is wrong to a ``Violations`` collector and returns the referenced row (or
``None``), so a use case can report every broken rule of a request at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from models import Campaign, Contact, SalesCycle, Salesperson
from models.errors import Violations
from models.validation import check_code_chars, check_text_chars, unstorable


def code_of(value: str | None) -> str | None:
    """A code or number as Business Central stores it: trimmed and upper-cased; blank is none.

    A key PostgreSQL cannot even compare (a NUL, an unpaired surrogate) names no row: it is
    none too, so that a lookup by it finds nothing instead of failing in the driver."""
    if value is None or unstorable(value):
        return None
    value = value.strip().upper()
    return value or None


def check_code(value: str | None, length: int, field: Sequence[str], v: Violations) -> str | None:
    """A code or number to store: ``INVALID`` with a control, bidi or zero-width character (or
    one PostgreSQL cannot store), ``TOO_LONG`` beyond ``length``."""
    if not check_code_chars(value, field, v):
        return None
    code = code_of(value)
    if code is not None and len(code) > length:
        v.add("TOO_LONG", f"{code[:30]}… is longer than {length} characters.", field)
        return None
    return code


def check_text(
    value: str | None, length: int, field: Sequence[str], v: Violations, *, required: bool = False
) -> str:
    """A text to store, trimmed: ``INVALID`` with a NUL, an unpaired surrogate or a control
    character other than tab and line breaks; ``REQUIRED`` when blank and required; ``TOO_LONG``."""
    if not check_text_chars(value, field, v):
        return ""
    text = (value or "").strip()
    if required and not text:
        v.add("REQUIRED", f"You must fill in {field[-1]}.", field)
    elif len(text) > length:
        v.add("TOO_LONG", f"{field[-1]} is longer than {length} characters.", field)
    return text


class Blockable(Protocol):
    """A referenced row that can be blocked (a salesperson, a sales cycle)."""

    @property
    def blocked(self) -> bool: ...


class CampaignLike(Protocol):
    @property
    def activated(self) -> bool: ...
    @property
    def starting_date(self) -> dt.date | None: ...
    @property
    def ending_date(self) -> dt.date | None: ...


def check_salesperson(code: str | None, found: Blockable | None, field: Sequence[str], v: Violations) -> None:
    """``code`` names an existing salesperson (``found``) that is not blocked (domain.md §6.2, §11.11)."""
    _check_blockable("Salesperson", code, found, field, v)


def check_sales_cycle(code: str | None, found: Blockable | None, field: Sequence[str], v: Violations) -> None:
    """``code`` names an existing sales cycle that is not blocked: a blocked cycle cannot be assigned."""
    _check_blockable("Sales cycle", code, found, field, v)


def _check_blockable(
    what: str, code: str | None, found: Blockable | None, field: Sequence[str], v: Violations
) -> None:
    if code is None:
        return
    if found is None:
        v.add("NOT_FOUND", f"{what} {code} does not exist.", field)
    elif found.blocked:
        v.add("BLOCKED", f"{what} {code} is blocked.", field)


def check_contact(no: str | None, found: object | None, field: Sequence[str], v: Violations) -> None:
    if no is not None and found is None:
        v.add("NOT_FOUND", f"Contact {no} does not exist.", field)


def check_campaign(
    no: str | None, found: CampaignLike | None, creation_date: dt.date, field: Sequence[str], v: Violations
) -> None:
    """``no`` names an activated campaign that runs on the opportunity's creation date (domain.md §6.2)."""
    if no is None:
        return
    if found is None:
        v.add("NOT_FOUND", f"Campaign {no} does not exist.", field)
    elif not found.activated:
        v.add("INVALID", f"Campaign {no} is not activated.", field)
    elif (found.starting_date is not None and creation_date < found.starting_date) or (
        found.ending_date is not None and creation_date > found.ending_date
    ):
        v.add(
            "INVALID",
            f"The creation date {creation_date.isoformat()} is outside campaign {no}'s dates.",
            field,
        )


async def salesperson_ref(
    session: AsyncSession, code: str | None, field: Sequence[str], v: Violations
) -> Salesperson | None:
    """An existing salesperson that is not blocked (``check_salesperson``)."""
    if code is None:
        return None
    salesperson = await session.get(Salesperson, code)
    check_salesperson(code, salesperson, field, v)
    return salesperson


async def sales_cycle_ref(
    session: AsyncSession, code: str | None, field: Sequence[str], v: Violations
) -> SalesCycle | None:
    """An existing sales cycle that is not blocked (``check_sales_cycle``)."""
    if code is None:
        return None
    cycle = await session.get(SalesCycle, code)
    check_sales_cycle(code, cycle, field, v)
    return cycle


async def contact_ref(
    session: AsyncSession, no: str | None, field: Sequence[str], v: Violations
) -> Contact | None:
    if no is None:
        return None
    contact = await session.get(Contact, no)
    check_contact(no, contact, field, v)
    return contact


async def campaign_ref(
    session: AsyncSession, no: str | None, creation_date: dt.date, field: Sequence[str], v: Violations
) -> Campaign | None:
    """An activated campaign that runs on the opportunity's creation date (``check_campaign``)."""
    if no is None:
        return None
    campaign = await session.get(Campaign, no)
    check_campaign(no, campaign, creation_date, field, v)
    return campaign
