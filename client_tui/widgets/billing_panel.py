"""Billing mode (F3): the encounter worklist — open, ready to bill or billed, by provider and dates of service —
and, for those who read claims, the Claims view beside it (C switches).

Enter opens the highlighted encounter's superbill; N starts one for a patient picked with the finder's search box.
B bills the highlighted ready encounter and A every ready one shown (CreateClaims: a claim to the primary payer, or
the server's reason why not, e.g. no coverage on the date of service).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, DataTable, Input, Select, Static

from client_tui import formatting
from client_tui.billing_values import STATUS_WORDS, WORKLIST_STATUSES
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError
from client_tui.schedule_values import provider_column
from client_tui.screens.pick_patient_screen import PickPatientScreen
from client_tui.screens.superbill_screen import SuperbillScreen
from client_tui.typed_values import UnreadableValue, calendar_day_from_text
from client_tui.widgets.claims_panel import ClaimsPanel
from client_tui.workers import gateway_call
from shared import dates
from shared.pms.auth.v1 import auth_pb2
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.scheduling.v1 import setup_pb2 as su

COLUMNS = (("Date", 10), ("Patient", 26), ("Provider", 16), ("Lines", 5), ("Total", 11))


class Worklist(DataTable[str | Text], inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select_cursor", "Open", tooltip="Open the highlighted encounter's superbill",
                id="billing.open"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]


class BillingPanel(Vertical):
    DEFAULT_CSS = """
    BillingPanel {
        height: 1fr;
    }
    BillingPanel > #billing-views {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    BillingPanel > ContentSwitcher, BillingPanel #billing-encounters {
        height: 1fr;
    }
    BillingPanel #billing-filters {
        height: 1;
        padding: 0 1;
        margin-top: 1;
    }
    BillingPanel .billing-label {
        width: auto;
        color: $text-muted;
        text-style: bold;
        margin-right: 1;
    }
    BillingPanel #billing-status-filter {
        width: 13;
        margin-right: 1;
    }
    BillingPanel #billing-provider-filter {
        width: 15;
        margin-right: 1;
    }
    BillingPanel .billing-date {
        width: 11;
        margin-right: 1;
    }
    BillingPanel #billing-message {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    BillingPanel #billing-message.-error {
        color: $text-error;
        text-style: bold;
    }
    BillingPanel Worklist {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("n", "new", "New superbill", tooltip="Start an encounter for a patient you pick", id="billing.new"),
        Binding("s", "next_status", "Open/ready/billed", tooltip="Show the next status's encounters",
                id="billing.status"),
        Binding("b", "bill", "Bill", tooltip="Bill the highlighted ready encounter: a claim to its primary payer",
                id="billing.bill"),
        Binding("a", "bill_all", "Bill all shown", tooltip="Bill every ready encounter the list shows",
                id="billing.bill_all"),
        Binding("c", "view('claims')", "Claims", tooltip="The claims worklist", id="billing.claims"),
        Binding("c", "view('encounters')", "Encounters", tooltip="The encounter worklist", id="billing.encounters"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the worklist again", id="billing.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, id: str | None = None) -> None:
        super().__init__(id=id)
        self.gateway = gateway
        self.session = session
        self.can_write = "encounters.write" in session.permissions
        self.claims_allowed = "claims.read" in session.permissions
        self.can_bill = "claims.write" in session.permissions
        self.view = "encounters"
        self.providers: list[su.Provider] = []
        self.locations: list[su.Location] = []
        self.setup_loaded = False
        self.was_shown = False
        self.rows: list[en.EncounterSummary] = []

    def compose(self) -> ComposeResult:
        if self.claims_allowed:
            yield Static(self._views_bar(), id="billing-views")
        with ContentSwitcher(initial="billing-encounters"):
            with Vertical(id="billing-encounters"):
                yield from self._compose_encounters()
            if self.claims_allowed:
                yield ClaimsPanel(self.gateway, self.session, id="billing-claims")

    def _views_bar(self) -> Text:
        bar = Text()
        for view, title in (("encounters", "Encounters"), ("claims", "Claims")):
            bar.append(f" {title} ", style="bold reverse" if view == self.view else "")
        bar.append("   C switches", style="dim")
        # The claims worklist's footer is full: say where statements and collections are (the palette has them too).
        more = [words for permission, words in (("statements.run", "T statements"),
                                                ("collections.manage", "K collections"))
                if permission in self.session.permissions]
        if more:
            bar.append(f" · in Claims: {', '.join(more)}", style="dim")
        return bar

    def _compose_encounters(self) -> ComposeResult:
        with Horizontal(id="billing-filters"):
            yield Static("Status", classes="billing-label", markup=False)
            yield Select([(STATUS_WORDS[s], s) for s in WORKLIST_STATUSES], value=en.ENCOUNTER_STATUS_OPEN,
                         allow_blank=False, id="billing-status-filter", compact=True)
            yield Static("Provider", classes="billing-label", markup=False)
            yield Select([], prompt="all", id="billing-provider-filter", compact=True)
            yield Static("From", classes="billing-label", markup=False)
            yield Input(placeholder="MM/DD/YYYY", id="billing-from", classes="billing-date", compact=True)
            yield Static("To", classes="billing-label", markup=False)
            yield Input(placeholder="MM/DD/YYYY", id="billing-to", classes="billing-date", compact=True)
        yield Static("Loading the worklist…", id="billing-message", markup=False)
        yield Worklist(id="worklist", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(Worklist)
        for label, width in COLUMNS:
            table.add_column(label, width=width, key=label)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view":
            return self.claims_allowed and parameters[0] != self.view
        if self.view != "encounters" and action in ("new", "next_status", "bill", "bill_all"):
            return False
        if action == "new":
            return self.can_write
        if action in ("bill", "bill_all"):
            if not self.can_bill:
                return False
            ready = self._ready_shown()
            if action == "bill":
                row = self.query_one(Worklist).cursor_row
                return True if ready and 0 <= row < len(self.rows) and self.rows[row] in ready else None
            return True if ready else None
        return True

    def _ready_shown(self) -> list[en.EncounterSummary]:
        return [r for r in self.rows if r.status == en.ENCOUNTER_STATUS_READY]

    def shown(self) -> None:
        """The mode came forward: fetch (the worklist changes all day), then the keys go to the list."""
        self.was_shown = True
        if self.view == "claims":
            self.query_one(ClaimsPanel).shown()
            return
        if not self.setup_loaded:
            self.load_setup()
        self.load()
        self.call_after_refresh(self.query_one(Worklist).focus)

    def load_what_is_missing(self) -> None:
        if self.was_shown:
            if self.view == "claims":
                self.query_one(ClaimsPanel).shown()
                return
            if not self.setup_loaded:
                self.load_setup()
            self.load()

    def action_view(self, view: str) -> None:
        if not self.claims_allowed:
            return
        self.view = view
        self.query_one(ContentSwitcher).current = f"billing-{view}"
        self.query_one("#billing-views", Static).update(self._views_bar())
        self.refresh_bindings()
        if view == "claims":
            self.query_one(ClaimsPanel).shown()
        else:
            self.shown()

    @gateway_call
    async def load_setup(self) -> None:
        self.providers = await self.gateway.list_providers()
        self.locations = await self.gateway.list_locations()
        self.setup_loaded = True
        self.query_one("#billing-provider-filter", Select).set_options(
            [(provider_column(p), p.provider_id) for p in self.providers])

    # -- the list -------------------------------------------------------------------------
    def _filters(self) -> tuple[int, int, object, object] | None:
        status = self.query_one("#billing-status-filter", Select).value
        provider = self.query_one("#billing-provider-filter", Select).value
        try:
            start = calendar_day_from_text(self.query_one("#billing-from", Input).value)
            end = calendar_day_from_text(self.query_one("#billing-to", Input).value)
        except UnreadableValue as error:
            self.say(f"Dates: {error}.", error=True)
            return None
        return (status if isinstance(status, int) else 0, provider if isinstance(provider, int) else 0, start, end)

    def action_reload(self) -> None:
        self.load()

    @gateway_call
    async def load(self, note: str = "", note_is_error: bool = False) -> None:
        """``note``: what the last action did, shown instead of the list's count."""
        filters = self._filters()
        if filters is None:
            return
        status, provider, start, end = filters
        self.rows = await self.gateway.list_encounters(
            status=status, rendering_provider_id=provider, from_date=start, to_date=end)  # type: ignore[arg-type]
        table = self.query_one(Worklist)
        row = table.cursor_row
        table.clear()
        for summary in self.rows:
            table.add_row(
                formatting.calendar_date(summary.date_of_service),
                summary.patient_name[:26],
                summary.provider_name[:16],
                Text(str(summary.line_count), justify="right"),
                Text(formatting.dollars(summary.total_cents), justify="right"),
                key=str(summary.encounter_id),
            )
        if self.rows:
            table.move_cursor(row=max(0, min(row, len(self.rows) - 1)))
        word = STATUS_WORDS.get(status, "")
        keys = "Enter opens · N new · S status" if self.can_write else "Enter opens · S status"
        if self.can_bill and status == en.ENCOUNTER_STATUS_READY and self.rows:
            keys += " · B bills · A bills all"
        self.say(note or f"{len(self.rows)} {word} encounter{'s' if len(self.rows) != 1 else ''} · {keys}",
                 error=note_is_error)
        self.refresh_bindings()

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self.was_shown:
            self.load()

    @on(Input.Submitted)
    def _dates_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.load()
        self.query_one(Worklist).focus()

    def action_next_status(self) -> None:
        select = self.query_one("#billing-status-filter", Select)
        current = select.value if isinstance(select.value, int) else WORKLIST_STATUSES[0]
        select.value = WORKLIST_STATUSES[(WORKLIST_STATUSES.index(current) + 1) % len(WORKLIST_STATUSES)]

    @on(DataTable.RowHighlighted, "#worklist")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.refresh_bindings()

    # -- billing ----------------------------------------------------------------------------
    def action_bill(self) -> None:
        row = self.query_one(Worklist).cursor_row
        if self.can_bill and 0 <= row < len(self.rows) and self.rows[row].status == en.ENCOUNTER_STATUS_READY:
            self.say("Billing…")
            self.bill([self.rows[row]])

    def action_bill_all(self) -> None:
        ready = self._ready_shown()
        if self.can_bill and ready:
            self.say(f"Billing {len(ready)} encounter{'' if len(ready) == 1 else 's'}…")
            self.bill(ready)

    @gateway_call
    async def bill(self, encounters: list[en.EncounterSummary]) -> None:
        names = {e.encounter_id: e.patient_name for e in encounters}
        outcomes = await self.gateway.create_claims([e.encounter_id for e in encounters])
        made = [o for o in outcomes if o.claim_id]
        refused = [o for o in outcomes if not o.claim_id]
        parts = []
        if made:
            which = ", ".join(f"claim {o.claim_id} ({names.get(o.encounter_id, '')})" for o in made[:3])
            more = f" and {len(made) - 3} more" if len(made) > 3 else ""
            parts.append(f"Billed {len(made)}: {which}{more}; C shows the claims.")
        for o in refused[:3]:
            why = (o.refusal_message or o.refusal_reason).rstrip(".")
            parts.append(f"Not billed: {names.get(o.encounter_id, o.encounter_id)} ({o.refusal_reason}): {why}.")
        if len(refused) > 3:
            parts.append(f"{len(refused) - 3} more not billed.")
        self.load(" ".join(parts), bool(refused))

    # -- opening ----------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#worklist")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.open_encounter(int(event.row_key.value))

    @gateway_call
    async def open_encounter(self, encounter_id: int) -> None:
        encounter = await self.gateway.get_encounter(encounter_id)
        self._superbill(encounter)

    def _superbill(self, encounter: en.Encounter) -> None:
        def back(saved: bool | None) -> None:
            self.load()
            self.query_one(Worklist).focus()

        self.app.push_screen(SuperbillScreen(self.gateway, self.session, encounter, self.providers, self.locations),
                             back)

    def action_new(self) -> None:
        def picked(patient_id: int | None) -> None:
            if patient_id:
                self.start_encounter(patient_id)

        self.app.push_screen(PickPatientScreen(self.gateway, self.session, "New superbill · which patient?"),
                             picked)

    @gateway_call
    async def start_encounter(self, patient_id: int) -> None:
        record = await self.gateway.get_patient(patient_id)
        provider = self.query_one("#billing-provider-filter", Select).value
        encounter = en.Encounter(
            patient_id=patient_id,
            patient_name=formatting.person_name(record.patient.name),
            rendering_provider_id=provider if isinstance(provider, int) else 0,
            location_id=self.locations[0].location_id if self.locations else 0,
            date_of_service=dates.to_pb(formatting.today()),
        )
        self._superbill(encounter)

    # -- messages -----------------------------------------------------------------------------
    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#billing-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        self.say(describe(error), error=True)
        return True
