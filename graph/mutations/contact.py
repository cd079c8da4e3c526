"""Mutations of this area (api.md §6): createContact, updateContact, deleteContact."""

from __future__ import annotations

import strawberry


@strawberry.type
class ContactMutation:
    pass
