"""Login, logout, password and TOTP rules. Runs inside the RPC's transaction (server/rpc/pipeline.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import passwords, sessions, totp
from server.auth.models import User, UserSession
from server.common.fieldcrypt import FieldCipher
from server.errors import FieldErrors, InvalidArgument, LoginRefused, NotFound
from server.rpc.context import CallContext

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
BAD_CREDENTIALS = "Wrong username or password."


def _totp_aad(user: User, column: str) -> dict[str, str]:
    return {"table": "app_user", "column": column, "row": f"{user.practice_id}:{user.id}"}


async def load_user(db: AsyncSession, practice_id: int, user_id: int, *, for_update: bool = False) -> User:
    stmt = select(User).where(User.practice_id == practice_id, User.id == user_id)
    if for_update:
        stmt = stmt.with_for_update()
    user = (await db.execute(stmt)).scalar_one_or_none()
    if user is None:
        raise NotFound("No such user.")
    return user


async def login(ctx: CallContext, cipher: FieldCipher, username: str, password: str,
                totp_code: str) -> tuple[str, UserSession, User]:
    errors = FieldErrors()
    if not username.strip():
        errors.add("username", "is required")
    if not password:
        errors.add("password", "is required")
    errors.raise_if_any()
    db, now = ctx.db, datetime.now(UTC)
    user = (await db.execute(
        select(User).where(User.practice_id == ctx.practice_id, User.username == username.strip())
        .with_for_update()
    )).scalar_one_or_none()
    ok = await passwords.verify_password(user.password_hash if user else None, password)
    if user is None:
        raise LoginRefused(BAD_CREDENTIALS, "BAD_CREDENTIALS")
    ctx.audit.user_id, ctx.audit.username = user.id, user.username
    if user.disabled_at is not None:
        raise LoginRefused("This account is disabled; ask an administrator.", "ACCOUNT_DISABLED")
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise LoginRefused(f"This account is locked after repeated failed logins; try again in {minutes} "
                           "minutes or ask an administrator to reset it.", "ACCOUNT_LOCKED")
    if not ok:
        _count_failure(user, now)
    if user.totp_secret_enc is not None:
        if not totp_code.strip():
            raise LoginRefused("Enter the 6-digit code from your authenticator app.", "TOTP_REQUIRED")
        secret = cipher.decrypt(user.totp_secret_enc, **_totp_aad(user, "totp_secret_enc")).decode()
        step = totp.matching_step(secret, totp_code, user.totp_last_step)
        if step is None:
            _count_failure(user, now, "That code is not valid; use the current code from your app.",
                           "TOTP_INVALID")
        user.totp_last_step = step
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_password(password)
    token, session = await sessions.start(db, ctx.workstation, user.id)
    return token, session, user


def _count_failure(user: User, now: datetime, message: str = BAD_CREDENTIALS,
                   reason: str = "BAD_CREDENTIALS") -> None:
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILURES:
        user.failed_logins = 0
        user.locked_until = now + LOCKOUT
        raise LoginRefused("Too many failed logins: this account is locked for 15 minutes.", "ACCOUNT_LOCKED")
    raise LoginRefused(message, reason)


async def change_password(ctx: CallContext, current: str, new: str) -> None:
    who = ctx.require_session()
    user = await load_user(ctx.db, ctx.practice_id, who.user_id, for_update=True)
    if not await passwords.verify_password(user.password_hash, current):
        raise InvalidArgument.one("current_password", "is not your current password")
    errors = FieldErrors()
    passwords.check_policy(errors, "new_password", new, user.username)
    if new and new == current:
        errors.add("new_password", "must differ from the current password")
    errors.raise_if_any()
    user.password_hash = await passwords.hash_password(new)
    user.password_changed_at = datetime.now(UTC)
    user.must_change_password = False
    user.version += 1
    # Other sessions of this user end: a changed password must lock out whoever had the old one.
    await ctx.db.execute(
        update(UserSession).execution_options(synchronize_session=False)
        .where(UserSession.practice_id == ctx.practice_id, UserSession.user_id == user.id,
               UserSession.id != who.session_id, UserSession.ended_at.is_(None))
        .values(ended_at=datetime.now(UTC), end_reason="password_changed"))


async def enroll_totp(ctx: CallContext, cipher: FieldCipher, current_password: str,
                      issuer: str) -> tuple[str, str]:
    who = ctx.require_session()
    user = await load_user(ctx.db, ctx.practice_id, who.user_id, for_update=True)
    if not await passwords.verify_password(user.password_hash, current_password):
        raise InvalidArgument.one("current_password", "is not your current password")
    secret = totp.new_secret()
    user.totp_pending_enc = cipher.encrypt(secret.encode(), **_totp_aad(user, "totp_pending_enc"))
    return secret, totp.provisioning_uri(secret, user.username, issuer)


async def confirm_totp(ctx: CallContext, cipher: FieldCipher, code: str) -> None:
    who = ctx.require_session()
    user = await load_user(ctx.db, ctx.practice_id, who.user_id, for_update=True)
    if user.totp_pending_enc is None:
        raise InvalidArgument.one("totp_code", "start TOTP enrolment first")
    secret = cipher.decrypt(user.totp_pending_enc, **_totp_aad(user, "totp_pending_enc")).decode()
    step = totp.matching_step(secret, code, None)
    if step is None:
        raise InvalidArgument.one("totp_code", "does not match; check the phone's clock and try the next code")
    user.totp_secret_enc = cipher.encrypt(secret.encode(), **_totp_aad(user, "totp_secret_enc"))
    user.totp_pending_enc = None
    user.totp_last_step = step
    user.version += 1
