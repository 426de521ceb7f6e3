"""The fake gateway's statements, collections and payment plans (mixed into ``FakeGateway`` after ``FakePayments``).

Seeded: the settings are the server's defaults ($5.00, every 30 days, due in 21, four notices, version 1). Run 1 of
10/04/2026 (by bill) made two statements, both printed: Maria Johnson $90.00 (level 1) and Luis Garcia $180.00
(level 4, the last notice). A run today would make three (Maria Johnson $125.00 with $80.00 pending insurance, by
mail; Thanh Nguyen $202.50 at level 2, by email; Jonathan Smith $100.00 for himself and Emily, by mail): $427.50,
and flag Luis Garcia ($180.00) for collections; two guarantors stay below the threshold and one within the cycle.
``run_statements`` makes exactly that as run 2 (a key answers the same run again); the preview then makes nothing.

Collections: Harold Williams ($310.00, flagged 10/04/2026) waits for the agency; Ben Okafor was sent on 09/10/2026.
Payment plans: Jonathan Smith's $600.00 at $100.00 on the 15th since 08/01/2026 is current; Thanh Nguyen's $450.00
at $75.00 on the 1st since 07/01/2026 has 3 missed; Luis Garcia's was cancelled.

The fake roles carry none of these permissions (the claims worklist's pictures predate them):
``grant_statement_permissions`` gives billers and managers the server's (server/security.py).

Checks only what the screens must show: settings out of range (named like the server names them), a stale version,
an empty reason, a voided statement voided again, nothing left to export, a second active plan. The real rules are the
server's (server/statements/, tests/api/test_statements.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from client_tui.gateway import (
    FieldViolation,
    GatewayError,
    InvalidInput,
    NotFound,
    Progress,
    RuleBroken,
    SavedCollections,
    SavedStatements,
    StaleRecord,
)
from client_tui.grpc_gateway import write_in_folder
from shared import dates
from shared.pms.auth.v1 import auth_pb2
from shared.pms.statements.v1 import statements_pb2 as st

from .fake_payments import NOW, TODAY, stamp

STATEMENT_PERMISSIONS = {
    "biller": ["statements.run", "collections.manage"],
    "manager": ["statements.run", "statements.setup", "collections.manage"],
}
DEFAULT_MESSAGES = [
    "Thank you for choosing our practice. This is your statement.",
    "Your balance is past due. Please pay today or call us to set up a payment plan.",
    "SECOND NOTICE: your account is seriously past due.",
    "FINAL NOTICE: unless paid within 21 days, your account will be sent to a collection agency.",
]
RUN_1_DAY = date(2026, 10, 4)


def _statement(statement_id: int, run_id: int, day: date, account: str, name: str, patients: list[int], level: int,
               due: int, pending: int = 0, delivery: int = st.DELIVERY_MAIL, email: str = "",
               status: int = st.STATEMENT_STATUS_GENERATED) -> st.Statement:
    return st.Statement(
        statement_id=statement_id, run_id=run_id, account_number=account, guarantor_name=name, patient_ids=patients,
        statement_date=dates.to_pb(day), due_date=dates.to_pb(date.fromordinal(day.toordinal() + 21)),
        dunning_level=level, amount_due_cents=due, balance_cents=due, pending_insurance_cents=pending,
        aging=st.Aging(current_cents=due), delivery=delivery, email_to=email, status=status,  # type: ignore[arg-type]
        pages=1)


class FakeStatements:
    """Needs ``_money_call``, ``session`` and ``extra_permissions`` from the classes it is mixed with."""

    session: auth_pb2.Session | None
    extra_permissions: dict[str, list[str]]
    requests: dict[str, list[Any]]
    fail_on: dict[str, GatewayError]
    _money_call: Callable[..., None]

    def _seed_statements(self) -> None:
        self.statement_settings = st.StatementSettings(threshold_cents=500, cycle_days=30, due_days=21,
                                                       level_messages=DEFAULT_MESSAGES, version=1)
        self.statement_runs: dict[int, st.StatementRun] = {1: st.StatementRun(
            run_id=1, statement_date=dates.to_pb(RUN_1_DAY), statement_count=2, mail_count=2, amount_due_cents=27_000,
            created_by="bill", created_at=stamp(datetime(2026, 10, 4, 8, tzinfo=UTC)))}
        self.statements_made: dict[int, st.Statement] = {
            1: _statement(1, 1, RUN_1_DAY, "100001", "Maria Johnson", [1], 1, 9_000,
                          status=st.STATEMENT_STATUS_PRINTED),
            2: _statement(2, 1, RUN_1_DAY, "100006", "Luis Garcia", [6], 4, 18_000,
                          status=st.STATEMENT_STATUS_PRINTED),
        }
        self.next_statement_run = itertools.count(2)
        self.run_keys: dict[str, st.StatementRun] = {}
        self.email_keys: dict[str, st.SendStatementEmailsResponse] = {}
        self.collection_accounts: dict[int, st.CollectionAccount] = {
            1: st.CollectionAccount(collection_account_id=1, account_number="100007", guarantor_name="Harold Williams",
                                    patient_ids=[7], balance_cents=31_000, flagged_on=dates.to_pb(RUN_1_DAY),
                                    last_statement_id=0, status=st.COLLECTION_STATUS_FLAGGED),
            2: st.CollectionAccount(collection_account_id=2, account_number="100009", guarantor_name="Ben Okafor",
                                    patient_ids=[9], balance_cents=52_500, flagged_on=dates.to_pb(date(2026, 9, 4)),
                                    status=st.COLLECTION_STATUS_SENT, sent_on=dates.to_pb(date(2026, 9, 10))),
        }
        self.collection_keys: dict[str, st.ExportCollectionsResponse] = {}
        self.payment_plans: dict[int, st.PaymentPlan] = {
            1: st.PaymentPlan(payment_plan_id=1, patient_id=3, account_number="100003",
                              guarantor_name="Jonathan Smith",
                              total_cents=60_000, installment_cents=10_000, due_day=15,
                              start_date=dates.to_pb(date(2026, 8, 1)), status=st.PAYMENT_PLAN_STATUS_ACTIVE,
                              installments_due=3, expected_cents=30_000, paid_cents=30_000, missed_installments=0,
                              current=True, next_due_date=dates.to_pb(date(2026, 11, 15)), version=1),
            2: st.PaymentPlan(payment_plan_id=2, patient_id=5, account_number="100005", guarantor_name="Thanh Nguyen",
                              total_cents=45_000, installment_cents=7_500, due_day=1,
                              start_date=dates.to_pb(date(2026, 7, 1)), status=st.PAYMENT_PLAN_STATUS_ACTIVE,
                              installments_due=5, expected_cents=37_500, paid_cents=15_000, missed_installments=3,
                              current=False, next_due_date=dates.to_pb(date(2026, 12, 1)), version=4),
            3: st.PaymentPlan(payment_plan_id=3, patient_id=6, account_number="100006", guarantor_name="Luis Garcia",
                              total_cents=30_000, installment_cents=5_000, due_day=10,
                              start_date=dates.to_pb(date(2026, 5, 1)), status=st.PAYMENT_PLAN_STATUS_CANCELLED,
                              installments_due=5, expected_cents=25_000, paid_cents=5_000, missed_installments=4,
                              cancel_reason="Stopped paying", version=3),
        }
        self.next_plan = itertools.count(4)
        # Bytes per streamed chunk of a statement file (the progress bar sees each one).
        self.statement_chunk_bytes = 64

    def grant_statement_permissions(self) -> None:
        """Billers and managers get the server's statement permissions (from the next login on)."""
        for role, permissions in STATEMENT_PERMISSIONS.items():
            self.extra_permissions.setdefault(role, []).extend(permissions)

    def _who(self) -> str:
        return self.session.username if self.session else ""

    # -- settings and the run ------------------------------------------------------------------------
    async def get_statement_settings(self) -> st.StatementSettings:
        self._money_call("get_statement_settings", "statements.run")
        return st.StatementSettings.FromString(self.statement_settings.SerializeToString())

    async def update_statement_settings(self, settings: st.StatementSettings) -> st.StatementSettings:
        self._money_call("update_statement_settings", "statements.setup", settings)
        problems = []
        if settings.threshold_cents < 0:
            problems.append(FieldViolation("settings.threshold_cents", "must not be negative"))
        if not 7 <= settings.cycle_days <= 120:
            problems.append(FieldViolation("settings.cycle_days", "must be between 7 and 120 days"))
        if not 0 <= settings.due_days <= 60:
            problems.append(FieldViolation("settings.due_days", "must be between 0 and 60 days"))
        if not settings.level_messages:
            problems.append(FieldViolation("settings.level_messages",
                                           "give one message per dunning level (at least one)"))
        problems += [FieldViolation(f"settings.level_messages[{i}]", "is empty")
                     for i, text in enumerate(settings.level_messages) if not text.strip()]
        if problems:
            raise InvalidInput(problems)
        if settings.version != self.statement_settings.version:
            raise StaleRecord("Someone else changed the statement settings; reload and try again.")
        saved = st.StatementSettings.FromString(settings.SerializeToString())
        saved.version += 1
        self.statement_settings = saved
        return saved

    def _due_today(self) -> list[st.Statement]:
        if any(dates.from_pb(r.statement_date) == TODAY for r in self.statement_runs.values()):
            return []
        return [
            _statement(0, 0, TODAY, "100001", "Maria Johnson", [1], 1, 12_500, pending=8_000),
            _statement(0, 0, TODAY, "100005", "Thanh Nguyen", [5], 2, 20_250, delivery=st.DELIVERY_EMAIL,
                       email="thanh.nguyen@example.com"),
            _statement(0, 0, TODAY, "100003", "Jonathan Smith", [3, 4], 1, 10_000),
        ]

    async def preview_statement_run(self) -> st.PreviewStatementRunResponse:
        self._money_call("preview_statement_run", "statements.run")
        due = self._due_today()
        flagged = 18_000 if due else 0
        return st.PreviewStatementRunResponse(
            statement_date=dates.to_pb(TODAY), statement_count=len(due),
            mail_count=sum(1 for s in due if s.delivery == st.DELIVERY_MAIL),
            email_count=sum(1 for s in due if s.delivery == st.DELIVERY_EMAIL),
            amount_due_cents=sum(s.amount_due_cents for s in due), collections_count=1 if flagged else 0,
            collections_cents=flagged, below_threshold_count=2, within_cycle_count=1 if due else 4)

    async def run_statements(self, idempotency_key: str = "") -> st.StatementRun:
        self._money_call("run_statements", "statements.run", idempotency_key)
        if not idempotency_key:
            raise InvalidInput([FieldViolation("idempotency_key", "is required")])
        if idempotency_key in self.run_keys:
            return self.run_keys[idempotency_key]
        due = self._due_today()
        run = st.StatementRun(run_id=next(self.next_statement_run), statement_date=dates.to_pb(TODAY),
                              created_by=self._who(), created_at=stamp(NOW))
        for statement in due:
            statement.statement_id = max(self.statements_made) + 1
            statement.run_id = run.run_id
            self.statements_made[statement.statement_id] = statement
        run.statement_count = len(due)
        run.mail_count = sum(1 for s in due if s.delivery == st.DELIVERY_MAIL)
        run.email_count = len(due) - run.mail_count
        run.amount_due_cents = sum(s.amount_due_cents for s in due)
        if due:
            run.collections_count = 1
            account_id = max(self.collection_accounts) + 1
            self.collection_accounts[account_id] = st.CollectionAccount(
                collection_account_id=account_id, account_number="100006", guarantor_name="Luis Garcia",
                patient_ids=[6], balance_cents=18_000, flagged_on=dates.to_pb(TODAY), last_statement_id=2,
                status=st.COLLECTION_STATUS_FLAGGED)
        self.statement_runs[run.run_id] = run
        self.run_keys[idempotency_key] = run
        return run

    async def list_statement_runs(self, limit: int = 0) -> list[st.StatementRun]:
        self._money_call("list_statement_runs", "statements.run", limit)
        return sorted(self.statement_runs.values(), key=lambda r: -r.run_id)[: limit or 50]

    async def list_statements(self, run_id: int = 0, patient_id: int = 0) -> list[st.Statement]:
        self._money_call("list_statements", "ledger.read", run_id, patient_id)
        if bool(run_id) == bool(patient_id):
            raise InvalidInput([FieldViolation("run_id", "name a run or a patient (one of the two)")])
        return [st.Statement.FromString(s.SerializeToString()) for s in sorted(
            self.statements_made.values(), key=lambda s: s.statement_id)
            if (run_id and s.run_id == run_id) or (patient_id and patient_id in s.patient_ids)]

    # -- files -------------------------------------------------------------------------------------
    def _stream(self, content: bytes, progress: Progress | None) -> None:
        done = 0
        for start in range(0, len(content), self.statement_chunk_bytes):
            done += len(content[start:start + self.statement_chunk_bytes])
            if progress is not None:
                progress(done, 0)

    @staticmethod
    def _pdf_of(statement: st.Statement) -> bytes:
        return (f"%PDF-1.4\n% statement {statement.statement_id} for {statement.guarantor_name}: "
                f"${statement.amount_due_cents / 100:.2f} due, level {statement.dunning_level}\n%%EOF\n").encode()

    async def download_statement(self, statement_id: int, folder: Path, progress: Progress | None = None) -> Path:
        self._money_call("download_statement", "ledger.read", statement_id, folder)
        statement = self.statements_made.get(statement_id)
        if statement is None:
            raise NotFound("No such statement.")
        content = self._pdf_of(statement) * 20
        self._stream(content, progress)
        path = write_in_folder(folder, f"statement-{statement_id}.pdf", content)
        if progress is not None:
            progress(len(content), len(content))
        return path

    async def export_statement_run(
        self, run_id: int, export_format: int, folder: Path, progress: Progress | None = None
    ) -> SavedStatements:
        self._money_call("export_statement_run", "statements.run", run_id, export_format, folder)
        if run_id not in self.statement_runs:
            raise NotFound("No such statement run.")
        waiting = [s for s in self.statements_made.values() if s.run_id == run_id
                   and s.delivery == st.DELIVERY_MAIL and s.status == st.STATEMENT_STATUS_GENERATED]
        if not waiting:
            raise RuleBroken("Every statement of this run to mail was already printed or exported.",
                             "NOTHING_TO_EXPORT")
        if export_format == st.EXPORT_FORMAT_PDF:
            name, content = f"statements-run-{run_id}.pdf", b"".join(self._pdf_of(s) for s in waiting)
            becomes = st.STATEMENT_STATUS_PRINTED
        else:
            rows = [f"{s.account_number},{s.guarantor_name},{s.amount_due_cents}" for s in waiting]
            name, content = f"statements-run-{run_id}.csv", ("account,name,due_cents\n" + "\n".join(rows)).encode()
            becomes = st.STATEMENT_STATUS_EXPORTED
        self._stream(content, progress)
        path = write_in_folder(folder, name, content)
        for statement in waiting:
            statement.status = becomes
        if progress is not None:
            progress(len(content), len(content))
        return SavedStatements(path, len(waiting))

    async def send_statement_emails(self, run_id: int, idempotency_key: str = "") -> st.SendStatementEmailsResponse:
        self._money_call("send_statement_emails", "statements.run", run_id, idempotency_key)
        if idempotency_key in self.email_keys:
            return self.email_keys[idempotency_key]
        sent = 0
        for statement in self.statements_made.values():
            if statement.run_id == run_id and statement.delivery == st.DELIVERY_EMAIL \
                    and statement.status == st.STATEMENT_STATUS_GENERATED:
                statement.status = st.STATEMENT_STATUS_EMAILED
                statement.emailed_at.CopyFrom(stamp(NOW))
                sent += 1
        answer = st.SendStatementEmailsResponse(sent_count=sent)
        self.email_keys[idempotency_key] = answer
        return answer

    async def void_statement(self, statement_id: int, reason: str) -> st.Statement:
        self._money_call("void_statement", "statements.run", statement_id, reason)
        statement = self.statements_made.get(statement_id)
        if statement is None:
            raise NotFound("No such statement.")
        if not reason.strip():
            raise InvalidInput([FieldViolation("reason", "say why the statement is taken back")])
        if statement.status == st.STATEMENT_STATUS_VOIDED:
            raise RuleBroken("A statement that is voided cannot become voided; it cannot change any more.",
                             "TRANSITION_NOT_ALLOWED")
        statement.status = st.STATEMENT_STATUS_VOIDED
        statement.void_reason = reason
        statement.voided_at.CopyFrom(stamp(NOW))
        return st.Statement.FromString(statement.SerializeToString())

    # -- collections -------------------------------------------------------------------------------
    async def list_collection_accounts(self, status: int = 0) -> list[st.CollectionAccount]:
        self._money_call("list_collection_accounts", "collections.manage", status)
        return [a for a in sorted(self.collection_accounts.values(), key=lambda a: a.collection_account_id)
                if not status or a.status == status]

    async def export_collections(self, folder: Path, idempotency_key: str = "") -> SavedCollections:
        self._money_call("export_collections", "collections.manage", folder, idempotency_key)
        answer = self.collection_keys.get(idempotency_key)
        if answer is None:
            flagged = [a for a in self.collection_accounts.values() if a.status == st.COLLECTION_STATUS_FLAGGED]
            if not flagged:
                raise RuleBroken("No account is waiting to go to the collection agency.", "NOTHING_TO_EXPORT")
            rows = [f"{a.account_number},{a.guarantor_name},{a.balance_cents}" for a in flagged]
            answer = st.ExportCollectionsResponse(
                file_name="collections-2026-11-03.csv", csv=("account,name,balance_cents\n" + "\n".join(rows)).encode(),
                account_count=len(flagged), total_cents=sum(a.balance_cents for a in flagged))
            for account in flagged:
                account.status = st.COLLECTION_STATUS_SENT
                account.sent_on.CopyFrom(dates.to_pb(TODAY))
            self.collection_keys[idempotency_key] = answer
        path = write_in_folder(folder, answer.file_name, answer.csv)
        return SavedCollections(path, answer.account_count, answer.total_cents)

    # -- payment plans -----------------------------------------------------------------------------
    async def create_payment_plan(self, request: st.CreatePaymentPlanRequest) -> st.PaymentPlan:
        self._money_call("create_payment_plan", "collections.manage", request)
        problems = []
        if request.installment_cents <= 0:
            problems.append(FieldViolation("installment_cents", "must be more than $0.00"))
        elif request.total_cents and request.installment_cents > request.total_cents:
            problems.append(FieldViolation("installment_cents", "is more than the plan's total"))
        if not 1 <= request.due_day <= 28:
            problems.append(FieldViolation("due_day", "must be a day of the month between 1 and 28"))
        if problems:
            raise InvalidInput(problems)
        guarantor = {4: 3}.get(request.patient_id, request.patient_id)  # Jonathan pays for Emily
        if any(p.patient_id == guarantor and p.status == st.PAYMENT_PLAN_STATUS_ACTIVE
               for p in self.payment_plans.values()):
            raise RuleBroken("This guarantor already has an active payment plan; cancel it first.",
                             "PLAN_ALREADY_ACTIVE")
        start = dates.from_pb(request.start_date) if dates.is_set(request.start_date) else TODAY
        assert start is not None
        first = start.replace(day=request.due_day)
        if start.day > request.due_day:
            first = date(first.year + first.month // 12, first.month % 12 + 1, request.due_day)
        names = {1: "Maria Johnson", 6: "Luis Garcia", 7: "Harold Williams", 2: "Robert Johnson"}
        plan = st.PaymentPlan(
            payment_plan_id=next(self.next_plan), patient_id=guarantor, account_number=f"10000{guarantor}",
            guarantor_name=names.get(guarantor, f"Patient {guarantor}"), total_cents=request.total_cents or 25_000,
            installment_cents=request.installment_cents, due_day=request.due_day, start_date=dates.to_pb(start),
            status=st.PAYMENT_PLAN_STATUS_ACTIVE, current=True, next_due_date=dates.to_pb(first), note=request.note,
            version=1)
        self.payment_plans[plan.payment_plan_id] = plan
        return plan

    async def list_payment_plans(self, patient_id: int = 0, include_cancelled: bool = False) -> list[st.PaymentPlan]:
        self._money_call("list_payment_plans", "ledger.read", patient_id, include_cancelled)
        return [st.PaymentPlan.FromString(p.SerializeToString()) for p in sorted(
            self.payment_plans.values(), key=lambda p: p.payment_plan_id)
            if (include_cancelled or p.status == st.PAYMENT_PLAN_STATUS_ACTIVE)
            and (not patient_id or p.patient_id == patient_id)]

    async def cancel_payment_plan(self, payment_plan_id: int, version: int, reason: str) -> st.PaymentPlan:
        self._money_call("cancel_payment_plan", "collections.manage", payment_plan_id, version, reason)
        plan = self.payment_plans.get(payment_plan_id)
        if plan is None:
            raise NotFound("No such payment plan.")
        if not reason.strip():
            raise InvalidInput([FieldViolation("reason", "say why the plan ends")])
        if plan.version != version:
            raise StaleRecord("Someone else changed this payment plan; reload and try again.")
        if plan.status != st.PAYMENT_PLAN_STATUS_ACTIVE:
            raise RuleBroken("This payment plan was already cancelled.", "PLAN_NOT_ACTIVE")
        plan.status = st.PAYMENT_PLAN_STATUS_CANCELLED
        plan.cancel_reason = reason
        plan.current = False
        plan.version += 1
        return st.PaymentPlan.FromString(plan.SerializeToString())
