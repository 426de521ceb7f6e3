"""Getting batches to the clearinghouse and its answers back (issue 6, items 5 and 6).

Transports: a folder (the default) or the clearinghouse's SFTP server.

A transport delivers a file by name and fetches what came back. Delivery is idempotent by the file's name (the
interchange control number): a batch delivered again after a crash, before its status was saved, finds the same
file with the same bytes and does nothing, so the clearinghouse receives it once. A name already holding other
bytes is never overwritten.

The folder transport is the default: `DATA/clearinghouse/outbox` and `.../inbox`, which a practice without a
direct connection uploads from (and downloads into) through its clearinghouse's web portal, and which the payer
simulator watches. `server.json` "clearinghouse" configures it: {"transport": "folder", "outbox": ..., "inbox":
..., "interval_seconds": 30}, or {"transport": "sftp", "host": ..., "port": 22, "username": ..., "client_key":
PATH, "known_hosts": PATH, "upload_dir": "inbound", "download_dir": "outbound"}.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, update

from server.audit.chain import AuditRecord, Outcome, append
from server.claims.acknowledgments import UnknownFile, apply_file, kind_of, practice_addressed
from server.claims.models import Claim, ClaimBatch, ClaimStatusRequest
from server.claims.service import record_as
from server.db.database import Database
from server.errors import DomainError
from server.insurance.models import EligibilityCheck, EligibilityRequest
from server.x12.reader import X12ReadError, read_interchanges

log = logging.getLogger("pms.clearinghouse")
ACTOR = "clearinghouse"


class TransportError(RuntimeError):
    """The file could not be delivered or fetched; the batch stays as it was and is tried again."""


class Transport(Protocol):
    async def deliver(self, name: str, content: bytes) -> bool:
        """Puts the file there; False when the same file was already there (nothing done)."""

    async def fetch(self) -> list[tuple[str, bytes]]:
        """Files the clearinghouse has answered with, not yet handled."""

    async def done(self, name: str, folder: str) -> None:
        """Moves a fetched file aside: into processed/, failed/ (could not be read) or remittances/ (835s, kept
        for payment posting)."""


def _same(a: bytes, b: bytes) -> bool:
    return hashlib.sha256(a).digest() == hashlib.sha256(b).digest()


class FolderTransport:
    def __init__(self, outbox: Path, inbox: Path) -> None:
        self.outbox, self.inbox = outbox, inbox

    async def deliver(self, name: str, content: bytes) -> bool:
        return await asyncio.to_thread(self._deliver, name, content)

    async def fetch(self) -> list[tuple[str, bytes]]:
        return await asyncio.to_thread(self._fetch)

    async def done(self, name: str, folder: str) -> None:
        await asyncio.to_thread(self._done, name, folder)

    def _deliver(self, name: str, content: bytes) -> bool:
        self.outbox.mkdir(parents=True, exist_ok=True)
        target = self.outbox / name
        if target.exists():
            if _same(target.read_bytes(), content):
                return False
            raise TransportError(f"{target} exists with other content: not overwritten")
        # Written under a temporary name and renamed, so a watcher never reads half a file.
        partial = self.outbox / f".{name}.partial"
        partial.write_bytes(content)
        with partial.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, target)
        return True

    def _fetch(self) -> list[tuple[str, bytes]]:
        if not self.inbox.is_dir():
            return []
        return [(p.name, p.read_bytes()) for p in sorted(self.inbox.iterdir())
                if p.is_file() and not p.name.startswith(".")]

    def _done(self, name: str, folder: str) -> None:
        target = self.inbox / folder
        target.mkdir(exist_ok=True)
        os.replace(self.inbox / name, target / name)


class SftpTransport:
    """The clearinghouse's SFTP server: files go up into its inbound folder and answers are read from its outbound
    one. The server's host key must be in the known_hosts file given (no trust on first use); the practice logs
    in with its own key. Uploads go to a temporary name first and are renamed, so the clearinghouse never picks up
    half a file."""

    def __init__(self, host: str, port: int, username: str, client_key: Path, known_hosts: Path,
                 upload_dir: str, download_dir: str, timeout: float = 30.0) -> None:
        self.host, self.port, self.username = host, port, username
        self.client_key, self.known_hosts = client_key, known_hosts
        self.upload_dir, self.download_dir, self.timeout = upload_dir.rstrip("/"), download_dir.rstrip("/"), timeout

    @contextlib.asynccontextmanager
    async def _sftp(self) -> Any:
        import asyncssh

        try:
            async with asyncssh.connect(self.host, self.port, username=self.username,
                                        client_keys=[str(self.client_key)], known_hosts=str(self.known_hosts),
                                        connect_timeout=self.timeout) as conn, conn.start_sftp_client() as sftp:
                yield sftp
        except (OSError, asyncssh.Error) as exc:
            raise TransportError(f"sftp {self.host}:{self.port}: {exc}") from exc

    async def deliver(self, name: str, content: bytes) -> bool:
        import asyncssh

        target, partial = f"{self.upload_dir}/{name}", f"{self.upload_dir}/.{name}.partial"
        async with self._sftp() as sftp:
            try:
                if await sftp.exists(target):
                    async with sftp.open(target, "rb") as f:
                        there = await f.read()
                    if _same(there, content):
                        return False
                    raise TransportError(f"{target} exists on the clearinghouse with other content")
                async with sftp.open(partial, "wb") as f:
                    await f.write(content)
                await sftp.rename(partial, target)
            except asyncssh.SFTPError as exc:
                raise TransportError(f"sftp {target}: {exc}") from exc
        return True

    async def fetch(self) -> list[tuple[str, bytes]]:
        out = []
        async with self._sftp() as sftp:
            for entry in sorted(await sftp.readdir(self.download_dir), key=lambda e: e.filename):
                name = entry.filename
                if name.startswith(".") or not await sftp.isfile(f"{self.download_dir}/{name}"):
                    continue
                async with sftp.open(f"{self.download_dir}/{name}", "rb") as f:
                    out.append((name, await f.read()))
        return out

    async def done(self, name: str, folder: str) -> None:
        folder = f"{self.download_dir}/{folder}"
        async with self._sftp() as sftp:
            if not await sftp.exists(folder):
                await sftp.mkdir(folder)
            await sftp.rename(f"{self.download_dir}/{name}", f"{folder}/{name}")


def from_settings(config: dict[str, Any], data_root: Path) -> Transport:
    kind = config.get("transport", "folder")
    if kind == "sftp":
        return SftpTransport(config["host"], int(config.get("port", 22)), config["username"],
                             Path(config["client_key"]), Path(config["known_hosts"]),
                             config.get("upload_dir", "inbound"), config.get("download_dir", "outbound"))
    if kind != "folder":
        raise ValueError(f"clearinghouse transport {kind!r} is not known (folder or sftp)")
    base = data_root / "clearinghouse"
    return FolderTransport(Path(config.get("outbox", base / "outbox")), Path(config.get("inbox", base / "inbox")))


@dataclass
class TickResult:
    delivered: int = 0
    already_there: int = 0
    failed: int = 0
    answers_applied: int = 0
    answers_refused: int = 0
    remittances: int = 0


async def _claims_sent(session: Any, batch: ClaimBatch, fresh: bool) -> None:
    claims = (await session.execute(select(Claim).where(
        Claim.practice_id == batch.practice_id, Claim.batch_id == batch.id, Claim.status == "queued")
        .order_by(Claim.id).with_for_update())).scalars().all()
    for claim in claims:
        record_as(session, claim, "sent", f"delivered in {batch.file_name}", None, ACTOR)
    await append(session, batch.practice_id, AuditRecord(
        action="claims/deliver", data_category="claims", outcome=Outcome.SUCCESS, username=ACTOR,
        workstation_name="server",
        detail=f"batch_id={batch.id} file={batch.file_name} claims={len(claims)} "
               f"{'delivered' if fresh else 'already there'}"))


async def deliver_written(db: Database, transport: Transport) -> TickResult:
    """Delivers every written claim batch (837P) once; its claims become sent."""
    return await _deliver_files(db, transport, ClaimBatch, TickResult(), _claims_sent)


async def receive_answers(db: Database, transport: Transport, result: TickResult | None = None) -> TickResult:
    """Applies each 999 and 277CA the clearinghouse sent back, each file in one transaction. A file that cannot be
    read or placed is moved to failed/ (the log says why) and changes nothing; a database error leaves it for the
    next tick."""
    result = result or TickResult()
    for name, content in await transport.fetch():
        try:
            if kind_of(content) == "835":
                # Imported for the biller's preview (posting is theirs), then kept in remittances/ as received.
                async with db.transaction() as session:
                    eras = await _import_835(session, name, content)
                log.info("clearinghouse file %s: %d ERAs imported", name, eras)
                await transport.done(name, "remittances")
                result.remittances += 1
                continue
            async with db.transaction() as session:
                applied = await apply_file(session, name, content)
        except (X12ReadError, UnknownFile, DomainError) as exc:
            log.warning("clearinghouse file %s refused: %s", name, exc)
            await transport.done(name, "failed")
            result.answers_refused += 1
            continue
        log.info("clearinghouse file %s: %s", name, applied.summary())
        await transport.done(name, "processed")
        result.answers_applied += 1
    return result


async def _import_835(session: Any, name: str, content: bytes) -> int:
    from server.remittances.service import import_remittances

    practice = await practice_addressed(session, read_interchanges(content)[0].receiver)
    imported = await import_remittances(session, practice, None, name, content)
    await append(session, practice, AuditRecord(
        action="remittances/import", data_category="payments", outcome=Outcome.SUCCESS, username="clearinghouse",
        workstation_name="server", detail=f"file={name} eras={len(imported)} "
                                          f"new={sum(1 for _, known in imported if not known)}"))
    return len(imported)


async def _deliver_files(db: Database, transport: Transport, model: Any, result: TickResult,
                         after: Any = None) -> TickResult:
    """Delivers each written file of `model` (claim batches, eligibility and claim status requests) once, each in
    its own transaction with its row locked, so two servers on one database never deliver the same file at once;
    `after(session, row, fresh)` moves what the file carried on."""
    while True:
        async with db.transaction() as session:
            row = (await session.execute(select(model).where(model.status == "written").order_by(model.id)
                                         .limit(1).with_for_update(skip_locked=True))).scalar_one_or_none()
            if row is None:
                return result
            row.delivery_attempts += 1
            try:
                fresh = await transport.deliver(row.file_name, row.content.encode("ascii"))
            except (OSError, TransportError) as exc:
                row.last_error = str(exc)[:500]
                result.failed += 1
                log.warning("%s not delivered: %s", row.file_name, exc)
                # Saved with the attempt count; the next tick tries again. Later files wait their turn.
                return result
            row.status, row.delivered_at, row.last_error = "delivered", datetime.now(UTC), ""
            if after is not None:
                await after(session, row, fresh)
            result.delivered += fresh
            result.already_there += not fresh


async def _checks_sent(session: Any, req: EligibilityRequest, fresh: bool) -> None:
    await session.execute(update(EligibilityCheck).where(
        EligibilityCheck.practice_id == req.practice_id, EligibilityCheck.request_id == req.id,
        EligibilityCheck.status == "queued").values(status="sent"))


async def deliver_eligibility(db: Database, transport: Transport, result: TickResult | None = None) -> TickResult:
    """Eligibility inquiries (270): delivered once each, their checks become sent."""
    return await _deliver_files(db, transport, EligibilityRequest, result or TickResult(), _checks_sent)


async def deliver_status_requests(db: Database, transport: Transport, result: TickResult | None = None
                                  ) -> TickResult:
    """Claim status inquiries (276)."""
    return await _deliver_files(db, transport, ClaimStatusRequest, result or TickResult())


class ClearinghouseJob:
    def __init__(self, db: Database, transport: Transport, interval_seconds: float = 30.0) -> None:
        self.db, self.transport, self.interval = db, transport, interval_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def tick(self) -> TickResult:
        result = await deliver_written(self.db, self.transport)
        result = await deliver_eligibility(self.db, self.transport, result)
        result = await deliver_status_requests(self.db, self.transport, result)
        return await receive_answers(self.db, self.transport, result)

    async def _run_forever(self) -> None:
        while True:
            try:
                result = await self.tick()
                if result.delivered or result.failed or result.answers_applied or result.answers_refused:
                    log.info("clearinghouse", extra={"delivered": result.delivered, "failed": result.failed,
                                                     "applied": result.answers_applied,
                                                     "refused": result.answers_refused})
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is down, say: try again next time
                log.exception("clearinghouse run failed")
            await asyncio.sleep(self.interval)
