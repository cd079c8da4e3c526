"""The fixed part of the demo data: salespeople, activities, close codes, sales cycles, campaigns.

Also the word lists the generated part (contacts, opportunities, quotes) draws names from. All
names are invented (mostly Microsoft's demo companies); e-mail addresses use ``example.com``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from models.enums import CloseOutcome, Priority, ProbabilityCalculation, TaskType


@dataclass(frozen=True, slots=True)
class SalespersonDef:
    code: str
    name: str
    job_title: str
    commission_pct: Decimal
    blocked: bool = False

    @property
    def email(self) -> str:
        return self.name.lower().replace(" ", ".") + "@cronus.example.com"


@dataclass(frozen=True, slots=True)
class StepDef:
    step_no: int
    type: TaskType
    priority: Priority
    description: str
    date_formula: str


@dataclass(frozen=True, slots=True)
class ActivityDef:
    code: str
    description: str
    steps: tuple[StepDef, ...]


@dataclass(frozen=True, slots=True)
class StageDef:
    """A sales cycle stage; a ``models.stages.StageLike``, so the lifecycle rules read it."""

    stage: int
    description: str
    completed_pct: Decimal
    chances_of_success_pct: Decimal
    date_formula: str
    activity: ActivityDef | None = None
    quote_required: bool = False
    allow_skip: bool = False

    @property
    def activity_code(self) -> str | None:
        return self.activity.code if self.activity is not None else None


@dataclass(frozen=True, slots=True)
class CycleDef:
    code: str
    description: str
    method: ProbabilityCalculation
    stages: tuple[StageDef, ...]  # in stage order
    weight: int  # share of the generated opportunities


@dataclass(frozen=True, slots=True)
class CampaignDef:
    description: str
    start_days_ago: int
    end_days_ago: int  # negative: ends in the future


SALESPEOPLE = (
    SalespersonDef("AH", "Annette Hill", "Sales Manager", Decimal(5)),
    SalespersonDef("BC", "Benjamin Chiu", "Account Manager", Decimal(3)),
    SalespersonDef("HR", "Helen Ray", "Account Manager", Decimal(3)),
    SalespersonDef("JO", "Jim Olive", "Sales Representative", Decimal("2.5")),
    SalespersonDef("LM", "Linda Martin", "Sales Representative", Decimal("2.5")),
    SalespersonDef("OF", "Otis Falls", "Key Account Manager", Decimal(4)),
    SalespersonDef("PS", "Peter Saddow", "Sales Representative", Decimal(2)),
    # Left the company: keeps only closed, historical opportunities.
    SalespersonDef("RB", "Robin Bettencourt", "Former Account Manager", Decimal(3), blocked=True),
)

_N, _M, _P = TaskType.NONE, TaskType.MEETING, TaskType.PHONE_CALL
_LOW, _NORMAL, _HIGH = Priority.LOW, Priority.NORMAL, Priority.HIGH

INIT = ActivityDef(
    "INIT",
    "Initial contact",
    (
        StepDef(1, _P, _NORMAL, "Qualification call", "0D"),
        StepDef(2, _M, _HIGH, "Introductory meeting", "3D"),
    ),
)
PRES = ActivityDef(
    "PRES",
    "Product presentation",
    (
        StepDef(1, _N, _NORMAL, "Prepare presentation", "0D"),
        StepDef(2, _M, _HIGH, "Present the solution", "1W"),
        StepDef(3, _P, _LOW, "Collect feedback on the presentation", "1W+2D"),
    ),
)
PROP = ActivityDef(
    "PROP",
    "Proposal follow-up",
    (StepDef(1, _P, _NORMAL, "Follow up on the proposal", "3D"),),
)
NEGO = ActivityDef(
    "NEGO",
    "Negotiation",
    (
        StepDef(1, _M, _HIGH, "Negotiation meeting", "3D"),
        StepDef(2, _N, _NORMAL, "Send revised terms", "1W"),
    ),
)
ACTIVITIES = (INIT, PRES, PROP, NEGO)

CLOSE_CODES = (
    ("WON1", "Best price", CloseOutcome.WON),
    ("WON2", "Best product fit", CloseOutcome.WON),
    ("LOST1", "Lost to competitor", CloseOutcome.LOST),
    ("LOST2", "No budget", CloseOutcome.LOST),
    ("LOST3", "Project cancelled", CloseOutcome.LOST),
)


def _s(
    stage: int,
    description: str,
    completed: int,
    chances: int,
    formula: str,
    activity: ActivityDef | None = None,
    *,
    quote: bool = False,
    skip: bool = False,
) -> StageDef:
    return StageDef(
        stage, description, Decimal(completed), Decimal(chances), formula, activity, quote, skip
    )


CYCLES = (
    CycleDef(
        "NEW",
        "New business",
        ProbabilityCalculation.MULTIPLY,
        (
            _s(1, "Initial contact", 10, 20, "1W", INIT),
            _s(2, "Needs analysis", 25, 30, "2W", skip=True),
            _s(3, "Presentation", 40, 45, "2W", PRES, skip=True),
            _s(4, "Proposal", 60, 60, "1M", PROP, quote=True),
            _s(5, "Negotiation", 80, 75, "2W", NEGO),
            _s(6, "Verbal agreement", 95, 90, "CM"),
        ),
        weight=40,
    ),
    CycleDef(
        "EXISTING",
        "Existing customers",
        ProbabilityCalculation.ADD,
        # Stage numbers need not be consecutive (domain.md §1.5).
        (
            _s(10, "Follow-up", 20, 50, "1W", INIT),
            _s(20, "Requirements update", 40, 60, "2W", skip=True),
            _s(30, "Quote", 70, 70, "1M", PROP, quote=True, skip=True),
            _s(40, "Closing", 90, 85, "CM"),
        ),
        weight=25,
    ),
    CycleDef(
        "SMALL",
        "Small deals",
        ProbabilityCalculation.CHANCES_OF_SUCCESS,
        (
            _s(1, "Lead", 10, 25, "1W"),
            _s(2, "Qualified", 30, 40, "2W", INIT, skip=True),
            _s(3, "Demo", 45, 55, "2W", skip=True),
            _s(4, "Quote sent", 70, 70, "1M", PROP, quote=True),
            _s(5, "Order expected", 90, 85, "CM+1M"),
        ),
        weight=20,
    ),
    CycleDef(
        "PROJECT",
        "Large projects",
        ProbabilityCalculation.COMPLETED,
        (
            _s(1, "Opportunity identified", 5, 10, "1M", INIT),
            _s(2, "Stakeholder mapping", 15, 20, "1M", skip=True),
            _s(3, "Discovery workshop", 25, 30, "2W", PRES, skip=True),
            _s(4, "Solution design", 40, 40, "1M", skip=True),
            _s(5, "Proposal", 60, 50, "1M", PROP, quote=True),
            _s(6, "Negotiation", 80, 70, "2W", NEGO),
            _s(7, "Contract signature", 95, 90, "CM"),
        ),
        weight=15,
    ),
)

CAMPAIGNS = (
    CampaignDef("Spring trade fair", 540, 420),
    CampaignDef("Summer upgrade offer", 450, 300),
    CampaignDef("Partner webinar series", 330, 150),
    CampaignDef("Year-end promotion", 200, 60),
    CampaignDef("New product launch", 90, -60),
)

COMPANY_NAMES = (
    "Adatum Corporation", "Alpine Ski House", "Blue Yonder Airlines", "City Power & Light",
    "Coho Winery", "Consolidated Messenger", "Contoso Pharmaceuticals", "Fabrikam Residences",
    "First Up Consultants", "Fourth Coffee", "Graphic Design Institute", "Humongous Insurance",
    "Lamna Healthcare", "Liberty Delightful Sinful Bakery", "Litware Inc.", "Lucerne Publishing",
    "Margie's Travel", "Munson's Pickles and Preserves", "Nod Publishers", "Northwind Traders",
    "Proseware Inc.", "Relecloud", "School of Fine Art", "Southridge Video", "Tailspin Toys",
    "Trey Research", "VanArsdel Ltd.", "Wide World Importers", "Wingtip Toys", "Woodgrove Bank",
)  # fmt: skip
CITIES = (
    "Atlanta", "Berlin", "Brussels", "Chicago", "Copenhagen", "Dublin", "Helsinki", "Lisbon",
    "London", "Madrid", "Miami", "Milan", "Oslo", "Paris", "Prague", "Seattle", "Stockholm",
    "Toronto", "Vienna", "Zurich",
)  # fmt: skip
FIRST_NAMES = (
    "Aaron", "Amy", "Andrea", "Ben", "Carla", "Chris", "Dana", "David", "Elena", "Eric", "Fatima",
    "Frank", "Grace", "Hannah", "Ivan", "Jamal", "Jane", "Jonas", "Karen", "Kenji", "Laura", "Leo",
    "Maria", "Mark", "Mia", "Nadia", "Noah", "Olivia", "Omar", "Paula", "Priya", "Rafael", "Rita",
    "Sam", "Sara", "Tom", "Uma", "Victor", "Wei", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Andersen", "Baker", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen",
    "Kowalski", "Larsen", "Meyer", "Nakamura", "Novak", "Okafor", "Patel", "Quinn", "Rossi",
    "Schmidt", "Silva", "Svensson", "Tanaka", "Usman", "Vargas", "Walker", "Weber", "Xu", "Young",
    "Zimmermann",
)  # fmt: skip
PRODUCTS = (
    "Office furniture refresh", "Conference room AV upgrade", "ERP implementation",
    "Annual maintenance contract", "Laptop fleet renewal", "Network upgrade", "Cloud migration",
    "Sales training program", "Warehouse shelving", "Security audit", "CRM rollout",
    "Printer fleet lease", "Data center expansion", "Support plan renewal", "Website redesign",
    "Point-of-sale terminals", "Fleet telematics", "Energy efficiency retrofit",
    "Reception area redesign", "Managed print services",
)  # fmt: skip
QUOTE_ITEMS = (
    "Consulting hours", "Software licence (annual)", "Installation", "Hardware bundle",
    "Support plan", "Training day", "Project management", "Spare parts kit", "Delivery and setup",
    "Extended warranty",
)  # fmt: skip
