"""Typed domain errors. Domain code raises these; one interceptor maps them to gRPC status (BRIEF §2.3).

Messages are plain sentences for staff and never contain patient data.
"""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    reason = "ERROR"
    # True: the RPC's transaction commits what it did before raising (e.g. a failed-login counter).
    keep_changes = False

    def __init__(self, message: str, reason: str | None = None, metadata: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if reason:
            self.reason = reason
        # Machine-readable facts for the client (ErrorInfo.metadata), e.g. the time of a conflicting appointment.
        self.metadata = metadata or {}


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


class InvalidArgument(DomainError):
    """One or more fields are wrong; each gets its own violation."""

    reason = "INVALID_ARGUMENT"

    def __init__(self, violations: list[FieldViolation]) -> None:
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in violations))
        self.violations = violations

    @classmethod
    def one(cls, field: str, description: str) -> InvalidArgument:
        return cls([FieldViolation(field, description)])


class FieldErrors:
    """Collects violations so a request reports every bad field at once."""

    def __init__(self) -> None:
        self.violations: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self.violations.append(FieldViolation(field, description))

    def has(self, field: str) -> bool:
        return any(v.field == field for v in self.violations)

    def raise_if_any(self) -> None:
        if self.violations:
            raise InvalidArgument(self.violations)

    def check_ids(self, field: str, ids: list[int], limit: int, thing: str, per: str = "call") -> None:
        """A list of record ids a call acts on: at least one, at most `limit` ("in one <per>"), none twice."""
        if not ids:
            self.add(field, f"name at least one {thing}")
        elif len(ids) > limit:
            self.add(field, f"at most {limit} in one {per}")
        elif len(set(ids)) != len(ids):
            article = "an" if thing[0] in "aeiou" else "a"
            self.add(field, f"{article} {thing} is listed twice")


class RuleViolation(DomainError):
    """A business rule refuses the action (FAILED_PRECONDITION with ErrorInfo.reason)."""


class StaleVersion(DomainError):
    reason = "STALE_VERSION"

    def __init__(self, what: str) -> None:
        super().__init__(f"The {what} was changed by someone else; reload it and try again.")


class NotFound(DomainError):
    reason = "NOT_FOUND"


class PermissionDenied(DomainError):
    reason = "PERMISSION_DENIED"


class Unauthenticated(DomainError):
    reason = "UNAUTHENTICATED"


class LoginRefused(Unauthenticated):
    """Wrong credentials, locked or disabled account; the failure counter must persist."""

    keep_changes = True
