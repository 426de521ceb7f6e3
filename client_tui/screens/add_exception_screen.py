"""Add time off for a provider: a vacation, a holiday, a half day, a meeting. Saved at once."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from client_tui.gateway import Gateway
from client_tui.schedule_values import minute_of_day_from_text, provider_name
from client_tui.screens.setup_form_screen import SetupFormScreen
from client_tui.setup_values import EXCEPTION_KINDS
from client_tui.typed_values import DATE_HINT, UnreadableValue, date_from_text
from client_tui.workers import gateway_call
from shared.pms.scheduling.v1 import setup_pb2 as su


class AddExceptionScreen(SetupFormScreen[su.ScheduleException | None]):
    """Dismisses with the added exception, or None."""

    CSS_PATH = "add_exception_screen.tcss"
    VALUE_PREFIX = "exception."
    FORM_TITLE = "Add time off"
    SUBMIT_LABEL = "Add"

    def __init__(self, gateway: Gateway, provider: su.Provider) -> None:
        super().__init__(gateway)
        self.provider = provider

    def intro(self) -> str:
        return (
            f"For {provider_name(self.provider)}, or tick Whole practice for a day the practice is closed. Leave "
            "the times blank for whole days; a half day is e.g. 12:00 to 17:00 on one date."
        )

    def compose_fields(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield self.choice("exception.kind", "Kind", EXCEPTION_KINDS)
            yield self.text("exception.first_date", "First day", DATE_HINT, max_length=10)
            yield self.text("exception.last_date", "Last day (blank: same)", DATE_HINT, max_length=10)
        with Horizontal(classes="form-row"):
            yield self.text("exception.start_minute", "From (blank: all day)", "e.g. 12:00", max_length=8)
            yield self.text("exception.end_minute", "To", "e.g. 17:00", max_length=8)
            yield self.flag("exception.provider_id", "Who", "Whole practice")
        yield self.text("exception.note", "Note", "e.g. conference in Chicago", max_length=200)

    def fill(self) -> None:
        self.write({"exception.kind": su.EXCEPTION_KIND_VACATION})

    def submit(self) -> None:
        values = self.form_values()
        practice_wide = bool(values["exception.provider_id"])
        exception = su.ScheduleException(
            provider_id=0 if practice_wide else self.provider.provider_id,
            kind=int(values["exception.kind"] or 0),  # type: ignore[arg-type]
            note=str(values["exception.note"]),
        )
        try:
            first = date_from_text(str(values["exception.first_date"]))
        except UnreadableValue as error:
            self.mark("exception.first_date", str(error))
            return
        if first is None:
            self.mark("exception.first_date", f"is required ({DATE_HINT})")
            return
        try:
            last = date_from_text(str(values["exception.last_date"])) or first
        except UnreadableValue as error:
            self.mark("exception.last_date", str(error))
            return
        exception.first_date.CopyFrom(first)
        exception.last_date.CopyFrom(last)
        minutes: dict[str, int] = {}
        for key in ("exception.start_minute", "exception.end_minute"):
            try:
                minute = minute_of_day_from_text(str(values[key]))
            except UnreadableValue as error:
                self.mark(key, str(error))
                return
            if minute is not None:
                minutes[key] = minute
        if len(minutes) == 1:
            missing = next(k for k in ("exception.start_minute", "exception.end_minute") if k not in minutes)
            self.mark(missing, "give both times, or neither for whole days")
            return
        exception.start_minute = minutes.get("exception.start_minute", 0)
        exception.end_minute = minutes.get("exception.end_minute", 0)
        self.say("Saving…", info=True)
        self.save(exception)

    @gateway_call
    async def save(self, exception: su.ScheduleException) -> None:
        self.dismiss(await self.gateway.add_exception(exception))
