"""Imports every domain's models so Base.metadata is complete (Alembic and the drift test use it)."""

from server.audit.models import AuditChainHead, AuditEvent
from server.auth.models import User, UserSession
from server.common.idempotency_models import IdempotencyRecord
from server.db.base import Base
from server.practice.models import Practice
from server.workstations.models import Workstation

__all__ = ["AuditChainHead", "AuditEvent", "Base", "IdempotencyRecord", "Practice", "User", "UserSession",
           "Workstation"]
