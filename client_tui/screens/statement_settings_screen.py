"""The practice's statement settings (S on the statements screen, ``statements.setup``: managers): the threshold a
guarantor must owe, the days between two statements, the days to pay, and one message per dunning level (1 to 8;
the number of messages is the number of levels, after the last one the account goes to collections).

The server checks every value and names the field it objects to; its words show under that field (a message by its
level). Saving needs the version the form was loaded with: someone else's change in between is said, not overwritten.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input

from client_tui.gateway import FieldViolation, Gateway, GatewayError, StaleRecord
from client_tui.screens.form_screen import FormScreen
from client_tui.typed_values import UnreadableValue, cents_from_dollars, dollars_text, whole_number
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call
from shared.pms.statements.v1 import statements_pb2 as st

# The server's limit (server/statements/rules.py MAX_LEVELS).
MAX_LEVELS = 8


class LevelField(FormField):
    """One dunning level's message: the server names it ``settings.level_messages[i]``."""

    def __init__(self, index: int, control: Input, hint: str = "") -> None:
        super().__init__(f"Notice {index + 1}", control, f"level_messages[{index}]", hint)
        self.index = index

    def matches(self, violation_field: str) -> bool:
        if violation_field.endswith(f"level_messages[{self.index}]"):
            return True
        # "give at least one message" names the list: it goes beside the first.
        return self.index == 0 and violation_field.endswith("level_messages")


class StatementSettingsScreen(FormScreen[st.StatementSettings | None]):
    """Dismisses with the saved settings, or None."""

    FORM_TITLE = "Statement settings"
    INTRO = ("Who gets a statement, how often, and what each notice says. After the last notice's statement, an "
             "unpaid account goes to collections instead. Blank notices at the end are dropped.")

    def __init__(self, gateway: Gateway) -> None:
        super().__init__()
        self.gateway = gateway
        self.settings: st.StatementSettings | None = None
        self.saving = False

    def compose_fields(self) -> ComposeResult:
        yield FormField("Threshold", Input(id="threshold", compact=True, placeholder="5.00"), "threshold_cents",
                        hint="A guarantor who owes at least this gets a statement.")
        yield FormField("Cycle (days)", Input(id="cycle-days", compact=True, restrict=r"\d*", max_length=3),
                        "cycle_days", hint="Days between two statements to one guarantor (7 to 120).")
        yield FormField("Due in (days)", Input(id="due-days", compact=True, restrict=r"\d*", max_length=2),
                        "due_days", hint="The due date printed: days after the statement date (0: on receipt).")
        for index in range(MAX_LEVELS):
            yield LevelField(index, Input(id=f"level-{index}", compact=True, max_length=500))

    def on_mount(self) -> None:
        super().on_mount()
        self.say("Loading…", info=True)
        self.load()

    @gateway_call
    async def load(self) -> None:
        settings = await self.gateway.get_statement_settings()
        self.settings = settings
        self.query_one("#threshold", Input).value = dollars_text(settings.threshold_cents) or "0.00"
        self.query_one("#cycle-days", Input).value = str(settings.cycle_days)
        self.query_one("#due-days", Input).value = str(settings.due_days)
        for index in range(MAX_LEVELS):
            messages = settings.level_messages
            self.query_one(f"#level-{index}", Input).value = messages[index] if index < len(messages) else ""
        self.say("")
        self.query_one("#threshold", Input).focus()

    def read(self) -> st.StatementSettings | None:
        """The settings typed, or None after marking what cannot be read."""
        assert self.settings is not None
        problems: list[FieldViolation] = []
        values: dict[str, int] = {}
        for key, control in (("threshold_cents", "#threshold"), ("cycle_days", "#cycle-days"),
                             ("due_days", "#due-days")):
            text = self.query_one(control, Input).value
            try:
                values[key] = cents_from_dollars(text) if key == "threshold_cents" else whole_number(text)
            except UnreadableValue as error:
                problems.append(FieldViolation(key, str(error)))
        if problems:
            show_violations(self, problems)
            return None
        messages = [self.query_one(f"#level-{index}", Input).value.strip() for index in range(MAX_LEVELS)]
        while messages and not messages[-1]:
            messages.pop()
        return st.StatementSettings(level_messages=messages, version=self.settings.version, **values)

    def submit(self) -> None:
        if self.saving or self.settings is None:
            return
        settings = self.read()
        if settings is not None:
            self.save(settings)

    @gateway_call
    async def save(self, settings: st.StatementSettings) -> None:
        self.saving = True
        try:
            saved = await self.gateway.update_statement_settings(settings)
        finally:
            self.saving = False
        self.dismiss(saved)

    def show_inline_error(self, error: GatewayError) -> bool:
        if isinstance(error, StaleRecord):
            self.say("Someone else changed the settings meanwhile: Escape, then S again shows theirs.")
            return True
        return super().show_inline_error(error)
