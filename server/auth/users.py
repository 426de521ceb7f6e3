"""Managing users: create, roles, disable/enable, password reset."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import passwords, sessions
from server.auth.models import User
from server.auth.service import load_user
from server.common.persistence import add_unique
from server.errors import FieldErrors, InvalidArgument, RuleViolation, StaleVersion
from server.security import Role

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")


def check_roles(errors: FieldErrors, field: str, roles: list[str]) -> list[str]:
    known = {r.value for r in Role}
    unknown = [r for r in roles if r not in known]
    if unknown:
        errors.add(field, f"unknown role(s): {', '.join(unknown)}; roles are {', '.join(sorted(known))}")
    if not roles:
        errors.add(field, "at least one role is required")
    return sorted(set(roles))


async def create_user(db: AsyncSession, practice_id: int, username: str, display_name: str,
                      roles: list[str], password: str, *, must_change_password: bool = True) -> User:
    errors = FieldErrors()
    username = username.strip().lower()
    if not USERNAME.match(username):
        errors.add("username", "use 2-40 characters: lower-case letters, digits, dot, dash or underscore, "
                               "starting with a letter")
    if not display_name.strip():
        errors.add("display_name", "is required")
    elif len(display_name) > 200:
        errors.add("display_name", "must be at most 200 characters")
    roles = check_roles(errors, "roles", list(roles))
    passwords.check_policy(errors, "initial_password", password, username)
    errors.raise_if_any()
    exists = (await db.execute(select(User.id).where(User.practice_id == practice_id,
                                                     User.username == username))).first()
    if exists:
        raise InvalidArgument.one("username", "is already taken")
    user = User(practice_id=practice_id, username=username, display_name=display_name.strip(), roles=roles,
                password_hash=await passwords.hash_password(password),
                must_change_password=must_change_password)
    await add_unique(db, user, "username", "is already taken")
    return user


async def _locked(db: AsyncSession, practice_id: int, user_id: int, version: int) -> User:
    user = await load_user(db, practice_id, user_id, for_update=True)
    if version != user.version:
        raise StaleVersion("user")
    return user


async def set_roles(db: AsyncSession, practice_id: int, actor_id: int, user_id: int, roles: list[str],
                    version: int) -> User:
    errors = FieldErrors()
    roles = check_roles(errors, "roles", list(roles))
    errors.raise_if_any()
    user = await _locked(db, practice_id, user_id, version)
    if user_id == actor_id and Role.IT_ADMIN in user.roles and Role.IT_ADMIN not in roles:
        await _require_other_admin(db, practice_id, user_id)
    user.roles = roles
    user.version += 1
    return user


async def _require_other_admin(db: AsyncSession, practice_id: int, user_id: int) -> None:
    others = (await db.execute(select(User.id).where(
        User.practice_id == practice_id, User.id != user_id, User.disabled_at.is_(None),
        User.roles.contains([Role.IT_ADMIN.value])))).first()
    if not others:
        raise RuleViolation("The practice would have no active IT administrator left.", "LAST_IT_ADMIN")


async def disable(db: AsyncSession, practice_id: int, actor_id: int, user_id: int, version: int) -> User:
    user = await _locked(db, practice_id, user_id, version)
    if user_id == actor_id:
        raise RuleViolation("You cannot disable your own account.", "CANNOT_DISABLE_SELF")
    if Role.IT_ADMIN in user.roles:
        await _require_other_admin(db, practice_id, user_id)
    if user.disabled_at is None:
        user.disabled_at = datetime.now(UTC)
        user.version += 1
        await sessions.end_all_for_user(db, practice_id, user_id, "account_disabled")
    return user


async def enable(db: AsyncSession, practice_id: int, user_id: int, version: int) -> User:
    user = await _locked(db, practice_id, user_id, version)
    if user.disabled_at is not None:
        user.disabled_at = None
        user.failed_logins = 0
        user.locked_until = None
        user.version += 1
    return user


async def reset_password(db: AsyncSession, practice_id: int, user_id: int, new_password: str,
                         version: int) -> User:
    user = await _locked(db, practice_id, user_id, version)
    errors = FieldErrors()
    passwords.check_policy(errors, "new_password", new_password, user.username)
    errors.raise_if_any()
    user.password_hash = await passwords.hash_password(new_password)
    user.must_change_password = True
    user.password_changed_at = datetime.now(UTC)
    user.failed_logins = 0
    user.locked_until = None
    user.version += 1
    await sessions.end_all_for_user(db, practice_id, user_id, "password_reset")
    return user


async def list_users(db: AsyncSession, practice_id: int, include_disabled: bool) -> list[User]:
    stmt = select(User).where(User.practice_id == practice_id).order_by(User.username)
    if not include_disabled:
        stmt = stmt.where(User.disabled_at.is_(None))
    return list((await db.execute(stmt)).scalars())
