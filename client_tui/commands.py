"""The command palette offers the same actions as the keys, named as in the footer.

First the bindings active where the palette was opened (what the footer shows, plus our
own bindings hidden from it: they all carry an id, which also lets a keymap move them).
Then what the screen offers elsewhere (``ShellScreen.commands_elsewhere``: the admin tools'
actions, run after opening their tab), so "enroll" finds Enroll from any mode.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


@dataclass(frozen=True)
class ElsewhereCommand:
    """A binding of a widget that is not focused now, and how to bring it forward first."""

    prefix: str
    node: DOMNode
    binding: Binding
    bring_forward: Callable[[], None]


@dataclass(frozen=True)
class PaletteEntry:
    name: str
    help: str
    run: Callable[[], Awaitable[object]]


class KeyCommands(Provider):
    def _entry(self, name: str, binding: Binding, run: Callable[[], Awaitable[object]]) -> PaletteEntry:
        key_name = self.app.get_key_display(binding)
        help_text = f"{key_name} · {binding.tooltip}" if binding.tooltip else key_name
        return PaletteEntry(name, help_text, run)

    def _entries(self) -> list[PaletteEntry]:
        entries: list[PaletteEntry] = []
        seen: set[tuple[int, str]] = set()
        for key, active in self.screen.active_bindings.items():
            binding, node = active.binding, active.node
            if (
                not (binding.show or binding.id)
                or not active.enabled
                or not binding.description
                or key == self.app.COMMAND_PALETTE_BINDING
                or (id(node), binding.action) in seen
            ):
                continue
            seen.add((id(node), binding.action))

            async def run(action: str = binding.action, node: DOMNode = node) -> None:
                await self.app.run_action(action, node)

            entries.append(self._entry(binding.description, binding, run))

        elsewhere: Iterable[ElsewhereCommand] = getattr(self.screen, "commands_elsewhere", list)()
        for command in elsewhere:
            if (id(command.node), command.binding.action) in seen:
                continue

            async def bring_forward_and_run(command: ElsewhereCommand = command) -> None:
                command.bring_forward()
                await self.app.run_action(command.binding.action, command.node)

            name = f"{command.prefix}{command.binding.description}"
            entries.append(self._entry(name, command.binding, bring_forward_and_run))
        return entries

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(entry.name, entry.run, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.name)
            if score > 0:
                yield Hit(score, matcher.highlight(entry.name), entry.run, help=entry.help)
