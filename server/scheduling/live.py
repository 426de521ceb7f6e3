"""The live calendar: committed schedule changes, fanned out to the workstations watching those days.

Writers call ``notify`` inside their transaction (pg_notify is delivered at commit, and never for a rollback).
Each server process holds one LISTEN connection and hands every notification to the subscriptions that match
practice, location and date; several server processes on one database all hear every change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CHANNEL = "pms_schedule"
# A subscriber that stops reading is dropped after this many unread changes (its client then reloads).
QUEUE_LIMIT = 1000
log = logging.getLogger("pms.schedule.live")


@dataclass(frozen=True)
class Change:
    practice_id: int
    location_id: int
    day: date
    appointment_id: int
    kind: str


async def notify(db: AsyncSession, practice_id: int, location_id: int, starts_at: datetime, zone: ZoneInfo,
                 appointment_id: int, kind: str) -> None:
    payload = f"{practice_id}:{location_id}:{starts_at.astimezone(zone).date().isoformat()}:{appointment_id}:{kind}"
    await db.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": payload})


def parse(payload: str) -> Change | None:
    try:
        practice, location, day, appointment, kind = payload.split(":")
        return Change(int(practice), int(location), date.fromisoformat(day), int(appointment), kind)
    except ValueError:
        log.warning("unreadable schedule notification")
        return None


@dataclass(eq=False)
class Subscription:
    practice_id: int
    location_id: int
    days: frozenset[date]
    queue: asyncio.Queue[Change] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))

    def wants(self, c: Change) -> bool:
        return c.kind == "resync" or (c.practice_id == self.practice_id and c.location_id == self.location_id
                                      and c.day in self.days)


class ScheduleHub:
    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.subscriptions: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        # Set while the LISTEN connection is up (tests wait for it).
        self.listening = asyncio.Event()
        self.backend_pid = 0

    def subscribe(self, practice_id: int, location_id: int, days: frozenset[date]) -> Subscription:
        sub = Subscription(practice_id, location_id, days)
        self.subscriptions.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self.subscriptions.discard(sub)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _deliver(self, change: Change) -> None:
        for sub in list(self.subscriptions):
            if sub.wants(change):
                try:
                    sub.queue.put_nowait(change)
                except asyncio.QueueFull:
                    self.subscriptions.discard(sub)  # the stream ends; the client watches again and reloads
                    log.warning("schedule subscriber fell behind; dropped")

    async def _listen_forever(self) -> None:
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.backend_pid = conn.info.backend_pid
                    self.listening.set()
                    if not first:
                        # Changes committed while we were not listening are lost: every watcher reloads.
                        self._deliver(Change(0, 0, date.min, 0, "resync"))
                    first = False
                    async for n in conn.notifies():
                        change = parse(n.payload)
                        if change is not None:
                            self._deliver(change)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database restarted or the connection was cut: listen again
                self.listening.clear()
                log.warning("schedule listener lost its connection; reconnecting", extra={"error": type(exc).__name__})
                await asyncio.sleep(0.5)

