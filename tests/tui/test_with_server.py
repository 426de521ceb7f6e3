"""The terminal client against the real server over mutual TLS (no fakes): login, expiry, reconnect."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from textual.widgets import DataTable, Input, OptionList, Select, Static

from client_tui.app import PmsApp
from client_tui.grpc_gateway import GrpcGateway
from client_tui.screens.add_user_screen import AddUserScreen
from client_tui.screens.login_screen import LoginScreen
from client_tui.screens.relogin_screen import ReloginScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.widgets.status_line import StatusLine
from tests.support import ADMIN_PASSWORD, Cluster, RunningServer, make_installation

from .helpers import log_in, text_of, wait_for

SIZE = (120, 40)


async def test_login_reaches_the_shell_with_who_and_where(server: RunningServer) -> None:
    gw = GrpcGateway(await server.enroll("tui-real-1"))
    app = PmsApp(gw)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "admin", ADMIN_PASSWORD)
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), 10)
        status = app.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "connected" in text_of(status.query_one("#status-connection", Static)), 10)
        line = " ".join(text_of(w) for w in status.query(Static))
        assert "IT administrator" in line and "Test Practice" in line and "tui-real-1" in line
    await gw.close()


async def test_wrong_password_shows_the_servers_sentence(server: RunningServer) -> None:
    gw = GrpcGateway(await server.enroll("tui-real-2"))
    app = PmsApp(gw)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "admin", "not-the-password")
        message = app.screen.query_one("#login-message", Static)
        await wait_for(pilot, lambda: "Wrong username or password." in text_of(message), 10)
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#username", Input).value == "admin"
    await gw.close()


async def test_server_ended_session_brings_the_overlay_and_the_form_keeps_its_input(
        server: RunningServer, cluster: Cluster) -> None:
    bundle = await server.enroll("tui-real-3")
    gw = GrpcGateway(bundle)
    app = PmsApp(gw)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "admin", ADMIN_PASSWORD)
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), 10)
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddUserScreen), 10)
        form = app.screen
        await pilot.press(*"jdoe", "enter", *"Jane Doe", "enter", *"temporary-secret", "enter", "space")
        # The server ends the session (idle too long), as it would after 15 quiet minutes.
        with psycopg.connect(cluster.owner_conninfo(server.inst.urls), autocommit=True) as owner:
            owner.execute("UPDATE user_session SET last_seen_at = now() - interval '16 minutes' WHERE "
                          "workstation_id = (SELECT id FROM workstation WHERE name = 'tui-real-3')")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ReloginScreen), 10)
        assert app.screen_stack[-2] is form
        await pilot.press(*ADMIN_PASSWORD, "enter")
        await wait_for(pilot, lambda: app.screen is form, 10)
        assert form.query_one("#username", Input).value == "jdoe"
        assert form.query_one("#display-name", Input).value == "Jane Doe"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, AddUserScreen), 10)
    await gw.close()
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as owner:
        assert owner.execute("SELECT display_name FROM app_user WHERE username = 'jdoe'").fetchone() == ("Jane Doe",)


async def test_client_reconnects_by_itself_after_the_server_restarts(
        cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> None:
    inst = await make_installation(cluster, tmp_path_factory.mktemp("restart"))
    first = await RunningServer(inst).start()
    port = first.port
    gw = GrpcGateway(await first.enroll("tui-restart"))
    app = PmsApp(gw)
    second: RunningServer | None = None
    try:
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "admin", ADMIN_PASSWORD)
            await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), 10)
            connection = app.screen.query_one("#status-connection", Static)
            await wait_for(pilot, lambda: "connected" in text_of(connection), 10)
            await first.stop(grace=0)
            await wait_for(pilot, lambda: "offline" in text_of(connection) or "connecting" in text_of(connection),
                           10)
            second = await RunningServer(inst).start(f"127.0.0.1:{port}")
            await wait_for(pilot, lambda: "connected" in text_of(connection) and "dis" not in text_of(connection),
                           15)
            # Same session (it lives in PostgreSQL), no new login: the users table loads.
            await pilot.press("f4")
            table = app.screen.query_one("#users-table", DataTable)
            await wait_for(pilot, lambda: table.row_count >= 1, 10)
            assert isinstance(app.screen, ShellScreen)
    finally:
        await gw.close()
        if second is not None:
            await second.stop()


async def test_front_desk_finds_a_patient_and_attaches_a_scan_on_the_real_server(
        server: RunningServer, tmp_path: Path) -> None:
    from textual.widgets import Select

    from client_tui.screens.attach_document_screen import AttachDocumentScreen
    from client_tui.screens.patient_screen import PatientScreen
    from shared.pms.documents.v1 import documents_pb2
    from shared.pms.patients.v1 import patients_pb2
    from tests.builders import a_patient, png_bytes
    from tests.support import Client

    await server.add_user("desk-real", ["front_desk"], "desk-password-123")
    setup = Client(await server.enroll("tui-real-desk-setup"))
    await setup.login("desk-real", "desk-password-123")
    made = (await setup.patients.RegisterPatient(patients_pb2.RegisterPatientRequest(
        patient=a_patient("Quentin", "Zabriskie", mobile="6145550177")), metadata=setup.md)).patient
    await setup.close()
    scan = tmp_path / "card-front.png"
    scan.write_bytes(png_bytes(16, 16, seed=3))

    gw = GrpcGateway(await server.enroll("tui-real-desk"))
    app = PmsApp(gw)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "desk-real", "desk-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), 10)
        await pilot.press(*"zab qu")
        table = app.screen.query_one("#patient-results", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, 10)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PatientScreen) and app.screen.record is not None, 10)
        screen = app.screen
        assert isinstance(screen, PatientScreen)
        banner = " ".join(text_of(w) for w in screen.query(Static))
        assert "Zabriskie, Quentin" in banner and f"MRN {made.mrn}" in banner
        await pilot.press("f7", "a")
        await wait_for(pilot, lambda: isinstance(app.screen, AttachDocumentScreen), 10)
        form = app.screen
        form.query_one("#document-path", Input).value = str(scan)
        form.query_one("#document-type", Select).value = documents_pb2.DOCUMENT_TYPE_INSURANCE_CARD_FRONT
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, 10)
        documents = await gw.list_documents(made.patient_id)
        assert [(d.file_name, d.content_type, d.size_bytes) for d in documents] == [
            ("card-front.png", "image/png", scan.stat().st_size)]
    await gw.close()


async def test_front_desk_books_by_keyboard_on_the_real_server(server: RunningServer) -> None:
    from datetime import timedelta

    from client_tui import schedule_values as sv
    from client_tui.screens.book_appointment_screen import BookAppointmentScreen
    from client_tui.widgets.free_slot_offer import FreeSlotOffer
    from client_tui.widgets.schedule_panel import SchedulePanel
    from client_tui.widgets.slot_grid import SlotGrid
    from shared.pms.patients.v1 import patients_pb2
    from shared.pms.scheduling.v1 import appointments_pb2, setup_pb2
    from tests.builders import a_location, a_patient, a_provider, an_appointment_type, weekday_blocks
    from tests.support import Client

    from .test_schedule import choose_option, choose_patient, move_to

    # A manager sets the practice up through the API: a location, a provider working every day, a type.
    await server.add_user("sched-boss-real", ["manager"], "manager-password-123")
    await server.add_user("sched-desk-real", ["front_desk"], "desk-password-123")
    boss = Client(await server.enroll("tui-real-sched-setup"))
    await boss.login("sched-boss-real", "manager-password-123")
    location = (await boss.setup.SaveLocation(setup_pb2.SaveLocationRequest(
        location=a_location("Elm Street Office")), metadata=boss.md)).location
    provider = (await boss.setup.SaveProvider(setup_pb2.SaveProviderRequest(
        provider=a_provider("Nora", "Keyes", serial=901)), metadata=boss.md)).provider
    await boss.setup.SetTemplate(setup_pb2.SetTemplateRequest(
        provider_id=provider.provider_id, template_version=provider.template_version,
        blocks=weekday_blocks(location.location_id, days=range(1, 8))), metadata=boss.md)
    await boss.setup.SaveAppointmentType(setup_pb2.SaveAppointmentTypeRequest(
        appointment_type=an_appointment_type("Follow-up", 15)), metadata=boss.md)
    kind = (await boss.setup.ListAppointmentTypes(setup_pb2.ListAppointmentTypesRequest(), metadata=boss.md)
            ).appointment_types[0]
    made = (await boss.patients.RegisterPatient(patients_pb2.RegisterPatientRequest(
        patient=a_patient("Odessa", "Quillfeather", mobile="6145550188")), metadata=boss.md)).patient
    other = (await boss.patients.RegisterPatient(patients_pb2.RegisterPatientRequest(
        patient=a_patient("Ursula", "Vandermeer", mobile="6145550199")), metadata=boss.md)).patient
    day = sv.today_at(location.time_zone) + timedelta(days=7)  # a week ahead: open, and never in the past

    gw = GrpcGateway(await server.enroll("tui-real-sched-desk"))
    app = PmsApp(gw)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "sched-desk-real", "desk-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), 10)
        await pilot.press("f12")
        panel = app.screen.query_one(SchedulePanel)
        grid = panel.query_one(SlotGrid)
        await wait_for(pilot, lambda: grid.row_count > 0, 10)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *f"{day.month:02d}/{day.day:02d}/{day.year}", "enter")
        await wait_for(pilot, lambda: panel.calendar is not None and panel.calendar.columns
                       and panel.calendar.columns[0].day == day, 10)
        await move_to(pilot, panel, provider.provider_id, "09:00")
        await pilot.press("enter")
        screen = await choose_patient(pilot, "quillf")
        assert isinstance(screen, BookAppointmentScreen)
        await choose_option(pilot, screen.query_one("#book-type", Select), "Follow-up (15 min)")
        await pilot.press("enter", *"ankle sprain", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), 10)
        message = panel.query_one("#schedule-message", Static)
        await wait_for(pilot, lambda: text_of(message).startswith("Booked"), 10)
        assert "Quillfeather, Odessa" in text_of(message) and "09:00" in text_of(message)
        # A second booking loses its race to another desk: the server's conflict and offers come through.
        await move_to(pilot, panel, provider.provider_id, "09:15")
        await pilot.press("enter")
        screen = await choose_patient(pilot, "quillf")
        await choose_option(pilot, screen.query_one("#book-type", Select), "Follow-up (15 min)")
        starts = sv.local_instant(day, 9 * 60 + 15, sv.zone_of(location.time_zone))
        await boss.appointments.BookAppointment(appointments_pb2.BookAppointmentRequest(
            patient_id=other.patient_id, provider_id=provider.provider_id, location_id=location.location_id,
            appointment_type_id=kind.appointment_type_id, starts_at=sv.timestamp(starts)), metadata=boss.md)
        await pilot.press("ctrl+s")
        offer = screen.query_one(FreeSlotOffer)
        await wait_for(pilot, lambda: offer.shown, 10)
        assert "another booking took that time (09:15 to 09:30), so nothing was booked" in text_of(
            offer.query_one("#offer-text", Static))
        offered = offer.query_one(OptionList)
        first_offer = str(offered.get_option_at_index(0).prompt)  # e.g. "Tue 03/09 08:00", the day's first free
        assert offered.option_count >= 1 and first_offer.startswith(sv.short_day(day))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), 10)
        await wait_for(pilot, lambda: text_of(message).startswith("Booked") and first_offer in text_of(message), 10)
    await boss.close()
    booked = {a.local_start: a for a in (await gw.get_day_schedule(location.location_id, day)).appointments}
    at = f"{day.isoformat()}T"
    assert (booked[at + "09:00"].patient_id, booked[at + "09:00"].visit_reason) == (made.patient_id, "ankle sprain")
    assert booked[at + "09:15"].patient_id == other.patient_id
    assert booked[at + first_offer[-5:]].patient_id == made.patient_id
    assert len(booked) == 3
    await gw.close()


async def test_a_booking_made_through_the_api_appears_live_in_the_day_view(server: RunningServer) -> None:
    """The real WatchSchedule stream: another desk books, the open calendar shows it without a key."""
    from datetime import timedelta

    from client_tui import schedule_values as sv
    from client_tui.widgets.schedule_panel import SchedulePanel
    from client_tui.widgets.slot_grid import SlotGrid
    from shared.pms.patients.v1 import patients_pb2
    from shared.pms.scheduling.v1 import appointments_pb2, setup_pb2
    from tests.builders import a_location, a_patient, a_provider, an_appointment_type, weekday_blocks
    from tests.support import Client

    from .test_schedule import shown_now

    await server.add_user("live-boss-real", ["manager"], "manager-password-123")
    await server.add_user("live-desk-real", ["front_desk"], "desk-password-123")
    boss = Client(await server.enroll("tui-real-live-setup"))
    await boss.login("live-boss-real", "manager-password-123")
    location = (await boss.setup.SaveLocation(setup_pb2.SaveLocationRequest(
        location=a_location("Birch Lane Office")), metadata=boss.md)).location
    provider = (await boss.setup.SaveProvider(setup_pb2.SaveProviderRequest(
        provider=a_provider("Iris", "Lindqvist", serial=902)), metadata=boss.md)).provider
    await boss.setup.SetTemplate(setup_pb2.SetTemplateRequest(
        provider_id=provider.provider_id, template_version=provider.template_version,
        blocks=weekday_blocks(location.location_id, days=range(1, 8))), metadata=boss.md)
    await boss.setup.SaveAppointmentType(setup_pb2.SaveAppointmentTypeRequest(
        appointment_type=an_appointment_type("Recheck", 15)), metadata=boss.md)
    kind = next(t for t in (await boss.setup.ListAppointmentTypes(
        setup_pb2.ListAppointmentTypesRequest(), metadata=boss.md)).appointment_types if t.name == "Recheck")
    patient = (await boss.patients.RegisterPatient(patients_pb2.RegisterPatientRequest(
        patient=a_patient("Wilhelmina", "Ashcombe", mobile="6145550177")), metadata=boss.md)).patient
    day = sv.today_at(location.time_zone) + timedelta(days=7)

    gw = GrpcGateway(await server.enroll("tui-real-live-desk"))
    app = PmsApp(gw)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "live-desk-real", "desk-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), 10)
        await pilot.press("f12")
        panel = app.screen.query_one(SchedulePanel)
        await wait_for(pilot, lambda: panel.query_one(SlotGrid).row_count > 0, 10)
        if panel.location_id != location.location_id:
            panel.query_one("#schedule-location", Select).value = location.location_id
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *f"{day.month:02d}/{day.day:02d}/{day.year}", "enter")
        await wait_for(pilot, lambda: panel.calendar is not None and bool(panel.calendar.columns)
                       and panel.calendar.columns[0].day == day and panel.location_id == location.location_id, 10)
        await wait_for(pilot, lambda: panel.watch_state == "live"
                       and panel.watched == (location.location_id, (day,)), 10)
        assert "Ashcombe" not in shown_now(panel, provider.provider_id, "10:00")
        starts = sv.local_instant(day, 10 * 60, sv.zone_of(location.time_zone))
        await boss.appointments.BookAppointment(appointments_pb2.BookAppointmentRequest(
            patient_id=patient.patient_id, provider_id=provider.provider_id, location_id=location.location_id,
            appointment_type_id=kind.appointment_type_id, starts_at=sv.timestamp(starts)), metadata=boss.md)
        # No key pressed: the stream says the day changed and the panel fetches it (the minute's reload is far off).
        await wait_for(pilot, lambda: "Ashcombe, Wilhelmina" in shown_now(panel, provider.provider_id, "10:00"), 10)
    await boss.close()
    await gw.close()


async def test_front_desk_books_a_weekly_series_with_a_conflict_on_the_real_server(server: RunningServer) -> None:
    """U on a free time: the real PreviewSeries marks the taken week, the real BookSeries books the other three."""
    from datetime import timedelta

    from client_tui import schedule_values as sv
    from client_tui.screens.book_series_screen import BookSeriesScreen
    from client_tui.widgets.schedule_panel import SchedulePanel
    from client_tui.widgets.slot_grid import SlotGrid
    from shared.pms.patients.v1 import patients_pb2
    from shared.pms.scheduling.v1 import appointments_pb2, setup_pb2
    from tests.builders import a_location, a_patient, a_provider, an_appointment_type, weekday_blocks
    from tests.support import Client

    from .test_schedule import choose_option, move_to

    await server.add_user("series-boss-real", ["manager"], "manager-password-123")
    await server.add_user("series-desk-real", ["front_desk"], "desk-password-123")
    boss = Client(await server.enroll("tui-real-series-setup"))
    await boss.login("series-boss-real", "manager-password-123")
    location = (await boss.setup.SaveLocation(setup_pb2.SaveLocationRequest(
        location=a_location("Cedar Court Office")), metadata=boss.md)).location
    provider = (await boss.setup.SaveProvider(setup_pb2.SaveProviderRequest(
        provider=a_provider("Petra", "Oyelaran", serial=903)), metadata=boss.md)).provider
    await boss.setup.SetTemplate(setup_pb2.SetTemplateRequest(
        provider_id=provider.provider_id, template_version=provider.template_version,
        blocks=weekday_blocks(location.location_id, days=range(1, 8))), metadata=boss.md)
    await boss.setup.SaveAppointmentType(setup_pb2.SaveAppointmentTypeRequest(
        appointment_type=an_appointment_type("Physio", 30)), metadata=boss.md)
    kind = next(t for t in (await boss.setup.ListAppointmentTypes(
        setup_pb2.ListAppointmentTypesRequest(), metadata=boss.md)).appointment_types if t.name == "Physio")
    patient = (await boss.patients.RegisterPatient(patients_pb2.RegisterPatientRequest(
        patient=a_patient("Theodora", "Wexcombe", mobile="6145550166")), metadata=boss.md)).patient
    other = (await boss.patients.RegisterPatient(patients_pb2.RegisterPatientRequest(
        patient=a_patient("Barnaby", "Quennell", mobile="6145550155")), metadata=boss.md)).patient
    day = sv.today_at(location.time_zone) + timedelta(days=7)
    zone = sv.zone_of(location.time_zone)
    # Another desk already holds the third week's 09:00.
    await boss.appointments.BookAppointment(appointments_pb2.BookAppointmentRequest(
        patient_id=other.patient_id, provider_id=provider.provider_id, location_id=location.location_id,
        appointment_type_id=kind.appointment_type_id,
        starts_at=sv.timestamp(sv.local_instant(day + timedelta(weeks=2), 9 * 60, zone))), metadata=boss.md)

    gw = GrpcGateway(await server.enroll("tui-real-series-desk"))
    app = PmsApp(gw)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "series-desk-real", "desk-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), 10)
        await pilot.press("f12")
        panel = app.screen.query_one(SchedulePanel)
        await wait_for(pilot, lambda: panel.query_one(SlotGrid).row_count > 0, 10)
        if panel.location_id != location.location_id:
            panel.query_one("#schedule-location", Select).value = location.location_id
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *f"{day.month:02d}/{day.day:02d}/{day.year}", "enter")
        await wait_for(pilot, lambda: panel.calendar is not None and bool(panel.calendar.columns)
                       and panel.calendar.columns[0].day == day and panel.location_id == location.location_id, 10)
        await move_to(pilot, panel, provider.provider_id, "09:00")
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, BookSeriesScreen), 10)
        screen = app.screen
        assert isinstance(screen, BookSeriesScreen)
        await pilot.press(*"wexcom", "enter")
        results = screen.query_one("#patient-results", DataTable)
        await wait_for(pilot, lambda: results.row_count == 1 and results.has_focus, 10)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.patient_id == patient.patient_id, 10)
        await pilot.pause()
        await choose_option(pilot, screen.query_one("#series-type", Select), "Physio (30 min)")
        await pilot.press(*"knee rehab", "enter", "tab", "enter", *"4", "enter")
        table = screen.query_one("#series-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4, 10)
        verdicts = [str(table.get_row_at(i)[2]) for i in range(4)]
        assert verdicts == ["free", "free", "no: the provider is booked then", "free"]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.result is not None, 10)
        assert [str(table.get_row_at(i)[2]) for i in range(4)] == [
            "booked", "booked", "skipped: the provider is booked then", "booked"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), 10)
    await boss.close()
    booked = await gw.list_patient_appointments(patient.patient_id)
    assert [(a.local_start, a.visit_reason) for a in booked] == [
        (f"{(day + timedelta(weeks=k)).isoformat()}T09:00", "knee rehab") for k in (0, 1, 3)]
    await gw.close()
