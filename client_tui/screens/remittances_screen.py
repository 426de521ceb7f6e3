"""ERAs (835 remittances), newest first, and the preview of one before it posts. E in the claims worklist opens the
list (with ``remittances.post``).

The list: payer, trace number, payment date, amount, status and how many claim payments could not be matched. I
imports a file from this workstation; Enter previews the highlighted ERA (every claim payment with what it pays,
writes off, moves to the patient or denies, and each exception's reason); P posts it after asking once, then says
how many claim payments posted. Exceptions never post: they wait for one-by-one work. Which payment matches which
claim, and whether an ERA may post, is the server's to say. N keys in a paper check and its EOB. D and U open the
worklists of denied and underpaid services; G the deposit of what is waiting for the bank (``deposits.manage``); Y
the day sheet (``reports.day_sheet``).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.day_sheet_screen import DaySheetScreen
from client_tui.screens.denials_screen import DenialsScreen
from client_tui.screens.deposit_screen import DepositScreen
from client_tui.screens.import_remittance_screen import ImportRemittanceScreen
from client_tui.screens.match_claim_screen import MatchClaimScreen
from client_tui.screens.paper_eob_screen import PaperEobScreen
from client_tui.screens.paper_eob_screen import posted_sentence as paper_posted_sentence
from client_tui.screens.underpayments_screen import UnderpaymentsScreen
from client_tui.widgets.money_table import fit_columns, money, plural
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.remittances.v1 import remittances_pb2 as rm

# Fixed widths; the payer (list) and the patient (preview) take what is left.
LIST_COLUMNS: list[tuple[str, int]] = [("Trace", 16), ("Paid on", 10), ("Amount", 11), ("Status", 8),
                                       ("Claims", 6), ("Exceptions", 10)]
PREVIEW_COLUMNS: list[tuple[str, int]] = [("DOS", 10), ("Claim", 5), ("Paid", 10), ("Contractual", 11),
                                          ("To patient", 10), ("Denied", 10), ("Outcome", 9)]
STATUS_WORDS = {rm.REMITTANCE_STATUS_IMPORTED: "Imported", rm.REMITTANCE_STATUS_POSTED: "Posted",
                rm.REMITTANCE_STATUS_REVIEW: "Review"}
STATUS_STYLES = {rm.REMITTANCE_STATUS_IMPORTED: "yellow", rm.REMITTANCE_STATUS_POSTED: "green",
                 rm.REMITTANCE_STATUS_REVIEW: "bold red"}
OUTCOME_WORDS = {rm.CLAIM_PAYMENT_OUTCOME_READY: "Ready", rm.CLAIM_PAYMENT_OUTCOME_POSTED: "Posted",
                 rm.CLAIM_PAYMENT_OUTCOME_EXCEPTION: "Exception"}
OUTCOME_STYLES = {rm.CLAIM_PAYMENT_OUTCOME_READY: "yellow", rm.CLAIM_PAYMENT_OUTCOME_POSTED: "green",
                  rm.CLAIM_PAYMENT_OUTCOME_EXCEPTION: "bold red"}
# D and U share one footer entry: the footer is 100 columns.
WORKLISTS = Binding.Group("Worklists", compact=True)
# The permission each of the list's other screens needs; without it the key is hidden.
NEEDS = {"paper": "remittances.post", "denials": "remittances.post", "underpayments": "remittances.post",
         "deposit": "deposits.manage", "day_sheet": "reports.day_sheet"}
LIST_INTRO = ("Payers' remittances (835), newest first. I imports a file; Enter shows what an ERA will post; P posts "
              "it. Claim payments that cannot be matched stay as exceptions and never post on their own.")


def remittance_row(era: rm.Remittance) -> list[str | Text]:
    return [
        era.payer_name,
        era.trace_number,
        formatting.calendar_date(era.payment_date),
        money(era.payment_cents),
        Text(STATUS_WORDS.get(era.status, "?"), style=STATUS_STYLES.get(era.status, "")),
        Text(str(era.claim_count), justify="right"),
        Text(str(era.exception_count) if era.exception_count else "", justify="right",
             style="bold red" if era.exception_count else ""),
    ]


def claim_payment_row(claim: rm.ClaimPayment) -> list[str | Text]:
    return [
        claim.patient_name or claim.control_number,
        formatting.calendar_date(claim.date_of_service),
        Text(str(claim.claim_id) if claim.claim_id else "—", justify="right"),
        money(claim.paid_cents),
        money(claim.contractual_cents),
        money(claim.patient_cents),
        money(claim.denied_cents) if claim.denied_cents else Text(""),
        Text(OUTCOME_WORDS.get(claim.outcome, "?"), style=OUTCOME_STYLES.get(claim.outcome, "")),
    ]


def era_header(era: rm.Remittance) -> str:
    method = f" by {era.payment_method}" if era.payment_method else ""
    lines = [
        f"{era.payer_name} · trace {era.trace_number} · {formatting.dollars(era.payment_cents)}{method} on "
        f"{formatting.calendar_date(era.payment_date)} · {STATUS_WORDS.get(era.status, '?')}",
        f"Paid {formatting.dollars(era.paid_cents)} · Contractual {formatting.dollars(era.contractual_cents)} · "
        f"To patients {formatting.dollars(era.patient_cents)} · Denied {formatting.dollars(era.denied_cents)}"
        + (f" · Provider adjustments {formatting.dollars(era.provider_adjustment_cents)}"
           if era.provider_adjustment_cents else ""),
    ]
    if era.status == rm.REMITTANCE_STATUS_POSTED and era.posted_by:
        lines.append(f"Posted {formatting.instant(era.posted_at)} by {era.posted_by}.")
    if era.status == rm.REMITTANCE_STATUS_REVIEW:
        lines.append(f"Held for review: {era.review_reason or 'it repeats an earlier trace number with other content'}."
                     " It never posts on its own.")
    return "\n".join(lines)


def exception_lines(claims: list[rm.ClaimPayment]) -> str:
    bad = [c for c in claims if c.outcome == rm.CLAIM_PAYMENT_OUTCOME_EXCEPTION]
    if not bad:
        return "No exceptions: every claim payment matched its claim."
    said = [f"{plural(len(bad), 'exception')}, not posted:"]
    for claim in bad:
        who = ", ".join(part for part in (claim.control_number, claim.patient_name,
                                          formatting.calendar_date(claim.date_of_service)) if part)
        said.append(f"• {who}: {claim.exception}")
    return "\n".join(said)


def post_question(era: rm.Remittance, ready: int | None = None) -> str:
    count = f"{plural(ready, 'claim payment')} post" if ready is not None else "Its matched claim payments post"
    rest = (f" {plural(era.exception_count, 'exception')} stay{'s' if era.exception_count == 1 else ''} for "
            "one-by-one work." if era.exception_count else "")
    return (f"Post the ERA {era.trace_number} from {era.payer_name} ({formatting.dollars(era.payment_cents)})? "
            f"{count} to the ledger.{rest}")


def posted_sentence(answer: rm.PostRemittanceResponse) -> str:
    era = answer.remittance
    said = f"Posted {plural(answer.posted_claims, 'claim payment')} of ERA {era.trace_number} ({era.payer_name})."
    if era.exception_count:
        waits = "it waits" if era.exception_count == 1 else "they wait"
        said += f" {plural(era.exception_count, 'exception')} not posted: {waits} for one-by-one work."
    return said


class RemittancesScreen(Screen[None]):
    CSS_PATH = "remittances_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the claims", id="eras.back"),
        Binding("enter", "preview", "Preview", tooltip="What the highlighted ERA will post, claim by claim",
                id="eras.preview"),
        Binding("i", "import_file", "Import", tooltip="Read an 835 file from this workstation; posts nothing",
                id="eras.import"),
        Binding("p", "post", "Post", tooltip="Post the highlighted ERA's matched claim payments (asks first)",
                id="eras.post"),
        Binding("n", "paper", "Paper", tooltip="Key in a payer's paper check and its EOB, and post it",
                id="eras.paper"),
        Binding("d", "denials", "Denials", tooltip="Denied services with the payers' reasons and what to do next",
                id="eras.denials", group=WORKLISTS),
        Binding("u", "underpayments", "Underpaid", tooltip="Services allowed below the contract: money to ask for",
                id="eras.underpayments", group=WORKLISTS),
        Binding("g", "deposit", "Deposit", tooltip="Put patient payments and posted ERAs into a bank deposit",
                id="eras.deposit"),
        Binding("y", "day_sheet", "Day sheet", tooltip="A day's charges, payments and deposits; close the day",
                id="eras.day_sheet"),
        Binding("r,ctrl+r", "reload", "Reload", key_display="r", tooltip="Fetch the ERAs again", id="eras.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.eras: list[rm.Remittance] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static(LIST_INTRO, id="eras-intro", markup=False)
        yield DataTable[str | Text](id="eras-table", cursor_type="row", zebra_stripes=True)
        yield Static("Loading the ERAs…", id="eras-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "preview":
            return True if self.selected() is not None else None
        if action == "post":
            era = self.selected()
            return True if era is not None and era.status == rm.REMITTANCE_STATUS_IMPORTED else None
        if action in NEEDS:
            return NEEDS[action] in self.session.permissions
        return True

    def selected(self) -> rm.Remittance | None:
        table = self.query_one(DataTable)
        if not self.eras or not 0 <= table.cursor_row < len(self.eras):
            return None
        return self.eras[table.cursor_row]

    @gateway_call
    async def load(self, select_id: int = 0, then_say: str = "") -> None:
        self.eras = await self.gateway.list_remittances()
        self.loaded = True
        self._fill(select_id)
        if then_say:
            self.say(then_say)
        elif self.eras:
            self.say(f"The newest {plural(len(self.eras), 'ERA')}.")
        else:
            self.say("No ERAs yet: I imports an 835 file.")

    def _fill(self, select_id: int = 0) -> None:
        table = self.query_one(DataTable)
        keep = select_id or (era.remittance_id if (era := self.selected()) is not None else 0)
        fit_columns(table, "Payer", LIST_COLUMNS, self.size.width)
        for era in self.eras:
            table.add_row(*remittance_row(era), key=str(era.remittance_id))
        row = next((n for n, era in enumerate(self.eras) if era.remittance_id == keep), 0)
        if self.eras:
            table.move_cursor(row=row)
        self.refresh_bindings()

    def on_resize(self) -> None:
        if self.loaded:
            self._fill()

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_preview()

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#eras-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(describe(error), error=True)
        return True

    # -- actions -----------------------------------------------------------------------
    def action_import_file(self) -> None:
        def imported(answer: rm.ImportRemittanceFileResponse | None) -> None:
            self.query_one(DataTable).focus()
            if answer is None or not answer.remittances:
                return
            said = []
            for era, known in zip(answer.remittances, answer.already_known, strict=False):
                what = (f"ERA {era.trace_number} from {era.payer_name} ({formatting.dollars(era.payment_cents)}): "
                        f"{plural(era.claim_count, 'claim payment')}")
                if era.exception_count:
                    what += f", {plural(era.exception_count, 'exception')}"
                said.append(what + (" — imported before; nothing changed." if known else "."))
            intro = "Imported " if not all(answer.already_known) else ""
            self.load(answer.remittances[0].remittance_id, intro + " ".join(said) + " Enter previews it.")

        self.app.push_screen(ImportRemittanceScreen(self.gateway), imported)

    def action_preview(self) -> None:
        era = self.selected()
        if era is None:
            return

        def back(_: None) -> None:
            self.load(era.remittance_id)
            self.query_one(DataTable).focus()

        self.app.push_screen(RemittancePreviewScreen(self.gateway, self.session, era.remittance_id), back)

    def action_post(self) -> None:
        era = self.selected()
        if era is None or era.status != rm.REMITTANCE_STATUS_IMPORTED:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.post(era.remittance_id)

        self.app.push_screen(ConfirmScreen("Post ERA", post_question(era), "Post"), answered)

    @gateway_call
    async def post(self, remittance_id: int) -> None:
        self.say("Posting…")
        answer = await self.gateway.post_remittance(remittance_id)
        self.load(remittance_id, posted_sentence(answer))

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()

    # -- the money worklists, the deposit and the day sheet ----------------------------------------
    def _open(self, action: str, screen: Screen[None]) -> None:
        if NEEDS[action] not in self.session.permissions:
            return

        def back(_: None) -> None:
            self.query_one(DataTable).focus()

        self.app.push_screen(screen, back)

    def action_paper(self) -> None:
        if NEEDS["paper"] not in self.session.permissions:
            return

        def posted(answer: rm.PostPaperRemittanceResponse | None) -> None:
            self.query_one(DataTable).focus()
            if answer is not None:
                self.load(answer.remittance.remittance_id, paper_posted_sentence(answer))

        self.app.push_screen(PaperEobScreen(self.gateway, self.session), posted)

    def action_denials(self) -> None:
        self._open("denials", DenialsScreen(self.gateway, self.session))

    def action_underpayments(self) -> None:
        self._open("underpayments", UnderpaymentsScreen(self.gateway, self.session))

    def action_deposit(self) -> None:
        self._open("deposit", DepositScreen(self.gateway, self.session))

    def action_day_sheet(self) -> None:
        self._open("day_sheet", DaySheetScreen(self.gateway, self.session))


class RemittancePreviewScreen(Screen[None]):
    """One ERA: its totals, every claim payment with its outcome, and the exceptions' reasons."""

    CSS_PATH = "remittances_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the ERAs", id="era.back"),
        Binding("p", "post", "Post", tooltip="Post this ERA's matched claim payments (asks first)", id="era.post"),
        Binding("m", "match", "Match claim", tooltip="Work the highlighted exception: say which claim it pays",
                id="era.match"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the ERA again", id="era.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, remittance_id: int) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.remittance_id = remittance_id
        self.detail: rm.GetRemittanceResponse | None = None
        # Which call an error belongs to, for its sentence.
        self.matching = False

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static("Loading the ERA…", id="era-header", markup=False)
        yield DataTable[str | Text](id="era-claims", cursor_type="row", zebra_stripes=True)
        yield Static("", id="era-exceptions", markup=False)
        yield Static("", id="era-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "post":
            detail = self.detail
            return True if detail is not None and detail.remittance.status == rm.REMITTANCE_STATUS_IMPORTED else None
        if action == "match":
            return True if self._highlighted_exception() is not None else None
        return True

    def _highlighted_exception(self) -> rm.ClaimPayment | None:
        detail = self.detail
        if detail is None or detail.remittance.status == rm.REMITTANCE_STATUS_REVIEW:
            return None
        row = self.query_one(DataTable).cursor_row
        if not 0 <= row < len(detail.claims):
            return None
        claim = detail.claims[row]
        return claim if claim.outcome == rm.CLAIM_PAYMENT_OUTCOME_EXCEPTION else None

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_match(self) -> None:
        claim = self._highlighted_exception()
        if claim is None:
            return
        what = (f"{claim.control_number or 'No control number'}, {claim.patient_name or 'no patient'}: "
                f"{claim.exception}")

        def chosen(claim_id: int | None) -> None:
            self.query_one(DataTable).focus()
            if claim_id is not None:
                self.match(claim.position, claim_id)

        self.app.push_screen(MatchClaimScreen(what), chosen)

    @gateway_call
    async def match(self, position: int, claim_id: int) -> None:
        self.say("Matching…")
        self.matching = True
        answer = await self.gateway.resolve_remittance_exception(self.remittance_id, position, claim_id)
        self.matching = False
        done = (f"Posted the claim payment to claim {claim_id}." if answer.posted_claims
                else f"Matched to claim {claim_id}: it posts with the ERA.")
        self.load(done)

    @gateway_call
    async def load(self, then_say: str = "") -> None:
        self.detail = await self.gateway.get_remittance(self.remittance_id)
        self._fill()
        self.say(then_say)
        self.refresh_bindings()

    def _fill(self) -> None:
        detail = self.detail
        if detail is None:
            return
        self.query_one("#era-header", Static).update(era_header(detail.remittance))
        table = self.query_one(DataTable)
        fit_columns(table, "Patient", PREVIEW_COLUMNS, self.size.width)
        for claim in detail.claims:
            table.add_row(*claim_payment_row(claim), key=str(claim.position))
        exceptions = self.query_one("#era-exceptions", Static)
        exceptions.update(exception_lines(list(detail.claims)))
        exceptions.set_class(detail.remittance.exception_count > 0, "-bad")

    def on_resize(self) -> None:
        self._fill()

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#era-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        what = ("Could not fetch the ERA" if self.detail is None
                else "Could not match it" if self.matching else "Could not post the ERA")
        self.say(f"{what}: {describe(error)}", error=True)
        return True

    def action_post(self) -> None:
        detail = self.detail
        if detail is None or detail.remittance.status != rm.REMITTANCE_STATUS_IMPORTED:
            return
        ready = sum(1 for c in detail.claims if c.outcome == rm.CLAIM_PAYMENT_OUTCOME_READY)

        def answered(yes: bool | None) -> None:
            if yes:
                self.post()

        self.app.push_screen(ConfirmScreen("Post ERA", post_question(detail.remittance, ready), "Post"), answered)

    @gateway_call
    async def post(self) -> None:
        self.matching = False
        self.say("Posting…")
        answer = await self.gateway.post_remittance(self.remittance_id)
        self.load(posted_sentence(answer))

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()
