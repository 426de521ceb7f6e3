"""The superbill: one encounter's header, diagnoses and service lines, typed at speed and saved with one key.

The header is two rows: who rendered the service, where (the location and, when it differs from the location's
own, the place of service typed as two digits) and when; then the supervising provider (one of the practice's),
the referring provider as given (name and NPI) and the prior authorization number. Tab visits every box, Enter
moves on to the next box worth typing in.

Codes are looked up as they are typed (ICD-10-CM billable codes for the date of service; CPT and HCPCS for the
lines), Enter takes the highlighted one. Pointers are digits ("12" = diagnoses 1 and 2), fees dollars (sent as
cents). A moment after a line's code, modifiers or units change, the server prices the draft (PriceLines, in a
worker: typing never waits): a fee box left blank shows the fee schedule's fee (the biller may type another), and
the Expected column what the patient's primary payer's contract allows. Nothing is judged here: Ctrl+S sends the
whole encounter and the server's objections land on the row and field they name ("lines[1].dx_pointers"). A stale
version is explained; Ctrl+R then fetches the other biller's version and keeps what was typed, so Ctrl+S saves it
over theirs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from client_tui import formatting
from client_tui.billing_values import (
    STATUS_WORDS,
    looks_like_code,
    milli_from_text,
    modifiers_from_text,
    pointers_from_text,
    row_field,
    units_from_text,
)
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, InvalidInput, NotFound, RuleBroken, StaleRecord
from client_tui.pricing_values import payer_contract_words
from client_tui.schedule_values import provider_column
from client_tui.typed_values import UnreadableValue, calendar_day_from_text, cents_from_dollars, date_from_text
from client_tui.widgets.superbill_rows import LINE_INPUTS, CodeLookup, DxRow, LineRow
from client_tui.workers import gateway_call
from shared import dates
from shared.pms.auth.v1 import auth_pb2
from shared.pms.codes.v1 import codes_pb2 as cd
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.pricing.v1 import pricing_pb2 as pr
from shared.pms.scheduling.v1 import setup_pb2 as su

LOOKUP_DELAY_S = 0.2
# Pricing waits for a pause in the typing: one PriceLines call per pause, not per key.
PRICE_DELAY_S = 0.4
# The lines' column headings, each as wide as its field (the same classes).
LINE_HEADING = (("#", "line-number"), ("Code", "line-code"), ("Description", "line-description"),
                ("Mods", "line-mods"), ("Units", "line-units"), ("Ptr", "line-ptrs"), ("Fee $", "line-fee"),
                ("Expected $", "line-expected"))
HEADER_WORDS = {
    "date_of_service": "DOS",
    "rendering_provider_id": "Provider",
    "location_id": "Location",
    "place_of_service": "Place of service",
    "patient_id": "Patient",
    "prior_authorization": "Prior authorization",
    "referring_provider_npi": "Referring NPI",
    "referring_provider_name": "Referring provider",
    "supervising_provider_id": "Supervising provider",
    "diagnoses": "Diagnoses",
    "lines": "Lines",
}
# Header field -> the box or picker that holds it (marked when the server names the field).
HEADER_FIELDS = {
    "rendering_provider_id": "#sb-provider",
    "location_id": "#sb-location",
    "place_of_service": "#sb-pos",
    "date_of_service": "#sb-dos",
    "supervising_provider_id": "#sb-supervising",
    "referring_provider_name": "#sb-referring",
    "referring_provider_npi": "#sb-npi",
    "prior_authorization": "#sb-prior-auth",
}
# Enter in a header box: the next box worth typing in (the pickers open on Enter, so Tab reaches them).
HEADER_ENTER = {
    "sb-pos": "#sb-dos",
    "sb-dos": "#dx-entry",
    "sb-referring": "#sb-npi",
    "sb-npi": "#sb-prior-auth",
    "sb-prior-auth": "#dx-entry",
}
# What is disabled on a read-only encounter (rows mounted later in them too).
EDITABLE = ("#sb-header", "#sb-details", "#dx-entry-row", "#line-list")


class Unreadable(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def read_line(row: LineRow) -> en.ServiceLine:
    """The row's text as a line; raises ``Unreadable`` naming the field that cannot be read at all."""
    line = en.ServiceLine()
    line.CopyFrom(row.line)
    line.code = row.value("code").strip().upper()
    del line.modifiers[:]
    line.modifiers.extend(modifiers_from_text(row.value("modifiers")))
    readers: list[tuple[str, Any]] = [
        ("units", lambda: setattr(line, "units", units_from_text(row.value("units")))),
        ("dx_pointers", lambda: line.dx_pointers.extend(pointers_from_text(row.value("dx_pointers")))),
        ("fee_cents", lambda: setattr(line, "fee_cents", cents_from_dollars(row.value("fee_cents")))),
        ("ndc_quantity_milli",
         lambda: setattr(line, "ndc_quantity_milli", milli_from_text(row.value("ndc_quantity_milli")))),
    ]
    del line.dx_pointers[:]
    for name, read in readers:
        try:
            read()
        except UnreadableValue as error:
            raise Unreadable(name, str(error)) from None
    line.ndc = row.value("ndc").strip()
    line.ndc_unit = row.value("ndc_unit").strip().upper()
    line.note = row.value("note").strip()
    if not row.drug:
        line.ndc, line.ndc_quantity_milli, line.ndc_unit = "", 0, ""
    return line


class SuperbillScreen(Screen[bool]):
    """Dismisses with True when the encounter was saved here."""

    CSS_PATH = "superbill_screen.tcss"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the whole encounter", id="superbill.save"),
        # Ctrl+D deletes a character in a box; Ctrl+Y deletes the line, as in the old editors.
        Binding("ctrl+y", "remove", "Remove row", tooltip="Take out the diagnosis or line the cursor is on",
                id="superbill.remove"),
        Binding("ctrl+n", "note", "Note", tooltip="Open the note of the line the cursor is on",
                id="superbill.note"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the saved encounter", id="superbill.reload"),
        Binding("ctrl+b", "ready", "Ready to bill",
                tooltip="Post the charges: the server checks the saved encounter again first", id="superbill.ready"),
        Binding("escape", "back", "Back", tooltip="Back to the worklist", id="superbill.back"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session, encounter: en.Encounter,
                 providers: list[su.Provider], locations: list[su.Location]) -> None:
        """``encounter``: as fetched, or a new one (``encounter_id`` 0) with its patient and header preset."""
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.encounter = encounter
        self.providers = providers
        self.locations = locations
        self.can_write = "encounters.write" in session.permissions
        self.saved_once = False
        self.dirty = False
        self.warned_unsaved = False
        self.stale = False
        # True while a ready-to-bill call is out: its refusals are "not ready to bill", not "not saved".
        self.posting = False
        # Code lookup: the box being looked up for, the codes shown, and the text they answer.
        self.lookup: CodeLookup | None = None
        self.suggested: list[cd.Code] = []
        self.suggested_for: tuple[str, str] = ("", "")
        self.pick_when_found: CodeLookup | None = None
        self.lookup_timer: Timer | None = None
        self.price_timer: Timer | None = None
        # What prices the lines ("Aetna · 2026 commercial"), as PriceLines last said.
        self.priced_by = ""
        # Each provider picker's options as last set (set again only when they change).
        self.provider_options: dict[str, list[tuple[str, int]]] = {}

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="sb-title", markup=False)
        yield Static("", id="sb-message", markup=False)
        with Horizontal(id="sb-header"):
            yield Static("Provider", classes="sb-label -col1", markup=False)
            yield Select[int]([], id="sb-provider", prompt="provider", compact=True)
            yield Static("Location", classes="sb-label -col2", markup=False)
            yield Select([(x.name, x.location_id) for x in self.locations], id="sb-location", prompt="location",
                         compact=True)
            yield Static("POS", classes="sb-label", markup=False)
            yield Input(id="sb-pos", compact=True, restrict=r"[0-9]*", max_length=2, select_on_focus=True,
                        tooltip="Place of service, two digits; blank is the location's own")
            yield Static("", id="sb-pos-hint", markup=False)
            yield Static("DOS", classes="sb-label -col4", markup=False)
            yield Input(placeholder="MM/DD/YYYY", id="sb-dos", compact=True)
        with Horizontal(id="sb-details"):
            yield Static("Supervisor", classes="sb-label -col1", markup=False)
            yield Select[int]([], id="sb-supervising", prompt="none", compact=True)
            yield Static("Referring", classes="sb-label -col2", markup=False)
            yield Input(placeholder="name", id="sb-referring", compact=True)
            yield Static("NPI", classes="sb-label", markup=False)
            yield Input(id="sb-npi", compact=True, restrict=r"[0-9]*", max_length=10)
            yield Static("Auth", classes="sb-label -col4", markup=False)
            yield Input(placeholder="prior auth", id="sb-prior-auth", compact=True, max_length=50)
        yield Static("", id="sb-header-error", markup=False)
        with Horizontal(id="dx-entry-row"):
            yield Static("Diagnoses", classes="sb-section", markup=False)
            yield CodeLookup(placeholder="ICD-10 code or words, Enter adds", id="dx-entry", compact=True)
        yield VerticalScroll(id="dx-list", can_focus=False)
        with Horizontal(id="line-heading"):
            for text, column in LINE_HEADING:
                yield Static(text, classes=column, markup=False)
        with VerticalScroll(id="line-list", can_focus=False):
            yield LineRow(entry=True, id="line-entry")
        with Horizontal(id="sb-totals"):
            yield Static("", id="sb-payer", markup=False)
            yield Static("", id="sb-total", markup=False)
        yield OptionList(id="suggestions")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#suggestions", OptionList).can_focus = False
        self._show(self.encounter)
        self.query_one("#dx-entry", CodeLookup).focus()
        if not self.can_write or self.encounter.status not in (0, en.ENCOUNTER_STATUS_OPEN):
            # Disabled containers disable what they hold, rows mounted later too; nothing to enter, no entry row.
            for container in EDITABLE:
                self.query_one(container).disabled = True
            self.query_one("#line-entry").display = False
            why = "your role reads encounters" if not self.can_write else "only an open encounter is changed"
            self.say(f"Read only: {why}.", info=True)
        else:
            self.say("Type a code or words; Enter takes the highlighted code. Ptr: digits, 12 = dx 1 and 2.",
                     info=True)

    def on_resize(self, event: events.Resize) -> None:
        # Below 100 columns the location's name needs the room: its POS stays the blank POS box's placeholder.
        self.set_class(event.size.width < 100, "-narrow")

    def _show(self, encounter: en.Encounter) -> None:
        """Header, diagnoses and lines as ``encounter`` has them (what was typed is replaced)."""
        self._title(encounter)
        self._show_header(self._header_of(encounter))
        dx_list = self.query_one("#dx-list", VerticalScroll)
        for old in dx_list.query(DxRow):
            old.add_class("-gone")  # removed after this refresh: not counted meanwhile
        dx_list.remove_children()
        dx_list.mount_all([DxRow(d) for d in encounter.diagnoses])
        for row in self.query(LineRow):
            if not row.entry:
                row.add_class("-gone")
                row.remove()
        entry = self.query_one("#line-entry", LineRow)
        self.query_one("#line-list", VerticalScroll).mount_all(
            [LineRow(line) for line in encounter.lines], before=entry)
        self.call_after_refresh(self._renumber)
        # The lines show what the server stored; the payer and contract that price them are asked for.
        self.priced_by = ""
        self._price_soon(lines_too=False)
        self.query_one("#sb-header-error", Static).update("")
        self.query_one("#sb-header-error").set_class(False, "-shown")

    def _header_of(self, encounter: en.Encounter) -> dict[str, int | str]:
        """The header field -> what its picker or box shows for ``encounter``."""
        # The server stores the location's own POS when none is typed: blank here unless it differs.
        own = self._location_pos(encounter.location_id)
        return {
            "rendering_provider_id": encounter.rendering_provider_id,
            "location_id": encounter.location_id,
            "place_of_service": "" if encounter.place_of_service in ("", own) else encounter.place_of_service,
            "date_of_service": formatting.calendar_date(encounter.date_of_service)
            if dates.is_set(encounter.date_of_service) else "",
            "supervising_provider_id": encounter.supervising_provider_id,
            "referring_provider_name": encounter.referring_provider_name,
            "referring_provider_npi": encounter.referring_provider_npi,
            "prior_authorization": encounter.prior_authorization,
        }

    def _header_shown(self) -> dict[str, int | str]:
        """What the header's pickers and boxes hold now, as ``_header_of`` says it."""
        shown: dict[str, int | str] = {}
        for name, selector in HEADER_FIELDS.items():
            widget = self.query_one(selector)
            if isinstance(widget, Select):
                shown[name] = widget.value if isinstance(widget.value, int) else 0
            elif isinstance(widget, Input):
                shown[name] = widget.value
        return shown

    def _show_header(self, values: dict[str, int | str]) -> None:
        """Fills the header's fields named in ``values`` without announcing it: only the biller's own changes
        count as unsaved."""
        for name, value in values.items():
            widget = self.query_one(HEADER_FIELDS[name])
            if isinstance(widget, Select) and name != "location_id":
                self._pick_provider(widget, int(value))
            elif isinstance(widget, Select):
                if value in {x.location_id for x in self.locations}:
                    with widget.prevent(Select.Changed):
                        widget.value = value
            elif isinstance(widget, Input):
                with widget.prevent(Input.Changed):
                    widget.value = str(value)
        self._show_pos_hint()

    def _pick_provider(self, select: Select[int], provider_id: int) -> None:
        """The practice's providers to pick from, and one no longer listed (inactive) when the encounter names it:
        a save never drops it unseen."""
        options = [(provider_column(p), p.provider_id) for p in self.providers]
        if provider_id and provider_id not in {p.provider_id for p in self.providers}:
            options.append((f"provider {provider_id} (not active)", provider_id))
        with select.prevent(Select.Changed):
            if options != self.provider_options.get(select.id or ""):
                self.provider_options[select.id or ""] = options
                select.set_options(options)
            if provider_id:
                select.value = provider_id
            else:
                select.clear()

    def _location_pos(self, location_id: object) -> str:
        return next((x.place_of_service for x in self.locations if x.location_id == location_id), "")

    def _show_pos_hint(self) -> None:
        """The chosen location's own place of service: the POS box's placeholder, and a hint beside it."""
        own = self._location_pos(self.query_one("#sb-location", Select).value)
        self.query_one("#sb-pos", Input).placeholder = own
        self.query_one("#sb-pos-hint", Static).update(f"loc {own}" if own else "")

    def _title(self, encounter: en.Encounter) -> None:
        who = encounter.patient_name or f"patient {encounter.patient_id}"
        if encounter.encounter_id:
            status = STATUS_WORDS.get(encounter.status, "")
            text = f"Superbill · {who} · encounter {encounter.encounter_id} · {status} · v{encounter.version}"
        else:
            text = f"New superbill · {who}"
        self.query_one("#sb-title", Static).update(text)

    def _renumber(self) -> None:
        for position, row in enumerate(self.dx_rows(), 1):
            row.number(position)
        for position, line in enumerate(self.lines(), 1):
            line.number(position)
        self._show_total()

    def lines(self) -> list[LineRow]:
        """The service lines on screen (not the entry row, nor rows on their way out)."""
        return [row for row in self.query(LineRow) if not row.entry and not row.has_class("-gone")]

    def dx_rows(self) -> list[DxRow]:
        return [row for row in self.query(DxRow) if not row.has_class("-gone")]

    def _show_total(self) -> None:
        total, unread, expected, unpriced = 0, False, 0, 0
        for row in self.lines():
            try:
                total += cents_from_dollars(row.value("fee_cents"))
            except UnreadableValue:
                unread = True
            if row.expected is None:
                unpriced += 1
            else:
                expected += row.expected
        count = len(self.lines())
        text = f"{count} line{'s' if count != 1 else ''} · total {formatting.dollars(total)}"
        if unread:
            text += " (a fee cannot be read)"
        if count and unpriced < count:
            text += f" · expected {formatting.dollars(expected)}"
            if unpriced:
                text += f" ({unpriced} unpriced)"
        self.query_one("#sb-total", Static).update(text)
        self.query_one("#sb-payer", Static).update(self._priced_by_words())

    def _priced_by_words(self) -> str:
        if not self._can_price():
            return "expected: as stored" if any(row.expected is not None for row in self.lines()) else ""
        return self.priced_by

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"save", "remove", "note"}:
            return self.can_write and self.encounter.status in (0, en.ENCOUNTER_STATUS_OPEN)
        if action == "reload":
            return bool(self.encounter.encounter_id)
        if action == "ready":
            return self.can_write and bool(self.encounter.encounter_id) and \
                self.encounter.status == en.ENCOUNTER_STATUS_OPEN
        return True

    # -- code lookup ----------------------------------------------------------------------
    def _date_of_service(self) -> date | None:
        try:
            return calendar_day_from_text(self.query_one("#sb-dos", Input).value)
        except UnreadableValue:
            return None

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        row = next((a for a in event.input.ancestors if isinstance(a, LineRow)), None)
        if isinstance(event.input, CodeLookup):
            self._look_up_soon(event.input, LOOKUP_DELAY_S)
            if event.input.id == "dx-entry":
                return
            if row is not None and row.code_taken:
                row.code_taken = False  # a new code is being typed: its old price no longer applies
                row.show_expected(None)
        in_a_line = row is not None and not row.entry
        # Only typing counts: rows filled from a fetched encounter announce their values too.
        typing = event.input.has_focus
        header = event.input.id in HEADER_ENTER
        if (in_a_line or header) and typing:
            self.dirty = True
        if event.input.has_class("line-fee"):
            if typing and row is not None:
                row.fee_from_schedule = False  # the biller's own fee
            self._show_total()
        priced = ("line-mods", "line-units") if row is not None and row.entry else ("line-code", "line-mods",
                                                                                     "line-units")
        # The date and the place of service pick the fees (facility or not) as the lines do.
        if typing and (event.input.id in ("sb-dos", "sb-pos") or any(event.input.has_class(c) for c in priced)):
            self._price_soon()

    @on(Select.Changed)
    def _header_changed(self, event: Select.Changed) -> None:
        # Filling the header from a fetched encounter announces its values too; only a different choice counts.
        saved = {"sb-provider": self.encounter.rendering_provider_id, "sb-location": self.encounter.location_id,
                 "sb-supervising": self.encounter.supervising_provider_id}
        value = event.value if isinstance(event.value, int) else 0
        if event.select.has_focus_within and value != saved.get(event.select.id or ""):
            self.dirty = True
        if event.select.id == "sb-location":
            self._show_pos_hint()
            if event.select.has_focus_within:
                self._price_soon()  # the place of service picks the Medicare rate (facility or not)

    # -- pricing ----------------------------------------------------------------------------
    def _can_price(self) -> bool:
        return self.can_write and self.encounter.status in (0, en.ENCOUNTER_STATUS_OPEN) and \
            bool(self.encounter.patient_id)

    def _rows_to_price(self) -> list[LineRow]:
        entry = self.query_one("#line-entry", LineRow)
        return self.lines() + ([entry] if entry.code_taken else [])

    @staticmethod
    def _price_key(row: LineRow) -> tuple[str, tuple[str, ...], int] | None:
        """What a line's price depends on, as typed; None while it cannot be read (no code, units not a number)."""
        code = row.value("code").strip().upper()
        try:
            units = units_from_text(row.value("units"))
        except UnreadableValue:
            return None
        return (code, tuple(modifiers_from_text(row.value("modifiers"))), units) if code else None

    def _price_soon(self, lines_too: bool = True) -> None:
        """Price the draft after a pause; ``lines_too`` False only asks who prices it (the lines show as stored)."""
        if not self._can_price():
            return
        if self.price_timer is not None:
            self.price_timer.stop()
        self.price_timer = self.set_timer(PRICE_DELAY_S, lambda: self.price_draft(lines_too))

    @gateway_call
    async def price_draft(self, lines_too: bool) -> None:
        asked = [(row, key) for row in self._rows_to_price() if (key := self._price_key(row)) is not None]
        dos = self._date_of_service()
        if not asked or dos is None:
            self.priced_by = "expected: type the date of service" if asked else ""
            self._show_total()
            return
        location = self.query_one("#sb-location", Select).value
        try:
            answer = await self.gateway.price_lines(
                self.encounter.patient_id, dos,
                [pr.LineToPrice(code=code, modifiers=mods, units=units) for _row, (code, mods, units) in asked],
                location_id=location if isinstance(location, int) else 0,
                place_of_service=self.query_one("#sb-pos", Input).value.strip())
        except (InvalidInput, RuleBroken, NotFound) as error:
            # A draft the server cannot price yet (a date it refuses, a code it does not know): saving says why.
            self.priced_by = f"not priced: {describe(error)}"
            self._show_total()
            return
        self.priced_by = payer_contract_words(answer.payer_name, answer.contract_name)
        if lines_too:
            for (row, key), price in zip(asked, answer.lines, strict=False):
                if row.is_attached and self._price_key(row) == key:  # typed on meanwhile: the next answer
                    row.take_price(price)
        self._show_total()

    def _look_up_soon(self, lookup: CodeLookup, delay: float) -> None:
        if self.lookup_timer is not None:
            self.lookup_timer.stop()
        text = lookup.value.strip()
        self.lookup = lookup
        if not text:
            self._show_suggestions(lookup, "", [])
            return
        if delay:
            self.lookup_timer = self.set_timer(delay, lambda: self.look_up(lookup, text))
        else:
            self.look_up(lookup, text)

    def _systems(self, lookup: CodeLookup, text: str) -> tuple[list[int], bool]:
        if lookup.id == "dx-entry":
            return [cd.CODE_SYSTEM_ICD10CM], True
        compact = text.strip().upper()
        if compact[:1].isdigit():
            return [cd.CODE_SYSTEM_CPT], False
        if looks_like_code(compact):
            return [cd.CODE_SYSTEM_HCPCS], False
        return [cd.CODE_SYSTEM_CPT, cd.CODE_SYSTEM_HCPCS], False

    @gateway_call
    async def look_up(self, lookup: CodeLookup, text: str) -> None:
        systems, billable_only = self._systems(lookup, text)
        found: list[cd.Code] = []
        for system in systems:
            found += await self.gateway.search_codes(system, text, billable_only=billable_only,
                                                     date_of_service=self._date_of_service(), limit=12)
        if lookup.value.strip() != text:
            return  # the box has moved on: a newer lookup answers it
        self._show_suggestions(lookup, text, found)
        if self.pick_when_found is lookup:
            self.pick_when_found = None
            self._take(lookup)

    def _show_suggestions(self, lookup: CodeLookup, text: str, found: list[cd.Code]) -> None:
        self.suggested = found
        self.suggested_for = (lookup.id or str(id(lookup)), text)
        options = self.query_one("#suggestions", OptionList)
        options.clear_options()
        options.add_options([Option(f"{c.display_code:<8} {c.description}") for c in found])
        if found:
            options.highlighted = 0
        options.set_class(bool(found), "-shown")
        if text and not found:
            what = "diagnosis" if lookup.id == "dx-entry" else "CPT or HCPCS"
            self.say(f"No billable {what} code matches \"{text}\" on this date of service.", info=False)

    @on(CodeLookup.Move)
    def _move_suggestion(self, message: CodeLookup.Move) -> None:
        options = self.query_one("#suggestions", OptionList)
        if not self.suggested:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(len(self.suggested) - 1, current + message.step))

    def _suggestions_answer(self, lookup: CodeLookup) -> bool:
        return self.suggested_for == (lookup.id or str(id(lookup)), lookup.value.strip()) and bool(self.suggested)

    def _take(self, lookup: CodeLookup) -> None:
        """Enter in a code box: the highlighted suggestion, or the code as typed when nothing matched."""
        text = lookup.value.strip()
        code: cd.Code | None = None
        if self._suggestions_answer(lookup):
            index = self.query_one("#suggestions", OptionList).highlighted or 0
            code = self.suggested[index]
        elif not looks_like_code(text):
            return  # words that matched nothing: the lookup said so
        self._show_suggestions(lookup, "", [])
        if lookup.id == "dx-entry":
            diagnosis = en.Diagnosis(code=code.code if code else text.upper(),
                                     display_code=code.display_code if code else text.upper(),
                                     description=code.description if code else "(as typed)")
            position = len(self.dx_rows()) + 1
            self.query_one("#dx-list", VerticalScroll).mount(DxRow(diagnosis))
            self.dirty = True
            lookup.value = ""
            self.call_after_refresh(self._renumber)
            self.call_after_refresh(self.query_one("#dx-list", VerticalScroll).scroll_end, animate=False)
            self.say(f"Diagnosis {position} added: {diagnosis.display_code} {diagnosis.description}", info=True)
            return
        row = self.query_one("#line-entry", LineRow)
        with lookup.prevent(Input.Changed):
            lookup.value = code.display_code if code else text.upper()
        row.describe(code.description if code else "(as typed)")
        row.show_drug(bool(code and code.requires_ndc))
        row.code_taken = True
        row.field("modifiers").focus()
        self._price_soon()

    # -- Enter moves on ---------------------------------------------------------------------
    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        field = event.input
        if isinstance(field, CodeLookup):
            if not field.value.strip():
                if field.id == "dx-entry":
                    self.query_one("#line-entry", LineRow).field("code").focus()
                return
            if self._suggestions_answer(field):
                self._take(field)
            else:
                self.pick_when_found = field
                self._look_up_soon(field, 0)
            return
        if field.id in HEADER_ENTER:
            self.query_one(HEADER_ENTER[field.id], Input).focus()
            return
        row = next((a for a in field.ancestors if isinstance(a, LineRow)), None)
        if row is None:
            return
        order = row.inputs()
        at = order.index(field) if field in order else len(order) - 1
        if at + 1 < len(order):
            order[at + 1].focus()
        elif row.entry:
            self.add_line()
        else:
            self.query_one("#line-entry", LineRow).field("code").focus()

    def add_line(self) -> bool:
        entry = self.query_one("#line-entry", LineRow)
        if not entry.value("code").strip():
            entry.set_errors({"code": "type a code first"})
            entry.field("code").focus()
            return False
        try:
            line = read_line(entry)
        except Unreadable as problem:
            entry.set_errors({problem.field: str(problem)})
            entry.field(problem.field).focus()
            return False
        line.description = str(entry.query_one(".line-description", Static).render())
        added = LineRow(line, drug=entry.drug)
        added.expected, added.fee_from_schedule = entry.expected, entry.fee_from_schedule
        self.query_one("#line-list", VerticalScroll).mount(added, before=entry)
        entry.clear()
        entry.field("code").focus()
        self.dirty = True
        self.call_after_refresh(self._renumber)
        self._price_soon()  # the entry row's price may still be on its way: ask again for the added line
        self.call_after_refresh(self.query_one("#line-list", VerticalScroll).scroll_end, animate=False)
        return True

    # -- remove -------------------------------------------------------------------------------
    def action_remove(self) -> None:
        focused = self.focused
        if focused is None:
            return
        row = focused if isinstance(focused, DxRow) else next(
            (a for a in focused.ancestors if isinstance(a, (DxRow, LineRow))), None)
        if row is None or (isinstance(row, LineRow) and row.entry):
            self.say("Put the cursor on a diagnosis (Tab from its box) or a line, then Ctrl+Y removes it.")
            return
        kind = "Diagnosis" if isinstance(row, DxRow) else "Line"
        row.add_class("-gone")
        row.remove()
        self.dirty = True
        self.call_after_refresh(self._renumber)
        self.query_one("#dx-entry" if kind == "Diagnosis" else ".line-code", Input).focus()
        self.say(f"{kind} removed; the numbers after it moved up (check the pointers). Ctrl+S saves.", info=True)

    # -- a line's note ------------------------------------------------------------------------
    def action_note(self) -> None:
        focused = self.focused
        row = next((a for a in focused.ancestors if isinstance(a, LineRow)), None) if focused else None
        if row is None:
            self.say("Put the cursor on a line (or the entry row), then Ctrl+N opens its note.")
            return
        row.show_note(True)
        row.field("note").focus()

    # -- save -----------------------------------------------------------------------------------
    def read(self) -> en.Encounter | None:
        """The encounter as typed; None (and the field marked) when some text cannot be read at all."""
        encounter = en.Encounter()
        encounter.CopyFrom(self.encounter)
        provider = self.query_one("#sb-provider", Select).value
        supervising = self.query_one("#sb-supervising", Select).value
        location = self.query_one("#sb-location", Select).value
        encounter.rendering_provider_id = provider if isinstance(provider, int) else 0
        encounter.supervising_provider_id = supervising if isinstance(supervising, int) else 0
        encounter.location_id = location if isinstance(location, int) else 0
        # Blank: the location's own (the server fills it in).
        encounter.place_of_service = self.query_one("#sb-pos", Input).value.strip()
        encounter.referring_provider_name = self.query_one("#sb-referring", Input).value.strip()
        encounter.referring_provider_npi = self.query_one("#sb-npi", Input).value.strip()
        encounter.prior_authorization = self.query_one("#sb-prior-auth", Input).value.strip()
        try:
            dos = date_from_text(self.query_one("#sb-dos", Input).value)
        except UnreadableValue as error:
            self._header_errors({"date_of_service": str(error)})
            return None
        encounter.ClearField("date_of_service")
        if dos is not None:
            encounter.date_of_service.CopyFrom(dos)
        del encounter.diagnoses[:]
        encounter.diagnoses.extend(en.Diagnosis(code=row.diagnosis.code) for row in self.dx_rows())
        del encounter.lines[:]
        for row in self.lines():
            try:
                encounter.lines.append(read_line(row))
            except Unreadable as problem:
                row.set_errors({problem.field: str(problem)})
                row.field(problem.field).focus()
                self.say("Not saved: a field cannot be read (marked).")
                return None
        return encounter

    def action_save(self) -> None:
        entry = self.query_one("#line-entry", LineRow)
        if entry.value("code").strip() and not self.add_line():
            return
        encounter = self.read()
        if encounter is None:
            return
        self.say("Saving…", info=True)
        self.save(encounter)

    @gateway_call
    async def save(self, encounter: en.Encounter) -> None:
        if encounter.encounter_id:
            saved = await self.gateway.update_encounter(encounter)
        else:
            saved = await self.gateway.create_encounter(encounter)
        self.encounter = saved
        self.stale = False
        self.saved_once = True
        self.dirty = False
        self.warned_unsaved = False
        self._clear_errors()
        self._show(saved)
        self.refresh_bindings()
        self.say(f"Saved: encounter {saved.encounter_id}, version {saved.version}, "
                 f"total {formatting.dollars(saved.total_cents)}.", info=True)

    def action_ready(self) -> None:
        if self.dirty or self.query_one("#line-entry", LineRow).value("code").strip():
            self.say("Save first (Ctrl+S): what is posted is the saved encounter.")
            return
        self.posting = True
        self.say("Posting the charges…", info=True)
        self.post_charges()

    @gateway_call
    async def post_charges(self) -> None:
        answer = await self.gateway.mark_ready_to_bill(self.encounter.encounter_id, self.encounter.version)
        self.posting = False
        self.encounter = answer.encounter
        self.saved_once = True
        self._clear_errors()
        self._show(answer.encounter)
        for container in EDITABLE:
            self.query_one(container).disabled = True
        self.query_one("#line-entry").display = False
        self.refresh_bindings()
        self.say(f"Ready to bill: {formatting.dollars(answer.posted_cents)} posted to the ledger. "
                 "Escape returns to the worklist.", info=True)

    def action_reload(self) -> None:
        if self.encounter.encounter_id:
            self.reload(keep_typing=self.stale or self.dirty)

    @gateway_call
    async def reload(self, keep_typing: bool) -> None:
        theirs = await self.gateway.get_encounter(self.encounter.encounter_id)
        if not keep_typing:
            self.encounter = theirs
            self._show(theirs)
            self.refresh_bindings()
            self.say(f"Fetched version {theirs.version} as saved.", info=True)
            return
        changed = self._what_changed(self.encounter, theirs)
        # A header field the biller left as it was takes theirs; one typed over keeps the typing.
        was, now, new = self._header_of(self.encounter), self._header_shown(), self._header_of(theirs)
        self._show_header({name: new[name] for name in new if now.get(name) == was[name]})
        self.encounter = theirs  # their version: the next save goes over it
        self.stale = False
        self._title(theirs)
        self.refresh_bindings()
        said = f" (they changed {changed})" if changed else ""
        self.say(f"Fetched version {theirs.version}{said}. Your typing is kept: Ctrl+S saves it over theirs.",
                 info=True)

    @staticmethod
    def _what_changed(mine: en.Encounter, theirs: en.Encounter) -> str:
        parts = []
        header = [f for f in HEADER_WORDS if f not in ("diagnoses", "lines")]
        if any(getattr(mine, f) != getattr(theirs, f) for f in header):
            parts.append("the header")
        if list(mine.diagnoses) != list(theirs.diagnoses):
            parts.append("the diagnoses")
        if list(mine.lines) != list(theirs.lines):
            parts.append("the lines")
        if mine.status != theirs.status:
            parts.append(f"the status to {STATUS_WORDS.get(theirs.status, '?')}")
        return " and ".join(parts)

    def action_back(self) -> None:
        if self.dirty and not self.warned_unsaved:
            self.warned_unsaved = True
            self.say("Not saved yet. Escape again leaves without saving; Ctrl+S saves.")
            return
        self.dismiss(self.saved_once)

    # -- errors ------------------------------------------------------------------------------------
    def say(self, text: str, info: bool = False) -> None:
        message = self.query_one("#sb-message", Static)
        message.update(text)
        message.set_class(info, "-info")

    def _clear_errors(self) -> None:
        for dx in self.query(DxRow):
            dx.set_error("")
        for row in self.query(LineRow):
            row.set_errors({})
        self._header_errors({})

    def _header_errors(self, errors: dict[str, str]) -> None:
        line = self.query_one("#sb-header-error", Static)
        line.update(" · ".join(f"{HEADER_WORDS.get(f, f)}: {text}" for f, text in errors.items()))
        line.set_class(bool(errors), "-shown")
        for name, selector in HEADER_FIELDS.items():
            self.query_one(selector).set_class(name in errors, "-invalid")

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, InvalidInput):
            self._show_violations(error)
        elif isinstance(error, StaleRecord):
            self.posting = False
            self.stale = True
            self.say("Someone else saved this encounter while you were coding it, so nothing was saved. "
                     "Ctrl+R fetches their version and keeps your typing; then Ctrl+S saves yours.")
        else:
            self.posting = False
            self.say(describe(error))
        return True

    def _show_violations(self, error: InvalidInput) -> None:
        self._clear_errors()
        dx_rows = self.dx_rows()
        line_rows = self.lines()
        header: dict[str, str] = {}
        per_line: dict[int, dict[str, str]] = {}
        per_dx: dict[int, list[str]] = {}
        elsewhere: list[str] = []
        for violation in error.violations:
            place = row_field(violation.field)
            if place is not None and place[0] == "lines" and place[1] < len(line_rows):
                per_line.setdefault(place[1], {})[place[2]] = violation.description
            elif place is not None and place[0] == "diagnoses" and place[1] < len(dx_rows):
                per_dx.setdefault(place[1], []).append(violation.description)
            elif violation.field in HEADER_WORDS and violation.field not in ("diagnoses", "lines"):
                header[violation.field] = violation.description
            else:
                name = HEADER_WORDS.get(violation.field, violation.field)
                elsewhere.append(f"{name}: {violation.description}" if name else violation.description)
        for index, texts in per_dx.items():
            dx_rows[index].set_error(" · ".join(texts))
        for index, errors in per_line.items():
            line_rows[index].set_errors(errors)
        self._header_errors(header)
        count = len(error.violations) - len(elsewhere)
        refused = "Not ready to bill" if self.posting else "Not saved"
        self.posting = False
        sentence = f"{refused}."
        if count:
            sentence = f"{refused}: {count} problem{'s' if count != 1 else ''} marked beside the fields."
        self.say(" ".join([sentence, *elsewhere]))
        marked = [f for f in HEADER_FIELDS if f in header]
        if marked:
            self.call_after_refresh(self.query_one(HEADER_FIELDS[marked[0]]).focus)
        elif per_line:
            first = min(per_line)
            name = next(iter(per_line[first]))
            target = line_rows[first].field(name if name in LINE_INPUTS else "code")
            self.call_after_refresh(target.focus)
        elif per_dx:
            self.call_after_refresh(dx_rows[min(per_dx)].focus)
