"""Send queued claims: 837P files are written one after another (CreateBatch, at most 5,000 claims each) until the
server says none is left (NOTHING_QUEUED), with a progress bar over the claims queued when it started, then what was
written. The server's clearinghouse job delivers the files; the claims show as sent once it has."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, ProgressBar, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, RuleBroken
from client_tui.workers import gateway_call
from shared.pms.claims.v1 import claims_pb2 as cl

# More files than this for one press means something else is queueing as fast as we write: stop and say so.
MAX_FILES = 200


class SendBatchesScreen(ModalScreen[bool]):
    """Dismisses with True when at least one file was written."""

    CSS_PATH = "send_batches_screen.tcss"

    BINDINGS = [
        Binding("escape,enter", "close", "Close", tooltip="Back to the claims", id="send.close"),
    ]

    def __init__(self, gateway: Gateway) -> None:
        super().__init__()
        self.gateway = gateway
        self.batches: list[cl.Batch] = []
        self.running = True

    def compose(self) -> ComposeResult:
        with Vertical(id="send-card"):
            yield Static("Counting the queued claims…", id="send-status", markup=False)
            yield ProgressBar(id="send-progress", show_eta=False)
            yield Static("", id="send-files", markup=False)
            yield Static("", id="send-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#send-card").border_title = "Send queued claims"
        self.send()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            # Leaving mid-way would hide how far it got; the files already written stay written either way.
            return not self.running
        return True

    @gateway_call
    async def send(self) -> None:
        try:
            counted = await self.gateway.list_claims(status=cl.CLAIM_STATUS_QUEUED, limit=1)
            queued = sum(n.count for n in counted.counts if n.status == cl.CLAIM_STATUS_QUEUED)
            bar = self.query_one(ProgressBar)
            bar.update(total=max(queued, 1), progress=0)
            self._status(f"{queued:,} claim{'' if queued == 1 else 's'} queued · writing the 837P files…")
            while len(self.batches) < MAX_FILES:
                try:
                    batch = await self.gateway.create_batch()
                except RuleBroken as error:
                    if error.reason == "NOTHING_QUEUED":
                        break
                    raise
                self.batches.append(batch)
                written = sum(b.claim_count for b in self.batches)
                bar.update(total=max(queued, written), progress=written)
                self._files()
            bar.update(total=max(bar.total or 1, 1), progress=max(bar.total or 1, 1))
            self._finish()
        finally:
            self.running = False
            self.refresh_bindings()

    def _status(self, text: str) -> None:
        self.query_one("#send-status", Static).update(text)

    def _files(self) -> None:
        self.query_one("#send-files").display = True
        lines = [f"{b.file_name} · {b.claim_count:,} claim{'' if b.claim_count == 1 else 's'} · "
                 f"{formatting.dollars(b.total_charge_cents)}" for b in self.batches[-6:]]
        if len(self.batches) > 6:
            lines.insert(0, f"… and {len(self.batches) - 6} more files before these")
        self.query_one("#send-files", Static).update("\n".join(lines))

    def _finish(self) -> None:
        summary = self.query_one("#send-summary", Static)
        if not self.batches:
            self._status("Nothing to send.")
            self.query_one(ProgressBar).display = False
            summary.update("No queued claim is waiting for a file: scrub and queue claims first (Q). Claims in a "
                           "file already wait for the clearinghouse job.")
            return
        claims = sum(b.claim_count for b in self.batches)
        total = sum(b.total_charge_cents for b in self.batches)
        files = len(self.batches)
        self._status(f"Done: {files} file{'' if files == 1 else 's'} written.")
        summary.update(f"{claims:,} claim{'' if claims == 1 else 's'} · {formatting.dollars(total)} in "
                       f"{files} file{'' if files == 1 else 's'}. The server delivers them to the clearinghouse; "
                       "the claims show as Sent once it has (Ctrl+R reloads the list). Enter closes.")
        summary.add_class("-done")

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(bool(self.batches))

    def show_inline_error(self, error: GatewayError) -> bool:
        written = sum(b.claim_count for b in self.batches)
        self._status("Stopped.")
        summary = self.query_one("#send-summary", Static)
        summary.update(f"{describe(error)}\n{len(self.batches)} file(s) with {written:,} claims were written before "
                       "this; they stay written. Enter closes.")
        summary.add_class("-error")
        return True
