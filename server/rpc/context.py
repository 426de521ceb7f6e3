"""What the RPC pipeline knows about the current call, handed to servicers through a context variable."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from server.security import Permission


@dataclass(frozen=True)
class WorkstationIdentity:
    practice_id: int
    workstation_id: int
    name: str
    serial: str


@dataclass(frozen=True)
class SessionIdentity:
    session_id: int
    user_id: int
    username: str
    roles: tuple[str, ...]
    permissions: frozenset[Permission]


@dataclass
class AuditNote:
    """What a servicer adds to the call's audit event."""

    patient_id: int | None = None
    detail: str = ""
    # Set by Login, which has no session when it starts.
    user_id: int | None = None
    username: str = ""


@dataclass
class CallContext:
    method: str
    correlation_id: str
    workstation: WorkstationIdentity
    db: AsyncSession
    session: SessionIdentity | None = None
    audit: AuditNote = field(default_factory=AuditNote)

    @property
    def practice_id(self) -> int:
        return self.workstation.practice_id

    def require_session(self) -> SessionIdentity:
        assert self.session is not None, "RPC declared public but needs a session"
        return self.session

    def has(self, permission: Permission) -> bool:
        return self.session is not None and permission in self.session.permissions


_current: ContextVar[CallContext] = ContextVar("pms_call")


def current_call() -> CallContext:
    return _current.get()


def set_current_call(ctx: CallContext) -> object:
    return _current.set(ctx)


def reset_current_call(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
