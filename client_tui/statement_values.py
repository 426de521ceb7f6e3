"""What the statement, collections and payment plan screens show, as words and table rows (no Textual here).

Every figure is the server's (decision 0028): who gets a statement, what is due, the dunning level, whether a plan
is current. This module only says them.
"""

from __future__ import annotations

from rich.text import Text

from client_tui import formatting
from shared.pms.statements.v1 import statements_pb2 as st

STATUS_WORDS: dict[int, str] = {
    st.STATEMENT_STATUS_GENERATED: "Not sent",
    st.STATEMENT_STATUS_PRINTED: "Printed",
    st.STATEMENT_STATUS_EMAILED: "Emailed",
    st.STATEMENT_STATUS_EXPORTED: "To vendor",
    st.STATEMENT_STATUS_VOIDED: "Voided",
}
STATUS_STYLES: dict[int, str] = {
    st.STATEMENT_STATUS_GENERATED: "yellow",
    st.STATEMENT_STATUS_VOIDED: "dim strike",
    st.STATEMENT_STATUS_EMAILED: "green",
    st.STATEMENT_STATUS_PRINTED: "green",
    st.STATEMENT_STATUS_EXPORTED: "green",
}
DELIVERY_WORDS: dict[int, str] = {st.DELIVERY_MAIL: "Mail", st.DELIVERY_EMAIL: "Email"}
COLLECTION_WORDS: dict[int, str] = {st.COLLECTION_STATUS_FLAGGED: "Flagged", st.COLLECTION_STATUS_SENT: "Sent"}
FORMAT_WORDS: dict[int, str] = {st.EXPORT_FORMAT_PDF: "print file (PDF)",
                                st.EXPORT_FORMAT_VENDOR_CSV: "print vendor's CSV"}

RUN_COLUMNS: list[tuple[str, int]] = [("Run", 5), ("Date", 10), ("Stmts", 5), ("Mail", 5), ("Email", 5),
                                      ("Due", 12), ("Coll.", 5), ("By", 10)]
STATEMENT_COLUMNS: list[tuple[str, int]] = [("Account", 9), ("Lvl", 3), ("Due", 11), ("Pending", 10),
                                            ("Send", 5), ("Status", 9)]
COLLECTION_COLUMNS: list[tuple[str, int]] = [("Account", 9), ("Balance", 11), ("Flagged", 10), ("Status", 7),
                                             ("Sent", 10)]
PLAN_COLUMNS: list[tuple[str, int]] = [("Account", 9), ("Total", 10), ("Monthly", 9), ("Day", 3), ("Paid", 10),
                                       ("Standing", 12), ("Next due", 10)]


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def money(cents: int, style: str = "") -> Text:
    return Text(formatting.dollars(cents), justify="right", style=style)


def number(value: int) -> Text:
    return Text(f"{value:,}", justify="right")


def preview_lines(preview: st.PreviewStatementRunResponse) -> list[str]:
    """The preview, sentence by sentence, as the run screen shows it."""
    day = formatting.calendar_date(preview.statement_date)
    if preview.statement_count:
        lines = [f"A run today ({day}) makes {plural(preview.statement_count, 'statement')}: "
                 f"{formatting.dollars(preview.amount_due_cents)} due in all.",
                 f"By mail {preview.mail_count:,} · by email {preview.email_count:,}."]
    else:
        lines = [f"A run today ({day}) makes no statement."]
    if preview.collections_count:
        verb = "goes" if preview.collections_count == 1 else "go"
        lines.append(f"{plural(preview.collections_count, 'account')} past the last notice {verb} to collections "
                     f"instead: {formatting.dollars(preview.collections_cents)}.")
    skipped = []
    if preview.below_threshold_count:
        skipped.append(f"{preview.below_threshold_count:,} below the threshold")
    if preview.within_cycle_count:
        skipped.append(f"{preview.within_cycle_count:,} billed within the cycle")
    if skipped:
        lines.append("Not billed this time: " + " · ".join(skipped) + ".")
    lines.append("Visits still with insurance are shown on the statements as pending, never as due.")
    return lines


def run_row(run: st.StatementRun) -> list[str | Text]:
    return [
        number(run.run_id),
        formatting.calendar_date(run.statement_date),
        number(run.statement_count),
        number(run.mail_count),
        number(run.email_count),
        money(run.amount_due_cents),
        number(run.collections_count),
        run.created_by,
    ]


def run_sentence(run: st.StatementRun) -> str:
    return (f"Run {run.run_id} of {formatting.calendar_date(run.statement_date)}: "
            f"{plural(run.statement_count, 'statement')}, {formatting.dollars(run.amount_due_cents)} due "
            f"({run.mail_count:,} by mail, {run.email_count:,} by email); "
            f"{plural(run.collections_count, 'account')} flagged for collections.")


def statement_row(statement: st.Statement) -> list[str | Text]:
    voided = statement.status == st.STATEMENT_STATUS_VOIDED
    return [
        Text(statement.guarantor_name, style="dim strike" if voided else ""),
        statement.account_number,
        number(statement.dunning_level),
        money(statement.amount_due_cents, "dim strike" if voided else "bold"),
        money(statement.pending_insurance_cents),
        DELIVERY_WORDS.get(statement.delivery, "?"),
        Text(STATUS_WORDS.get(statement.status, "?"), style=STATUS_STYLES.get(statement.status, "")),
    ]


def statement_detail(statement: st.Statement) -> str:
    """The line under the statements: what the highlighted one says beyond its row."""
    parts = [f"Statement {statement.statement_id} · {statement.guarantor_name} · due "
             f"{formatting.calendar_date(statement.due_date)} · balance {formatting.dollars(statement.balance_cents)}"]
    if statement.credit_cents:
        parts.append(f"credit {formatting.dollars(statement.credit_cents)}")
    if statement.plan_installment_cents:
        parts.append(f"on a plan: {formatting.dollars(statement.plan_installment_cents)} asked")
    if statement.email_to:
        parts.append(f"to {statement.email_to}")
    if statement.email_error:
        parts.append(f"email failed ({statement.email_error}): goes by mail")
    if statement.status == st.STATEMENT_STATUS_VOIDED:
        parts.append(f"voided: {statement.void_reason}")
    return " · ".join(parts)


def emails_sentence(answer: st.SendStatementEmailsResponse) -> str:
    if not answer.sent_count and not answer.failed_count:
        return "No statement of this run was waiting to be emailed."
    sentence = f"Emailed {plural(answer.sent_count, 'statement')}."
    if answer.failed_count:
        sentence += (f" {plural(answer.failed_count, 'address')} refused: those statements go with the mail "
                     "(P or V).")
    return sentence


def collection_row(account: st.CollectionAccount) -> list[str | Text]:
    sent = account.status == st.COLLECTION_STATUS_SENT
    return [
        account.guarantor_name,
        account.account_number,
        money(account.balance_cents),
        formatting.calendar_date(account.flagged_on),
        Text(COLLECTION_WORDS.get(account.status, "?"), style="green" if sent else "yellow"),
        formatting.calendar_date(account.sent_on) if sent else "",
    ]


def standing(plan: st.PaymentPlan) -> Text:
    if plan.status == st.PAYMENT_PLAN_STATUS_CANCELLED:
        return Text("Cancelled", style="dim")
    if plan.current:
        return Text("Current", style="green")
    return Text(f"{plan.missed_installments} missed", style="bold red")


def plan_row(plan: st.PaymentPlan) -> list[str | Text]:
    return [
        plan.guarantor_name,
        plan.account_number,
        money(plan.total_cents),
        money(plan.installment_cents),
        number(plan.due_day),
        money(plan.paid_cents),
        standing(plan),
        formatting.calendar_date(plan.next_due_date),
    ]


def plan_detail(plan: st.PaymentPlan) -> str:
    line = (f"Plan {plan.payment_plan_id} · {plan.guarantor_name} · from "
            f"{formatting.calendar_date(plan.start_date)}: {plural(plan.installments_due, 'installment')} due so "
            f"far, {formatting.dollars(plan.expected_cents)} expected, {formatting.dollars(plan.paid_cents)} paid")
    if plan.note:
        line += f" · {plan.note}"
    if plan.cancel_reason:
        line += f" · cancelled: {plan.cancel_reason}"
    return line
