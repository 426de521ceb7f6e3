"""Book a recurring series from a time picked on the calendar: every N weeks, or every N months on the same weekday.

The provider, location and first date and time are the calendar's; the patient is found with the
booking dialog's inline search; then the type, the visit reason, how often, and how many visits (a
count) or until when (an end date). Ctrl+R previews: the server lists every visit with whether it
can be booked and, if not, why (taken, outside the hours, time off). Ctrl+S books: when the series
has visits that cannot be booked the server refuses and the screen marks them; once the clerk has
seen them, Ctrl+S books the free ones only and skips the rest (one transaction). What was booked and
what was skipped stays listed until Escape goes back to the calendar.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Select, Static

from client_tui import formatting
from client_tui import schedule_values as sv
from client_tui.gateway import FieldViolation, Gateway, GatewayError, RuleBroken
from client_tui.screens.book_appointment_screen import BookingSearch
from client_tui.typed_values import DATE_HINT, UnreadableValue, date_from_text, whole_number
from client_tui.widgets.field_group import FieldGroup
from client_tui.widgets.form_field import FormField, clear_field_errors, form_error_sentence, show_violations
from client_tui.widgets.patient_search import PatientSearch
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.scheduling.v1 import appointments_pb2 as ap

FREQUENCIES: list[tuple[str, int]] = [
    ("weekly", ap.FREQUENCY_WEEKLY),
    ("monthly, on the same weekday of the month", ap.FREQUENCY_MONTHLY),
]
# The inputs Enter walks through after the choices, in order (then it previews).
INPUTS = ("series-interval", "series-count", "series-until")


class OccurrenceTable(DataTable[str | Text], inherit_bindings=False):
    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]


def when_text(occurrence: ap.SeriesOccurrence) -> str:
    """ "Tue 11/03/2026 11:00" on the location's clock (a series may run into next year)."""
    value = sv.parse_local(occurrence.local_start)
    return f"{sv.WEEKDAY_NAMES[value.weekday()]} {value:%m/%d/%Y %H:%M}"


class BookSeriesScreen(Screen[ap.BookSeriesResponse | None]):
    """Dismisses with what was booked (the server's answer), or None when nothing was."""

    CSS_PATH = "book_series_screen.tcss"

    BINDINGS = [
        Binding("escape", "close", "Back", tooltip="Back to the calendar", id="series.close"),
        Binding(
            "ctrl+r",
            "preview",
            "Preview",
            tooltip="List every visit of the series and whether it can be booked (Enter in the last field does too)",
            id="series.preview",
        ),
        Binding(
            "ctrl+s",
            "book",
            "Book series",
            tooltip="Book the visits of the series (the free ones only, once the preview has shown the others)",
            id="series.book",
        ),
    ]

    def __init__(
        self,
        gateway: Gateway,
        session: auth_pb2.Session,
        setup: sv.ScheduleSetup,
        provider_id: int,
        location_id: int,
        starts_at: datetime,
    ) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.setup = setup
        self.provider_id = provider_id
        self.location_id = location_id
        self.starts_at = starts_at
        self.patient_id = 0
        self.patient_name = ""
        # The series (first visit and recurrence, serialized) the clerk has seen previewed with its conflicts:
        # booking exactly that one books the free visits and skips the others.
        self.previewed = b""
        self.previewed_conflicts = 0
        # One key per distinct request: a retry of the same booking books once, a changed one is new.
        self.last_request = b""
        self.idempotency_key = ""
        self.result: ap.BookSeriesResponse | None = None

    @property
    def zone(self) -> ZoneInfo:
        return self.setup.zone(self.location_id)

    def compose(self) -> ComposeResult:
        yield Static("", id="series-title", markup=False)
        yield BookingSearch(self.gateway, self.session, id="series-search")
        yield Static("", id="series-patient", markup=False)
        with FieldGroup("Series", id="series-fields"):
            types: Select[int] = Select(
                [
                    (sv.type_label(t), t.appointment_type_id)
                    for t in sorted((t for t in self.setup.types.values() if t.active), key=lambda t: t.name)
                ],
                prompt="Choose the appointment type",
                id="series-type",
                compact=True,
            )
            yield FormField("Type", types, "appointment_type_id")
            yield FormField(
                "Visit reason",
                Input(
                    placeholder="e.g. physical therapy for the left knee",
                    id="series-reason",
                    compact=True,
                    max_length=200,
                ),
                "visit_reason",
            )
            repeat: Select[int] = Select(
                FREQUENCIES, value=ap.FREQUENCY_WEEKLY, allow_blank=False, id="series-frequency", compact=True
            )
            yield FormField("Repeat", repeat, "frequency")
            every = FormField(
                "Every (weeks)",
                Input("1", placeholder="1 to 12", id="series-interval", compact=True, restrict=r"\d*"),
                "interval",
            )
            every.id = "series-every"
            yield every
            yield FormField(
                "Visits",
                Input(
                    placeholder="how many, 2 to 52; or an end date below",
                    id="series-count",
                    compact=True,
                    restrict=r"\d*",
                ),
                "count",
            )
            yield FormField(
                "Until",
                Input(placeholder=f"{DATE_HINT}, the last day; or a count above", id="series-until", compact=True),
                "until",
            )
        yield OccurrenceTable(id="series-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="series-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        local = self.starts_at.astimezone(self.zone)
        self.query_one("#series-title", Static).update(
            f"Series: {self.setup.provider_name(self.provider_id)}, {self.setup.location_name(self.location_id)}, "
            f"from {sv.short_day(local.date())}/{local.year} {local:%H:%M}"
        )
        self.query_one("#patient-search", Input).border_title = "Find the patient"
        table = self.query_one(OccurrenceTable)
        table.add_column("#", width=2)
        table.add_column("When", width=20)
        # A fixed width: measured from the rows, it depended on when the snapshot caught the table.
        table.add_column("Can it be booked?", width=48)
        self.show_patient()
        self.query_one(BookingSearch).focus_search()

    def show_patient(self) -> None:
        line = self.query_one("#series-patient", Static)
        if self.patient_id:
            line.update(f"Patient: {self.patient_name}")
        else:
            line.update("No patient chosen yet: type above, Enter goes to the results, Enter chooses.")
        line.set_class(not self.patient_id, "-missing")
        self.show_results()

    def show_results(self) -> None:
        """The search results take room only while a patient is being looked for."""
        search = self.query_one(BookingSearch)
        looking = not self.patient_id or search.has_focus_within
        search.set_class(not looking, "-chosen")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.show_results()

    # -- walking the fields ------------------------------------------------------------
    @on(PatientSearch.Picked)
    def _picked(self, message: PatientSearch.Picked) -> None:
        message.stop()
        self.load_patient(message.patient_id)

    @gateway_call
    async def load_patient(self, patient_id: int) -> None:
        patient = (await self.gateway.get_patient(patient_id)).patient
        self.patient_id = patient_id
        self.patient_name = (
            f"{formatting.person_name(patient.name, patient.preferred_name)}, MRN {patient.mrn}, "
            f"born {formatting.date_with_age(patient.date_of_birth)}"
        )
        self.query_one("#series-type", Select).focus()
        self.show_patient()

    @on(Select.Changed, "#series-type")
    def _type_chosen(self, event: Select.Changed) -> None:
        if event.select.has_focus_within and not event.select.is_blank():
            self.query_one("#series-reason", Input).focus()

    @on(Select.Changed, "#series-frequency")
    def _frequency_chosen(self, event: Select.Changed) -> None:
        unit = "months" if event.value == ap.FREQUENCY_MONTHLY else "weeks"
        self.query_one("#series-every .form-field--label", Label).update(f"Every ({unit})")
        if event.select.has_focus_within:
            self.query_one("#series-interval", Input).focus()

    @on(Input.Submitted, "#series-reason")
    def _reason_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#series-frequency", Select).focus()

    @on(Input.Submitted, "#series-interval, #series-count, #series-until")
    def _next_or_preview(self, event: Input.Submitted) -> None:
        event.stop()
        # A count given: no end date is needed, so Enter previews at once.
        if event.input.id == "series-count" and event.input.value.strip():
            self.action_preview()
        elif event.input.id in INPUTS[:-1]:
            self.query_one(f"#{INPUTS[INPUTS.index(event.input.id or '') + 1]}", Input).focus()
        else:
            self.action_preview()

    # -- the request ---------------------------------------------------------------------
    def series_request(self) -> tuple[ap.BookAppointmentRequest, ap.Recurrence] | None:
        """What the form says, or None after marking what cannot be read (or asking for the patient)."""
        clear_field_errors(self)
        self.say("")
        if not self.patient_id:
            self.say("Choose the patient first: type part of the name above, Enter, then Enter on the patient.")
            self.query_one(BookingSearch).focus_search()
            return None
        problems: list[FieldViolation] = []
        recurrence = ap.Recurrence()
        frequency = self.query_one("#series-frequency", Select).value
        recurrence.frequency = frequency if isinstance(frequency, int) else 0  # type: ignore[assignment]
        for control_id, name in (("series-interval", "interval"), ("series-count", "count")):
            try:
                setattr(recurrence, name, whole_number(self.query_one(f"#{control_id}", Input).value))
            except UnreadableValue as error:
                problems.append(FieldViolation(name, str(error)))
        try:
            until = date_from_text(self.query_one("#series-until", Input).value)
        except UnreadableValue as error:
            problems.append(FieldViolation("until", str(error)))
        else:
            if until is not None:
                recurrence.until.CopyFrom(until)
        if problems:
            show_violations(self, problems)
            self.say("Please correct the field marked.")
            return None
        kind = self.query_one("#series-type", Select).value
        first = ap.BookAppointmentRequest(
            patient_id=self.patient_id,
            provider_id=self.provider_id,
            location_id=self.location_id,
            appointment_type_id=kind if isinstance(kind, int) else 0,
            starts_at=sv.timestamp(self.starts_at),
            visit_reason=self.query_one("#series-reason", Input).value.strip(),
        )
        return first, recurrence

    @staticmethod
    def content(first: ap.BookAppointmentRequest, recurrence: ap.Recurrence) -> bytes:
        return ap.PreviewSeriesRequest(first=first, recurrence=recurrence).SerializeToString(deterministic=True)

    # -- preview -------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("preview", "book"):
            return self.result is None
        return True

    def action_preview(self) -> None:
        asked = self.series_request()
        if asked is not None:
            self.say("Checking every visit…", info=True)
            self.preview(*asked)

    @gateway_call
    async def preview(self, first: ap.BookAppointmentRequest, recurrence: ap.Recurrence, refused: str = "") -> None:
        occurrences = await self.gateway.preview_series(ap.PreviewSeriesRequest(first=first, recurrence=recurrence))
        self.show_occurrences(occurrences)
        blocked = sum(1 for o in occurrences if not o.free)
        self.previewed, self.previewed_conflicts = self.content(first, recurrence), blocked
        count = f"{len(occurrences)} visit{'' if len(occurrences) == 1 else 's'}"
        if not blocked:
            self.say(f"{count}, all free: Ctrl+S books them.", info=True)
        elif blocked == len(occurrences):
            self.say(f"None of the {count} can be booked (see why below): change the time, the repeat or the end.")
        else:
            free = len(occurrences) - blocked
            self.say(
                f"{refused}{blocked} of the {count} cannot be booked (marked below): Ctrl+S books the {free} "
                f"free one{'' if free == 1 else 's'} and skips {'it' if blocked == 1 else 'them'}; or change "
                f"the series.",
                warning=True,
            )

    def show_occurrences(self, occurrences: list[ap.SeriesOccurrence], booked: bool = False) -> None:
        table = self.query_one(OccurrenceTable)
        table.clear()
        for number, occurrence in enumerate(occurrences, start=1):
            if booked:
                verdict = (
                    Text("booked", style="bold green")
                    if occurrence.appointment_id
                    else Text(f"skipped: {occurrence.problem}", style="bold yellow")
                )
            else:
                verdict = (
                    Text("free", style="green")
                    if occurrence.free
                    else Text(f"no: {occurrence.problem}", style="bold red")
                )
            table.add_row(str(number), when_text(occurrence), verdict, key=str(number))

    # -- booking -------------------------------------------------------------------------
    def action_book(self) -> None:
        asked = self.series_request()
        if asked is None:
            return
        first, recurrence = asked
        content = self.content(first, recurrence)
        # The clerk has seen this very series with its conflicts listed: book the free visits, skip the others.
        skip = content == self.previewed and self.previewed_conflicts > 0
        request = ap.BookSeriesRequest(first=first, recurrence=recurrence, skip_conflicts=skip)
        keyed = request.SerializeToString(deterministic=True)
        if keyed != self.last_request:
            self.last_request, self.idempotency_key = keyed, uuid.uuid4().hex
        request.idempotency_key = self.idempotency_key
        self.say("Booking the series…", info=True)
        self.book(request)

    @gateway_call
    async def book(self, request: ap.BookSeriesRequest) -> None:
        result = await self.gateway.book_series(request)
        self.result = result
        self.show_occurrences(list(result.occurrences), booked=True)
        made = [o for o in result.occurrences if o.appointment_id]
        skipped = len(result.occurrences) - len(made)
        said = f"Booked {len(made)} of {len(result.occurrences)} visits for {self.patient_name.split(', MRN')[0]}"
        said += f"; skipped {skipped} (marked)." if skipped else "."
        self.say(f"{said} Escape goes back to the calendar.", info=True)
        for control in (self.query_one(BookingSearch), self.query_one("#series-fields")):
            control.disabled = True
        self.query_one(OccurrenceTable).focus()
        self.refresh_bindings()

    def action_close(self) -> None:
        self.dismiss(self.result)

    # -- what went wrong ---------------------------------------------------------------
    def say(self, text: str, info: bool = False, warning: bool = False) -> None:
        message = self.query_one("#series-message", Static)
        message.update(text)
        message.set_class(info, "-info")
        message.set_class(warning, "-warning")

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, RuleBroken) and error.reason == "SERIES_CONFLICTS":
            # Someone booked meanwhile, or the clerk did not preview: show which visits, then Ctrl+S skips them.
            asked = self.series_request()
            if asked is not None:
                self.preview(*asked, refused="Nothing was booked: ")
            return True
        self.say(form_error_sentence(self, error))
        return True
