"""Billing mode's Claims view: the claims worklist with its counts per status and the clean claim rate.

The digits pick a status (0 all, 1 draft, 2 scrubbed, 3 queued, 4 sent, 5 rejected, 6 accepted, 7 denied, 8 paid;
the Status box has them all), / goes to the filters (payer, provider, an age in days). Enter opens the highlighted
claim; S scrubs it and Q scrubs and queues it (a rejected claim after its fix too); B writes every queued claim into
837P files with a progress bar; L lists the files written and their delivery to the clearinghouse; E the payers'
ERAs (835), to import, preview and post (``remittances.post``); T the patient statements (``statements.run``);
K the accounts for collections and the payment plans (``collections.manage``). The highlighted claim's status reason
(a rejection's words) shows under the list.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Select, Static

from client_tui import formatting
from client_tui.claims_values import (
    KEY_OF_STATUS,
    REASON_STATUSES,
    SCRUBBABLE,
    STATUS_KEYS,
    STATUS_WORDS,
    clean_rate_short,
)
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError
from client_tui.schedule_values import provider_column
from client_tui.screens.batches_screen import BatchesScreen
from client_tui.screens.claim_screen import ClaimScreen
from client_tui.screens.collections_screen import CollectionsScreen
from client_tui.screens.remittances_screen import RemittancesScreen
from client_tui.screens.send_batches_screen import SendBatchesScreen
from client_tui.screens.statements_screen import StatementsScreen
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.claims.v1 import claims_pb2 as cl
from shared.pms.scheduling.v1 import setup_pb2 as su

COLUMNS = (("Claim", 6), ("Patient", 18), ("Payer", 14), ("Provider", 11), ("DOS", 10), ("Status", 9),
           ("Age", 4), ("Total", 10), ("Reason", 40))
# The list shows this many claims (the server's most); the filters find the rest.
LIST_LIMIT = 500
STATUS_STYLES = {cl.CLAIM_STATUS_REJECTED: "bold red", cl.CLAIM_STATUS_DENIED: "bold red",
                 cl.CLAIM_STATUS_DRAFT: "yellow", cl.CLAIM_STATUS_QUEUED: "cyan",
                 cl.CLAIM_STATUS_ACCEPTED: "green", cl.CLAIM_STATUS_PAID: "green"}


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class ClaimTable(DataTable[str | Text], inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select_cursor", "Open", tooltip="Open the highlighted claim", id="claims.open"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
        Binding("left", "scroll_left", "Left", show=False),
        Binding("right", "scroll_right", "Right", show=False),
    ]


class ClaimsPanel(Vertical):
    DEFAULT_CSS = """
    ClaimsPanel {
        height: 1fr;
    }
    ClaimsPanel > #claims-counts {
        height: auto;
        padding: 0 1;
    }
    ClaimsPanel > #claims-filters {
        height: 1;
        padding: 0 1;
        margin-top: 1;
    }
    ClaimsPanel .claims-label {
        width: auto;
        color: $text-muted;
        text-style: bold;
        margin-right: 1;
    }
    ClaimsPanel #claims-status {
        width: 14;
        margin-right: 1;
    }
    ClaimsPanel #claims-payer {
        width: 22;
        margin-right: 1;
    }
    ClaimsPanel #claims-provider {
        width: 15;
        margin-right: 1;
    }
    ClaimsPanel #claims-age {
        width: 6;
    }
    ClaimsPanel > #claims-message {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    ClaimsPanel > #claims-message.-error {
        color: $text-error;
        text-style: bold;
    }
    ClaimsPanel > ClaimTable {
        height: 1fr;
    }
    ClaimsPanel > #claims-reason {
        height: auto;
        max-height: 3;
        padding: 0 1;
        display: none;
        background: $boost;
        color: $text;
    }
    ClaimsPanel > #claims-reason.-shown {
        display: block;
    }
    ClaimsPanel > #claims-reason.-bad {
        background: $error 20%;
    }
    """

    BINDINGS = [
        Binding("s", "scrub(False)", "Scrub", tooltip="Scrub the highlighted claim and show what it finds",
                id="claims.scrub"),
        Binding("q", "scrub(True)", "Scrub+queue", tooltip="Scrub the highlighted claim and queue it if clean",
                id="claims.queue"),
        Binding("a", "queue_all", "Queue all shown",
                tooltip="Scrub every draft, scrubbed or rejected claim shown and queue the clean ones",
                id="claims.queue_all"),
        Binding("b", "send", "Send queued", tooltip="Write every queued claim into 837P files for the clearinghouse",
                id="claims.send"),
        Binding("l", "batches", "Batches", tooltip="The 837P files written and their delivery to the clearinghouse",
                id="claims.batches"),
        Binding("e", "remittances", "ERAs", tooltip="Payers' remittances (835): import, preview and post them",
                id="claims.remittances"),
        Binding("t", "statements", "Statements", tooltip="Patient statements: preview, run, print, email, reprint",
                id="claims.statements"),
        Binding("k", "collections", "Collections", tooltip="Accounts for collections and payment plans",
                id="claims.collections"),
        Binding("slash", "filters", "Filters", key_display="/", tooltip="Status, payer, provider and age",
                id="claims.filters"),
        Binding("0", "status('0')", "Status", key_display="0-8",
                tooltip="0 all, 1 draft, 2 scrubbed, 3 queued, 4 sent, 5 rejected, 6 accepted, 7 denied, 8 paid",
                id="claims.status"),
        *(Binding(key, f"status('{key}')", STATUS_WORDS[status], show=False) for key, status in STATUS_KEYS.items()
          if key != "0"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the claims again", id="claims.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, id: str | None = None) -> None:
        super().__init__(id=id)
        self.gateway = gateway
        self.session = session
        self.can_write = "claims.write" in session.permissions
        self.rows: list[cl.ClaimSummary] = []
        self.answer: cl.ListClaimsResponse | None = None
        self.setup_loaded = False
        self.loaded = False
        self.status = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="claims-counts", markup=False)
        with Horizontal(id="claims-filters"):
            yield Static("Status", classes="claims-label", markup=False)
            yield Select([("all", 0), *((words, status) for status, words in STATUS_WORDS.items())], value=0,
                         allow_blank=False, id="claims-status", compact=True)
            yield Static("Payer", classes="claims-label", markup=False)
            yield Select([], prompt="all", id="claims-payer", compact=True)
            yield Static("Provider", classes="claims-label", markup=False)
            yield Select([], prompt="all", id="claims-provider", compact=True)
            yield Static("Age ≥", classes="claims-label", markup=False)
            yield Input(placeholder="days", id="claims-age", compact=True, restrict=r"\d*", max_length=4)
        yield Static("Loading the claims…", id="claims-message", markup=False)
        yield ClaimTable(id="claims-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="claims-reason", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(ClaimTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width, key=label)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "scrub":
            claim = self.selected()
            if not self.can_write:
                return False
            return True if claim is not None and claim.status in SCRUBBABLE else None
        if action == "send":
            return self.can_write
        if action == "batches":
            return "claims.delivery.read" in self.session.permissions
        if action == "remittances":
            return "remittances.post" in self.session.permissions
        if action == "statements":
            return "statements.run" in self.session.permissions
        if action == "collections":
            return "collections.manage" in self.session.permissions
        if action == "queue_all":
            if not self.can_write:
                return False
            return True if any(c.status in SCRUBBABLE for c in self.rows) else None
        return True

    def shown(self) -> None:
        if not self.setup_loaded:
            self.load_setup()
        self.load()
        self.call_after_refresh(self.query_one(ClaimTable).focus)

    @gateway_call
    async def load_setup(self) -> None:
        providers: list[su.Provider] = await self.gateway.list_providers()
        payers = await self.gateway.search_payers("", include_inactive=True, limit=500)
        self.setup_loaded = True
        self.query_one("#claims-provider", Select).set_options(
            [(provider_column(p), p.provider_id) for p in providers])
        self.query_one("#claims-payer", Select).set_options([(p.name, p.payer_id) for p in payers])

    # -- the list -------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load()

    @gateway_call
    async def load(self, select: int = 0, note: str = "", note_is_error: bool = False) -> None:
        """``note``: what the last action did, shown instead of the list's count."""
        payer = self.query_one("#claims-payer", Select).value
        provider = self.query_one("#claims-provider", Select).value
        answer = await self.gateway.list_claims(
            status=self.status, payer_id=payer if isinstance(payer, int) else 0,
            rendering_provider_id=provider if isinstance(provider, int) else 0, limit=LIST_LIMIT)
        self.answer = answer
        self.loaded = True
        age_text = self.query_one("#claims-age", Input).value.strip()
        oldest = int(age_text) if age_text.isdigit() else 0
        self.rows = [c for c in answer.claims if c.age_days >= oldest]
        self._fill(select)
        self._counts(answer)
        word = STATUS_WORDS.get(self.status, "").lower()
        count = len(self.rows)
        text = f"{count} {word + ' ' if word else ''}claim{'' if count == 1 else 's'}"
        if oldest:
            text += f" {oldest} days old or older"
        if len(answer.claims) >= LIST_LIMIT:
            text += f" (the newest {LIST_LIMIT}: filter for the rest)"
        keys = ["Enter opens"]
        if self.can_write:
            keys += ["S scrubs", "Q scrubs and queues", "A queues all shown", "B sends"]
        self.say(note or f"{text} · {' · '.join(keys)}", error=note_is_error)

    def _fill(self, select: int = 0) -> None:
        table = self.query_one(ClaimTable)
        keep = table.cursor_row
        table.clear()
        widths = dict(COLUMNS)
        for c in self.rows:
            style = STATUS_STYLES.get(c.status, "")
            reason = c.status_reason if c.status in REASON_STATUSES else ""
            table.add_row(
                Text(str(c.claim_id), justify="right"),
                fit(c.patient_name, widths["Patient"]),
                fit(c.payer_name, widths["Payer"]),
                fit(c.provider_name, widths["Provider"]),
                formatting.calendar_date(c.date_of_service),
                Text(STATUS_WORDS.get(c.status, "?"), style=style),
                Text(str(c.age_days), justify="right"),
                Text(formatting.dollars(c.total_charge_cents), justify="right"),
                Text(fit(reason, widths["Reason"]), style="red"),
                key=str(c.claim_id),
            )
        ids = [c.claim_id for c in self.rows]
        if select in ids:
            table.move_cursor(row=ids.index(select))
        elif ids:
            table.move_cursor(row=max(0, min(keep, len(ids) - 1)))
        self._show_reason()
        self.refresh_bindings()

    def _counts(self, answer: cl.ListClaimsResponse) -> None:
        line = Text()
        total = sum(n.count for n in answer.counts)
        parts: list[tuple[str, int, int]] = [("All", total, 0)]
        # The digit keys' order first (the line reads as the keys do), then the rest.
        order = list(STATUS_KEYS.values())
        counted = sorted(answer.counts, key=lambda n: (order.index(n.status) if n.status in order else 99, n.status))
        parts += [(STATUS_WORDS.get(n.status, "?"), n.count, n.status) for n in counted]
        for number, (words, count, status) in enumerate(parts):
            if number:
                line.append("  ")
            key = KEY_OF_STATUS.get(status)
            chosen = status == self.status
            style = "bold reverse" if chosen else ("bold red" if status in REASON_STATUSES else "bold")
            if key is not None:
                line.append(f"{key} ", style="dim")
            line.append(f"{words} {count}", style=style)
        line.append("  │  ", style="dim")
        line.append(clean_rate_short(answer.first_scrubbed, answer.first_scrub_clean), style="italic")
        self.query_one("#claims-counts", Static).update(line)

    def selected(self) -> cl.ClaimSummary | None:
        table = self.query_one(ClaimTable)
        if not self.rows or table.row_count == 0 or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#claims-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_reason()
        self.refresh_bindings()

    def _show_reason(self) -> None:
        claim = self.selected()
        reason = self.query_one("#claims-reason", Static)
        if claim is None or not claim.status_reason:
            reason.set_class(False, "-shown")
            return
        words = STATUS_WORDS.get(claim.status, "")
        text = Text()
        text.append(f"Claim {claim.claim_id} {words.lower()}: ", style="bold red" if claim.status in REASON_STATUSES
                    else "bold")
        text.append(claim.status_reason)
        if claim.status == cl.CLAIM_STATUS_REJECTED and self.can_write:
            text.append("  · fix it (Enter opens the claim), then Q scrubs and queues it again", style="italic")
        reason.update(text)
        reason.set_class(True, "-shown")
        reason.set_class(claim.status in REASON_STATUSES, "-bad")

    # -- filters ----------------------------------------------------------------------------
    def action_status(self, key: str) -> None:
        self.query_one("#claims-status", Select).value = STATUS_KEYS[key]

    def action_filters(self) -> None:
        self.query_one("#claims-status", Select).focus()

    @on(Select.Changed, "#claims-status")
    def _status_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.status = event.value if isinstance(event.value, int) else 0
        if self.is_mounted:
            self.load()

    @on(Select.Changed, "#claims-payer, #claims-provider")
    def _filter_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self.setup_loaded:
            self.load()

    @on(Input.Submitted, "#claims-age")
    def _age_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.load()
        self.query_one(ClaimTable).focus()

    # -- actions ------------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#claims-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.open_claim(int(event.row_key.value))

    def open_claim(self, claim_id: int) -> None:
        def back(_changed: bool | None) -> None:
            self.load(select=claim_id)
            self.query_one(ClaimTable).focus()

        self.app.push_screen(ClaimScreen(self.gateway, self.session, claim_id), back)

    def action_scrub(self, queue: bool) -> None:
        claim = self.selected()
        if claim is not None and claim.status in SCRUBBABLE and self.can_write:
            self.say(f"Scrubbing claim {claim.claim_id}…")
            self.scrub(claim.claim_id, queue)

    @gateway_call
    async def scrub(self, claim_id: int, queue: bool) -> None:
        done = (await self.gateway.scrub_claims([claim_id], queue=queue))[0]
        errors = sum(1 for f in done.findings if f.severity == cl.SEVERITY_ERROR)
        warnings = len(done.findings) - errors
        status = STATUS_WORDS.get(done.status, "").lower()
        found = []
        if errors:
            found.append(f"{errors} error{'' if errors == 1 else 's'}")
        if warnings:
            found.append(f"{warnings} warning{'' if warnings == 1 else 's'}")
        text = f"Claim {claim_id}: {', '.join(found) if found else 'clean'}; now {status}."
        if errors:
            text += " Enter opens it with the findings."
        self.load(claim_id, text, bool(errors))

    def action_queue_all(self) -> None:
        ids = [c.claim_id for c in self.rows if c.status in SCRUBBABLE]
        if self.can_write and ids:
            self.say(f"Scrubbing {len(ids)} claim{'' if len(ids) == 1 else 's'}…")
            self.queue_all(ids)

    @gateway_call
    async def queue_all(self, claim_ids: list[int]) -> None:
        done = await self.gateway.scrub_claims(claim_ids, queue=True)
        queued = sum(1 for c in done if c.status == cl.CLAIM_STATUS_QUEUED)
        held = len(done) - queued
        text = f"Scrubbed {len(done)}: {queued} queued"
        if held:
            text += f", {held} kept back by errors (1 lists the drafts; Enter opens one with its findings)"
        self.load(0, text + ". B sends the queued.", bool(held))

    def action_send(self) -> None:
        if not self.can_write:
            return

        def done(_sent: bool | None) -> None:
            self.load()
            self.query_one(ClaimTable).focus()

        self.app.push_screen(SendBatchesScreen(self.gateway), done)

    def action_batches(self) -> None:
        if "claims.delivery.read" not in self.session.permissions:
            return

        def back(_: None) -> None:
            self.query_one(ClaimTable).focus()

        self.app.push_screen(BatchesScreen(self.gateway, self.session), back)

    def action_remittances(self) -> None:
        if "remittances.post" not in self.session.permissions:
            return

        def back(_: None) -> None:
            self.load()  # posting an ERA moves claims along
            self.query_one(ClaimTable).focus()

        self.app.push_screen(RemittancesScreen(self.gateway, self.session), back)

    def action_statements(self) -> None:
        if "statements.run" in self.session.permissions:
            self.app.push_screen(StatementsScreen(self.gateway, self.session), self._back_from_money)

    def action_collections(self) -> None:
        if "collections.manage" in self.session.permissions:
            self.app.push_screen(CollectionsScreen(self.gateway, self.session), self._back_from_money)

    def _back_from_money(self, _: None) -> None:
        self.query_one(ClaimTable).focus()

    # -- messages -----------------------------------------------------------------------------
    def say(self, text: str, error: bool = False) -> None:
        if not self.is_mounted:
            return
        message = self.query_one("#claims-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(describe(error), error=True)
        return True
