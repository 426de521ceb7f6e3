"""What the Schedule setup dialogs share: fields in rows (so a dialog fits 80x24), filled from the record.

Each dialog names its fields by the request path the server uses in its violations ("provider.npi"), so
a refused save shows each problem beside its field. Escape with unsaved typing warns once, then leaves.
"""

from __future__ import annotations

from typing import TypeVar

from client_tui.form_values import FormValues, write_control
from client_tui.gateway import Gateway
from client_tui.screens.form_screen import RecordFormScreen
from client_tui.widgets.form_field import FormField

ResultT = TypeVar("ResultT")


class SetupFormScreen(RecordFormScreen[ResultT]):
    DEFAULT_CSS = """
    SetupFormScreen > #form-card {
        width: 76;
        max-height: 100%;
    }
    SetupFormScreen .form-row {
        height: auto;
    }
    SetupFormScreen .form-row > FormField {
        width: 1fr;
        margin-right: 2;
    }
    SetupFormScreen .form-row > FormField:last-of-type {
        margin-right: 0;
    }
    SetupFormScreen #form-fields {
        max-height: 100%;
    }
    SetupFormScreen #form-buttons {
        margin: 0 0 1 0;
    }
    """

    def __init__(self, gateway: Gateway) -> None:
        super().__init__()
        self.gateway = gateway
        self.started_values: FormValues = {}
        self.warned_unsaved = False

    def on_mount(self) -> None:
        super().on_mount()
        self.fill()
        self.started_values = self.form_values()
        controls = self.field_controls()
        if controls:
            controls[0].focus()

    def fill(self) -> None:
        """Write the record's values into the fields (``write`` each key)."""

    def write(self, values: FormValues) -> None:
        for key, value in values.items():
            write_control(self.control(key), value)

    def typed(self) -> bool:
        return self.form_values() != self.started_values

    def action_cancel(self) -> None:
        self.leave_unless_unsaved(self.typed())

    def mark(self, key: str, text: str) -> None:
        """A problem found before sending: beside its field, which gets the focus."""
        for form_field in self.query(FormField):
            if form_field.field_name == key:
                form_field.set_error(text)
                form_field.control.focus()
        self.say("Please correct the field marked.")
