"""What the tools on Admin mode's tabs have in common."""

from __future__ import annotations

from textual.containers import Vertical

from client_tui.gateway import Gateway


class AdminTool(Vertical):
    """One tab of Admin mode. It fetches its data when first shown, not when the shell starts."""

    DEFAULT_CSS = """
    AdminTool {
        height: 1fr;
    }
    """

    def __init__(self, gateway: Gateway, id: str | None = None) -> None:
        super().__init__(id=id)
        self.gateway = gateway
        # True once a load succeeded; until then, showing the tool tries again.
        self.loaded = False

    def on_show(self) -> None:
        self.load_if_missing()

    def load_if_missing(self) -> None:
        if not self.loaded:
            self.reload()

    def reload(self) -> None:
        """Start fetching the data (a gateway worker that sets ``loaded``)."""
        raise NotImplementedError

    def focus_main(self) -> None:
        """Focus the widget the keys should start on."""
