"""What the TUI needs from the server, as one interface.

Screens talk only to a ``Gateway``. ``GrpcGateway`` (grpc_gateway.py) is the real one;
tests of widgets may pass a fake. Every failure reaches the screens as a ``GatewayError``
subclass, so there is one place (``App.show_error``) that turns them into messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from shared.pms.admin.v1 import admin_pb2
from shared.pms.audit.v1 import audit_pb2
from shared.pms.auth.v1 import auth_pb2


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
    """A business rule refused the action (FAILED_PRECONDITION); ``reason`` is UPPER_SNAKE."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


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
