"""The frame every dialog form shares: title, fields, a message line, Save and Cancel.

A subclass yields its fields from ``compose_fields`` and starts its gateway call from
``submit``. Enter moves to the next field (or the next of ``KEY_FIELDS``, when a long form
names its key fields) and submits from the last; Ctrl+S submits from anywhere; Escape
cancels. Failures of the call show in the form, next to the fields.
"""

from __future__ import annotations

from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Select, Static

from client_tui.choices import Choices
from client_tui.form_values import FormValues, control_id, read_control
from client_tui.gateway import GatewayError
from client_tui.widgets.form_field import FormField, clear_field_errors, form_error_sentence

ResultT = TypeVar("ResultT")


class FormScreen(ModalScreen[ResultT]):
    DEFAULT_CSS = """
    FormScreen {
        align: center middle;
    }
    FormScreen > #form-card {
        width: 70;
        height: auto;
        max-height: 90%;
        border: round $primary;
        border-title-style: bold;
        background: $panel;
        padding: 1 2 0 2;
    }
    FormScreen #form-fields {
        height: auto;
        max-height: 30;
    }
    FormScreen #form-intro {
        margin-bottom: 1;
    }
    FormScreen #form-message {
        height: auto;
        color: $text-error;
        text-style: bold;
    }
    FormScreen #form-message.-info {
        color: $text-success;
    }
    FormScreen #form-buttons {
        height: auto;
        align-horizontal: right;
        margin: 1 0;
    }
    FormScreen #form-buttons > Button {
        margin-left: 2;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without saving", id="form.cancel"),
        Binding(
            "ctrl+s",
            "submit",
            "Save",
            tooltip="Send the form (Enter in the last field does too)",
            id="form.submit",
        ),
    ]

    FORM_TITLE = ""
    INTRO = ""
    SUBMIT_LABEL = "Save"
    # Ids of the controls Enter jumps between (then it saves); empty: Enter visits every field.
    KEY_FIELDS: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="form-card"):
            if self.INTRO or self.intro():
                yield Static(self.intro() or self.INTRO, id="form-intro", markup=False)
            with VerticalScroll(id="form-fields", can_focus=False):
                yield from self.compose_fields()
            yield Static("", id="form-message", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(self.SUBMIT_LABEL, id="form-submit", variant="primary")
                yield Button("Cancel", id="form-cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#form-card").border_title = self.FORM_TITLE

    def intro(self) -> str:
        """Text above the fields that depends on the record (``INTRO`` when it does not)."""
        return ""

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def submit(self) -> None:
        """Start the gateway call (a ``@gateway_call`` method) with the fields' values."""
        raise NotImplementedError

    # -- keys -------------------------------------------------------------------
    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        clear_field_errors(self)
        self.say("")
        self.submit()

    @on(Button.Pressed, "#form-submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _next_field_or_submit(self, event: Input.Submitted) -> None:
        event.stop()
        controls = self.field_controls()
        if event.input not in controls:
            self.action_submit()
            return
        following = controls[controls.index(event.input) + 1 :]
        if self.KEY_FIELDS:
            following = [w for w in following if w.id in self.KEY_FIELDS]
        if following:
            following[0].focus()
        else:
            self.action_submit()

    def field_controls(self) -> list[Widget]:
        """The fields' inputs the user can reach now, in Tab order (inside composite controls too)."""
        return [w for w in self.focus_chain if any(isinstance(a, FormField) for a in w.ancestors)]

    # -- messages ---------------------------------------------------------------
    def say(self, text: str, info: bool = False) -> None:
        message = self.query_one("#form-message", Static)
        message.update(text)
        message.set_class(info, "-info")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(form_error_sentence(self, error, "Please correct the fields marked."))
        return True


class RecordFormScreen(FormScreen[ResultT]):
    """A form for one record whose fields are named by their request path ("patient.name.last"): the server's
    field violations land beside them, and the values are read and written as one dict.

    Subclasses set VALUE_PREFIX, CAPITALS, and ``started_values`` / ``warned_unsaved`` once the form is filled.
    """

    # The request message the fields belong to, e.g. "patient.".
    VALUE_PREFIX = ""
    # Control ids typed in capitals whatever the keyboard says (F/M/U, USPS state codes).
    CAPITALS: frozenset[str] = frozenset()

    started_values: FormValues
    warned_unsaved: bool

    @staticmethod
    def text(
        key: str, label: str, placeholder: str = "", max_length: int = 0, restrict: str | None = None
    ) -> FormField:
        control = Input(
            placeholder=placeholder, id=control_id(key), max_length=max_length, restrict=restrict, compact=True
        )
        return FormField(label, control, key)

    @staticmethod
    def choice(key: str, label: str, choices: Choices | list[tuple[str, str]]) -> FormField:
        select: Select[int | str] = Select(choices, allow_blank=False, id=control_id(key), compact=True)
        return FormField(label, select, key)

    @staticmethod
    def flag(key: str, label: str, text: str) -> FormField:
        return FormField(label, Checkbox(text, id=control_id(key), compact=True), key)

    def control(self, key: str) -> Widget:
        return self.query_one(f"#{control_id(key)}")

    def value_keys(self) -> list[str]:
        return [f.field_name for f in self.query(FormField) if f.field_name.startswith(self.VALUE_PREFIX)]

    def form_values(self) -> FormValues:
        return {key: read_control(self.control(key)) for key in self.value_keys()}

    @on(Input.Changed)
    def _in_capitals(self, event: Input.Changed) -> None:
        if event.input.id in self.CAPITALS and event.value != event.value.upper():
            event.input.value = event.value.upper()

    def leave_unless_unsaved(self, typed: bool) -> None:
        """Escape: the first one with unsaved typing only warns; the second leaves."""
        if typed and not self.warned_unsaved:
            self.warned_unsaved = True
            self.say("What you typed is not saved. Escape again leaves without saving; Ctrl+S saves.")
            return
        self.dismiss(None)
