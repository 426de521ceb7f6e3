"""TOTP second factor (RFC 6238, 30-second steps, 6 digits)."""

from __future__ import annotations

import time

import pyotp

STEP = 30
# One step either side absorbs clock drift between the phone and the server.
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def matching_step(secret: str, code: str, last_used_step: int | None, now: float | None = None) -> int | None:
    """The time step the code belongs to, or None. A step already used cannot be replayed."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if totp.at(step * STEP) == code and (last_used_step is None or step > last_used_step):
            return step
    return None
