"""Patient > Demographics: every field of the record, read in two columns; E edits it."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from client_tui import formatting
from client_tui.choices import (
    CONTACT_METHODS,
    EMPLOYMENT_STATUSES,
    MARITAL_STATUSES,
    PATIENT_STATUS_NAMES,
    PHONE_TYPES,
    RELATIONSHIP_NAMES,
    SEX_NAMES,
    label_of,
)
from client_tui.widgets.patient_panel import PatientPanel
from shared.pms.patients.v1 import patients_pb2

LABEL_WIDTH = 16
Row = tuple[str, str | list[str]]


def section(title: str, rows: list[Row]) -> tuple[str, Table]:
    """A block of "label  value" lines under ``title``; blank values show as a dim dash."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=LABEL_WIDTH, style="dim", no_wrap=True)
    grid.add_column()
    for label, value in rows:
        lines = value if isinstance(value, list) else [value] if value else []
        grid.add_row(label, "\n".join(lines) if lines else Text("—", style="dim"))
    return title, grid


def phones_rows(patient: patients_pb2.Patient) -> list[Row]:
    rows: list[Row] = []
    for phone_type, word in PHONE_TYPES:
        numbers = [formatting.phone(p.number) for p in patient.phones if p.type == phone_type]
        rows.append((word.capitalize(), numbers))
    others = [formatting.phone(p.number) for p in patient.phones if p.type not in dict(PHONE_TYPES)]
    if others:
        rows.append(("Other", others))
    return rows


def guarantor_rows(patient: patients_pb2.Patient) -> list[Row]:
    guarantor = patient.guarantor
    if guarantor.is_self:
        return [("Who pays", "the patient")]
    relationship = RELATIONSHIP_NAMES.get(guarantor.relationship, guarantor.relationship)
    return [
        ("Name", formatting.spoken_name(guarantor.name)),
        ("Relationship", relationship),
        ("Address", formatting.address_lines(guarantor.address)),
        ("Phone", formatting.phone(guarantor.phone.number)),
    ]


def left_column(patient: patients_pb2.Patient) -> list[tuple[str, Table]]:
    return [
        section(
            "Name",
            [
                ("Legal name", formatting.spoken_name(patient.name)),
                ("Preferred name", patient.preferred_name),
                ("Gender identity", patient.gender_identity),
                ("Pronouns", patient.pronouns),
            ],
        ),
        section(
            "Birth & sex",
            [
                ("Date of birth", formatting.date_with_age(patient.date_of_birth)),
                ("Sex", SEX_NAMES.get(patient.sex, "")),
            ],
        ),
        section("Phones", phones_rows(patient)),
        section("Address", [("Home address", formatting.address_lines(patient.address))]),
        section(
            "Email & contact",
            [
                ("Email", patient.email),
                ("Contact by", label_of(CONTACT_METHODS, patient.preferred_contact_method)),
                ("Reminders", "yes, may send" if patient.reminder_consent else "no"),
            ],
        ),
    ]


def right_column(patient: patients_pb2.Patient) -> list[tuple[str, Table]]:
    status = PATIENT_STATUS_NAMES.get(patient.status, "")
    record_rows: list[Row] = [("Status", status)]
    if patient.HasField("date_of_death"):
        record_rows.append(("Date of death", formatting.calendar_date(patient.date_of_death)))
    record_rows += [
        ("Registered", formatting.moment(patient.created_at)),
        ("Last changed", formatting.moment(patient.updated_at)),
    ]
    return [
        section(
            "Identifiers",
            [("MRN", patient.mrn), ("SSN", patient.ssn_masked or "not on file")],
        ),
        section(
            "Language & work",
            [
                ("Language", patient.preferred_language),
                ("Marital status", label_of(MARITAL_STATUSES, patient.marital_status)),
                ("Employment", label_of(EMPLOYMENT_STATUSES, patient.employment_status)),
                ("Employer", patient.employer_name),
            ],
        ),
        section(
            "Emergency contact",
            [
                ("Name", patient.emergency_contact.name),
                ("Relationship", patient.emergency_contact.relationship),
                ("Phone", formatting.phone(patient.emergency_contact.phone.number)),
            ],
        ),
        section("Guarantor", guarantor_rows(patient)),
        section("Record", record_rows),
        section("Alerts & notes", [("Alerts", patient.alerts), ("Notes", patient.notes.splitlines())]),
    ]


class DemographicsPanel(PatientPanel):
    DEFAULT_CSS = """
    DemographicsPanel > VerticalScroll {
        height: 1fr;
        padding: 0 1;
    }
    DemographicsPanel > VerticalScroll:focus {
        background-tint: $foreground 3%;
    }
    DemographicsPanel Horizontal {
        height: auto;
    }
    DemographicsPanel .demographics--column {
        width: 1fr;
        height: auto;
        padding-right: 2;
    }
    DemographicsPanel .demographics--title {
        color: $text-primary;
        text-style: bold;
    }
    DemographicsPanel .demographics--section {
        margin-bottom: 1;
    }
    """

    BINDINGS = [
        Binding("e", "edit", "Edit", tooltip="Change the patient's details", id="patient.edit"),
    ]

    class EditRequested(Message):
        pass

    def compose(self) -> ComposeResult:
        # Fixed blocks, filled in by show_record: a reload updates them in place.
        empty = patients_pb2.Patient()
        with VerticalScroll(id="demographics-scroll", can_focus=True), Horizontal():
            for side, sections in (("left", left_column(empty)), ("right", right_column(empty))):
                with Vertical(id=f"demographics-{side}", classes="demographics--column"):
                    for number, (title, _body) in enumerate(sections):
                        yield Static(title, classes="demographics--title", markup=False)
                        yield Static("", id=f"demographics-{side}-{number}", classes="demographics--section")

    def focus_main(self) -> None:
        self.query_one("#demographics-scroll").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return "patients.write" in self.permissions and self.writable()
        return True

    def show_record(
        self, record: patients_pb2.GetPatientResponse, select_policy_id: int, select_document_id: int
    ) -> None:
        for side, sections in (("left", left_column(record.patient)), ("right", right_column(record.patient))):
            for number, (_title, body) in enumerate(sections):
                self.query_one(f"#demographics-{side}-{number}", Static).update(body)

    def action_edit(self) -> None:
        self.post_message(self.EditRequested())
