"""Contact: a company or a person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

import models
from graph.context import Info
from graph.relay import Connection, Node, OrderDirection, nested_connection, order_terms, page_args
from graph.types.common import After, Before, First, Last, load_one, to_filter
from graph.types.enums import ContactType
from graph.types.statistics import OpportunityStatistics, StatisticsFilterArg, statistics_of
from resolvers.analytics.statistics import Scope
from resolvers.reads import contact as reads
from resolvers.reads.pagination import Listing

if TYPE_CHECKING:
    from graph.types.opportunity import Opportunity, OpportunityFilter, OpportunityOrder
    from graph.types.salesperson import Salesperson

ContactOrderField = reads.ContactOrderField
strawberry.enum(reads.ContactOrderField, description="Sort keys of contacts.")


@strawberry.input(description="One sort term of a contact list.")
class ContactOrder:
    field: ContactOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Sort direction.")


@strawberry.input(description="Narrows a contact list.")
class ContactFilter:
    type: ContactType | None = strawberry.field(default=None, description="Companies or persons.")
    company_no: str | None = strawberry.field(default=None, description="Company the contact belongs to.")
    salesperson_code: str | None = strawberry.field(default=None, description="Salesperson code.")
    search: str | None = strawberry.field(default=None, description="Case-insensitive substring of the name.")


def contact_listing(
    filter: ContactFilter | None, order_by: list[ContactOrder] | None
) -> tuple[tuple[object, ...], Listing]:
    data = to_filter(filter, reads.ContactFilter)
    terms = order_terms(order_by)
    return (data, tuple(terms)), reads.contact_listing(data, terms)


@strawberry.type(description="A contact: a company, or a person who may belong to a company.")
class Contact(Node):
    no: str = strawberry.field(description="Number (natural key, Code[20]).")
    type: ContactType = strawberry.field(description="Company or person.")
    name: str = strawberry.field(description="Name.")
    email: str = strawberry.field(description="E-mail address.")
    phone_no: str = strawberry.field(description="Phone number.")
    company_no: str | None = strawberry.field(
        description="Company number: a company's own number, a person's company, or null."
    )
    row: strawberry.Private[models.Contact]

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> Contact:
        c = row[0]
        assert isinstance(c, models.Contact)
        return cls(
            no=c.no,
            type=c.type,
            name=c.name,
            email=c.email,
            phone_no=c.phone_no,
            company_no=c.company_no,
            row=c,
        )

    def node_key(self) -> list[str | int]:
        return [self.no]

    @strawberry.field(
        description="Figures of the active entries of a company and all its persons, or of a person "
        "alone; won and lost included unless `actionTaken` narrows them (domain.md §7), one statement for a "
        "whole list of parents."
    )
    async def statistics(self, info: Info, filter: StatisticsFilterArg = None) -> OpportunityStatistics:
        return await statistics_of(info, Scope.CONTACT, self.no, filter)

    @strawberry.field(description="The company (for a company, itself).")
    async def company(self, info: Info) -> Contact | None:
        return await load_one(info.context.loaders.contact_by_no, self.company_no, Contact.from_row)

    @strawberry.field(description="Default salesperson for new opportunities of this contact.")
    async def salesperson(
        self, info: Info
    ) -> Annotated[Salesperson, strawberry.lazy("graph.types.salesperson")] | None:
        from graph.types.salesperson import Salesperson

        return await load_one(
            info.context.loaders.salesperson_by_code, self.row.salesperson_code, Salesperson.from_row
        )

    @strawberry.field(description="The persons of a company (empty for a person), paged.")
    async def persons(
        self,
        info: Info,
        filter: Annotated[
            ContactFilter | None,
            strawberry.argument(description="Only items meeting all these conditions."),
        ] = None,
        order_by: Annotated[
            list[ContactOrder] | None,
            strawberry.argument(
                description="Sort terms, applied in order; ties are broken by the natural key."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Contact]:
        params, listing = contact_listing(filter, order_by)
        persons = Listing(
            listing.stmt.where(models.Contact.type == models.ContactType.PERSON),
            listing.orders,
            listing.name,
        )
        key: Any = self.no if self.type is models.ContactType.COMPANY else ""
        return await nested_connection(
            info,
            "PersonsByCompany",
            params,
            persons,
            models.Contact.company_no,
            key,
            page_args(first, after, last, before),
            Contact.from_row,
        )

    @strawberry.field(
        description=(
            "Opportunities whose contact is this contact, paged. For a company's persons' "
            "opportunities too, use `opportunities(filter: {contactCompanyNo: …})` at the root."
        )
    )
    async def opportunities(
        self,
        info: Info,
        filter: Annotated[
            Annotated[OpportunityFilter, strawberry.lazy("graph.types.opportunity")] | None,
            strawberry.argument(description="Only items meeting all these conditions."),
        ] = None,
        order_by: Annotated[
            list[Annotated[OpportunityOrder, strawberry.lazy("graph.types.opportunity")]] | None,
            strawberry.argument(
                description="Sort terms, applied in order; ties are broken by the natural key."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Opportunity, strawberry.lazy("graph.types.opportunity")]]:
        from graph.types.opportunity import opportunities_of

        return await opportunities_of(
            info,
            "OpportunitiesByContact",
            models.Opportunity.contact_no,
            self.no,
            filter,
            order_by,
            first,
            after,
            last,
            before,
        )
