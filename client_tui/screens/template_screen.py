"""A provider's weekly template: the blocks per weekday, location and time, and the types each accepts.

Blocks are added, edited and removed here and saved together (SetTemplate replaces the whole template,
checked against the version the edit started from). The server's objections name a block; the cursor
goes to it and the message says what is wrong.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, InvalidInput, StaleRecord
from client_tui.schedule_values import clock, provider_name
from client_tui.screens.template_block_screen import TemplateBlockScreen
from client_tui.setup_values import BLOCK_KIND_WORDS, block_sort_key, effective_text, type_names, weekday_name
from client_tui.workers import gateway_call
from shared.pms.scheduling.v1 import setup_pb2 as su

COLUMNS = (("Day", 3), ("Location", 18), ("Hours", 11), ("Kind", 9), ("Accepts", 20), ("Dates", 6))
FIELD_WORDS = {
    "location_id": "Location",
    "weekday": "Day",
    "end_minute": "Hours",
    "start_minute": "Hours",
    "kind": "Kind",
    "appointment_type_ids": "Accepts",
    "effective_from": "Starts on",
    "effective_until": "Ends on",
}
BLOCK_FIELD = re.compile(r"blocks\[(\d+)\](?:\.(\w+))?")


def bookable_minutes(blocks: list[su.TemplateBlock]) -> int:
    """Minutes of available time a week, less the lunch and admin blocks inside it (dates ignored)."""
    total = 0
    for weekday in range(1, 8):
        free: set[int] = set()
        for block in blocks:
            if block.weekday == weekday and block.kind == su.BLOCK_KIND_AVAILABLE:
                free.update(range(block.start_minute, block.end_minute))
        for block in blocks:
            if block.weekday == weekday and block.kind != su.BLOCK_KIND_AVAILABLE:
                free.difference_update(range(block.start_minute, block.end_minute))
        total += len(free)
    return total


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class BlockTable(DataTable[str | Text], inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select_cursor", "Edit", tooltip="Change the highlighted block", id="template.edit"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]


class TemplateScreen(Screen[bool]):
    """Dismisses with True when a template was saved here."""

    CSS_PATH = "template_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the setup lists", id="template.back"),
        Binding("a", "add", "Add block", tooltip="Add a block to the week", id="template.add"),
        Binding("d", "remove", "Remove", tooltip="Take the highlighted block out", id="template.remove"),
        Binding("ctrl+s", "save", "Save", tooltip="Save the whole week as shown", id="template.save"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the saved template (drops changes)", id="template.reload"),
    ]

    def __init__(
        self,
        gateway: Gateway,
        provider: su.Provider,
        locations: dict[int, su.Location],
        types: dict[int, su.AppointmentType],
        can_manage: bool,
    ) -> None:
        super().__init__()
        self.gateway = gateway
        self.provider = provider
        self.locations = locations
        self.types = types
        self.can_manage = can_manage
        self.blocks: list[su.TemplateBlock] = []
        self.saved_blocks: list[bytes] = []
        self.template_version = 0
        self.loaded = False
        self.saved_once = False
        self.warned_unsaved = False

    def compose(self) -> ComposeResult:
        yield Static(f"Weekly template · {provider_name(self.provider)}", id="template-title", markup=False)
        yield Static("Loading the template…", id="template-message", markup=False)
        yield BlockTable(id="template-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="template-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(BlockTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        table.focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"add", "save"}:
            return self.can_manage and self.loaded
        if action == "remove":
            return self.can_manage and self.current() is not None
        return True

    # -- data -------------------------------------------------------------------------
    @gateway_call
    async def load(self) -> None:
        answer = await self.gateway.get_template(self.provider.provider_id)
        self._take(list(answer.blocks), answer.template_version)
        self.loaded = True
        self.say(self._count_sentence(), info=True)

    def _take(self, blocks: list[su.TemplateBlock], version: int) -> None:
        self.blocks = sorted(blocks, key=block_sort_key)
        self.saved_blocks = [b.SerializeToString(deterministic=True) for b in self.blocks]
        self.template_version = version
        self.warned_unsaved = False
        self.show_blocks()

    def changed(self) -> bool:
        return [b.SerializeToString(deterministic=True) for b in self.blocks] != self.saved_blocks

    def _count_sentence(self) -> str:
        hours = bookable_minutes(self.blocks) / 60
        keys = " · Ctrl+S saves the week" if self.can_manage else ""
        return f"{len(self.blocks)} blocks · {hours:g} bookable hours a week{keys}"

    def show_blocks(self, select: su.TemplateBlock | None = None) -> None:
        table = self.query_one(BlockTable)
        row = table.cursor_row
        table.clear()
        for index, block in enumerate(self.blocks):
            location = self.locations.get(block.location_id)
            table.add_row(
                weekday_name(block.weekday),
                fit(location.name if location is not None else f"#{block.location_id}", COLUMNS[1][1]),
                f"{clock(block.start_minute)}-{clock(block.end_minute)}",
                BLOCK_KIND_WORDS.get(block.kind, "?"),
                fit(type_names(list(block.appointment_type_ids), self.types), COLUMNS[4][1])
                if block.kind == su.BLOCK_KIND_AVAILABLE
                else "",
                "always" if effective_text(block) == "always" else "dated",
                key=str(index),
            )
        if select is not None and select in self.blocks:
            row = self.blocks.index(select)
        if self.blocks:
            table.move_cursor(row=max(0, min(row, len(self.blocks) - 1)))
        self._show_detail()
        self.refresh_bindings()

    def current(self) -> su.TemplateBlock | None:
        table = self.query_one(BlockTable)
        if not self.blocks or not 0 <= table.cursor_row < len(self.blocks):
            return None
        return self.blocks[table.cursor_row]

    def _show_detail(self) -> None:
        block = self.current()
        text = ""
        if block is not None:
            location = self.locations.get(block.location_id)
            where = location.name if location is not None else "?"
            text = (
                f"{weekday_name(block.weekday)} {clock(block.start_minute)}-{clock(block.end_minute)} "
                f"{BLOCK_KIND_WORDS.get(block.kind, '?')} at {where}"
            )
            if block.kind == su.BLOCK_KIND_AVAILABLE:
                text += f" · accepts {type_names(list(block.appointment_type_ids), self.types)}"
            text += f" · {effective_text(block)}"
        self.query_one("#template-detail", Static).update(text)

    @on(DataTable.RowHighlighted, "#template-table")
    def _highlighted(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    # -- editing ----------------------------------------------------------------------
    def _unsaved_note(self) -> None:
        self.say("Not saved yet: Ctrl+S saves the week, Ctrl+R drops the changes.")

    def action_add(self) -> None:
        def added(block: su.TemplateBlock | None) -> None:
            if block is not None:
                self.blocks = sorted([*self.blocks, block], key=block_sort_key)
                self.show_blocks(select=block)
                self._unsaved_note()
            self.query_one(BlockTable).focus()

        if not any(x.active for x in self.locations.values()):
            self.say("Add a location first (Schedule setup, list 2): a block is at a location.")
            return
        self.app.push_screen(self._block_screen(None), added)

    def _block_screen(self, block: su.TemplateBlock | None) -> TemplateBlockScreen:
        locations = [x for x in self.locations.values() if x.active or (block and x.location_id == block.location_id)]
        types = [t for t in self.types.values() if t.active]
        return TemplateBlockScreen(self.gateway, locations, types, block)

    @on(DataTable.RowSelected, "#template-table")
    def _edit(self, event: DataTable.RowSelected) -> None:
        event.stop()
        old = self.current()
        if old is None or not self.can_manage:
            return

        def edited(block: su.TemplateBlock | None) -> None:
            if block is not None and block != old:
                self.blocks = sorted([b for b in self.blocks if b is not old] + [block], key=block_sort_key)
                self.show_blocks(select=block)
                self._unsaved_note()
            self.query_one(BlockTable).focus()

        self.app.push_screen(self._block_screen(old), edited)

    def action_remove(self) -> None:
        block = self.current()
        if block is None:
            return
        self.blocks = [b for b in self.blocks if b is not block]
        self.show_blocks()
        self._unsaved_note()

    def action_save(self) -> None:
        if not self.loaded:
            return
        if not self.changed():
            self.say("Nothing to save: no block was changed.", info=True)
            return
        self.say("Saving…", info=True)
        self.save()

    @gateway_call
    async def save(self) -> None:
        answer = await self.gateway.set_template(self.provider.provider_id, self.blocks, self.template_version)
        self._take(list(answer.blocks), answer.template_version)
        self.saved_once = True
        self.say(f"Saved. {self._count_sentence()}", info=True)

    def action_reload(self) -> None:
        self.say("Loading the template…", info=True)
        self.load()

    def action_back(self) -> None:
        if self.changed() and not self.warned_unsaved:
            self.warned_unsaved = True
            self.say("The changes are not saved. Escape again leaves without saving; Ctrl+S saves.")
            return
        self.dismiss(self.saved_once)

    # -- messages ---------------------------------------------------------------------
    def say(self, text: str, info: bool = False) -> None:
        message = self.query_one("#template-message", Static)
        message.update(text)
        message.set_class(info, "-info")

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, InvalidInput):
            self.say(self._violations_sentence(error))
        elif isinstance(error, StaleRecord):
            self.say(
                "Someone else saved this template while you were editing it, so nothing was saved. "
                "Ctrl+R shows theirs (your changes are dropped)."
            )
        else:
            self.say(describe(error))
        return True

    def _violations_sentence(self, error: InvalidInput) -> str:
        """ "Tue 08:00-12:00: Hours must be after the start…", with the cursor on the first block named."""
        sentences: list[str] = []
        first_row: int | None = None
        for violation in error.violations:
            match = BLOCK_FIELD.match(violation.field)
            if match is None or int(match[1]) >= len(self.blocks):
                sentences.append(f"{violation.field}: {violation.description}")
                continue
            index = int(match[1])
            first_row = index if first_row is None else first_row
            what = FIELD_WORDS.get(match[2] or "", "")
            description = re.sub(r"blocks\[(\d+)\]", lambda m: self._block_words(int(m[1])), violation.description)
            sentences.append(f"{self._block_words(index)}: {what + ' ' if what else ''}{description}.")
        if first_row is not None:
            self.query_one(BlockTable).move_cursor(row=first_row)
        return "Not saved. " + " ".join(sentences)

    def _block_words(self, index: int) -> str:
        if not 0 <= index < len(self.blocks):
            return f"block {index + 1}"
        block = self.blocks[index]
        return f"{weekday_name(block.weekday)} {clock(block.start_minute)}-{clock(block.end_minute)}"
