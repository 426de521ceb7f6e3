"""Admin > Schedule setup against the fake gateway, at 80x24: providers, locations, templates, time off, reminders."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from client_tui.app import PmsApp
from client_tui.screens.add_exception_screen import AddExceptionScreen
from client_tui.screens.exceptions_screen import ExceptionsScreen
from client_tui.screens.location_form_screen import LocationFormScreen
from client_tui.screens.provider_form_screen import ProviderFormScreen
from client_tui.screens.reminder_policy_screen import ReminderPolicyScreen
from client_tui.screens.template_block_screen import TemplateBlockScreen
from client_tui.screens.template_screen import TemplateScreen
from client_tui.widgets.schedule_setup_panel import ScheduleSetupPanel
from shared.pms.scheduling.v1 import setup_pb2 as su

from .fake_gateway import FakeGateway
from .fake_schedule import LEE, MAIN
from .helpers import enter_as, field_error, text_of, wait_for

SIZE = (80, 24)


async def open_setup(pilot: Pilot[None]) -> ScheduleSetupPanel:
    await enter_as(pilot, "mary", "manager-pass")
    await pilot.press("ctrl+g")
    panel = pilot.app.screen.query_one(ScheduleSetupPanel)
    table = panel.query_one("#setup-providers", DataTable)
    await wait_for(pilot, lambda: table.row_count == 4)
    await pilot.pause()
    return panel


async def highlight_provider(pilot: Pilot[None], panel: ScheduleSetupPanel, last_name: str) -> None:
    table = panel.query_one("#setup-providers", DataTable)
    table.focus()
    row = next(i for i, p in enumerate(panel.providers) if p.last_name == last_name)
    table.move_cursor(row=row)
    await pilot.pause()


def message(screen: object, selector: str) -> str:
    assert hasattr(screen, "query_one")
    return text_of(screen.query_one(selector, Static))


async def test_a_bad_npi_is_shown_beside_the_npi_and_a_good_one_adds_the_provider(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_setup(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ProviderFormScreen))
        form = app.screen
        await pilot.press(*"Maria", "enter", *"Gomez", "enter", *"MD", "enter", *"1234567800", "enter", *"207q00000x")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(field_error(form, "provider.npi")))
        assert "not a valid NPI" in field_error(form, "provider.npi")
        assert field_error(form, "provider.first_name") == ""
        assert app.screen is form and app.focused is form.query_one("#provider-npi", Input)
        assert form.query_one("#provider-taxonomy-code", Input).value == "207Q00000X"  # typed in capitals
        form.query_one("#provider-npi", Input).value = "1234567802"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ProviderFormScreen))
        table = panel.query_one("#setup-providers", DataTable)
        await wait_for(pilot, lambda: table.row_count == 5)
        added = next(p for p in fake.providers.values() if p.last_name == "Gomez")
        assert (added.npi, added.credentials, added.taxonomy_code) == ("1234567802", "MD", "207Q00000X")
        # The new provider is the highlighted row.
        assert panel.selected().provider_id == added.provider_id
        assert "Gomez, Maria" in [str(cell) for cell in table.get_row_at(table.cursor_row)]


async def test_edit_a_provider_keeps_its_id_and_version(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_setup(pilot)
        await highlight_provider(pilot, panel, "Lee")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProviderFormScreen))
        form = app.screen
        assert form.query_one("#provider-npi", Input).value == "1234567893"
        form.query_one("#provider-credentials", Input).value = "MD, PhD"
        form.query_one("#provider-active", Checkbox).value = False
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ProviderFormScreen))
        sent = fake.requests["save_provider"][-1][0]
        assert (sent.provider_id, sent.version, sent.active) == (LEE, 1, False)
        assert fake.providers[LEE].credentials == "MD, PhD"


async def test_a_bad_time_zone_is_shown_beside_the_time_zone(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_setup(pilot)
        await pilot.press("right")
        assert panel.section == "locations"
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, LocationFormScreen))
        form = app.screen
        form.query_one("#location-name", Input).value = "Eastside"
        form.query_one("#location-time-zone", Input).value = "Eastern"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(field_error(form, "location.time_zone")))
        assert "IANA time zone" in field_error(form, "location.time_zone")
        form.query_one("#location-time-zone", Input).value = "America/New_York"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, LocationFormScreen))
        await wait_for(pilot, lambda: panel.query_one("#setup-locations", DataTable).row_count == 3)


async def test_edit_a_template_block_and_save_the_week(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_setup(pilot)
        await highlight_provider(pilot, panel, "Lee")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateScreen))
        screen = app.screen
        assert isinstance(screen, TemplateScreen)
        table = screen.query_one("#template-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 10)
        # Monday's first block: 08:00-17:00 available at Main Street Office.
        assert [str(c) for c in table.get_row_at(0)][:4] == ["Mon", "Main Street Office", "08:00-17:00", "available"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateBlockScreen))
        block_form = app.screen
        to_input = block_form.query_one("#block-end-minute", Input)
        assert to_input.value == "17:00"
        to_input.value = "4:30 pm"
        block_form.query_one("#block-appointment-type-ids").select(1)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        assert "Not saved yet" in message(screen, "#template-message")
        assert fake.requests.get("set_template") is None
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved." in message(screen, "#template-message"))
        provider_id, blocks, version = fake.requests["set_template"][-1]
        assert (provider_id, version) == (LEE, 1)
        monday = [b for b in blocks if b.weekday == 1 and b.kind == su.BLOCK_KIND_AVAILABLE]
        assert [(b.start_minute, b.end_minute, list(b.appointment_type_ids)) for b in monday] == [(480, 990, [1])]
        assert len(blocks) == 10  # the whole week is sent, not only the change
        assert screen.template_version == 2
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, TemplateScreen))


async def test_add_and_remove_blocks_and_the_servers_objection_names_the_block(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_setup(pilot)
        await highlight_provider(pilot, panel, "Lee")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateScreen))
        screen = app.screen
        assert isinstance(screen, TemplateScreen)
        table = screen.query_one("#template-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 10)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateBlockScreen))
        form = app.screen
        assert form.query_one("#block-weekday", Select).value == 1
        form.query_one("#block-location-id", Select).value = MAIN
        await pilot.press("ctrl+s")  # no hours yet
        await wait_for(pilot, lambda: bool(field_error(form, "block.start_minute")))
        form.query_one("#block-start-minute", Input).value = "9"
        form.query_one("#block-end-minute", Input).value = "10:00"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        assert table.row_count == 11
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "overlaps" in message(screen, "#template-message"))
        text = message(screen, "#template-message")
        assert "Not saved." in text and "Mon 09:00-10:00" in text and "Mon 08:00-17:00" in text
        assert screen.current() is not None and screen.current().start_minute == 9 * 60  # type: ignore[union-attr]
        await pilot.press("d")  # take the new block out again: nothing left to save
        assert table.row_count == 10
        await pilot.press("ctrl+s")
        assert "Nothing to save" in message(screen, "#template-message")
        assert len(fake.requests["set_template"]) == 1
        # Someone else saved the template meanwhile: nothing is saved, and Ctrl+R is offered.
        fake.someone_else_saves_the_template(LEE)
        await pilot.press("d")
        assert table.row_count == 9
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Someone else saved" in message(screen, "#template-message"))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.template_version == 2)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, TemplateScreen))


async def test_add_and_remove_time_off(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_setup(pilot)
        await highlight_provider(pilot, panel, "Lee")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ExceptionsScreen))
        screen = app.screen
        table = screen.query_one("#exceptions-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)  # Thanksgiving (practice-wide) and a vacation
        assert [str(c) for c in table.get_row_at(0)][:4] == ["holiday", "11/26/2026", "whole day", "whole practice"]
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddExceptionScreen))
        form = app.screen
        form.query_one("#exception-kind", Select).value = su.EXCEPTION_KIND_HALF_DAY
        form.query_one("#exception-first-date", Input).value = "11/20/2026"
        form.query_one("#exception-start-minute", Input).value = "12:00"
        await pilot.press("ctrl+s")  # a start without an end
        await wait_for(pilot, lambda: bool(field_error(form, "exception.end_minute")))
        form.query_one("#exception-end-minute", Input).value = "17:00"
        form.query_one("#exception-note", Input).value = "school play"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: table.row_count == 3)
        added = fake.requests["add_exception"][-1][0]
        assert (added.provider_id, added.kind, added.start_minute, added.end_minute) == (
            LEE,
            su.EXCEPTION_KIND_HALF_DAY,
            720,
            1020,
        )
        assert (added.last_date.month, added.last_date.day) == (11, 20)  # blank last day: the same day
        assert [str(c) for c in table.get_row_at(table.cursor_row)][:3] == ["half day", "11/20/2026", "12:00-17:00"]
        added_id = max(fake.exceptions)
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: table.row_count == 2)
        assert fake.requests["remove_exception"] == [(added_id,)]
        assert added_id not in fake.exceptions
        # A day the whole practice is closed.
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddExceptionScreen))
        form = app.screen
        form.query_one("#exception-kind", Select).value = su.EXCEPTION_KIND_HOLIDAY
        form.query_one("#exception-first-date", Input).value = "12/24/2026"
        form.query_one("#exception-provider-id", Checkbox).value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: table.row_count == 3)
        assert fake.requests["add_exception"][-1][0].provider_id == 0
        assert [str(c) for c in table.get_row_at(table.cursor_row)][:4] == [
            "holiday",
            "12/24/2026",
            "whole day",
            "whole practice",
        ]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExceptionsScreen))


async def test_change_the_reminder_policy(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_setup(pilot)
        await pilot.press("5")
        assert panel.section == "reminders"
        view = panel.query_one("#setup-reminders", Static)
        assert "48 h, 2 h" in text_of(view)
        assert "no transport" in text_of(view)  # SMS is on, but this server cannot send texts
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReminderPolicyScreen))
        form = app.screen
        leads = form.query_one("#policy-lead-hours", Input)
        assert leads.value == "48 2"
        leads.value = "400 2"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(field_error(form, "policy.lead_hours")))
        assert "1 to 336 hours" in field_error(form, "policy.lead_hours")
        leads.value = "72, 24 2"
        form.query_one("#policy-sms-enabled", Checkbox).value = False
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ReminderPolicyScreen))
        assert list(fake.reminder_policy.lead_hours) == [72, 24, 2]
        assert not fake.reminder_policy.sms_enabled and fake.reminder_policy.email_enabled
        assert fake.requests["set_reminder_policy"][-1][0].version == 0  # the version the edit started from
        await wait_for(pilot, lambda: "72 h, 24 h, 2 h" in text_of(view))
        assert "Text messages:  off" in text_of(view)


async def test_lists_switch_with_arrows_and_show_types_with_what_they_hold(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_setup(pilot)
        await pilot.press("left")
        assert panel.section == "reminders"
        await pilot.press("right", "right", "right")
        assert panel.section == "resources"
        assert panel.query_one("#setup-resources", DataTable).row_count == 3
        await pilot.press("right")
        types = panel.query_one("#setup-types", DataTable)
        assert panel.section == "types" and app.focused is types
        assert types.row_count == 4
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AppointmentTypeFormScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ != "AppointmentTypeFormScreen")
        assert "t" not in {b.binding.key for b in app.screen.active_bindings.values() if b.enabled}


async def test_the_tab_is_only_offered_with_schedule_setup(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        # The IT admin manages users and workstations, not the schedule.
        await enter_as(pilot, "admin", "admin-pass")
        assert not app.screen.query(ScheduleSetupPanel)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert "list_providers" not in fake.calls
