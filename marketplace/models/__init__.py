from marketplace.models.enquiries import Enquiry, EnquiryMessage
from marketplace.models.machines import (
    Condition,
    Machine,
    MachineSpecValue,
    MachineStatus,
    Photo,
    WatchlistEntry,
)
from marketplace.models.outbox import OutboxEvent
from marketplace.models.reference import Country, Currency, Language
from marketplace.models.taxonomy import (
    Category,
    MachineModel,
    Maker,
    ModelSpecValue,
    SpecCategory,
    SpecDefinition,
    SpecKind,
)
from marketplace.models.users import UnitSystem, User

__all__ = [
    "Category",
    "Condition",
    "Country",
    "Currency",
    "Enquiry",
    "EnquiryMessage",
    "Language",
    "Machine",
    "MachineModel",
    "MachineSpecValue",
    "MachineStatus",
    "Maker",
    "ModelSpecValue",
    "OutboxEvent",
    "Photo",
    "SpecCategory",
    "SpecDefinition",
    "SpecKind",
    "UnitSystem",
    "User",
    "WatchlistEntry",
]
