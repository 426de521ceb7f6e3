"""Everything after login: the status line, the modes, and the keys to move between them."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer

from client_tui.commands import ElsewhereCommand
from client_tui.gateway import Gateway
from client_tui.screens.change_password_screen import ChangePasswordScreen
from client_tui.screens.totp_enrollment_screen import TotpEnrollmentScreen
from client_tui.widgets.admin_panel import AdminPanel, permitted_tabs
from client_tui.widgets.billing_panel import BillingPanel
from client_tui.widgets.claims_panel import ClaimsPanel
from client_tui.widgets.front_desk_panel import FrontDeskPanel
from client_tui.widgets.mode_bar import ModeBar
from client_tui.widgets.patient_finder import PatientFinder
from client_tui.widgets.planned_mode_panel import PlannedModePanel
from client_tui.widgets.reports_panel import ReportsPanel
from client_tui.widgets.schedule_panel import SchedulePanel
from client_tui.widgets.status_line import StatusLine
from shared.pms.auth.v1 import auth_pb2

BILLING_PLANS = [
    "entering and reviewing charges from superbills",
    "scrubbing and sending claims; working rejections and denials",
    "posting ERAs and checks",
    "patient statements and A/R follow-up",
]

# Schedule actions the command palette offers from any mode (they do not depend on the highlighted cell).
SCHEDULE_ELSEWHERE = frozenset({"find_slot", "flow_board", "waitlist", "recalls"})
# Reports actions offered from any mode (the dashboard, building a custom report).
REPORTS_ELSEWHERE = frozenset({"dashboard", "new_custom"})
# Billing screens the command palette opens from any mode (the claims worklist's T and K).
BILLING_ELSEWHERE = frozenset({"statements", "collections"})


class ShellScreen(Screen[None]):
    CSS_PATH = "shell_screen.tcss"

    # The mode and tab keys are always on screen (mode bar, tab labels), so the footer
    # keeps its room for the actions of the moment; the command palette lists them all.
    # F5-F8 are Admin's tabs from any mode and the finder owns F9; terminals take F10 (menu)
    # and F11 (full screen) for themselves, so Schedule is F12, Admin's Schedule setup Ctrl+G, Fees Ctrl+F and
    # Billing setup Ctrl+B.
    BINDINGS = [
        Binding("f2", "show_mode('front-desk')", "Front desk", show=False, id="mode.front_desk"),
        Binding("f3", "show_mode('billing')", "Billing", show=False, id="mode.billing"),
        Binding("f4", "show_mode('admin')", "Admin", show=False, id="mode.admin"),
        Binding("f12", "show_mode('schedule')", "Schedule", show=False, id="mode.schedule"),
        # No F-key is left (F1 is the terminal's help in many); priority, so the search box's Ctrl+E (end of line;
        # End does the same) does not swallow it.
        Binding("ctrl+e", "show_mode('reports')", "Reports", show=False, id="mode.reports", priority=True),
        Binding("f5", "show_admin_tab('users')", "Users", show=False, id="admin.users"),
        Binding("f6", "show_admin_tab('workstations')", "Workstations", show=False, id="admin.workstations"),
        Binding("f7", "show_admin_tab('audit')", "Audit log", show=False, id="admin.audit"),
        Binding("f8", "show_admin_tab('settings')", "Settings", show=False, id="admin.settings"),
        Binding(
            "ctrl+g", "show_admin_tab('schedule-setup')", "Schedule setup", show=False, id="admin.schedule_setup"
        ),
        Binding("ctrl+f", "show_admin_tab('fees')", "Fees", show=False, id="admin.fees"),
        Binding(
            "ctrl+b", "show_admin_tab('billing-setup')", "Billing setup", show=False, id="admin.billing_setup"
        ),
        Binding("ctrl+o", "change_password", "Password", tooltip="Change your own password", id="account.password"),
        Binding(
            "ctrl+t",
            "enroll_totp",
            "Two-factor",
            tooltip="Sign in with an authenticator app too",
            id="account.totp",
        ),
    ]

    mode: reactive[str] = reactive("front-desk", init=False)

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.permissions = set(session.permissions)
        self.admin_allowed = bool(permitted_tabs(self.permissions))
        self.schedule_allowed = "schedule.read" in self.permissions
        # Billers, managers and providers work encounters here; for others Billing says what it will hold.
        self.billing_allowed = "encounters.read" in self.permissions
        # Managers, billers and providers: the practice's reports and dashboard.
        self.reports_allowed = "reports.read" in self.permissions

    def modes(self) -> list[tuple[str, str, str]]:
        modes = [("front-desk", "f2", "Front desk"), ("billing", "f3", "Billing")]
        if self.admin_allowed:
            modes.append(("admin", "f4", "Admin"))
        if self.schedule_allowed:
            modes.append(("schedule", "f12", "Schedule"))
        if self.reports_allowed:
            modes.append(("reports", "ctrl+e", "Reports"))
        return modes

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield ModeBar(self.modes())
        with ContentSwitcher(id="modes", initial="front-desk"):
            yield FrontDeskPanel(self.gateway, self.session, id="front-desk")
            if self.billing_allowed:
                yield BillingPanel(self.gateway, self.session, id="billing")
            else:
                yield PlannedModePanel("Billing", BILLING_PLANS, self.session, id="billing")
            if self.admin_allowed:
                yield AdminPanel(self.gateway, self.permissions, id="admin")
            if self.schedule_allowed:
                yield SchedulePanel(self.gateway, self.session, id="schedule")
            if self.reports_allowed:
                yield ReportsPanel(self.gateway, self.session, id="reports")
        yield Footer()

    def on_mount(self) -> None:
        self.mode = self.starting_mode()
        if self.mode == "front-desk":
            # The default mode: no change, so watch_mode did not run.
            self.query_one(ModeBar).mode = self.mode
            self.call_after_refresh(self.query_one(FrontDeskPanel).focus_main)
        if self.session.must_change_password:
            self.app.push_screen(ChangePasswordScreen(self.gateway, required=True), self._password_changed)

    def starting_mode(self) -> str:
        # Where this person most likely works; any mode key moves on from there.
        roles = set(self.session.roles)
        if "biller" in roles:
            return "billing"
        if self.schedule_allowed and "provider" in roles and "front_desk" not in roles:
            return "schedule"  # a provider's day is their schedule
        if self.admin_allowed and not roles & {"front_desk", "provider"}:
            return "admin"
        return "front-desk"

    def watch_mode(self, mode: str) -> None:
        self.query_one("#modes", ContentSwitcher).current = mode
        self.query_one(ModeBar).mode = mode
        if mode == "admin":
            self.query_one(AdminPanel).focus_active_tab()
        elif mode == "front-desk":
            self.call_after_refresh(self.query_one(FrontDeskPanel).focus_main)
        elif mode == "schedule":
            self.query_one(SchedulePanel).shown()
        elif mode == "billing" and self.billing_allowed:
            self.query_one(BillingPanel).shown()
        elif mode == "reports" and self.reports_allowed:
            self.query_one(ReportsPanel).shown()
        else:
            self.set_focus(None)
        self.refresh_bindings()

    def on_screen_resume(self) -> None:
        # Back from a patient (or a dialog): the results may show what was just changed.
        if self.mode == "front-desk":
            self.query_one(FrontDeskPanel).refresh_results()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_mode" and parameters == ("admin",):
            return self.admin_allowed
        if action == "show_mode" and parameters == ("schedule",):
            return self.schedule_allowed
        if action == "show_mode" and parameters == ("reports",):
            return self.reports_allowed
        if action == "show_admin_tab":
            # From any mode: F6 goes straight to Admin > Workstations.
            return self.admin_allowed and self.query_one(AdminPanel).has_tab(str(parameters[0]))
        return True

    def commands_elsewhere(self) -> Iterator[ElsewhereCommand]:
        """For the command palette: the finder's and every admin tool's actions, from any mode or tab."""
        for finder in self.query(PatientFinder):
            for binding in finder.BINDINGS:
                if isinstance(binding, Binding) and binding.id and finder.check_action(binding.action, ()) is True:
                    yield ElsewhereCommand(
                        "Front desk: ", finder, binding, partial(self.action_show_mode, "front-desk")
                    )
        for claims in self.query(ClaimsPanel):
            for binding in claims.BINDINGS:
                if isinstance(binding, Binding) and binding.action in BILLING_ELSEWHERE \
                        and claims.check_action(binding.action, ()) is True:
                    yield ElsewhereCommand("Billing: ", claims, binding, partial(self.action_show_mode, "billing"))
        for schedule in self.query(SchedulePanel):
            for binding in schedule.BINDINGS:
                if isinstance(binding, Binding) and binding.action in SCHEDULE_ELSEWHERE:
                    yield ElsewhereCommand("Schedule: ", schedule, binding, partial(self.action_show_mode, "schedule"))
        for reports in self.query(ReportsPanel):
            for binding in reports.BINDINGS:
                if isinstance(binding, Binding) and binding.action in REPORTS_ELSEWHERE \
                        and reports.check_action(binding.action, ()) is True:
                    yield ElsewhereCommand("Reports: ", reports, binding, partial(self.action_show_mode, "reports"))
        if not self.admin_allowed:
            return
        admin = self.query_one(AdminPanel)
        for tab, tool in admin.tools():
            for binding in tool.BINDINGS:
                # True only: greyed-out actions (nothing selected there) are left out.
                if isinstance(binding, Binding) and tool.check_action(binding.action, ()) is True:
                    yield ElsewhereCommand(
                        f"{tab.title}: ", tool, binding, partial(self.action_show_admin_tab, tab.pane_id)
                    )

    def action_show_mode(self, mode: str) -> None:
        if (mode != "admin" or self.admin_allowed) and (mode != "schedule" or self.schedule_allowed) \
                and (mode != "reports" or self.reports_allowed):
            self.mode = mode

    def action_show_admin_tab(self, pane_id: str) -> None:
        if self.admin_allowed:
            # Tab first, then mode: only the tool being opened gets the focus (a focus on
            # the previous tab's tool, still pending, would switch the tab back).
            self.query_one(AdminPanel).show_tab(pane_id)
            self.mode = "admin"

    @on(ModeBar.Chosen)
    def _mode_clicked(self, message: ModeBar.Chosen) -> None:
        self.action_show_mode(message.mode)

    def action_change_password(self) -> None:
        self.app.push_screen(ChangePasswordScreen(self.gateway), self._password_changed)

    def _password_changed(self, changed: bool | None) -> None:
        if changed:
            self.app.notify("Your password is changed.")

    def action_enroll_totp(self) -> None:
        def say_done(enabled: bool | None) -> None:
            if enabled:
                self.app.notify("Two-factor sign-in is on: from now on you also type a code at login.")

        self.app.push_screen(TotpEnrollmentScreen(self.gateway), say_done)

    def session_resumed(self, session: auth_pb2.Session) -> None:
        """After a login on the session-expired overlay: same person, fresh session."""
        self.session = session
        self.query_one(StatusLine).show_session(session)
        if self.admin_allowed:
            self.query_one(AdminPanel).load_what_is_missing()
        if self.schedule_allowed:
            self.query_one(SchedulePanel).load_what_is_missing()
        if self.billing_allowed:
            self.query_one(BillingPanel).load_what_is_missing()
        if self.reports_allowed:
            self.query_one(ReportsPanel).load_what_is_missing()
