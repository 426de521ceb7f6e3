"""One claim: who and what is billed to whom, its lines, the last scrub's findings beside what they point at, and
its history.

S scrubs the claim and shows the findings; Q scrubs it and queues it when it is clean. F prints it on a CMS-1500
form (red form or full) into a PDF file. Enter on a finding goes where
it is fixed: the encounter's superbill for the visit's own fields (diagnoses, lines, place of service, prior
authorization, providers, location, date), the patient's record for patient and subscriber fields; the practice's
billing identity is a manager's (Admin, Billing setup). A billed encounter's superbill is read only: the encounter is
reopened to change it, which voids the claim (or marks a sent one corrected) and billing it again makes the next one.
"""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui import formatting
from client_tui.claims_values import (
    REASON_STATUSES,
    RESPONSIBILITY_WORDS,
    SCRUBBABLE,
    SEVERITY_WORDS,
    STATUS_WORDS,
    field_words,
    fix_place,
    frequency_words,
)
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError
from client_tui.screens.patient_screen import PatientScreen
from client_tui.screens.print_claims_screen import PrintClaimsScreen, PrintedFile
from client_tui.screens.superbill_screen import SuperbillScreen
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.claims.v1 import claims_pb2 as cl
from shared.pms.encounters.v1 import encounters_pb2 as en

REOPEN_WORDS = (
    "Reopen the encounter to fix it: its claim is voided or corrected, and billing it again makes the next one."
)
# Both tables fit 100 columns; longer words wrap onto more lines of the row.
FIX_WIDTH = 40
REASON_WIDTH = 36
SEVERITY_STYLES = {cl.SEVERITY_ERROR: "bold red", cl.SEVERITY_WARNING: "bold yellow"}


class ClaimTable(DataTable[str | Text], inherit_bindings=False):
    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]


class FindingTable(ClaimTable, inherit_bindings=False):
    BINDINGS = [
        *ClaimTable.BINDINGS,
        Binding("enter", "select_cursor", "Fix it", tooltip="Go where the highlighted finding is fixed",
                id="claim.fix"),
    ]


class ClaimScreen(Screen[bool]):
    """Dismisses with True when the claim was scrubbed here."""

    CSS_PATH = "claim_screen.tcss"

    BINDINGS = [
        Binding("s", "scrub(False)", "Scrub", tooltip="Run the scrubber and show what it finds", id="claim.scrub"),
        Binding("q", "scrub(True)", "Scrub+queue", tooltip="Scrub, and queue the claim to send if it is clean",
                id="claim.queue"),
        Binding("e", "superbill", "Superbill", tooltip="Open the encounter's superbill", id="claim.superbill"),
        Binding("p", "patient", "Patient", tooltip="Open the patient's record", id="claim.patient"),
        Binding("f", "print_form", "Print form", tooltip="Print the claim on a CMS-1500 form (red form or full) "
                "into a PDF file", id="claim.print"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the claim again", id="claim.reload"),
        Binding("escape", "back", "Back", tooltip="Back to the claims", id="claim.back"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, claim_id: int) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.claim_id = claim_id
        self.can_write = "claims.write" in session.permissions
        self.detail: cl.GetClaimResponse | None = None
        self.findings: list[cl.Finding] = []
        self.scrubbed = False

    def compose(self) -> ComposeResult:
        yield Static(f"Claim {self.claim_id}", id="claim-title", markup=False)
        yield Static("", id="claim-header", markup=False)
        yield Static("Loading the claim…", id="claim-message", markup=False)
        with Horizontal(classes="claim-heading"):
            yield Static("Lines", classes="claim-section", markup=False)
        lines = ClaimTable(id="claim-lines", cursor_type="row", zebra_stripes=True)
        for label, width in (("#", 2), ("Code", 6), ("Mods", 11), ("Units", 5), ("Ptr", 7), ("Charge", 10),
                             ("Expected", 10), ("Scrubber", 30)):
            lines.add_column(label, width=width, key=label)
        yield lines
        with Horizontal(classes="claim-heading"):
            yield Static("Findings of the last scrub", classes="claim-section", markup=False)
            yield Static("", id="claim-findings-hint", markup=False)
        findings = FindingTable(id="claim-findings", cursor_type="row")
        for label, width in (("", 7), ("Where", 18), ("What to fix", FIX_WIDTH), ("Rule", 21)):
            findings.add_column(label, width=width, key=label or "severity")
        yield findings
        with Horizontal(classes="claim-heading"):
            yield Static("History", classes="claim-section", markup=False)
        events = ClaimTable(id="claim-events", cursor_type="row", zebra_stripes=True)
        for label, width in (("When", 16), ("From → to", 22), ("By", 14), ("Reason", REASON_WIDTH)):
            events.add_column(label, width=width, key=label)
        yield events
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "scrub":
            if not self.can_write:
                return False
            return True if self.detail is not None and self.detail.claim.status in SCRUBBABLE else None
        if action in ("superbill", "patient", "print_form"):
            return self.detail is not None
        return True

    # -- showing -----------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load()

    @gateway_call
    async def load(self) -> None:
        detail = await self.gateway.get_claim(self.claim_id)
        self._show(detail)

    def _show(self, detail: cl.GetClaimResponse, say: bool = True) -> None:
        self.detail = detail
        claim = detail.claim
        self.findings = sorted(detail.findings, key=lambda f: (f.severity != cl.SEVERITY_ERROR, f.field))
        status = STATUS_WORDS.get(claim.status, "?")
        title = Text()
        title.append(f"Claim {claim.claim_id} · {claim.patient_name} · ", style="bold")
        title.append(status, style="bold red" if claim.status in REASON_STATUSES else "bold")
        title.append(f" · v{claim.version}", style="dim")
        self.query_one("#claim-title", Static).update(title)
        self.query_one("#claim-header", Static).update(self._header(claim))
        self._fill_lines(claim)
        self._fill_findings()
        self._fill_events(list(detail.events))
        if say:
            self._summarize()
        self.refresh_bindings()
        table = self.query_one("#claim-findings" if self.findings else "#claim-lines", DataTable)
        table.focus()

    def _header(self, claim: cl.Claim) -> Text:
        def pair(label: str, value: str, width: int, style: str = "") -> None:
            text.append(f"{label} ", style="bold dim")
            text.append(value.ljust(width) if width else value, style=style)

        text = Text()
        responsibility = RESPONSIBILITY_WORDS.get(claim.responsibility, claim.responsibility)
        pair("Patient", claim.patient_name, 28)
        pair("Payer", f"{claim.payer_name} · {responsibility}", 0)
        text.append("\n")
        pair("DOS    ", formatting.calendar_date(claim.date_of_service), 11)
        pair("Total", formatting.dollars(claim.total_charge_cents), 11)
        pair("Frequency", frequency_words(claim), 0)
        text.append("\n")
        pair("Payer's claim number", claim.payer_claim_number or "none yet", 14)
        pair("Encounter", str(claim.encounter_id), 0)
        if claim.status_reason:
            text.append("\n")
            reason_style = "bold red" if claim.status in REASON_STATUSES else ""
            pair(STATUS_WORDS.get(claim.status, "Status"), claim.status_reason, 0, reason_style)
        return text

    def _line_findings(self, number: int) -> list[cl.Finding]:
        return [f for f in self.findings if fix_place(f.field).line == number]

    def _fill_lines(self, claim: cl.Claim) -> None:
        table = self.query_one("#claim-lines", DataTable)
        table.clear()
        for line in claim.lines:
            found = self._line_findings(line.line_number)
            marks = Text()
            for f in found:
                if marks:
                    marks.append(" ")
                marks.append(f"✗ {f.rule}" if f.severity == cl.SEVERITY_ERROR else f"! {f.rule}",
                             style=SEVERITY_STYLES.get(f.severity, ""))
            table.add_row(
                str(line.line_number), line.code, " ".join(line.modifiers), Text(str(line.units), justify="right"),
                "".join(str(p) for p in line.dx_pointers),
                Text(formatting.dollars(line.charge_cents), justify="right"),
                Text(formatting.dollars(line.expected_allowed_cents) if line.has_expected_allowed else "",
                     justify="right"),
                marks)
        table.styles.height = min(len(claim.lines), 6) + 1

    def _fill_findings(self) -> None:
        table = self.query_one("#claim-findings", DataTable)
        table.clear()
        lines = 0
        for number, f in enumerate(self.findings):
            wrapped = textwrap.wrap(f.message, FIX_WIDTH) or [""]
            lines += len(wrapped)
            table.add_row(
                Text(SEVERITY_WORDS.get(f.severity, "?"), style=SEVERITY_STYLES.get(f.severity, "")),
                Text(field_words(f.field), style="bold"), "\n".join(wrapped),
                Text(f.rule, style="dim", no_wrap=True, overflow="ellipsis"),
                key=str(number), height=len(wrapped))
        table.styles.height = min(max(lines, 1), 8) + 1
        hint = "Enter on one goes where it is fixed" if self.findings else "none"
        self.query_one("#claim-findings-hint", Static).update(hint)

    def _fill_events(self, events: list[cl.ClaimEvent]) -> None:
        table = self.query_one("#claim-events", DataTable)
        table.clear()
        for event in reversed(events):
            before = STATUS_WORDS.get(event.from_status, "")
            after = STATUS_WORDS.get(event.to_status, "?")
            wrapped = textwrap.wrap(event.reason, REASON_WIDTH) or [""]
            table.add_row(formatting.moment(event.at), f"{before} → {after}" if before else f"made {after.lower()}",
                          event.by, "\n".join(wrapped), height=len(wrapped))

    def _summarize(self) -> None:
        assert self.detail is not None
        errors = sum(1 for f in self.findings if f.severity == cl.SEVERITY_ERROR)
        warnings = len(self.findings) - errors
        status = self.detail.claim.status
        if errors:
            self.say(f"{errors} error{'' if errors == 1 else 's'} keep{'s' if errors == 1 else ''} this claim from "
                     "queueing: Enter on a finding goes to fix it, then S scrubs again.", error=True)
        elif status in SCRUBBABLE and self.can_write:
            extra = f" ({warnings} warning{'' if warnings == 1 else 's'})" if warnings else ""
            self.say(f"S scrubs the claim, Q scrubs and queues it{extra}.")
        else:
            self.say(f"{STATUS_WORDS.get(status, '')}: nothing to scrub.")

    # -- scrubbing -----------------------------------------------------------------------------
    def action_scrub(self, queue: bool) -> None:
        if self.detail is not None and self.can_write and self.detail.claim.status in SCRUBBABLE:
            self.say("Scrubbing…")
            self.scrub(queue)

    @gateway_call
    async def scrub(self, queue: bool) -> None:
        done = (await self.gateway.scrub_claims([self.claim_id], queue=queue))[0]
        self.scrubbed = True
        self._show(await self.gateway.get_claim(self.claim_id), say=False)
        errors = sum(1 for f in done.findings if f.severity == cl.SEVERITY_ERROR)
        warnings = len(done.findings) - errors
        status = STATUS_WORDS.get(done.status, "").lower()
        if errors:
            self.say(f"Scrubbed: {errors} error{'' if errors == 1 else 's'}"
                     f"{f', {warnings} warning' + ('' if warnings == 1 else 's') if warnings else ''}; the claim is "
                     f"{status}. Enter on a finding goes where it is fixed.", error=True)
        else:
            found = f" with {warnings} warning{'' if warnings == 1 else 's'}" if warnings else ""
            self.say(f"Scrubbed clean{found}: the claim is {status}.", ok=True)

    # -- going where it is fixed --------------------------------------------------------------------
    @on(DataTable.RowSelected, "#claim-findings")
    def _finding_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None and self.findings:
            self.fix(self.findings[int(event.row_key.value)])

    def fix(self, finding: cl.Finding) -> None:
        place = fix_place(finding.field)
        where = field_words(finding.field)
        if place.screen == "superbill":
            self.open_superbill(f"{where[:1].upper()}{where[1:]}: {finding.message}.")
        elif place.screen in ("patient", "insurance"):
            self.open_patient("insurance" if place.screen == "insurance" else "demographics")
            self.app.notify(f"{where[:1].upper()}{where[1:]}: {finding.message}. Fix it here, then S on the claim "
                            "scrubs again.", title="To fix", timeout=10)
        elif place.screen == "billing_setup":
            who = "Escape, then Ctrl+B: Admin, Billing setup" if "claims.setup" in self.session.permissions \
                else "ask a manager to fix it in Admin, Billing setup"
            self.say(f"The practice's billing identity ({where}): {finding.message}. {who}; then S scrubs again.",
                     error=True)
        else:
            self.say(f"{where[:1].upper()}{where[1:]}: {finding.message}.", error=True)

    def action_superbill(self) -> None:
        self.open_superbill("")

    def action_patient(self) -> None:
        self.open_patient("demographics")

    def action_print_form(self) -> None:
        if self.detail is None:
            return

        def printed(done: PrintedFile | None) -> None:
            if done is not None:
                self.say(f"Printed {done.pages} page{'' if done.pages == 1 else 's'} to {done.path}.", ok=True)

        self.app.push_screen(PrintClaimsScreen(self.gateway, [self.claim_id]), printed)

    def _back_here(self, _result: object = None) -> None:
        self.load()

    @gateway_call
    async def open_superbill(self, what: str) -> None:
        assert self.detail is not None
        encounter = await self.gateway.get_encounter(self.detail.claim.encounter_id)
        providers = await self.gateway.list_providers()
        locations = await self.gateway.list_locations()
        self.app.push_screen(SuperbillScreen(self.gateway, self.session, encounter, providers, locations),
                             self._back_here)
        if encounter.status != en.ENCOUNTER_STATUS_OPEN:
            self.app.notify(f"{what + ' ' if what else ''}This superbill is billed, so it is read only. "
                            f"{REOPEN_WORDS}", title="To fix", timeout=12)
        elif what:
            self.app.notify(f"{what} Fix it, save and make it ready to bill, then bill it again.", title="To fix",
                            timeout=10)

    def open_patient(self, tab: str) -> None:
        assert self.detail is not None
        self.app.push_screen(PatientScreen(self.gateway, self.session, self.detail.claim.patient_id, tab),
                             self._back_here)

    def action_back(self) -> None:
        self.dismiss(self.scrubbed)

    # -- messages ----------------------------------------------------------------------------------
    def say(self, text: str, error: bool = False, ok: bool = False) -> None:
        message = self.query_one("#claim-message", Static)
        message.update(text)
        message.set_class(error, "-error")
        message.set_class(ok, "-ok")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(describe(error), error=True)
        return True
