"""The real Gateway: gRPC over mutual TLS with the workstation's bundle.

Every call has a deadline. The channel reconnects within a couple of seconds after the
server comes back (default gRPC backoff would leave the client dead for ~30 s). Only calls
protected by an idempotency key are retried automatically.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
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
    LoginFailed,
    NotFound,
    PermissionDenied,
    RuleBroken,
    ServerError,
    ServerUnavailable,
    SessionExpired,
    StaleRecord,
    TotpRequired,
)
from shared.bundle import WorkstationBundle
from shared.pms.admin.v1 import admin_pb2, admin_pb2_grpc
from shared.pms.audit.v1 import audit_pb2, audit_pb2_grpc
from shared.pms.auth.v1 import auth_pb2, auth_pb2_grpc

T = TypeVar("T")
DEADLINE_S = 10.0
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
    trailers: Any = exc.trailing_metadata() or ()
    for key, value in trailers:
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    detail.Unpack(info)
                    reason, corr = info.reason, info.metadata.get("correlation_id", "")
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
        return RuleBroken(message, reason)
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
        self.audit = audit_pb2_grpc.AuditServiceStub(self.channel)
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
    ) -> T:
        attempts = 3 if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return await rpc(request, timeout=self.deadline, metadata=self._metadata())
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
