"""Mutations of this area (api.md §6): createContact, updateContact, deleteContact."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.context import Info
from graph.mutations.common import INPUT, global_id, run
from graph.types.common import load_one
from graph.types.contact import Contact
from graph.types.enums import ContactType
from graph.types.errors import UserError
from resolvers.writes import contact as writes


@strawberry.input(description="A new contact: a company, or a person who may belong to a company.")
class CreateContactInput:
    no: str | None = strawberry.field(
        default=None,
        description="Number (Code[20]); omitted: the next of the setup's contact series. A given number "
        "needs a series that allows manual numbers.",
    )
    type: ContactType = strawberry.field(description="Company or person.")
    name: str = strawberry.field(description="Name (required, at most 100 characters).")
    company_no: str | None = strawberry.field(
        default=None,
        description="A person's company: an existing company contact. A company's is its own number "
        "(omit it or give that number).",
    )
    salesperson_code: str | None = strawberry.field(
        default=None,
        description="Default salesperson for the contact's opportunities (not blocked); omitted: the "
        "setup's default salesperson, unless that one is blocked.",
    )
    email: str | None = strawberry.field(default=None, description="E-mail address (at most 80 characters).")
    phone_no: str | None = strawberry.field(default=None, description="Phone number (at most 30 characters).")


@strawberry.type(description="Result of createContact.")
class CreateContactPayload:
    contact: Contact | None = strawberry.field(description="The new contact.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(
    description="Changes to a contact. Omitted fields stay as they are; null clears where allowed."
)
class UpdateContactInput:
    no: str = strawberry.field(description="The contact to change.")
    type: strawberry.Maybe[ContactType | None] = strawberry.field(
        description="Company or person (not null). Refused while opportunities or tasks are linked to "
        "the contact, and for a company that has persons."
    )
    name: strawberry.Maybe[str | None] = strawberry.field(
        description="Name (not blank, at most 100 characters)."
    )
    company_no: strawberry.Maybe[str | None] = strawberry.field(
        description="A person's company (an existing company contact); null leaves the person without "
        "one. Refused while opportunities or tasks are linked to the person. A company's is its own "
        "number."
    )
    salesperson_code: strawberry.Maybe[str | None] = strawberry.field(
        description="Default salesperson (not blocked); null clears it."
    )
    email: strawberry.Maybe[str | None] = strawberry.field(
        description="E-mail address (at most 80 characters); null clears it."
    )
    phone_no: strawberry.Maybe[str | None] = strawberry.field(
        description="Phone number (at most 30 characters); null clears it."
    )


@strawberry.type(description="Result of updateContact.")
class UpdateContactPayload:
    contact: Contact | None = strawberry.field(description="The contact after the change.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


@strawberry.input(
    description="The contact to delete. Refused (IN_USE) while it has open tasks, opportunities that are "
    "not closed, persons (a company), or any other row refers to it."
)
class DeleteContactInput:
    no: str = strawberry.field(description="Contact number.")


@strawberry.type(description="Result of deleteContact.")
class DeleteContactPayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="Global ID of the deleted contact.")
    user_errors: list[UserError] = strawberry.field(description="Broken rules; empty on success.")


async def _contact(info: Info, no: str | None) -> Contact | None:
    return await load_one(info.context.loaders.contact_by_no, no, Contact.from_row)


@strawberry.type
class ContactMutation:
    @strawberry.mutation(description="Create a company or person contact.")
    async def create_contact(
        self, info: Info, input: Annotated[CreateContactInput, INPUT]
    ) -> CreateContactPayload:
        new = writes.NewContact(
            no=input.no,
            type=input.type,
            name=input.name,
            company_no=input.company_no,
            salesperson_code=input.salesperson_code,
            email=input.email,
            phone_no=input.phone_no,
        )

        async def work(session: AsyncSession) -> str:
            return await writes.create_contact(session, new)

        no, errors = await run(info, work)
        return CreateContactPayload(contact=await _contact(info, no), user_errors=errors)

    @strawberry.mutation(description="Change a contact's fields.")
    async def update_contact(
        self, info: Info, input: Annotated[UpdateContactInput, INPUT]
    ) -> UpdateContactPayload:
        changes = writes.ContactChanges(
            type=input.type,
            name=input.name,
            company_no=input.company_no,
            salesperson_code=input.salesperson_code,
            email=input.email,
            phone_no=input.phone_no,
        )

        async def work(session: AsyncSession) -> str:
            return await writes.update_contact(session, input.no, changes)

        no, errors = await run(info, work)
        return UpdateContactPayload(contact=await _contact(info, no), user_errors=errors)

    @strawberry.mutation(description="Delete a contact that nothing refers to.")
    async def delete_contact(
        self, info: Info, input: Annotated[DeleteContactInput, INPUT]
    ) -> DeleteContactPayload:
        async def work(session: AsyncSession) -> str:
            return await writes.delete_contact(session, input.no)

        no, errors = await run(info, work)
        deleted = global_id("Contact", no) if no is not None else None
        return DeleteContactPayload(deleted_id=deleted, user_errors=errors)
