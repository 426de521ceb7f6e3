"""Admin > Schedule setup against the real server over mutual TLS: the server's own checks appear beside the fields."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Static

from client_tui.app import PmsApp
from client_tui.grpc_gateway import GrpcGateway
from client_tui.screens.add_exception_screen import AddExceptionScreen
from client_tui.screens.exceptions_screen import ExceptionsScreen
from client_tui.screens.location_form_screen import LocationFormScreen
from client_tui.screens.provider_form_screen import ProviderFormScreen
from client_tui.screens.reminder_policy_screen import ReminderPolicyScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.screens.template_block_screen import TemplateBlockScreen
from client_tui.screens.template_screen import TemplateScreen
from client_tui.widgets.schedule_setup_panel import ScheduleSetupPanel
from tests.support import RunningServer

from .helpers import field_error, log_in, text_of, wait_for

SIZE = (80, 24)
WAIT = 10


async def test_a_manager_sets_up_a_location_provider_week_time_off_and_reminders(server: RunningServer) -> None:
    await server.add_user("setup-boss-real", ["manager"], "manager-password-123")
    gw = GrpcGateway(await server.enroll("tui-real-setup"))
    app = PmsApp(gw)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "setup-boss-real", "manager-password-123")
        await wait_for(pilot, lambda: isinstance(app.screen, ShellScreen), WAIT)
        await pilot.press("ctrl+g")
        panel = app.screen.query_one(ScheduleSetupPanel)
        await wait_for(pilot, lambda: panel.loaded, WAIT)

        # A location: the server refuses a time zone that is not an IANA name, beside the field.
        await pilot.press("2", "a")
        await wait_for(pilot, lambda: isinstance(app.screen, LocationFormScreen), WAIT)
        form = app.screen
        form.query_one("#location-name", Input).value = "Birch Street Office"
        form.query_one("#location-time-zone", Input).value = "Eastern Time"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(field_error(form, "location.time_zone")), WAIT)
        assert "time zone" in field_error(form, "location.time_zone")
        form.query_one("#location-time-zone", Input).value = "America/Chicago"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, LocationFormScreen), WAIT)
        await wait_for(pilot, lambda: any(x.name == "Birch Street Office" for x in panel.locations), WAIT)

        # A provider: a wrong NPI check digit is refused beside the NPI; the right one adds the provider.
        await pilot.press("1", "a")
        await wait_for(pilot, lambda: isinstance(app.screen, ProviderFormScreen), WAIT)
        form = app.screen
        await pilot.press(*"Iris", "enter", *"Quade", "enter", *"DO", "enter", *"1234567800", "enter", *"207Q00000X")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(field_error(form, "provider.npi")), WAIT)
        assert "not a valid NPI" in field_error(form, "provider.npi")
        form.query_one("#provider-npi", Input).value = "1234567893"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ProviderFormScreen), WAIT)
        table = panel.query_one("#setup-providers", DataTable)
        await wait_for(pilot, lambda: any(p.last_name == "Quade" for p in panel.providers), WAIT)
        assert panel.selected().last_name == "Quade"
        assert "Quade, Iris" in [str(c) for c in table.get_row_at(table.cursor_row)]

        # Her week: one block added and saved with SetTemplate.
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateScreen), WAIT)
        week = app.screen
        assert isinstance(week, TemplateScreen)
        await wait_for(pilot, lambda: week.loaded, WAIT)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateBlockScreen), WAIT)
        block_form = app.screen
        block_form.query_one("#block-weekday", Select).value = 3
        block_form.query_one("#block-start-minute", Input).value = "8:30"
        block_form.query_one("#block-end-minute", Input).value = "12:00"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is week, WAIT)
        version = week.template_version
        await pilot.press("ctrl+s")
        message = week.query_one("#template-message", Static)
        await wait_for(pilot, lambda: "Saved." in text_of(message), WAIT)
        assert week.template_version == version + 1
        assert [(b.weekday, b.start_minute, b.end_minute) for b in week.blocks] == [(3, 510, 720)]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, TemplateScreen), WAIT)

        # Time off: a half day added, then removed.
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ExceptionsScreen), WAIT)
        time_off = app.screen
        rows = time_off.query_one("#exceptions-table", DataTable)
        await pilot.pause(0.5)
        before = rows.row_count
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddExceptionScreen), WAIT)
        add = app.screen
        add.query_one("#exception-first-date", Input).value = "2031-06-13"
        add.query_one("#exception-start-minute", Input).value = "12:00"
        add.query_one("#exception-end-minute", Input).value = "17:00"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: rows.row_count == before + 1, WAIT)
        await pilot.pause()
        assert [str(c) for c in rows.get_row_at(rows.cursor_row)][1:3] == ["06/13/2031", "12:00-17:00"]
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: rows.row_count == before, WAIT)
        await pilot.press("escape")

        # The reminder policy.
        await pilot.press("5", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReminderPolicyScreen), WAIT)
        policy_form = app.screen
        policy_form.query_one("#policy-lead-hours", Input).value = "72 3"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ReminderPolicyScreen), WAIT)
        view = panel.query_one("#setup-reminders", Static)
        await wait_for(pilot, lambda: "72 h, 3 h" in text_of(view), WAIT)
    await gw.close()
