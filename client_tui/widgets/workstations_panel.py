"""Admin > Workstations: which computers hold a certificate, enroll and revoke them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from client_tui import formatting
from client_tui.gateway import Gateway
from client_tui.screens.enroll_workstation_screen import EnrollWorkstationScreen
from client_tui.screens.revoke_workstation_screen import RevokeWorkstationScreen
from client_tui.widgets.admin_tool import AdminTool
from client_tui.workers import gateway_call
from shared.pms.admin.v1 import admin_pb2

COLUMNS = ("Name", "Certificate serial", "Issued", "Expires", "Revoked", "Last seen")


def revoked_text(workstation: admin_pb2.Workstation) -> Text:
    if not workstation.revoked:
        return Text("no", style="dim")
    when = formatting.day(workstation.revoked_at)
    reason = f": {workstation.revoked_reason}" if workstation.revoked_reason else ""
    return Text(f"{when}{reason}" or "yes", style="bold red")


class WorkstationsPanel(AdminTool):
    DEFAULT_CSS = """
    WorkstationsPanel > DataTable {
        height: 1fr;
    }
    WorkstationsPanel > #workstations-summary {
        height: 1;
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding(
            "e",
            "enroll",
            "Enroll",
            tooltip="Issue a certificate and bundle for a new workstation",
            id="workstations.enroll",
        ),
        Binding(
            "x",
            "revoke",
            "Revoke",
            tooltip="Refuse the selected workstation's certificate from now on",
            id="workstations.revoke",
        ),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the workstations again", id="workstations.reload"),
    ]

    def __init__(self, gateway: Gateway, can_manage: bool, id: str | None = None) -> None:
        super().__init__(gateway, id=id)
        self.can_manage = can_manage
        self.workstations: dict[str, admin_pb2.Workstation] = {}

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="workstations-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("Loading workstations…", id="workstations-summary")

    def focus_main(self) -> None:
        self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("enroll", "revoke") and not self.can_manage:
            return False
        if action == "revoke" and self.selected_workstation() is None:
            return None
        return True

    @gateway_call
    async def load_workstations(self, select_id: int = 0) -> None:
        workstations = await self.gateway.list_workstations(include_revoked=True)
        self.loaded = True
        table = self.query_one(DataTable)
        keep_row = table.cursor_row
        table.clear()
        self.workstations = {str(w.workstation_id): w for w in workstations}
        for workstation in workstations:
            table.add_row(
                workstation.name,
                workstation.certificate_serial,
                formatting.day(workstation.issued_at),
                formatting.day(workstation.expires_at),
                revoked_text(workstation),
                formatting.instant(workstation.last_seen_at) or "never",
                key=str(workstation.workstation_id),
            )
        if select_id and str(select_id) in self.workstations:
            table.move_cursor(row=table.get_row_index(str(select_id)))
        elif workstations:
            table.move_cursor(row=min(keep_row, len(workstations) - 1))
        revoked = sum(w.revoked for w in workstations)
        self.query_one("#workstations-summary", Static).update(f"{len(workstations)} workstations · {revoked} revoked")
        self.refresh_bindings()

    def selected_workstation(self) -> admin_pb2.Workstation | None:
        table = self.query_one(DataTable)
        if not self.workstations or table.row_count == 0:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self.workstations.get(str(row_key.value))

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def reload(self) -> None:
        self.load_workstations()

    def action_reload(self) -> None:
        self.reload()

    def action_enroll(self) -> None:
        def show_enrolled(workstation: admin_pb2.Workstation | None) -> None:
            if workstation is not None:
                self.load_workstations(select_id=workstation.workstation_id)

        self.app.push_screen(EnrollWorkstationScreen(self.gateway), show_enrolled)

    def action_revoke(self) -> None:
        workstation = self.selected_workstation()
        if workstation is None:
            return

        def reload_and_say(revoked: admin_pb2.Workstation | None) -> None:
            if revoked is not None:
                self.app.notify(f"Revoked {revoked.name}.")
                self.load_workstations(select_id=revoked.workstation_id)

        self.app.push_screen(RevokeWorkstationScreen(self.gateway, workstation), reload_and_say)
