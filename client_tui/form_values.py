"""A form's values as a plain dict, and what to do when someone else saved the record first.

Forms that edit a record name each value by the request field the server uses in its
violations ("patient.name.last"); the widget's id is derived from it. Reading the record and
the form into the same kind of dict lets a stale save be reconciled field by field: what only
the other person changed comes into the form, what the user changed stays.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, TextArea
from textual.widgets.select import InvalidSelectValueError

Value = str | bool | int
FormValues = dict[str, Value]


@runtime_checkable
class HasFormValue(Protocol):
    """A composite control (e.g. the payer picker) that reads and writes like one field."""

    @property
    def form_value(self) -> Value: ...

    def set_form_value(self, value: Value) -> None: ...


def control_id(key: str) -> str:
    """The widget id for the field ``key``: "patient.name.last" -> "patient-name-last"."""
    return re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")


def read_control(widget: Widget) -> Value:
    if isinstance(widget, Input):
        return widget.value.strip()
    if isinstance(widget, TextArea):
        return widget.text.strip()
    if isinstance(widget, Checkbox):
        return bool(widget.value)
    if isinstance(widget, Select):
        value = widget.value
        return "" if widget.is_blank() or not isinstance(value, (str, int)) else value
    if isinstance(widget, HasFormValue):
        return widget.form_value
    raise TypeError(f"no form value in {widget!r}")


def write_control(widget: Widget, value: Value) -> None:
    if isinstance(widget, Input):
        widget.value = str(value)
    elif isinstance(widget, TextArea):
        widget.text = str(value)
    elif isinstance(widget, Checkbox):
        widget.value = bool(value)
    elif isinstance(widget, Select):
        try:
            widget.value = value
        except InvalidSelectValueError:
            # A value this form does not offer (e.g. one a newer server added): nothing chosen if allowed.
            with contextlib.suppress(InvalidSelectValueError):
                widget.clear()
    elif isinstance(widget, HasFormValue):
        widget.set_form_value(value)
    else:
        raise TypeError(f"cannot write a form value to {widget!r}")


@dataclass
class Reconciliation:
    """A stale save compared three ways: the version the user started from, theirs, and the form."""

    # Changed only by the other person: these go into the form.
    theirs_taken: FormValues = field(default_factory=dict)
    # Changed by both, differently: the form keeps the user's value.
    both_changed: list[str] = field(default_factory=list)


def reconcile(
    started_from: Mapping[str, Value], theirs: Mapping[str, Value], mine: Mapping[str, Value]
) -> Reconciliation:
    result = Reconciliation()
    for key, their_value in theirs.items():
        base_value = started_from.get(key)
        my_value = mine.get(key, base_value)
        if their_value == base_value:
            continue
        if my_value == base_value:
            result.theirs_taken[key] = their_value
        elif my_value != their_value:
            result.both_changed.append(key)
    return result


def listing(words: Iterable[str]) -> str:
    """Words joined for a sentence: a; a and b; a, b and c."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def explain(result: Reconciliation, labels: Mapping[str, str], record: str) -> str:
    """The plain sentences shown after a stale save; ``record`` is e.g. "this patient"."""
    sentences = [f"Someone else saved {record} while you were editing, so nothing of yours was saved yet."]
    if result.theirs_taken:
        changed = listing(labels.get(key, key) for key in result.theirs_taken)
        sentences.append(f"They changed {changed}: their values are now in the form.")
    if result.both_changed:
        changed = listing(labels.get(key, key) for key in result.both_changed)
        sentences.append(f"They also changed {changed}, which you changed too: your values are kept.")
    if not result.theirs_taken and not result.both_changed:
        sentences.append("None of the fields shown here differ from theirs.")
    sentences.append("Press Ctrl+S to save your changes over their version.")
    return " ".join(sentences)


class UnreadableField(ValueError):
    """A field's text cannot become the value the request needs (e.g. a date typed as words)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message
