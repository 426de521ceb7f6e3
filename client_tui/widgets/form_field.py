"""A labelled input with a line under it for what the server said about the field."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Label, Static

from client_tui.errors import describe
from client_tui.gateway import FieldViolation, GatewayError, InvalidInput


class FormField(Vertical):
    DEFAULT_CSS = """
    FormField {
        height: auto;
        margin-bottom: 1;
    }
    FormField > .form-field--label {
        color: $text-muted;
        text-style: bold;
    }
    FormField > .form-field--hint {
        color: $text-muted;
    }
    FormField > .form-field--error {
        color: $text-error;
        display: none;
    }
    FormField.-invalid > .form-field--error {
        display: block;
    }
    FormField.-invalid > Input {
        border: tall $error;
    }
    """

    def __init__(self, label: str, control: Widget, field_name: str, hint: str = "") -> None:
        """``field_name`` is the request field the server names in its violations."""
        super().__init__(classes="form-field")
        self.label = label
        self.control = control
        self.field_name = field_name
        self.hint = hint

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="form-field--label")
        yield self.control
        if self.hint:
            yield Static(self.hint, classes="form-field--hint", markup=False)
        yield Static("", classes="form-field--error", markup=False)

    def set_error(self, text: str) -> None:
        self.query_one(".form-field--error", Static).update(text)
        self.set_class(bool(text), "-invalid")

    def matches(self, violation_field: str) -> bool:
        # The server may name a nested or repeated field ("settings.idle_timeout_minutes", "roles[1]").
        name = violation_field.split("[", 1)[0]
        return name == self.field_name or name.endswith(f".{self.field_name}")


def clear_field_errors(root: DOMNode) -> None:
    for form_field in root.query(FormField):
        form_field.set_error("")


def show_violations(root: DOMNode, violations: Iterable[FieldViolation]) -> list[FieldViolation]:
    """Put each violation under its field in ``root``; return the ones no field there matches."""
    clear_field_errors(root)
    fields = list(root.query(FormField))
    unmatched: list[FieldViolation] = []
    first_bad: FormField | None = None
    for violation in violations:
        form_field = next((f for f in fields if f.matches(violation.field)), None)
        if form_field is None:
            unmatched.append(violation)
            continue
        form_field.set_error(violation.description)
        first_bad = first_bad or form_field
    if first_bad is not None and first_bad.control.focusable:
        first_bad.control.focus()
    return unmatched


def form_error_sentence(root: DOMNode, error: GatewayError, ask: str = "Please correct the field marked.") -> str:
    """Field violations go beside their fields in ``root``; the sentence is for the form's message line (``ask``
    when every violation found its field)."""
    if isinstance(error, InvalidInput):
        unmatched = show_violations(root, error.violations)
        return describe(InvalidInput(unmatched)) if unmatched else ask
    return describe(error)
