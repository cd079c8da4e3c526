"""``UserError``: a broken business rule as data in a mutation payload (api.md §6)."""

from __future__ import annotations

import enum

import strawberry

from models.errors import DomainError, DomainErrors


@strawberry.enum(description="Why a mutation was refused (api.md §6); a refused mutation writes nothing.")
class ErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    DUPLICATE = "DUPLICATE"
    BLOCKED = "BLOCKED"
    MUST_BE_POSITIVE = "MUST_BE_POSITIVE"
    OPPORTUNITY_CLOSED = "OPPORTUNITY_CLOSED"
    OPPORTUNITY_IN_PROGRESS = "OPPORTUNITY_IN_PROGRESS"
    OPPORTUNITY_NOT_STARTED = "OPPORTUNITY_NOT_STARTED"
    NO_STAGES = "NO_STAGES"
    ACTION_NOT_AVAILABLE = "ACTION_NOT_AVAILABLE"
    STAGE_NOT_AVAILABLE = "STAGE_NOT_AVAILABLE"
    QUOTE_REQUIRED = "QUOTE_REQUIRED"
    QUOTE_ALREADY_ASSIGNED = "QUOTE_ALREADY_ASSIGNED"
    DATE_BEFORE_LAST_CHANGE = "DATE_BEFORE_LAST_CHANGE"
    CLOSE_DATE_BEFORE_CHANGE = "CLOSE_DATE_BEFORE_CHANGE"
    CLOSE_CODE_TYPE_MISMATCH = "CLOSE_CODE_TYPE_MISMATCH"
    CONTACT_OTHER_COMPANY = "CONTACT_OTHER_COMPANY"
    NOT_EDITABLE = "NOT_EDITABLE"
    IN_USE = "IN_USE"
    STALE_VERSION = "STALE_VERSION"
    FORBIDDEN = "FORBIDDEN"


@strawberry.type(description="A broken business rule.")
class UserError:
    code: ErrorCode = strawberry.field(description="Which rule; stable, for programs.")
    message: str = strawberry.field(description="What went wrong, for people.")
    field: list[str] | None = strawberry.field(
        description="Path to the offending field inside the mutation's `input` (list indexes as strings); "
        "null when the rule is not about one field."
    )

    @classmethod
    def from_error(cls, error: DomainError) -> UserError:
        return cls(code=ErrorCode[error.code], message=error.message, field=error.field)


def user_errors(exc: DomainError | DomainErrors) -> list[UserError]:
    errors = exc.errors if isinstance(exc, DomainErrors) else [exc]
    return [UserError.from_error(e) for e in errors]
