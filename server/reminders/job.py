"""The reminder job: every interval, claim the reminders that are due, send them, record the result; read replies.

Never twice: a reminder is claimed by inserting its row (unique per appointment, lead time and channel) and
committing *before* anything is sent. A server that stops between claim and send leaves the row "sending";
the next run marks it "unknown" and does not send it again (a missed reminder beats a doubled one).
Due means: the appointment still holds its time (a cancelled one gets nothing), the patient consented, and
now is within the lead time's window (from the lead time before the start, for a quarter of the lead time,
15 minutes to 6 hours): an appointment booked 3 hours ahead gets the 2-hour reminder, not a late 48-hour one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.chain import AuditRecord, Outcome, append
from server.common.contact_rules import normalise_phone
from server.db import raw
from server.db.database import Database
from server.reminders.transports import EmailSender, SmsGateway, TransportError
from server.scheduling import live, rules

log = logging.getLogger("pms.reminders")
STUCK_AFTER = timedelta(minutes=10)
REPLY_WINDOW = timedelta(days=7)
CONFIRM_WORDS = {"C", "Y", "YES", "CONFIRM", "OK", "1"}
ACTOR = "reminders"

_DUE_SQL = """
WITH policy AS (
  SELECT p.id AS practice_id, p.name AS practice_name, COALESCE(rp.lead_hours, '{48,2}') AS lead_hours,
         COALESCE(rp.email_enabled, true) AS email_on, COALESCE(rp.sms_enabled, true) AS sms_on
    FROM practice p LEFT JOIN reminder_policy rp ON rp.practice_id = p.id
)
SELECT a.practice_id, a.id AS appointment_id, a.patient_id, a.starts_at, h.lead, pol.practice_name,
       pol.email_on, pol.sms_on, pt.first_name, pt.email, pt.phone_mobile, pt.preferred_contact_method,
       l.name AS location_name, l.address_line1, l.city, l.phone AS location_phone, l.time_zone,
       pr.first_name AS provider_first, pr.last_name AS provider_last, pr.credentials
  FROM policy pol
 CROSS JOIN LATERAL unnest(pol.lead_hours) AS h(lead)
  JOIN appointment a ON a.practice_id = pol.practice_id AND a.status IN ('scheduled', 'confirmed')
   AND a.starts_at > :now AND a.starts_at <= :now + make_interval(hours => h.lead)
   AND a.starts_at - make_interval(hours => h.lead)
       > :now - greatest(interval '15 minutes', least(interval '6 hours', make_interval(hours => h.lead) / 4))
  JOIN patient pt ON pt.practice_id = a.practice_id AND pt.id = a.patient_id AND pt.reminder_consent
   AND pt.status = 'active'
  JOIN location l ON l.practice_id = a.practice_id AND l.id = a.location_id
  JOIN provider pr ON pr.practice_id = a.practice_id AND pr.id = a.provider_id
 ORDER BY a.starts_at"""

_CLAIM_SQL = """
INSERT INTO reminder (practice_id, appointment_id, patient_id, channel, lead_hours, status, destination,
                      destination_key, claimed_at)
VALUES (:p, :a, :patient, :channel, :lead, 'sending', :shown, :key, :now)
ON CONFLICT (practice_id, appointment_id, lead_hours, channel) DO NOTHING
RETURNING id"""


@dataclass
class Outgoing:
    reminder_id: int
    practice_id: int
    appointment_id: int
    patient_id: int
    channel: str
    to: str
    subject: str
    body: str


@dataclass
class TickResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    replies: int = 0
    confirmed: int = 0


def mask_email(address: str) -> str:
    name, _, domain = address.partition("@")
    return f"{name[:1]}***@{domain}"


def mask_phone(e164: str) -> str:
    return f"***-***-{e164[-4:]}"


def compose(r: Any) -> tuple[str, str]:
    """Subject and text: when, where, with whom, and how to confirm. Nothing about why the patient comes."""
    local = r.starts_at.astimezone(ZoneInfo(r.time_zone))
    when = f"{local:%a %b} {local.day} at {local:%I:%M %p}".replace(" 0", " ")
    provider = f"{r.provider_first} {r.provider_last}" + (f", {r.credentials}" if r.credentials else "")
    where = r.location_name + (f", {r.address_line1}, {r.city}" if r.address_line1 else "")
    phone = r.location_phone
    call = f" To cancel or change it, call {phone[2:5]}-{phone[5:8]}-{phone[8:]}." if len(phone) == 12 else ""
    body = (f"Hello {r.first_name}, this is a reminder of your appointment with {provider} at {where} on {when}. "
            f"Reply C to confirm.{call} - {r.practice_name}")
    return f"Appointment reminder: {when}", body


class ReminderJob:
    def __init__(self, db: Database, email: EmailSender | None, sms: SmsGateway | None,
                 interval_seconds: float = 60.0) -> None:
        self.db = db
        self.email = email
        self.sms = sms
        self.interval = interval_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None and (self.email is not None or self.sms is not None):
            self._task = asyncio.get_running_loop().create_task(self._run_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run_forever(self) -> None:
        while True:
            try:
                result = await self.tick()
                if result.claimed or result.replies:
                    log.info("reminders", extra={"sent": result.sent, "failed": result.failed,
                                                 "replies": result.replies, "confirmed": result.confirmed})
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is down, say: try again next time
                log.exception("reminder run failed")
            await asyncio.sleep(self.interval)

    async def tick(self, now: datetime | None = None) -> TickResult:
        now = now or datetime.now(UTC)
        result = TickResult()
        async with self.db.transaction() as db:
            await db.execute(text("UPDATE reminder SET status = 'unknown', error = 'server stopped while sending' "
                                  "WHERE status = 'sending' AND claimed_at < :t"), {"t": now - STUCK_AFTER})
            outgoing = await self._claim(db, now)
        result.claimed = len(outgoing)
        for item in outgoing:
            ok, error, message_id = await self._send(item)
            result.sent += ok
            result.failed += not ok
            async with self.db.transaction() as db:
                await db.execute(text(
                    "UPDATE reminder SET status = :s, sent_at = :at, error = :e, gateway_message_id = :m "
                    "WHERE practice_id = :p AND id = :id"),
                    {"s": "sent" if ok else "failed", "at": datetime.now(UTC) if ok else None, "e": error[:200],
                     "m": message_id[:100], "p": item.practice_id, "id": item.reminder_id})
                await append(db, item.practice_id, AuditRecord(
                    action="reminders/send", data_category="appointments",
                    outcome=Outcome.SUCCESS if ok else Outcome.FAILED, username=ACTOR, workstation_name="server",
                    patient_id=item.patient_id,
                    detail=f"appointment_id={item.appointment_id} channel={item.channel}" + (f" {error}" if error
                                                                                             else "")))
        if self.sms is not None:
            for reply in await self.sms.replies():
                result.replies += 1
                async with self.db.transaction() as db:
                    result.confirmed += await self._reply(db, reply.sender, reply.body, reply.received_at)
        return result

    async def _claim(self, db: AsyncSession, now: datetime) -> list[Outgoing]:
        out: list[Outgoing] = []
        for r in await raw.fetch_all(db, _DUE_SQL, {"now": now}):
            subject, body = compose(r)
            for channel, to, shown, key in self._channels(r):
                claimed = (await db.execute(text(_CLAIM_SQL), {
                    "p": r.practice_id, "a": r.appointment_id, "patient": r.patient_id, "channel": channel,
                    "lead": r.lead, "shown": shown, "key": key, "now": now})).scalar()
                if claimed is not None:
                    out.append(Outgoing(claimed, r.practice_id, r.appointment_id, r.patient_id, channel, to,
                                        subject, body))
        return out

    def _channels(self, r: Any) -> list[tuple[str, str, str, str]]:
        email = (r.email or "").strip()
        mobile = r.phone_mobile or ""
        can_email = bool(email) and r.email_on and self.email is not None
        can_text = bool(mobile) and r.sms_on and self.sms is not None
        # A patient who prefers one of the two gets only that one, when it can be sent.
        if r.preferred_contact_method == "email" and can_email:
            can_text = False
        if r.preferred_contact_method == "sms" and can_text:
            can_email = False
        out = []
        if can_email:
            out.append(("email", email, mask_email(email), email.lower()))
        if can_text:
            out.append(("sms", mobile, mask_phone(mobile), mobile))
        return out

    async def _send(self, item: Outgoing) -> tuple[bool, str, str]:
        try:
            if item.channel == "email":
                assert self.email is not None
                return True, "", await self.email.send(item.to, item.subject, item.body)
            assert self.sms is not None
            return True, "", await self.sms.send(item.to, item.body)
        except TransportError as exc:
            return False, str(exc), ""

    async def _reply(self, db: AsyncSession, sender: str, body: str, received_at: datetime) -> int:
        """Records a text reply on the latest reminder to that number; "C" confirms the appointment."""
        phone = normalise_phone(sender) or sender
        found = (await db.execute(text("""
            SELECT r.practice_id, r.id, r.appointment_id, r.patient_id, a.status, a.version, a.location_id,
                   a.starts_at, l.time_zone
              FROM reminder r
              JOIN appointment a ON a.practice_id = r.practice_id AND a.id = r.appointment_id
              JOIN location l ON l.practice_id = a.practice_id AND l.id = a.location_id
             WHERE r.destination_key = :phone AND r.channel = 'sms' AND r.status = 'sent' AND r.sent_at > :since
             ORDER BY r.sent_at DESC LIMIT 1"""), {"phone": phone, "since": received_at - REPLY_WINDOW})).first()
        if found is None:
            return 0
        await db.execute(text("UPDATE reminder SET reply = :b, replied_at = :at WHERE practice_id = :p AND id = :id"),
                         {"b": body.strip()[:160], "at": received_at, "p": found.practice_id, "id": found.id})
        word = body.strip().upper().rstrip(".!")
        confirmed = 0
        if word in CONFIRM_WORDS and "confirmed" in rules.TRANSITIONS.get(found.status, frozenset()):
            await db.execute(text("""
                UPDATE appointment SET status = 'confirmed', status_changed_at = now(), updated_at = now(),
                       version = version + 1 WHERE practice_id = :p AND id = :id"""),
                {"p": found.practice_id, "id": found.appointment_id})
            await db.execute(text("""
                INSERT INTO appointment_event (practice_id, appointment_id, username, kind, from_status, to_status,
                                               note)
                VALUES (:p, :id, :who, 'status', :from, 'confirmed', 'confirmed by text reply')"""),
                {"p": found.practice_id, "id": found.appointment_id, "who": ACTOR, "from": found.status})
            await live.notify(db, found.practice_id, found.location_id, found.starts_at, ZoneInfo(found.time_zone),
                              found.appointment_id, "status")
            confirmed = 1
        await append(db, found.practice_id, AuditRecord(
            action="reminders/reply", data_category="appointments", outcome=Outcome.SUCCESS, username=ACTOR,
            workstation_name="server", patient_id=found.patient_id,
            detail=f"appointment_id={found.appointment_id}" + (" confirmed" if confirmed else "")))
        return confirmed
