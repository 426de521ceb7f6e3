"""Jump the calendar to a day typed as MM/DD/YYYY."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.widgets import Input

from client_tui import formatting
from client_tui.gateway import FieldViolation
from client_tui.screens.form_screen import FormScreen
from client_tui.typed_values import DATE_HINT, UnreadableValue, calendar_day_from_text
from client_tui.widgets.form_field import FormField, show_violations


class GoToDateScreen(FormScreen[date | None]):
    """Dismisses with the day typed, or None."""

    CSS_PATH = "go_to_date_screen.tcss"
    FORM_TITLE = "Go to date"
    SUBMIT_LABEL = "Show"

    def __init__(self, shown: date) -> None:
        super().__init__()
        self.shown = shown

    def compose_fields(self) -> ComposeResult:
        yield FormField(
            "Date", Input(formatting.calendar_date_of(self.shown), placeholder=DATE_HINT, id="go-date"), "date"
        )

    def on_mount(self) -> None:
        super().on_mount()
        field = self.query_one("#go-date", Input)
        field.focus()
        field.select_all()

    def submit(self) -> None:
        try:
            day = calendar_day_from_text(self.query_one("#go-date", Input).value)
        except UnreadableValue as error:
            show_violations(self, [FieldViolation("date", str(error))])
            return
        if day is None:
            show_violations(self, [FieldViolation("date", f"type a day as {DATE_HINT}")])
            return
        self.dismiss(day)
