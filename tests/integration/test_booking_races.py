"""No double booking under concurrency: 50 clients race for the same slots, through PostgreSQL directly and through
the gRPC API over mutual TLS; bookings race reschedules; a final query finds no overlapping pair."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import grpc
import psycopg
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from shared.pms.scheduling.v1 import appointments_pb2 as ap
from shared.pms.scheduling.v1 import setup_pb2 as su
from tests.api.test_patients import logged_in, register
from tests.api.test_scheduling import error_info
from tests.builders import a_location, a_patient, a_provider, an_appointment_type, weekday_blocks
from tests.support import Client, Cluster, RunningServer

pytestmark = pytest.mark.pg_compat

CLIENTS = 50
NY = ZoneInfo("America/New_York")
DAY = date(2027, 9, 6)  # a Monday
_names = itertools.count(1)


def at(day: date, hh: int, mm: int = 0) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(datetime(day.year, day.month, day.day, hh, mm, tzinfo=NY).astimezone(UTC))
    return out


@dataclass
class Scene:
    location_id: int
    follow_up: int
    procedure: int
    providers: list[int]
    patients: list[int]
    clients: list[Client]


@pytest.fixture(scope="module")
async def scene(server: RunningServer) -> Scene:
    manager = await logged_in(server, "race-boss", ["manager"])
    loc = (await manager.setup.SaveLocation(su.SaveLocationRequest(location=a_location("Race Clinic")),
                                            metadata=manager.md)).location
    room = (await manager.setup.SaveResource(su.SaveResourceRequest(resource=su.Resource(
        location_id=loc.location_id, name="Cast room", kind=su.RESOURCE_KIND_ROOM, active=True)),
        metadata=manager.md)).resource
    types = []
    for t in (an_appointment_type("Race follow-up", 15), an_appointment_type(
            "Race procedure", 30, "orange", resource_ids=[room.resource_id])):
        types.append((await manager.setup.SaveAppointmentType(su.SaveAppointmentTypeRequest(appointment_type=t),
                                                              metadata=manager.md)).appointment_type)
    providers = []
    for i in range(2):
        p = (await manager.setup.SaveProvider(su.SaveProviderRequest(provider=a_provider(
            "Race", "Doctor" + "ab"[i], serial=900 + i)), metadata=manager.md)).provider
        await manager.setup.SetTemplate(su.SetTemplateRequest(
            provider_id=p.provider_id, template_version=p.template_version,
            blocks=weekday_blocks(loc.location_id, days=range(1, 8), start=7 * 60, end=19 * 60, lunch=None)),
            metadata=manager.md)
        providers.append(p.provider_id)
    patients = []
    for i in range(CLIENTS):
        last = "Racer" + "".join(chr(ord("a") + int(d)) for d in f"{i:02d}")
        made = await register(manager, a_patient("Runner", last, date(1940, 1, 1) + timedelta(days=400 * i)))
        patients.append(made.patient.patient_id)
    await manager.close()
    # 50 separate connections (channels) from 5 workstations, one session each.
    clients: list[Client] = []
    for w in range(5):
        desk = await logged_in(server, f"race-desk{w}", ["front_desk"])
        clients.append(desk)
        for _ in range(CLIENTS // 5 - 1):
            extra = Client(desk.bundle)
            extra.token = desk.token
            clients.append(extra)
    yield Scene(loc.location_id, types[0].appointment_type_id, types[1].appointment_type_id, providers, patients,
                clients)
    for c in clients:
        await c.close()


async def _outcomes(calls: list) -> tuple[list, list[grpc.aio.AioRpcError]]:  # type: ignore[type-arg]
    results = await asyncio.gather(*calls, return_exceptions=True)
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(won) + len(lost) == len(results), [r for r in results if isinstance(r, BaseException)
                                                  and not isinstance(r, grpc.aio.AioRpcError)]
    return won, lost


def _assert_one_winner(won: list, lost: list[grpc.aio.AioRpcError], winner_start: Timestamp | None = None
                       ) -> None:  # type: ignore[type-arg]
    assert len(won) == 1, f"{len(won)} winners"
    assert len(lost) == CLIENTS - 1
    for err in lost:
        assert err.code() == grpc.StatusCode.FAILED_PRECONDITION, err.details()
        info = error_info(err)
        assert info.reason == "SLOT_TAKEN"
        assert "conflict_starts_at" in info.metadata


async def test_fifty_clients_race_for_each_slot_and_exactly_one_wins(server: RunningServer, cluster: Cluster,
                                                                     scene: Scene) -> None:
    prov = scene.providers[0]
    for round_no in range(4):
        hh = 8 + round_no
        # Half ask for hh:00, half for hh:05: every request overlaps every other.
        calls = [c.appointments.BookAppointment(ap.BookAppointmentRequest(
            patient_id=scene.patients[i], provider_id=prov, location_id=scene.location_id,
            appointment_type_id=scene.follow_up, starts_at=at(DAY, hh, 5 * (i % 2))), metadata=c.md, timeout=60)
            for i, c in enumerate(scene.clients)]
        won, lost = await _outcomes(calls)
        _assert_one_winner(won, lost)
        winner = won[0].appointment
        for err in lost:
            assert datetime.fromisoformat(error_info(err).metadata["conflict_starts_at"]) == \
                winner.starts_at.ToDatetime(tzinfo=UTC)
    assert overlapping_pairs(server, cluster) == (0, 0, 0)


async def test_a_shared_room_is_won_once_across_providers(server: RunningServer, cluster: Cluster,
                                                          scene: Scene) -> None:
    calls = [c.appointments.BookAppointment(ap.BookAppointmentRequest(
        patient_id=scene.patients[i], provider_id=scene.providers[i % 2], location_id=scene.location_id,
        appointment_type_id=scene.procedure, starts_at=at(DAY, 14)), metadata=c.md, timeout=60)
        for i, c in enumerate(scene.clients)]
    won, lost = await _outcomes(calls)
    # One winner per provider on the provider constraint would be two; the room allows only one.
    _assert_one_winner(won, lost)
    assert overlapping_pairs(server, cluster) == (0, 0, 0)


async def test_reschedules_race_bookings_for_one_slot(server: RunningServer, cluster: Cluster, scene: Scene) -> None:
    prov = scene.providers[1]
    day = DAY + timedelta(days=1)
    for round_no in range(2):
        movers = []
        for i in range(CLIENTS // 2):
            # Each mover starts at its own quarter hour on another day.
            c = scene.clients[i]
            movers.append((await c.appointments.BookAppointment(ap.BookAppointmentRequest(
                patient_id=scene.patients[i], provider_id=prov, location_id=scene.location_id,
                appointment_type_id=scene.follow_up,
                starts_at=at(day + timedelta(days=1 + round_no), 7 + i // 4, 15 * (i % 4))), metadata=c.md)
            ).appointment)
        target = at(day, 10 + round_no)
        calls = [scene.clients[i].appointments.RescheduleAppointment(ap.RescheduleAppointmentRequest(
            appointment_id=m.appointment_id, version=m.version, starts_at=target), metadata=scene.clients[i].md,
            timeout=60) for i, m in enumerate(movers)]
        calls += [scene.clients[i].appointments.BookAppointment(ap.BookAppointmentRequest(
            patient_id=scene.patients[i], provider_id=prov, location_id=scene.location_id,
            appointment_type_id=scene.follow_up, starts_at=target), metadata=scene.clients[i].md, timeout=60)
            for i in range(CLIENTS // 2, CLIENTS)]
        won, lost = await _outcomes(calls)
        _assert_one_winner(won, lost)
        # A mover that lost is still where it was.
        moved_ids = {w.appointment.appointment_id for w in won}
        c = scene.clients[0]
        for m in movers:
            now = (await c.appointments.GetAppointment(ap.GetAppointmentRequest(appointment_id=m.appointment_id),
                                                       metadata=c.md)).appointment
            assert now.starts_at == (target if m.appointment_id in moved_ids else m.starts_at)
    assert overlapping_pairs(server, cluster) == (0, 0, 0)


async def test_fifty_raw_inserts_race_on_the_exclusion_constraint(server: RunningServer, cluster: Cluster,
                                                                  scene: Scene) -> None:
    """The database alone (no server code in the way): exactly one transaction commits."""
    conninfo = cluster.app_conninfo(server.inst.urls)
    practice_id = 1
    with psycopg.connect(conninfo) as conn:
        practice_id = conn.execute("SELECT practice_id FROM location WHERE id = %s",
                                   (scene.location_id,)).fetchone()[0]  # type: ignore[index]
    start = datetime(2027, 10, 4, 9, tzinfo=NY)
    barrier = asyncio.Barrier(CLIENTS)

    async def insert(i: int) -> str:
        async with await psycopg.AsyncConnection.connect(conninfo) as conn:
            await barrier.wait()
            try:
                await conn.execute(
                    "INSERT INTO appointment (practice_id, patient_id, provider_id, location_id, appointment_type_id,"
                    " starts_at, ends_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (practice_id, scene.patients[i], scene.providers[0], scene.location_id, scene.follow_up,
                     start + timedelta(minutes=5 * (i % 3)), start + timedelta(minutes=15 + 5 * (i % 3))))
                await conn.commit()
                return "committed"
            except psycopg.errors.ExclusionViolation:
                return "excluded"
            except psycopg.errors.DeadlockDetected:
                # Two inserts that each saw the other's uncommitted row: PostgreSQL aborts one of them.
                return "excluded"

    outcomes = await asyncio.gather(*(insert(i) for i in range(CLIENTS)))
    print(f"raw race: {outcomes.count('committed')} committed, {outcomes.count('excluded')} refused")
    assert sorted(set(outcomes)) == ["committed", "excluded"] and outcomes.count("committed") == 1


def overlapping_pairs(server: RunningServer, cluster: Cluster) -> tuple[int, int, int]:
    """Provider pairs, resource pairs, and resource rows out of step with their appointment: all must be 0."""
    with psycopg.connect(cluster.app_conninfo(server.inst.urls)) as conn:
        providers = conn.execute("""
            SELECT count(*) FROM appointment a JOIN appointment b
              ON a.practice_id = b.practice_id AND a.provider_id = b.provider_id AND a.id < b.id
             WHERE a.during && b.during AND a.holds_time AND b.holds_time
               AND NOT a.overbooked AND NOT b.overbooked""").fetchone()[0]  # type: ignore[index]
        resources = conn.execute("""
            SELECT count(*) FROM appointment_resource a JOIN appointment_resource b
              ON a.practice_id = b.practice_id AND a.resource_id = b.resource_id AND a.appointment_id < b.appointment_id
             WHERE a.during && b.during AND NOT a.overbooked AND NOT b.overbooked""").fetchone()[0]  # type: ignore[index]
        stale = conn.execute("""
            SELECT count(*) FROM appointment_resource r JOIN appointment a
              ON a.practice_id = r.practice_id AND a.id = r.appointment_id
             WHERE r.during <> a.during OR NOT a.holds_time""").fetchone()[0]  # type: ignore[index]
    return providers, resources, stale


async def test_no_overlapping_pairs_remain(server: RunningServer, cluster: Cluster, scene: Scene) -> None:
    """After the races in this module (it runs last in its file): the invariant, by a query of its own."""
    assert overlapping_pairs(server, cluster) == (0, 0, 0)
