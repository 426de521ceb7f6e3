"""Admin > Settings: the practice-wide numbers an administrator may change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, InvalidInput, StaleRecord
from client_tui.widgets.admin_tool import AdminTool
from client_tui.widgets.form_field import FormField, clear_field_errors, show_violations
from client_tui.workers import gateway_call
from shared.pms.admin.v1 import admin_pb2


class SettingsPanel(AdminTool):
    DEFAULT_CSS = """
    SettingsPanel {
        height: 1fr;
        padding: 1 2;
    }
    SettingsPanel > FormField {
        width: 60;
    }
    SettingsPanel > #settings-practice {
        margin-bottom: 1;
        text-style: bold;
    }
    SettingsPanel > #settings-message {
        height: auto;
    }
    SettingsPanel > #settings-message.-error {
        color: $text-error;
        text-style: bold;
    }
    SettingsPanel > #settings-message.-saved {
        color: $text-success;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the practice settings", id="settings.save"),
        Binding(
            "ctrl+r",
            "reload",
            "Reload",
            tooltip="Fetch the settings again (drops unsaved changes)",
            id="settings.reload",
        ),
    ]

    def __init__(self, gateway: Gateway, can_manage: bool, id: str | None = None) -> None:
        super().__init__(gateway, id=id)
        self.can_manage = can_manage
        self.settings: admin_pb2.PracticeSettings | None = None

    def compose(self) -> ComposeResult:
        yield Static("Loading settings…", id="settings-practice", markup=False)
        read_only = not self.can_manage
        yield FormField(
            "Idle timeout (minutes)",
            Input(id="idle-timeout", type="integer", disabled=read_only),
            "idle_timeout_minutes",
            hint="A session unused for this long ends; the user logs in again.",
        )
        yield FormField(
            "Workstation certificate lifetime (days)",
            Input(id="cert-days", type="integer", disabled=read_only),
            "workstation_cert_days",
            hint="Used when a workstation is enrolled without a lifetime of its own.",
        )
        yield Static("", id="settings-message", markup=False)

    def focus_main(self) -> None:
        self.query_one("#idle-timeout", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return self.can_manage and self.settings is not None
        return True

    @gateway_call
    async def load_settings(self) -> None:
        self._show(await self.gateway.get_practice_settings())
        self.loaded = True
        self._say("", "")

    def _show(self, settings: admin_pb2.PracticeSettings) -> None:
        self.settings = settings
        self.query_one("#settings-practice", Static).update(
            f"{settings.practice_name} · time zone {settings.time_zone}"
        )
        self.query_one("#idle-timeout", Input).value = str(settings.idle_timeout_minutes)
        self.query_one("#cert-days", Input).value = str(settings.workstation_cert_days)
        self.refresh_bindings()

    def reload(self) -> None:
        clear_field_errors(self)
        self.load_settings()

    def action_reload(self) -> None:
        self.reload()

    def action_save(self) -> None:
        if self.settings is None:
            return
        clear_field_errors(self)
        changed = admin_pb2.PracticeSettings()
        changed.CopyFrom(self.settings)  # carries the version the user started from
        for input_id, field_name in (
            ("#idle-timeout", "idle_timeout_minutes"),
            ("#cert-days", "workstation_cert_days"),
        ):
            text = self.query_one(input_id, Input).value.strip()
            try:
                setattr(changed, field_name, int(text))
            except ValueError:
                form_field = self.query_one(input_id, Input).parent
                assert isinstance(form_field, FormField)
                form_field.set_error("Type a whole number.")
                return
        self._say("Saving…", "")
        self.save_settings(changed)

    @gateway_call
    async def save_settings(self, changed: admin_pb2.PracticeSettings) -> None:
        self._show(await self.gateway.update_practice_settings(changed))
        self._say("Saved.", "-saved")

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, InvalidInput):
            unmatched = show_violations(self, error.violations)
            self._say(
                describe(InvalidInput(unmatched)) if unmatched else "Please correct the fields marked.",
                "-error",
            )
        elif isinstance(error, StaleRecord):
            self._say(f"{describe(error)} Ctrl+R fetches the current settings.", "-error")
        else:
            self._say(describe(error), "-error")
        return True

    def _say(self, text: str, kind: str) -> None:
        message = self.query_one("#settings-message", Static)
        message.update(text)
        message.set_classes(kind)
