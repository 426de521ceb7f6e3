"""Admin mode: one tab per tool, each shown only when the session holds its permission."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import TabbedContent, TabPane

from client_tui.gateway import Gateway
from client_tui.widgets.admin_tool import AdminTool
from client_tui.widgets.audit_panel import AuditPanel
from client_tui.widgets.billing_setup_panel import BillingSetupPanel
from client_tui.widgets.fees_panel import FeesPanel
from client_tui.widgets.schedule_setup_panel import ScheduleSetupPanel
from client_tui.widgets.settings_panel import SettingsPanel
from client_tui.widgets.users_panel import UsersPanel
from client_tui.widgets.workstations_panel import WorkstationsPanel


@dataclass(frozen=True)
class AdminTab:
    pane_id: str
    title: str
    key: str
    # The tab is offered when the session holds any of these (the server checks again).
    read_permissions: tuple[str, ...]


ADMIN_TABS = (
    AdminTab("users", "Users", "f5", ("users.read",)),
    AdminTab("workstations", "Workstations", "f6", ("workstations.read",)),
    AdminTab("audit", "Audit log", "f7", ("audit.read",)),
    AdminTab("settings", "Settings", "f8", ("practice.settings.read", "practice.settings.manage")),
    # F9 is the patient finder's and the audit log's, F10/F11 the terminal's: a Ctrl key instead.
    AdminTab("schedule-setup", "Schedule setup", "ctrl+g", ("schedule.setup",)),
    # Managers set fees and contracts; billers look them up (read only).
    AdminTab("fees", "Fees", "ctrl+f", ("fees.read", "fees.manage")),
    # The practice's billing identity and the scrubber's setup: managers only.
    AdminTab("billing-setup", "Billing setup", "ctrl+b", ("claims.setup",)),
)


def key_label(key: str) -> str:
    """"f5" -> "F5", "ctrl+g" -> "^G", as the tab titles show them."""
    return f"^{key.removeprefix('ctrl+').upper()}" if key.startswith("ctrl+") else key.upper()


def permitted_tabs(permissions: set[str]) -> list[AdminTab]:
    return [tab for tab in ADMIN_TABS if permissions.intersection(tab.read_permissions)]


class AdminPanel(Vertical):
    DEFAULT_CSS = """
    AdminPanel {
        height: 1fr;
    }
    AdminPanel > TabbedContent {
        height: 1fr;
    }
    AdminPanel TabPane {
        padding: 0;
    }
    """

    def __init__(self, gateway: Gateway, permissions: set[str], id: str | None = None) -> None:
        super().__init__(id=id)
        self.gateway = gateway
        self.permissions = permissions
        self.tabs = permitted_tabs(permissions)

    def compose(self) -> ComposeResult:
        can = self.permissions.__contains__
        panels = {
            "users": lambda: UsersPanel(self.gateway, can("users.manage"), id="users-panel"),
            "workstations": lambda: WorkstationsPanel(
                self.gateway, can("workstations.manage"), id="workstations-panel"
            ),
            "audit": lambda: AuditPanel(self.gateway, id="audit-panel"),
            "settings": lambda: SettingsPanel(self.gateway, can("practice.settings.manage"), id="settings-panel"),
            "schedule-setup": lambda: ScheduleSetupPanel(
                self.gateway, can("schedule.setup"), id="schedule-setup-panel"
            ),
            "fees": lambda: FeesPanel(self.gateway, can("fees.manage"), id="fees-panel"),
            "billing-setup": lambda: BillingSetupPanel(self.gateway, can("claims.setup"), id="billing-setup-panel"),
        }
        with TabbedContent(id="admin-tabs"):
            for tab in self.tabs:
                with TabPane(f"{key_label(tab.key)} {tab.title}", id=tab.pane_id):
                    yield panels[tab.pane_id]()

    def has_tab(self, pane_id: str) -> bool:
        return any(tab.pane_id == pane_id for tab in self.tabs)

    def show_tab(self, pane_id: str) -> None:
        if self.has_tab(pane_id):
            self.query_one(TabbedContent).active = pane_id
            self.focus_active_tab()

    def tools(self) -> list[tuple[AdminTab, AdminTool]]:
        return [(tab, self.query_one(f"#{tab.pane_id}", TabPane).query_one(AdminTool)) for tab in self.tabs]

    def active_tool(self) -> AdminTool | None:
        pane = self.query_one(TabbedContent).active_pane
        return pane.query_one(AdminTool) if pane is not None else None

    def focus_active_tab(self) -> None:
        tool = self.active_tool()
        if tool is not None:
            self.call_after_refresh(tool.focus_main)

    def load_what_is_missing(self) -> None:
        """After a new login: the tool on screen fetches its data if it never got it."""
        tool = self.active_tool()
        if tool is not None:
            tool.load_if_missing()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self) -> None:
        self.focus_active_tab()
