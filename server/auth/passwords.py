"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.errors import FieldErrors

# argon2-cffi's defaults are RFC 9106's "low memory" argon2id profile (t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing-equaliser-for-unknown-users")

MIN_LENGTH = 12
MAX_LENGTH = 128


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Always does the full work, also for unknown users, so timing does not reveal usernames."""
    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_policy(errors: FieldErrors, field: str, password: str, username: str) -> None:
    if len(password) < MIN_LENGTH:
        errors.add(field, f"must be at least {MIN_LENGTH} characters")
    elif len(password) > MAX_LENGTH:
        errors.add(field, f"must be at most {MAX_LENGTH} characters")
    elif password.strip().lower() == username.strip().lower():
        errors.add(field, "must not be the username")
