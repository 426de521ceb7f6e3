"""What a mode will hold, said plainly, until the mode exists (no made-up data)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from shared.pms.auth.v1 import auth_pb2


class PlannedModePanel(VerticalScroll):
    DEFAULT_CSS = """
    PlannedModePanel {
        height: 1fr;
        padding: 1 2;
    }
    PlannedModePanel > .planned--title {
        text-style: bold;
        color: $text-primary;
        margin-bottom: 1;
    }
    PlannedModePanel > .planned--who {
        margin-bottom: 1;
    }
    PlannedModePanel > .planned--plans {
        padding: 0 0 0 2;
        margin-bottom: 1;
    }
    PlannedModePanel > .planned--status {
        color: $text-warning;
        margin-bottom: 1;
    }
    PlannedModePanel > .planned--keys {
        color: $text-muted;
    }
    """

    can_focus = False

    def __init__(self, title: str, plans: list[str], session: auth_pb2.Session, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mode_title = title
        self.plans = plans
        self.session = session

    def compose(self) -> ComposeResult:
        yield Static(self.mode_title, classes="planned--title", markup=False)
        yield Static(self._who(), classes="planned--who")
        yield Static("This mode will hold:", markup=False)
        yield Static("\n".join(f"• {plan}" for plan in self.plans), classes="planned--plans", markup=False)
        yield Static(
            "None of this is in this version yet; it comes with the next releases. "
            "Nothing on this screen is patient data.",
            classes="planned--status",
            markup=False,
        )
        yield Static(
            "Keys: F2 Front desk · F3 Billing · F4 Admin · F12 Schedule (when your roles allow) · "
            "Ctrl+P every command · Ctrl+L log out",
            classes="planned--keys",
            markup=False,
        )

    def _who(self) -> Content:
        session = self.session
        return Content.from_markup(
            "Logged in as [b]$name[/b] ($roles) at $practice, workstation $workstation.",
            name=session.display_name or session.username,
            roles=", ".join(session.roles) or "no roles",
            practice=session.practice_name,
            workstation=session.workstation_name,
        )
