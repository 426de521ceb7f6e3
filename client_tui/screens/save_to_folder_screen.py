"""Save a file the server sends (a statement, a run's print file or vendor CSV, the collection agency's file) into a
folder on this workstation, with a progress bar while it streams in.

The folder starts as ``~/pms-exports`` (or ``$PMS_EXPORTS``; then the last folder used here) and is made when missing;
the file takes the server's name, numbered when one by that name is there already: nothing is ever overwritten.
Ctrl+S (or Enter in the folder) saves; Escape closes without asking the server anything.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input, ProgressBar

from client_tui.gateway import FieldViolation, GatewayError, LocalFileError, Progress
from client_tui.screens.form_screen import FormScreen
from client_tui.widgets.form_field import FormField, show_violations
from client_tui.workers import gateway_call

# Given the folder and a progress callback, asks the server and writes the file; returns the sentence to show.
Saver = Callable[[Path, Progress], Awaitable[str]]

# The folder used last in this run of the program (the next save offers it again).
_last_folder: list[Path] = []


def default_folder() -> Path:
    if _last_folder:
        return _last_folder[-1]
    configured = os.environ.get("PMS_EXPORTS", "").strip()
    return Path(configured).expanduser() if configured else Path.home() / "pms-exports"


class SaveToFolderScreen(FormScreen[str | None]):
    """Dismisses with what the saver said (the file written), or None."""

    CSS_PATH = "save_to_folder_screen.tcss"
    SUBMIT_LABEL = "Save"
    KEY_FIELDS = ("save-folder",)

    def __init__(self, title: str, intro: str, save: Saver) -> None:
        super().__init__()
        self.FORM_TITLE = title
        self.intro_text = intro
        self.save = save
        self.saving = False
        # (bytes so far, total; 0 while unknown) as the file came in.
        self.progress_seen: list[tuple[int, int]] = []

    def intro(self) -> str:
        return self.intro_text

    def compose_fields(self) -> ComposeResult:
        yield FormField("Folder", Input(str(default_folder()), id="save-folder", compact=True), "folder",
                        hint="Made if missing; a file there already is never replaced.")
        yield ProgressBar(id="save-progress", show_eta=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#save-folder", Input).focus()

    def submit(self) -> None:
        if self.saving:
            return
        typed = self.query_one("#save-folder", Input).value.strip()
        if not typed:
            show_violations(self, [FieldViolation("folder", "type the folder to save the file in")])
            return
        self.run_save(Path(typed).expanduser().resolve())

    @gateway_call
    async def run_save(self, folder: Path) -> None:
        bar = self.query_one("#save-progress", ProgressBar)
        self.saving = True
        self.add_class("-busy")
        bar.update(total=None, progress=0)
        self.say("Saving…", info=True)

        def progress(done: int, total: int) -> None:
            self.progress_seen.append((done, total))
            # The size is known only at the end: the bar pulses until then, and is full when the file is written.
            bar.update(total=total or None, progress=done)

        try:
            said = await self.save(folder, progress)
        finally:
            self.saving = False
        _last_folder[:] = [folder]
        self.dismiss(said)

    def show_inline_error(self, error: GatewayError) -> bool:
        self.remove_class("-busy")
        if isinstance(error, LocalFileError):
            show_violations(self, [FieldViolation("folder", str(error))])
            self.say("")
            return True
        return super().show_inline_error(error)
