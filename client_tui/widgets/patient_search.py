"""One box to find a patient by name, date of birth, phone, MRN or member ID, and the ranked results.

The front desk's finder opens what is picked; the merge screen compares it. Results follow
the typing (after a short pause, and an older answer never replaces a newer one). Down moves
into the results, Up on the first row goes back, Enter picks the highlighted patient.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from client_tui import formatting
from client_tui.choices import PATIENT_STATUS_NAMES, SEX_LETTERS
from client_tui.gateway import Gateway
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.patients.v1 import patients_pb2

SEARCH_DELAY_S = 0.2
# Fixed widths; None: Name and Primary payer share what is left of the screen's width.
# Status is shown only with inactive patients included: otherwise every row is active.
COLUMNS: list[tuple[str, int | None]] = [
    ("MRN", 8),
    ("Name", None),
    ("DOB (age)", 18),
    ("Sex", 3),
    ("Phone", 14),
    ("Primary payer", None),
    ("Status", 8),
]
NAME_WIDTHS = (20, 28)  # Name grows to 28 before Primary payer gets more than its minimum
PAYER_MIN_WIDTH = 13
TYPE_SOMETHING = "Type part of a name, a date of birth (MM/DD/YYYY), a phone number, an MRN or a member ID."


def status_text(status: int) -> Text:
    name = PATIENT_STATUS_NAMES.get(status, "")
    if status == patients_pb2.PATIENT_STATUS_ACTIVE:
        return Text(name, style="dim")
    return Text(name, style="bold yellow")


def result_row(found: patients_pb2.PatientSummary) -> list[str | Text]:
    payer = found.primary_payer_name
    return [
        found.mrn,
        formatting.person_name(found.name, found.preferred_name),
        formatting.date_with_age(found.date_of_birth),
        SEX_LETTERS.get(found.sex, ""),
        formatting.phone(found.phone),
        payer if payer else Text("none", style="dim"),
        status_text(found.status),
    ]


def clipped(cell: str | Text, width: int) -> str | Text:
    """Too long for its column: cut with an ellipsis, so it is plain that there is more."""
    if isinstance(cell, str) and len(cell) > width:
        return cell[: width - 1] + "…"
    return cell


class PatientResults(DataTable[str | Text]):
    """The ranked results. Enter picks one; Up on the first row returns to the search box.

    Name and Primary payer take the width the fixed columns leave, so a 100-column screen
    shows every column without scrolling sideways.
    """

    DEFAULT_CSS = """
    PatientResults {
        scrollbar-size-vertical: 1;
    }
    """

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", tooltip="Open the highlighted patient", id="finder.open"),
    ]

    class BackToSearch(Message):
        pass

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_shown: list[tuple[str, list[str | Text]]] = []
        self.with_status = False
        self.widths: tuple[int, int] = (0, 0)

    def on_mount(self) -> None:
        self._fit_columns()

    def on_resize(self) -> None:
        self._fit_columns()

    def columns_shown(self) -> list[tuple[str, int | None]]:
        return COLUMNS if self.with_status else COLUMNS[:-1]

    def _fit_columns(self, force: bool = False) -> None:
        columns = self.columns_shown()
        fixed = sum(width or 0 for _label, width in columns) + 2 * self.cell_padding * len(columns)
        room = max(self.size.width - fixed - 1, NAME_WIDTHS[0] + PAYER_MIN_WIDTH)  # 1: the scrollbar
        name = max(NAME_WIDTHS[0], min(NAME_WIDTHS[1], room - PAYER_MIN_WIDTH))
        if force or (name, room - name) != self.widths:
            self.widths = (name, room - name)
            self._rebuild()

    def _rebuild(self) -> None:
        keep_row = self.cursor_row
        self.clear(columns=True)
        name_width, payer_width = self.widths
        columns = self.columns_shown()
        for label, width in columns:
            flexible = name_width if label == "Name" else payer_width
            self.add_column(label, width=width or flexible, key=label)
        for key, cells in self.rows_shown:
            fitted = [
                clipped(cell, width or (name_width if label == "Name" else payer_width))
                for cell, (label, width) in zip(cells, columns, strict=False)
            ]
            self.add_row(*fitted, key=key)
        if self.row_count:
            self.move_cursor(row=min(max(keep_row, 0), self.row_count - 1))

    def show(self, rows: list[tuple[str, list[str | Text]]], with_status: bool) -> None:
        self.rows_shown = rows
        self.with_status = with_status
        self._fit_columns(force=True)
        if self.row_count:
            self.move_cursor(row=0)

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            self.post_message(self.BackToSearch())
            return
        super().action_cursor_up()


# The keys every search box has; a subclass that sets its own BINDINGS (inherit_bindings=False) lists them too.
SEARCH_BINDINGS = [
    Binding(
        "f9",
        "toggle_inactive",
        "Inactive too",
        tooltip="Show or hide inactive, deceased and merged patients in the results",
        id="finder.toggle_inactive",
    ),
    Binding("down", "to_results", "Results", show=False),
]


class PatientSearch(Vertical):
    """The box, a status line and the results; picking a patient posts ``Picked``."""

    DEFAULT_CSS = """
    PatientSearch {
        height: 1fr;
    }
    PatientSearch > #patient-search {
        margin-top: 1;
    }
    PatientSearch > #finder-status {
        height: auto;
        color: $text-muted;
        padding: 0 1;
        margin-bottom: 1;
    }
    PatientSearch > PatientResults {
        height: 1fr;
    }
    """

    BINDINGS = [*SEARCH_BINDINGS]
    # The results table; a subclass names its Enter key after what picking does there.
    RESULTS: type[PatientResults] = PatientResults

    include_inactive: reactive[bool] = reactive(False, init=False)

    class Picked(Message):
        def __init__(self, patient_id: int) -> None:
            super().__init__()
            self.patient_id = patient_id

    def __init__(
        self, gateway: Gateway, session: auth_pb2.Session, exclude_patient_id: int = 0, id: str | None = None
    ) -> None:
        """``exclude_patient_id``: a patient never listed (the one a duplicate is looked for)."""
        super().__init__(id=id)
        self.gateway = gateway
        self.session = session
        self.permissions = set(session.permissions)
        self.exclude_patient_id = exclude_patient_id
        self.search_timer: Timer | None = None
        # The query whose answer the table may show; older answers are dropped.
        self.latest_query = ""
        self.shown_query: str | None = None
        self.focus_results_when_found = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Name, DOB, phone, MRN or member ID", id="patient-search")
        yield Static(TYPE_SOMETHING, id="finder-status", markup=False)
        yield self.RESULTS(id="patient-results")

    def focus_search(self) -> None:
        self.query_one("#patient-search", Input).focus()

    # -- searching -------------------------------------------------------------------
    @on(Input.Changed, "#patient-search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._search_soon(delay=SEARCH_DELAY_S)

    @on(Input.Submitted, "#patient-search")
    def _search_and_go_to_results(self, event: Input.Submitted) -> None:
        event.stop()
        if self.shown_query == event.value.strip() and self.query_one(PatientResults).row_count:
            self.action_to_results()
            return
        self.focus_results_when_found = True
        self._search_soon(delay=0)

    def _search_soon(self, delay: float) -> None:
        if self.search_timer is not None:
            self.search_timer.stop()
        query = self.query_one("#patient-search", Input).value.strip()
        self.latest_query = query
        if not query:
            self.workers.cancel_group(self, "search")
            self._show_nothing()
            return
        if delay:
            self.search_timer = self.set_timer(delay, lambda: self.search(query, self.include_inactive))
        else:
            self.search(query, self.include_inactive)

    def refresh_results(self) -> None:
        """Search again (e.g. after a record was changed on the patient screen)."""
        if self.latest_query:
            self._search_soon(delay=0)

    def watch_include_inactive(self) -> None:
        self.refresh_results()
        if not self.latest_query:
            self._show_nothing()

    @gateway_call
    async def search(self, query: str, include_inactive: bool) -> None:
        response = await self.gateway.search_patients(query, include_inactive=include_inactive)
        if query != self.latest_query:
            return
        self._show_results(query, response)

    def _show_results(self, query: str, response: patients_pb2.SearchPatientsResponse) -> None:
        found = [p for p in response.patients if p.patient_id != self.exclude_patient_id]  # 0: none excluded
        table = self.query_one(PatientResults)
        table.show([(str(p.patient_id), result_row(p)) for p in found], self.include_inactive)
        self.shown_query = query
        self.query_one("#finder-status", Static).update(self._status(len(found), response.interpreted_as))
        if self.focus_results_when_found and table.row_count:
            table.focus()
        self.focus_results_when_found = False

    def _status(self, count: int, interpreted_as: str) -> str:
        parts = [f"{count} patient{'' if count == 1 else 's'}" if count else "No patient matches"]
        if interpreted_as:
            parts.append(f"searched for {interpreted_as}")
        parts.append(
            "inactive ones included (F9 hides them)" if self.include_inactive else "active only (F9 adds inactive)"
        )
        return " · ".join(parts) + self.status_hint(count)

    def status_hint(self, count: int) -> str:
        """Said after the count of results (e.g. what to do when nothing matched)."""
        return ""

    def _show_nothing(self) -> None:
        self.query_one(PatientResults).show([], self.include_inactive)
        self.shown_query = None
        scope = "inactive patients included (F9)" if self.include_inactive else ""
        self.query_one("#finder-status", Static).update(f"{TYPE_SOMETHING} {scope}".strip())

    # -- keys ------------------------------------------------------------------------
    def action_to_results(self) -> None:
        self.query_one(PatientResults).focus()

    def action_to_search(self) -> None:
        search = self.query_one("#patient-search", Input)
        search.focus()
        search.select_all()

    @on(PatientResults.BackToSearch)
    def _back_to_search(self) -> None:
        self.focus_search()

    def action_toggle_inactive(self) -> None:
        self.include_inactive = not self.include_inactive

    @on(DataTable.RowSelected, "#patient-results")
    def _picked(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.pick(int(event.row_key.value))

    def pick(self, patient_id: int) -> None:
        self.post_message(self.Picked(patient_id))
