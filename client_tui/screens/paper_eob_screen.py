"""A payer's paper check and its EOB, keyed in by hand: N on the ERAs opens it (``remittances.post``).

At the top the check: the payer (typed and picked), the check number, its date and its amount. Under it one service
line at a time: the claim number, the line number, what the payer paid and its adjustments as the EOB prints them
("CO-45 25.00, PR-2 20.00"); Enter in the adjustments (or Ctrl+N) adds the line to the table, Delete drops the
highlighted one. Ctrl+S posts the whole check in one call, by the same matching and rules as an ERA: whatever does
not add up is refused and nothing posts; the server names the field and the screen says which line it is. One user
action keeps one idempotency key: sending the same check again posts it once.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, InvalidInput
from client_tui.typed_values import UnreadableValue, cents_from_dollars, date_from_text, whole_number
from client_tui.widgets.money_table import money, plural
from client_tui.widgets.payer_picker import PayerPicker
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.remittances.v1 import remittances_pb2 as rm

HEADER_WORDS = {"payer_id": "Payer", "check_number": "Check number", "check_date": "Check date",
                "payment_cents": "Check amount"}
LINE_FIELD = re.compile(r"claims\[(\d+)\](?:\.services\[(\d+)\])?\.?(.*)")
ADJUSTMENT = re.compile(r"(CO|OA|PI|PR)[-\s]?(\w{1,5})\s+(-?[\d,]*\.?\d*)", re.IGNORECASE)
INTRO = ("Key in a payer's check and its EOB, one service line at a time. Enter in Adjustments adds the line; "
         "Ctrl+S posts the check: nothing posts unless it all adds up.")


@dataclass
class KeyedLine:
    claim_id: int
    line_number: int
    paid_cents: int
    adjustments: list[rm.PaperAdjustment] = field(default_factory=list)


def adjustments_from_text(text: str) -> list[rm.PaperAdjustment]:
    """"CO-45 25.00, PR-2 20.00" → two adjustments; blank: none."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = ADJUSTMENT.fullmatch(part)
        if match is None:
            raise UnreadableValue(f"cannot read \"{part}\": type a group, a reason and an amount, e.g. CO-45 25.00")
        group, reason, amount = match.groups()
        out.append(rm.PaperAdjustment(group=group.upper(), reason=reason.upper(),
                                      amount_cents=cents_from_dollars(amount)))
    return out


def adjustments_text(adjustments: list[rm.PaperAdjustment]) -> str:
    return ", ".join(f"{a.group}-{a.reason} {formatting.dollars(a.amount_cents)}" for a in adjustments)


def build_claims(lines: list[KeyedLine]) -> tuple[list[rm.PaperClaimPayment], list[int]]:
    """The lines grouped by claim in the order first keyed, and for each request line (claim, service) the index of
    the keyed line, so the server's "claims[i].services[j]" finds its row."""
    claims: dict[int, rm.PaperClaimPayment] = {}
    order: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        claim = claims.setdefault(line.claim_id, rm.PaperClaimPayment(claim_id=line.claim_id))
        claim.services.append(rm.PaperServicePayment(line_number=line.line_number, paid_cents=line.paid_cents,
                                                     adjustments=line.adjustments))
        order.setdefault(line.claim_id, []).append(index)
    return list(claims.values()), [i for claim_id in claims for i in order[claim_id]]


def where(field_path: str, lines: list[KeyedLine]) -> str:
    """The server's field name in words: "Check amount", "Line 2 (claim 4, line 2) paid cents"."""
    if field_path in HEADER_WORDS:
        return HEADER_WORDS[field_path]
    match = LINE_FIELD.fullmatch(field_path)
    if match is None:
        return field_path.replace("_", " ")
    claim_index, service_index, rest = int(match.group(1)), match.group(2), match.group(3).replace("_", " ")
    claim_ids = list(dict.fromkeys(line.claim_id for line in lines))
    if claim_index >= len(claim_ids):
        return field_path.replace("_", " ")
    claim_id = claim_ids[claim_index]
    if service_index is None:
        return f"Claim {claim_id} {rest}".strip()
    keyed = [n for n, line in enumerate(lines) if line.claim_id == claim_id]
    if int(service_index) >= len(keyed):
        return f"Claim {claim_id} {rest}".strip()
    row = keyed[int(service_index)]
    return f"Line {row + 1} (claim {claim_id}, line {lines[row].line_number}) {rest}".strip()


def posted_sentence(answer: rm.PostPaperRemittanceResponse) -> str:
    era = answer.remittance
    return (f"Posted check {era.trace_number} from {era.payer_name} ({formatting.dollars(era.payment_cents)}): "
            f"{plural(len(answer.claims), 'claim payment')}; paid {formatting.dollars(era.paid_cents)}, contractual "
            f"{formatting.dollars(era.contractual_cents)}, to patients {formatting.dollars(era.patient_cents)}.")


class PaperEobScreen(Screen[rm.PostPaperRemittanceResponse | None]):
    """Dismisses with the server's answer once posted (Escape: None)."""

    CSS_PATH = "paper_eob_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the ERAs; nothing posts", id="paper.back"),
        Binding("ctrl+n", "add_line", "Add line", tooltip="Add the service line typed to the table",
                id="paper.add_line"),
        Binding("delete", "drop_line", "Drop line", tooltip="Drop the highlighted line from the table",
                id="paper.drop_line"),
        Binding("ctrl+s", "post", "Post check", tooltip="Post the check and its lines in one call (all or nothing)",
                id="paper.post"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.lines: list[KeyedLine] = []
        self.idempotency_key = ""
        self.last_request = b""

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static(INTRO, id="paper-intro", markup=False)
        with Horizontal(classes="paper-row"):
            yield Label("Payer", classes="paper-label")
            yield PayerPicker(self.gateway, input_id="paper-payer", id="paper-payer-picker")
        with Horizontal(classes="paper-row"):
            yield Label("Check number", classes="paper-label")
            yield Input(id="paper-check-number", compact=True, max_length=30)
            yield Label("Date", classes="paper-label-short")
            yield Input(placeholder="MM/DD/YYYY", id="paper-check-date", compact=True, max_length=10)
            yield Label("Amount $", classes="paper-label-short")
            yield Input(placeholder="e.g. 150.00", id="paper-amount", compact=True, max_length=14)
        with Horizontal(classes="paper-row"):
            yield Label("Claim", classes="paper-label")
            yield Input(placeholder="claim no.", id="paper-claim", compact=True, max_length=12)
            yield Label("Line", classes="paper-label-short")
            yield Input(placeholder="1", id="paper-line", compact=True, max_length=3)
            yield Label("Paid $", classes="paper-label-short")
            yield Input(placeholder="0.00", id="paper-paid", compact=True, max_length=14)
        with Horizontal(classes="paper-row"):
            yield Label("Adjustments", classes="paper-label")
            yield Input(placeholder="e.g. CO-45 25.00, PR-2 20.00 (Enter adds the line)", id="paper-adjustments",
                        compact=True, max_length=200)
        yield DataTable[str | Text](id="paper-lines", cursor_type="row", zebra_stripes=True)
        yield Static("", id="paper-totals", markup=False)
        yield Static("", id="paper-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (("#", 3), ("Claim", 8), ("Line", 4), ("Paid", 10), ("Adjustments", 60)):
            table.add_column(label, width=width, key=label)
        self.query_one("#paper-payer", Input).focus()
        self._show_totals()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "drop_line":
            return True if self.lines and self.query_one(DataTable).has_focus else None
        if action == "post":
            return True if self.lines else None
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#paper-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def _value(self, input_id: str) -> str:
        return self.query_one(f"#{input_id}", Input).value.strip()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for n, line in enumerate(self.lines, 1):
            table.add_row(Text(str(n), justify="right"), str(line.claim_id), Text(str(line.line_number),
                                                                                  justify="right"),
                          money(line.paid_cents), adjustments_text(line.adjustments))
        self._show_totals()

    def _show_totals(self) -> None:
        paid = sum(line.paid_cents for line in self.lines)
        said = f"{plural(len(self.lines), 'line')} · paid {formatting.dollars(paid)}"
        try:
            amount = cents_from_dollars(self._value("paper-amount")) if self._value("paper-amount") else None
        except UnreadableValue:
            amount = None
        if amount is not None:
            left = amount - paid
            said += f" · check {formatting.dollars(amount)}"
            said += " · adds up" if left == 0 else f" · {formatting.dollars(abs(left))} " + (
                "not keyed yet" if left > 0 else "more than the check")
        self.query_one("#paper-totals", Static).update(said)
        self.refresh_bindings()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "paper-amount":
            self._show_totals()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "paper-adjustments":
            event.stop()
            self.action_add_line()
        elif event.input.id != "paper-payer":
            event.stop()
            self.focus_next()

    def on_payer_picker_chosen(self, event: PayerPicker.Chosen) -> None:
        event.stop()
        self.query_one("#paper-check-number", Input).focus()

    # -- actions -----------------------------------------------------------------------
    def action_add_line(self) -> None:
        try:
            claim_id = whole_number(self._value("paper-claim"))
            line_number = whole_number(self._value("paper-line") or "1")
            paid = cents_from_dollars(self._value("paper-paid") or "0")
            adjustments = adjustments_from_text(self._value("paper-adjustments"))
        except UnreadableValue as error:
            self.say(f"The line: {error}.", error=True)
            return
        if claim_id <= 0:
            self.say("The line: type the claim number.", error=True)
            self.query_one("#paper-claim", Input).focus()
            return
        self.lines.append(KeyedLine(claim_id, line_number, paid, adjustments))
        self._fill()
        for input_id in ("paper-line", "paper-paid", "paper-adjustments"):
            self.query_one(f"#{input_id}", Input).value = ""
        self.query_one("#paper-line", Input).focus()
        self.say(f"Line {len(self.lines)} added: claim {claim_id}, line {line_number}.")

    def action_drop_line(self) -> None:
        table = self.query_one(DataTable)
        if not self.lines or not table.has_focus or not 0 <= table.cursor_row < len(self.lines):
            return
        dropped = self.lines.pop(table.cursor_row)
        self._fill()
        self.say(f"Dropped claim {dropped.claim_id}, line {dropped.line_number}.")

    def action_post(self) -> None:
        if not self.lines:
            self.say("Add the EOB's lines first.", error=True)
            return
        picker = self.query_one(PayerPicker)
        try:
            check_date = date_from_text(self._value("paper-check-date"))
            amount = cents_from_dollars(self._value("paper-amount"))
        except UnreadableValue as error:
            self.say(f"The check: {error}.", error=True)
            return
        claims, _rows = build_claims(self.lines)
        request = rm.PostPaperRemittanceRequest(payer_id=picker.payer_id, check_number=self._value(
            "paper-check-number"), check_date=check_date, payment_cents=amount, claims=claims)
        content = request.SerializeToString(deterministic=True)
        if content != self.last_request:
            # Another check than the one sent last: a new key (the same one resent keeps its key).
            self.last_request, self.idempotency_key = content, uuid.uuid4().hex
        request.idempotency_key = self.idempotency_key
        self.post(request)

    @gateway_call
    async def post(self, request: rm.PostPaperRemittanceRequest) -> None:
        self.say("Posting…")
        answer = await self.gateway.post_paper_remittance(request)
        self.dismiss(answer)

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, InvalidInput) and error.violations:
            said = [f"{where(v.field, self.lines)}: {v.description}" for v in error.violations]
            self.say("Nothing posted. " + "; ".join(said) + ".", error=True)
            return True
        self.say(f"Nothing posted: {describe(error)}", error=True)
        return True

    def action_back(self) -> None:
        self.dismiss(None)
