"""Scheduling: a booking storm of 32 clients over mutual TLS beside raw inserts under the same exclusion constraint;
the day view of 20 providers (about 600 appointments); find-slot over four weeks.

The practice's history is generated first (server.scheduling.synthetic), so the reads run on a full table.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import grpc
import psycopg
from google.protobuf.timestamp_pb2 import Timestamp

from server.demo import wait_until_serving
from server.patients.synthetic_load import load_population
from server.scheduling.rules import local_datetime
from server.scheduling.synthetic import load_schedule
from shared import dates
from shared.pms.scheduling.v1 import appointments_pb2 as ap
from tests.bench.common import pct, start_serve
from tests.support import BENCH_SETTINGS, Client, Cluster, RunningServer, make_installation, status_details

SCALES = {"small": {"patients": 500, "appointments": 5_000, "storm_seconds": 3, "reads": 20},
          "full": {"patients": 20_000, "appointments": 500_000, "storm_seconds": 20, "reads": 200}}
PASSWORD = "bench-password-123"
CLIENTS = 32
PROVIDERS = 20
# The storm books on empty days past the generated month, at every provider's template hours.
STORM_FIRST_DAY_OFFSET = 45


async def _storm(clients: list[Client], providers: list[tuple[int, date]], location_id: int, type_id: int,
                 patients: list[int], zone: ZoneInfo, seconds: float) -> tuple[int, int, float]:
    """Each client books random quarter hours of providers' working mornings until time is up:
    (booked, lost races, elapsed)."""
    stop = time.perf_counter() + seconds
    booked = lost = 0

    async def one(c: Client, rng: random.Random) -> None:
        nonlocal booked, lost
        while time.perf_counter() < stop:
            provider, day = rng.choice(providers)
            start = local_datetime(day, 9 * 60 + 15 * rng.randrange(12), zone)  # 9:00-11:45, before lunch
            ts = Timestamp()
            ts.FromDatetime(start.astimezone(UTC))
            try:
                await c.appointments.BookAppointment(ap.BookAppointmentRequest(
                    patient_id=rng.choice(patients), provider_id=provider, location_id=location_id,
                    appointment_type_id=type_id, starts_at=ts), metadata=c.md, timeout=30)
                booked += 1
            except grpc.aio.AioRpcError as exc:
                if status_details(exc)[0] != "SLOT_TAKEN":
                    raise
                lost += 1

    started = time.perf_counter()
    await asyncio.gather(*(one(c, random.Random(i)) for i, c in enumerate(clients)))
    return booked, lost, time.perf_counter() - started


def _raw_storm(conninfo: str, practice_id: int, providers: list[tuple[int, date]], location_id: int, type_id: int,
               patients: list[int], zone: ZoneInfo, seconds: float) -> tuple[int, int, float]:
    """The same storm as single INSERTs from 32 connections: what the constraint itself allows."""

    async def run() -> tuple[int, int, float]:
        stop = time.perf_counter() + seconds
        done = refused = 0

        async def one(rng: random.Random) -> None:
            nonlocal done, refused
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                while time.perf_counter() < stop:
                    provider, day = rng.choice(providers)
                    start = local_datetime(day, 13 * 60 + 15 * rng.randrange(16), zone)
                    try:
                        await conn.execute(
                            "INSERT INTO appointment (practice_id, patient_id, provider_id, location_id,"
                            " appointment_type_id, starts_at, ends_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                            (practice_id, rng.choice(patients), provider, location_id, type_id, start,
                             start + timedelta(minutes=15)), prepare=True)
                        done += 1
                    except (psycopg.errors.ExclusionViolation, psycopg.errors.DeadlockDetected):
                        refused += 1

        started = time.perf_counter()
        await asyncio.gather(*(one(random.Random(100 + i)) for i in range(CLIENTS)))
        return done, refused, time.perf_counter() - started

    return asyncio.run(run())


def _overlaps(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("""
            SELECT count(*) FROM appointment a JOIN appointment b
              ON a.practice_id = b.practice_id AND a.provider_id = b.provider_id AND a.id < b.id
             WHERE a.during && b.during AND a.holds_time AND b.holds_time
               AND NOT a.overbooked AND NOT b.overbooked""").fetchone()[0]  # type: ignore[index,no-any-return]


async def run_scheduling(scale: str) -> list[tuple[str, int, float, float]]:
    sizes = SCALES[scale]
    root = Path(tempfile.mkdtemp(prefix="pms-bench-schedule-"))
    cluster = Cluster(root, BENCH_SETTINGS)
    rows: list[tuple[str, int, float, float]] = []
    try:
        inst = await make_installation(cluster, root / "data")
        await asyncio.to_thread(load_population, inst, sizes["patients"], seed=5)
        # Nearly full days at one location: 20 providers, about 25 visits each.
        loaded = await asyncio.to_thread(load_schedule, inst, providers=PROVIDERS, appointments=sizes["appointments"],
                                         locations=1, fill=1.0, seed=5)
        conninfo = cluster.app_conninfo(inst.urls)
        server = await RunningServer(inst).start()
        await server.add_user("bench-sched", ["front_desk"], PASSWORD)
        bundles = [await server.enroll(f"bench-sched-{i}") for i in range(4)]
        await server.stop()

        with psycopg.connect(conninfo) as conn:
            practice_id, location_id, tz = conn.execute(
                "SELECT practice_id, id, time_zone FROM location ORDER BY id LIMIT 1").fetchone()  # type: ignore[misc]
            providers = [r[0] for r in conn.execute("SELECT id FROM provider ORDER BY id")]
            follow_up = conn.execute("SELECT id FROM appointment_type WHERE name = 'Follow-up'").fetchone()[0]  # type: ignore[index]
            # Any patient may have a sick visit (follow-ups are for established patients only).
            sick = conn.execute("SELECT id FROM appointment_type WHERE name = 'Sick visit'").fetchone()[0]  # type: ignore[index]
            patients = [r[0] for r in conn.execute("SELECT id FROM patient WHERE status = 'active' LIMIT 5000")]
            busiest, _ = conn.execute("""
                SELECT (starts_at AT TIME ZONE %s)::date AS day, count(*) FROM appointment
                 WHERE holds_time GROUP BY 1 ORDER BY 2 DESC LIMIT 1""", (tz,)).fetchone()  # type: ignore[misc]
        zone = ZoneInfo(tz)
        today = datetime.now(zone).date()
        storm_days = [today + timedelta(days=STORM_FIRST_DAY_OFFSET + i) for i in range(28)]
        with psycopg.connect(conninfo) as conn:
            # Provider and day pairs with template hours all day (9:00-12:00 and 13:00-17:00).
            hours = {(r[0], r[1]) for r in conn.execute(
                "SELECT provider_id, weekday FROM template_block WHERE kind = 'available' AND start_minute <= 540"
                " AND end_minute >= 1020")}
        working = [(p, d) for p in providers for d in storm_days if (p, d.isoweekday()) in hours]
        rows.append((f"generate {loaded.appointments:,} appointments, {PROVIDERS} providers ({loaded.seconds:.0f} s)",
                     1, loaded.seconds * 1000, loaded.seconds * 1000))

        proc, port = start_serve(inst)
        clients: list[Client] = []
        try:
            for b in bundles:
                b = replace(b, server_address=f"127.0.0.1:{port}")
                await asyncio.to_thread(lambda b=b: wait_until_serving(b).close())
                first = Client(b)
                await first.login("bench-sched", PASSWORD)
                clients.append(first)
                for _ in range(CLIENTS // len(bundles) - 1):
                    extra = Client(b)
                    extra.token = first.token
                    clients.append(extra)
            c = clients[0]
            # Warm up: channels connected, statements prepared on the pooled connections.
            for _ in range(10):
                await c.appointments.GetDaySchedule(ap.GetDayScheduleRequest(
                    location_id=location_id, date=dates.to_pb(busiest)), metadata=c.md)
                await c.appointments.FindSlots(ap.FindSlotsRequest(appointment_type_id=follow_up, limit=20),
                                               metadata=c.md)
            day_ms, shown = [], 0
            for _ in range(sizes["reads"]):
                t = time.perf_counter()
                resp = await c.appointments.GetDaySchedule(ap.GetDayScheduleRequest(
                    location_id=location_id, date=dates.to_pb(busiest)), metadata=c.md)
                day_ms.append((time.perf_counter() - t) * 1000)
                shown = len(resp.appointments)
            find_any, find_one = [], []
            rng = random.Random(3)
            for _ in range(sizes["reads"]):
                t = time.perf_counter()
                await c.appointments.FindSlots(ap.FindSlotsRequest(
                    appointment_type_id=follow_up, from_date=dates.to_pb(today), limit=20,
                    to_date=dates.to_pb(today + timedelta(days=27))), metadata=c.md)
                find_any.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                await c.appointments.FindSlots(ap.FindSlotsRequest(
                    appointment_type_id=follow_up, provider_ids=[rng.choice(providers)], limit=20,
                    from_date=dates.to_pb(today), to_date=dates.to_pb(today + timedelta(days=27)),
                    earliest_minute=15 * 60, latest_minute=16 * 60, weekdays=[2, 4]), metadata=c.md)
                find_one.append((time.perf_counter() - t) * 1000)
            booked, lost, elapsed = await _storm(clients, working, location_id, sick, patients, zone,
                                                 sizes["storm_seconds"])
        finally:
            for cl in clients:
                await cl.close()
            proc.terminate()
            proc.wait(timeout=30)
        raw_done, raw_refused, raw_elapsed = await asyncio.to_thread(
            _raw_storm, conninfo, practice_id, working, location_id, sick, patients, zone,
            sizes["storm_seconds"])
        overlaps = _overlaps(conninfo)
        assert overlaps == 0, f"{overlaps} overlapping appointments"
        rows.append((f"GetDaySchedule: {PROVIDERS} providers, {shown} appointments ({busiest})", len(day_ms),
                     pct(day_ms, 50), pct(day_ms, 99)))
        rows.append(("FindSlots: any provider, 4 weeks, first 20", len(find_any), pct(find_any, 50),
                     pct(find_any, 99)))
        rows.append(("FindSlots: one provider, Tue/Thu 15-16h, 4 weeks", len(find_one), pct(find_one, 50),
                     pct(find_one, 99)))
        rate = booked / elapsed
        # Storm rows: n is what was written; the p50 column holds ms per booking (1000 / rate).
        rows.append((f"booking storm, {CLIENTS} clients: {lost:,} lost races, 0 overlaps ({rate:.0f}/s)", booked,
                     1000 / rate if rate else 0.0, 0.0))
        raw_rate = raw_done / raw_elapsed
        rows.append((f"  raw INSERTs, {CLIENTS} connections: {raw_refused:,} refused ({raw_rate:.0f}/s)", raw_done,
                     1000 / raw_rate if raw_rate else 0.0, 0.0))
    finally:
        cluster.stop()
    return rows

