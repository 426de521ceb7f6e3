"""A titled box of form fields with each label beside its one-line input: dense forms that fit 100x30."""

from __future__ import annotations

from textual.containers import Vertical
from textual.widget import Widget


class FieldGroup(Vertical):
    """Put ``FormField``s with compact controls inside; errors show on the line under the input."""

    DEFAULT_CSS = """
    FieldGroup {
        height: auto;
        border: round $border-blurred;
        border-title-color: $text-primary;
        border-title-style: bold;
        padding: 0 1;
    }
    FieldGroup:focus-within {
        border: round $border;
    }
    FieldGroup FormField {
        layout: grid;
        grid-size: 2;
        grid-columns: 16 1fr;
        grid-rows: auto;
        height: auto;
        margin: 0;
    }
    FieldGroup FormField > .form-field--label {
        color: $text-muted;
        text-style: none;
        height: 1;
    }
    FieldGroup FormField:focus-within > .form-field--label {
        color: $text;
        text-style: bold;
    }
    FieldGroup FormField > .form-field--hint,
    FieldGroup FormField > .form-field--error {
        column-span: 2;
        padding-left: 16;
    }
    FieldGroup FormField.-invalid > .form-field--label {
        color: $text-error;
    }
    FieldGroup FormField Input.-textual-compact:focus,
    FieldGroup FormField SelectCurrent:focus,
    FieldGroup FormField Select:focus > SelectCurrent {
        background: $primary 30%;
    }
    FieldGroup FormField.-invalid Input.-textual-compact {
        background: $error 25%;
    }
    FieldGroup FormField > TextArea {
        height: 3;
    }
    FieldGroup > .field-group--note {
        color: $text-muted;
    }
    """

    def __init__(self, title: str, *children: Widget, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(*children, id=id, classes=classes)
        self.border_title = title
