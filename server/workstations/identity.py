"""Recognising the workstation behind a call from its client certificate."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Unauthenticated
from server.pki.authority import read_peer_certificate
from server.rpc.context import WorkstationIdentity
from server.workstations.models import Workstation

_PRACTICE_ORG = re.compile(r"^practice (\d+)$")
# last_seen_at is for people, not for forensics: refresh it at most this often.
TOUCH_EVERY = timedelta(seconds=60)


def practice_of_certificate(org: str) -> int | None:
    m = _PRACTICE_ORG.match(org)
    return int(m.group(1)) if m else None


def peer_of(cert_pem: bytes) -> tuple[Any, int]:
    """The certificate's details and the practice it was issued for."""
    peer = read_peer_certificate(cert_pem)
    practice_id = practice_of_certificate(peer.organization)
    if practice_id is None:
        raise Unauthenticated("This certificate was not issued to a workstation.", "WORKSTATION_UNKNOWN")
    return peer, practice_id


def workstation_query(practice_id: int, serial_hex: str) -> Any:
    return (select(Workstation.id, Workstation.name, Workstation.revoked_at, Workstation.expires_at,
                   Workstation.last_seen_at)
            .where(Workstation.practice_id == practice_id, Workstation.certificate_serial == serial_hex))


def check(peer: Any, practice_id: int, row: Any) -> tuple[WorkstationIdentity, datetime | None]:
    """Refuses revoked, expired or unknown workstations; ``row`` comes from workstation_query (or extends it)."""
    # Refusals carry who knocked, so the audit trail can record them under the practice.
    knocked = WorkstationIdentity(practice_id, row.id if row else 0, row.name if row else peer.common_name,
                                  peer.serial_hex)
    if row is None:
        raise _refused(knocked, "This workstation is not enrolled with this server.", "WORKSTATION_UNKNOWN")
    if row.revoked_at is not None:
        raise _refused(knocked, "This workstation's certificate has been revoked.", "WORKSTATION_REVOKED")
    if row.expires_at <= datetime.now(UTC):
        raise _refused(knocked, "This workstation's certificate has expired; enroll it again.",
                       "WORKSTATION_EXPIRED")
    return knocked, row.last_seen_at


async def identify(db: AsyncSession, cert_pem: bytes) -> tuple[WorkstationIdentity, datetime | None]:
    """Returns the workstation and when it was last seen; refuses revoked, expired or unknown ones."""
    peer, practice_id = peer_of(cert_pem)
    row = (await db.execute(workstation_query(practice_id, peer.serial_hex))).one_or_none()
    return check(peer, practice_id, row)


def _refused(ws: WorkstationIdentity, message: str, reason: str) -> Unauthenticated:
    exc = Unauthenticated(message, reason)
    exc.workstation = ws  # type: ignore[attr-defined]
    return exc


async def touch(db: AsyncSession, ws: WorkstationIdentity, last_seen: datetime | None) -> None:
    now = datetime.now(UTC)
    if last_seen is None or now - last_seen > TOUCH_EVERY:
        await db.execute(update(Workstation).execution_options(synchronize_session=False)
                         .where(Workstation.practice_id == ws.practice_id, Workstation.id == ws.workstation_id)
                         .values(last_seen_at=now))
