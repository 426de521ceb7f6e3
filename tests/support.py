"""Real parts for tests: an embedded PostgreSQL cluster, fresh databases, installations and servers."""

from __future__ import annotations

import itertools
import os
import tempfile
import uuid
from pathlib import Path

import grpc
import psycopg
from psycopg import sql

from server.common.fieldcrypt import FieldCipher
from server.config import DatabaseUrls, DataDir, ServerSettings
from server.db.embedded import SUPERUSER, EmbeddedPostgres, default_bin_dir
from server.db.migrate import upgrade_to_head
from server.db.provision import APP_ROLE, OWNER_ROLE, provision
from server.pki.authority import CertificateAuthorityFiles
from server.runtime import Installation
from shared.bundle import WorkstationBundle

TEMPLATE = "pms_template"
_counter = itertools.count(1)
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                 "max_connections": "200", "shared_buffers": "128MB"}
# The benchmarks measure what a deployment gets: the embedded server's own memory settings.
BENCH_SETTINGS = {k: v for k, v in FAST_SETTINGS.items() if k != "shared_buffers"}


def test_pg_bin() -> Path:
    """PMS_TEST_PG_BIN selects another PostgreSQL (CI runs the compat tests on Debian's 15)."""
    return Path(os.environ.get("PMS_TEST_PG_BIN") or default_bin_dir())


def database_name(urls: DatabaseUrls) -> str:
    from sqlalchemy.engine import make_url

    return str(make_url(urls.app_url).database)


class Cluster:
    """One throwaway cluster per test session; each test module gets a database cloned from a migrated template."""

    def __init__(self, root: Path, settings: dict[str, str] | None = None) -> None:
        self.pg = EmbeddedPostgres(root / "pgdata", test_pg_bin(), settings=settings or FAST_SETTINGS)
        self.pg.initialize()
        self.pg.start()
        provision(self.pg, TEMPLATE)
        upgrade_to_head(self.pg.url(OWNER_ROLE, TEMPLATE), APP_ROLE)

    def superuser(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.pg.conninfo(SUPERUSER, database), autocommit=True)

    def new_database(self) -> DatabaseUrls:
        name = f"t{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        with self.superuser() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(TEMPLATE), sql.Identifier(OWNER_ROLE)))
        return DatabaseUrls(self.pg.url(APP_ROLE, name), self.pg.url(OWNER_ROLE, name), APP_ROLE)

    def owner_conninfo(self, urls: DatabaseUrls) -> str:
        return self.pg.conninfo(OWNER_ROLE, database_name(urls))

    def app_conninfo(self, urls: DatabaseUrls) -> str:
        return self.pg.conninfo(APP_ROLE, database_name(urls))

    def stop(self) -> None:
        self.pg.stop("immediate")


async def make_installation(cluster: Cluster, root: Path, *, practice_name: str = "Test Practice"
                            ) -> Installation:
    """A data folder (CA, keys, settings) on a fresh database, with a practice and its first admin."""
    from server.bootstrap import _first_records

    urls = cluster.new_database()
    data = DataDir(root)
    root.mkdir(parents=True, exist_ok=True)
    ca = CertificateAuthorityFiles(root)
    ca.create(practice_name, ["localhost", "127.0.0.1"])
    FieldCipher.create_key(data.keys)
    practice_id = await _first_records(urls.app_url, practice_name, "America/New_York", "admin",
                                       ADMIN_PASSWORD, [])
    settings = ServerSettings(practice_id=practice_id, hosts=["localhost", "127.0.0.1"],
                              listen="127.0.0.1:0", database="external")
    data.save(settings)
    return Installation(data, settings, urls, ca, FieldCipher.from_folder(data.keys))


ADMIN_PASSWORD = "admin-password-123"


def tmpdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def channel_for(bundle: WorkstationBundle, address: str | None = None) -> grpc.aio.Channel:
    creds = grpc.ssl_channel_credentials(bundle.ca_cert_pem.encode(), bundle.key_pem.encode(),
                                         bundle.cert_pem.encode())
    return grpc.aio.secure_channel(address or bundle.server_address, creds,
                                   options=[("grpc.ssl_target_name_override", bundle.server_name),
                                            ("grpc.max_reconnect_backoff_ms", 1000)])


class RunningServer:
    """The real server, in-process, on a free loopback port, over mutual TLS."""

    def __init__(self, inst: Installation) -> None:
        from server.app import PmsServer
        from server.workstations.service import ServerAddress

        self.inst = inst
        self.address = ServerAddress("127.0.0.1:0", "localhost")
        self.server = PmsServer(inst.database(), inst.ca_files, inst.cipher, self.address)
        self.port = 0

    async def start(self, listen: str = "127.0.0.1:0") -> RunningServer:
        self.port = await self.server.start(listen)
        self.address.address = f"127.0.0.1:{self.port}"
        return self

    async def stop(self, grace: float = 1.0) -> None:
        await self.server.stop(grace)

    async def enroll(self, name: str, days: int = 30) -> WorkstationBundle:
        from server.workstations import service

        db = self.inst.database(pool_size=1, max_overflow=0)
        try:
            async with db.transaction() as session:
                _, bundle = await service.enroll(session, self.inst.ca_files, self.address,
                                                 self.inst.settings.practice_id, name, days)
        finally:
            await db.dispose()
        return bundle

    async def add_user(self, username: str, roles: list[str], password: str = "user-password-123") -> int:
        from server.auth import users

        db = self.inst.database(pool_size=1, max_overflow=0)
        try:
            async with db.transaction() as session:
                user = await users.create_user(session, self.inst.settings.practice_id, username,
                                               username.title(), roles, password, must_change_password=False)
                return user.id
        finally:
            await db.dispose()


def status_details(exc: grpc.aio.AioRpcError) -> tuple[str, list[tuple[str, str]]]:
    """(ErrorInfo.reason, [(field, description)...]) from a failed call's rich status."""
    from google.rpc import error_details_pb2, status_pb2

    reason, fields = "", []
    for key, value in exc.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            st = status_pb2.Status.FromString(value)
            for d in st.details:
                if d.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    d.Unpack(info)
                    reason = info.reason
                elif d.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    bad = error_details_pb2.BadRequest()
                    d.Unpack(bad)
                    fields = [(v.field, v.description) for v in bad.field_violations]
    return reason, fields


class Client:
    """Raw stubs over one workstation's channel, with the session token in metadata once logged in."""

    def __init__(self, bundle: WorkstationBundle) -> None:
        from shared.pms.admin.v1 import admin_pb2_grpc
        from shared.pms.audit.v1 import audit_pb2_grpc
        from shared.pms.auth.v1 import auth_pb2_grpc
        from shared.pms.claims.v1 import claims_pb2_grpc
        from shared.pms.codes.v1 import codes_pb2_grpc
        from shared.pms.deposits.v1 import deposits_pb2_grpc
        from shared.pms.documents.v1 import documents_pb2_grpc
        from shared.pms.encounters.v1 import encounters_pb2_grpc
        from shared.pms.insurance.v1 import insurance_pb2_grpc
        from shared.pms.ledger.v1 import ledger_pb2_grpc
        from shared.pms.patients.v1 import patients_pb2_grpc
        from shared.pms.payers.v1 import payers_pb2_grpc
        from shared.pms.payments.v1 import payments_pb2_grpc
        from shared.pms.pricing.v1 import pricing_pb2_grpc
        from shared.pms.reminders.v1 import reminders_pb2_grpc
        from shared.pms.remittances.v1 import remittances_pb2_grpc
        from shared.pms.reports.v1 import reports_pb2_grpc
        from shared.pms.scheduling.v1 import appointments_pb2_grpc, setup_pb2_grpc
        from shared.pms.statements.v1 import statements_pb2_grpc

        self.bundle = bundle
        self.channel = channel_for(bundle)
        self.auth = auth_pb2_grpc.AuthServiceStub(self.channel)
        self.admin = admin_pb2_grpc.AdminServiceStub(self.channel)
        self.audit = audit_pb2_grpc.AuditServiceStub(self.channel)
        self.patients = patients_pb2_grpc.PatientServiceStub(self.channel)
        self.payers = payers_pb2_grpc.PayerServiceStub(self.channel)
        self.insurance = insurance_pb2_grpc.InsuranceServiceStub(self.channel)
        self.documents = documents_pb2_grpc.DocumentServiceStub(self.channel)
        self.setup = setup_pb2_grpc.ScheduleSetupServiceStub(self.channel)
        self.appointments = appointments_pb2_grpc.AppointmentServiceStub(self.channel)
        self.waitlist = appointments_pb2_grpc.WaitlistServiceStub(self.channel)
        self.recalls = appointments_pb2_grpc.RecallServiceStub(self.channel)
        self.reminders = reminders_pb2_grpc.ReminderServiceStub(self.channel)
        self.codes = codes_pb2_grpc.CodeServiceStub(self.channel)
        self.encounters = encounters_pb2_grpc.EncounterServiceStub(self.channel)
        self.pricing = pricing_pb2_grpc.PricingServiceStub(self.channel)
        self.claims = claims_pb2_grpc.ClaimServiceStub(self.channel)
        self.payments = payments_pb2_grpc.PaymentServiceStub(self.channel)
        self.ledger = ledger_pb2_grpc.LedgerServiceStub(self.channel)
        self.remittances = remittances_pb2_grpc.RemittanceServiceStub(self.channel)
        self.deposits = deposits_pb2_grpc.DepositServiceStub(self.channel)
        self.statements = statements_pb2_grpc.StatementServiceStub(self.channel)
        self.reports = reports_pb2_grpc.ReportServiceStub(self.channel)
        self.token = ""

    @property
    def md(self) -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {self.token}")] if self.token else []

    async def login(self, username: str, password: str, totp_code: str = "") -> object:
        from shared.pms.auth.v1 import auth_pb2

        resp = await self.auth.Login(auth_pb2.LoginRequest(username=username, password=password,
                                                           totp_code=totp_code), timeout=10)
        self.token = resp.session_token
        return resp.session

    async def close(self) -> None:
        await self.channel.close()


async def fails(call: object) -> grpc.aio.AioRpcError:
    """The error a call ends with (the test fails if it succeeds)."""
    import pytest

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call  # type: ignore[misc]
    return info.value
