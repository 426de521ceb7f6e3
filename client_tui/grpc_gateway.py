"""The real Gateway: gRPC over mutual TLS with the workstation's bundle.

Every call has a deadline. The channel reconnects within a couple of seconds after the
server comes back (default gRPC backoff would leave the client dead for ~30 s). Only calls
protected by an idempotency key are retried automatically.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2, status_pb2

from client_tui.gateway import (
    AuditFilter,
    ConnectionInfo,
    FieldViolation,
    GatewayError,
    InvalidInput,
    LocalFileError,
    LoginFailed,
    NotFound,
    PermissionDenied,
    PrintedClaims,
    Progress,
    ReportTarget,
    RuleBroken,
    SavedCollections,
    SavedStatements,
    ServerError,
    ServerUnavailable,
    SessionExpired,
    StaleRecord,
    TotpRequired,
)
from shared import dates
from shared.bundle import WorkstationBundle
from shared.pms.admin.v1 import admin_pb2, admin_pb2_grpc
from shared.pms.audit.v1 import audit_pb2, audit_pb2_grpc
from shared.pms.auth.v1 import auth_pb2, auth_pb2_grpc
from shared.pms.claims.v1 import claims_pb2, claims_pb2_grpc
from shared.pms.codes.v1 import codes_pb2, codes_pb2_grpc
from shared.pms.deposits.v1 import deposits_pb2, deposits_pb2_grpc
from shared.pms.documents.v1 import documents_pb2, documents_pb2_grpc
from shared.pms.encounters.v1 import encounters_pb2, encounters_pb2_grpc
from shared.pms.insurance.v1 import insurance_pb2, insurance_pb2_grpc
from shared.pms.ledger.v1 import ledger_pb2, ledger_pb2_grpc
from shared.pms.patients.v1 import patients_pb2, patients_pb2_grpc
from shared.pms.payers.v1 import payers_pb2, payers_pb2_grpc
from shared.pms.payments.v1 import payments_pb2, payments_pb2_grpc
from shared.pms.pricing.v1 import pricing_pb2, pricing_pb2_grpc
from shared.pms.reminders.v1 import reminders_pb2, reminders_pb2_grpc
from shared.pms.remittances.v1 import remittances_pb2, remittances_pb2_grpc
from shared.pms.reports.v1 import reports_pb2, reports_pb2_grpc
from shared.pms.scheduling.v1 import appointments_pb2, appointments_pb2_grpc, setup_pb2, setup_pb2_grpc
from shared.pms.statements.v1 import statements_pb2, statements_pb2_grpc

T = TypeVar("T")
DEADLINE_S = 10.0
# Files move in 256 KiB chunks; a whole transfer gets a longer deadline than one call.
CHUNK_BYTES = 256 * 1024
TRANSFER_DEADLINE_S = 120.0
# A report reads a lot (a year of the ledger): more time than a form's call, less than a file transfer.
REPORT_DEADLINE_S = 60.0
# A statement run reads every open account and draws each PDF; emails wait on the SMTP server.
STATEMENT_RUN_DEADLINE_S = 120.0
# The server's limit too (server/documents/rules.py); checked here so a big file is refused before it is sent.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# The server's limit for an 835 file (server/remittances/service.py).
MAX_REMITTANCE_BYTES = 50 * 1024 * 1024
CHANNEL_OPTIONS = [
    ("grpc.max_reconnect_backoff_ms", 2000),
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
]
_STATES = {
    grpc.ChannelConnectivity.READY: "connected",
    grpc.ChannelConnectivity.IDLE: "connecting",
    grpc.ChannelConnectivity.CONNECTING: "connecting",
    grpc.ChannelConnectivity.TRANSIENT_FAILURE: "offline",
    grpc.ChannelConnectivity.SHUTDOWN: "offline",
}


def error_from_rpc(exc: grpc.aio.AioRpcError, *, during_login: bool = False) -> GatewayError:
    """Turns a status with google.rpc details into the gateway's typed errors."""
    code, message = exc.code(), exc.details() or ""
    reason, violations, corr = "", [], ""
    metadata: dict[str, str] = {}
    trailers: Any = exc.trailing_metadata() or ()
    for key, value in trailers:
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    detail.Unpack(info)
                    reason, corr = info.reason, info.metadata.get("correlation_id", "")
                    metadata = dict(info.metadata)
                elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    bad = error_details_pb2.BadRequest()
                    detail.Unpack(bad)
                    violations = [FieldViolation(v.field, v.description) for v in bad.field_violations]
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return InvalidInput(violations or [FieldViolation("", message)])
    if code == grpc.StatusCode.UNAUTHENTICATED:
        if reason == "TOTP_REQUIRED":
            return TotpRequired(message, reason)
        if during_login or reason.startswith("WORKSTATION_") or reason.startswith("ACCOUNT_"):
            return LoginFailed(message, reason)
        return SessionExpired(message or "Your session has ended; please log in again.")
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        return RuleBroken(message, reason, metadata)
    if code == grpc.StatusCode.ABORTED:
        return StaleRecord(message or "Someone else changed this record; reload and try again.")
    if code == grpc.StatusCode.NOT_FOUND:
        return NotFound(message or "Not found.")
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return PermissionDenied(message or "Your role does not allow this action.")
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED):
        return ServerUnavailable("The server cannot be reached right now; reconnecting...")
    return ServerError(message or "The server hit an error.", corr)


def _ts(value: Any) -> Timestamp | None:
    if value is None:
        return None
    out = Timestamp()
    out.FromDatetime(value)
    return out


class GrpcGateway:
    def __init__(self, bundle: WorkstationBundle, *, deadline: float = DEADLINE_S) -> None:
        self.bundle = bundle
        self.deadline = deadline
        self.token = ""
        creds = grpc.ssl_channel_credentials(
            root_certificates=bundle.ca_cert_pem.encode(),
            private_key=bundle.key_pem.encode(),
            certificate_chain=bundle.cert_pem.encode(),
        )
        self.channel = grpc.aio.secure_channel(
            bundle.server_address,
            creds,
            options=[*CHANNEL_OPTIONS, ("grpc.ssl_target_name_override", bundle.server_name)],
        )
        self.auth = auth_pb2_grpc.AuthServiceStub(self.channel)
        self.admin = admin_pb2_grpc.AdminServiceStub(self.channel)
        self.patients = patients_pb2_grpc.PatientServiceStub(self.channel)
        self.payers = payers_pb2_grpc.PayerServiceStub(self.channel)
        self.insurance = insurance_pb2_grpc.InsuranceServiceStub(self.channel)
        self.documents = documents_pb2_grpc.DocumentServiceStub(self.channel)
        self.audit = audit_pb2_grpc.AuditServiceStub(self.channel)
        self.schedule_setup = setup_pb2_grpc.ScheduleSetupServiceStub(self.channel)
        self.appointments = appointments_pb2_grpc.AppointmentServiceStub(self.channel)
        self.waitlist = appointments_pb2_grpc.WaitlistServiceStub(self.channel)
        self.recalls = appointments_pb2_grpc.RecallServiceStub(self.channel)
        self.reminders = reminders_pb2_grpc.ReminderServiceStub(self.channel)
        self.codes = codes_pb2_grpc.CodeServiceStub(self.channel)
        self.encounters = encounters_pb2_grpc.EncounterServiceStub(self.channel)
        self.pricing = pricing_pb2_grpc.PricingServiceStub(self.channel)
        self.claims = claims_pb2_grpc.ClaimServiceStub(self.channel)
        self.ledger = ledger_pb2_grpc.LedgerServiceStub(self.channel)
        self.payments = payments_pb2_grpc.PaymentServiceStub(self.channel)
        self.remittances = remittances_pb2_grpc.RemittanceServiceStub(self.channel)
        self.deposits = deposits_pb2_grpc.DepositServiceStub(self.channel)
        self.reports = reports_pb2_grpc.ReportServiceStub(self.channel)
        self.statements = statements_pb2_grpc.StatementServiceStub(self.channel)
        self._connection = ConnectionInfo(
            bundle.server_address, bundle.workstation_name, bundle.practice_name
        )

    @property
    def connection(self) -> ConnectionInfo:
        return self._connection

    async def check_connection(self) -> str:
        self._connection.state = _STATES.get(self.channel.get_state(try_to_connect=True), "offline")
        return self._connection.state

    async def close(self) -> None:
        await self.channel.close(grace=None)

    def _metadata(self) -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {self.token}")] if self.token else []

    async def _call(
        self,
        rpc: Callable[..., Awaitable[T]],
        request: Any,
        *,
        during_login: bool = False,
        retry: bool = False,
        deadline: float | None = None,
    ) -> T:
        attempts = 3 if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return await rpc(request, timeout=deadline or self.deadline, metadata=self._metadata())
            except grpc.aio.AioRpcError as exc:
                error = error_from_rpc(exc, during_login=during_login)
                if isinstance(error, ServerUnavailable):
                    self._connection.state = "offline"
                    if attempt < attempts:
                        continue
                raise error from None
        raise AssertionError("unreachable")

    # -- auth -----------------------------------------------------------------------------
    async def login(self, username: str, password: str, totp_code: str = "") -> auth_pb2.Session:
        resp = await self._call(
            self.auth.Login,
            auth_pb2.LoginRequest(username=username, password=password, totp_code=totp_code),
            during_login=True,
        )
        self.token = resp.session_token
        return resp.session

    async def logout(self) -> None:
        try:
            await self._call(self.auth.Logout, auth_pb2.LogoutRequest())
        finally:
            self.token = ""

    async def who_am_i(self) -> auth_pb2.Session:
        return (await self._call(self.auth.WhoAmI, auth_pb2.WhoAmIRequest())).session

    async def change_password(self, current_password: str, new_password: str) -> None:
        await self._call(
            self.auth.ChangePassword,
            auth_pb2.ChangePasswordRequest(current_password=current_password, new_password=new_password),
        )

    async def enroll_totp(self, current_password: str) -> auth_pb2.EnrollTotpResponse:
        return await self._call(
            self.auth.EnrollTotp, auth_pb2.EnrollTotpRequest(current_password=current_password)
        )

    async def confirm_totp(self, totp_code: str) -> None:
        await self._call(self.auth.ConfirmTotp, auth_pb2.ConfirmTotpRequest(totp_code=totp_code))

    # -- admin ----------------------------------------------------------------------------
    async def list_users(self, include_disabled: bool = True) -> list[admin_pb2.User]:
        resp = await self._call(
            self.admin.ListUsers, admin_pb2.ListUsersRequest(include_disabled=include_disabled)
        )
        return list(resp.users)

    async def create_user(
        self, username: str, display_name: str, roles: list[str], initial_password: str,
        idempotency_key: str = "",
    ) -> admin_pb2.User:
        request = admin_pb2.CreateUserRequest(
            username=username,
            display_name=display_name,
            roles=roles,
            initial_password=initial_password,
            idempotency_key=idempotency_key or uuid.uuid4().hex,
        )
        return (await self._call(self.admin.CreateUser, request, retry=True)).user

    async def set_user_roles(self, user_id: int, roles: list[str], version: int) -> admin_pb2.User:
        return (
            await self._call(
                self.admin.SetUserRoles,
                admin_pb2.SetUserRolesRequest(user_id=user_id, roles=roles, version=version),
            )
        ).user

    async def disable_user(self, user_id: int, version: int) -> admin_pb2.User:
        return (
            await self._call(
                self.admin.DisableUser, admin_pb2.DisableUserRequest(user_id=user_id, version=version)
            )
        ).user

    async def enable_user(self, user_id: int, version: int) -> admin_pb2.User:
        return (
            await self._call(
                self.admin.EnableUser, admin_pb2.EnableUserRequest(user_id=user_id, version=version)
            )
        ).user

    async def reset_user_password(self, user_id: int, new_password: str, version: int) -> admin_pb2.User:
        return (
            await self._call(
                self.admin.ResetUserPassword,
                admin_pb2.ResetUserPasswordRequest(
                    user_id=user_id, new_password=new_password, version=version
                ),
            )
        ).user

    async def list_roles(self) -> list[admin_pb2.Role]:
        return list((await self._call(self.admin.ListRoles, admin_pb2.ListRolesRequest())).roles)

    async def list_workstations(self, include_revoked: bool = True) -> list[admin_pb2.Workstation]:
        resp = await self._call(
            self.admin.ListWorkstations, admin_pb2.ListWorkstationsRequest(include_revoked=include_revoked)
        )
        return list(resp.workstations)

    async def enroll_workstation(
        self, name: str, lifetime_days: int = 0
    ) -> admin_pb2.EnrollWorkstationResponse:
        return await self._call(
            self.admin.EnrollWorkstation,
            admin_pb2.EnrollWorkstationRequest(name=name, lifetime_days=lifetime_days),
        )

    async def revoke_workstation(self, workstation_id: int, reason: str) -> admin_pb2.Workstation:
        return (
            await self._call(
                self.admin.RevokeWorkstation,
                admin_pb2.RevokeWorkstationRequest(workstation_id=workstation_id, reason=reason),
            )
        ).workstation

    async def get_practice_settings(self) -> admin_pb2.PracticeSettings:
        return (
            await self._call(self.admin.GetPracticeSettings, admin_pb2.GetPracticeSettingsRequest())
        ).settings

    async def update_practice_settings(
        self, settings: admin_pb2.PracticeSettings
    ) -> admin_pb2.PracticeSettings:
        return (
            await self._call(
                self.admin.UpdatePracticeSettings, admin_pb2.UpdatePracticeSettingsRequest(settings=settings)
            )
        ).settings

    # -- audit ----------------------------------------------------------------------------
    async def list_audit_events(self, flt: AuditFilter) -> audit_pb2.ListAuditEventsResponse:
        request = audit_pb2.ListAuditEventsRequest(
            since=_ts(flt.since),
            until=_ts(flt.until),
            username=flt.username,
            workstation_name=flt.workstation_name,
            action_contains=flt.action_contains,
            outcome=flt.outcome,  # type: ignore[arg-type]
            page_size=flt.page_size,
            before_sequence=flt.before_sequence,
        )
        return await self._call(self.audit.ListAuditEvents, request)

    async def verify_audit_chain(self) -> audit_pb2.VerifyAuditChainResponse:
        return await self._call(self.audit.VerifyAuditChain, audit_pb2.VerifyAuditChainRequest())

    # -- patients -------------------------------------------------------------------------
    async def search_patients(
        self, query: str, include_inactive: bool = False, limit: int = 25
    ) -> patients_pb2.SearchPatientsResponse:
        return await self._call(self.patients.SearchPatients, patients_pb2.SearchPatientsRequest(
            query=query, include_inactive=include_inactive, limit=limit))

    async def get_patient(self, patient_id: int) -> patients_pb2.GetPatientResponse:
        return await self._call(self.patients.GetPatient, patients_pb2.GetPatientRequest(patient_id=patient_id))

    async def register_patient(
        self, patient: patients_pb2.Patient, ssn: str = "", acknowledged_duplicate_ids: Sequence[int] = (),
        idempotency_key: str = "",
    ) -> patients_pb2.RegisterPatientResponse:
        request = patients_pb2.RegisterPatientRequest(
            patient=patient, ssn=ssn, acknowledged_duplicate_ids=list(acknowledged_duplicate_ids),
            idempotency_key=idempotency_key or uuid.uuid4().hex)
        return await self._call(self.patients.RegisterPatient, request, retry=True)

    async def update_patient(
        self, patient: patients_pb2.Patient, ssn: str = "", clear_ssn: bool = False
    ) -> patients_pb2.Patient:
        return (await self._call(self.patients.UpdatePatient, patients_pb2.UpdatePatientRequest(
            patient=patient, ssn=ssn, clear_ssn=clear_ssn))).patient

    async def list_patient_changes(self, patient_id: int) -> list[patients_pb2.PatientChange]:
        return list((await self._call(self.patients.ListPatientChanges, patients_pb2.ListPatientChangesRequest(
            patient_id=patient_id))).changes)

    async def merge_patients(
        self, survivor_patient_id: int, survivor_version: int, merged_patient_id: int, merged_version: int,
        reason: str,
    ) -> patients_pb2.MergePatientsResponse:
        return await self._call(self.patients.MergePatients, patients_pb2.MergePatientsRequest(
            survivor_patient_id=survivor_patient_id, survivor_version=survivor_version,
            merged_patient_id=merged_patient_id, merged_version=merged_version, reason=reason))

    async def list_merges(self) -> list[patients_pb2.MergeRecord]:
        return list((await self._call(self.patients.ListMerges, patients_pb2.ListMergesRequest())).merges)

    # -- payers ---------------------------------------------------------------------------
    async def search_payers(
        self, query: str, include_inactive: bool = False, limit: int = 50
    ) -> list[payers_pb2.Payer]:
        return list((await self._call(self.payers.SearchPayers, payers_pb2.SearchPayersRequest(
            query=query, include_inactive=include_inactive, limit=limit))).payers)

    async def create_payer(self, payer: payers_pb2.Payer, idempotency_key: str = "") -> payers_pb2.Payer:
        return (await self._call(self.payers.CreatePayer, payers_pb2.CreatePayerRequest(
            payer=payer, idempotency_key=idempotency_key or uuid.uuid4().hex), retry=True)).payer

    async def update_payer(self, payer: payers_pb2.Payer) -> payers_pb2.Payer:
        return (await self._call(self.payers.UpdatePayer, payers_pb2.UpdatePayerRequest(payer=payer))).payer

    # -- insurance ------------------------------------------------------------------------
    async def list_policies(self, patient_id: int, include_ended: bool = True) -> list[insurance_pb2.Policy]:
        return list((await self._call(self.insurance.ListPolicies, insurance_pb2.ListPoliciesRequest(
            patient_id=patient_id, include_ended=include_ended))).policies)

    async def add_policy(
        self, policy: insurance_pb2.Policy, priority: int = 0, idempotency_key: str = ""
    ) -> insurance_pb2.Policy:
        return (await self._call(self.insurance.AddPolicy, insurance_pb2.AddPolicyRequest(
            policy=policy, priority=priority, idempotency_key=idempotency_key or uuid.uuid4().hex),
            retry=True)).policy

    async def update_policy(self, policy: insurance_pb2.Policy) -> insurance_pb2.Policy:
        return (await self._call(self.insurance.UpdatePolicy, insurance_pb2.UpdatePolicyRequest(
            policy=policy))).policy

    async def end_policy(self, policy_id: int, termination_date: date, version: int) -> insurance_pb2.Policy:
        return (await self._call(self.insurance.EndPolicy, insurance_pb2.EndPolicyRequest(
            policy_id=policy_id, termination_date=dates.to_pb(termination_date), version=version))).policy

    async def reorder_policies(self, patient_id: int, policy_ids: Sequence[int]) -> list[insurance_pb2.Policy]:
        return list((await self._call(self.insurance.ReorderPolicies, insurance_pb2.ReorderPoliciesRequest(
            patient_id=patient_id, policy_ids=list(policy_ids)))).policies)

    async def check_eligibility(
        self, policy_ids: Sequence[int], date_of_service: date | None = None
    ) -> list[insurance_pb2.EligibilityCheck]:
        return list((await self._call(self.insurance.CheckEligibility, insurance_pb2.CheckEligibilityRequest(
            policy_ids=list(policy_ids), date_of_service=dates.to_pb(date_of_service)))).checks)

    async def check_tomorrows_eligibility(self) -> list[insurance_pb2.EligibilityCheck]:
        return list((await self._call(self.insurance.CheckTomorrowsEligibility,
                                      insurance_pb2.CheckTomorrowsEligibilityRequest(),
                                      deadline=TRANSFER_DEADLINE_S)).checks)

    async def list_eligibility_checks(
        self, patient_id: int, policy_id: int = 0, limit: int = 0
    ) -> list[insurance_pb2.EligibilityCheck]:
        return list((await self._call(self.insurance.ListEligibilityChecks, insurance_pb2.ListEligibilityChecksRequest(
            patient_id=patient_id, policy_id=policy_id, limit=limit), retry=True)).checks)

    # -- documents ------------------------------------------------------------------------
    async def list_documents(self, patient_id: int) -> list[documents_pb2.DocumentInfo]:
        return list((await self._call(self.documents.ListDocuments, documents_pb2.ListDocumentsRequest(
            patient_id=patient_id))).documents)

    async def upload_document(
        self, header: documents_pb2.UploadDocumentHeader, path: Path, progress: Progress | None = None
    ) -> documents_pb2.DocumentInfo:
        content = await asyncio.to_thread(_read_file, path)
        head = documents_pb2.UploadDocumentHeader()
        head.CopyFrom(header)
        head.sha256 = hashlib.sha256(content).hexdigest()
        head.file_name = head.file_name or path.name
        head.idempotency_key = head.idempotency_key or uuid.uuid4().hex

        async def parts() -> AsyncIterator[documents_pb2.UploadDocumentRequest]:
            yield documents_pb2.UploadDocumentRequest(header=head)
            for start in range(0, len(content), CHUNK_BYTES):
                yield documents_pb2.UploadDocumentRequest(chunk=content[start:start + CHUNK_BYTES])
                if progress is not None:
                    progress(min(start + CHUNK_BYTES, len(content)), len(content))

        for attempt in range(1, 4):
            try:
                resp = await self.documents.UploadDocument(
                    parts(), timeout=TRANSFER_DEADLINE_S, metadata=self._metadata())
                return resp.document
            except grpc.aio.AioRpcError as exc:
                error = error_from_rpc(exc)
                if isinstance(error, ServerUnavailable) and attempt < 3:
                    continue  # keyed by idempotency_key: a retry stores the document once
                raise error from None
        raise AssertionError("unreachable")

    async def download_document(
        self, document_id: int, destination: Path, progress: Progress | None = None
    ) -> documents_pb2.DocumentInfo:
        if await asyncio.to_thread(destination.exists):
            raise LocalFileError(f"{destination} exists already; choose another name.")
        info = documents_pb2.DocumentInfo()
        chunks: list[bytes] = []
        done = 0
        try:
            call = self.documents.DownloadDocument(documents_pb2.DownloadDocumentRequest(
                document_id=document_id), timeout=TRANSFER_DEADLINE_S, metadata=self._metadata())
            async for part in call:
                if part.HasField("document"):
                    info.CopyFrom(part.document)
                else:
                    chunks.append(part.chunk)
                    done += len(part.chunk)
                    if progress is not None:
                        progress(done, info.size_bytes)
        except grpc.aio.AioRpcError as exc:
            raise error_from_rpc(exc) from None
        content = b"".join(chunks)
        if hashlib.sha256(content).hexdigest() != info.sha256:
            raise LocalFileError("The downloaded content does not match its checksum; nothing was written.")
        await asyncio.to_thread(_write_new_file, destination, content)
        return info

    # -- scheduling -----------------------------------------------------------------------
    async def list_providers(self, include_inactive: bool = False) -> list[setup_pb2.Provider]:
        return list((await self._call(self.schedule_setup.ListProviders, setup_pb2.ListProvidersRequest(
            include_inactive=include_inactive))).providers)

    async def list_locations(self, include_inactive: bool = False) -> list[setup_pb2.Location]:
        return list((await self._call(self.schedule_setup.ListLocations, setup_pb2.ListLocationsRequest(
            include_inactive=include_inactive))).locations)

    async def list_appointment_types(self, include_inactive: bool = False) -> list[setup_pb2.AppointmentType]:
        return list((await self._call(self.schedule_setup.ListAppointmentTypes, setup_pb2.ListAppointmentTypesRequest(
            include_inactive=include_inactive))).appointment_types)

    async def save_provider(self, provider: setup_pb2.Provider) -> setup_pb2.Provider:
        return (await self._call(self.schedule_setup.SaveProvider, setup_pb2.SaveProviderRequest(
            provider=provider))).provider

    async def save_location(self, location: setup_pb2.Location) -> setup_pb2.Location:
        return (await self._call(self.schedule_setup.SaveLocation, setup_pb2.SaveLocationRequest(
            location=location))).location

    async def list_resources(self, location_id: int = 0, include_inactive: bool = False) -> list[setup_pb2.Resource]:
        return list((await self._call(self.schedule_setup.ListResources, setup_pb2.ListResourcesRequest(
            location_id=location_id, include_inactive=include_inactive))).resources)

    async def save_resource(self, resource: setup_pb2.Resource) -> setup_pb2.Resource:
        return (await self._call(self.schedule_setup.SaveResource, setup_pb2.SaveResourceRequest(
            resource=resource))).resource

    async def save_appointment_type(self, appointment_type: setup_pb2.AppointmentType) -> setup_pb2.AppointmentType:
        return (await self._call(self.schedule_setup.SaveAppointmentType, setup_pb2.SaveAppointmentTypeRequest(
            appointment_type=appointment_type))).appointment_type

    async def get_template(self, provider_id: int) -> setup_pb2.GetTemplateResponse:
        return await self._call(self.schedule_setup.GetTemplate, setup_pb2.GetTemplateRequest(
            provider_id=provider_id))

    async def set_template(
        self, provider_id: int, blocks: Sequence[setup_pb2.TemplateBlock], template_version: int
    ) -> setup_pb2.SetTemplateResponse:
        return await self._call(self.schedule_setup.SetTemplate, setup_pb2.SetTemplateRequest(
            provider_id=provider_id, blocks=list(blocks), template_version=template_version))

    async def list_exceptions(
        self, provider_id: int = 0, from_date: date | None = None, to_date: date | None = None
    ) -> list[setup_pb2.ScheduleException]:
        request = setup_pb2.ListExceptionsRequest(provider_id=provider_id)
        if from_date is not None:
            request.from_date.CopyFrom(dates.to_pb(from_date))
        if to_date is not None:
            request.to_date.CopyFrom(dates.to_pb(to_date))
        return list((await self._call(self.schedule_setup.ListExceptions, request)).exceptions)

    async def add_exception(self, exception: setup_pb2.ScheduleException) -> setup_pb2.ScheduleException:
        return (await self._call(self.schedule_setup.AddException, setup_pb2.AddExceptionRequest(
            exception=exception))).exception

    async def remove_exception(self, exception_id: int) -> None:
        await self._call(self.schedule_setup.RemoveException, setup_pb2.RemoveExceptionRequest(
            exception_id=exception_id))

    async def get_reminder_policy(self) -> reminders_pb2.ReminderPolicy:
        return (await self._call(self.reminders.GetReminderPolicy, reminders_pb2.GetReminderPolicyRequest())).policy

    async def set_reminder_policy(self, policy: reminders_pb2.ReminderPolicy) -> reminders_pb2.ReminderPolicy:
        return (await self._call(self.reminders.SetReminderPolicy, reminders_pb2.SetReminderPolicyRequest(
            policy=policy))).policy

    async def get_day_schedule(
        self, location_id: int, day: date, provider_ids: Sequence[int] = (), include_cancelled: bool = False
    ) -> appointments_pb2.GetDayScheduleResponse:
        return await self._call(self.appointments.GetDaySchedule, appointments_pb2.GetDayScheduleRequest(
            location_id=location_id, date=dates.to_pb(day), provider_ids=list(provider_ids),
            include_cancelled=include_cancelled))

    async def book_appointment(self, request: appointments_pb2.BookAppointmentRequest) -> appointments_pb2.Appointment:
        keyed = appointments_pb2.BookAppointmentRequest()
        keyed.CopyFrom(request)
        keyed.idempotency_key = keyed.idempotency_key or uuid.uuid4().hex
        return (await self._call(self.appointments.BookAppointment, keyed, retry=True)).appointment

    async def reschedule_appointment(
        self, appointment_id: int, version: int, starts_at: datetime, provider_id: int = 0, location_id: int = 0,
        duration_minutes: int = 0, overbook: bool = False, note: str = "",
    ) -> appointments_pb2.RescheduleAppointmentResponse:
        return await self._call(self.appointments.RescheduleAppointment, appointments_pb2.RescheduleAppointmentRequest(
            appointment_id=appointment_id, version=version, starts_at=_ts(starts_at), provider_id=provider_id,
            location_id=location_id, duration_minutes=duration_minutes, overbook=overbook, note=note))

    async def add_to_waitlist(self, entry: appointments_pb2.WaitlistEntry) -> appointments_pb2.WaitlistEntry:
        return (await self._call(self.waitlist.AddToWaitlist, appointments_pb2.AddToWaitlistRequest(entry=entry))).entry

    async def list_waitlist(
        self, provider_id: int = 0, location_id: int = 0, include_closed: bool = False
    ) -> list[appointments_pb2.WaitlistEntry]:
        return list((await self._call(self.waitlist.ListWaitlist, appointments_pb2.ListWaitlistRequest(
            provider_id=provider_id, location_id=location_id, include_closed=include_closed))).entries)

    async def remove_from_waitlist(self, waitlist_entry_id: int, note: str = "") -> appointments_pb2.WaitlistEntry:
        return (await self._call(self.waitlist.RemoveFromWaitlist, appointments_pb2.RemoveFromWaitlistRequest(
            waitlist_entry_id=waitlist_entry_id, note=note))).entry

    async def add_recall(self, recall: appointments_pb2.Recall) -> appointments_pb2.Recall:
        return (await self._call(self.recalls.AddRecall, appointments_pb2.AddRecallRequest(recall=recall))).recall

    async def list_recalls(
        self, due_by: date | None = None, provider_id: int = 0, include_closed: bool = False
    ) -> list[appointments_pb2.Recall]:
        return list((await self._call(self.recalls.ListRecalls, appointments_pb2.ListRecallsRequest(
            due_by=dates.to_pb(due_by), provider_id=provider_id, include_closed=include_closed))).recalls)

    async def close_recall(self, recall_id: int, note: str = "") -> appointments_pb2.Recall:
        return (await self._call(self.recalls.CloseRecall, appointments_pb2.CloseRecallRequest(
            recall_id=recall_id, note=note))).recall

    async def cancel_appointment(
        self, appointment_id: int, version: int, reason: int, note: str = ""
    ) -> appointments_pb2.CancelAppointmentResponse:
        return await self._call(self.appointments.CancelAppointment, appointments_pb2.CancelAppointmentRequest(
            appointment_id=appointment_id, version=version, reason=reason, note=note))  # type: ignore[arg-type]

    async def change_appointment_status(
        self, appointment_id: int, version: int, status: int, note: str = ""
    ) -> appointments_pb2.Appointment:
        return (await self._call(self.appointments.ChangeAppointmentStatus,
                                 appointments_pb2.ChangeAppointmentStatusRequest(
            appointment_id=appointment_id, version=version, status=status, note=note))).appointment  # type: ignore[arg-type]

    async def get_appointment(self, appointment_id: int) -> appointments_pb2.GetAppointmentResponse:
        return await self._call(self.appointments.GetAppointment, appointments_pb2.GetAppointmentRequest(
            appointment_id=appointment_id))

    async def list_patient_appointments(
        self, patient_id: int, from_time: datetime | None = None, to_time: datetime | None = None,
        include_cancelled: bool = False,
    ) -> list[appointments_pb2.Appointment]:
        return list((await self._call(self.appointments.ListPatientAppointments,
                                      appointments_pb2.ListPatientAppointmentsRequest(
            patient_id=patient_id, from_time=_ts(from_time), to_time=_ts(to_time),
            include_cancelled=include_cancelled))).appointments)

    async def find_slots(self, request: appointments_pb2.FindSlotsRequest) -> list[appointments_pb2.Slot]:
        return list((await self._call(self.appointments.FindSlots, request)).slots)

    async def preview_series(
        self, request: appointments_pb2.PreviewSeriesRequest
    ) -> list[appointments_pb2.SeriesOccurrence]:
        return list((await self._call(self.appointments.PreviewSeries, request)).occurrences)

    async def book_series(self, request: appointments_pb2.BookSeriesRequest) -> appointments_pb2.BookSeriesResponse:
        keyed = appointments_pb2.BookSeriesRequest()
        keyed.CopyFrom(request)
        keyed.idempotency_key = keyed.idempotency_key or uuid.uuid4().hex
        return await self._call(self.appointments.BookSeries, keyed, retry=True)

    async def get_flow_board(
        self, location_id: int, day: date | None = None
    ) -> appointments_pb2.GetFlowBoardResponse:
        return await self._call(self.appointments.GetFlowBoard, appointments_pb2.GetFlowBoardRequest(
            location_id=location_id, date=dates.to_pb(day)))

    async def watch_schedule(
        self, location_id: int, days: Sequence[date]
    ) -> AsyncIterator[appointments_pb2.WatchScheduleResponse]:
        # No deadline: the stream lives until the server ends it (its connection age limit) or the caller stops.
        call = self.appointments.WatchSchedule(appointments_pb2.WatchScheduleRequest(
            location_id=location_id, dates=[dates.to_pb(d) for d in days]), metadata=self._metadata())
        try:
            async for change in call:
                yield change
        except grpc.aio.AioRpcError as exc:
            error = error_from_rpc(exc)
            if isinstance(error, ServerUnavailable):
                self._connection.state = "offline"
            raise error from None
        finally:
            call.cancel()

    # -- codes and encounters -------------------------------------------------------------
    async def search_codes(
        self, system: int, query: str, billable_only: bool = False, date_of_service: date | None = None,
        limit: int = 0,
    ) -> list[codes_pb2.Code]:
        return list((await self._call(self.codes.SearchCodes, codes_pb2.SearchCodesRequest(
            system=system, query=query, billable_only=billable_only,  # type: ignore[arg-type]
            date_of_service=dates.to_pb(date_of_service), limit=limit))).codes)

    async def list_encounters(
        self, status: int = 0, rendering_provider_id: int = 0, patient_id: int = 0,
        from_date: date | None = None, to_date: date | None = None, limit: int = 0,
    ) -> list[encounters_pb2.EncounterSummary]:
        return list((await self._call(self.encounters.ListEncounters, encounters_pb2.ListEncountersRequest(
            status=status, rendering_provider_id=rendering_provider_id,  # type: ignore[arg-type]
            patient_id=patient_id, from_date=dates.to_pb(from_date), to_date=dates.to_pb(to_date),
            limit=limit))).encounters)

    async def get_encounter(self, encounter_id: int) -> encounters_pb2.Encounter:
        return (await self._call(self.encounters.GetEncounter, encounters_pb2.GetEncounterRequest(
            encounter_id=encounter_id))).encounter

    async def create_encounter(
        self, encounter: encounters_pb2.Encounter, idempotency_key: str = ""
    ) -> encounters_pb2.Encounter:
        request = encounters_pb2.CreateEncounterRequest(
            encounter=encounter, idempotency_key=idempotency_key or uuid.uuid4().hex)
        return (await self._call(self.encounters.CreateEncounter, request, retry=True)).encounter

    async def update_encounter(self, encounter: encounters_pb2.Encounter) -> encounters_pb2.Encounter:
        return (await self._call(self.encounters.UpdateEncounter, encounters_pb2.UpdateEncounterRequest(
            encounter=encounter))).encounter

    async def create_encounter_from_appointment(
        self, appointment_id: int
    ) -> encounters_pb2.CreateEncounterFromAppointmentResponse:
        # One encounter per appointment on the server: asking again returns it, so a retry is safe.
        return await self._call(self.encounters.CreateEncounterFromAppointment,
                                encounters_pb2.CreateEncounterFromAppointmentRequest(appointment_id=appointment_id),
                                retry=True)

    async def mark_ready_to_bill(self, encounter_id: int, version: int) -> encounters_pb2.MarkReadyToBillResponse:
        # Not retried: a repeat after a lost answer is refused (stale version), never posted twice.
        return await self._call(self.encounters.MarkReadyToBill, encounters_pb2.MarkReadyToBillRequest(
            encounter_id=encounter_id, version=version))


    # -- pricing ------------------------------------------------------------------------------
    async def list_fees(
        self, code_prefix: str = "", on_date: date | None = None, limit: int = 0
    ) -> list[pricing_pb2.Fee]:
        return list((await self._call(self.pricing.ListFees, pricing_pb2.ListFeesRequest(
            code_prefix=code_prefix, on_date=dates.to_pb(on_date), limit=limit))).fees)

    async def set_fees(self, effective_from: date, fees: Sequence[pricing_pb2.Fee]) -> int:
        return (await self._call(self.pricing.SetFees, pricing_pb2.SetFeesRequest(
            effective_from=dates.to_pb(effective_from), fees=list(fees)))).set

    async def list_contracts(self, payer_id: int = 0) -> list[pricing_pb2.ContractSummary]:
        return list((await self._call(self.pricing.ListContracts, pricing_pb2.ListContractsRequest(
            payer_id=payer_id))).contracts)

    async def get_contract(self, contract_id: int) -> pricing_pb2.Contract:
        return (await self._call(self.pricing.GetContract, pricing_pb2.GetContractRequest(
            contract_id=contract_id))).contract

    async def create_contract(self, contract: pricing_pb2.Contract) -> pricing_pb2.Contract:
        # Not retried: a second contract for the same payer and dates is refused as an overlap, never doubled.
        return (await self._call(self.pricing.CreateContract, pricing_pb2.CreateContractRequest(
            contract=contract))).contract

    async def update_contract(self, contract: pricing_pb2.Contract) -> pricing_pb2.Contract:
        return (await self._call(self.pricing.UpdateContract, pricing_pb2.UpdateContractRequest(
            contract=contract))).contract

    async def get_medicare_fee(
        self, code: str, modifier: str, medicare_contractor: str, medicare_locality: str,
        date_of_service: date | None = None,
    ) -> pricing_pb2.GetMedicareFeeResponse:
        return await self._call(self.pricing.GetMedicareFee, pricing_pb2.GetMedicareFeeRequest(
            code=code, modifier=modifier, medicare_contractor=medicare_contractor,
            medicare_locality=medicare_locality, date_of_service=dates.to_pb(date_of_service)))

    async def price_lines(
        self, patient_id: int, date_of_service: date | None, lines: Sequence[pricing_pb2.LineToPrice],
        location_id: int = 0, place_of_service: str = "",
    ) -> pricing_pb2.PriceLinesResponse:
        return await self._call(self.pricing.PriceLines, pricing_pb2.PriceLinesRequest(
            patient_id=patient_id, date_of_service=dates.to_pb(date_of_service), location_id=location_id,
            place_of_service=place_of_service, lines=list(lines)))

    # -- claims -------------------------------------------------------------------------------
    async def get_billing_setup(self) -> claims_pb2.BillingSetup:
        return (await self._call(self.claims.GetBillingSetup, claims_pb2.GetBillingSetupRequest())).setup

    async def update_billing_setup(self, setup: claims_pb2.BillingSetup) -> claims_pb2.BillingSetup:
        return (await self._call(self.claims.UpdateBillingSetup,
                                 claims_pb2.UpdateBillingSetupRequest(setup=setup))).setup

    async def create_claims(self, encounter_ids: Sequence[int]) -> list[claims_pb2.ClaimOutcome]:
        # Billing twice is refused per encounter (ENCOUNTER_NOT_READY), never doubled: not retried all the same.
        return list((await self._call(self.claims.CreateClaims, claims_pb2.CreateClaimsRequest(
            encounter_ids=list(encounter_ids)), deadline=TRANSFER_DEADLINE_S)).outcomes)

    async def get_claim(self, claim_id: int) -> claims_pb2.GetClaimResponse:
        return await self._call(self.claims.GetClaim, claims_pb2.GetClaimRequest(claim_id=claim_id))

    async def list_claims(
        self, status: int = 0, payer_id: int = 0, rendering_provider_id: int = 0, patient_id: int = 0,
        limit: int = 0,
    ) -> claims_pb2.ListClaimsResponse:
        return await self._call(self.claims.ListClaims, claims_pb2.ListClaimsRequest(
            status=status, payer_id=payer_id, rendering_provider_id=rendering_provider_id,  # type: ignore[arg-type]
            patient_id=patient_id, limit=limit))

    async def scrub_claims(self, claim_ids: Sequence[int], queue: bool = False) -> list[claims_pb2.ScrubbedClaim]:
        return list((await self._call(self.claims.ScrubClaims, claims_pb2.ScrubClaimsRequest(
            claim_ids=list(claim_ids), queue=queue), deadline=TRANSFER_DEADLINE_S)).claims)

    async def get_scrub_setup(self) -> claims_pb2.GetScrubSetupResponse:
        return await self._call(self.claims.GetScrubSetup, claims_pb2.GetScrubSetupRequest())

    async def update_scrub_setup(self, request: claims_pb2.UpdateScrubSetupRequest) -> claims_pb2.GetScrubSetupResponse:
        done = await self._call(self.claims.UpdateScrubSetup, request)
        return claims_pb2.GetScrubSetupResponse(rules=done.rules, code_pairs=done.code_pairs,
                                                auth_requirements=done.auth_requirements)

    async def create_batch(self, claim_ids: Sequence[int] = ()) -> claims_pb2.Batch:
        return (await self._call(self.claims.CreateBatch, claims_pb2.CreateBatchRequest(claim_ids=list(claim_ids)),
                                 deadline=TRANSFER_DEADLINE_S)).batch

    async def get_batch_file(self, batch_id: int) -> claims_pb2.GetBatchFileResponse:
        return await self._call(self.claims.GetBatchFile, claims_pb2.GetBatchFileRequest(batch_id=batch_id),
                                deadline=TRANSFER_DEADLINE_S)

    async def list_batches(self, status: int = 0, limit: int = 0, before_id: int = 0) -> claims_pb2.ListBatchesResponse:
        return await self._call(self.claims.ListBatches, claims_pb2.ListBatchesRequest(
            status=status, limit=limit, before_id=before_id))  # type: ignore[arg-type]

    async def print_claims(self, claim_ids: Sequence[int], mode: int) -> PrintedClaims:
        file_name, pages, chunks = "", 0, list[bytes]()
        try:
            call = self.claims.PrintClaims(claims_pb2.PrintClaimsRequest(
                claim_ids=list(claim_ids), mode=mode),  # type: ignore[arg-type]
                timeout=TRANSFER_DEADLINE_S, metadata=self._metadata())
            async for part in call:
                if part.HasField("file_name"):
                    file_name = part.file_name
                elif part.HasField("chunk"):
                    chunks.append(part.chunk)
                pages = max(pages, part.pages)
        except grpc.aio.AioRpcError as exc:
            raise error_from_rpc(exc) from None
        return PrintedClaims(file_name, pages, b"".join(chunks))


    # -- the patient's account ------------------------------------------------------------------
    async def get_patient_ledger(self, patient_id: int) -> ledger_pb2.GetPatientLedgerResponse:
        return await self._call(self.ledger.GetPatientLedger, ledger_pb2.GetPatientLedgerRequest(patient_id=patient_id))

    async def post_patient_payment(
        self, payment: payments_pb2.PatientPayment, applications: Sequence[payments_pb2.Application] = (),
        keep_as_credit: bool = False, idempotency_key: str = "",
    ) -> payments_pb2.PostPatientPaymentResponse:
        # Keyed: a retry after the server could not be reached posts the payment once.
        return await self._call(self.payments.PostPatientPayment, payments_pb2.PostPatientPaymentRequest(
            idempotency_key=idempotency_key or uuid.uuid4().hex, payment=payment, applications=list(applications),
            keep_as_credit=keep_as_credit), retry=True)

    async def reverse_patient_payment(
        self, payment_id: int, reason: str, idempotency_key: str = ""
    ) -> payments_pb2.ReversePatientPaymentResponse:
        return await self._call(self.payments.ReversePatientPayment, payments_pb2.ReversePatientPaymentRequest(
            idempotency_key=idempotency_key or uuid.uuid4().hex, payment_id=payment_id, reason=reason), retry=True)

    async def apply_patient_credit(
        self, patient_id: int, idempotency_key: str = ""
    ) -> payments_pb2.ApplyPatientCreditResponse:
        return await self._call(self.payments.ApplyPatientCredit, payments_pb2.ApplyPatientCreditRequest(
            idempotency_key=idempotency_key or uuid.uuid4().hex, patient_id=patient_id), retry=True)

    async def refund_patient_credit(
        self, patient_id: int, amount_cents: int, reason: str, idempotency_key: str = ""
    ) -> payments_pb2.RefundPatientCreditResponse:
        return await self._call(self.payments.RefundPatientCredit, payments_pb2.RefundPatientCreditRequest(
            idempotency_key=idempotency_key or uuid.uuid4().hex, patient_id=patient_id, amount_cents=amount_cents,
            reason=reason), retry=True)

    async def list_patient_payments(self, patient_id: int, limit: int = 0) -> payments_pb2.ListPatientPaymentsResponse:
        return await self._call(self.payments.ListPatientPayments, payments_pb2.ListPatientPaymentsRequest(
            patient_id=patient_id, limit=limit))

    # -- ERAs -------------------------------------------------------------------------------------
    async def import_remittance_file(self, path: Path) -> remittances_pb2.ImportRemittanceFileResponse:
        content = await asyncio.to_thread(_read_file, path, MAX_REMITTANCE_BYTES)
        # The same ERA imported again changes nothing, so a retry is safe.
        return await self._call(self.remittances.ImportRemittanceFile, remittances_pb2.ImportRemittanceFileRequest(
            file_name=path.name, content=content), retry=True, deadline=TRANSFER_DEADLINE_S)

    async def list_remittances(self, status: int = 0, limit: int = 0) -> list[remittances_pb2.Remittance]:
        return list((await self._call(self.remittances.ListRemittances, remittances_pb2.ListRemittancesRequest(
            status=status, limit=limit))).remittances)  # type: ignore[arg-type]

    async def get_remittance(self, remittance_id: int) -> remittances_pb2.GetRemittanceResponse:
        return await self._call(self.remittances.GetRemittance,
                                remittances_pb2.GetRemittanceRequest(remittance_id=remittance_id))

    async def post_remittance(self, remittance_id: int) -> remittances_pb2.PostRemittanceResponse:
        # Only ready claim payments post, each once: posting again posts nothing, so a retry is safe.
        return await self._call(self.remittances.PostRemittance,
                                remittances_pb2.PostRemittanceRequest(remittance_id=remittance_id),
                                retry=True, deadline=TRANSFER_DEADLINE_S)

    async def resolve_remittance_exception(self, remittance_id: int, position: int, claim_id: int
                                           ) -> remittances_pb2.ResolveRemittanceExceptionResponse:
        # Not retried: a second try after it posted would be refused (NOT_AN_EXCEPTION), which is confusing.
        return await self._call(self.remittances.ResolveRemittanceException,
                                remittances_pb2.ResolveRemittanceExceptionRequest(
                                    remittance_id=remittance_id, position=position, claim_id=claim_id))

    async def list_denials(self, limit: int = 0) -> list[remittances_pb2.Denial]:
        return list((await self._call(self.remittances.ListDenials,
                                      remittances_pb2.ListDenialsRequest(limit=limit))).denials)

    async def list_underpayments(self, limit: int = 0) -> remittances_pb2.ListUnderpaymentsResponse:
        return await self._call(self.remittances.ListUnderpayments,
                                remittances_pb2.ListUnderpaymentsRequest(limit=limit))

    async def post_paper_remittance(
        self, request: remittances_pb2.PostPaperRemittanceRequest
    ) -> remittances_pb2.PostPaperRemittanceResponse:
        # Keyed: a retry after the server could not be reached posts the check once.
        keyed = remittances_pb2.PostPaperRemittanceRequest()
        keyed.CopyFrom(request)
        keyed.idempotency_key = request.idempotency_key or uuid.uuid4().hex
        return await self._call(self.remittances.PostPaperRemittance, keyed, retry=True)

    # -- deposits and the day sheet ------------------------------------------------------------------
    async def list_undeposited(self) -> deposits_pb2.ListUndepositedResponse:
        return await self._call(self.deposits.ListUndeposited, deposits_pb2.ListUndepositedRequest())

    async def create_deposit(
        self, payment_ids: Sequence[int], remittance_ids: Sequence[int], deposit_date: date | None = None,
        bank_reference: str = "", note: str = "", idempotency_key: str = "",
    ) -> deposits_pb2.Deposit:
        # Keyed: a retry after the server could not be reached deposits the items once.
        request = deposits_pb2.CreateDepositRequest(
            idempotency_key=idempotency_key or uuid.uuid4().hex, bank_reference=bank_reference,
            payment_ids=list(payment_ids), remittance_ids=list(remittance_ids), note=note)
        if deposit_date is not None:
            request.deposit_date.CopyFrom(dates.to_pb(deposit_date))
        return (await self._call(self.deposits.CreateDeposit, request, retry=True)).deposit

    async def list_deposits(self, limit: int = 0) -> list[deposits_pb2.Deposit]:
        return list((await self._call(self.deposits.ListDeposits,
                                      deposits_pb2.ListDepositsRequest(limit=limit))).deposits)

    async def get_deposit(self, deposit_id: int) -> deposits_pb2.Deposit:
        return (await self._call(self.deposits.GetDeposit,
                                 deposits_pb2.GetDepositRequest(deposit_id=deposit_id))).deposit

    async def get_day_sheet(self, business_date: date | None = None) -> deposits_pb2.DaySheet:
        request = deposits_pb2.GetDaySheetRequest()
        if business_date is not None:
            request.business_date.CopyFrom(dates.to_pb(business_date))
        return (await self._call(self.deposits.GetDaySheet, request)).sheet

    async def close_day(self, business_date: date, idempotency_key: str = "") -> deposits_pb2.DaySheet:
        # Keyed: closing again with the same key answers the same sheet.
        return (await self._call(self.deposits.CloseDay, deposits_pb2.CloseDayRequest(
            idempotency_key=idempotency_key or uuid.uuid4().hex, business_date=dates.to_pb(business_date)),
            retry=True)).sheet

    # -- reports and the dashboard ---------------------------------------------------------------------
    # Reads only, none keyed: nothing here is retried by itself (Ctrl+R runs it again).
    async def list_reports(self) -> list[reports_pb2.ReportInfo]:
        return list((await self._call(self.reports.ListReports, reports_pb2.ListReportsRequest())).reports)

    async def run_report(
        self, target: ReportTarget, report_filter: reports_pb2.ReportFilter
    ) -> reports_pb2.ReportTable:
        request = reports_pb2.RunReportRequest(filter=report_filter)
        if target.custom_report_id:
            request.custom_report_id = target.custom_report_id
        else:
            request.report = target.report
        return (await self._call(self.reports.RunReport, request, deadline=REPORT_DEADLINE_S)).table

    async def export_report(
        self, target: ReportTarget, report_filter: reports_pb2.ReportFilter, export_format: int, folder: Path,
        progress: Progress | None = None,
    ) -> Path:
        request = reports_pb2.ExportReportRequest(filter=report_filter, format=export_format)  # type: ignore[arg-type]
        if target.custom_report_id:
            request.custom_report_id = target.custom_report_id
        else:
            request.report = target.report
        file_name, chunks, done, total = "", list[bytes](), 0, 0
        try:
            call = self.reports.ExportReport(request, timeout=TRANSFER_DEADLINE_S, metadata=self._metadata())
            async for part in call:
                file_name = file_name or part.file_name
                chunks.append(part.chunk)
                done, total = part.sent_bytes, part.total_bytes
                if progress is not None:
                    progress(done, total)
        except grpc.aio.AioRpcError as exc:
            raise error_from_rpc(exc) from None
        content = b"".join(chunks)
        if len(content) != total:
            raise LocalFileError("The file arrived incomplete; nothing was written. Try again.")
        return await asyncio.to_thread(write_in_folder, folder, file_name or "report", content)

    async def get_dashboard(self, month: date | None = None) -> reports_pb2.GetDashboardResponse:
        request = reports_pb2.GetDashboardRequest()
        if month is not None:
            request.month.CopyFrom(dates.to_pb(month))
        return await self._call(self.reports.GetDashboard, request, deadline=REPORT_DEADLINE_S)

    async def get_report_catalog(self) -> reports_pb2.GetReportCatalogResponse:
        return await self._call(self.reports.GetReportCatalog, reports_pb2.GetReportCatalogRequest())

    async def save_custom_report(
        self, definition: reports_pb2.CustomReportDefinition, custom_report_id: int = 0, version: int = 0
    ) -> reports_pb2.CustomReport:
        # Not keyed, so not retried: a second try could save a second copy.
        return (await self._call(self.reports.SaveCustomReport, reports_pb2.SaveCustomReportRequest(
            custom_report_id=custom_report_id, definition=definition, version=version))).report

    async def list_custom_reports(self) -> list[reports_pb2.CustomReport]:
        return list((await self._call(self.reports.ListCustomReports,
                                      reports_pb2.ListCustomReportsRequest())).reports)

    async def delete_custom_report(self, custom_report_id: int, version: int) -> None:
        await self._call(self.reports.DeleteCustomReport, reports_pb2.DeleteCustomReportRequest(
            custom_report_id=custom_report_id, version=version))

    # -- statements, collections and payment plans ------------------------------------------------------
    # Retried by themselves: the keyed calls only (a run, the emails, the agency file).
    async def get_statement_settings(self) -> statements_pb2.StatementSettings:
        return (await self._call(self.statements.GetStatementSettings,
                                 statements_pb2.GetStatementSettingsRequest())).settings

    async def update_statement_settings(
        self, settings: statements_pb2.StatementSettings
    ) -> statements_pb2.StatementSettings:
        return (await self._call(self.statements.UpdateStatementSettings,
                                 statements_pb2.UpdateStatementSettingsRequest(settings=settings))).settings

    async def preview_statement_run(self) -> statements_pb2.PreviewStatementRunResponse:
        return await self._call(self.statements.PreviewStatementRun, statements_pb2.PreviewStatementRunRequest(),
                                deadline=REPORT_DEADLINE_S)

    async def run_statements(self, idempotency_key: str = "") -> statements_pb2.StatementRun:
        # Keyed: a retry after the server could not be reached answers the run made, never a second one.
        request = statements_pb2.RunStatementsRequest(idempotency_key=idempotency_key or uuid.uuid4().hex)
        return (await self._call(self.statements.RunStatements, request, retry=True,
                                 deadline=STATEMENT_RUN_DEADLINE_S)).run

    async def list_statement_runs(self, limit: int = 0) -> list[statements_pb2.StatementRun]:
        return list((await self._call(self.statements.ListStatementRuns,
                                      statements_pb2.ListStatementRunsRequest(limit=limit))).runs)

    async def list_statements(self, run_id: int = 0, patient_id: int = 0) -> list[statements_pb2.Statement]:
        return list((await self._call(self.statements.ListStatements, statements_pb2.ListStatementsRequest(
            run_id=run_id, patient_id=patient_id))).statements)

    async def _save_stream(self, call: Any, folder: Path, fallback: str, progress: Progress | None
                           ) -> tuple[Path, int]:
        """Collects a file_name-then-chunks stream and writes it as a new file in ``folder``; the statement count
        (0 when the stream carries none)."""
        file_name, chunks, done, count = "", list[bytes](), 0, 0
        try:
            async for part in call:
                count = max(count, getattr(part, "statement_count", 0))
                if part.HasField("file_name"):
                    file_name = part.file_name
                elif part.HasField("chunk"):
                    chunks.append(part.chunk)
                    done += len(part.chunk)
                    if progress is not None:
                        progress(done, 0)  # the stream does not say its size beforehand
        except grpc.aio.AioRpcError as exc:
            raise error_from_rpc(exc) from None
        path = await asyncio.to_thread(write_in_folder, folder, file_name or fallback, b"".join(chunks))
        if progress is not None:
            progress(done, done)
        return path, count

    async def download_statement(self, statement_id: int, folder: Path, progress: Progress | None = None) -> Path:
        call = self.statements.DownloadStatement(statements_pb2.DownloadStatementRequest(
            statement_id=statement_id), timeout=TRANSFER_DEADLINE_S, metadata=self._metadata())
        path, _count = await self._save_stream(call, folder, f"statement-{statement_id}.pdf", progress)
        return path

    async def export_statement_run(
        self, run_id: int, export_format: int, folder: Path, progress: Progress | None = None
    ) -> SavedStatements:
        call = self.statements.ExportStatementRun(statements_pb2.ExportStatementRunRequest(
            run_id=run_id, format=export_format),  # type: ignore[arg-type]
            timeout=TRANSFER_DEADLINE_S, metadata=self._metadata())
        suffix = ".pdf" if export_format == statements_pb2.EXPORT_FORMAT_PDF else ".csv"
        path, count = await self._save_stream(call, folder, f"statements-run-{run_id}{suffix}", progress)
        return SavedStatements(path, count)

    async def send_statement_emails(
        self, run_id: int, idempotency_key: str = ""
    ) -> statements_pb2.SendStatementEmailsResponse:
        # Keyed: a retry sends nothing twice that was committed.
        return await self._call(self.statements.SendStatementEmails, statements_pb2.SendStatementEmailsRequest(
            idempotency_key=idempotency_key or uuid.uuid4().hex, run_id=run_id), retry=True,
            deadline=STATEMENT_RUN_DEADLINE_S)

    async def void_statement(self, statement_id: int, reason: str) -> statements_pb2.Statement:
        return (await self._call(self.statements.VoidStatement, statements_pb2.VoidStatementRequest(
            statement_id=statement_id, reason=reason))).statement

    async def list_collection_accounts(self, status: int = 0) -> list[statements_pb2.CollectionAccount]:
        return list((await self._call(self.statements.ListCollectionAccounts,
                                      statements_pb2.ListCollectionAccountsRequest(
                                          status=status))).accounts)  # type: ignore[arg-type]

    async def export_collections(self, folder: Path, idempotency_key: str = "") -> SavedCollections:
        # Keyed: a retry answers the same file and sends no account twice.
        answer = await self._call(self.statements.ExportCollections, statements_pb2.ExportCollectionsRequest(
            idempotency_key=idempotency_key or uuid.uuid4().hex), retry=True, deadline=TRANSFER_DEADLINE_S)
        path = await asyncio.to_thread(write_in_folder, folder, answer.file_name or "collections.csv", answer.csv)
        return SavedCollections(path, answer.account_count, answer.total_cents)

    async def create_payment_plan(
        self, request: statements_pb2.CreatePaymentPlanRequest
    ) -> statements_pb2.PaymentPlan:
        # Not keyed, so not retried (one active plan per guarantor refuses a second anyway).
        return (await self._call(self.statements.CreatePaymentPlan, request)).plan

    async def list_payment_plans(
        self, patient_id: int = 0, include_cancelled: bool = False
    ) -> list[statements_pb2.PaymentPlan]:
        return list((await self._call(self.statements.ListPaymentPlans, statements_pb2.ListPaymentPlansRequest(
            patient_id=patient_id, include_cancelled=include_cancelled))).plans)

    async def cancel_payment_plan(
        self, payment_plan_id: int, version: int, reason: str
    ) -> statements_pb2.PaymentPlan:
        return (await self._call(self.statements.CancelPaymentPlan, statements_pb2.CancelPaymentPlanRequest(
            payment_plan_id=payment_plan_id, version=version, reason=reason))).plan


def write_in_folder(folder: Path, file_name: str, content: bytes) -> Path:
    """``content`` as a new file in ``folder`` (made if missing): ``name.csv``, else ``name-2.csv``... never over an
    existing file."""
    safe = Path(file_name).name or "report"
    stem, suffix = Path(safe).stem, Path(safe).suffix
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LocalFileError(f"Cannot make the folder {folder}: {exc.strerror or exc}.") from None
    for number in range(1, 1000):
        path = folder / (safe if number == 1 else f"{stem}-{number}{suffix}")
        try:
            with open(path, "xb") as out:
                out.write(content)
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            raise LocalFileError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    raise LocalFileError(f"{folder} holds too many files called {safe}; choose another folder.")


def _write_new_file(path: Path, content: bytes) -> None:
    try:
        with open(path, "xb") as out:  # "x": never overwrite a file that appeared meanwhile
            out.write(content)
    except OSError as exc:
        raise LocalFileError(f"Cannot write {path}: {exc.strerror or exc}.") from None


def _read_file(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise LocalFileError(f"{path.name} is {size / (1024 * 1024):.1f} MiB; the limit is "
                                 f"{limit // (1024 * 1024)} MiB.")
        return path.read_bytes()
    except OSError as exc:
        raise LocalFileError(f"Cannot read {path}: {exc.strerror or exc}.") from None
