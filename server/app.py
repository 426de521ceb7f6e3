"""Assembling the gRPC server: services, the call pipeline, mutual TLS, health and reflection."""

from __future__ import annotations

import logging

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from server.admin.servicer import AdminServicer
from server.audit.servicer import AuditServicer
from server.auth.servicer import AuthServicer
from server.claims.clearinghouse import ClearinghouseJob
from server.claims.servicer import ClaimServicer
from server.codes.servicer import CodeServicer
from server.common.fieldcrypt import FieldCipher
from server.db.database import Database
from server.db.raw import conninfo
from server.deposits.servicer import DepositServicer
from server.documents.servicer import DocumentServicer
from server.encounters.servicer import EncounterServicer
from server.insurance.servicer import InsuranceServicer
from server.ledger.servicer import LedgerServicer
from server.patients.servicer import PatientServicer
from server.payers.servicer import PayerServicer
from server.payments.servicer import PaymentServicer
from server.pki.authority import CertificateAuthorityFiles
from server.pricing.servicer import PricingServicer
from server.reminders.job import ReminderJob
from server.reminders.servicer import ReminderServicer
from server.remittances.servicer import RemittanceServicer
from server.reports.servicer import ReportServicer
from server.rpc.pipeline import CallPipeline
from server.scheduling.appointments_servicer import AppointmentServicer, RecallServicer, WaitlistServicer
from server.scheduling.live import ScheduleHub
from server.scheduling.setup_servicer import ScheduleSetupServicer
from server.security import RPC_RULES
from server.statements.servicer import StatementServicer
from server.workstations.service import ServerAddress
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

log = logging.getLogger("pms.server")

SERVICES = [auth_pb2.DESCRIPTOR.services_by_name["AuthService"],
            admin_pb2.DESCRIPTOR.services_by_name["AdminService"],
            audit_pb2.DESCRIPTOR.services_by_name["AuditService"],
            patients_pb2.DESCRIPTOR.services_by_name["PatientService"],
            payers_pb2.DESCRIPTOR.services_by_name["PayerService"],
            insurance_pb2.DESCRIPTOR.services_by_name["InsuranceService"],
            documents_pb2.DESCRIPTOR.services_by_name["DocumentService"],
            setup_pb2.DESCRIPTOR.services_by_name["ScheduleSetupService"],
            appointments_pb2.DESCRIPTOR.services_by_name["AppointmentService"],
            appointments_pb2.DESCRIPTOR.services_by_name["WaitlistService"],
            appointments_pb2.DESCRIPTOR.services_by_name["RecallService"],
            reminders_pb2.DESCRIPTOR.services_by_name["ReminderService"],
            codes_pb2.DESCRIPTOR.services_by_name["CodeService"],
            encounters_pb2.DESCRIPTOR.services_by_name["EncounterService"],
            pricing_pb2.DESCRIPTOR.services_by_name["PricingService"],
            claims_pb2.DESCRIPTOR.services_by_name["ClaimService"],
            payments_pb2.DESCRIPTOR.services_by_name["PaymentService"],
            ledger_pb2.DESCRIPTOR.services_by_name["LedgerService"],
            remittances_pb2.DESCRIPTOR.services_by_name["RemittanceService"],
            deposits_pb2.DESCRIPTOR.services_by_name["DepositService"],
            statements_pb2.DESCRIPTOR.services_by_name["StatementService"],
            reports_pb2.DESCRIPTOR.services_by_name["ReportService"]]

# Connections are re-established at least this often, so nothing outlives a revocation by
# much even if a client never makes a call (calls themselves are checked one by one).
MAX_CONNECTION_AGE_MS = 10 * 60 * 1000


def all_rpc_methods() -> list[str]:
    return [f"/{svc.full_name}/{m.name}" for svc in SERVICES for m in svc.methods]


def check_access_table() -> None:
    missing = [m for m in all_rpc_methods() if m not in RPC_RULES]
    if missing:
        raise RuntimeError(f"RPCs without an access rule: {missing}")


class PmsServer:
    def __init__(self, db: Database, ca_files: CertificateAuthorityFiles, cipher: FieldCipher,
                 server_address: ServerAddress, reminders: ReminderJob | None = None,
                 clearinghouse: ClearinghouseJob | None = None) -> None:
        check_access_table()
        self.db = db
        self.ca_files = ca_files
        self.health = HealthServicer()
        self.server = grpc.aio.server(
            interceptors=[CallPipeline(db)],
            options=[
                ("grpc.max_connection_age_ms", MAX_CONNECTION_AGE_MS),
                ("grpc.max_connection_age_grace_ms", 30_000),
                ("grpc.keepalive_time_ms", 60_000),
                ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
                ("grpc.so_reuseport", 0),
            ],
        )
        auth_pb2_grpc.add_AuthServiceServicer_to_server(AuthServicer(cipher), self.server)
        admin_pb2_grpc.add_AdminServiceServicer_to_server(AdminServicer(ca_files, server_address), self.server)
        audit_pb2_grpc.add_AuditServiceServicer_to_server(AuditServicer(), self.server)
        patients_pb2_grpc.add_PatientServiceServicer_to_server(PatientServicer(cipher), self.server)
        payers_pb2_grpc.add_PayerServiceServicer_to_server(PayerServicer(), self.server)
        insurance_pb2_grpc.add_InsuranceServiceServicer_to_server(InsuranceServicer(), self.server)
        documents_pb2_grpc.add_DocumentServiceServicer_to_server(DocumentServicer(), self.server)
        setup_pb2_grpc.add_ScheduleSetupServiceServicer_to_server(ScheduleSetupServicer(), self.server)
        codes_pb2_grpc.add_CodeServiceServicer_to_server(CodeServicer(), self.server)
        encounters_pb2_grpc.add_EncounterServiceServicer_to_server(EncounterServicer(), self.server)
        pricing_pb2_grpc.add_PricingServiceServicer_to_server(PricingServicer(), self.server)
        claims_pb2_grpc.add_ClaimServiceServicer_to_server(ClaimServicer(), self.server)
        payments_pb2_grpc.add_PaymentServiceServicer_to_server(PaymentServicer(), self.server)
        ledger_pb2_grpc.add_LedgerServiceServicer_to_server(LedgerServicer(), self.server)
        remittances_pb2_grpc.add_RemittanceServiceServicer_to_server(RemittanceServicer(), self.server)
        deposits_pb2_grpc.add_DepositServiceServicer_to_server(DepositServicer(), self.server)
        # Statements by email use the reminders' SMTP server (tests set ``statements.email``).
        self.statements = StatementServicer(reminders.email if reminders is not None else None)
        statements_pb2_grpc.add_StatementServiceServicer_to_server(self.statements, self.server)
        reports_pb2_grpc.add_ReportServiceServicer_to_server(ReportServicer(), self.server)
        # One LISTEN connection per server process feeds every live calendar (server/scheduling/live.py).
        self.schedule_hub = ScheduleHub(conninfo(db.url))
        appointments_pb2_grpc.add_AppointmentServiceServicer_to_server(AppointmentServicer(self.schedule_hub),
                                                                       self.server)
        appointments_pb2_grpc.add_WaitlistServiceServicer_to_server(WaitlistServicer(), self.server)
        appointments_pb2_grpc.add_RecallServiceServicer_to_server(RecallServicer(), self.server)
        self.reminders = reminders
        self.clearinghouse = clearinghouse
        reminders_pb2_grpc.add_ReminderServiceServicer_to_server(ReminderServicer(
            reminders is not None and reminders.email is not None, reminders is not None and reminders.sms is not None),
            self.server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            [s.full_name for s in SERVICES] + [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                                               reflection.SERVICE_NAME],
            self.server)

    async def start(self, listen: str) -> int:
        credentials = grpc.ssl_server_credentials(
            [(self.ca_files.server_key_pem(), self.ca_files.server_cert_pem())],
            root_certificates=self.ca_files.ca_cert_pem(),
            require_client_auth=True,
        )
        port = self.server.add_secure_port(listen, credentials)
        if port == 0:
            raise RuntimeError(f"cannot listen on {listen}")
        await self.server.start()
        self.schedule_hub.start()
        if self.reminders is not None:
            self.reminders.start()
        if self.clearinghouse is not None:
            self.clearinghouse.start()
        for svc in SERVICES:
            await self.health.set(svc.full_name, health_pb2.HealthCheckResponse.SERVING)
        await self.health.set("", health_pb2.HealthCheckResponse.SERVING)
        log.info("serving", extra={"listen": listen, "port": port})
        return port

    async def stop(self, grace: float = 10.0) -> None:
        """In-flight calls get ``grace`` seconds to finish; new ones are refused."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        await self.schedule_hub.stop()
        if self.reminders is not None:
            await self.reminders.stop()
        if self.clearinghouse is not None:
            await self.clearinghouse.stop()
        await self.db.dispose()
        log.info("stopped")

    async def wait(self) -> None:
        await self.server.wait_for_termination()
