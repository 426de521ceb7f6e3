"""Patient statements (T in the claims worklist, ``statements.run``): what a run today would do, the run, the runs
made and each run's statements.

The top says what PreviewStatementRun answers (statements to make, the amount due, by mail and by email, the accounts
that go to collections instead, the guarantors left out below the threshold or within the cycle). R runs, after a
yes: one key per run, so a run sent again after the server could not be reached is made once. The runs are listed
newest first; the highlighted run's statements under them. For a run: P saves the combined print file (PDF) and V the
print vendor's CSV into a folder (with a progress bar); M emails the statements of guarantors who chose email. For
the highlighted statement: D reprints it (the PDF exactly as sent) into a folder, X voids it with a reason. S opens
the statement settings (``statements.setup``: managers). Ctrl+R fetches again; Escape goes back.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from client_tui import formatting
from client_tui.errors import describe
from client_tui.gateway import Gateway, GatewayError, Progress
from client_tui.screens.confirm_screen import ConfirmScreen
from client_tui.screens.reason_screen import ReasonScreen
from client_tui.screens.save_to_folder_screen import SaveToFolderScreen
from client_tui.screens.statement_settings_screen import StatementSettingsScreen
from client_tui.statement_values import (
    FORMAT_WORDS,
    RUN_COLUMNS,
    STATEMENT_COLUMNS,
    emails_sentence,
    plural,
    preview_lines,
    run_row,
    run_sentence,
    statement_detail,
    statement_row,
)
from client_tui.widgets.money_table import fit_columns
from client_tui.widgets.status_line import StatusLine
from client_tui.workers import gateway_call
from shared.pms.auth.v1 import auth_pb2
from shared.pms.statements.v1 import statements_pb2 as st


class StatementsScreen(Screen[None]):
    CSS_PATH = "statements_screen.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the claims", id="statements.back"),
        Binding("r", "run", "Run", tooltip="Make today's statements (after a yes)", id="statements.run"),
        Binding("p", "export('pdf')", "Print file", tooltip="Save the run's statements to mail as one PDF",
                id="statements.print"),
        Binding("v", "export('csv')", "Vendor CSV", tooltip="Save the run's statements as the print vendor's CSV",
                id="statements.vendor_csv"),
        Binding("m", "email", "Email", tooltip="Email the run's statements to guarantors who chose email",
                id="statements.email"),
        Binding("d", "reprint", "Reprint", tooltip="Save the highlighted statement's PDF exactly as it was sent",
                id="statements.reprint"),
        Binding("x", "void", "Void", tooltip="Take the highlighted statement back, with a reason",
                id="statements.void"),
        Binding("s", "settings", "Settings", tooltip="Threshold, cycle and dunning messages",
                id="statements.settings"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Fetch the preview and the runs again", id="statements.reload"),
    ]

    def __init__(self, gateway: Gateway, session: auth_pb2.Session) -> None:
        super().__init__()
        self.gateway = gateway
        self.session = session
        self.permissions = set(session.permissions)
        self.preview: st.PreviewStatementRunResponse | None = None
        self.settings: st.StatementSettings | None = None
        self.runs: list[st.StatementRun] = []
        self.statements: list[st.Statement] = []
        self.statements_of = 0  # the run whose statements are listed
        self.loaded = False
        self.running = False
        # One key per run asked for: kept until the server answers, so a retry makes the run once.
        self.run_key = ""
        self.email_keys: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield StatusLine(self.gateway, self.session)
        yield Static("Asking what a run today would do…", id="statements-preview", markup=False)
        yield Static("", id="statements-settings", markup=False)
        yield Static("Runs", classes="statements-title", markup=False)
        yield DataTable[str | Text](id="statements-runs", cursor_type="row", zebra_stripes=True)
        yield Static("Statements", id="statements-of", classes="statements-title", markup=False)
        yield DataTable[str | Text](id="statements-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="statements-detail", markup=False)
        yield Static("", id="statements-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        runs = self.query_one("#statements-runs", DataTable)
        for label, width in RUN_COLUMNS:
            runs.add_column(label, width=width, key=label)
        self._statement_columns()
        runs.focus()
        self.load()

    def _statement_columns(self) -> None:
        fit_columns(self.query_one("#statements-table", DataTable), "Guarantor", STATEMENT_COLUMNS, self.size.width)

    # -- what is allowed now -------------------------------------------------------------------------
    def selected_run(self) -> st.StatementRun | None:
        row = self.query_one("#statements-runs", DataTable).cursor_row
        return self.runs[row] if self.runs and 0 <= row < len(self.runs) else None

    def selected_statement(self) -> st.Statement | None:
        row = self.query_one("#statements-table", DataTable).cursor_row
        return self.statements[row] if self.statements and 0 <= row < len(self.statements) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "settings":
            return "statements.setup" in self.permissions
        if action == "run":
            preview = self.preview
            return True if preview is not None and (preview.statement_count or preview.collections_count) else None
        if action == "export":
            return True if self.selected_run() is not None else None
        if action == "email":
            run = self.selected_run()
            return True if run is not None and run.email_count else None
        if action == "reprint":
            return True if self.selected_statement() is not None else None
        if action == "void":
            statement = self.selected_statement()
            return True if statement is not None and statement.status != st.STATEMENT_STATUS_VOIDED else None
        return True

    # -- loading ---------------------------------------------------------------------------------------
    @gateway_call
    async def load(self, then_say: str = "", run_id: int = 0) -> None:
        """The preview, the settings and the runs; then the statements of ``run_id`` (or of the highlighted run)."""
        self.preview = await self.gateway.preview_statement_run()
        self.query_one("#statements-preview", Static).update("\n".join(preview_lines(self.preview)))
        self.settings = await self.gateway.get_statement_settings()
        self.query_one("#statements-settings", Static).update(self._settings_line(self.settings))
        self.runs = await self.gateway.list_statement_runs()
        table = self.query_one("#statements-runs", DataTable)
        current = self.selected_run()
        keep = run_id or (current.run_id if current else 0)
        table.clear()
        for run in self.runs:
            table.add_row(*run_row(run), key=str(run.run_id))
        row = next((n for n, r in enumerate(self.runs) if r.run_id == keep), 0)
        if self.runs:
            table.move_cursor(row=row)
        self.loaded = True
        if then_say:
            self.say(then_say)
        elif not self.runs:
            self.say("No statements were run yet: R makes today's.")
        else:
            self.say(f"{plural(len(self.runs), 'run')}. Enter lists the run's statements · Tab moves between lists.")
        self.refresh_bindings()
        shown = self.selected_run()
        if shown is not None:
            self.load_statements(shown.run_id)
        else:
            self._show_statements(0, [])

    @staticmethod
    def _settings_line(settings: st.StatementSettings) -> str:
        levels = len(settings.level_messages)
        return (f"Threshold {formatting.dollars(settings.threshold_cents)} · a statement every "
                f"{settings.cycle_days} days · due in {settings.due_days} days · {plural(levels, 'notice')} "
                f"before collections")

    @gateway_call
    async def load_statements(self, run_id: int) -> None:
        statements = await self.gateway.list_statements(run_id=run_id)
        self._show_statements(run_id, statements)

    def _show_statements(self, run_id: int, statements: list[st.Statement]) -> None:
        table = self.query_one("#statements-table", DataTable)
        row = table.cursor_row if run_id == self.statements_of else 0
        self.statements_of, self.statements = run_id, statements
        self._statement_columns()
        for statement in statements:
            table.add_row(*statement_row(statement), key=str(statement.statement_id))
        if statements:
            table.move_cursor(row=max(0, min(row, len(statements) - 1)))
        title = f"Statements of run {run_id}" if run_id else "Statements"
        if run_id:
            due = sum(s.amount_due_cents for s in statements if s.status != st.STATEMENT_STATUS_VOIDED)
            title += f" · {plural(len(statements), 'statement')} · {formatting.dollars(due)} due"
        self.query_one("#statements-of", Static).update(title)
        self._show_detail()

    def _show_detail(self) -> None:
        statement = self.selected_statement()
        self.query_one("#statements-detail", Static).update(statement_detail(statement) if statement else "")
        self.refresh_bindings()

    def on_resize(self) -> None:
        if self.loaded:
            self._show_statements(self.statements_of, self.statements)

    @on(DataTable.RowHighlighted, "#statements-runs")
    def _run_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        run = self.selected_run()
        if run is not None and run.run_id != self.statements_of:
            self.load_statements(run.run_id)
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#statements-runs")
    def _run_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.query_one("#statements-table", DataTable).focus()

    @on(DataTable.RowHighlighted, "#statements-table")
    def _statement_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    # -- messages --------------------------------------------------------------------------------------
    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#statements-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def show_inline_error(self, error: GatewayError) -> bool:
        what = "Could not run the statements" if self.running else "Could not do that"
        self.running = False
        self.say(f"{what}: {describe(error)}", error=True)
        return True

    # -- running ---------------------------------------------------------------------------------------
    def action_run(self) -> None:
        preview = self.preview
        if preview is None or self.running:
            return
        question = [f"Make today's statements ({formatting.calendar_date(preview.statement_date)})?"]
        question += preview_lines(preview)[:-1]
        question.append("A statement made stays as sent; a wrong one can be voided (X).")

        def answered(yes: bool | None) -> None:
            if yes:
                # A new run asked for: a new key (a retry of a run that got no answer keeps its key).
                self.run_key = self.run_key or uuid.uuid4().hex
                self.make_run(self.run_key)

        self.app.push_screen(ConfirmScreen("Run statements", "\n".join(question), "Run"), answered)

    @gateway_call
    async def make_run(self, key: str) -> None:
        self.running = True
        self.say("Making the statements…")
        run = await self.gateway.run_statements(idempotency_key=key)
        self.running = False
        self.run_key = ""
        self.query_one("#statements-runs", DataTable).focus()
        self.load(run_sentence(run), run.run_id)

    # -- a run's mail ----------------------------------------------------------------------------------
    def action_export(self, which: str) -> None:
        run = self.selected_run()
        if run is None:
            return
        export_format = st.EXPORT_FORMAT_PDF if which == "pdf" else st.EXPORT_FORMAT_VENDOR_CSV
        words = FORMAT_WORDS[export_format]
        intro = (f"Run {run.run_id} of {formatting.calendar_date(run.statement_date)}: the statements to mail as the "
                 f"{words}. They become {'printed' if which == 'pdf' else 'sent to the print vendor'}.")

        async def save(folder: Path, progress: Progress) -> str:
            saved = await self.gateway.export_statement_run(run.run_id, export_format, folder, progress)
            return f"Saved {saved.path} ({plural(saved.statement_count, 'statement')})."

        self.app.push_screen(SaveToFolderScreen(f"Statements · {words}", intro, save), self._saved)

    def _saved(self, said: str | None) -> None:
        if said:
            self.say(said)
            run = self.selected_run()
            if run is not None:
                self.load_statements(run.run_id)

    def action_email(self) -> None:
        run = self.selected_run()
        if run is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                key = self.email_keys.setdefault(run.run_id, uuid.uuid4().hex)
                self.send_emails(run.run_id, key)

        self.app.push_screen(ConfirmScreen(
            "Email statements", f"Email run {run.run_id}'s statements to the guarantors who chose email "
            f"({run.email_count:,})? An address that refuses it sends that statement to the mail.", "Email"),
            answered)

    @gateway_call
    async def send_emails(self, run_id: int, key: str) -> None:
        self.say("Emailing…")
        answer = await self.gateway.send_statement_emails(run_id, idempotency_key=key)
        self.email_keys.pop(run_id, None)
        self.say(emails_sentence(answer))
        self.load_statements(run_id)

    # -- one statement ---------------------------------------------------------------------------------
    def action_reprint(self) -> None:
        statement = self.selected_statement()
        if statement is None:
            return
        intro = (f"Statement {statement.statement_id} for {statement.guarantor_name} "
                 f"({formatting.calendar_date(statement.statement_date)}): the PDF exactly as it was sent.")

        async def save(folder: Path, progress: Progress) -> str:
            path = await self.gateway.download_statement(statement.statement_id, folder, progress)
            return f"Saved {path}."

        self.app.push_screen(SaveToFolderScreen("Reprint statement", intro, save), self._reprinted)

    def _reprinted(self, said: str | None) -> None:
        if said:
            self.say(said)

    def action_void(self) -> None:
        statement = self.selected_statement()
        if statement is None or statement.status == st.STATEMENT_STATUS_VOIDED:
            return
        intro = (f"Void statement {statement.statement_id} for {statement.guarantor_name} "
                 f"({formatting.dollars(statement.amount_due_cents)} due)? It stops counting for the cycle and "
                 "the dunning level: the next run makes a new one.")

        async def void(reason: str) -> st.Statement:
            return await self.gateway.void_statement(statement.statement_id, reason)

        def voided(answer: st.Statement | None) -> None:
            if answer is not None:
                self.say(f"Voided statement {answer.statement_id} ({answer.guarantor_name}).")
                self.load_statements(self.statements_of)

        self.app.push_screen(ReasonScreen("Void statement", intro, "Void", void), voided)

    # -- the rest --------------------------------------------------------------------------------------
    def action_settings(self) -> None:
        if "statements.setup" not in self.permissions:
            return

        def saved(settings: st.StatementSettings | None) -> None:
            if settings is not None:
                self.load("Statement settings saved: the preview follows them.")

        self.app.push_screen(StatementSettingsScreen(self.gateway), saved)

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()
