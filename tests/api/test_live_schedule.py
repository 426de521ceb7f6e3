"""The live calendar: a booking at one desk reaches another desk's stream; the stream survives a lost listener."""

from __future__ import annotations

import asyncio
from datetime import date

import grpc
import pytest

from shared import dates
from shared.pms.scheduling.v1 import appointments_pb2 as ap
from tests.api.test_patients import logged_in
from tests.api.test_scheduling import (
    Practice,
    _to,
    a_patient_id,
    a_provider_with_week,
    at,
    book,
    booking,
    next_weekday,
)

# The scheduling tests' module fixtures, used here too.
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.support import Client, Cluster, RunningServer, fails, status_details


async def next_change(stream: grpc.aio.UnaryStreamCall) -> ap.WatchScheduleResponse:
    # A change that never comes fails the test instead of hanging it.
    async with asyncio.timeout(10):
        return await stream.read()  # type: ignore[return-value]


async def test_a_booking_at_one_desk_reaches_the_other_desks_stream(
        server: RunningServer, desk: Client, manager: Client, practice: Practice) -> None:
    other = await logged_in(server, "live-desk", ["front_desk"])
    try:
        prov = await a_provider_with_week(manager, practice, "Live")
        day = next_weekday(2, date(2027, 5, 1))
        stream = other.appointments.WatchSchedule(ap.WatchScheduleRequest(
            location_id=practice.location_id, dates=[dates.to_pb(day)]), metadata=other.md)
        assert (await next_change(stream)).kind == "watching"
        # A booking on another day is not this stream's business; the next one is.
        await book(desk, booking(await a_patient_id(desk), prov, practice, at(next_weekday(3, day), 9)))
        made = await book(desk, booking(await a_patient_id(desk), prov, practice, at(day, 9)))
        change = await next_change(stream)
        assert (change.kind, change.appointment_id, dates.from_pb(change.date)) == ("booked", made.appointment_id, day)
        await _to(desk, made, "cancelled")
        assert (await next_change(stream)).kind == "cancelled"
        stream.cancel()
    finally:
        await other.close()


async def test_the_stream_survives_a_lost_listener_connection(
        server: RunningServer, cluster: Cluster, desk: Client, manager: Client, practice: Practice) -> None:
    prov = await a_provider_with_week(manager, practice, "Relisten")
    day = next_weekday(4, date(2027, 5, 1))
    stream = desk.appointments.WatchSchedule(ap.WatchScheduleRequest(
        location_id=practice.location_id, dates=[dates.to_pb(day)]), metadata=desk.md)
    assert (await next_change(stream)).kind == "watching"
    hub = server.server.schedule_hub
    with cluster.superuser() as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (hub.backend_pid,))
    # The hub listens again and tells every watcher to reload what it may have missed.
    assert (await next_change(stream)).kind == "resync"
    await asyncio.wait_for(hub.listening.wait(), 10)
    made = await book(desk, booking(await a_patient_id(desk), prov, practice, at(day, 10)))
    change = await next_change(stream)
    assert (change.kind, change.appointment_id) == ("booked", made.appointment_id)
    stream.cancel()


async def test_watch_checks_its_request_and_the_caller(server: RunningServer, desk: Client,
                                                       practice: Practice) -> None:
    err = await fails(desk.appointments.WatchSchedule(ap.WatchScheduleRequest(
        location_id=practice.location_id), metadata=desk.md).read())
    assert status_details(err)[1] == [("dates", "must name 1 to 14 days")]
    it = await logged_in(server, "live-it", ["it_admin"])
    try:
        err = await fails(it.appointments.WatchSchedule(ap.WatchScheduleRequest(
            location_id=practice.location_id, dates=[dates.to_pb(date(2027, 1, 4))]), metadata=it.md).read())
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        await it.close()


@pytest.fixture(autouse=True)
async def _listener_ready(server: RunningServer) -> None:
    await asyncio.wait_for(server.server.schedule_hub.listening.wait(), 10)
