"""Getting batches to the clearinghouse and its answers back (issue 6, items 5 and 6).

A transport delivers a file by name and fetches what came back. Delivery is idempotent by the file's name (the
interchange control number): a batch delivered again after a crash, before its status was saved, finds the same
file with the same bytes and does nothing, so the clearinghouse receives it once. A name already holding other
bytes is never overwritten.

The folder transport is the default: `DATA/clearinghouse/outbox` and `.../inbox`, which a practice without a
direct connection uploads from (and downloads into) through its clearinghouse's web portal, and which the payer
simulator watches. `server.json` "clearinghouse" configures it: {"transport": "folder", "outbox": ..., "inbox":
..., "interval_seconds": 30}.
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

from sqlalchemy import select

from server.audit.chain import AuditRecord, Outcome, append
from server.claims.models import Claim, ClaimBatch
from server.claims.service import record_as
from server.db.database import Database

log = logging.getLogger("pms.clearinghouse")
ACTOR = "clearinghouse"


class TransportError(RuntimeError):
    """The file could not be delivered or fetched; the batch stays as it was and is tried again."""


class Transport(Protocol):
    def deliver(self, name: str, content: bytes) -> bool:
        """Puts the file there; False when the same file was already there (nothing done)."""

    def fetch(self) -> list[tuple[str, bytes]]:
        """Files the clearinghouse has answered with, not yet handled."""

    def done(self, name: str, ok: bool) -> None:
        """Moves a fetched file aside (handled, or failed to read)."""


class FolderTransport:
    def __init__(self, outbox: Path, inbox: Path) -> None:
        self.outbox, self.inbox = outbox, inbox

    def deliver(self, name: str, content: bytes) -> bool:
        self.outbox.mkdir(parents=True, exist_ok=True)
        target = self.outbox / name
        if target.exists():
            if hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(content).digest():
                return False
            raise TransportError(f"{target} exists with other content: not overwritten")
        # Written under a temporary name and renamed, so a watcher never reads half a file.
        partial = self.outbox / f".{name}.partial"
        partial.write_bytes(content)
        with partial.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, target)
        return True

    def fetch(self) -> list[tuple[str, bytes]]:
        if not self.inbox.is_dir():
            return []
        return [(p.name, p.read_bytes()) for p in sorted(self.inbox.iterdir())
                if p.is_file() and not p.name.startswith(".")]

    def done(self, name: str, ok: bool) -> None:
        folder = self.inbox / ("processed" if ok else "failed")
        folder.mkdir(exist_ok=True)
        os.replace(self.inbox / name, folder / name)


def from_settings(config: dict[str, Any], data_root: Path) -> FolderTransport:
    kind = config.get("transport", "folder")
    if kind != "folder":
        raise ValueError(f"clearinghouse transport {kind!r} is not known (folder)")
    base = data_root / "clearinghouse"
    return FolderTransport(Path(config.get("outbox", base / "outbox")), Path(config.get("inbox", base / "inbox")))


@dataclass
class TickResult:
    delivered: int = 0
    already_there: int = 0
    failed: int = 0


async def deliver_written(db: Database, transport: Transport) -> TickResult:
    """Delivers every written batch, each in its own transaction (its row locked, so two servers on one database
    never deliver the same batch at once); its claims become sent."""
    result = TickResult()
    while True:
        async with db.transaction() as session:
            batch = (await session.execute(select(ClaimBatch).where(ClaimBatch.status == "written")
                                           .order_by(ClaimBatch.id).limit(1).with_for_update(skip_locked=True))
                     ).scalar_one_or_none()
            if batch is None:
                return result
            batch.delivery_attempts += 1
            try:
                fresh = await asyncio.to_thread(transport.deliver, batch.file_name, batch.content.encode("ascii"))
            except (OSError, TransportError) as exc:
                batch.last_error = str(exc)[:500]
                result.failed += 1
                log.warning("batch %s not delivered: %s", batch.id, exc)
                # Saved with the attempt count; the next tick tries again. Later batches wait their turn.
                return result
            batch.status, batch.delivered_at, batch.last_error = "delivered", datetime.now(UTC), ""
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
            result.delivered += fresh
            result.already_there += not fresh


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
        return await deliver_written(self.db, self.transport)

    async def _run_forever(self) -> None:
        while True:
            try:
                result = await self.tick()
                if result.delivered or result.failed:
                    log.info("clearinghouse", extra={"delivered": result.delivered, "failed": result.failed})
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is down, say: try again next time
                log.exception("clearinghouse run failed")
            await asyncio.sleep(self.interval)
