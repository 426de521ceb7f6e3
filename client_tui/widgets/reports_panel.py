"""Reports mode (Ctrl+E): the reports this user may run, grouped as the server groups them, then the saved custom
reports; the highlighted one's description below the list.

Enter asks for the report's parameters and runs it (the result opens on its own screen); D opens the dashboard. For
those who build reports (``reports.customize``): N builds a new custom report, E changes the highlighted one (its
owner only) and Delete deletes it after asking.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, ReportTarget
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.custom_report_screen import CustomReportScreen
from client_tui.screens.dashboard_screen import DashboardScreen
from client_tui.screens.report_params_screen import CUSTOM_FILTERS, ReportParamsScreen, RunResult
from client_tui.screens.report_result_screen import ReportResultScreen
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.reports.v1 import reports_pb2 as rp

CUSTOM_GROUP = "Custom reports"


class ReportList(OptionList, inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select", "Run", tooltip="Choose the parameters of the highlighted report and run it",
                id="reports.run"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]

    DEFAULT_CSS = """
    ReportList {
        height: 1fr;
        border: none;
        padding: 0 1;
    }
    """


class ReportsPanel(Vertical):
    DEFAULT_CSS = """
    ReportsPanel {
        height: 1fr;
    }
    ReportsPanel > #reports-intro {
        height: auto;
        padding: 0 1;
        margin-top: 1;
        color: $text-muted;
    }
    ReportsPanel > #reports-description {
        height: auto;
        min-height: 2;
        padding: 0 1;
        border-top: solid $border-blurred;
    }
    ReportsPanel > #reports-message {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    ReportsPanel > #reports-message.-error {
        color: $text-error;
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("d", "dashboard", "Dashboard", tooltip="KPIs against goals, monthly trends and aging",
                id="reports.dashboard"),
        Binding("n", "new_custom", "New custom", tooltip="Build a report from the catalog's measures and dimensions",
                id="reports.new_custom"),
        Binding("e", "edit_custom", "Edit custom", tooltip="Change the highlighted custom report (yours only)",
                id="reports.edit_custom"),
        Binding("delete", "delete_custom", "Delete custom", tooltip="Delete the highlighted custom report (asks)",
                id="reports.delete_custom"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the list of reports again", id="reports.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, id: str | None = None) -> None:
        super().__init__(id=id)
        self.gateway = gateway
        self.session = session
        self.can_customize = "reports.customize" in session.permissions
        self.reports: dict[str, rp.ReportInfo] = {}
        self.custom: dict[int, rp.CustomReport] = {}
        self.loaded = False
        self.was_shown = False

    def compose(self) -> ComposeResult:
        keys = "Enter runs the highlighted report · D dashboard"
        if self.can_customize:
            keys += " · N new custom report"
        yield Static(keys, id="reports-intro", markup=False)
        yield ReportList(id="reports-list")
        yield Static("", id="reports-description", markup=False)
        yield Static("Loading the reports…", id="reports-message", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_custom":
            return self.can_customize
        if action in ("edit_custom", "delete_custom"):
            if not self.can_customize:
                return False
            chosen = self.highlighted_custom()
            return True if chosen is not None and chosen.owner == self.session.username else None
        return True

    def shown(self) -> None:
        self.was_shown = True
        if not self.loaded:
            self.load()
        self.call_after_refresh(self.query_one(ReportList).focus)

    def load_what_is_missing(self) -> None:
        if self.was_shown and not self.loaded:
            self.load()

    # -- the list ---------------------------------------------------------------------------
    @gateway_call
    async def load(self, then_say: str = "", select: str = "") -> None:
        reports = await self.gateway.list_reports()
        custom = await self.gateway.list_custom_reports()
        self.reports = {r.report: r for r in reports}
        self.custom = {c.custom_report_id: c for c in custom}
        self.loaded = True
        listing = self.query_one(ReportList)
        keep = select or self.highlighted_id()
        listing.clear_options()
        groups: dict[str, list[rp.ReportInfo]] = {}
        for info in reports:
            groups.setdefault(info.group or "Other", []).append(info)
        options: list[Option | None] = []
        for group, infos in groups.items():
            options.append(Option(Text(group, style="bold"), disabled=True))
            options.extend(Option(Text("  " + info.title), id=f"r:{info.report}") for info in infos)
        if custom:
            options.append(Option(Text(CUSTOM_GROUP, style="bold"), disabled=True))
            for saved in custom:
                owner = "" if saved.owner == self.session.username else f"  (by {saved.owner})"
                options.append(Option(Text.assemble("  " + saved.definition.title, (owner, "dim")),
                                      id=f"c:{saved.custom_report_id}"))
        listing.add_options(options)
        ids = [o.id for o in listing.options]
        if keep and keep in ids:
            listing.highlighted = ids.index(keep)
        else:
            listing.highlighted = next((i for i, o in enumerate(listing.options) if not o.disabled), None)
        count = f"{len(reports)} reports" + (f" and {len(custom)} custom" if custom else "")
        self.say(then_say or f"{count}. Enter runs the highlighted one.")
        self._describe()
        self.refresh_bindings()

    def highlighted_id(self) -> str:
        listing = self.query_one(ReportList)
        if listing.highlighted is None:
            return ""
        return listing.get_option_at_index(listing.highlighted).id or ""

    def highlighted_custom(self) -> rp.CustomReport | None:
        chosen = self.highlighted_id()
        return self.custom.get(int(chosen[2:])) if chosen.startswith("c:") else None

    @on(OptionList.OptionHighlighted, "#reports-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._describe()
        self.refresh_bindings()

    def _describe(self) -> None:
        chosen = self.highlighted_id()
        text = ""
        if chosen.startswith("r:") and chosen[2:] in self.reports:
            info = self.reports[chosen[2:]]
            filters = ", ".join(f.replace("_", " ") for f in info.filters) or "none"
            phi = " Names patients." if info.names_patients else ""
            text = f"{info.description}{phi}\nFilters: {filters}."
        elif (saved := self.highlighted_custom()) is not None:
            d = saved.definition
            shared = f"; shared with {', '.join(d.shared_with_roles)}" if d.shared_with_roles else ""
            text = (f"Custom report by {saved.owner}{shared}.\n"
                    f"Measures: {', '.join(d.measures)} · by: {', '.join(d.dimensions) or 'nothing (one row)'}.")
        self.query_one("#reports-description", Static).update(text)

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#reports-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(describe(error), error=True)
        return True

    # -- running ------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#reports-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        chosen = self.highlighted_id()
        if chosen.startswith("r:") and chosen[2:] in self.reports:
            info = self.reports[chosen[2:]]
            self.ask_and_run(ReportTarget(report=info.report), info.title, info.description, tuple(info.filters))
        elif (saved := self.highlighted_custom()) is not None:
            self.ask_and_run(ReportTarget(custom_report_id=saved.custom_report_id), saved.definition.title,
                             f"Custom report by {saved.owner}.", CUSTOM_FILTERS, saved.definition.filter)

    def ask_and_run(self, target: ReportTarget, title: str, description: str, filters: tuple[str, ...],
                    start_with: rp.ReportFilter | None = None) -> None:
        def ran(result: RunResult | None) -> None:
            if result is None:
                return
            table, flt = result
            self.app.push_screen(ReportResultScreen(self.gateway, self.session, target, table, flt, description,
                                                    filters))

        self.app.push_screen(ReportParamsScreen(self.gateway, target, title, description, filters, start_with), ran)

    def action_dashboard(self) -> None:
        self.app.push_screen(DashboardScreen(self.gateway, self.session))

    # -- custom reports -----------------------------------------------------------------------
    def action_new_custom(self) -> None:
        if self.can_customize:
            self.app.push_screen(CustomReportScreen(self.gateway), self._saved)

    def action_edit_custom(self) -> None:
        saved = self.highlighted_custom()
        if self.can_customize and saved is not None and saved.owner == self.session.username:
            self.app.push_screen(CustomReportScreen(self.gateway, saved), self._saved)

    def _saved(self, saved: rp.CustomReport | None) -> None:
        if saved is not None:
            self.load(f"Saved the custom report “{saved.definition.title}”.", f"c:{saved.custom_report_id}")

    def action_delete_custom(self) -> None:
        saved = self.highlighted_custom()
        if not self.can_customize or saved is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(saved)

        self.app.push_screen(ConfirmScreen("Delete custom report",
                                           f"Delete the custom report “{saved.definition.title}”? Whoever it is "
                                           "shared with loses it too.", "Delete"), answered)

    @gateway_call
    async def delete(self, saved: rp.CustomReport) -> None:
        await self.gateway.delete_custom_report(saved.custom_report_id, saved.version)
        self.load(f"Deleted the custom report “{saved.definition.title}”.")

    def action_reload(self) -> None:
        self.load()
