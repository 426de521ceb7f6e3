"""Import a fee schedule: a CSV file on this workstation (code,modifier,fee in dollars; a header line is skipped)
and the first date of service its fees apply to, sent with SetFees.

The file is read here only for its shape; the server checks every code and fee and names the row
(``fees[3].code``), shown beside the file as the CSV's line number ("line 5 (99999): ...").
"""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input

from client_tui import formatting
from client_tui.form_values import control_id
from client_tui.gateway import FieldViolation, Gateway, GatewayError, InvalidInput
from client_tui.pricing_values import CsvProblem, CsvRow, csv_line_problem, fees_from_rows, read_csv_file
from client_tui.screens.setup_form_screen import SetupFormScreen
from client_tui.typed_values import DATE_HINT, UnreadableValue, calendar_day_from_text
from client_tui.widgets.form_field import FormField, form_error_sentence
from client_tui.workers import gateway_call

FILE_KEY = "file"
DATE_KEY = "effective_from"
# Most violations worth listing beside the file; the rest are counted.
SHOWN_PROBLEMS = 4


class ImportFeesScreen(SetupFormScreen[tuple[int, date] | None]):
    """Dismisses with (fees set, their first date), or None."""

    CSS_PATH = "import_fees_screen.tcss"
    FORM_TITLE = "Import a fee schedule"
    SUBMIT_LABEL = "Set fees"
    INTRO = ("Each line of the CSV file is code,modifier,fee (fee in dollars, e.g. 125.00; modifier blank for any). "
             "The fees apply to visits on and after the date; earlier visits keep the fees they had.")

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(gateway)
        self.rows: list[CsvRow] = []

    def compose_fields(self) -> ComposeResult:
        yield FormField("CSV file", Input(placeholder="/path/to/fees.csv", id=control_id(FILE_KEY), compact=True),
                        FILE_KEY, hint="A path on this computer; ~ is your home folder.")
        with Horizontal(classes="form-row"):
            yield self.text(DATE_KEY, "Fees apply from", DATE_HINT, max_length=10)

    def fill(self) -> None:
        self.write({DATE_KEY: formatting.calendar_date_of(formatting.today())})

    def submit(self) -> None:
        values = self.form_values()
        try:
            effective = calendar_day_from_text(str(values[DATE_KEY]))
        except UnreadableValue as error:
            self.mark(DATE_KEY, str(error))
            return
        if effective is None:
            self.mark(DATE_KEY, "is required: the first date of service the fees apply to")
            return
        try:
            self.rows = read_csv_file(str(values[FILE_KEY]), "fee")
        except CsvProblem as problem:
            self.mark(FILE_KEY, str(problem))
            return
        self.say(f"Sending {len(self.rows)} fees…", info=True)
        self.send(effective)

    @gateway_call
    async def send(self, effective: date) -> None:
        count = await self.gateway.set_fees(effective, fees_from_rows(self.rows))
        self.dismiss((count, effective))

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, InvalidInput):
            error = InvalidInput(by_line(error.violations, self.rows, FILE_KEY, "fees"))
        self.say(form_error_sentence(self, error, "Nothing was set: please correct what is marked."))
        return True


def by_line(violations: list[FieldViolation], rows: list[CsvRow], file_key: str, rows_field: str
            ) -> list[FieldViolation]:
    """The server's row violations as one violation of the file field, naming the CSV's lines; others as they are."""
    lines: list[str] = []
    out: list[FieldViolation] = []
    for violation in violations:
        text = csv_line_problem(violation, rows)
        if text is not None:
            lines.append(text)
        elif violation.field == rows_field:
            lines.append(violation.description)
        else:
            out.append(violation)
    if lines:
        more = len(lines) - SHOWN_PROBLEMS
        shown = "\n".join(lines[:SHOWN_PROBLEMS]) + (f"\n…and {more} more" if more > 0 else "")
        out.insert(0, FieldViolation(file_key, shown))
    return out
