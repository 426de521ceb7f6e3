"""An in-memory Gateway for widget tests only: deterministic data, switches for failures.

It answers like the server would in the cases the screens must show (wrong password, TOTP
needed, field violations, stale versions, expired session), without pretending to be the
server's rules: the API tests check those against the real thing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from google.protobuf.timestamp_pb2 import Timestamp

from client_tui.gateway import (
    AuditFilter,
    ConnectionInfo,
    FieldViolation,
    Gateway,
    GatewayError,
    InvalidInput,
    LoginFailed,
    NotFound,
    PermissionDenied,
    RuleBroken,
    SessionExpired,
    StaleRecord,
    TotpRequired,
)
from shared.bundle import WorkstationBundle
from shared.pms.admin.v1 import admin_pb2
from shared.pms.audit.v1 import audit_pb2
from shared.pms.auth.v1 import auth_pb2

from .fake_billing import FakeBilling
from .fake_claims import FakeClaims
from .fake_deposits import FakeDeposits
from .fake_front_desk import FakeFrontDesk
from .fake_payments import FakePayments
from .fake_pricing import FakePricing
from .fake_reports import FakeReports
from .fake_schedule import FakeSchedule
from .fake_schedule_setup import FakeScheduleSetup
from .fake_statements import FakeStatements

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
PRACTICE = "Sunrise Family Practice"

ADMIN_PERMISSIONS = [
    "users.read",
    "users.manage",
    "workstations.read",
    "workstations.manage",
    "audit.read",
    "practice.settings.manage",
]
# Patient-related permissions as the server's access table gives them (server/security.py).
PATIENT_CLERK = ["patients.read", "patients.write", "payers.read", "insurance.write", "documents.read",
                 "documents.write"]
SCHEDULE_READ = ["schedule.read"]
SCHEDULE_CLERK = ["schedule.read", "schedule.write"]
SCHEDULE_ALL = [*SCHEDULE_CLERK, "schedule.overbook", "schedule.setup"]
MONEY = ["ledger.read", "payments.post", "payments.correct", "remittances.post", "deposits.manage",
         "reports.day_sheet"]
CODING = ["codes.read", "encounters.read", "encounters.write", "encounters.checkout"]
ROLES = [
    admin_pb2.Role(
        name="front_desk",
        description="Reception: patients, appointments, check-in, copays",
        permissions=[*PATIENT_CLERK, *SCHEDULE_CLERK, "codes.read", "encounters.checkout", "ledger.read",
                     "payments.post"],
    ),
    admin_pb2.Role(
        name="biller",
        description="Charges, claims, payments, statements",
        permissions=["patients.read", "payers.read", "payers.manage", "insurance.write", "documents.read",
                     "documents.write", *SCHEDULE_READ, *CODING, "fees.read", "claims.read", "claims.write",
                     "claims.delivery.read", *MONEY],
    ),
    admin_pb2.Role(
        name="provider",
        description="Own schedule and charges",
        permissions=["patients.read", "payers.read", "documents.read", *SCHEDULE_READ, "codes.read",
                     "encounters.read"],
    ),
    admin_pb2.Role(
        name="manager",
        description="Reports, fee schedules, user overview",
        permissions=["users.read", "audit.read", "audit.read_phi", "patients.merge", "payers.manage", *PATIENT_CLERK,
                     *SCHEDULE_ALL, *CODING, "fees.read", "fees.manage", "claims.read", "claims.write",
                     "claims.setup", "claims.delivery.read", *MONEY],
    ),
    admin_pb2.Role(
        name="it_admin",
        description="Users and workstation certificates; no patient data",
        permissions=ADMIN_PERMISSIONS,
    ),
]


def ts(moment: datetime | None) -> Timestamp:
    stamp = Timestamp()
    if moment is not None:
        stamp.FromDatetime(moment)
    return stamp


@dataclass
class Account:
    user: admin_pb2.User
    password: str
    totp_code: str = ""


class FakeGateway(FakeFrontDesk, FakeSchedule, FakeScheduleSetup, FakeBilling, FakePricing, FakeClaims,
                  FakePayments, FakeDeposits, FakeReports, FakeStatements):
    def __init__(self) -> None:
        self.connection_info = ConnectionInfo(
            server_address="pms.example.test:7443",
            workstation_name="FRONT-1",
            practice_name=PRACTICE,
            state="connected",
        )
        self.session: auth_pb2.Session | None = None
        # Switches a test flips.
        self.expire_session_on_next_call = False
        self.fail_next_call: GatewayError | None = None
        # What the screens asked for, in order (method names).
        self.calls: list[str] = []
        self.accounts: dict[str, Account] = {}
        self.workstations: dict[int, admin_pb2.Workstation] = {}
        self.settings = admin_pb2.PracticeSettings(
            practice_name=PRACTICE,
            idle_timeout_minutes=15,
            workstation_cert_days=365,
            time_zone="America/New_York",
            version=3,
        )
        self.audit_chain_ok = True
        self.last_audit_filter: AuditFilter | None = None
        self._seed()
        self._seed_front_desk()
        self._seed_schedule()
        self._seed_schedule_setup()
        self._seed_pricing()
        self._seed_billing()
        self._seed_claims()
        self._seed_payments()
        self._seed_deposits()
        self._seed_reports()
        self._seed_statements()

    # -- seed data ----------------------------------------------------------------------
    def _seed(self) -> None:
        self.add_account("admin", "Alex Admin", ["it_admin"], "admin-pass", last_login=NOW - timedelta(hours=2))
        self.add_account("mary", "Mary Manager", ["manager"], "manager-pass", last_login=NOW - timedelta(days=1))
        self.add_account("fran", "Fran Frontdesk", ["front_desk"], "front-pass", last_login=NOW - timedelta(days=3))
        self.add_account("bill", "Bill Biller", ["biller"], "biller-pass", totp_code="123456")
        locked = self.add_account("pat", "Pat Provider", ["provider", "front_desk"], "provider-pass")
        locked.user.locked = True
        locked.user.locked_until.CopyFrom(ts(NOW + timedelta(minutes=15)))
        gone = self.add_account("old", "Olive Oldhand", ["front_desk"], "old-pass")
        gone.user.disabled = True
        for number, (name, days_old) in enumerate((("FRONT-1", 40), ("FRONT-2", 40), ("BILLING-1", 200)), 1):
            self.workstations[number] = admin_pb2.Workstation(
                workstation_id=number,
                name=name,
                certificate_serial=f"4F:{number:02X}:A1:7C",
                issued_at=ts(NOW - timedelta(days=days_old)),
                expires_at=ts(NOW - timedelta(days=days_old) + timedelta(days=365)),
                last_seen_at=ts(NOW - timedelta(minutes=5 * number)),
            )
        self.workstations[3].revoked = True
        self.workstations[3].revoked_at.CopyFrom(ts(NOW - timedelta(days=2)))
        self.workstations[3].revoked_reason = "replaced PC"
        actions = [
            ("admin", "FRONT-1", "pms.auth.v1.AuthService/Login", 0, "", audit_pb2.OUTCOME_SUCCESS, ""),
            (
                "fran",
                "FRONT-2",
                "pms.patients.v1.PatientService/GetPatient",
                1042,
                "demographics",
                audit_pb2.OUTCOME_SUCCESS,
                "",
            ),
            ("bill", "FRONT-2", "pms.auth.v1.AuthService/Login", 0, "", audit_pb2.OUTCOME_FAILED, "WRONG_PASSWORD"),
            (
                "fran",
                "FRONT-2",
                "pms.admin.v1.AdminService/ListUsers",
                0,
                "",
                audit_pb2.OUTCOME_DENIED,
                "PERMISSION_DENIED",
            ),
        ]
        self.audit_events = [
            audit_pb2.AuditEvent(
                sequence=sequence,
                occurred_at=ts(NOW - timedelta(minutes=3 * (250 - sequence))),
                username=user,
                workstation_name=workstation,
                action=action,
                patient_id=patient,
                data_category=category,
                outcome=outcome,
                detail=detail,
            )
            for sequence in range(1, 251)
            for user, workstation, action, patient, category, outcome, detail in [actions[sequence % 4]]
        ]

    def add_account(
        self,
        username: str,
        display_name: str,
        roles: list[str],
        password: str,
        totp_code: str = "",
        last_login: datetime | None = None,
    ) -> Account:
        user = admin_pb2.User(
            user_id=len(self.accounts) + 1,
            username=username,
            display_name=display_name,
            roles=roles,
            totp_enabled=bool(totp_code),
            last_login_at=ts(last_login),
            created_at=ts(NOW - timedelta(days=90)),
            version=1,
        )
        account = Account(user, password, totp_code)
        self.accounts[username] = account
        return account

    # -- switches -----------------------------------------------------------------------
    def set_connection_state(self, state: str) -> None:
        self.connection_info.state = state

    def _enter(self, method: str, permission: str = "", needs_session: bool = True) -> None:
        self.calls.append(method)
        if self.fail_next_call is not None:
            error, self.fail_next_call = self.fail_next_call, None
            raise error
        if needs_session and self.expire_session_on_next_call:
            self.expire_session_on_next_call = False
            self.session = None
            raise SessionExpired("Your session has ended; please log in again.")
        if needs_session and self.session is None:
            raise SessionExpired("Your session has ended; please log in again.")
        if permission and self.session is not None and permission not in self.session.permissions:
            raise PermissionDenied("Your role does not allow this action.")

    def _account(self, user_id: int, version: int) -> Account:
        for account in self.accounts.values():
            if account.user.user_id == user_id:
                if account.user.version != version:
                    raise StaleRecord("Someone else changed this user; reload and try again.")
                return account
        raise NotFound("No such user.")

    @staticmethod
    def _changed(account: Account) -> admin_pb2.User:
        account.user.version += 1
        return admin_pb2.User.FromString(account.user.SerializeToString())

    # -- Gateway ------------------------------------------------------------------------
    @property
    def connection(self) -> ConnectionInfo:
        return self.connection_info

    async def check_connection(self) -> str:
        return self.connection_info.state

    async def close(self) -> None:
        self.calls.append("close")

    async def login(self, username: str, password: str, totp_code: str = "") -> auth_pb2.Session:
        self._enter("login", needs_session=False)
        account = self.accounts.get(username)
        if account is None or account.password != password:
            raise LoginFailed("Wrong username or password.", "WRONG_PASSWORD")
        if account.user.disabled:
            raise LoginFailed("This account is disabled; ask your administrator.", "ACCOUNT_DISABLED")
        if account.totp_code and not totp_code:
            raise TotpRequired("Enter the 6-digit code from your authenticator app.", "TOTP_REQUIRED")
        if account.totp_code and totp_code != account.totp_code:
            raise LoginFailed("That code is not right; try the current one.", "WRONG_TOTP")
        permissions = sorted({p for r in ROLES if r.name in account.user.roles for p in r.permissions}
                             | {p for role in account.user.roles for p in self.extra_permissions.get(role, [])})
        self.session = auth_pb2.Session(
            user_id=account.user.user_id,
            username=username,
            display_name=account.user.display_name,
            roles=account.user.roles,
            permissions=permissions,
            practice_id=1,
            practice_name=PRACTICE,
            workstation_name=self.connection_info.workstation_name,
            expires_at=ts(NOW + timedelta(hours=12)),
            idle_timeout_minutes=self.settings.idle_timeout_minutes,
            must_change_password=account.user.must_change_password,
            totp_enabled=bool(account.totp_code),
        )
        return self.session

    async def logout(self) -> None:
        self._enter("logout")
        self.session = None

    async def who_am_i(self) -> auth_pb2.Session:
        self._enter("who_am_i")
        assert self.session is not None
        return self.session

    async def change_password(self, current_password: str, new_password: str) -> None:
        self._enter("change_password")
        assert self.session is not None
        account = self.accounts[self.session.username]
        if account.password != current_password:
            raise InvalidInput([FieldViolation("current_password", "is not your current password")])
        if len(new_password) < 12:
            raise InvalidInput([FieldViolation("new_password", "must be at least 12 characters")])
        account.password = new_password

    async def enroll_totp(self, current_password: str) -> auth_pb2.EnrollTotpResponse:
        self._enter("enroll_totp")
        assert self.session is not None
        if self.accounts[self.session.username].password != current_password:
            raise InvalidInput([FieldViolation("current_password", "is not your current password")])
        return auth_pb2.EnrollTotpResponse(
            secret_base32="JBSWY3DPEHPK3PXPJBSWY3DP",
            provisioning_uri="otpauth://totp/PMS:admin?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=PMS",
        )

    async def confirm_totp(self, totp_code: str) -> None:
        self._enter("confirm_totp")
        assert self.session is not None
        if totp_code != "654321":
            raise InvalidInput([FieldViolation("totp_code", "does not match; type the code shown now")])
        self.accounts[self.session.username].totp_code = totp_code

    async def list_users(self, include_disabled: bool = True) -> list[admin_pb2.User]:
        self._enter("list_users", "users.read")
        return [a.user for a in self.accounts.values() if include_disabled or not a.user.disabled]

    async def create_user(
        self, username: str, display_name: str, roles: list[str], initial_password: str,
        idempotency_key: str = "",
    ) -> admin_pb2.User:
        self._enter("create_user", "users.manage")
        violations = []
        if not username:
            violations.append(FieldViolation("username", "is required"))
        if not roles:
            violations.append(FieldViolation("roles", "choose at least one role"))
        if len(initial_password) < 12:
            violations.append(FieldViolation("initial_password", "must be at least 12 characters"))
        if violations:
            raise InvalidInput(violations)
        if username in self.accounts:
            raise RuleBroken(f"The username {username} is taken.", "USERNAME_TAKEN")
        account = self.add_account(username, display_name, roles, initial_password)
        account.user.must_change_password = True
        return account.user

    async def set_user_roles(self, user_id: int, roles: list[str], version: int) -> admin_pb2.User:
        self._enter("set_user_roles", "users.manage")
        account = self._account(user_id, version)
        del account.user.roles[:]
        account.user.roles.extend(roles)
        return self._changed(account)

    async def disable_user(self, user_id: int, version: int) -> admin_pb2.User:
        self._enter("disable_user", "users.manage")
        account = self._account(user_id, version)
        account.user.disabled = True
        return self._changed(account)

    async def enable_user(self, user_id: int, version: int) -> admin_pb2.User:
        self._enter("enable_user", "users.manage")
        account = self._account(user_id, version)
        account.user.disabled = False
        return self._changed(account)

    async def reset_user_password(self, user_id: int, new_password: str, version: int) -> admin_pb2.User:
        self._enter("reset_user_password", "users.manage")
        if len(new_password) < 12:
            raise InvalidInput([FieldViolation("new_password", "must be at least 12 characters")])
        account = self._account(user_id, version)
        account.password = new_password
        account.user.locked = False
        account.user.must_change_password = True
        return self._changed(account)

    async def list_roles(self) -> list[admin_pb2.Role]:
        self._enter("list_roles", "users.read")
        return list(ROLES)

    async def list_workstations(self, include_revoked: bool = True) -> list[admin_pb2.Workstation]:
        self._enter("list_workstations", "workstations.read")
        return [w for w in self.workstations.values() if include_revoked or not w.revoked]

    async def enroll_workstation(self, name: str, lifetime_days: int = 0) -> admin_pb2.EnrollWorkstationResponse:
        self._enter("enroll_workstation", "workstations.manage")
        if not name:
            raise InvalidInput([FieldViolation("name", "is required")])
        number = max(self.workstations) + 1
        days = lifetime_days or self.settings.workstation_cert_days
        workstation = admin_pb2.Workstation(
            workstation_id=number,
            name=name,
            certificate_serial=f"4F:{number:02X}:A1:7C",
            issued_at=ts(NOW),
            expires_at=ts(NOW + timedelta(days=days)),
        )
        self.workstations[number] = workstation
        bundle = WorkstationBundle(
            workstation_name=name,
            practice_name=PRACTICE,
            server_address=self.connection_info.server_address,
            server_name="pms.example.test",
            ca_cert_pem="-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
            cert_pem="-----BEGIN CERTIFICATE-----\nWS\n-----END CERTIFICATE-----\n",
            key_pem="-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n",
        )
        return admin_pb2.EnrollWorkstationResponse(workstation=workstation, bundle=bundle.to_bytes())

    async def revoke_workstation(self, workstation_id: int, reason: str) -> admin_pb2.Workstation:
        self._enter("revoke_workstation", "workstations.manage")
        if not reason:
            raise InvalidInput([FieldViolation("reason", "say why, for the audit log")])
        workstation = self.workstations[workstation_id]
        workstation.revoked = True
        workstation.revoked_at.CopyFrom(ts(NOW))
        workstation.revoked_reason = reason
        return workstation

    async def get_practice_settings(self) -> admin_pb2.PracticeSettings:
        self._enter("get_practice_settings")
        return self.settings

    async def update_practice_settings(self, settings: admin_pb2.PracticeSettings) -> admin_pb2.PracticeSettings:
        self._enter("update_practice_settings", "practice.settings.manage")
        if settings.version != self.settings.version:
            raise StaleRecord("Someone else changed the settings first.")
        if not 1 <= settings.idle_timeout_minutes <= 240:
            raise InvalidInput([FieldViolation("settings.idle_timeout_minutes", "must be 1 to 240 minutes")])
        updated = admin_pb2.PracticeSettings()
        updated.CopyFrom(settings)
        updated.version += 1
        self.settings = updated
        return updated

    async def list_audit_events(self, flt: AuditFilter) -> audit_pb2.ListAuditEventsResponse:
        self._enter("list_audit_events", "audit.read")
        assert self.session is not None
        self.last_audit_filter = dataclasses.replace(flt)
        events = [
            e
            for e in reversed(self.audit_events)
            if (not flt.before_sequence or e.sequence < flt.before_sequence)
            and (not flt.username or e.username == flt.username)
            and (not flt.workstation_name or e.workstation_name == flt.workstation_name)
            and flt.action_contains in e.action
            and (not flt.outcome or e.outcome == flt.outcome)
            and (flt.since is None or e.occurred_at.ToDatetime(tzinfo=UTC) >= flt.since)
            and (flt.until is None or e.occurred_at.ToDatetime(tzinfo=UTC) < flt.until)
        ]
        page = []
        for event in events[: flt.page_size]:
            shown = audit_pb2.AuditEvent()
            shown.CopyFrom(event)
            if shown.patient_id and "audit.read_phi" not in self.session.permissions:
                shown.patient_id = 0
                shown.patient_hidden = True
            page.append(shown)
        more = len(events) > flt.page_size
        return audit_pb2.ListAuditEventsResponse(
            events=page, next_before_sequence=page[-1].sequence if more and page else 0
        )

    async def verify_audit_chain(self) -> audit_pb2.VerifyAuditChainResponse:
        self._enter("verify_audit_chain", "audit.read")
        if self.audit_chain_ok:
            return audit_pb2.VerifyAuditChainResponse(ok=True, events_checked=len(self.audit_events))
        return audit_pb2.VerifyAuditChainResponse(
            ok=False, events_checked=len(self.audit_events), first_bad_sequence=17, problem="hash does not match"
        )


if TYPE_CHECKING:
    # mypy: the fake has every method of the interface, with the same signatures.
    _fake_is_a_gateway: Gateway = FakeGateway()
