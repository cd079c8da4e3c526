"""``UserError``: a broken business rule as data in a mutation payload (api.md §6)."""

from __future__ import annotations

import enum

import strawberry

from models.errors import DomainError, DomainErrors


@strawberry.enum(
    description="Why a mutation was refused (api.md §6); a refused mutation writes nothing. "
    "`AvailableStageAction.blockers` uses the same codes for what would refuse an action."
)
class ErrorCode(enum.Enum):
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND",
        description="A key in the input names no row: the opportunity, contact, salesperson, sales cycle, "
        "stage, close code, activity, campaign, task or quote to change, or one the input refers to "
        "(also when a concurrent request deleted it meanwhile). To a SALESPERSON, another salesperson's "
        "opportunity, task or quote is NOT_FOUND in the same words (api.md §7.1).",
    )
    REQUIRED = strawberry.enum_value(
        "REQUIRED",
        description="A required input is missing, blank or cleared with `null` (a code, a description, "
        "the estimates of an opportunity created with `activateFirstStage`, the sales value of a Won "
        "close without a quote, the sales cycle of an opportunity being activated).",
    )
    INVALID = strawberry.enum_value(
        "INVALID",
        description="A value is malformed or out of range: a percentage outside 0–100, an amount or "
        "quantity out of range, a bad date formula, any date outside 1900-01-01…2999-12-31, a NUL or lone "
        "surrogate in any string, a control, bidi or zero-width character in a code, an ending date before "
        "the starting date, a list over its limit, a manual number the number series forbids, an "
        "exhausted number series, a campaign not activated or outside its dates, a company that is not "
        "one, a quote of another contact, an unknown time zone.",
    )
    TOO_LONG = strawberry.enum_value(
        "TOO_LONG",
        description="A code, number, text, prefix or date formula is longer than its field allows; the "
        "message gives the limit.",
    )
    DUPLICATE = strawberry.enum_value(
        "DUPLICATE",
        description="A new code or number already exists (also when a concurrent request took it first), "
        "or a list in the input repeats one (a stage or step number).",
    )
    BLOCKED = strawberry.enum_value(
        "BLOCKED",
        description="The input assigns a blocked salesperson or a blocked sales cycle.",
    )
    MUST_BE_POSITIVE = strawberry.enum_value(
        "MUST_BE_POSITIVE",
        description="An estimated value, a chances of success %, a Won close's sales value, or the "
        "amount of the quote linked to an opportunity being won, is not greater than 0.",
    )
    OPPORTUNITY_CLOSED = strawberry.enum_value(
        "OPPORTUNITY_CLOSED",
        description="The opportunity is Won or Lost: its stage, close, fields and quotes can no longer "
        "change.",
    )
    OPPORTUNITY_IN_PROGRESS = strawberry.enum_value(
        "OPPORTUNITY_IN_PROGRESS",
        description="`deleteOpportunity` on an opportunity that is In Progress.",
    )
    OPPORTUNITY_NOT_STARTED = strawberry.enum_value(
        "OPPORTUNITY_NOT_STARTED",
        description="The action needs a started opportunity: a stage action other than FIRST, or a "
        "quote for it, before its first stage is activated.",
    )
    NO_STAGES = strawberry.enum_value(
        "NO_STAGES",
        description="A stage action on an opportunity whose sales cycle has no stages, or that has no "
        "sales cycle.",
    )
    ACTION_NOT_AVAILABLE = strawberry.enum_value(
        "ACTION_NOT_AVAILABLE",
        description="The stage action is not offered at the current stage (no candidate stage, or too "
        "few for SKIP/JUMP), or FIRST / `activateFirstStage` on an opportunity already started.",
    )
    STAGE_NOT_AVAILABLE = strawberry.enum_value(
        "STAGE_NOT_AVAILABLE",
        description="The `stage` asked for is not among the stages the action can reach from the "
        "current one.",
    )
    QUOTE_REQUIRED = strawberry.enum_value(
        "QUOTE_REQUIRED",
        description="NEXT or SKIP into a stage with Quote Required while no sales quote is linked to "
        "the opportunity.",
    )
    QUOTE_ALREADY_ASSIGNED = strawberry.enum_value(
        "QUOTE_ALREADY_ASSIGNED",
        description="The sales quote already sits on another opportunity, or the opportunity already "
        "has a quote.",
    )
    DATE_BEFORE_LAST_CHANGE = strawberry.enum_value(
        "DATE_BEFORE_LAST_CHANGE",
        description="A stage move's date of change, or a close's closing date, is before the active "
        "entry's date of change.",
    )
    CLOSE_DATE_BEFORE_CHANGE = strawberry.enum_value(
        "CLOSE_DATE_BEFORE_CHANGE",
        description="A stage move's estimated close date is before its date of change, or an "
        "opportunity created with `activateFirstStage` has an estimated closing date before its "
        "creation date.",
    )
    CLOSE_CODE_TYPE_MISMATCH = strawberry.enum_value(
        "CLOSE_CODE_TYPE_MISMATCH",
        description="The close opportunity code is of the other outcome (a LOST code to win, a WON code "
        "to lose).",
    )
    CONTACT_OTHER_COMPANY = strawberry.enum_value(
        "CONTACT_OTHER_COMPANY",
        description="A started opportunity gets a contact that belongs to another company.",
    )
    NOT_EDITABLE = strawberry.enum_value(
        "NOT_EDITABLE",
        description="A field the opportunity's status makes read-only: its sales cycle, once the first "
        "stage is activated.",
    )
    IN_USE = strawberry.enum_value(
        "IN_USE",
        description="A delete, or a change of a contact's type or company, refused because other rows "
        "still use the row (open opportunities or tasks, entries, stages, persons of a company, …).",
    )
    STALE_VERSION = strawberry.enum_value(
        "STALE_VERSION",
        description="`expectedVersion` differs from the opportunity's current `version`: reload it and "
        "retry.",
    )
    FORBIDDEN = strawberry.enum_value(
        "FORBIDDEN",
        description="A SALESPERSON giving a row to another salesperson (api.md §7.1): creating an "
        "opportunity for one, moving its own opportunity to one, or quoting for a contact of one. "
        "Another salesperson's opportunity, task or quote is NOT_FOUND instead, as a missing one.",
    )


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
