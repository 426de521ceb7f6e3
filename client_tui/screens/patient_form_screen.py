"""Register a patient, or edit one: every field of the record, grouped, keyboard first.

Enter jumps between the key fields a registration always needs (name, birth, sex, mobile,
address) and saves after the ZIP; Tab visits every field; Ctrl+S saves from anywhere. The
server checks everything and its violations show beside their fields. Registering may find
possible duplicates (a dialog: open one, or register anyway); saving an edit may find that
someone else saved first (their changes come into the form, the user's stay).
"""

from __future__ import annotations

import uuid

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, TextArea

from client_tui import formatting
from client_tui.choices import (
    CONTACT_METHODS,
    EDITABLE_STATUSES,
    EMPLOYMENT_STATUSES,
    MARITAL_STATUSES,
    RELATIONSHIP_SELF,
    RELATIONSHIPS,
)
from client_tui.form_values import (
    FormValues,
    UnreadableField,
    control_id,
    explain,
    reconcile,
    write_control,
)
from client_tui.gateway import FieldViolation, Gateway, GatewayError, InvalidInput, StaleRecord
from client_tui.patient_values import GUARANTOR_DETAIL_KEYS, LABELS, build_patient, form_key, read_patient
from client_tui.screens.duplicate_patients_screen import DuplicateDecision, DuplicatePatientsScreen
from client_tui.screens.form_screen import RecordFormScreen
from client_tui.typed_values import DATE_HINT
from client_tui.widgets.field_group import FieldGroup
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call
from shared.pms.patients.v1 import patients_pb2

# In the order Enter visits them.
KEY_FIELD_KEYS = (
    "patient.name.last",
    "patient.name.first",
    "patient.date_of_birth",
    "patient.sex",
    "patient.phones.mobile",
    "patient.address.line1",
    "patient.address.city",
    "patient.address.state",
    "patient.address.zip",
)
PHONE_EXAMPLE = "e.g. (614) 555-0134"
GUARANTOR_RELATIONSHIPS: list[tuple[str, str]] = [("—", "")] + [
    (label, code) for code, label in RELATIONSHIPS if code != RELATIONSHIP_SELF
]


class PatientFormScreen(RecordFormScreen[int | None]):
    """Dismisses with the id of the patient to show (registered, edited, or the duplicate chosen), or None."""

    VALUE_PREFIX = "patient."
    CAPITALS = frozenset(
        control_id(k) for k in ("patient.sex", "patient.address.state", "patient.guarantor.address.state"))
    CSS_PATH = "patient_form_screen.tcss"
    KEY_FIELDS = tuple(control_id(key) for key in KEY_FIELD_KEYS)
    INTRO = (
        "Enter jumps to the next key field (name, birth, sex, mobile, address) and saves after the ZIP; "
        "Tab visits every field."
    )

    def __init__(self, gateway: Gateway, record: patients_pb2.Patient | None = None) -> None:
        super().__init__()
        self.gateway = gateway
        # The version the user started from (None: registering).
        self.record = record
        if record is None:
            self.FORM_TITLE = "Register a patient"
            self.SUBMIT_LABEL = "Register"
        else:
            self.FORM_TITLE = f"Edit {formatting.person_name(record.name)} · MRN {record.mrn}"
            self.SUBMIT_LABEL = "Save changes"
        # One key per attempt: a lost answer retried registers once; after "possible duplicates"
        # (nothing written) the next attempt is a new request with a new key.
        self.idempotency_key = uuid.uuid4().hex
        self.acknowledged_duplicate_ids: list[int] = []
        # Which phone went out as phones[0], [1]...: the server's violations name them by index.
        self.sent_phone_keys: list[str] = []
        self.started_values: FormValues = {}
        self.warned_unsaved = False

    def compose_fields(self) -> ComposeResult:
        editing = self.record is not None
        with Horizontal(id="patient-form-columns"):
            with Vertical(classes="patient-form-column"):
                with FieldGroup("Name"):
                    yield self.text("patient.name.last", "Last name")
                    yield self.text("patient.name.first", "First name")
                    yield self.text("patient.name.middle", "Middle name")
                    yield self.text("patient.name.suffix", "Suffix", placeholder="Jr, Sr, III")
                    yield self.text("patient.preferred_name", "Preferred name")
                with FieldGroup("Birth & sex"):
                    yield self.text("patient.date_of_birth", "Date of birth", placeholder=DATE_HINT)
                    yield self.text("patient.sex", "Sex", placeholder="F, M or U", max_length=1, restrict=r"[FfMmUu]?")
                    yield self.text("patient.gender_identity", "Gender identity")
                    yield self.text("patient.pronouns", "Pronouns", placeholder="e.g. she/her")
                with FieldGroup("Phones"):
                    yield self.text("patient.phones.mobile", "Mobile", placeholder=PHONE_EXAMPLE)
                    yield self.text("patient.phones.home", "Home", placeholder=PHONE_EXAMPLE)
                    yield self.text("patient.phones.work", "Work", placeholder=PHONE_EXAMPLE)
                with FieldGroup("Address"):
                    yield self.text("patient.address.line1", "Street")
                    yield self.text("patient.address.line2", "Apt, suite")
                    yield self.text("patient.address.city", "City")
                    yield self.text("patient.address.state", "State", placeholder="2 letters, e.g. OH", max_length=2)
                    yield self.text("patient.address.zip", "ZIP", placeholder="5 or 9 digits")
                with FieldGroup("Email & contact"):
                    yield self.text("patient.email", "Email")
                    yield self.choice("patient.preferred_contact_method", "Contact by", CONTACT_METHODS)
                    yield self.flag("patient.reminder_consent", "Reminders", "OK to send reminders")
            with Vertical(classes="patient-form-column"):
                with FieldGroup("Language & work"):
                    yield self.text("patient.preferred_language", "Language", placeholder="e.g. English")
                    yield self.choice("patient.marital_status", "Marital status", MARITAL_STATUSES)
                    yield self.choice("patient.employment_status", "Employment", EMPLOYMENT_STATUSES)
                    yield self.text("patient.employer_name", "Employer")
                with FieldGroup("Emergency contact"):
                    yield self.text("patient.emergency_contact.name", "Name")
                    yield self.text("patient.emergency_contact.relationship", "Relationship", placeholder="e.g. sister")
                    yield self.text("patient.emergency_contact.phone.number", "Phone", placeholder=PHONE_EXAMPLE)
                with FieldGroup("Guarantor (who pays the bill)", id="guarantor-group"):
                    yield self.flag("patient.guarantor.is_self", "Guarantor", "The patient")
                    details = [
                        self.text("patient.guarantor.name.last", "Last name"),
                        self.text("patient.guarantor.name.first", "First name"),
                        self.choice("patient.guarantor.relationship", "Relationship", GUARANTOR_RELATIONSHIPS),
                        self.text("patient.guarantor.address.line1", "Street"),
                        self.text("patient.guarantor.address.line2", "Apt, suite"),
                        self.text("patient.guarantor.address.city", "City"),
                        self.text("patient.guarantor.address.state", "State", max_length=2),
                        self.text("patient.guarantor.address.zip", "ZIP"),
                        self.text("patient.guarantor.phone.number", "Phone", placeholder=PHONE_EXAMPLE),
                    ]
                    for detail in details:
                        yield detail.add_class("guarantor-detail")
                with FieldGroup("Social Security number"):
                    on_file = self.record.ssn_masked if self.record is not None else ""
                    placeholder = f"{on_file} on file; type to replace" if on_file else "9 digits, or blank"
                    yield FormField("SSN", Input(placeholder=placeholder, id="ssn", max_length=11, compact=True), "ssn")
                    if on_file:
                        yield FormField(
                            "", Checkbox("Remove the SSN on file", id="clear-ssn", compact=True), "clear_ssn"
                        )
                with FieldGroup("Alerts & notes"):
                    yield self.text("patient.alerts", "Alerts", placeholder="shown in red on the banner")
                    yield FormField("Notes", TextArea(id=control_id("patient.notes"), compact=True), "patient.notes")
                if editing:
                    with FieldGroup("Status"):
                        yield self.choice("patient.status", "Status", EDITABLE_STATUSES)
                        yield self.text("patient.date_of_death", "Date of death", placeholder=DATE_HINT)

    def on_mount(self) -> None:
        super().on_mount()
        for button in self.query(Button):
            button.compact = True
        self.fill(read_patient(self.record))
        self.started_values = self.form_values()
        self.query_one(f"#{control_id(KEY_FIELD_KEYS[0])}", Input).focus()

    # -- values ----------------------------------------------------------------------
    def fill(self, values: FormValues) -> None:
        for key, value in values.items():
            if key in self.value_keys():
                write_control(self.control(key), value)
        self._show_guarantor_details(not values.get("patient.guarantor.is_self", True))

    def _show_guarantor_details(self, enabled: bool) -> None:
        for key in GUARANTOR_DETAIL_KEYS:
            self.control(key).disabled = not enabled
        self.query_one("#guarantor-group").set_class(not enabled, "-patient-pays")

    @on(Checkbox.Changed, f"#{control_id('patient.guarantor.is_self')}")
    def _guarantor_changed(self, event: Checkbox.Changed) -> None:
        self._show_guarantor_details(not event.value)

    # -- saving ----------------------------------------------------------------------
    def submit(self) -> None:
        try:
            patient, self.sent_phone_keys = build_patient(self.form_values(), self.record)
        except UnreadableField as error:
            show_violations(self, [FieldViolation(error.key, error.message)])
            self.say("Please correct the fields marked.")
            return
        ssn = self.query_one("#ssn", Input).value.strip()
        if self.record is None:
            self.register(patient, ssn)
        else:
            clear = self.query("#clear-ssn")
            clear_ssn = bool(clear) and bool(clear.first(Checkbox).value)
            self.save_changes(patient, ssn, clear_ssn)

    @gateway_call
    async def register(self, patient: patients_pb2.Patient, ssn: str) -> None:
        self.say("Registering…", info=True)
        response = await self.gateway.register_patient(
            patient, ssn, self.acknowledged_duplicate_ids, self.idempotency_key
        )
        if response.HasField("patient"):
            self.dismiss(response.patient.patient_id)
            return
        self.idempotency_key = uuid.uuid4().hex  # nothing was written
        candidates = list(response.possible_duplicates)
        self.say("")

        def decide(decision: DuplicateDecision | None) -> None:
            if decision is None:
                self.say("Not registered yet: change what was typed, or save again to see the matches.")
            elif decision.open_patient_id:
                self.dismiss(decision.open_patient_id)
            elif decision.register_anyway:
                seen = [c.patient.patient_id for c in candidates]
                self.acknowledged_duplicate_ids = sorted({*self.acknowledged_duplicate_ids, *seen})
                self.register(patient, ssn)

        typed_name = formatting.spoken_name(patient.name) or "This patient"
        self.app.push_screen(DuplicatePatientsScreen(candidates, typed_name), decide)

    @gateway_call
    async def save_changes(self, patient: patients_pb2.Patient, ssn: str, clear_ssn: bool) -> None:
        self.say("Saving…", info=True)
        updated = await self.gateway.update_patient(patient, ssn, clear_ssn)
        self.dismiss(updated.patient_id)

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, InvalidInput):
            error = InvalidInput(
                [FieldViolation(form_key(v.field, self.sent_phone_keys), v.description) for v in error.violations]
            )
        elif isinstance(error, StaleRecord) and self.record is not None:
            self.say("Someone else saved this patient first; fetching their version…")
            self.take_their_version(self.record.patient_id)
            return True
        return super().show_inline_error(error)

    @gateway_call
    async def take_their_version(self, patient_id: int) -> None:
        latest = (await self.gateway.get_patient(patient_id)).patient
        result = reconcile(read_patient(self.record), read_patient(latest), self.form_values())
        for key, value in result.theirs_taken.items():
            if key in self.value_keys():
                write_control(self.control(key), value)
        if "patient.guarantor.is_self" in result.theirs_taken:
            self._show_guarantor_details(not result.theirs_taken["patient.guarantor.is_self"])
        self.record = latest  # saving again sends their version number
        self.say(explain(result, LABELS, "this patient"))

    # -- leaving ---------------------------------------------------------------------
    def action_cancel(self) -> None:
        self.leave_unless_unsaved(
            self.form_values() != self.started_values or bool(self.query_one("#ssn", Input).value))
