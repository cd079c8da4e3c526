"""Demo contacts (companies and the persons working for them) and campaigns."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from models.enums import ContactType
from models.number_series import format_number
from resolvers.demo.catalog import (
    CAMPAIGNS,
    CITIES,
    COMPANY_NAMES,
    FIRST_NAMES,
    LAST_NAMES,
    SalespersonDef,
)

COMPANIES_PER_SCALE = 30
PERSONS_PER_SCALE = 70
#: Share of persons that belong to no company.
LONE_PERSON_SHARE = 0.1
#: Share of persons whose salesperson differs from their company's.
OTHER_SALESPERSON_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class Series:
    """Where a number series stands: the next number is ``prefix`` + ``next_no`` padded to ``width``."""

    prefix: str
    width: int
    next_no: int

    def number(self, index: int) -> str:
        """The ``index``-th number (0-based) taken from the series."""
        return format_number(self.prefix, self.next_no + index, self.width)


@dataclass(frozen=True, slots=True)
class ContactRow:
    no: str
    type: ContactType
    name: str
    company_no: str | None
    company_name: str
    salesperson_code: str
    email: str
    phone_no: str

    def as_tuple(self) -> tuple[object, ...]:
        return (
            self.no,
            self.type.name,
            self.name,
            self.company_no,
            self.salesperson_code,
            self.email,
            self.phone_no,
        )


@dataclass(frozen=True, slots=True)
class CampaignRow:
    no: str
    description: str
    starting_date: dt.date
    ending_date: dt.date
    salesperson_code: str

    def covers(self, date: dt.date) -> bool:
        return self.starting_date <= date <= self.ending_date

    def as_tuple(self) -> tuple[object, ...]:
        return (
            self.no,
            self.description,
            self.starting_date,
            self.ending_date,
            True,
            self.salesperson_code,
        )


def _company_name(index: int) -> str:
    base = COMPANY_NAMES[index % len(COMPANY_NAMES)]
    round_ = index // len(COMPANY_NAMES)
    if round_ == 0:
        return base
    city = CITIES[(round_ - 1) % len(CITIES)]
    lap = (round_ - 1) // len(CITIES)
    return f"{base} {city}" + (f" {lap + 1}" if lap else "")


def _domain(company: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", company.lower())[:40] + ".example.com"


def _phone(rng: random.Random) -> str:
    return f"+1 425 555 {rng.randrange(10000):04d}"


def generate_contacts(
    rng: random.Random, scale: int, series: Series, salespeople: tuple[SalespersonDef, ...]
) -> list[ContactRow]:
    """``30 × scale`` companies and ``70 × scale`` persons; most persons work for a company.

    Each company is followed by its persons in number order, so a company's persons are easy to
    find in the contact list. Every contact has an active (not blocked) salesperson.
    """
    active = [s.code for s in salespeople if not s.blocked]
    n_companies = COMPANIES_PER_SCALE * scale
    companies = [_company_name(i) for i in range(n_companies)]
    staff: list[list[str]] = [[] for _ in companies]
    lone: list[str] = []
    for _ in range(PERSONS_PER_SCALE * scale):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if rng.random() < LONE_PERSON_SHARE:
            lone.append(name)
        else:
            staff[rng.randrange(n_companies)].append(name)

    rows: list[ContactRow] = []

    def add(type_: ContactType, name: str, company: ContactRow | None, salesperson: str) -> str:
        no = series.number(len(rows))
        company_no: str | None
        if type_ is ContactType.COMPANY:
            company_no, company_name = no, name
            email = "info@" + _domain(name)
        else:
            company_no = company.no if company else None
            company_name = company.name if company else ""
            domain = _domain(company.name) if company else "mail.example.com"
            email = name.lower().replace(" ", ".") + "@" + domain
        rows.append(
            ContactRow(no, type_, name, company_no, company_name, salesperson, email, _phone(rng))
        )
        return no

    for name, persons in zip(companies, staff, strict=True):
        salesperson = rng.choice(active)
        add(ContactType.COMPANY, name, None, salesperson)
        company = rows[-1]
        for person in persons:
            own = rng.random() < OTHER_SALESPERSON_SHARE
            add(ContactType.PERSON, person, company, rng.choice(active) if own else salesperson)
    for person in lone:
        add(ContactType.PERSON, person, None, rng.choice(active))
    return rows


def generate_campaigns(
    rng: random.Random, today: dt.date, series: Series, salespeople: tuple[SalespersonDef, ...]
) -> list[CampaignRow]:
    """The catalogue's campaigns, activated, dated relative to ``today``."""
    active = [s.code for s in salespeople if not s.blocked]
    return [
        CampaignRow(
            series.number(i),
            c.description,
            today - dt.timedelta(days=c.start_days_ago),
            today - dt.timedelta(days=c.end_days_ago),
            rng.choice(active),
        )
        for i, c in enumerate(CAMPAIGNS)
    ]
