"""Who the open patient is, always in view: name, birth, sex, MRN, primary payer (with its newest eligibility
answer, as at check-in), status and alerts."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from client_tui import formatting
from client_tui.choices import PATIENT_STATUS_NAMES, SEX_NAMES
from client_tui.eligibility_values import banner_mark
from shared.pms.insurance.v1 import insurance_pb2
from shared.pms.patients.v1 import patients_pb2


def primary_payer(policies: Sequence[insurance_pb2.Policy]) -> insurance_pb2.Policy | None:
    return next((p for p in policies if not p.ended and p.priority == 1), None)


class PatientBanner(Vertical):
    DEFAULT_CSS = """
    PatientBanner {
        height: auto;
        background: $boost;
        padding: 0 1;
        border-bottom: solid $primary;
    }
    PatientBanner > #banner-name {
        text-style: bold;
        color: $text-primary;
    }
    PatientBanner > #banner-alerts {
        display: none;
        color: $text-error;
        text-style: bold;
    }
    PatientBanner.-has-alerts > #banner-alerts {
        display: block;
    }
    PatientBanner > #banner-notice {
        display: none;
        color: $text-warning;
        text-style: bold;
    }
    PatientBanner.-has-notice > #banner-notice {
        display: block;
    }
    """

    facts = Text("")
    primary: insurance_pb2.Policy | None = None
    # None until the screen has fetched the patient's eligibility checks.
    checks: list[insurance_pb2.EligibilityCheck] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Loading the patient…", id="banner-name", markup=False)
        yield Static("", id="banner-facts", markup=False)
        yield Static("", id="banner-alerts", markup=False)
        yield Static("", id="banner-notice", markup=False)

    def show(self, patient: patients_pb2.Patient, policies: Sequence[insurance_pb2.Policy]) -> None:
        name = Text(formatting.person_name(patient.name, patient.preferred_name))
        if patient.status != patients_pb2.PATIENT_STATUS_ACTIVE:
            status = PATIENT_STATUS_NAMES.get(patient.status, "status unknown").upper()
            died = formatting.calendar_date(patient.date_of_death)
            if patient.status == patients_pb2.PATIENT_STATUS_DECEASED and died:
                status += f" {died}"
            name.append("   ")
            name.append(f" {status} ", style="bold reverse yellow")
        self.query_one("#banner-name", Static).update(name)
        self.primary = primary_payer(policies)
        self.facts = Text(self._facts(patient, policies))
        self._show_facts()
        alerts = patient.alerts.strip()
        self.query_one("#banner-alerts", Static).update(f"⚠ {alerts}" if alerts else "")
        self.set_class(bool(alerts), "-has-alerts")

    def show_eligibility(self, checks: Sequence[insurance_pb2.EligibilityCheck]) -> None:
        """The primary policy's newest answered check, after the payer on the facts line."""
        self.checks = list(checks)
        self._show_facts()

    def _show_facts(self) -> None:
        line = self.facts.copy()
        eligibility = banner_mark(self.checks, self.primary) if self.checks is not None else Text("")
        if eligibility:
            line.append(" · ")
            line.append_text(eligibility)
        self.query_one("#banner-facts", Static).update(line)

    def show_notice(self, sentence: str) -> None:
        """A sentence about the record itself (e.g. that it was merged); empty hides the line."""
        self.query_one("#banner-notice", Static).update(sentence)
        self.set_class(bool(sentence), "-has-notice")

    def show_problem(self, sentence: str) -> None:
        self.query_one("#banner-name", Static).update(sentence)

    @staticmethod
    def _facts(patient: patients_pb2.Patient, policies: Sequence[insurance_pb2.Policy]) -> str:
        primary = primary_payer(policies)
        payer = f"Primary: {primary.payer_name}" if primary else "No active insurance on file"
        if primary and primary.plan_name:
            payer += f" ({primary.plan_name})"
        parts = [
            f"DOB {formatting.date_with_age(patient.date_of_birth)}" if patient.HasField("date_of_birth") else "",
            SEX_NAMES.get(patient.sex, ""),
            f"MRN {patient.mrn}",
            payer,
        ]
        return " · ".join(part for part in parts if part)
