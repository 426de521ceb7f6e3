"""Admin > Billing setup (managers): the practice's billing identity and the scrubber's setup.

The identity is shown at the top; E edits it in a dialog (each of the server's objections beside its field). Below,
three lists (←/→ or 1-3 switch): the scrubber's rules (Space turns the highlighted one on or off), the practice's
code-pair edits (A adds "99213 96372 m", M allows a distinct-service modifier, D takes one out, I reads a CSV of
column1,column2,modifier_allowed) and the codes each payer wants a prior authorization for (A adds "99214 medicare",
D takes one out, I reads a CSV of payer,code with the payer's id or name). Ctrl+S sends the rules' changes and both
lists as a whole; the server's objections are shown on their rows.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, DataTable, Input, Static

from client_tui import formatting
from client_tui.claims_values import SEVERITY_WORDS
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, InvalidInput
from client_tui.screens.billing_setup_form_screen import BillingSetupFormScreen, ein_text, zip_text
from client_tui.widgets.admin_tool import AdminTool
from client_tui.workers import gateway_call
from shared.pms.claims.v1 import claims_pb2 as cl
from shared.pms.payers.v1 import payers_pb2

SECTIONS = (("rules", "Scrubber rules"), ("pairs", "Code pairs"), ("auth", "Prior authorizations"))
SECTION_IDS = [sid for sid, _title in SECTIONS]
YES = frozenset({"m", "y", "yes", "true", "1", "x"})
COLUMN_WORDS = {"column1_code": "column 1 code", "column2_code": "column 2 code", "payer_id": "payer", "code": "code"}
_PROBLEM = re.compile(r"^(code_pairs|auth_requirements)\[(\d+)\](?:\.(\w+))?$")
ENTRY_HINTS = {
    ("pairs", "add"): "column 1 code, column 2 code, m if a 59/X modifier allows both (e.g. 99213 96372 m)",
    ("auth", "add"): "code, then the payer's name or id (e.g. 99214 medicare)",
    ("pairs", "import"): "path of a CSV file: column1,column2,modifier_allowed",
    ("auth", "import"): "path of a CSV file: payer (id or name),code",
}


class ListTable(DataTable[str | Text], inherit_bindings=False):
    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]


def yes_cell(flag: bool) -> Text:
    return Text("on", style="bold green") if flag else Text("off", style="bold red")


class BillingSetupPanel(AdminTool):
    DEFAULT_CSS = """
    BillingSetupPanel > #bs-identity {
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
    }
    BillingSetupPanel > #bs-sections {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    BillingSetupPanel > ContentSwitcher {
        height: 1fr;
    }
    BillingSetupPanel ListTable {
        height: 1fr;
    }
    BillingSetupPanel > #bs-entry {
        display: none;
        margin: 0 1;
    }
    BillingSetupPanel > #bs-entry.-shown {
        display: block;
    }
    BillingSetupPanel > #bs-message {
        height: auto;
        max-height: 4;
        padding: 0 1;
        color: $text-muted;
    }
    BillingSetupPanel > #bs-message.-error {
        color: $text-error;
        text-style: bold;
    }
    BillingSetupPanel > #bs-message.-saved {
        color: $text-success;
    }
    """

    BINDINGS = [
        Binding("e", "edit_identity", "Edit identity", tooltip="Change the practice's billing identity",
                id="billing_setup.edit"),
        Binding("left", "section(-1)", "Other list", key_display="←→",
                tooltip="Scrubber rules, code pairs or prior authorizations (1-3 too)", id="billing_setup.section"),
        Binding("right", "section(1)", "Next list", show=False),
        Binding("1", "show_section('rules')", "Scrubber rules", show=False),
        Binding("2", "show_section('pairs')", "Code pairs", show=False),
        Binding("3", "show_section('auth')", "Prior authorizations", show=False),
        Binding("space", "flip('rules')", "On/off", key_display="Space",
                tooltip="Turn the highlighted rule on or off", id="billing_setup.toggle"),
        Binding("m", "flip('pairs')", "Modifier", tooltip="Allow or forbid a distinct-service modifier for the pair",
                id="billing_setup.modifier"),
        Binding("a", "entry('add')", "Add", tooltip="Type a row to add", id="billing_setup.add"),
        Binding("d", "remove", "Remove", tooltip="Take out the highlighted row", id="billing_setup.remove"),
        Binding("i", "entry('import')", "Import CSV", tooltip="Replace the list with a CSV file's rows",
                id="billing_setup.import"),
        Binding("ctrl+s", "save", "Save", tooltip="Send the rules' changes and both lists", id="billing_setup.save"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the setup again (drops unsaved changes)",
                id="billing_setup.reload"),
    ]

    def __init__(self, gateway: Gateway, can_manage: bool, id: str | None = None) -> None:
        super().__init__(gateway, id=id)
        self.can_manage = can_manage
        self.section = "rules"
        self.setup: cl.BillingSetup | None = None
        self.rules: list[cl.ScrubRule] = []
        self.rule_changes: dict[str, bool] = {}
        self.pairs: list[cl.CodePairEdit] = []
        self.auth: list[cl.AuthRequirement] = []
        self.payers: list[payers_pb2.Payer] = []
        self.lists_changed = False
        self.problems: dict[tuple[str, int], str] = {}
        self.entry_mode = ""

    def compose(self) -> ComposeResult:
        yield Static("Loading the billing setup…", id="bs-identity", markup=False)
        yield Static(self._bar(), id="bs-sections")
        with ContentSwitcher(initial="bs-rules"):
            for sid, columns in (
                ("rules", (("On", 4), ("Rule", 22), ("Severity", 8), ("What it checks", 56))),
                ("pairs", (("Column 1", 8), ("Column 2", 8), ("Modifier", 9), ("Problem", 50))),
                ("auth", (("Payer", 30), ("Code", 7), ("Problem", 50))),
            ):
                with Vertical(id=f"bs-{sid}-box"):
                    table = ListTable(id=f"bs-{sid}", cursor_type="row", zebra_stripes=True)
                    for label, width in columns:
                        table.add_column(label, width=width)
                    yield table
        yield Input(id="bs-entry", compact=True)
        yield Static("", id="bs-message", markup=False)

    def on_mount(self) -> None:
        # The switcher holds the boxes; the ids above are the tables'.
        self.query_one(ContentSwitcher).current = "bs-rules-box"

    def _bar(self) -> Text:
        bar = Text()
        for number, (sid, title) in enumerate(SECTIONS, 1):
            bar.append(f" {number} {title} ", style="bold reverse" if sid == self.section else "")
        if self.lists_changed or self.rule_changes:
            bar.append("   changed: Ctrl+S saves", style="bold yellow")
        elif not self.can_manage:
            bar.append("   read only: a manager changes the setup", style="italic")
        return bar

    def focus_main(self) -> None:
        self.query_one(f"#bs-{self.section}", ListTable).focus()

    # -- data -----------------------------------------------------------------------------
    def reload(self) -> None:
        self.load_all()

    def action_reload(self) -> None:
        self.reload()

    @gateway_call
    async def load_all(self) -> None:
        setup = await self.gateway.get_billing_setup()
        scrub = await self.gateway.get_scrub_setup()
        self.payers = await self.gateway.search_payers("", include_inactive=True, limit=500)
        self.loaded = True
        self._show_identity(setup)
        self._take(scrub)
        self.say("")

    def _show_identity(self, setup: cl.BillingSetup) -> None:
        self.setup = setup
        text = Text()
        if not setup.configured:
            text.append("Billing identity: not entered yet", style="bold red")
            text.append(" — claims cannot be sent until it is. E enters it.")
        else:
            text.append(f"{setup.organization_name}", style="bold")
            text.append(f"  NPI {setup.npi} · EIN {ein_text(setup.tax_id)} · taxonomy {setup.taxonomy}\n")
            address = ", ".join(x for x in (setup.address_line1, setup.address_line2, setup.city) if x)
            phone = formatting.phone(f"+1{setup.phone}") if setup.phone else "no phone"
            text.append(f"{address}, {setup.state} {zip_text(setup.zip)} · {phone} · {setup.contact_name}\n")
            text.append(f"Clearinghouse {setup.receiver_name} ({setup.receiver_id}) · submitter {setup.submitter_id}"
                        " · ")
            text.append("production files" if setup.production else "test files",
                        style="bold green" if setup.production else "bold yellow")
            text.append(f" · v{setup.version}", style="dim")
        self.query_one("#bs-identity", Static).update(text)
        self.refresh_bindings()

    def _take(self, scrub: cl.GetScrubSetupResponse) -> None:
        self.rules = list(scrub.rules)
        self.pairs = list(scrub.code_pairs)
        self.auth = list(scrub.auth_requirements)
        self.rule_changes = {}
        self.lists_changed = False
        self.problems = {}
        self._fill()

    def _fill(self) -> None:
        rules = self.query_one("#bs-rules", ListTable)
        row = rules.cursor_row
        rules.clear()
        for rule in self.rules:
            enabled = self.rule_changes.get(rule.code, rule.enabled)
            mark = Text(" *", style="bold yellow") if rule.code in self.rule_changes else Text("")
            rules.add_row(yes_cell(enabled) + mark, rule.code, SEVERITY_WORDS.get(rule.severity, ""),
                          rule.description)
        if self.rules:
            rules.move_cursor(row=min(row, len(self.rules) - 1))
        pairs = self.query_one("#bs-pairs", ListTable)
        row = pairs.cursor_row
        pairs.clear()
        for number, pair in enumerate(self.pairs):
            pairs.add_row(pair.column1_code, pair.column2_code,
                          Text("allowed", style="green") if pair.modifier_allowed else Text("never", style="red"),
                          Text(self.problems.get(("pairs", number), ""), style="bold red"))
        if self.pairs:
            pairs.move_cursor(row=min(row, len(self.pairs) - 1))
        auth = self.query_one("#bs-auth", ListTable)
        row = auth.cursor_row
        auth.clear()
        for number, need in enumerate(self.auth):
            auth.add_row(need.payer_name or self._payer_name(need.payer_id), need.code,
                         Text(self.problems.get(("auth", number), ""), style="bold red"))
        if self.auth:
            auth.move_cursor(row=min(row, len(self.auth) - 1))
        self.query_one("#bs-sections", Static).update(self._bar())
        self.refresh_bindings()

    def _payer_name(self, payer_id: int) -> str:
        return next((p.name for p in self.payers if p.payer_id == payer_id), f"payer {payer_id}")

    # -- which list -----------------------------------------------------------------------
    def action_section(self, step: int) -> None:
        index = (SECTION_IDS.index(self.section) + step) % len(SECTION_IDS)
        self.action_show_section(SECTION_IDS[index])

    def action_show_section(self, section: str) -> None:
        self.section = section
        self._hide_entry()
        self.query_one(ContentSwitcher).current = f"bs-{section}-box"
        self.query_one("#bs-sections", Static).update(self._bar())
        self.focus_main()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("section", "show_section"):
            return not self.entry_mode
        if action == "edit_identity":
            return self.can_manage and self.setup is not None
        if not self.can_manage and action in ("flip", "entry", "remove", "save"):
            return False
        if action == "flip":
            wanted = parameters[0]
            return self.section == wanted and bool(self.rules if wanted == "rules" else self.pairs)
        if action in ("entry", "remove"):
            if self.section == "rules":
                return False
            if action == "remove":
                return bool(self.pairs if self.section == "pairs" else self.auth)
        if action == "save":
            return self.loaded and (self.lists_changed or bool(self.rule_changes))
        return True

    # -- editing the lists --------------------------------------------------------------------
    def _cursor(self) -> int:
        return self.query_one(f"#bs-{self.section}", ListTable).cursor_row

    def action_flip(self, which: str) -> None:
        row = self._cursor()
        if self.section == "rules" and 0 <= row < len(self.rules):
            rule = self.rules[row]
            now = not self.rule_changes.get(rule.code, rule.enabled)
            if now == rule.enabled:
                self.rule_changes.pop(rule.code, None)
            else:
                self.rule_changes[rule.code] = now
            self.say(f"{rule.code} {'on' if now else 'off'} once saved (Ctrl+S).")
        elif self.section == "pairs" and 0 <= row < len(self.pairs):
            pair = self.pairs[row]
            pair.modifier_allowed = not pair.modifier_allowed
            self.lists_changed = True
        self._fill()

    def action_remove(self) -> None:
        row = self._cursor()
        rows: list[cl.CodePairEdit] | list[cl.AuthRequirement] = self.pairs if self.section == "pairs" else self.auth
        if 0 <= row < len(rows):
            del rows[row]
            self.problems = {}
            self.lists_changed = True
            self._fill()
            self.say("Taken out once saved (Ctrl+S).")

    def action_entry(self, mode: str) -> None:
        if self.section == "rules":
            return
        self.entry_mode = mode
        entry = self.query_one("#bs-entry", Input)
        entry.value = ""
        entry.placeholder = ENTRY_HINTS[(self.section, mode)]
        entry.add_class("-shown")
        entry.focus()
        self.say(f"{'Add' if mode == 'add' else 'Import'}: Enter takes it, Escape leaves the list as it is.")
        self.refresh_bindings()

    def _hide_entry(self) -> None:
        self.entry_mode = ""
        self.query_one("#bs-entry", Input).remove_class("-shown")
        self.refresh_bindings()

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and self.entry_mode:
            event.stop()
            self._hide_entry()
            self.focus_main()
            self.say("")

    @on(Input.Submitted, "#bs-entry")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self._hide_entry()
            self.focus_main()
            return
        try:
            if self.entry_mode == "import":
                added = self._import(Path(text).expanduser())
                self.say(f"Read {added} row{'' if added == 1 else 's'} from {text}: they replace the list once saved "
                         "(Ctrl+S).")
            elif self.section == "pairs":
                self.pairs.append(self._pair(text.split()))
                self.say("Added once saved (Ctrl+S). A adds another.")
            else:
                self.auth.append(self._auth(text.split(maxsplit=1)))
                self.say("Added once saved (Ctrl+S). A adds another.")
        except ValueError as error:
            self.say(str(error), error=True)
            return
        self.lists_changed = True
        self.problems = {}
        self._hide_entry()
        self._fill()
        table = self.query_one(f"#bs-{self.section}", ListTable)
        if self.entry_mode != "import" and table.row_count:
            table.move_cursor(row=table.row_count - 1)
        self.focus_main()

    @staticmethod
    def _pair(parts: list[str]) -> cl.CodePairEdit:
        parts = [p for part in parts for p in part.split(",") if p]
        if len(parts) not in (2, 3):
            raise ValueError("Type the two codes and, if a 59/X modifier allows both, m (e.g. 99213 96372 m).")
        allowed = len(parts) == 3 and parts[2].strip().lower() in YES
        return cl.CodePairEdit(column1_code=parts[0].strip().upper(), column2_code=parts[1].strip().upper(),
                               modifier_allowed=allowed)

    def _auth(self, parts: list[str]) -> cl.AuthRequirement:
        if len(parts) != 2:
            raise ValueError("Type the code, then the payer's name or id (e.g. 99214 medicare).")
        code, payer_text = parts[0].strip().upper(), parts[1].strip()
        payer = self._find_payer(payer_text)
        return cl.AuthRequirement(payer_id=payer.payer_id, payer_name=payer.name, code=code)

    def _find_payer(self, text: str) -> payers_pb2.Payer:
        if text.isdigit():
            found = [p for p in self.payers if p.payer_id == int(text)]
        else:
            words = text.lower().split()
            found = [p for p in self.payers if all(w in p.name.lower() for w in words)]
            exact = [p for p in found if p.name.lower() == text.lower()]
            found = exact or found
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(f"No payer is called \"{text}\".")
        names = ", ".join(p.name for p in found[:4])
        raise ValueError(f"\"{text}\" could be {names}: type more of the name, or the payer's id.")

    def _import(self, path: Path) -> int:
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                rows = [r for r in csv.reader(handle) if any(cell.strip() for cell in r)]
        except OSError as error:
            raise ValueError(f"Cannot read {path}: {error.strerror or error}.") from None
        code_column = 0 if self.section == "pairs" else 1
        if rows and (len(rows[0]) <= code_column or not re.fullmatch(r"[A-Za-z0-9]{5}", rows[0][code_column].strip())):
            rows = rows[1:]  # a header line
        pairs: list[cl.CodePairEdit] = []
        needs: list[cl.AuthRequirement] = []
        for number, row in enumerate(rows, 2 if rows else 1):
            try:
                if self.section == "pairs":
                    pairs.append(self._pair(row))
                else:
                    if len(row) != 2:
                        raise ValueError("two columns: payer, code")
                    needs.append(self._auth([row[1], row[0]]))
            except ValueError as error:
                raise ValueError(f"{path.name}, line {number}: {error}") from None
        if self.section == "pairs":
            self.pairs = pairs
            return len(pairs)
        self.auth = needs
        return len(needs)

    # -- saving ------------------------------------------------------------------------------
    def action_save(self) -> None:
        if not (self.lists_changed or self.rule_changes) or not self.can_manage:
            return
        request = cl.UpdateScrubSetupRequest(
            disabled_rules=[code for code, on_now in self.rule_changes.items() if not on_now],
            enabled_rules=[code for code, on_now in self.rule_changes.items() if on_now],
            code_pairs=self.pairs,
            auth_requirements=[cl.AuthRequirement(payer_id=a.payer_id, code=a.code) for a in self.auth])
        self.say("Saving…")
        self.save(request)

    @gateway_call
    async def save(self, request: cl.UpdateScrubSetupRequest) -> None:
        self._take(await self.gateway.update_scrub_setup(request))
        self.say("Saved: the next scrub uses it.", saved=True)

    def action_edit_identity(self) -> None:
        if self.setup is None or not self.can_manage:
            return

        def saved(setup: cl.BillingSetup | None) -> None:
            if setup is not None:
                self._show_identity(setup)
                self.say(f"Saved the billing identity (version {setup.version}).", saved=True)
            self.focus_main()

        self.app.push_screen(BillingSetupFormScreen(self.gateway, self.setup), saved)

    # -- messages ------------------------------------------------------------------------------
    def say(self, text: str, error: bool = False, saved: bool = False) -> None:
        message = self.query_one("#bs-message", Static)
        message.update(text)
        message.set_class(error, "-error")
        message.set_class(saved, "-saved")

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, InvalidInput):
            self.problems = {}
            other = []
            for violation in error.violations:
                match = _PROBLEM.match(violation.field)
                if match is None:
                    other.append(f"{violation.field.replace('_', ' ')}: {violation.description}")
                    continue
                section = "pairs" if match[1] == "code_pairs" else "auth"
                what = f"{COLUMN_WORDS.get(match[3], match[3].replace('_', ' '))} " if match[3] else ""
                self.problems[(section, int(match[2]))] = f"{what}{violation.description}".strip()
            self._fill()
            rows = len(self.problems)
            text = f"Not saved: {rows} row{'' if rows == 1 else 's'} marked with the problem" if rows else "Not saved"
            self.say("; ".join([text, *other]) + ".", error=True)
            if self.problems:
                first_section, first_row = min(self.problems)
                if first_section != self.section:
                    self.action_show_section(first_section)
                self.query_one(f"#bs-{first_section}", ListTable).move_cursor(row=first_row)
        else:
            self.say(describe(error), error=True)
        return True
