"""The domain's enumerations (domain.md §1, api.md §2). Member names are the API's values."""

from __future__ import annotations

import enum


class OpportunityStatus(enum.Enum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    WON = "WON"
    LOST = "LOST"


class Priority(enum.Enum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"


class ProbabilityCalculation(enum.Enum):
    MULTIPLY = "MULTIPLY"
    ADD = "ADD"
    CHANCES_OF_SUCCESS = "CHANCES_OF_SUCCESS"
    COMPLETED = "COMPLETED"


class ContactType(enum.Enum):
    COMPANY = "COMPANY"
    PERSON = "PERSON"


class CloseOutcome(enum.Enum):
    WON = "WON"
    LOST = "LOST"


class ActionTaken(enum.Enum):
    """What an opportunity entry records. ``STARTED`` is Business Central's blank action."""

    STARTED = "STARTED"
    NEXT = "NEXT"
    PREVIOUS = "PREVIOUS"
    UPDATED = "UPDATED"
    JUMPED = "JUMPED"
    WON = "WON"
    LOST = "LOST"


class StageAction(enum.Enum):
    """What a caller asks ``updateOpportunityStage`` to do (domain.md §2.5)."""

    FIRST = "FIRST"
    NEXT = "NEXT"
    PREVIOUS = "PREVIOUS"
    SKIP = "SKIP"
    UPDATE = "UPDATE"
    JUMP = "JUMP"


class TaskType(enum.Enum):
    NONE = "NONE"
    MEETING = "MEETING"
    PHONE_CALL = "PHONE_CALL"


class TaskStatus(enum.Enum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    WAITING = "WAITING"
    POSTPONED = "POSTPONED"


class SystemTaskType(enum.Enum):
    ORGANIZER = "ORGANIZER"
    SALESPERSON_ATTENDEE = "SALESPERSON_ATTENDEE"
    CONTACT_ATTENDEE = "CONTACT_ATTENDEE"
    TEAM = "TEAM"
