"""One block of a provider's weekly template: day, place, hours, kind, the types it accepts, dates it applies.

Nothing is sent from here: the block goes back to the template screen, which saves the whole template.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import SelectionList

from client_tui import formatting
from client_tui.form_values import FormValues, control_id
from client_tui.gateway import Gateway
from client_tui.schedule_values import TIME_HINT, clock, minute_of_day_from_text
from client_tui.screens.setup_form_screen import SetupFormScreen
from client_tui.setup_values import BLOCK_KINDS, WEEKDAYS
from client_tui.typed_values import DATE_HINT, UnreadableValue, date_from_text
from client_tui.widgets.form_field import FormField
from shared.pms.scheduling.v1 import setup_pb2 as su

TYPES_KEY = "block.appointment_type_ids"


class TemplateBlockScreen(SetupFormScreen[su.TemplateBlock | None]):
    """Dismisses with the block as typed, or None."""

    CSS_PATH = "template_block_screen.tcss"
    VALUE_PREFIX = "block."
    SUBMIT_LABEL = "OK"

    def __init__(
        self,
        gateway: Gateway,
        locations: list[su.Location],
        types: list[su.AppointmentType],
        block: su.TemplateBlock | None = None,
    ) -> None:
        super().__init__(gateway)
        self.locations = locations
        self.types = types
        self.block = block
        self.FORM_TITLE = "Edit block" if block is not None else "Add block"

    def compose_fields(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield self.choice("block.weekday", "Day", WEEKDAYS)
            yield self.choice("block.location_id", "Location", [(x.name, x.location_id) for x in self.locations])
        with Horizontal(classes="form-row"):
            yield self.text("block.start_minute", "From", "08:00", max_length=8)
            yield self.text("block.end_minute", "To", "12:00", max_length=8)
            yield self.choice("block.kind", "Kind", BLOCK_KINDS)
        with Horizontal(classes="form-row"):
            yield self.text("block.effective_from", "Starts on (blank: always)", DATE_HINT, max_length=10)
            yield self.text("block.effective_until", "Ends on (blank: open)", DATE_HINT, max_length=10)
        picker: SelectionList[int] = SelectionList(
            *[(t.name, t.appointment_type_id) for t in self.types], id=control_id(TYPES_KEY)
        )
        yield FormField("Accepts (Space ticks; none ticked: every type)", picker, TYPES_KEY)

    def _picker(self) -> SelectionList[int]:
        return self.query_one(f"#{control_id(TYPES_KEY)}", SelectionList)

    def value_keys(self) -> list[str]:
        return [key for key in super().value_keys() if key != TYPES_KEY]

    def form_values(self) -> FormValues:
        values = super().form_values()
        values[TYPES_KEY] = ",".join(str(t) for t in sorted(self._picker().selected))
        return values

    def fill(self) -> None:
        b = self.block
        if b is None:
            self.write({"block.weekday": 1, "block.kind": su.BLOCK_KIND_AVAILABLE})
            return
        self.write(
            {
                "block.weekday": b.weekday,
                "block.location_id": b.location_id,
                "block.start_minute": clock(b.start_minute),
                "block.end_minute": clock(b.end_minute),
                "block.kind": b.kind,
                "block.effective_from": formatting.calendar_date(b.effective_from),
                "block.effective_until": formatting.calendar_date(b.effective_until),
            }
        )
        picker = self._picker()
        for type_id in b.appointment_type_ids:
            picker.select(type_id)

    def submit(self) -> None:
        values = self.form_values()
        block = su.TemplateBlock(
            weekday=int(values["block.weekday"] or 0),
            location_id=int(values["block.location_id"] or 0),
            kind=int(values["block.kind"] or 0),  # type: ignore[arg-type]
            appointment_type_ids=sorted(self._picker().selected),
        )
        for key in ("block.start_minute", "block.end_minute"):
            try:
                minute = minute_of_day_from_text(str(values[key]))
            except UnreadableValue as error:
                self.mark(key, str(error))
                return
            if minute is None:
                self.mark(key, f"is required ({TIME_HINT})")
                return
            setattr(block, key.removeprefix("block."), minute)
        for key in ("block.effective_from", "block.effective_until"):
            try:
                day = date_from_text(str(values[key]))
            except UnreadableValue as error:
                self.mark(key, str(error))
                return
            if day is not None:
                getattr(block, key.removeprefix("block.")).CopyFrom(day)
        if block.end_minute <= block.start_minute:
            self.mark("block.end_minute", "must be after the start")
            return
        self.dismiss(block)
