"""Every gateway call runs in a worker, and every failure goes to one place.

Decorate an ``async`` method of a widget or screen with ``@gateway_call``: it becomes an
exclusive worker (a second call of the same method cancels the first) that never takes the
app down; a ``GatewayError`` goes to ``PmsApp.show_error`` with the calling node, so the
node can show it next to its fields.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, cast

from textual import work
from textual.dom import DOMNode
from textual.worker import Worker

from client_tui.gateway import GatewayError

if TYPE_CHECKING:
    from client_tui.app import PmsApp

log = logging.getLogger(__name__)

NodeT = TypeVar("NodeT", bound=DOMNode)
P = ParamSpec("P")


def gateway_call(
    method: Callable[Concatenate[NodeT, P], Awaitable[None]],
) -> Callable[Concatenate[NodeT, P], Worker[None]]:
    @functools.wraps(method)
    async def run(node: NodeT, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            await method(node, *args, **kwargs)
        except GatewayError as error:
            cast("PmsApp", node.app).show_error(error, origin=node)
        except Exception:
            # A bug in the client: say so instead of losing the user's unsaved work to a crash.
            log.exception("unexpected error in %s", method.__qualname__)
            node.app.notify(
                "Something went wrong in this program; the details are in its log.",
                title="Client error",
                severity="error",
            )

    # One group per method: reloading the users table must not cancel saving a form.
    decorated: Any = work(run, exclusive=True, exit_on_error=False, group=method.__name__)
    return cast("Callable[Concatenate[NodeT, P], Worker[None]]", decorated)
