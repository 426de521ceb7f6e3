"""Who may call what: the one access table (BRIEF §2.4). Access is data and denies by default.

Every RPC the server serves must appear in RPC_RULES; the server refuses to start
otherwise, and tests/api/test_permissions.py checks every RPC against every role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Permission(StrEnum):
    USERS_READ = "users.read"
    USERS_MANAGE = "users.manage"
    WORKSTATIONS_READ = "workstations.read"
    WORKSTATIONS_MANAGE = "workstations.manage"
    AUDIT_READ = "audit.read"
    # Seeing which patient an audit event (or any record) concerns: PHI.
    AUDIT_READ_PHI = "audit.read_phi"
    SETTINGS_READ = "practice.settings.read"
    SETTINGS_MANAGE = "practice.settings.manage"
    PATIENTS_READ = "patients.read"
    PATIENTS_WRITE = "patients.write"
    # Merging two records moves everything of one to the other: a manager's decision.
    PATIENTS_MERGE = "patients.merge"
    PAYERS_READ = "payers.read"
    PAYERS_MANAGE = "payers.manage"
    INSURANCE_WRITE = "insurance.write"
    DOCUMENTS_READ = "documents.read"
    DOCUMENTS_WRITE = "documents.write"
    SCHEDULE_READ = "schedule.read"
    # Book, move, cancel, check in and out.
    SCHEDULE_WRITE = "schedule.write"
    # Book over another appointment or outside the template: recorded on the appointment.
    SCHEDULE_OVERBOOK = "schedule.overbook"
    # Providers, locations, resources, appointment types, templates and exceptions.
    SCHEDULE_SETUP = "schedule.setup"
    # Looking up and checking diagnosis and procedure codes (reference data, no patient data).
    CODES_READ = "codes.read"
    ENCOUNTERS_READ = "encounters.read"
    # Coding a visit: diagnoses, service lines, fees.
    ENCOUNTERS_WRITE = "encounters.write"
    # Check-out at the front desk: the encounter of a seen appointment, to be coded by the biller.
    ENCOUNTERS_CHECKOUT = "encounters.checkout"
    # The practice's fees, payer contracts and Medicare fees (no patient data).
    FEES_READ = "fees.read"
    # Setting fees and entering payer contracts.
    FEES_MANAGE = "fees.manage"
    CLAIMS_READ = "claims.read"
    # Billing encounters, scrubbing, queueing and sending claims.
    CLAIMS_WRITE = "claims.write"
    # The practice's billing identity (NPI, tax id, clearinghouse ids) that every claim carries.
    CLAIMS_SETUP = "claims.setup"
    # Claim batches' delivery to the clearinghouse (file names, counts, totals, status, transport errors): no
    # patient data, so IT can follow a stuck delivery without reading claims.
    CLAIMS_DELIVERY_READ = "claims.delivery.read"
    # A patient's account: their ledger, payments, balances.
    LEDGER_READ = "ledger.read"
    # Taking patient payments (copays at check-in, the window, the mail) and applying their credit.
    PAYMENTS_POST = "payments.post"
    # Taking money back: reversing a payment, refunding a credit.
    PAYMENTS_CORRECT = "payments.correct"
    # ERAs: importing, previewing and posting insurance payments; the denial worklist.
    REMITTANCES_POST = "remittances.post"
    # Bank deposits of received money, and closing the business day.
    DEPOSITS_MANAGE = "deposits.manage"
    # The day sheet: a day's charges, payments, adjustments and deposits, per user.
    DAY_SHEET_READ = "reports.day_sheet"
    # The practice's reports and dashboard: totals by payer, provider, month (no patient names).
    REPORTS_READ = "reports.read"
    # Reports whose rows name patients (patient aging, no-shows by patient, underpayments by claim).
    REPORTS_READ_PHI = "reports.read_phi"
    # Saving custom reports and sharing them with roles.
    REPORTS_CUSTOMIZE = "reports.customize"
    # Statement runs and their delivery (print file, vendor CSV, email), voiding a statement.
    STATEMENTS_RUN = "statements.run"
    # The statement cycle, threshold and dunning messages.
    STATEMENTS_SETUP = "statements.setup"
    # Collections (flagged accounts, the agency's file) and payment plans.
    COLLECTIONS_MANAGE = "collections.manage"


class Role(StrEnum):
    FRONT_DESK = "front_desk"
    BILLER = "biller"
    PROVIDER = "provider"
    MANAGER = "manager"
    IT_ADMIN = "it_admin"


ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.FRONT_DESK: "Registers patients and insurance, books appointments, checks patients in and out",
    Role.BILLER: "Charges, claims, payment posting, statements, A/R follow-up",
    Role.PROVIDER: "Sees own schedule and encounters",
    Role.MANAGER: "Reports, fee schedules, payer contracts, users; full audit log",
    Role.IT_ADMIN: "Users and workstation certificates; reads no patient data",
}

P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.FRONT_DESK: frozenset({P.SETTINGS_READ, P.PATIENTS_READ, P.PATIENTS_WRITE, P.PAYERS_READ,
                                P.INSURANCE_WRITE, P.DOCUMENTS_READ, P.DOCUMENTS_WRITE, P.SCHEDULE_READ,
                                P.SCHEDULE_WRITE, P.CODES_READ, P.ENCOUNTERS_CHECKOUT, P.LEDGER_READ,
                                P.PAYMENTS_POST}),
    # Billers read demographics and fix insurance (member IDs, payers); registration is the front desk's.
    Role.BILLER: frozenset({P.SETTINGS_READ, P.PATIENTS_READ, P.PAYERS_READ, P.PAYERS_MANAGE, P.INSURANCE_WRITE,
                            P.DOCUMENTS_READ, P.DOCUMENTS_WRITE, P.SCHEDULE_READ, P.CODES_READ,
                            P.ENCOUNTERS_READ, P.ENCOUNTERS_WRITE, P.ENCOUNTERS_CHECKOUT, P.FEES_READ,
                            P.CLAIMS_READ, P.CLAIMS_WRITE, P.CLAIMS_DELIVERY_READ, P.LEDGER_READ, P.PAYMENTS_POST,
                            P.PAYMENTS_CORRECT, P.REMITTANCES_POST, P.DEPOSITS_MANAGE, P.DAY_SHEET_READ,
                            P.REPORTS_READ, P.REPORTS_READ_PHI}),
    # Providers see the practice's figures (their productivity, no-shows) but not reports listing patients.
    Role.PROVIDER: frozenset({P.SETTINGS_READ, P.PATIENTS_READ, P.PAYERS_READ, P.DOCUMENTS_READ, P.SCHEDULE_READ,
                              P.CODES_READ, P.ENCOUNTERS_READ, P.REPORTS_READ}),
    Role.MANAGER: frozenset({P.USERS_READ, P.USERS_MANAGE, P.WORKSTATIONS_READ, P.AUDIT_READ, P.AUDIT_READ_PHI,
                             P.SETTINGS_READ, P.SETTINGS_MANAGE, P.PATIENTS_READ, P.PATIENTS_WRITE,
                             P.PATIENTS_MERGE, P.PAYERS_READ, P.PAYERS_MANAGE, P.INSURANCE_WRITE,
                             P.DOCUMENTS_READ, P.DOCUMENTS_WRITE, P.SCHEDULE_READ, P.SCHEDULE_WRITE,
                             P.SCHEDULE_OVERBOOK, P.SCHEDULE_SETUP, P.CODES_READ, P.ENCOUNTERS_READ,
                             P.ENCOUNTERS_WRITE, P.ENCOUNTERS_CHECKOUT, P.FEES_READ, P.FEES_MANAGE,
                             P.CLAIMS_READ, P.CLAIMS_WRITE, P.CLAIMS_SETUP, P.CLAIMS_DELIVERY_READ,
                             P.LEDGER_READ, P.PAYMENTS_POST, P.PAYMENTS_CORRECT, P.REMITTANCES_POST,
                             P.DEPOSITS_MANAGE, P.DAY_SHEET_READ, P.REPORTS_READ, P.REPORTS_READ_PHI,
                             P.REPORTS_CUSTOMIZE}),
    Role.IT_ADMIN: frozenset({P.USERS_READ, P.USERS_MANAGE, P.WORKSTATIONS_READ, P.WORKSTATIONS_MANAGE,
                              P.AUDIT_READ, P.SETTINGS_READ, P.SETTINGS_MANAGE, P.CLAIMS_DELIVERY_READ}),
}
# Statements and collections (decision 0028): the back office's; the dunning policy is the manager's.
ROLE_PERMISSIONS[Role.BILLER] |= {P.STATEMENTS_RUN, P.COLLECTIONS_MANAGE}
ROLE_PERMISSIONS[Role.MANAGER] |= {P.STATEMENTS_RUN, P.STATEMENTS_SETUP, P.COLLECTIONS_MANAGE}


@dataclass(frozen=True)
class RpcRule:
    # None: any logged-in user (their own session); see also `public`.
    permission: Permission | None
    # Data category recorded in the audit event.
    category: str
    # Read-only RPCs may not change data (server.db.database.read_only_statements); only their audit event is written.
    readonly: bool = False
    # Callable with a valid workstation certificate and no session (Login only).
    public: bool = False
    # A long-lived server stream: checked and audited once when it opens, then no transaction while it streams.
    watch: bool = False


AUTH = "/pms.auth.v1.AuthService/"
ADMIN = "/pms.admin.v1.AdminService/"
AUDIT = "/pms.audit.v1.AuditService/"
PATIENTS = "/pms.patients.v1.PatientService/"
PAYERS = "/pms.payers.v1.PayerService/"
INSURANCE = "/pms.insurance.v1.InsuranceService/"
DOCUMENTS = "/pms.documents.v1.DocumentService/"
SETUP = "/pms.scheduling.v1.ScheduleSetupService/"
APPOINTMENTS = "/pms.scheduling.v1.AppointmentService/"
WAITLIST = "/pms.scheduling.v1.WaitlistService/"
RECALLS = "/pms.scheduling.v1.RecallService/"
REMINDERS = "/pms.reminders.v1.ReminderService/"
CODES = "/pms.codes.v1.CodeService/"
ENCOUNTERS = "/pms.encounters.v1.EncounterService/"
PRICING = "/pms.pricing.v1.PricingService/"
CLAIMS = "/pms.claims.v1.ClaimService/"
PAYMENTS = "/pms.payments.v1.PaymentService/"
LEDGER = "/pms.ledger.v1.LedgerService/"
REMITTANCES = "/pms.remittances.v1.RemittanceService/"
DEPOSITS = "/pms.deposits.v1.DepositService/"
REPORTS = "/pms.reports.v1.ReportService/"
STATEMENTS = "/pms.statements.v1.StatementService/"

RPC_RULES: dict[str, RpcRule] = {
    AUTH + "Login": RpcRule(None, "authentication", public=True),
    AUTH + "Logout": RpcRule(None, "authentication"),
    AUTH + "WhoAmI": RpcRule(None, "authentication", readonly=True),
    AUTH + "ChangePassword": RpcRule(None, "authentication"),
    AUTH + "EnrollTotp": RpcRule(None, "authentication"),
    AUTH + "ConfirmTotp": RpcRule(None, "authentication"),
    ADMIN + "ListUsers": RpcRule(P.USERS_READ, "user_admin", readonly=True),
    ADMIN + "CreateUser": RpcRule(P.USERS_MANAGE, "user_admin"),
    ADMIN + "SetUserRoles": RpcRule(P.USERS_MANAGE, "user_admin"),
    ADMIN + "DisableUser": RpcRule(P.USERS_MANAGE, "user_admin"),
    ADMIN + "EnableUser": RpcRule(P.USERS_MANAGE, "user_admin"),
    ADMIN + "ResetUserPassword": RpcRule(P.USERS_MANAGE, "user_admin"),
    ADMIN + "ListRoles": RpcRule(P.USERS_READ, "user_admin", readonly=True),
    ADMIN + "ListWorkstations": RpcRule(P.WORKSTATIONS_READ, "workstation_admin", readonly=True),
    ADMIN + "EnrollWorkstation": RpcRule(P.WORKSTATIONS_MANAGE, "workstation_admin"),
    ADMIN + "RevokeWorkstation": RpcRule(P.WORKSTATIONS_MANAGE, "workstation_admin"),
    ADMIN + "GetPracticeSettings": RpcRule(P.SETTINGS_READ, "settings", readonly=True),
    ADMIN + "UpdatePracticeSettings": RpcRule(P.SETTINGS_MANAGE, "settings"),
    AUDIT + "ListAuditEvents": RpcRule(P.AUDIT_READ, "audit_log", readonly=True),
    AUDIT + "VerifyAuditChain": RpcRule(P.AUDIT_READ, "audit_log", readonly=True),
    PATIENTS + "SearchPatients": RpcRule(P.PATIENTS_READ, "demographics", readonly=True),
    PATIENTS + "GetPatient": RpcRule(P.PATIENTS_READ, "demographics", readonly=True),
    PATIENTS + "RegisterPatient": RpcRule(P.PATIENTS_WRITE, "demographics"),
    PATIENTS + "UpdatePatient": RpcRule(P.PATIENTS_WRITE, "demographics"),
    PATIENTS + "ListPatientChanges": RpcRule(P.PATIENTS_READ, "demographics", readonly=True),
    PATIENTS + "MergePatients": RpcRule(P.PATIENTS_MERGE, "demographics"),
    PATIENTS + "ListMerges": RpcRule(P.PATIENTS_MERGE, "demographics", readonly=True),
    PAYERS + "SearchPayers": RpcRule(P.PAYERS_READ, "payer_directory", readonly=True),
    PAYERS + "GetPayer": RpcRule(P.PAYERS_READ, "payer_directory", readonly=True),
    PAYERS + "CreatePayer": RpcRule(P.PAYERS_MANAGE, "payer_directory"),
    PAYERS + "UpdatePayer": RpcRule(P.PAYERS_MANAGE, "payer_directory"),
    INSURANCE + "ListPolicies": RpcRule(P.PATIENTS_READ, "insurance", readonly=True),
    INSURANCE + "AddPolicy": RpcRule(P.INSURANCE_WRITE, "insurance"),
    INSURANCE + "UpdatePolicy": RpcRule(P.INSURANCE_WRITE, "insurance"),
    INSURANCE + "EndPolicy": RpcRule(P.INSURANCE_WRITE, "insurance"),
    INSURANCE + "ReorderPolicies": RpcRule(P.INSURANCE_WRITE, "insurance"),
    INSURANCE + "CheckEligibility": RpcRule(P.INSURANCE_WRITE, "insurance"),
    INSURANCE + "CheckTomorrowsEligibility": RpcRule(P.INSURANCE_WRITE, "insurance"),
    INSURANCE + "ListEligibilityChecks": RpcRule(P.PATIENTS_READ, "insurance", readonly=True),
    DOCUMENTS + "ListDocuments": RpcRule(P.DOCUMENTS_READ, "documents", readonly=True),
    DOCUMENTS + "UploadDocument": RpcRule(P.DOCUMENTS_WRITE, "documents"),
    DOCUMENTS + "DownloadDocument": RpcRule(P.DOCUMENTS_READ, "documents", readonly=True),
    **{SETUP + name: RpcRule(P.SCHEDULE_READ, "schedule_setup", readonly=True) for name in (
        "ListProviders", "ListLocations", "ListResources", "ListAppointmentTypes", "GetTemplate", "ListExceptions")},
    **{SETUP + name: RpcRule(P.SCHEDULE_SETUP, "schedule_setup") for name in (
        "SaveProvider", "SaveLocation", "SaveResource", "SaveAppointmentType", "SetTemplate", "AddException",
        "RemoveException")},
    APPOINTMENTS + "BookAppointment": RpcRule(P.SCHEDULE_WRITE, "appointments"),
    APPOINTMENTS + "RescheduleAppointment": RpcRule(P.SCHEDULE_WRITE, "appointments"),
    APPOINTMENTS + "CancelAppointment": RpcRule(P.SCHEDULE_WRITE, "appointments"),
    APPOINTMENTS + "ChangeAppointmentStatus": RpcRule(P.SCHEDULE_WRITE, "appointments"),
    APPOINTMENTS + "GetAppointment": RpcRule(P.SCHEDULE_READ, "appointments", readonly=True),
    APPOINTMENTS + "GetDaySchedule": RpcRule(P.SCHEDULE_READ, "appointments", readonly=True),
    APPOINTMENTS + "ListPatientAppointments": RpcRule(P.SCHEDULE_READ, "appointments", readonly=True),
    APPOINTMENTS + "FindSlots": RpcRule(P.SCHEDULE_READ, "appointments", readonly=True),
    APPOINTMENTS + "GetFlowBoard": RpcRule(P.SCHEDULE_READ, "appointments", readonly=True),
    APPOINTMENTS + "WatchSchedule": RpcRule(P.SCHEDULE_READ, "appointments", readonly=True, watch=True),
    APPOINTMENTS + "PreviewSeries": RpcRule(P.SCHEDULE_WRITE, "appointments", readonly=True),
    APPOINTMENTS + "BookSeries": RpcRule(P.SCHEDULE_WRITE, "appointments"),
    WAITLIST + "AddToWaitlist": RpcRule(P.SCHEDULE_WRITE, "appointments"),
    WAITLIST + "ListWaitlist": RpcRule(P.SCHEDULE_READ, "appointments", readonly=True),
    WAITLIST + "RemoveFromWaitlist": RpcRule(P.SCHEDULE_WRITE, "appointments"),
    RECALLS + "AddRecall": RpcRule(P.SCHEDULE_WRITE, "appointments"),
    RECALLS + "ListRecalls": RpcRule(P.SCHEDULE_READ, "appointments", readonly=True),
    RECALLS + "CloseRecall": RpcRule(P.SCHEDULE_WRITE, "appointments"),
    REMINDERS + "GetReminderPolicy": RpcRule(P.SCHEDULE_READ, "schedule_setup", readonly=True),
    REMINDERS + "SetReminderPolicy": RpcRule(P.SCHEDULE_SETUP, "schedule_setup"),
    **{CODES + name: RpcRule(P.CODES_READ, "code_sets", readonly=True)
       for name in ("SearchCodes", "CheckCode", "ListCodeReleases")},
    ENCOUNTERS + "CreateEncounter": RpcRule(P.ENCOUNTERS_WRITE, "charges"),
    ENCOUNTERS + "CreateEncounterFromAppointment": RpcRule(P.ENCOUNTERS_CHECKOUT, "charges"),
    ENCOUNTERS + "GetEncounter": RpcRule(P.ENCOUNTERS_READ, "charges", readonly=True),
    ENCOUNTERS + "UpdateEncounter": RpcRule(P.ENCOUNTERS_WRITE, "charges"),
    ENCOUNTERS + "ListEncounters": RpcRule(P.ENCOUNTERS_READ, "charges", readonly=True),
    ENCOUNTERS + "MarkReadyToBill": RpcRule(P.ENCOUNTERS_WRITE, "charges"),
    ENCOUNTERS + "ReopenEncounter": RpcRule(P.ENCOUNTERS_WRITE, "charges"),
    ENCOUNTERS + "ListEncounterCharges": RpcRule(P.ENCOUNTERS_READ, "charges", readonly=True),
    PRICING + "ListFees": RpcRule(P.FEES_READ, "fee_schedules", readonly=True),
    PRICING + "SetFees": RpcRule(P.FEES_MANAGE, "fee_schedules"),
    PRICING + "ListContracts": RpcRule(P.FEES_READ, "fee_schedules", readonly=True),
    PRICING + "GetContract": RpcRule(P.FEES_READ, "fee_schedules", readonly=True),
    PRICING + "CreateContract": RpcRule(P.FEES_MANAGE, "fee_schedules"),
    PRICING + "UpdateContract": RpcRule(P.FEES_MANAGE, "fee_schedules"),
    PRICING + "GetMedicareFee": RpcRule(P.FEES_READ, "fee_schedules", readonly=True),
    # Reads the patient's coverage to price a superbill: the coder's, like the encounter itself.
    PRICING + "PriceLines": RpcRule(P.ENCOUNTERS_WRITE, "charges", readonly=True),
    CLAIMS + "GetBillingSetup": RpcRule(P.CLAIMS_READ, "billing_setup", readonly=True),
    CLAIMS + "UpdateBillingSetup": RpcRule(P.CLAIMS_SETUP, "billing_setup"),
    CLAIMS + "CreateClaims": RpcRule(P.CLAIMS_WRITE, "claims"),
    CLAIMS + "GetClaim": RpcRule(P.CLAIMS_READ, "claims", readonly=True),
    CLAIMS + "ListClaims": RpcRule(P.CLAIMS_READ, "claims", readonly=True),
    CLAIMS + "ScrubClaims": RpcRule(P.CLAIMS_WRITE, "claims"),
    CLAIMS + "GetScrubSetup": RpcRule(P.CLAIMS_READ, "billing_setup", readonly=True),
    CLAIMS + "UpdateScrubSetup": RpcRule(P.CLAIMS_SETUP, "billing_setup"),
    CLAIMS + "CreateBatch": RpcRule(P.CLAIMS_WRITE, "claims"),
    # The file holds every claim's patient and subscriber: PHI, read by those who send claims.
    CLAIMS + "GetBatchFile": RpcRule(P.CLAIMS_WRITE, "claims", readonly=True),
    CLAIMS + "ListBatches": RpcRule(P.CLAIMS_DELIVERY_READ, "claim_batches", readonly=True),
    CLAIMS + "PrintClaims": RpcRule(P.CLAIMS_READ, "claims", readonly=True),
    CLAIMS + "CheckClaimStatus": RpcRule(P.CLAIMS_WRITE, "claims"),
    PAYMENTS + "PostPatientPayment": RpcRule(P.PAYMENTS_POST, "payments"),
    PAYMENTS + "ApplyPatientCredit": RpcRule(P.PAYMENTS_POST, "payments"),
    PAYMENTS + "ReversePatientPayment": RpcRule(P.PAYMENTS_CORRECT, "payments"),
    PAYMENTS + "RefundPatientCredit": RpcRule(P.PAYMENTS_CORRECT, "payments"),
    # Taking a balance off the books: the back office's, like refunds.
    PAYMENTS + "WriteOffPatientBalance": RpcRule(P.PAYMENTS_CORRECT, "payments"),
    PAYMENTS + "ListPatientPayments": RpcRule(P.LEDGER_READ, "payments", readonly=True),
    PAYMENTS + "PrintReceipt": RpcRule(P.LEDGER_READ, "payments", readonly=True),
    LEDGER + "GetPatientLedger": RpcRule(P.LEDGER_READ, "payments", readonly=True),
    REMITTANCES + "ImportRemittanceFile": RpcRule(P.REMITTANCES_POST, "payments"),
    REMITTANCES + "ListRemittances": RpcRule(P.REMITTANCES_POST, "payments", readonly=True),
    REMITTANCES + "GetRemittance": RpcRule(P.REMITTANCES_POST, "payments", readonly=True),
    REMITTANCES + "PostRemittance": RpcRule(P.REMITTANCES_POST, "payments"),
    REMITTANCES + "ListDenials": RpcRule(P.REMITTANCES_POST, "payments", readonly=True),
    REMITTANCES + "WorkDenial": RpcRule(P.REMITTANCES_POST, "payments"),
    REMITTANCES + "ResolveRemittanceException": RpcRule(P.REMITTANCES_POST, "payments"),
    REMITTANCES + "PostPaperRemittance": RpcRule(P.REMITTANCES_POST, "payments"),
    REMITTANCES + "ListUnderpayments": RpcRule(P.REMITTANCES_POST, "payments", readonly=True),
    REMINDERS + "ListReminders": RpcRule(P.SCHEDULE_READ, "appointments", readonly=True),
    DEPOSITS + "ListUndeposited": RpcRule(P.DEPOSITS_MANAGE, "payments", readonly=True),
    DEPOSITS + "CreateDeposit": RpcRule(P.DEPOSITS_MANAGE, "payments"),
    DEPOSITS + "ListDeposits": RpcRule(P.DEPOSITS_MANAGE, "payments", readonly=True),
    DEPOSITS + "GetDeposit": RpcRule(P.DEPOSITS_MANAGE, "payments", readonly=True),
    DEPOSITS + "GetDaySheet": RpcRule(P.DAY_SHEET_READ, "payments", readonly=True),
    DEPOSITS + "CloseDay": RpcRule(P.DEPOSITS_MANAGE, "payments"),
    # Reports that name patients check reports.read_phi inside (server/reports/service.py); the run is audited
    # with the report's key either way.
    **{REPORTS + name: RpcRule(P.REPORTS_READ, "reports", readonly=True) for name in (
        "ListReports", "RunReport", "ExportReport", "GetDashboard", "GetReportCatalog", "ListCustomReports")},
    REPORTS + "SaveCustomReport": RpcRule(P.REPORTS_CUSTOMIZE, "reports"),
    REPORTS + "DeleteCustomReport": RpcRule(P.REPORTS_CUSTOMIZE, "reports"),
    STATEMENTS + "GetStatementSettings": RpcRule(P.STATEMENTS_RUN, "statements", readonly=True),
    STATEMENTS + "UpdateStatementSettings": RpcRule(P.STATEMENTS_SETUP, "statements"),
    STATEMENTS + "PreviewStatementRun": RpcRule(P.STATEMENTS_RUN, "statements", readonly=True),
    STATEMENTS + "RunStatements": RpcRule(P.STATEMENTS_RUN, "statements"),
    STATEMENTS + "ListStatementRuns": RpcRule(P.STATEMENTS_RUN, "statements", readonly=True),
    # A statement names patients and their visits: whoever reads patient accounts (the front desk answers calls).
    STATEMENTS + "ListStatements": RpcRule(P.LEDGER_READ, "statements", readonly=True),
    STATEMENTS + "DownloadStatement": RpcRule(P.LEDGER_READ, "statements", readonly=True),
    STATEMENTS + "ExportStatementRun": RpcRule(P.STATEMENTS_RUN, "statements"),
    STATEMENTS + "SendStatementEmails": RpcRule(P.STATEMENTS_RUN, "statements"),
    STATEMENTS + "VoidStatement": RpcRule(P.STATEMENTS_RUN, "statements"),
    STATEMENTS + "ListCollectionAccounts": RpcRule(P.COLLECTIONS_MANAGE, "collections", readonly=True),
    STATEMENTS + "ExportCollections": RpcRule(P.COLLECTIONS_MANAGE, "collections"),
    STATEMENTS + "CreatePaymentPlan": RpcRule(P.COLLECTIONS_MANAGE, "collections"),
    STATEMENTS + "ListPaymentPlans": RpcRule(P.LEDGER_READ, "collections", readonly=True),
    STATEMENTS + "CancelPaymentPlan": RpcRule(P.COLLECTIONS_MANAGE, "collections"),
}

# Infrastructure services: need a valid, unrevoked workstation certificate, no session, not audited.
INFRASTRUCTURE_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.v1alpha.ServerReflection/",
                           "/grpc.reflection.v1.ServerReflection/")


def permissions_for(roles: list[str] | tuple[str, ...]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for name in roles:
        try:
            granted |= ROLE_PERMISSIONS[Role(name)]
        except ValueError:
            continue  # an unknown role grants nothing
    return frozenset(granted)
