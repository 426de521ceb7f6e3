"""What the TUI needs from the server, as one interface.

Screens talk only to a ``Gateway``. ``GrpcGateway`` (grpc_gateway.py) is the real one;
tests of widgets may pass a fake. Every failure reaches the screens as a ``GatewayError``
subclass, so there is one place (``App.show_error``) that turns them into messages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple, Protocol

from shared.pms.admin.v1 import admin_pb2
from shared.pms.audit.v1 import audit_pb2
from shared.pms.auth.v1 import auth_pb2
from shared.pms.claims.v1 import claims_pb2
from shared.pms.codes.v1 import codes_pb2
from shared.pms.deposits.v1 import deposits_pb2
from shared.pms.documents.v1 import documents_pb2
from shared.pms.encounters.v1 import encounters_pb2
from shared.pms.insurance.v1 import insurance_pb2
from shared.pms.ledger.v1 import ledger_pb2
from shared.pms.patients.v1 import patients_pb2
from shared.pms.payers.v1 import payers_pb2
from shared.pms.payments.v1 import payments_pb2
from shared.pms.pricing.v1 import pricing_pb2
from shared.pms.reminders.v1 import reminders_pb2
from shared.pms.remittances.v1 import remittances_pb2
from shared.pms.reports.v1 import reports_pb2
from shared.pms.scheduling.v1 import appointments_pb2, setup_pb2
from shared.pms.statements.v1 import statements_pb2

# Called with (bytes done, bytes total) while a file goes up or down.
Progress = Callable[[int, int], None]


class GatewayError(Exception):
    """Base of everything a gateway call can raise; ``str()`` is a sentence for the user."""


class SessionExpired(GatewayError):
    """No session, or the server ended it (idle, 12-hour limit, logout elsewhere): log in again."""


class LoginFailed(GatewayError):
    """Wrong username/password/code, account locked or disabled. ``reason`` is the server's."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class TotpRequired(LoginFailed):
    """Password was right; the account needs its TOTP code too."""


@dataclass
class FieldViolation:
    field: str
    description: str


class InvalidInput(GatewayError):
    """One or more fields are wrong; show each next to its field."""

    def __init__(self, violations: list[FieldViolation]) -> None:
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in violations) or "invalid input")
        self.violations = violations


class RuleBroken(GatewayError):
    """A business rule refused the action (FAILED_PRECONDITION); ``reason`` is UPPER_SNAKE.

    ``metadata`` holds the machine-readable facts the server sent with it (ErrorInfo.metadata), e.g. for
    SLOT_TAKEN the conflicting appointment's "conflict_starts_at"/"conflict_ends_at" and "next_free".
    """

    def __init__(self, message: str, reason: str, metadata: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.metadata: dict[str, str] = dict(metadata or {})


class StaleRecord(GatewayError):
    """Someone else changed the record first (ABORTED); reload and try again."""


class NotFound(GatewayError):
    pass


class PermissionDenied(GatewayError):
    pass


class ServerUnavailable(GatewayError):
    """The server cannot be reached right now; the gateway keeps reconnecting."""


class ServerError(GatewayError):
    """INTERNAL: the server logged it under ``correlation_id``."""

    def __init__(self, message: str, correlation_id: str = "") -> None:
        super().__init__(message)
        self.correlation_id = correlation_id


class LocalFileError(GatewayError):
    """A file on this workstation cannot be read or written (missing, exists already, too large)."""


class SavedStatements(NamedTuple):
    """A statement file written on this workstation: where, and how many statements it holds."""

    path: Path
    statement_count: int


class SavedCollections(NamedTuple):
    """The collection agency's file written on this workstation, with its accounts and their total."""

    path: Path
    account_count: int
    total_cents: int


class PrintedClaims(NamedTuple):
    """What ``print_claims`` collected: the server's file name, its page count and the PDF itself."""

    file_name: str
    pages: int
    content: bytes


@dataclass
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    username: str = ""
    workstation_name: str = ""
    action_contains: str = ""
    outcome: int = 0  # audit_pb2.Outcome value; 0 = any
    page_size: int = 200
    before_sequence: int = 0


@dataclass(frozen=True)
class ReportTarget:
    """What a report run names: a built-in report by key, or a saved custom report by id."""

    report: str = ""
    custom_report_id: int = 0


@dataclass
class ConnectionInfo:
    server_address: str
    workstation_name: str
    practice_name: str
    # "connected", "connecting" or "offline"
    state: str = "connecting"
    extra: dict[str, str] = field(default_factory=dict)


class Gateway(Protocol):
    """The server as the TUI sees it. Implementations set deadlines and keep the session token."""

    @property
    def connection(self) -> ConnectionInfo: ...

    async def check_connection(self) -> str:
        """Refresh and return ``connection.state`` without waiting long."""
        ...

    async def close(self) -> None: ...

    # -- auth ---------------------------------------------------------------------
    async def login(self, username: str, password: str, totp_code: str = "") -> auth_pb2.Session: ...
    async def logout(self) -> None: ...
    async def who_am_i(self) -> auth_pb2.Session: ...
    async def change_password(self, current_password: str, new_password: str) -> None: ...
    async def enroll_totp(self, current_password: str) -> auth_pb2.EnrollTotpResponse: ...
    async def confirm_totp(self, totp_code: str) -> None: ...

    # -- admin --------------------------------------------------------------------
    async def list_users(self, include_disabled: bool = True) -> list[admin_pb2.User]: ...
    async def create_user(
        self, username: str, display_name: str, roles: list[str], initial_password: str,
        idempotency_key: str = "",
    ) -> admin_pb2.User:
        """A retried call with the same ``idempotency_key`` creates the user once."""
        ...
    async def set_user_roles(self, user_id: int, roles: list[str], version: int) -> admin_pb2.User: ...
    async def disable_user(self, user_id: int, version: int) -> admin_pb2.User: ...
    async def enable_user(self, user_id: int, version: int) -> admin_pb2.User: ...
    async def reset_user_password(self, user_id: int, new_password: str, version: int) -> admin_pb2.User: ...
    async def list_roles(self) -> list[admin_pb2.Role]: ...
    async def list_workstations(self, include_revoked: bool = True) -> list[admin_pb2.Workstation]: ...
    async def enroll_workstation(
        self, name: str, lifetime_days: int = 0
    ) -> admin_pb2.EnrollWorkstationResponse: ...
    async def revoke_workstation(self, workstation_id: int, reason: str) -> admin_pb2.Workstation: ...
    async def get_practice_settings(self) -> admin_pb2.PracticeSettings: ...
    async def update_practice_settings(
        self, settings: admin_pb2.PracticeSettings
    ) -> admin_pb2.PracticeSettings: ...

    # -- audit --------------------------------------------------------------------
    async def list_audit_events(self, flt: AuditFilter) -> audit_pb2.ListAuditEventsResponse: ...
    async def verify_audit_chain(self) -> audit_pb2.VerifyAuditChainResponse: ...

    # -- patients -----------------------------------------------------------------
    async def search_patients(
        self, query: str, include_inactive: bool = False, limit: int = 25
    ) -> patients_pb2.SearchPatientsResponse: ...
    async def get_patient(self, patient_id: int) -> patients_pb2.GetPatientResponse:
        """The record with its policies (billing order, then ended) and documents."""
        ...
    async def register_patient(
        self, patient: patients_pb2.Patient, ssn: str = "", acknowledged_duplicate_ids: Sequence[int] = (),
        idempotency_key: str = "",
    ) -> patients_pb2.RegisterPatientResponse:
        """Either ``.patient`` is set (registered) or ``.possible_duplicates`` (nothing written)."""
        ...
    async def update_patient(
        self, patient: patients_pb2.Patient, ssn: str = "", clear_ssn: bool = False
    ) -> patients_pb2.Patient: ...
    async def list_patient_changes(self, patient_id: int) -> list[patients_pb2.PatientChange]: ...
    async def merge_patients(
        self, survivor_patient_id: int, survivor_version: int, merged_patient_id: int, merged_version: int,
        reason: str,
    ) -> patients_pb2.MergePatientsResponse: ...
    async def list_merges(self) -> list[patients_pb2.MergeRecord]: ...

    # -- payers -------------------------------------------------------------------
    async def search_payers(
        self, query: str, include_inactive: bool = False, limit: int = 50
    ) -> list[payers_pb2.Payer]: ...
    async def create_payer(self, payer: payers_pb2.Payer, idempotency_key: str = "") -> payers_pb2.Payer: ...
    async def update_payer(self, payer: payers_pb2.Payer) -> payers_pb2.Payer: ...

    # -- insurance ----------------------------------------------------------------
    async def list_policies(self, patient_id: int, include_ended: bool = True) -> list[insurance_pb2.Policy]: ...
    async def add_policy(
        self, policy: insurance_pb2.Policy, priority: int = 0, idempotency_key: str = ""
    ) -> insurance_pb2.Policy: ...
    async def update_policy(self, policy: insurance_pb2.Policy) -> insurance_pb2.Policy: ...
    async def end_policy(self, policy_id: int, termination_date: date, version: int) -> insurance_pb2.Policy: ...
    async def reorder_policies(self, patient_id: int, policy_ids: Sequence[int]) -> list[insurance_pb2.Policy]:
        """``policy_ids``: all the patient's active policies, primary first."""
        ...
    async def check_eligibility(
        self, policy_ids: Sequence[int], date_of_service: date | None = None
    ) -> list[insurance_pb2.EligibilityCheck]:
        """Asks the payers (``date_of_service`` None: the practice's today); the checks come back queued or sent,
        and are answered later (``list_eligibility_checks`` shows the answers)."""
        ...
    async def check_tomorrows_eligibility(self) -> list[insurance_pb2.EligibilityCheck]:
        """Asks about the policies of every patient booked for tomorrow; the checks it made."""
        ...
    async def list_eligibility_checks(
        self, patient_id: int, policy_id: int = 0, limit: int = 0
    ) -> list[insurance_pb2.EligibilityCheck]:
        """``policy_id`` 0: every policy of the patient; ``limit`` 0: the server's (20)."""
        ...

    # -- documents ----------------------------------------------------------------
    async def list_documents(self, patient_id: int) -> list[documents_pb2.DocumentInfo]: ...
    async def upload_document(
        self, header: documents_pb2.UploadDocumentHeader, path: Path, progress: Progress | None = None
    ) -> documents_pb2.DocumentInfo:
        """Streams the file at ``path``; the gateway fills in ``header.sha256`` and ``file_name``."""
        ...
    async def download_document(
        self, document_id: int, destination: Path, progress: Progress | None = None
    ) -> documents_pb2.DocumentInfo:
        """Writes the content to ``destination``, which must not exist (nothing is overwritten)."""
        ...

    # -- scheduling -----------------------------------------------------------------
    async def list_providers(self, include_inactive: bool = False) -> list[setup_pb2.Provider]: ...
    async def list_locations(self, include_inactive: bool = False) -> list[setup_pb2.Location]: ...
    async def list_appointment_types(self, include_inactive: bool = False) -> list[setup_pb2.AppointmentType]: ...
    # Schedule setup (Admin > Schedule setup). A save creates when the id is 0, otherwise updates (version must match).
    async def save_provider(self, provider: setup_pb2.Provider) -> setup_pb2.Provider: ...
    async def save_location(self, location: setup_pb2.Location) -> setup_pb2.Location: ...
    async def list_resources(
        self, location_id: int = 0, include_inactive: bool = False
    ) -> list[setup_pb2.Resource]: ...
    async def save_resource(self, resource: setup_pb2.Resource) -> setup_pb2.Resource: ...
    async def save_appointment_type(
        self, appointment_type: setup_pb2.AppointmentType
    ) -> setup_pb2.AppointmentType: ...
    async def get_template(self, provider_id: int) -> setup_pb2.GetTemplateResponse: ...
    async def set_template(
        self, provider_id: int, blocks: Sequence[setup_pb2.TemplateBlock], template_version: int
    ) -> setup_pb2.SetTemplateResponse:
        """Replaces the provider's whole weekly template; ``template_version`` is the one the edit started from."""
        ...
    async def list_exceptions(
        self, provider_id: int = 0, from_date: date | None = None, to_date: date | None = None
    ) -> list[setup_pb2.ScheduleException]:
        """A provider's exceptions (and the practice-wide ones) touching [from_date, to_date]; None is open."""
        ...
    async def add_exception(self, exception: setup_pb2.ScheduleException) -> setup_pb2.ScheduleException: ...
    async def remove_exception(self, exception_id: int) -> None: ...
    async def get_reminder_policy(self) -> reminders_pb2.ReminderPolicy: ...
    async def set_reminder_policy(self, policy: reminders_pb2.ReminderPolicy) -> reminders_pb2.ReminderPolicy: ...
    async def get_day_schedule(
        self, location_id: int, day: date, provider_ids: Sequence[int] = (), include_cancelled: bool = False
    ) -> appointments_pb2.GetDayScheduleResponse:
        """One location's local ``day``: the provider columns, their template blocks and the appointments."""
        ...
    async def book_appointment(self, request: appointments_pb2.BookAppointmentRequest) -> appointments_pb2.Appointment:
        """A blank ``request.idempotency_key`` gets a fresh one; a retry with the same key books once."""
        ...
    async def reschedule_appointment(
        self, appointment_id: int, version: int, starts_at: datetime, provider_id: int = 0, location_id: int = 0,
        duration_minutes: int = 0, overbook: bool = False, note: str = "",
    ) -> appointments_pb2.RescheduleAppointmentResponse:
        """``starts_at`` is an aware instant; 0 keeps the provider, location and length. The answer carries the
        moved appointment and the waiting patients the time it left suits."""
        ...
    async def cancel_appointment(
        self, appointment_id: int, version: int, reason: int, note: str = ""
    ) -> appointments_pb2.CancelAppointmentResponse:
        """``reason``: an ``appointments_pb2.CancelReason`` value. The answer carries the cancelled appointment and
        the waiting patients the freed time suits."""
        ...
    async def change_appointment_status(
        self, appointment_id: int, version: int, status: int, note: str = ""
    ) -> appointments_pb2.Appointment:
        """``status``: an ``appointments_pb2.AppointmentStatus`` value (the server decides if the step is allowed)."""
        ...
    async def get_appointment(self, appointment_id: int) -> appointments_pb2.GetAppointmentResponse:
        """The appointment and its history, oldest first."""
        ...
    async def list_patient_appointments(
        self, patient_id: int, from_time: datetime | None = None, to_time: datetime | None = None,
        include_cancelled: bool = False,
    ) -> list[appointments_pb2.Appointment]: ...
    async def find_slots(self, request: appointments_pb2.FindSlotsRequest) -> list[appointments_pb2.Slot]: ...
    async def preview_series(
        self, request: appointments_pb2.PreviewSeriesRequest
    ) -> list[appointments_pb2.SeriesOccurrence]:
        """Every occurrence of a recurring series, each free or with the server's reason why not; books nothing."""
        ...
    async def book_series(self, request: appointments_pb2.BookSeriesRequest) -> appointments_pb2.BookSeriesResponse:
        """All occurrences in one transaction, or (``skip_conflicts``) only the free ones; the answer marks each
        booked one with its ``appointment_id``. A blank ``request.idempotency_key`` gets a fresh one."""
        ...

    # -- waitlist -------------------------------------------------------------------
    async def add_to_waitlist(self, entry: appointments_pb2.WaitlistEntry) -> appointments_pb2.WaitlistEntry: ...
    async def list_waitlist(
        self, provider_id: int = 0, location_id: int = 0, include_closed: bool = False
    ) -> list[appointments_pb2.WaitlistEntry]: ...
    async def remove_from_waitlist(self, waitlist_entry_id: int, note: str = "") -> appointments_pb2.WaitlistEntry: ...

    # -- recalls --------------------------------------------------------------------
    async def add_recall(self, recall: appointments_pb2.Recall) -> appointments_pb2.Recall: ...
    async def list_recalls(
        self, due_by: date | None = None, provider_id: int = 0, include_closed: bool = False
    ) -> list[appointments_pb2.Recall]:
        """Recalls due on or before ``due_by`` (None: all)."""
        ...
    async def close_recall(self, recall_id: int, note: str = "") -> appointments_pb2.Recall: ...
    async def get_flow_board(
        self, location_id: int, day: date | None = None
    ) -> appointments_pb2.GetFlowBoardResponse:
        """``day`` None: today at the location."""
        ...
    def watch_schedule(
        self, location_id: int, days: Sequence[date]
    ) -> AsyncIterator[appointments_pb2.WatchScheduleResponse]:
        """Changes to one location's calendar on ``days`` (1 to 14 local dates) as they are committed.

        The first message (kind "watching") says the watch is live. The iterator ends when the server ends the
        stream (its connection age limit, a restart) or raises ``ServerUnavailable``: watch again, then reload.
        """
        ...

    # -- codes and encounters (Billing) -----------------------------------------------
    async def search_codes(
        self, system: int, query: str, billable_only: bool = False, date_of_service: date | None = None,
        limit: int = 0,
    ) -> list[codes_pb2.Code]:
        """``system``: a ``codes_pb2.CodeSystem`` value; ``query`` a code prefix ("E11.6") or words ("diab typ 2").
        ``date_of_service`` None: today at the practice. ``limit`` 0: the server's (25)."""
        ...
    async def list_encounters(
        self, status: int = 0, rendering_provider_id: int = 0, patient_id: int = 0,
        from_date: date | None = None, to_date: date | None = None, limit: int = 0,
    ) -> list[encounters_pb2.EncounterSummary]:
        """The biller's worklist, newest first; ``status`` an ``EncounterStatus`` value (0: any)."""
        ...
    async def get_encounter(self, encounter_id: int) -> encounters_pb2.Encounter: ...
    async def create_encounter(
        self, encounter: encounters_pb2.Encounter, idempotency_key: str = ""
    ) -> encounters_pb2.Encounter:
        """A blank ``idempotency_key`` gets a fresh one; a retry with the same key creates once."""
        ...
    async def update_encounter(self, encounter: encounters_pb2.Encounter) -> encounters_pb2.Encounter:
        """Replaces header, diagnoses and lines of an open encounter; ``encounter.version`` must be current."""
        ...
    async def create_encounter_from_appointment(
        self, appointment_id: int
    ) -> encounters_pb2.CreateEncounterFromAppointmentResponse:
        """At check-out; ``created`` is False when the appointment had one already (it is returned)."""
        ...

    async def mark_ready_to_bill(self, encounter_id: int, version: int) -> encounters_pb2.MarkReadyToBillResponse:
        """Open -> ready: the server checks the whole encounter again and posts each line's charge once."""
        ...

    # -- pricing: fee schedule and payer contracts (Admin > Fees; the superbill's expected amounts) -----
    async def list_fees(
        self, code_prefix: str = "", on_date: date | None = None, limit: int = 0
    ) -> list[pricing_pb2.Fee]:
        """The practice's fees in effect on ``on_date`` (None: the practice's today); ``limit`` 0: the server's."""
        ...
    async def set_fees(self, effective_from: date, fees: Sequence[pricing_pb2.Fee]) -> int:
        """Sets fees from ``effective_from`` on (at most 5000 in one call); returns how many were set."""
        ...
    async def list_contracts(self, payer_id: int = 0) -> list[pricing_pb2.ContractSummary]: ...
    async def get_contract(self, contract_id: int) -> pricing_pb2.Contract: ...
    async def create_contract(self, contract: pricing_pb2.Contract) -> pricing_pb2.Contract: ...
    async def update_contract(self, contract: pricing_pb2.Contract) -> pricing_pb2.Contract:
        """Replaces terms and rates; ``contract.version`` must be current (else ``StaleRecord``)."""
        ...
    async def get_medicare_fee(
        self, code: str, modifier: str, medicare_contractor: str, medicare_locality: str,
        date_of_service: date | None = None,
    ) -> pricing_pb2.GetMedicareFeeResponse: ...
    async def price_lines(
        self, patient_id: int, date_of_service: date | None, lines: Sequence[pricing_pb2.LineToPrice],
        location_id: int = 0, place_of_service: str = "",
    ) -> pricing_pb2.PriceLinesResponse:
        """What the lines would be charged and what the patient's primary payer is expected to allow."""
        ...

    # -- claims (Billing mode's Claims view, the claim screen; Admin > Billing setup) -------------------
    async def get_billing_setup(self) -> claims_pb2.BillingSetup: ...
    async def update_billing_setup(self, setup: claims_pb2.BillingSetup) -> claims_pb2.BillingSetup:
        """The practice's billing identity; ``setup.version`` must be current (else ``StaleRecord``)."""
        ...
    async def create_claims(self, encounter_ids: Sequence[int]) -> list[claims_pb2.ClaimOutcome]:
        """Bills ready encounters to their primary payer: each answered with its claim or the refusal's reason."""
        ...
    async def get_claim(self, claim_id: int) -> claims_pb2.GetClaimResponse:
        """The claim with its lines, its status history (oldest first) and the last scrub's findings."""
        ...
    async def list_claims(
        self, status: int = 0, payer_id: int = 0, rendering_provider_id: int = 0, patient_id: int = 0,
        limit: int = 0,
    ) -> claims_pb2.ListClaimsResponse:
        """Newest first, with the counts per status (every status, the other filters honoured) and the first
        scrubs' clean count; ``status`` a ``ClaimStatus`` value (0: any); ``limit`` 0: the server's (100)."""
        ...
    async def scrub_claims(self, claim_ids: Sequence[int], queue: bool = False) -> list[claims_pb2.ScrubbedClaim]:
        """Scrubs draft, scrubbed or rejected claims; ``queue`` queues the clean ones to send."""
        ...
    async def get_scrub_setup(self) -> claims_pb2.GetScrubSetupResponse: ...
    async def update_scrub_setup(self, request: claims_pb2.UpdateScrubSetupRequest) -> claims_pb2.GetScrubSetupResponse:
        """Rules not named keep their setting; the code pairs and authorization lists are replaced as given."""
        ...
    async def create_batch(self, claim_ids: Sequence[int] = ()) -> claims_pb2.Batch:
        """Writes queued claims (none named: every queued claim not yet in a file, at most 5000) into one 837P.
        ``RuleBroken`` NOTHING_QUEUED when there is none."""
        ...
    async def get_batch_file(self, batch_id: int) -> claims_pb2.GetBatchFileResponse: ...
    async def list_batches(self, status: int = 0, limit: int = 0, before_id: int = 0) -> claims_pb2.ListBatchesResponse:
        """The 837P batches, newest first, with the counts per status (every status); ``status`` a ``BatchStatus``
        value (0: any); ``limit`` 0: the server's (50); ``before_id``: only batches older than that one."""
        ...
    async def print_claims(self, claim_ids: Sequence[int], mode: int) -> PrintedClaims:
        """The claims on CMS-1500 forms, as one PDF; ``mode`` a ``FormMode`` (red form or full)."""
        ...

    # -- the patient's account: ledger and payments (the patient screen's Account) ------------------------
    async def get_patient_ledger(self, patient_id: int) -> ledger_pb2.GetPatientLedgerResponse:
        """Every entry that changed what the patient's account owes, oldest first, with running balances."""
        ...
    async def post_patient_payment(
        self, payment: payments_pb2.PatientPayment, applications: Sequence[payments_pb2.Application] = (),
        keep_as_credit: bool = False, idempotency_key: str = "",
    ) -> payments_pb2.PostPatientPaymentResponse:
        """Applied to ``applications``, or (none) to the oldest balances first; ``keep_as_credit`` keeps it all as
        unapplied credit. One key per user action: a retry with the same key posts once; a blank key gets a fresh
        one (the gateway retries with it when the server cannot be reached)."""
        ...
    async def reverse_patient_payment(
        self, payment_id: int, reason: str, idempotency_key: str = ""
    ) -> payments_pb2.ReversePatientPaymentResponse: ...
    async def apply_patient_credit(
        self, patient_id: int, idempotency_key: str = ""
    ) -> payments_pb2.ApplyPatientCreditResponse: ...
    async def refund_patient_credit(
        self, patient_id: int, amount_cents: int, reason: str, idempotency_key: str = ""
    ) -> payments_pb2.RefundPatientCreditResponse: ...
    async def list_patient_payments(
        self, patient_id: int, limit: int = 0
    ) -> payments_pb2.ListPatientPaymentsResponse:
        """Newest first, with the patient's balance; ``limit`` 0: the server's (100)."""
        ...

    # -- ERAs (Billing mode: E in the claims worklist) -----------------------------------------------
    async def import_remittance_file(self, path: Path) -> remittances_pb2.ImportRemittanceFileResponse:
        """Reads the 835 at ``path`` on this workstation and sends it (``LocalFileError`` when it cannot be read);
        nothing posts. Importing the same ERA again changes nothing."""
        ...
    async def list_remittances(self, status: int = 0, limit: int = 0) -> list[remittances_pb2.Remittance]:
        """Newest first; ``status`` a ``RemittanceStatus`` value (0: any); ``limit`` 0: the server's (100)."""
        ...
    async def get_remittance(self, remittance_id: int) -> remittances_pb2.GetRemittanceResponse:
        """The ERA with what each claim payment will post (or posted), for the preview."""
        ...
    async def post_remittance(self, remittance_id: int) -> remittances_pb2.PostRemittanceResponse:
        """Posts every ready claim payment once; exceptions stay. Posting again posts nothing more."""
        ...
    async def resolve_remittance_exception(self, remittance_id: int, position: int, claim_id: int
                                           ) -> remittances_pb2.ResolveRemittanceExceptionResponse:
        """Matches an exception to the claim named; it posts (or is ready) or the server says why not."""
        ...
    async def list_denials(self, limit: int = 0) -> list[remittances_pb2.Denial]: ...
    async def list_underpayments(self, limit: int = 0) -> remittances_pb2.ListUnderpaymentsResponse:
        """Services allowed below the contract, oldest first, with the total short; ``limit`` 0: the server's
        (200)."""
        ...

    async def post_paper_remittance(
        self, request: remittances_pb2.PostPaperRemittanceRequest
    ) -> remittances_pb2.PostPaperRemittanceResponse:
        """A check and its paper EOB keyed in, matched and posted in one call; anything that does not add up is
        refused naming its field ("claims[0].services[1].paid_cents"). The request's idempotency key (blank: a
        fresh one) makes a retry post once."""
        ...

    # -- deposits and the day sheet (Billing mode: G and Y on the ERAs) -----------------------------
    async def list_undeposited(self) -> deposits_pb2.ListUndepositedResponse:
        """Patient payments and posted ERAs not yet in a deposit, with their totals by method."""
        ...
    async def create_deposit(
        self, payment_ids: Sequence[int], remittance_ids: Sequence[int], deposit_date: date | None = None,
        bank_reference: str = "", note: str = "", idempotency_key: str = "",
    ) -> deposits_pb2.Deposit:
        """One bank deposit of the chosen items (``deposit_date`` None: today). One key per user action: a retry
        with the same key deposits once."""
        ...
    async def list_deposits(self, limit: int = 0) -> list[deposits_pb2.Deposit]:
        """Newest first, without their items; ``limit`` 0: the server's (100)."""
        ...
    async def get_deposit(self, deposit_id: int) -> deposits_pb2.Deposit: ...
    async def get_day_sheet(self, business_date: date | None = None) -> deposits_pb2.DaySheet:
        """The day's figures (None: today); a closed day's is the sheet stored when it was closed."""
        ...
    async def close_day(self, business_date: date, idempotency_key: str = "") -> deposits_pb2.DaySheet:
        """Closes the day once and stores its sheet."""
        ...

    # -- reports and the dashboard (Reports mode, Ctrl+E) ------------------------------------------
    async def list_reports(self) -> list[reports_pb2.ReportInfo]:
        """The built-in reports this user may run, each with its group and the filters it takes."""
        ...
    async def run_report(
        self, target: ReportTarget, report_filter: reports_pb2.ReportFilter
    ) -> reports_pb2.ReportTable: ...
    async def export_report(
        self, target: ReportTarget, report_filter: reports_pb2.ReportFilter, export_format: int, folder: Path,
        progress: Progress | None = None,
    ) -> Path:
        """Streams the report as a CSV or PDF file into ``folder`` (made if missing) under the server's file name
        (numbered when one by that name exists: nothing is overwritten); returns the file written."""
        ...
    async def get_dashboard(self, month: date | None = None) -> reports_pb2.GetDashboardResponse:
        """KPIs of ``month`` (any day in it; None: this month) against the month before and the goals."""
        ...
    async def get_report_catalog(self) -> reports_pb2.GetReportCatalogResponse: ...
    async def save_custom_report(
        self, definition: reports_pb2.CustomReportDefinition, custom_report_id: int = 0, version: int = 0
    ) -> reports_pb2.CustomReport:
        """A new custom report (``custom_report_id`` 0) or a change of one at ``version``."""
        ...
    async def list_custom_reports(self) -> list[reports_pb2.CustomReport]: ...
    async def delete_custom_report(self, custom_report_id: int, version: int) -> None: ...

    # -- statements, collections and payment plans (Billing mode: T and K in the claims worklist) -------------
    async def get_statement_settings(self) -> statements_pb2.StatementSettings: ...
    async def update_statement_settings(
        self, settings: statements_pb2.StatementSettings
    ) -> statements_pb2.StatementSettings:
        """Threshold, cycle, due days and dunning messages; ``settings.version`` must be current (else
        ``StaleRecord``)."""
        ...
    async def preview_statement_run(self) -> statements_pb2.PreviewStatementRunResponse:
        """What a run today would do (counts and totals); writes nothing."""
        ...
    async def run_statements(self, idempotency_key: str = "") -> statements_pb2.StatementRun:
        """Makes today's statements once: one key per user action (a retry with it answers the same run)."""
        ...
    async def list_statement_runs(self, limit: int = 0) -> list[statements_pb2.StatementRun]:
        """Newest first; ``limit`` 0: the server's (50)."""
        ...
    async def list_statements(self, run_id: int = 0, patient_id: int = 0) -> list[statements_pb2.Statement]:
        """A run's statements, or every statement that covered a patient (one of the two)."""
        ...
    async def download_statement(
        self, statement_id: int, folder: Path, progress: Progress | None = None
    ) -> Path:
        """The statement's PDF exactly as sent, as a new file in ``folder`` (made if missing; numbered when the
        name is taken: nothing is overwritten). ``progress`` gets (bytes so far, 0) per chunk, then (n, n)."""
        ...
    async def export_statement_run(
        self, run_id: int, export_format: int, folder: Path, progress: Progress | None = None
    ) -> SavedStatements:
        """The run's combined print PDF or the print vendor's CSV (``export_format`` an ``ExportFormat``) into
        ``folder`` like ``download_statement``; the statements in it become printed or exported."""
        ...
    async def send_statement_emails(
        self, run_id: int, idempotency_key: str = ""
    ) -> statements_pb2.SendStatementEmailsResponse:
        """Emails the run's statements of guarantors who chose email, once per key."""
        ...
    async def void_statement(self, statement_id: int, reason: str) -> statements_pb2.Statement: ...
    async def list_collection_accounts(self, status: int = 0) -> list[statements_pb2.CollectionAccount]:
        """``status`` a ``CollectionStatus`` value (0: every status)."""
        ...
    async def export_collections(self, folder: Path, idempotency_key: str = "") -> SavedCollections:
        """The agency's CSV of the flagged accounts (they become sent) as a new file in ``folder``; a retry with
        the same key gets the same file."""
        ...
    async def create_payment_plan(
        self, request: statements_pb2.CreatePaymentPlanRequest
    ) -> statements_pb2.PaymentPlan: ...
    async def list_payment_plans(
        self, patient_id: int = 0, include_cancelled: bool = False
    ) -> list[statements_pb2.PaymentPlan]: ...
    async def cancel_payment_plan(
        self, payment_plan_id: int, version: int, reason: str
    ) -> statements_pb2.PaymentPlan: ...
