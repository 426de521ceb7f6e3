"""Session tokens: issued at login, checked on every call, bound to one workstation."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import UserSession
from server.db import raw
from server.errors import Unauthenticated
from server.rpc.context import SessionIdentity, WorkstationIdentity
from server.security import permissions_for
from server.workstations import identity

ABSOLUTE_LIFETIME = timedelta(hours=12)
# Refreshing last_seen_at on every call would make every read a write; the idle limit
# is in minutes, so a coarser clock costs nothing.
TOUCH_EVERY = timedelta(seconds=15)


def new_token() -> tuple[str, bytes]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass
class CheckedSession:
    identity: SessionIdentity
    last_seen_at: datetime
    # A temporary password (new user, reset): only the user's own session RPCs until it is changed.
    must_change_password: bool = False


# Every call but Login runs this (on the driver connection: server/db/raw.py).
_CALLER_SQL = """
SELECT w.id, w.name, w.revoked_at, w.expires_at, w.last_seen_at,
       s.id AS session_id, s.user_id, s.workstation_id, s.last_seen_at AS session_seen_at,
       s.expires_at AS session_expires_at, s.ended_at, u.username, u.roles, u.disabled_at, u.must_change_password,
       pr.idle_timeout_minutes
  FROM workstation w
  LEFT JOIN (user_session s
             JOIN app_user u ON u.practice_id = s.practice_id AND u.id = s.user_id
             JOIN practice pr ON pr.id = s.practice_id)
    ON s.practice_id = w.practice_id AND s.token_hash = :token_hash
 WHERE w.practice_id = :practice_id AND w.certificate_serial = :serial"""


async def identify_and_authenticate(db: AsyncSession, cert_pem: bytes, token: str
                                    ) -> tuple[WorkstationIdentity, datetime | None, CheckedSession]:
    """Workstation and session in one round trip: every call but Login starts here."""
    if not token:
        known, _ = await identity.identify(db, cert_pem)  # an unknown workstation is told so first
        raise _from(known, Unauthenticated("Please log in.", "NO_SESSION"))
    peer, practice_id = identity.peer_of(cert_pem)
    row = await raw.fetch_one(db, _CALLER_SQL, {"practice_id": practice_id, "serial": peer.serial_hex,
                                                "token_hash": token_hash(token)})
    ws, seen = identity.check(peer, practice_id, row)
    assert row is not None  # check() refuses unknown workstations
    try:
        return ws, seen, _check_session(ws, row if row.session_id is not None else None)
    except Unauthenticated as exc:
        raise _from(ws, exc) from None


def _from(ws: WorkstationIdentity, exc: Unauthenticated) -> Unauthenticated:
    """Refusals carry the workstation, so the audit trail files them under its practice."""
    exc.workstation = ws  # type: ignore[attr-defined]
    return exc


def _check_session(ws: WorkstationIdentity, row: Any) -> CheckedSession:
    now = datetime.now(UTC)
    if row is None or row.ended_at is not None:
        raise Unauthenticated("Your session has ended; please log in again.", "SESSION_ENDED")
    if row.workstation_id != ws.workstation_id:
        raise Unauthenticated("This session belongs to another workstation.", "SESSION_WRONG_WORKSTATION")
    if now >= row.session_expires_at:
        raise Unauthenticated("Your session reached its 12-hour limit; please log in again.", "SESSION_EXPIRED")
    if now - row.session_seen_at > timedelta(minutes=row.idle_timeout_minutes):
        raise Unauthenticated("Your session ended after inactivity; please log in again.", "SESSION_IDLE")
    if row.disabled_at is not None:
        raise Unauthenticated("Your account has been disabled.", "ACCOUNT_DISABLED")
    roles = tuple(row.roles)
    return CheckedSession(
        SessionIdentity(row.session_id, row.user_id, row.username, roles, permissions_for(roles)),
        row.session_seen_at, row.must_change_password,
    )


async def touch(db: AsyncSession, practice_id: int, checked: CheckedSession) -> None:
    now = datetime.now(UTC)
    if now - checked.last_seen_at > TOUCH_EVERY:
        await db.execute(update(UserSession).execution_options(synchronize_session=False)
                         .where(UserSession.practice_id == practice_id,
                                UserSession.id == checked.identity.session_id)
                         .values(last_seen_at=now))


async def start(db: AsyncSession, ws: WorkstationIdentity, user_id: int) -> tuple[str, UserSession]:
    token, digest = new_token()
    now = datetime.now(UTC)
    row = UserSession(practice_id=ws.practice_id, token_hash=digest, user_id=user_id,
                      workstation_id=ws.workstation_id, created_at=now, last_seen_at=now,
                      expires_at=now + ABSOLUTE_LIFETIME)
    db.add(row)
    await db.flush()
    return token, row


async def end(db: AsyncSession, practice_id: int, session_id: int, reason: str) -> None:
    await db.execute(update(UserSession).execution_options(synchronize_session=False)
                     .where(UserSession.practice_id == practice_id, UserSession.id == session_id,
                            UserSession.ended_at.is_(None))
                     .values(ended_at=datetime.now(UTC), end_reason=reason))


async def end_all_for_user(db: AsyncSession, practice_id: int, user_id: int, reason: str) -> None:
    await db.execute(update(UserSession).execution_options(synchronize_session=False)
                     .where(UserSession.practice_id == practice_id, UserSession.user_id == user_id,
                            UserSession.ended_at.is_(None))
                     .values(ended_at=datetime.now(UTC), end_reason=reason))
