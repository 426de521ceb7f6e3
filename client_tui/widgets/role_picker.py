"""Roles as ticks, listed from the server (``list_roles``) with what each one is for."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from client_tui.gateway import Gateway
from client_tui.workers import gateway_call


class RolePicker(SelectionList[str]):
    DEFAULT_CSS = """
    RolePicker {
        height: auto;
        max-height: 9;
        border: tall $border-blurred;
    }
    RolePicker:focus {
        border: tall $border;
    }
    """

    def __init__(self, gateway: Gateway, selected: Iterable[str] = (), id: str | None = None) -> None:
        super().__init__(id=id)
        self.gateway = gateway
        self.initially_selected = set(selected)

    def on_mount(self) -> None:
        self.load_roles()

    @gateway_call
    async def load_roles(self) -> None:
        roles = await self.gateway.list_roles()
        self.clear_options()
        self.add_options(
            Selection(
                Text.assemble((role.name, "bold"), ("  " + role.description, "dim")),
                role.name,
                role.name in self.initially_selected,
            )
            for role in roles
        )
        # Start on the first role, so the first Space ticks something.
        if self.option_count:
            self.highlighted = 0
