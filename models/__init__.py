"""The domain: SQLAlchemy tables and enums, and the pure rules of the domain.

Knows neither GraphQL nor sessions. Importing this package registers every table on
``Base.metadata`` (Alembic and the tests compare that metadata with the migrations).
"""

from models.access import ApiKey, CostBucket, IdempotentResponse
from models.activity import Activity, ActivityStep
from models.base import Base
from models.campaign import Campaign
from models.close_code import CloseOpportunityCode
from models.contact import Contact
from models.enums import (
    ActionTaken,
    CloseOutcome,
    ContactType,
    OpportunityStatus,
    Priority,
    ProbabilityCalculation,
    SystemTaskType,
    TaskStatus,
    TaskType,
)
from models.event import EventType, OpportunityEvent
from models.opportunity import Opportunity, OpportunityEntry
from models.sales_cycle import SalesCycle, SalesCycleStage
from models.sales_document import SalesOrder, SalesOrderLine, SalesQuote, SalesQuoteLine
from models.salesperson import Salesperson
from models.setup import NumberSeries, Setup
from models.task import Task
from models.webhook import DeliveryStatus, Webhook, WebhookDelivery

__all__ = [
    "ActionTaken",
    "Activity",
    "ActivityStep",
    "ApiKey",
    "Base",
    "Campaign",
    "CloseOpportunityCode",
    "CloseOutcome",
    "Contact",
    "ContactType",
    "CostBucket",
    "DeliveryStatus",
    "EventType",
    "IdempotentResponse",
    "NumberSeries",
    "Opportunity",
    "OpportunityEntry",
    "OpportunityEvent",
    "OpportunityStatus",
    "Priority",
    "ProbabilityCalculation",
    "SalesCycle",
    "SalesCycleStage",
    "SalesOrder",
    "SalesOrderLine",
    "SalesQuote",
    "SalesQuoteLine",
    "Salesperson",
    "Setup",
    "SystemTaskType",
    "Task",
    "TaskStatus",
    "TaskType",
    "Webhook",
    "WebhookDelivery",
]
