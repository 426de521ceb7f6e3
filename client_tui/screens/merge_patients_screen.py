"""Merge a duplicate into the open patient (managers): find it, compare the two, give a reason, confirm.

The open patient is the survivor: everything of the duplicate (policies, documents) moves to
it and the duplicate stays on file, read only. The search box works as the front desk's (the
survivor itself is never listed); Enter on a result fetches that record and shows it beside
the survivor. Ctrl+S (or Enter in the reason) asks once more, then merges with the versions
of both records as shown, so a change made meanwhile is refused rather than merged unseen.
Whether the two may be merged (reason given, not merged already) is the server's to say.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from client_tui import formatting
from client_tui.choices import SEX_NAMES
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, InvalidInput, RuleBroken, StaleRecord
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.widgets.field_group import FieldGroup
from client_tui.widgets.form_field import FormField, clear_field_errors, show_violations
from client_tui.widgets.patient_banner import primary_payer
from client_tui.widgets.patient_search import PatientResults, PatientSearch
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.patients.v1 import patients_pb2

LABEL_WIDTH = 14
STALE = (
    "Someone changed one of the two records after you opened them, so nothing was merged. "
    "Ctrl+R fetches both again; check them, then merge."
)
ALREADY_MERGED = (
    "One of the two records has been merged already, so these two cannot be merged. Ctrl+R shows both as they are now."
)


def count_of(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def facts(record: patients_pb2.GetPatientResponse) -> list[str | Text]:
    """The lines the two records are compared on, in the order of ``FACT_LABELS``."""
    patient = record.patient
    primary = primary_payer(record.policies)
    payer = primary.payer_name if primary else ""
    if primary and primary.plan_name:
        payer += f" ({primary.plan_name})"
    active = sum(1 for p in record.policies if not p.ended)
    policies = count_of(len(record.policies), "policy", "policies")
    if record.policies:
        policies += f" ({active} active)"
    phones = ", ".join(formatting.phone(p.number) for p in patient.phones)
    return [
        formatting.person_name(patient.name, patient.preferred_name),
        formatting.date_with_age(patient.date_of_birth),
        SEX_NAMES.get(patient.sex, ""),
        patient.mrn,
        phones,
        ", ".join(formatting.address_lines(patient.address)),
        payer or Text("no active insurance", style="dim"),
        policies,
        count_of(len(record.documents), "document", "documents"),
    ]


FACT_LABELS = ("Name", "Born", "Sex", "MRN", "Phone", "Address", "Primary payer", "Policies", "Documents")


def comparison(survivor: patients_pb2.GetPatientResponse, duplicate: patients_pb2.GetPatientResponse | None) -> Table:
    table = Table(box=None, expand=True, pad_edge=False, header_style="bold", padding=(0, 1))
    table.add_column("", width=LABEL_WIDTH, style="dim", no_wrap=True)
    table.add_column(Text("This record (kept)", style="bold green"), ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column(
        Text("Duplicate (becomes read only)", style="bold yellow"), ratio=1, no_wrap=True, overflow="ellipsis"
    )
    kept = facts(survivor)
    other: list[str | Text] = facts(duplicate) if duplicate is not None else [Text("—", style="dim")] * len(FACT_LABELS)
    for label, left, right in zip(FACT_LABELS, kept, other, strict=True):
        table.add_row(label, left or Text("—", style="dim"), right or Text("—", style="dim"))
    return table


class DuplicateResults(PatientResults, inherit_bindings=False):
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Compare",
            tooltip="Show the highlighted patient beside this record",
            id="merge.compare",
        ),
    ]


class DuplicateSearch(PatientSearch):
    RESULTS = DuplicateResults


class MergePatientsScreen(Screen[patients_pb2.MergeRecord | None]):
    """Dismisses with the merge the server made, or None."""

    CSS_PATH = "merge_patients_screen.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Back to the patient without merging", id="merge.cancel"),
        Binding(
            "ctrl+s",
            "merge",
            "Merge…",
            tooltip="Merge the duplicate into this record (asks once more; Enter in the reason does too)",
            id="merge.merge",
        ),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch both records again", id="merge.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, survivor: patients_pb2.GetPatientResponse) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.survivor = survivor
        self.duplicate: patients_pb2.GetPatientResponse | None = None

    @property
    def survivor_id(self) -> int:
        return self.survivor.patient.patient_id

    def compose(self) -> ComposeResult:
        yield DuplicateSearch(self.gateway, self.session, exclude_patient_id=self.survivor_id, id="merge-search")
        yield Static(id="merge-comparison")
        with FieldGroup("Merge", id="merge-group"):
            yield FormField(
                "Reason",
                Input(
                    placeholder="why they are the same person, e.g. registered twice after a name change",
                    id="merge-reason",
                    compact=True,
                ),
                "reason",
            )
            yield Static("", id="merge-consequence", markup=False)
        yield Static("", id="merge-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        patient = self.survivor.patient
        name = formatting.person_name(patient.name, patient.preferred_name)
        self.query_one("#patient-search", Input).border_title = f"Find the duplicate of {name} (MRN {patient.mrn})"
        self.show_records()
        self.query_one(DuplicateSearch).focus_search()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "merge":
            # Greyed out until there is a duplicate to merge.
            return True if self.duplicate is not None else None
        return True

    # -- the two records -------------------------------------------------------------
    def show_records(self) -> None:
        self.query_one("#merge-comparison", Static).update(comparison(self.survivor, self.duplicate))
        self.query_one("#merge-consequence", Static).update(self.consequence())
        self.refresh_bindings()

    def consequence(self) -> str:
        if self.duplicate is None:
            return "Type in the box above, Down to the results, then Enter shows that patient beside this record."
        kept, merged = self.survivor.patient.mrn, self.duplicate.patient.mrn
        return (
            f"All policies and documents of MRN {merged} move to MRN {kept}; MRN {merged} becomes read only. "
            "Ctrl+S merges (after one more question)."
        )

    @on(PatientSearch.Picked)
    def _picked(self, message: PatientSearch.Picked) -> None:
        message.stop()
        self.load_duplicate(message.patient_id)

    @gateway_call
    async def load_duplicate(self, patient_id: int) -> None:
        self.duplicate = await self.gateway.get_patient(patient_id)
        clear_field_errors(self)
        self.say("")
        self.show_records()
        self.query_one("#merge-reason", Input).focus()

    @gateway_call
    async def reload_both(self) -> None:
        survivor = await self.gateway.get_patient(self.survivor_id)
        duplicate = await self.gateway.get_patient(self.duplicate.patient.patient_id) if self.duplicate else None
        self.survivor, self.duplicate = survivor, duplicate
        self.show_records()
        self.say("Fetched both records again: check them, then Ctrl+S merges." if duplicate else "", info=True)

    def action_reload(self) -> None:
        self.reload_both()

    # -- merging ---------------------------------------------------------------------
    @on(Input.Submitted, "#merge-reason")
    def _reason_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_merge()

    def action_merge(self) -> None:
        duplicate = self.duplicate
        if duplicate is None:
            self.say("Find the duplicate first: type in the box above and press Enter on it.")
            return
        clear_field_errors(self)
        self.say("")
        reason = self.query_one("#merge-reason", Input).value.strip()
        survivor = self.survivor.patient
        merged = duplicate.patient

        def merge_if_confirmed(confirmed: bool | None) -> None:
            if confirmed:
                self.merge(survivor.patient_id, survivor.version, merged.patient_id, merged.version, reason)

        self.app.push_screen(
            ConfirmScreen(
                "Merge two records",
                f"Merge MRN {merged.mrn} ({formatting.spoken_name(merged.name)}) into "
                f"MRN {survivor.mrn} ({formatting.spoken_name(survivor.name)})?\n\n"
                f"All policies and documents of MRN {merged.mrn} move to MRN {survivor.mrn}; "
                f"MRN {merged.mrn} becomes read only. There is no undo.",
                "Merge",
            ),
            merge_if_confirmed,
        )

    @gateway_call
    async def merge(
        self, survivor_id: int, survivor_version: int, merged_id: int, merged_version: int, reason: str
    ) -> None:
        response = await self.gateway.merge_patients(survivor_id, survivor_version, merged_id, merged_version, reason)
        self.dismiss(response.merge)

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- what went wrong ---------------------------------------------------------------
    def say(self, text: str, info: bool = False) -> None:
        message = self.query_one("#merge-message", Static)
        message.update(text)
        message.set_class(info, "-info")

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, InvalidInput):
            unmatched = show_violations(self, error.violations)
            self.say(describe(InvalidInput(unmatched)) if unmatched else "Please correct the field marked.")
        elif isinstance(error, StaleRecord):
            self.say(STALE)
        elif isinstance(error, RuleBroken) and error.reason == "PATIENT_MERGED":
            self.say(ALREADY_MERGED)
        else:
            self.say(describe(error))
        return True
