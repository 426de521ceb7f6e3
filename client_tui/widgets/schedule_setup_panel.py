"""Admin > Schedule setup: providers, locations, rooms and equipment, appointment types, reminder policy.

One list at a time (←/→ or 1-5 switch lists); Enter edits the highlighted row, A adds. On a provider,
T opens the weekly template and X the time off. Changing needs schedule.setup; schedule.read only looks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Static

from client_tui.gateway import Gateway
from client_tui.schedule_values import color_style, provider_name
from client_tui.screens.appointment_type_form_screen import AppointmentTypeFormScreen
from client_tui.screens.exceptions_screen import ExceptionsScreen
from client_tui.screens.location_form_screen import LocationFormScreen
from client_tui.screens.provider_form_screen import ProviderFormScreen
from client_tui.screens.reminder_policy_screen import ReminderPolicyScreen
from client_tui.screens.resource_form_screen import ResourceFormScreen
from client_tui.screens.template_screen import TemplateScreen
from client_tui.setup_values import ELIGIBILITY_WORDS, policy_summary
from client_tui.widgets.admin_tool import AdminTool
from client_tui.workers import gateway_call
from shared.pms.reminders.v1 import reminders_pb2
from shared.pms.scheduling.v1 import setup_pb2 as su

# (id, title on the bar, the word for one row, columns with widths)
SECTIONS: tuple[tuple[str, str, str, tuple[tuple[str, int], ...]], ...] = (
    ("providers", "Providers", "provider", (("Name", 22), ("Cred.", 6), ("NPI", 10), ("Taxonomy", 10), ("Active", 6))),
    (
        "locations",
        "Locations",
        "location",
        (("Name", 18), ("Address", 22), ("POS", 3), ("Time zone", 17), ("Active", 6)),
    ),
    (
        "resources",
        "Rooms & equipment",
        "room or equipment",
        (("Name", 20), ("Kind", 9), ("Location", 20), ("Active", 6)),
    ),
    (
        "types",
        "Appt. types",
        "appointment type",
        (("Name", 18), ("Min", 3), ("Color", 8), ("Holds", 16), ("For", 11), ("Active", 6)),
    ),
    ("reminders", "Reminders", "", ()),
)
SECTION_IDS = [section[0] for section in SECTIONS]


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def active_cell(active: bool) -> Text:
    return Text("yes", style="green") if active else Text("no", style="bold red")


class SetupTable(DataTable[str | Text], inherit_bindings=False):
    """Up/down move, Enter edits; left/right are left to the panel (they switch lists)."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Edit", tooltip="Change the highlighted row", id="setup.edit"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]


class PolicyView(Static, can_focus=True):
    """The reminder policy as text; Enter asks for the dialog that changes it."""

    BINDINGS = [
        Binding("enter", "edit_policy", "Edit", tooltip="Change the reminder policy", id="setup.edit_policy"),
    ]

    class EditRequested(Message):
        pass

    def action_edit_policy(self) -> None:
        self.post_message(self.EditRequested())


class ScheduleSetupPanel(AdminTool):
    DEFAULT_CSS = """
    ScheduleSetupPanel > #setup-sections {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    ScheduleSetupPanel > ContentSwitcher {
        height: 1fr;
    }
    ScheduleSetupPanel SetupTable {
        height: 1fr;
    }
    ScheduleSetupPanel PolicyView {
        height: 1fr;
        padding: 1 2;
    }
    ScheduleSetupPanel PolicyView:focus {
        background: $boost;
    }
    ScheduleSetupPanel > #setup-summary {
        height: 1;
        color: $text-muted;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS = [
        Binding(
            "left",
            "section(-1)",
            "Other list",
            key_display="←→",
            tooltip="The previous or next list (1-5 too)",
            id="setup.section",
        ),
        Binding("right", "section(1)", "Next list", show=False),
        *[Binding(str(n), f"show_section('{sid}')", sid, show=False) for n, sid in enumerate(SECTION_IDS, 1)],
        Binding("a", "add", "Add", tooltip="Add a row to this list", id="setup.add"),
        Binding("e", "edit", "Edit", tooltip="Change the highlighted row (Enter too)", id="setup.edit_key", show=False),
        Binding("t", "template", "Template", tooltip="The highlighted provider's weekly template", id="setup.template"),
        Binding(
            "x",
            "time_off",
            "Time off",
            tooltip="The highlighted provider's vacations, holidays, half days",
            id="setup.time_off",
        ),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the lists again", id="setup.reload"),
    ]

    def __init__(self, gateway: Gateway, can_manage: bool, id: str | None = None) -> None:
        super().__init__(gateway, id=id)
        self.can_manage = can_manage
        self.section = "providers"
        self.providers: list[su.Provider] = []
        self.locations: list[su.Location] = []
        self.resources: list[su.Resource] = []
        self.types: list[su.AppointmentType] = []
        self.policy: reminders_pb2.ReminderPolicy | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._bar(), id="setup-sections")
        with ContentSwitcher(initial="setup-providers"):
            for sid, _title, _word, columns in SECTIONS:
                if sid == "reminders":
                    yield PolicyView("Loading…", id="setup-reminders", markup=False)
                    continue
                table = SetupTable(id=f"setup-{sid}", cursor_type="row", zebra_stripes=True)
                for label, width in columns:
                    table.add_column(label, width=width)
                yield table
        yield Static("Loading…", id="setup-summary", markup=False)

    def _bar(self) -> Text:
        bar = Text()
        for number, (sid, title, _word, _columns) in enumerate(SECTIONS, 1):
            style = "bold reverse" if sid == self.section else ""
            bar.append(f" {number} {title} ", style=style)
        return bar

    def current_widget(self) -> Any:
        return self.query_one(f"#setup-{self.section}")

    def focus_main(self) -> None:
        self.current_widget().focus()

    # -- which list -----------------------------------------------------------------------
    def action_section(self, step: int) -> None:
        index = (SECTION_IDS.index(self.section) + step) % len(SECTION_IDS)
        self.action_show_section(SECTION_IDS[index])

    def action_show_section(self, section: str) -> None:
        self.section = section
        self.query_one(ContentSwitcher).current = f"setup-{section}"
        self.query_one("#setup-sections", Static).update(self._bar())
        self._summarize()
        self.focus_main()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add":
            return self.can_manage and self.loaded and self.section != "reminders"
        if action in {"template", "time_off"}:
            if self.section != "providers":
                return False
            return None if self.selected() is None else True
        if action == "edit":
            return self.can_manage and self.loaded
        return True

    # -- data -----------------------------------------------------------------------------
    def reload(self) -> None:
        self.load_all()

    def action_reload(self) -> None:
        self.reload()

    @gateway_call
    async def load_all(self) -> None:
        self.providers = await self.gateway.list_providers(include_inactive=True)
        self.locations = await self.gateway.list_locations(include_inactive=True)
        self.resources = await self.gateway.list_resources(include_inactive=True)
        self.types = await self.gateway.list_appointment_types(include_inactive=True)
        self.policy = await self.gateway.get_reminder_policy()
        self.loaded = True
        self._fill_tables()

    def _location_name(self, location_id: int) -> str:
        return next((x.name for x in self.locations if x.location_id == location_id), f"#{location_id}")

    def _fill_tables(self, select: tuple[str, int] | None = None) -> None:
        widths = {sid: [w for _label, w in columns] for sid, _t, _w, columns in SECTIONS}
        resource_names = {r.resource_id: r.name for r in self.resources}
        rows: dict[str, list[tuple[int, list[str | Text]]]] = {
            "providers": [
                (
                    p.provider_id,
                    [f"{p.last_name}, {p.first_name}", p.credentials, p.npi, p.taxonomy_code, active_cell(p.active)],
                )
                for p in self.providers
            ],
            "locations": [
                (
                    x.location_id,
                    [
                        x.name,
                        ", ".join(part for part in (x.address.line1, x.address.city) if part),
                        x.place_of_service,
                        x.time_zone,
                        active_cell(x.active),
                    ],
                )
                for x in self.locations
            ],
            "resources": [
                (
                    r.resource_id,
                    [
                        r.name,
                        "room" if r.kind == su.RESOURCE_KIND_ROOM else "equipment",
                        self._location_name(r.location_id),
                        active_cell(r.active),
                    ],
                )
                for r in self.resources
            ],
            "types": [
                (
                    t.appointment_type_id,
                    [
                        t.name,
                        str(t.default_minutes),
                        Text(f" {t.color} ", style=color_style(t.color)),
                        ", ".join(resource_names.get(r, f"#{r}") for r in t.resource_ids) or "—",
                        ELIGIBILITY_WORDS.get(t.eligibility, "any"),
                        active_cell(t.active),
                    ],
                )
                for t in self.types
            ],
        }
        for sid, section_rows in rows.items():
            table = self.query_one(f"#setup-{sid}", SetupTable)
            keep = table.cursor_row
            table.clear()
            for key, cells in section_rows:
                table.add_row(
                    *[fit(c, widths[sid][i]) if isinstance(c, str) else c for i, c in enumerate(cells)], key=str(key)
                )
            if select is not None and select[0] == sid and str(select[1]) in {str(k) for k, _ in section_rows}:
                table.move_cursor(row=table.get_row_index(str(select[1])))
            elif section_rows:
                table.move_cursor(row=min(keep, len(section_rows) - 1))
        view = self.query_one(PolicyView)
        if self.policy is not None:
            lines = policy_summary(self.policy)
            if self.can_manage:
                lines.append("")
                lines.append("Enter changes the policy.")
            view.update("\n".join(lines))
        self._summarize()
        self.refresh_bindings()

    def _summarize(self) -> None:
        counts: dict[str, list[Any]] = {
            "providers": self.providers,
            "locations": self.locations,
            "resources": self.resources,
            "types": self.types,
        }
        text = ""
        if self.section in counts and self.loaded:
            items = counts[self.section]
            inactive = sum(not getattr(item, "active", True) for item in items)
            word = next(w for sid, _t, w, _c in SECTIONS if sid == self.section)
            text = f"{len(items)} {word}{'' if len(items) == 1 else 's'}"
            if word == "room or equipment":
                text = f"{len(items)} rooms and equipment"
            if inactive:
                text += f" ({inactive} inactive)"
        elif self.section == "reminders" and self.policy is not None:
            text = "Lead times and channels for the whole practice"
        self.query_one("#setup-summary", Static).update(text)

    def selected(self) -> Any:
        """The record under the cursor of the list on screen (None on the reminders view or an empty list)."""
        records: dict[str, list[Any]] = {
            "providers": self.providers,
            "locations": self.locations,
            "resources": self.resources,
            "types": self.types,
        }
        items = records.get(self.section)
        if not items:
            return None
        table = self.query_one(f"#setup-{self.section}", SetupTable)
        if table.row_count == 0 or not 0 <= table.cursor_row < len(items):
            return None
        return items[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    # -- actions --------------------------------------------------------------------------
    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    @on(PolicyView.EditRequested)
    def _edit_policy(self, event: PolicyView.EditRequested) -> None:
        event.stop()
        self.action_edit()

    def action_add(self) -> None:
        self._open(None)

    def action_edit(self) -> None:
        if not self.can_manage or not self.loaded:
            return
        if self.section == "reminders":
            if self.policy is not None:
                self.app.push_screen(ReminderPolicyScreen(self.gateway, self.policy), self._policy_saved)
            return
        record = self.selected()
        if record is not None:
            self._open(record)

    def _open(self, record: Any) -> None:
        if not self.can_manage:
            return
        active_locations = [
            x
            for x in self.locations
            if x.active or (record is not None and getattr(record, "location_id", 0) == x.location_id)
        ]
        screens: dict[str, Callable[[], Any]] = {
            "providers": lambda: ProviderFormScreen(self.gateway, record),
            "locations": lambda: LocationFormScreen(self.gateway, record),
            "resources": lambda: ResourceFormScreen(self.gateway, active_locations, record),
            "types": lambda: AppointmentTypeFormScreen(
                self.gateway,
                [
                    r
                    for r in self.resources
                    if r.active or (record is not None and r.resource_id in record.resource_ids)
                ],
                {x.location_id: x for x in self.locations},
                record,
            ),
        }
        if self.section not in screens:
            return
        if self.section == "resources" and not active_locations:
            self.app.notify("Add a location first: rooms and equipment belong to one.")
            return
        self.app.push_screen(screens[self.section](), self._saved(self.section, record is None))

    def _saved(self, section: str, added: bool) -> Callable[[Any], None]:
        id_field = {
            "providers": "provider_id",
            "locations": "location_id",
            "resources": "resource_id",
            "types": "appointment_type_id",
        }[section]

        def reload_and_say(record: Any) -> None:
            if record is not None:
                name = provider_name(record) if section == "providers" else record.name
                self.app.notify(f"{'Added' if added else 'Saved'} {name}.")
                self.reload_selecting(section, getattr(record, id_field))
            self.focus_main()

        return reload_and_say

    @gateway_call
    async def reload_selecting(self, section: str, record_id: int) -> None:
        self.providers = await self.gateway.list_providers(include_inactive=True)
        self.locations = await self.gateway.list_locations(include_inactive=True)
        self.resources = await self.gateway.list_resources(include_inactive=True)
        self.types = await self.gateway.list_appointment_types(include_inactive=True)
        self._fill_tables(select=(section, record_id))

    def _policy_saved(self, policy: reminders_pb2.ReminderPolicy | None) -> None:
        if policy is not None:
            self.policy = policy
            self.app.notify("Saved the reminder policy.")
            self._fill_tables()
        self.focus_main()

    def action_template(self) -> None:
        provider = self.selected() if self.section == "providers" else None
        if provider is None:
            return
        screen = TemplateScreen(
            self.gateway,
            provider,
            {x.location_id: x for x in self.locations},
            {t.appointment_type_id: t for t in self.types},
            self.can_manage,
        )
        self.app.push_screen(screen, lambda _saved: self.focus_main())

    def action_time_off(self) -> None:
        provider = self.selected() if self.section == "providers" else None
        if provider is None:
            return
        self.app.push_screen(ExceptionsScreen(self.gateway, provider, self.can_manage), lambda _none: self.focus_main())
