"""Enrolling and revoking workstations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.common.persistence import add_unique
from server.errors import FieldErrors, InvalidArgument, NotFound, RuleViolation
from server.pki.authority import CertificateAuthorityFiles, issue_workstation_certificate, read_peer_certificate
from server.practice.service import get_practice
from server.workstations.models import Workstation
from shared.bundle import WorkstationBundle

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass
class ServerAddress:
    """Where workstations dial, written into every bundle (set after binding when the port is 0)."""

    address: str  # host:port
    server_name: str  # a SAN of the server certificate


async def enroll(db: AsyncSession, ca_files: CertificateAuthorityFiles, server: ServerAddress, practice_id: int,
                 name: str, lifetime_days: int = 0) -> tuple[Workstation, WorkstationBundle]:
    practice = await get_practice(db, practice_id)
    errors = FieldErrors()
    name = name.strip()
    if not NAME.match(name):
        errors.add("name", "use 1-64 letters, digits, dot, dash or underscore (e.g. frontdesk-1)")
    days = lifetime_days or practice.workstation_cert_days
    if not 1 <= days <= 825:
        errors.add("lifetime_days", "must be between 1 and 825")
    errors.raise_if_any()
    taken = (await db.execute(select(Workstation.id).where(
        Workstation.practice_id == practice_id, Workstation.name == name, Workstation.revoked_at.is_(None)))).first()
    if taken:
        raise InvalidArgument.one("name", "a workstation with this name is enrolled; revoke it first")
    issued = issue_workstation_certificate(ca_files.load_ca(), name, practice_id, days)
    peer = read_peer_certificate(issued.cert_pem)
    row = Workstation(practice_id=practice_id, name=name, certificate_serial=issued.serial_hex,
                      fingerprint_sha256=peer.fingerprint_sha256, issued_at=issued.not_before,
                      expires_at=issued.not_after)
    await add_unique(db, row, "name", "a workstation with this name is enrolled; revoke it first")
    bundle = WorkstationBundle(
        workstation_name=name, practice_name=practice.name, server_address=server.address,
        server_name=server.server_name, ca_cert_pem=ca_files.ca_cert_pem().decode(),
        cert_pem=issued.cert_pem.decode(), key_pem=issued.key_pem.decode(),
    )
    return row, bundle


async def revoke(db: AsyncSession, practice_id: int, workstation_id: int, reason: str,
                 current_workstation_id: int | None = None) -> Workstation:
    row = (await db.execute(select(Workstation).where(
        Workstation.practice_id == practice_id, Workstation.id == workstation_id).with_for_update())
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("No such workstation.")
    if not reason.strip():
        raise InvalidArgument.one("reason", "say why (lost, stolen, replaced, retired...)")
    if row.revoked_at is not None:
        raise RuleViolation("This workstation is already revoked.", "ALREADY_REVOKED")
    if current_workstation_id == workstation_id:
        raise RuleViolation("You cannot revoke the workstation you are using.", "CANNOT_REVOKE_SELF")
    row.revoked_at = datetime.now(UTC)
    row.revoked_reason = reason.strip()[:200]
    return row


async def find_active_by_name(db: AsyncSession, practice_id: int, name: str) -> Workstation:
    row = (await db.execute(select(Workstation).where(
        Workstation.practice_id == practice_id, Workstation.name == name, Workstation.revoked_at.is_(None)))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"No enrolled workstation named {name!r}.")
    return row


async def list_workstations(db: AsyncSession, practice_id: int, include_revoked: bool) -> list[Workstation]:
    stmt = select(Workstation).where(Workstation.practice_id == practice_id).order_by(Workstation.name,
                                                                                      Workstation.id)
    if not include_revoked:
        stmt = stmt.where(Workstation.revoked_at.is_(None))
    return list((await db.execute(stmt)).scalars())
