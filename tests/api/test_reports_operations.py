"""Operations reports over mutual TLS, every figure checked by hand: no-show and cancellation rates by provider,
type and patient (local dates, late-evening visits, reschedules, a provider filter), wait times from the visit's
steps, schedule utilization against the template less time off, the most frequent diagnoses and procedures, and
what each user did."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from server.x12.writer835 import Adjustment
from shared import dates
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.payments.v1 import payments_pb2 as pm
from shared.pms.reports.v1 import reports_pb2 as rp
from shared.pms.scheduling.v1 import appointments_pb2 as ap
from shared.pms.scheduling.v1 import setup_pb2 as su
from tests.api.test_claims import payer_id
from tests.api.test_encounters import an_encounter, biller, create, line, provider_id
from tests.api.test_payments import cash, pay, self_pay_visit
from tests.api.test_remittances import clp, era_file, import_file, post, sent_claims, svc
from tests.api.test_scheduling import (
    NY,
    Practice,
    _to,
    a_patient_id,
    a_provider_with_week,
    at,
    book,
    booking,
)

# The scheduling tests' module fixtures, used here too.
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.builders import a_location, a_provider
from tests.support import Client, Cluster, RunningServer

__all__ = ["biller", "payer_id", "provider_id"]

Cell = str | int | date | None


def pct(numerator: int, denominator: int) -> int | None:
    """A percentage with one decimal, times 10, rounded half up (what the reports carry)."""
    if not denominator:
        return None
    return int((Decimal(numerator) * 1000 / denominator).quantize(Decimal(1), ROUND_HALF_UP))


def tenths(seconds: int, visits: int) -> int:
    """Average minutes times 10, rounded half up."""
    return int((Decimal(seconds) / 60 / visits * 10).quantize(Decimal(1), ROUND_HALF_UP))


def cell(v: rp.Value) -> Cell:
    which = v.WhichOneof("value")
    if which is None:
        return None
    if which == "date":
        return dates.from_pb(v.date)
    return getattr(v, which)  # type: ignore[no-any-return]


async def run(client: Client, key: str, first: date, last: date, *, providers: tuple[int, ...] = (),
              locations: tuple[int, ...] = ()) -> rp.ReportTable:
    flt = rp.ReportFilter(to=dates.to_pb(last), provider_ids=providers, location_ids=locations)
    getattr(flt, "from").CopyFrom(dates.to_pb(first))  # `from` is a Python keyword
    resp = await client.reports.RunReport(rp.RunReportRequest(report=key, filter=flt), metadata=client.md,
                                          timeout=30)
    return resp.table


def num(c: Cell) -> int:
    assert isinstance(c, int)
    return c


def body(t: rp.ReportTable) -> list[list[Cell]]:
    return [[cell(v) for v in r.values] for r in t.rows]


def totals(t: rp.ReportTable) -> list[Cell]:
    return [cell(v) for v in t.totals.values]


@pytest.fixture(scope="module")
def owner(server: RunningServer, cluster: Cluster) -> Iterator[psycopg.Connection]:
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls), autocommit=True) as conn:
        yield conn


class Db:
    """Direct rows for what the API cannot make (past visits with exact step times)."""

    def __init__(self, conn: psycopg.Connection, practice_id: int) -> None:
        self.conn, self.p = conn, practice_id

    def appointment(self, patient: int, provider: int, location: int, type_id: int, starts: datetime,
                    minutes: int, status: str = "scheduled", overbooked: bool = False) -> int:
        reason = {"cancelled": "patient", "no_show": "no_show"}.get(status)
        row = self.conn.execute(
            "INSERT INTO appointment (practice_id, patient_id, provider_id, location_id, appointment_type_id, "
            "starts_at, ends_at, status, cancel_reason, overbooked) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "RETURNING id", (self.p, patient, provider, location, type_id, starts,
                             starts + timedelta(minutes=minutes), status, reason, overbooked)).fetchone()
        assert row is not None
        return int(row[0])

    def step(self, appointment: int, before: str, after: str, when: datetime) -> None:
        self.conn.execute(
            "INSERT INTO appointment_event (practice_id, appointment_id, at, kind, from_status, to_status) "
            "VALUES (%s, %s, %s, 'status', %s, %s)", (self.p, appointment, when, before, after))

    def patient(self, patient_id: int) -> tuple[str, str]:
        row = self.conn.execute("SELECT mrn, last_name || ', ' || first_name FROM patient WHERE practice_id = %s "
                                "AND id = %s", (self.p, patient_id)).fetchone()
        assert row is not None
        return str(row[0]), str(row[1])


@pytest.fixture(scope="module")
def db(owner: psycopg.Connection, server: RunningServer) -> Db:
    return Db(owner, server.inst.settings.practice_id)


def local(day: date, hh: int, mm: int = 0, zone: ZoneInfo = NY) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=zone)


async def named_provider(manager: Client, practice: Practice, last: str) -> tuple[int, str]:
    pid = await a_provider_with_week(manager, practice, last)
    return pid, f"{last}, Greg"


# -- no-shows and cancellations -----------------------------------------------------------------------------------
async def test_no_show_and_cancellation_rates_by_provider_type_and_patient(
        manager: Client, desk: Client, practice: Practice, db: Db) -> None:
    nov1, nov30 = date(2027, 11, 1), date(2027, 11, 30)
    alpha, alpha_name = await named_provider(manager, practice, "Alpha")
    beta, beta_name = await named_provider(manager, practice, "Beta")
    p1, p2, p3 = [await a_patient_id(desk, n) for n in ("Una", "Dos", "Tres")]
    loc, fu, new = practice.location_id, practice.follow_up, practice.new_patient

    def appt(patient: int, provider: int, when: datetime, status: str, type_id: int = fu) -> int:
        return db.appointment(patient, provider, loc, type_id, when, 15 if type_id == fu else 30, status)

    # Alpha: 6 in November.
    appt(p1, alpha, local(date(2027, 11, 10), 9), "checked_out")
    appt(p1, alpha, local(date(2027, 11, 11), 9), "no_show")
    appt(p2, alpha, local(date(2027, 11, 12), 9), "cancelled", new)
    # 23:30 on 30 November in New York is 1 December in UTC: November's.
    appt(p2, alpha, local(nov30, 23, 30), "no_show")
    appt(p3, alpha, local(date(2027, 11, 15), 10), "scheduled")
    appt(p1, alpha, local(date(2027, 11, 20), 9), "checked_out")
    # 23:00 on 31 October in New York is 1 November in UTC: October's. 1 December is December's.
    appt(p1, alpha, local(date(2027, 10, 31), 23), "no_show")
    appt(p2, alpha, local(date(2027, 12, 1), 9), "cancelled")
    # Beta: 5 in November, two of them through the API (a reschedule into November, a cancellation).
    appt(p1, beta, local(date(2027, 11, 16), 14), "seen")
    appt(p3, beta, local(date(2027, 11, 17), 14), "no_show", new)
    appt(p2, beta, local(date(2027, 11, 22), 14), "checked_out")
    moved = await book(desk, booking(p3, beta, practice, at(date(2027, 12, 2), 10)))
    await desk.appointments.RescheduleAppointment(ap.RescheduleAppointmentRequest(
        appointment_id=moved.appointment_id, version=moved.version, starts_at=at(date(2027, 11, 18), 10)),
        metadata=desk.md)
    dropped = await book(desk, booking(p3, beta, practice, at(date(2027, 11, 19), 11)))
    await _to(desk, dropped, "cancelled")

    def rates(scheduled: int, kept: int, cancelled: int, no_shows: int) -> list[Cell]:
        return [scheduled, kept, cancelled, no_shows, pct(cancelled, scheduled), pct(no_shows, kept + no_shows)]

    t = await run(manager, "no_shows_by_provider", nov1, nov30)
    assert [c.key for c in t.columns] == ["provider", "scheduled", "kept", "cancelled", "no_shows",
                                          "cancellation_rate", "no_show_rate"]
    assert [(c.kind, c.scale) for c in t.columns[5:]] == [(rp.COLUMN_KIND_PERCENT, 1)] * 2
    assert body(t) == [[alpha_name, *rates(6, 2, 1, 2)], [beta_name, *rates(5, 2, 1, 1)]]
    assert rates(6, 2, 1, 2)[4:] == [167, 500] and rates(5, 2, 1, 1)[4:] == [200, 333]
    assert totals(t) == ["Total", *rates(11, 4, 2, 3)] == ["Total", 11, 4, 2, 3, 182, 429]
    assert any("No-show rate = no-shows / (kept + no-shows)" in n for n in t.notes)
    assert t.subtitle == "1 Nov 2027 - 30 Nov 2027, all providers"

    # December has the rescheduled visit no more; the provider filter keeps Beta only.
    t = await run(manager, "no_shows_by_provider", date(2027, 12, 1), date(2027, 12, 31))
    assert body(t) == [[alpha_name, *rates(1, 0, 1, 0)]]
    t = await run(manager, "no_shows_by_provider", nov1, nov30, providers=(beta,))
    assert body(t) == [[beta_name, *rates(5, 2, 1, 1)]] and totals(t) == ["Total", *rates(5, 2, 1, 1)]
    assert t.subtitle == "1 Nov 2027 - 30 Nov 2027, 1 provider(s)"

    t = await run(manager, "no_shows_by_type", nov1, nov30)
    assert body(t) == [["Follow-up", *rates(9, 4, 1, 2)], ["New patient", *rates(2, 0, 1, 1)]]
    assert totals(t) == ["Total", *rates(11, 4, 2, 3)]

    t = await run(manager, "no_shows_by_patient", nov1, nov30)
    per = {p1: rates(4, 3, 0, 1), p2: rates(3, 1, 1, 1), p3: rates(4, 0, 1, 1)}
    order = sorted(per, key=lambda p: (-num(per[p][3]), -num(per[p][2]), db.patient(p)[1]))
    assert body(t) == [[*db.patient(p), *per[p]] for p in order]
    assert totals(t) == ["Total", None, *rates(11, 4, 2, 3)]
    t = await run(manager, "no_shows_by_patient", nov1, nov30, providers=(alpha,), locations=(loc,))
    assert {r[0]: r[2:] for r in body(t)} == {db.patient(p1)[0]: rates(3, 2, 0, 1),
                                              db.patient(p2)[0]: rates(2, 0, 1, 1),
                                              db.patient(p3)[0]: rates(1, 0, 0, 0)}


# -- wait times --------------------------------------------------------------------------------------------------
async def test_wait_times_average_the_latest_step_times_of_checked_out_visits(
        manager: Client, desk: Client, practice: Practice, db: Db) -> None:
    jan1, jan31 = date(2028, 1, 1), date(2028, 1, 31)
    gamma, gamma_name = await named_provider(manager, practice, "Gamma")
    delta, delta_name = await named_provider(manager, practice, "Delta")
    pat = await a_patient_id(desk, "Wait")
    loc, fu = practice.location_id, practice.follow_up

    def visit(provider: int, day: date, hh: int, mm: int, steps: list[tuple[str, int, int]],
              status: str = "checked_out") -> None:
        """steps: (status, minutes after the appointment's start, seconds)."""
        start = local(day, hh, mm)
        a = db.appointment(pat, provider, loc, fu, start, 15, status)
        path = ["confirmed"]
        for after, minutes, seconds in steps:
            if after == path[-1]:
                path.pop()  # the same step recorded twice: the same transition again
            db.step(a, path[-1], after, start + timedelta(minutes=minutes, seconds=seconds))
            path.append(after)

    # 09:02 arrived, roomed 09:10 and again at 09:17 (the latest counts), seen 09:25, out 09:52: 15 / 35 / 50.
    visit(gamma, date(2028, 1, 10), 9, 0, [("arrived", 2, 0), ("roomed", 10, 0), ("roomed", 17, 0),
                                           ("seen", 25, 0), ("checked_out", 52, 0)])
    # 10:00:00 arrived, 10:07:30 roomed, 10:40:00 out: 7.5 / 32.5 / 40.
    visit(gamma, date(2028, 1, 11), 10, 0, [("arrived", 0, 0), ("roomed", 7, 30), ("seen", 10, 0),
                                            ("checked_out", 40, 0)])
    # Not measured: still with the doctor; checked out without recorded steps.
    visit(gamma, date(2028, 1, 12), 9, 0, [("arrived", 0, 0), ("roomed", 5, 0), ("seen", 9, 0)], status="seen")
    visit(gamma, date(2028, 1, 13), 9, 0, [])
    # Delta: a late visit on 31 January local time (1 February in UTC), out after midnight: 15 / 45 / 60.
    visit(delta, jan31, 23, 10, [("arrived", -5, 0), ("roomed", 10, 0), ("seen", 20, 0), ("checked_out", 55, 0)])
    # 1 February local: February's.
    visit(delta, date(2028, 2, 1), 9, 0, [("arrived", 0, 0), ("roomed", 30, 0), ("seen", 31, 0),
                                          ("checked_out", 90, 0)])

    t = await run(manager, "wait_times_by_provider", jan1, jan31, providers=(gamma, delta))
    assert [(c.key, c.kind, c.scale) for c in t.columns] == [
        ("provider", rp.COLUMN_KIND_TEXT, 0), ("visits", rp.COLUMN_KIND_COUNT, 0),
        ("arrived_to_roomed", rp.COLUMN_KIND_DECIMAL, 1), ("roomed_to_checked_out", rp.COLUMN_KIND_DECIMAL, 1),
        ("arrived_to_checked_out", rp.COLUMN_KIND_DECIMAL, 1)]
    m = 60
    assert body(t) == [
        [delta_name, 1, 150, 450, 600],
        [gamma_name, 2, tenths(15 * m + 7 * m + 30, 2), tenths(35 * m + 32 * m + 30, 2), tenths(50 * m + 40 * m, 2)]]
    assert body(t)[1][2:] == [113, 338, 450]  # 11.25 -> 11.3, 33.75 -> 33.8, 45.0
    assert totals(t) == ["Total", 3, 125, 375, 500]  # (15 + 7.5 + 15) / 3, (35 + 32.5 + 45) / 3, (50 + 40 + 60) / 3
    t = await run(manager, "wait_times_by_provider", date(2028, 2, 1), date(2028, 2, 29), providers=(delta,))
    assert body(t) == [[delta_name, 1, 300, 600, 900]]

    # The check-in flow through the API records the steps the report reads (seconds apart: 0.0 minutes).
    flow, flow_name = await named_provider(manager, practice, "Flowy")
    today = datetime.now(NY).date()
    a = await book(manager, booking(pat, flow, practice, at(today, 0, 5), overbook=True))
    for status in ("arrived", "roomed", "seen", "checked_out"):
        a = await _to(desk, a, status)
    t = await run(manager, "wait_times_by_provider", today, today, providers=(flow,))
    [[name, visits, *minutes]] = body(t)
    assert (name, visits) == (flow_name, 1) and all(0 <= num(x) <= 1 for x in minutes)


# -- utilization -------------------------------------------------------------------------------------------------
async def test_utilization_counts_template_minutes_less_lunch_and_time_off(
        manager: Client, desk: Client, practice: Practice, db: Db) -> None:
    mon, sun = date(2028, 3, 6), date(2028, 3, 12)
    annex = (await manager.setup.SaveLocation(su.SaveLocationRequest(location=a_location(
        "Prairie Annex", "America/Chicago")), metadata=manager.md)).location.location_id
    made = (await manager.setup.SaveProvider(su.SaveProviderRequest(provider=a_provider("Greg", "Util", serial=9001)),
                                             metadata=manager.md)).provider
    util = made.provider_id
    loc = practice.location_id
    blocks = []
    for d in range(1, 6):  # Monday to Friday 08:00-17:00 with lunch 12:00-13:00: 480 minutes a day
        blocks += [su.TemplateBlock(location_id=loc, weekday=d, start_minute=480, end_minute=1020,
                                    kind=su.BLOCK_KIND_AVAILABLE),
                   su.TemplateBlock(location_id=loc, weekday=d, start_minute=720, end_minute=780,
                                    kind=su.BLOCK_KIND_LUNCH)]
    blocks += [
        # Saturday mornings at the annex, Chicago time: 120 minutes.
        su.TemplateBlock(location_id=annex, weekday=6, start_minute=540, end_minute=660,
                         kind=su.BLOCK_KIND_AVAILABLE),
        # An evening from 7 March on (applies on Tuesday the 7th): 60 minutes.
        su.TemplateBlock(location_id=loc, weekday=2, start_minute=1020, end_minute=1080,
                         kind=su.BLOCK_KIND_AVAILABLE, effective_from=dates.to_pb(date(2028, 3, 7))),
        # An evening that ended on 8 March (does not apply on Thursday the 9th).
        su.TemplateBlock(location_id=loc, weekday=4, start_minute=1020, end_minute=1080,
                         kind=su.BLOCK_KIND_AVAILABLE, effective_until=dates.to_pb(date(2028, 3, 8)))]
    await manager.setup.SetTemplate(su.SetTemplateRequest(provider_id=util, template_version=made.template_version,
                                                          blocks=blocks), metadata=manager.md)
    for ex in (
            # The practice closed on Wednesday: -480.
            su.ScheduleException(kind=su.EXCEPTION_KIND_HOLIDAY, first_date=dates.to_pb(date(2028, 3, 8)),
                                 last_date=dates.to_pb(date(2028, 3, 8))),
            # Util's Friday afternoon off: -240.
            su.ScheduleException(provider_id=util, kind=su.EXCEPTION_KIND_HALF_DAY,
                                 first_date=dates.to_pb(date(2028, 3, 10)), last_date=dates.to_pb(date(2028, 3, 10)),
                                 start_minute=780, end_minute=1020),
            # A meeting 11:30-12:30 on Thursday: -30 (the rest is lunch already).
            su.ScheduleException(provider_id=util, kind=su.EXCEPTION_KIND_MEETING,
                                 first_date=dates.to_pb(date(2028, 3, 9)), last_date=dates.to_pb(date(2028, 3, 9)),
                                 start_minute=690, end_minute=750)):
        await manager.setup.AddException(su.AddExceptionRequest(exception=ex), metadata=manager.md)
    main_available = 5 * 480 - 480 - 240 - 30 + 60
    all_available = main_available + 120

    pat = await a_patient_id(desk, "Util")
    fu = practice.follow_up
    db.appointment(pat, util, loc, fu, local(mon, 9), 30, "checked_out")
    db.appointment(pat, util, loc, fu, local(mon, 10), 15, "cancelled")
    db.appointment(pat, util, loc, fu, local(date(2028, 3, 7), 9), 15, "no_show")
    db.appointment(pat, util, loc, fu, local(date(2028, 3, 7), 14), 45, "scheduled")
    db.appointment(pat, util, loc, fu, local(date(2028, 3, 9), 16), 20, "confirmed")
    db.appointment(pat, util, annex, fu, local(date(2028, 3, 11), 9, 0, ZoneInfo("America/Chicago")), 30, "seen")
    # Overbooked late on Sunday (Monday in UTC): counts. The Sunday before (Monday the 6th in UTC) does not.
    db.appointment(pat, util, loc, fu, local(sun, 23), 30, "scheduled", overbooked=True)
    db.appointment(pat, util, loc, fu, local(date(2028, 3, 5), 23, 30), 30, "scheduled", overbooked=True)
    booked_main, booked_all = 30 + 45 + 20 + 30, 30 + 45 + 20 + 30 + 30

    t = await run(manager, "schedule_utilization", mon, sun, providers=(util,))
    assert [c.key for c in t.columns] == ["provider", "appointments", "booked_minutes", "available_minutes",
                                          "utilization"]
    assert body(t) == [["Util, Greg", 5, booked_all, all_available, pct(booked_all, all_available)]]
    assert (all_available, pct(booked_all, all_available)) == (1830, 85)
    assert totals(t) == ["Total", 5, booked_all, all_available, pct(booked_all, all_available)]
    t = await run(manager, "schedule_utilization", mon, sun, providers=(util,), locations=(loc,))
    assert body(t) == [["Util, Greg", 4, booked_main, main_available, pct(booked_main, main_available)]]
    # One day: Thursday, 480 less the meeting's half hour; the 20 minutes booked.
    t = await run(manager, "schedule_utilization", date(2028, 3, 9), date(2028, 3, 9), providers=(util,))
    assert body(t) == [["Util, Greg", 1, 20, 450, pct(20, 450)]]


# -- coding ------------------------------------------------------------------------------------------------------
async def test_most_frequent_diagnoses_and_procedures(biller: Client, manager: Client, desk: Client,
                                                      provider_id: int, practice: Practice) -> None:
    other = await a_provider_with_week(manager, practice, "Coderb")
    x, y = await a_patient_id(desk, "Xena"), await a_patient_id(desk, "Yuri")

    async def encounter(patient: int, provider: int, dos: date, dx: tuple[str, ...],
                        *lines: en.ServiceLine) -> None:
        await create(biller, an_encounter(patient, provider, practice, dos=dos, diagnoses=dx, lines=lines))

    await encounter(x, provider_id, date(2025, 11, 5), ("E11.9", "I10"), line("99213", [1], 12_500),
                    line("96372", [2], 3_500, units=2))
    await encounter(x, provider_id, date(2025, 11, 20), ("I10",), line("99213", [1], 12_500, modifiers=["25"]))
    await encounter(y, other, date(2025, 11, 30), ("I10", "E78.5"), line("99214", [1, 2], 18_000))
    await encounter(y, provider_id, date(2025, 12, 1), ("E11.9",), line("99213", [1], 12_500))

    t = await run(manager, "top_diagnoses", date(2025, 11, 1), date(2025, 11, 30))
    assert [c.key for c in t.columns] == ["code", "description", "encounters", "patients"]
    assert body(t) == [["I10", "Essential (primary) hypertension", 3, 2],
                       ["E11.9", "Type 2 diabetes mellitus without complications", 1, 1],
                       ["E78.5", "Hyperlipidemia, unspecified", 1, 1]]
    assert totals(t) == ["Total", None, 5, None]
    t = await run(manager, "top_diagnoses", date(2025, 11, 1), date(2025, 11, 30), providers=(other,))
    assert [r[0::2] for r in body(t)] == [["E78.5", 1], ["I10", 1]]  # a tie: in code order

    t = await run(manager, "top_procedures", date(2025, 11, 1), date(2025, 11, 30))
    assert [(c.key, c.kind) for c in t.columns] == [
        ("code", rp.COLUMN_KIND_TEXT), ("code_system", rp.COLUMN_KIND_TEXT), ("lines", rp.COLUMN_KIND_COUNT),
        ("units", rp.COLUMN_KIND_COUNT), ("charges", rp.COLUMN_KIND_MONEY)]
    # 99213 and 99213-25 are one code.
    assert body(t) == [["99213", "CPT", 2, 2, 25_000], ["96372", "CPT", 1, 2, 3_500], ["99214", "CPT", 1, 1, 18_000]]
    assert totals(t) == ["Total", None, 4, 5, 46_500]
    t = await run(manager, "top_procedures", date(2025, 11, 1), date(2025, 11, 30), providers=(provider_id,),
                  locations=(practice.location_id,))
    assert body(t) == [["99213", "CPT", 2, 2, 25_000], ["96372", "CPT", 1, 2, 3_500]]


# -- staff -------------------------------------------------------------------------------------------------------
async def test_staff_activity_counts_each_users_work(
        biller: Client, manager: Client, desk: Client, provider_id: int, practice: Practice, payer_id: int,
        server: RunningServer, tmp_path: Path) -> None:
    today = datetime.now(NY).date()
    before = {r[0]: r for r in body(await run(manager, "staff_activity", today, today))}
    assert not before, "nothing else in this module posts money or works claims"
    pid = await a_patient_id(desk, "Staff")
    await self_pay_visit(biller, pid, provider_id, practice, date(2026, 3, 2), 10_000, 2_500)   # 2 charges
    await pay(desk, "staff-cash", cash(pid, 4_000))
    check = (await pay(desk, "staff-check", pm.PatientPayment(patient_id=pid, method=pm.PAYMENT_METHOD_CHECK,
                                                             amount_cents=3_000, check_number="501"))).payment
    await biller.payments.ReversePatientPayment(pm.ReversePatientPaymentRequest(
        idempotency_key="staff-rev", payment_id=check.payment_id, reason="bounced"), metadata=biller.md)
    await biller.payments.WriteOffPatientBalance(pm.WriteOffPatientBalanceRequest(
        idempotency_key="staff-wo", patient_id=pid, kind=pm.WRITE_OFF_KIND_SMALL_BALANCE, amount_cents=500,
        reason="small"), metadata=biller.md)
    # A claim for 99214 ($180.00) and 96372 ($35.00) billed, scrubbed and sent, then paid by ERA.
    [sent] = await sent_claims(1, biller, manager, desk, provider_id, practice, payer_id, server, tmp_path)
    era = (await import_file(biller, era_file("EFT-STAFF-1", clp(
        sent.claim_id, "1", svc("99214", 18000, 12000, Adjustment("CO", "45", 6000), control=f"{sent.claim_id}-1"),
        svc("96372", 3500, 3500, control=f"{sent.claim_id}-2"))))).remittances[0]
    await post(biller, era.remittance_id)

    t = await run(manager, "staff_activity", today, today)
    assert [c.key for c in t.columns] == [
        "staff", "claims_worked", "patient_payments", "patient_payment_cents", "era_claim_payments",
        "era_claim_payment_cents", "charges", "charge_cents", "write_offs", "write_off_cents", "reversals"]
    assert body(t) == [
        ["enc-biller", 1, 0, 0, 1, 15_500, 4, 10_000 + 2_500 + 18_000 + 3_500, 1, 500, 1],
        ["sched-desk", 0, 2, 4_000 + 3_000, 0, 0, 0, 0, 0, 0, 0],
        # Delivery to the clearinghouse moved the claim too, as no user.
        ["clearinghouse (automatic)", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]]
    assert totals(t) == ["Total", 2, 2, 7_000, 1, 15_500, 4, 34_000, 1, 500, 1]
    # Another day: nothing.
    assert body(await run(manager, "staff_activity", today - timedelta(days=1), today - timedelta(days=1))) == []
