"""The domain's enums as GraphQL enums (values fixed by api.md §2)."""

from __future__ import annotations

import strawberry

from models import enums
from resolvers import viewer

OpportunityStatus = enums.OpportunityStatus
strawberry.enum(enums.OpportunityStatus, description="Where an opportunity stands.")
Priority = enums.Priority
strawberry.enum(enums.Priority, description="Priority of an opportunity, task or step.")
ProbabilityCalculation = enums.ProbabilityCalculation
strawberry.enum(
    enums.ProbabilityCalculation,
    description=(
        "How a sales cycle computes an entry's probability from chances (C) and completed (K): "
        "MULTIPLY C×K/100, ADD (C+K)/2, CHANCES_OF_SUCCESS C, COMPLETED K."
    ),
)
ContactType = enums.ContactType
strawberry.enum(enums.ContactType, description="Company or person.")
CloseOutcome = enums.CloseOutcome
strawberry.enum(enums.CloseOutcome, description="Outcome of a close, and the type of a close code.")
ActionTaken = enums.ActionTaken
strawberry.enum(
    enums.ActionTaken,
    description="What produced an entry; STARTED is Business Central's blank action of the first entry.",
)
StageAction = enums.StageAction
strawberry.enum(enums.StageAction, description="What a caller asks a stage update to do.")
TaskType = enums.TaskType
strawberry.enum(enums.TaskType, description="Kind of task.")
TaskStatus = enums.TaskStatus
strawberry.enum(enums.TaskStatus, description="Progress of a task.")
SystemTaskType = enums.SystemTaskType
strawberry.enum(enums.SystemTaskType, description="Role of a task in its group.")
Role = viewer.Role
strawberry.enum(
    viewer.Role,
    description="What a caller may do (api.md §7.1): ADMIN everything; MANAGER everything but "
    "`updateSetup`; SALESPERSON master data and only its own opportunities, entries, tasks, quotes "
    "and orders; READ_ONLY reads everything and writes nothing; ANONYMOUS before authentication.",
)
