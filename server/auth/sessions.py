"""Session tokens: issued at login, checked on every call, bound to one workstation."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import User, UserSession
from server.errors import Unauthenticated
from server.practice.models import Practice
from server.rpc.context import SessionIdentity, WorkstationIdentity
from server.security import permissions_for

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


async def authenticate(db: AsyncSession, ws: WorkstationIdentity, token: str) -> CheckedSession:
    if not token:
        raise Unauthenticated("Please log in.", "NO_SESSION")
    row = (await db.execute(
        select(UserSession.id, UserSession.user_id, UserSession.workstation_id, UserSession.last_seen_at,
               UserSession.expires_at, UserSession.ended_at, User.username, User.roles, User.disabled_at,
               User.must_change_password, Practice.idle_timeout_minutes)
        .join(User, (User.practice_id == UserSession.practice_id) & (User.id == UserSession.user_id))
        .join(Practice, Practice.id == UserSession.practice_id)
        .where(UserSession.practice_id == ws.practice_id, UserSession.token_hash == token_hash(token))
    )).one_or_none()
    now = datetime.now(UTC)
    if row is None or row.ended_at is not None:
        raise Unauthenticated("Your session has ended; please log in again.", "SESSION_ENDED")
    if row.workstation_id != ws.workstation_id:
        raise Unauthenticated("This session belongs to another workstation.", "SESSION_WRONG_WORKSTATION")
    if now >= row.expires_at:
        raise Unauthenticated("Your session reached its 12-hour limit; please log in again.", "SESSION_EXPIRED")
    if now - row.last_seen_at > timedelta(minutes=row.idle_timeout_minutes):
        raise Unauthenticated("Your session ended after inactivity; please log in again.", "SESSION_IDLE")
    if row.disabled_at is not None:
        raise Unauthenticated("Your account has been disabled.", "ACCOUNT_DISABLED")
    roles = tuple(row.roles)
    return CheckedSession(
        SessionIdentity(row.id, row.user_id, row.username, roles, permissions_for(roles)), row.last_seen_at,
        row.must_change_password,
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
