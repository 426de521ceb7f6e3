"""How gateway failures read on screen.

``PmsApp.show_error`` is the one place that decides where a failure is shown; this module
holds the wording it uses and the hook a screen or widget implements to show a failure
inline (next to its fields) instead of as a notification.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from client_tui.gateway import GatewayError, InvalidInput, ServerError


def describe(error: GatewayError) -> str:
    """The sentence the user reads for ``error``."""
    if isinstance(error, ServerError) and error.correlation_id:
        return f"{error} (reference {error.correlation_id})"
    if isinstance(error, InvalidInput) and error.violations:
        return "; ".join(
            f"{v.field.replace('_', ' ')}: {v.description}" if v.field else v.description for v in error.violations
        )
    return str(error) or type(error).__name__


@runtime_checkable
class ShowsErrorsInline(Protocol):
    """A widget or screen that can show a failure of its own call where the user is looking."""

    def show_inline_error(self, error: GatewayError) -> bool:
        """Show ``error`` inline and return True, or return False to leave it to a notification."""
        ...
