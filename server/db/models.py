"""Imports every domain's models so Base.metadata is complete (Alembic and the drift test use it)."""

from server.audit.models import AuditChainHead, AuditEvent
from server.auth.models import User, UserSession
from server.claims.models import (
    BillingSetup,
    Claim,
    ClaimBatch,
    ClaimEvent,
    ClaimFinding,
    ClaimLine,
    ClaimStatusRequest,
    CodePairEdit,
    PayerAuthRequirement,
    ScrubRuleSetting,
)
from server.codes.models import CodeEntry, CodeRelease
from server.common.idempotency_models import IdempotencyRecord
from server.db.base import Base
from server.deposits.models import DayClose, Deposit, DepositItem
from server.documents.models import Document, DocumentContent
from server.encounters.models import Encounter, EncounterLine
from server.insurance.models import EligibilityCheck, EligibilityRequest, InsurancePolicy
from server.ledger.models import LedgerEntry, LedgerLine
from server.patients.models import Patient, PatientChange, PatientMerge
from server.payers.models import Payer
from server.payments.models import PatientPayment
from server.practice.models import Practice
from server.pricing.models import (
    FeeScheduleEntry,
    PayerContract,
    PayerContractRate,
    PfsLocality,
    PfsRelease,
    PfsRvu,
)
from server.reminders.models import Reminder, ReminderPolicy
from server.remittances.models import Denial, Remittance, RemittanceClaim, Underpayment
from server.reports.models import CustomReport
from server.scheduling.models import (
    Appointment,
    AppointmentEvent,
    AppointmentResource,
    AppointmentSeries,
    AppointmentType,
    AppointmentTypeResource,
    Location,
    Provider,
    Recall,
    Resource,
    ScheduleException,
    TemplateBlock,
    WaitlistEntry,
)
from server.statements.models import (
    CollectionAccount,
    CollectionExport,
    PaymentPlan,
    Statement,
    StatementEvent,
    StatementRun,
    StatementSettings,
)
from server.workstations.models import Workstation

__all__ = [
    "Appointment",
    "AppointmentEvent",
    "AppointmentResource",
    "AppointmentSeries",
    "AppointmentType",
    "AppointmentTypeResource",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "BillingSetup",
    "Claim",
    "ClaimBatch",
    "ClaimEvent",
    "ClaimFinding",
    "ClaimLine",
    "ClaimStatusRequest",
    "CodeEntry",
    "CodePairEdit",
    "CodeRelease",
    "CollectionAccount",
    "CollectionExport",
    "CustomReport",
    "DayClose",
    "Denial",
    "Deposit",
    "DepositItem",
    "Document",
    "DocumentContent",
    "EligibilityCheck",
    "EligibilityRequest",
    "Encounter",
    "EncounterLine",
    "FeeScheduleEntry",
    "IdempotencyRecord",
    "InsurancePolicy",
    "LedgerEntry",
    "LedgerLine",
    "Location",
    "Patient",
    "PatientChange",
    "PatientMerge",
    "PatientPayment",
    "Payer",
    "PayerAuthRequirement",
    "PayerContract",
    "PayerContractRate",
    "PaymentPlan",
    "PfsLocality",
    "PfsRelease",
    "PfsRvu",
    "Practice",
    "Provider",
    "Recall",
    "Reminder",
    "ReminderPolicy",
    "Remittance",
    "RemittanceClaim",
    "Resource",
    "ScheduleException",
    "ScrubRuleSetting",
    "Statement",
    "StatementEvent",
    "StatementRun",
    "StatementSettings",
    "TemplateBlock",
    "Underpayment",
    "User",
    "UserSession",
    "WaitlistEntry",
    "Workstation",
]
