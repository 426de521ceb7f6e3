"""Reminders: sent once each at the right lead time, only with consent, none after a cancellation, none doubled
after a restart; text replies confirm. Email goes to a real SMTP server on loopback (aiosmtpd); texts to a
recording gateway (we cannot reach a real one)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from aiosmtpd.controller import Controller

from server.demo import free_port
from server.reminders.job import ReminderJob
from server.reminders.transports import InboundText, RecordingSmsGateway, SmtpSender
from shared.pms.common.v1 import contact_pb2
from shared.pms.reminders.v1 import reminders_pb2 as rpb
from shared.pms.scheduling.v1 import appointments_pb2 as ap
from shared.pms.scheduling.v1 import setup_pb2 as su
from tests.api.test_patients import logged_in, register
from tests.builders import a_location, a_patient, a_provider, an_appointment_type
from tests.support import Client, Cluster, RunningServer, fails, status_details

START = datetime(2027, 4, 14, 14, 0, tzinfo=UTC)  # 10:00 in New York
_n = iter(range(1, 1000))


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf8", "replace")))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture(scope="module")
async def manager(server: RunningServer) -> Client:
    c = await logged_in(server, "remind-boss", ["manager"])
    yield c  # type: ignore[misc]
    await c.close()


@pytest.fixture(scope="module")
async def where(manager: Client) -> dict[str, int]:
    loc = (await manager.setup.SaveLocation(su.SaveLocationRequest(location=a_location(
        "Reminder Clinic", phone=contact_pb2.Phone(number="(614) 555-0199"))), metadata=manager.md)).location
    prov = (await manager.setup.SaveProvider(su.SaveProviderRequest(provider=a_provider("Rita", "Mind", serial=4242)),
                                             metadata=manager.md)).provider
    kind = (await manager.setup.SaveAppointmentType(su.SaveAppointmentTypeRequest(
        appointment_type=an_appointment_type("Reminder visit", 15)), metadata=manager.md)).appointment_type
    return {"location": loc.location_id, "provider": prov.provider_id, "type": kind.appointment_type_id}


def job_for(server: RunningServer, smtp_port: int, sms: RecordingSmsGateway) -> ReminderJob:
    return ReminderJob(server.inst.database(pool_size=2, max_overflow=0),
                       SmtpSender("127.0.0.1", smtp_port, "Front desk <desk@clinic.test>", starttls=False), sms)


async def patient(manager: Client, *, consent: bool = True, email: str = "", mobile: str = "",
                  prefers: int = 0) -> int:
    n = next(_n)
    last = "Remind" + "".join(chr(ord("a") + int(d)) for d in f"{n:03d}")
    p = a_patient("Rhea", last, datetime(1960, 1, 1).date() + timedelta(days=97 * n), mobile=mobile, email=email,
                  reminder_consent=consent, preferred_contact_method=prefers)  # type: ignore[arg-type]
    made = await register(manager, p)
    assert made.patient.patient_id, "registration stopped at possible duplicates"
    return made.patient.patient_id


async def appointment(manager: Client, where: dict[str, int], patient_id: int, start: datetime) -> ap.Appointment:
    from google.protobuf.timestamp_pb2 import Timestamp

    ts = Timestamp()
    ts.FromDatetime(start)
    # Overbooked: these tests are about reminders, not templates.
    return (await manager.appointments.BookAppointment(ap.BookAppointmentRequest(
        patient_id=patient_id, provider_id=where["provider"], location_id=where["location"],
        appointment_type_id=where["type"], starts_at=ts, overbook=True), metadata=manager.md)).appointment


def reminders_of(cluster: Cluster, server: RunningServer, appointment_id: int) -> list[tuple[Any, ...]]:
    with psycopg.connect(cluster.app_conninfo(server.inst.urls)) as conn:
        return conn.execute("SELECT lead_hours, channel, status FROM reminder WHERE appointment_id = %s "
                            "ORDER BY lead_hours DESC, channel", (appointment_id,)).fetchall()


async def test_each_reminder_goes_once_at_its_lead_time(server: RunningServer, cluster: Cluster, manager: Client,
                                                        where: dict[str, int], smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    sms = RecordingSmsGateway()
    job = job_for(server, port, sms)
    pid = await patient(manager, email="rhea@example.com", mobile="(614) 555-0101")
    appt = await appointment(manager, where, pid, START)
    assert (await job.tick(START - timedelta(hours=49))).claimed == 0
    first = await job.tick(START - timedelta(hours=48) + timedelta(minutes=1))
    assert (first.sent, first.failed) == (2, 0)
    assert [to for to, _ in sms.sent] == ["+16145550101"]
    assert "Wed Apr 14 at 10:00 AM" in sms.sent[0][1] and "Reply C to confirm" in sms.sent[0][1]
    mail = [m for m in inbox.messages if m[0] == ["rhea@example.com"]]
    assert len(mail) == 1 and "Subject: Appointment reminder: Wed Apr 14 at 10:00 AM" in mail[0][1]
    # Running again in the same window, or later, sends nothing more for that lead time.
    assert (await job.tick(START - timedelta(hours=47))).claimed == 0
    second = await job.tick(START - timedelta(hours=2))
    assert second.sent == 2 and len(sms.sent) == 2
    assert (await job.tick(START - timedelta(minutes=30))).claimed == 0
    assert reminders_of(cluster, server, appt.appointment_id) == [
        (48, "email", "sent"), (48, "sms", "sent"), (2, "email", "sent"), (2, "sms", "sent")]
    await job.db.dispose()


async def test_only_with_consent_by_the_preferred_channel_and_none_after_cancel(
        server: RunningServer, cluster: Cluster, manager: Client, where: dict[str, int],
        smtp: tuple[Inbox, int]) -> None:
    from shared.pms.patients.v1 import patients_pb2

    _, port = smtp
    sms = RecordingSmsGateway()
    job = job_for(server, port, sms)
    start = START + timedelta(days=1)
    refused = await appointment(manager, where, await patient(manager, consent=False, mobile="(614) 555-0102"), start)
    texts_only = await appointment(manager, where, await patient(
        manager, email="t@example.com", mobile="(614) 555-0103", prefers=patients_pb2.CONTACT_METHOD_SMS), start)
    cancelled = await appointment(manager, where, await patient(manager, mobile="(614) 555-0104"), start)
    await manager.appointments.CancelAppointment(ap.CancelAppointmentRequest(
        appointment_id=cancelled.appointment_id, version=cancelled.version, reason=ap.CANCEL_REASON_PATIENT),
        metadata=manager.md)
    await job.tick(start - timedelta(hours=2))
    assert reminders_of(cluster, server, refused.appointment_id) == []
    assert reminders_of(cluster, server, texts_only.appointment_id) == [(2, "sms", "sent")]
    assert reminders_of(cluster, server, cancelled.appointment_id) == []
    # Booked three hours ahead: no late 48-hour reminder, only the 2-hour one when its time comes.
    late = await appointment(manager, where, await patient(manager, mobile="(614) 555-0105"),
                             start + timedelta(hours=1))
    assert (await job.tick(start - timedelta(hours=2))).claimed == 0
    await job.tick(start - timedelta(hours=1))
    assert reminders_of(cluster, server, late.appointment_id) == [(2, "sms", "sent")]
    await job.db.dispose()


class Crash(BaseException):
    """The server process dying mid-send (not an error the job handles)."""


class CrashingGateway(RecordingSmsGateway):
    async def send(self, to: str, body: str) -> str:
        raise Crash


async def test_a_restart_never_doubles_a_reminder(server: RunningServer, cluster: Cluster, manager: Client,
                                                  where: dict[str, int], smtp: tuple[Inbox, int]) -> None:
    _, port = smtp
    start = START + timedelta(days=2)
    appt = await appointment(manager, where, await patient(manager, mobile="(614) 555-0106"), start)
    dying = job_for(server, port, CrashingGateway())
    with pytest.raises(Crash):
        await dying.tick(start - timedelta(hours=2))
    await dying.db.dispose()
    assert reminders_of(cluster, server, appt.appointment_id) == [(2, "sms", "sending")]
    # The restarted server: the claimed reminder is not sent again, now or after it is declared lost.
    sms = RecordingSmsGateway()
    again = job_for(server, port, sms)
    await again.tick(start - timedelta(hours=2) + timedelta(minutes=1))
    await again.tick(start - timedelta(hours=2) + timedelta(minutes=15))
    assert sms.sent == []
    assert reminders_of(cluster, server, appt.appointment_id) == [(2, "sms", "unknown")]
    # A refused send is recorded as failed, and not retried either.
    other = await appointment(manager, where, await patient(manager, mobile="(614) 555-0107"), start)
    sms.fail_next = 1
    assert (await again.tick(start - timedelta(hours=1, minutes=50))).failed == 1
    await again.tick(start - timedelta(hours=1, minutes=40))
    assert reminders_of(cluster, server, other.appointment_id) == [(2, "sms", "failed")]
    await again.db.dispose()


async def test_a_text_reply_confirms_the_appointment(server: RunningServer, manager: Client, where: dict[str, int],
                                                     smtp: tuple[Inbox, int]) -> None:
    _, port = smtp
    sms = RecordingSmsGateway()
    job = job_for(server, port, sms)
    start = START + timedelta(days=3)
    appt = await appointment(manager, where, await patient(manager, mobile="(614) 555-0108"), start)
    sent_at = start - timedelta(hours=48) + timedelta(minutes=1)
    await job.tick(sent_at)
    sms.inbox.append(InboundText("+16145550108", "what is this?", datetime.now(UTC)))
    assert (await job.tick(sent_at + timedelta(minutes=1))).confirmed == 0
    sms.inbox.append(InboundText("(614) 555-0108", " c ", datetime.now(UTC)))
    assert (await job.tick(sent_at + timedelta(minutes=2))).confirmed == 1
    got = await manager.appointments.GetAppointment(ap.GetAppointmentRequest(appointment_id=appt.appointment_id),
                                                    metadata=manager.md)
    assert got.appointment.status == ap.APPOINTMENT_STATUS_CONFIRMED
    assert [(h.kind, h.username) for h in got.history][-1] == ("status", "reminders")
    listed = await manager.reminders.ListReminders(rpb.ListRemindersRequest(appointment_id=appt.appointment_id),
                                                   metadata=manager.md)
    assert [(r.channel, r.status, r.destination, r.reply) for r in listed.reminders] == [
        ("sms", "sent", "***-***-0108", "c")]
    await job.db.dispose()


async def test_the_policy_is_the_managers(server: RunningServer, manager: Client) -> None:
    got = (await manager.reminders.GetReminderPolicy(rpb.GetReminderPolicyRequest(), metadata=manager.md)).policy
    assert list(got.lead_hours) == [48, 2] and got.version == 0
    bad = rpb.ReminderPolicy(lead_hours=[0, 400], version=got.version)
    err = await fails(manager.reminders.SetReminderPolicy(rpb.SetReminderPolicyRequest(policy=bad),
                                                          metadata=manager.md))
    assert status_details(err)[1] == [("policy.lead_hours", "give 1 to 4 lead times of 1 to 336 hours")]
    saved = (await manager.reminders.SetReminderPolicy(rpb.SetReminderPolicyRequest(policy=rpb.ReminderPolicy(
        lead_hours=[24, 72], email_enabled=False, sms_enabled=True, version=0)), metadata=manager.md)).policy
    assert list(saved.lead_hours) == [72, 24] and saved.version == 1 and not saved.email_enabled
    desk = await logged_in(server, "remind-desk", ["front_desk"])
    try:
        err = await fails(desk.reminders.SetReminderPolicy(rpb.SetReminderPolicyRequest(policy=saved),
                                                           metadata=desk.md))
        assert err.code().name == "PERMISSION_DENIED"
    finally:
        await desk.close()
    # Back to the default lead times for the other tests of this module.
    await manager.reminders.SetReminderPolicy(rpb.SetReminderPolicyRequest(policy=rpb.ReminderPolicy(
        lead_hours=[48, 2], email_enabled=True, sms_enabled=True, version=1)), metadata=manager.md)
    await asyncio.sleep(0)
