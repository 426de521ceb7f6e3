"""Pilot tests of the client against the in-memory fake gateway."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

from textual.widgets import ContentSwitcher, DataTable, Input, Static, TabbedContent

from client_tui.app import PmsApp
from client_tui.gateway import ServerError, SessionExpired, StaleRecord
from client_tui.screens.add_user_screen import AddUserScreen
from client_tui.screens.change_password_screen import ChangePasswordScreen
from client_tui.screens.enroll_workstation_screen import EnrollWorkstationScreen
from client_tui.screens.login_screen import LoginScreen
from client_tui.screens.relogin_screen import ReloginScreen
from client_tui.screens.shell_screen import ShellScreen
from client_tui.widgets.admin_panel import AdminPanel
from client_tui.widgets.login_form import LoginForm
from client_tui.widgets.mode_bar import ModeBar
from client_tui.widgets.status_line import StatusLine
from shared.bundle import WorkstationBundle

from .fake_gateway import FakeGateway
from .helpers import collect_notifications, enter_as, field_error, log_in, text_of, wait_for

SIZE = (120, 40)


# -- login ------------------------------------------------------------------------------


async def test_login_success_reaches_shell(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "admin", "admin-pass")
        assert isinstance(app.screen, ShellScreen)
        status = app.screen.query_one(StatusLine)
        assert "Alex Admin (it_admin)" in text_of(status.query_one("#status-user", Static))
        assert app.session is not None and app.session.username == "admin"


async def test_wrong_password_shows_the_servers_sentence_and_keeps_the_username(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "admin", "not-it")
        assert isinstance(app.screen, LoginScreen)
        assert text_of(app.screen.query_one("#login-message", Static)) == "Wrong username or password."
        assert app.screen.query_one("#username", Input).value == "admin"
        password = app.screen.query_one("#password", Input)
        assert password.value == "" and password.has_focus
        # Trying again with the right one works from the same screen.
        await pilot.press(*"admin-pass", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ShellScreen)


async def test_login_screen_shows_where_and_the_hint(fake: FakeGateway) -> None:
    app = PmsApp(fake, login_hint="Demo: admin / admin-pass")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        where = text_of(app.screen.query_one("#login-where", Static))
        assert "FRONT-1" in where and "pms.example.test:7443" in where
        assert "admin / admin-pass" in text_of(app.screen.query_one("#login-hint", Static))
        assert app.screen.query_one("#password", Input).password  # typed characters are masked


async def test_totp_step_asks_for_the_code_and_logs_in_with_it(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "bill", "biller-pass")
        form = app.screen.query_one(LoginForm)
        assert form.asking_for_code
        code = app.screen.query_one("#totp-code", Input)
        assert code.has_focus and code.display
        # A wrong code: the server's sentence, still on the code step.
        await pilot.press(*"000000", "enter")
        await pilot.pause()
        assert "not right" in text_of(app.screen.query_one("#login-message", Static))
        assert form.asking_for_code and code.value == ""
        await pilot.press(*"123456", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ShellScreen)
        assert fake.calls.count("login") == 3
        assert app.screen.mode == "billing"  # a biller starts where billers work


# -- shell: modes and permissions ---------------------------------------------------------


async def test_mode_keys_switch_modes(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        switcher = app.screen.query_one("#modes", ContentSwitcher)
        mode_bar = app.screen.query_one(ModeBar)
        assert switcher.current == "admin"  # an IT admin starts in Admin
        for key, mode in (("f2", "front-desk"), ("f3", "billing"), ("f4", "admin"), ("f2", "front-desk")):
            await pilot.press(key)
            await pilot.pause()
            assert switcher.current == mode
            assert mode_bar.query_one(f"#mode-{mode}").has_class("-active")
        await pilot.press("f6")
        await pilot.pause()
        assert switcher.current == "admin"
        assert app.screen.query_one(TabbedContent).active == "workstations"
        # Front desk holds nothing for an IT admin: said plainly, and no patient data is asked for.
        front_desk = app.screen.query_one("#front-desk")
        assert "has no access to patient data" in " ".join(text_of(s) for s in front_desk.query(Static))
        assert not front_desk.query(Input) and not any("patient" in call for call in fake.calls)


async def test_billing_says_what_is_coming_without_data(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        await pilot.press("f3")
        panel = app.screen.query_one("#billing")
        text = " ".join(text_of(s) for s in panel.query(Static))
        assert "Fran Frontdesk" in text and "None of this is in this version yet" in text
        assert not panel.query(DataTable)


async def test_admin_is_not_offered_without_permission(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "fran", "front-pass")
        screen = app.screen
        assert isinstance(screen, ShellScreen)
        assert not screen.query(AdminPanel)
        assert not screen.query("#mode-admin")
        await pilot.press("f4")
        await pilot.pause()
        assert screen.query_one("#modes", ContentSwitcher).current == "front-desk"
        assert "list_users" not in fake.calls


async def test_admin_tabs_follow_permissions_and_read_only_hides_actions(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        # The manager may read users and the audit log, set up the schedule, set fees and the billing setup, but
        # not manage users or see workstations.
        await enter_as(pilot, "mary", "manager-pass")
        await pilot.press("f4")
        await pilot.pause()
        tabs = app.screen.query_one(TabbedContent)
        assert [pane.id for pane in tabs.query("TabPane")] == ["users", "audit", "schedule-setup", "fees",
                                                                "billing-setup"]
        assert "list_users" in fake.calls
        assert "add_user" not in {b.binding.action for b in app.screen.active_bindings.values()}
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, AddUserScreen)
        await pilot.press("f6")  # no workstations tab: nothing happens
        await pilot.pause()
        assert tabs.active == "users"


# -- admin: users ------------------------------------------------------------------------


async def test_users_table_lists_users_with_their_state(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        table = app.screen.query_one("#users-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 6)
        row = [str(cell) for cell in table.get_row("5")]  # pat: locked, two roles
        assert row[:3] == ["pat", "Pat Provider", "provider, front_desk"]
        assert row[4] == "until 09:45"
        assert [str(c) for c in table.get_row("6")][3] == "yes"  # old: disabled


async def test_add_user_shows_field_violations_next_to_fields_then_creates(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddUserScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert field_error(form, "username") == "is required"
        assert field_error(form, "roles") == "choose at least one role"
        assert field_error(form, "initial_password") == "must be at least 12 characters"
        assert form.query_one("#username", Input).has_focus
        # Enter walks the fields; Space ticks the first role; Ctrl+S sends.
        await pilot.press(*"jsmith", "enter", *"Jane Smith", "enter", *"temporary-secret", "enter")
        await pilot.press("space", "ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ShellScreen)
        assert fake.accounts["jsmith"].user.roles == ["front_desk"]
        table = app.screen.query_one("#users-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 7)
        assert str(table.get_row_at(table.cursor_row)[0]) == "jsmith"  # the new user is selected


async def test_a_rule_the_server_enforces_shows_as_its_sentence_in_the_form(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"mary", "enter", *"Another Mary", "enter", *"temporary-secret", "enter", "space")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AddUserScreen)
        assert text_of(app.screen.query_one("#form-message", Static)) == "The username mary is taken."


async def test_disable_asks_first_then_disables(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        table = app.screen.query_one("#users-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 6)
        await pilot.press("down", "d")  # mary
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert not fake.accounts["mary"].user.disabled
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: fake.accounts["mary"].user.disabled)
        await wait_for(pilot, lambda: str(table.get_row("2")[3]) == "yes")


async def test_stale_version_is_reported_as_a_sentence(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    messages = collect_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        table = app.screen.query_one("#users-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 6)
        fake.fail_next_call = StaleRecord("Someone else changed this user; reload and try again.")
        await pilot.press("down", "d", "y")
        await wait_for(pilot, lambda: any("Someone else changed" in m for m in messages))


async def test_server_error_shows_its_correlation_id(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    messages = collect_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        fake.fail_next_call = ServerError("The server hit an error.", "c0ffee42")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: any("c0ffee42" in m for m in messages))


# -- admin: workstations, audit, settings ------------------------------------------------


async def test_enroll_saves_the_bundle_privately_where_the_admin_says(fake: FakeGateway, tmp_path: Path) -> None:
    app = PmsApp(fake)
    target = tmp_path / "bundles" / "front3.pmsbundle"
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("f6", "e")
        await pilot.pause()
        assert isinstance(app.screen, EnrollWorkstationScreen)
        await pilot.press(*"FRONT-3", "enter", "enter")  # lifetime: the practice default
        await pilot.pause()
        path_input = app.screen.query_one("#bundle-path", Input)
        assert path_input.value == "./FRONT-3.pmsbundle"
        path_input.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert WorkstationBundle.from_bytes(target.read_bytes()).workstation_name == "FRONT-3"
        assert str(target) in text_of(app.screen.query_one("#form-message", Static))
        await pilot.press("enter")  # Done
        await pilot.pause()
        table = app.screen.query_one("#workstations-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4)


async def test_enroll_does_not_drop_an_unsaved_bundle_on_one_escape(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("f6", "e", *"FRONT-4", "enter", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, EnrollWorkstationScreen)
        assert "cannot be fetched again" in text_of(app.screen.query_one("#form-message", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ShellScreen)


async def test_revoke_needs_a_reason_and_a_yes(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("f6")
        table = app.screen.query_one("#workstations-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 3)
        await pilot.press("down", "x", "enter", "y")  # FRONT-2, no reason
        await pilot.pause()
        assert field_error(app.screen, "reason") == "say why, for the audit log"
        await pilot.press(*"stolen laptop", "enter", "y")
        await wait_for(pilot, lambda: fake.workstations[2].revoked)
        assert fake.workstations[2].revoked_reason == "stolen laptop"


async def test_audit_log_hides_patients_filters_pages_and_verifies(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("f7")
        table = app.screen.query_one("#audit-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 200)
        columns = [str(c.label) for c in table.columns.values()]
        patient = columns.index("Patient")
        # The IT admin may not see patient identifiers: the server says so, the table shows it.
        assert str(table.get_row("249")[patient]) == "(hidden)"
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: table.row_count == 50)
        assert "Page 2" in text_of(app.screen.query_one("#audit-page", Static))
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: table.row_count == 200)
        # Filters: username and a day range typed as YYYY-MM-DD.
        app.screen.query_one("#filter-username", Input).value = "bill"
        app.screen.query_one("#filter-since", Input).value = "2026-11-03"
        app.screen.query_one("#filter-until", Input).focus()
        await pilot.press(*"2026-11-03", "enter")
        await wait_for(pilot, lambda: fake.last_audit_filter is not None and fake.last_audit_filter.username == "bill")
        assert fake.last_audit_filter is not None and fake.last_audit_filter.since is not None
        assert fake.last_audit_filter.until is not None
        assert (fake.last_audit_filter.until - fake.last_audit_filter.since).days == 1
        assert all(str(table.get_row_at(i)[2]) == "bill" for i in range(table.row_count))
        # A mistyped date is marked at its field and nothing is sent.
        calls = len(fake.calls)
        app.screen.query_one("#filter-since", Input).value = "3.11.2026"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert field_error(app.screen, "since") == "YYYY-MM-DD"
        assert len(fake.calls) == calls
        fake.audit_chain_ok = False
        await pilot.press("f9")
        chain = app.screen.query_one("#audit-chain", Static)
        await wait_for(pilot, lambda: "BROKEN at sequence 17" in text_of(chain))


async def test_settings_save_with_version_and_show_violations(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("f8")
        idle = app.screen.query_one("#idle-timeout", Input)
        await wait_for(pilot, lambda: idle.value == "15")
        idle.value = "999"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert field_error(app.screen, "idle_timeout_minutes") == "must be 1 to 240 minutes"
        idle.value = "20"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: fake.settings.idle_timeout_minutes == 20)
        assert fake.settings.version == 4
        assert text_of(app.screen.query_one("#settings-message", Static)) == "Saved."


# -- session expiry, logout, connection ----------------------------------------------------


async def test_session_expiry_overlay_keeps_the_half_filled_form(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, AddUserScreen)
        await pilot.press(*"jsmith", "enter", *"Jane Smith", "enter", *"temporary-secret", "enter", "space")
        fake.expire_session_on_next_call = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        overlay = app.screen
        assert isinstance(overlay, ReloginScreen)
        assert app.screen_stack[-2] is form  # on top of the form, not instead of it
        assert overlay.query_one("#username", Input).value == "admin"
        assert overlay.query_one("#username", Input).disabled  # the same person carries on
        # A second failure while the overlay is up does not stack another one.
        app.show_error(SessionExpired("again"))
        await pilot.pause()
        assert sum(isinstance(s, ReloginScreen) for s in app.screen_stack) == 1
        await pilot.press(*"admin-pass", "enter")
        await pilot.pause()
        assert app.screen is form
        assert form.query_one("#username", Input).value == "jsmith"
        assert form.query_one("#display-name", Input).value == "Jane Smith"
        assert form.query_one("#initial-password", Input).value == "temporary-secret"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "jsmith" in fake.accounts)


async def test_a_tool_whose_first_load_met_an_expired_session_loads_after_login(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        fake.expire_session_on_next_call = True
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ReloginScreen)
        await pilot.press(*"admin-pass", "enter")
        await pilot.pause()
        table = app.screen.query_one("#workstations-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 3)


async def test_log_out_instead_of_logging_in_again_goes_to_the_login_screen(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        fake.expire_session_on_next_call = True
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ReloginScreen)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["LoginScreen"]


async def test_ctrl_l_logs_out_and_clears_the_screen(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("ctrl+l")  # from inside a form too
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert len(app.screen_stack) == 2  # the default screen and the login screen
        assert app.screen.query_one("#username", Input).value == ""
        await wait_for(pilot, lambda: "logout" in fake.calls)
        assert fake.session is None


async def test_quitting_ends_the_session_on_the_server_first(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: "logout" in fake.calls)
    assert fake.session is None
    assert app.return_code == 0


async def test_connection_state_follows_the_gateway(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        status = app.screen.query_one(StatusLine)
        connection = status.query_one("#status-connection", Static)
        assert "connected" in text_of(connection)
        fake.set_connection_state("offline")
        await wait_for(pilot, lambda: "offline" in text_of(connection))
        assert status.has_class("-offline")
        fake.set_connection_state("connecting")
        await wait_for(pilot, lambda: "connecting" in text_of(connection))


async def test_password_change_checks_the_repeat_then_asks_the_server(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press(*"admin-pass", "enter", *"a-much-longer-one", "enter", *"a-much-longer-two", "enter")
        await pilot.pause()
        assert "differ" in text_of(app.screen.query_one("#form-message", Static))
        assert "change_password" not in fake.calls
        app.screen.query_one("#repeat-password", Input).value = "a-much-longer-one"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: fake.accounts["admin"].password == "a-much-longer-one")
        assert isinstance(app.screen, ShellScreen)


async def test_a_temporary_password_must_be_changed_right_after_login(fake: FakeGateway) -> None:
    fake.add_account("newbie", "New Person", ["front_desk"], "temporary-secret").user.must_change_password = True
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "newbie", "temporary-secret")
        await pilot.pause()
        assert isinstance(app.screen, ChangePasswordScreen)
        assert "Choose your own" in text_of(app.screen.query_one("#form-intro", Static))


async def test_totp_enrollment_shows_the_secret_then_confirms_a_code(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*"admin-pass", "enter")
        await pilot.pause()
        screen = app.screen
        assert text_of(screen.query_one("#totp-secret", Static)) == "JBSW Y3DP EHPK 3PXP JBSW Y3DP"
        assert text_of(screen.query_one("#totp-uri", Static)).startswith("otpauth://totp/")
        await pilot.press(*"111111", "enter")
        await pilot.pause()
        assert field_error(screen, "totp_code").startswith("does not match")
        screen.query_one("#totp-code", Input).value = "654321"
        await pilot.press("enter")
        await wait_for(pilot, lambda: fake.accounts["admin"].totp_code == "654321")
        assert isinstance(app.screen, ShellScreen)


async def test_command_palette_runs_the_same_actions_as_the_keys(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"add user")
        await asyncio.sleep(0.5)  # the palette searches in the background
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, AddUserScreen)


async def test_command_palette_reaches_admin_actions_from_any_mode(fake: FakeGateway) -> None:
    app = PmsApp(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter_as(pilot, "admin", "admin-pass")
        await pilot.press("f3")  # Billing: no workstation keys here
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"enroll")
        await asyncio.sleep(0.5)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, EnrollWorkstationScreen)
        assert app.screen_stack[-2].query_one(TabbedContent).active == "workstations"
