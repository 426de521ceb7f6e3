"""ERAs, their claim payments and open denials as messages for the preview and the worklists."""

from __future__ import annotations

from typing import Any

from server.db import raw
from server.errors import InvalidArgument
from server.remittances.models import Remittance
from server.rpc.context import CallContext
from server.x12.adjustment_codes import carc_text, rarc_text
from shared import dates
from shared.pms.remittances.v1 import remittances_pb2 as pb

STATUSES = {"imported": pb.REMITTANCE_STATUS_IMPORTED, "posted": pb.REMITTANCE_STATUS_POSTED,
            "review": pb.REMITTANCE_STATUS_REVIEW}
OUTCOMES = {"ready": pb.CLAIM_PAYMENT_OUTCOME_READY, "posted": pb.CLAIM_PAYMENT_OUTCOME_POSTED,
            "exception": pb.CLAIM_PAYMENT_OUTCOME_EXCEPTION}

_TOTALS_SQL = """
SELECT remittance_id, count(*) FILTER (WHERE outcome = 'exception') AS exceptions,
       coalesce(sum(paid_cents) FILTER (WHERE outcome <> 'exception'), 0) AS paid,
       coalesce(sum(contractual_cents) FILTER (WHERE outcome <> 'exception'), 0) AS contractual,
       coalesce(sum(patient_cents) FILTER (WHERE outcome <> 'exception'), 0) AS patient,
       coalesce(sum(denied_cents) FILTER (WHERE outcome <> 'exception'), 0) AS denied,
       coalesce(sum(underpaid_cents) FILTER (WHERE outcome <> 'exception'), 0) AS underpaid
  FROM remittance_claim WHERE practice_id = :p AND remittance_id = ANY(:ids) GROUP BY remittance_id"""

_CLAIMS_SQL = """
SELECT rc.*, c.patient_id, c.date_of_service, p.last_name || ', ' || p.first_name AS patient_name
  FROM remittance_claim rc
  LEFT JOIN claim c ON c.practice_id = rc.practice_id AND c.id = rc.claim_id
  LEFT JOIN patient p ON p.practice_id = c.practice_id AND p.id = c.patient_id
 WHERE rc.practice_id = :p AND rc.remittance_id = :r ORDER BY rc.position"""

_DENIALS_SQL = """
SELECT d.*, c.patient_id, c.date_of_service, l.code, y.name AS payer_name,
       p.last_name || ', ' || p.first_name AS patient_name
  FROM denial d
  JOIN claim c ON c.practice_id = d.practice_id AND c.id = d.claim_id
  JOIN payer y ON y.practice_id = c.practice_id AND y.id = c.payer_id
  JOIN patient p ON p.practice_id = c.practice_id AND p.id = c.patient_id
  LEFT JOIN claim_line l ON l.practice_id = d.practice_id AND l.claim_id = d.claim_id AND l.line_number = d.line_number
 WHERE d.practice_id = :p AND d.status = 'open' ORDER BY d.id LIMIT :limit"""


def _message(row: Any, totals: Any) -> pb.Remittance:
    msg = pb.Remittance(
        remittance_id=row.id, payer_name=row.payer_name, trace_number=row.trace_number,
        payer_identifier=row.payer_identifier, payment_cents=row.payment_cents, payment_method=row.payment_method,
        payment_date=dates.to_pb(row.payment_date), status=STATUSES[row.status], file_name=row.file_name,
        claim_count=row.claim_count, posted_by=row.posted_by_name, review_reason=row.review_reason,
        provider_adjustment_cents=sum(int(a["amount_cents"]) for a in row.provider_adjustments))
    if totals is not None:
        msg.exception_count = totals.exceptions
        msg.paid_cents, msg.contractual_cents = int(totals.paid), int(totals.contractual)
        msg.patient_cents, msg.denied_cents = int(totals.patient), int(totals.denied)
        msg.underpaid_cents = int(totals.underpaid)
    msg.imported_at.FromDatetime(row.imported_at)
    if row.posted_at is not None:
        msg.posted_at.FromDatetime(row.posted_at)
    return msg


async def remittance_message(ctx: CallContext, row: Remittance) -> pb.Remittance:
    await ctx.db.flush()
    totals = await raw.fetch_one(ctx.db, _TOTALS_SQL, {"p": ctx.practice_id, "ids": [row.id]})
    return _message(row, totals)


async def list_remittances(ctx: CallContext, status: int, limit: int) -> list[pb.Remittance]:
    if limit < 0 or limit > 1000:
        raise InvalidArgument.one("limit", "must be between 0 and 1000")
    names: dict[int, str] = {int(v): k for k, v in STATUSES.items()}
    if status and status not in names:
        raise InvalidArgument.one("status", "is not a known ERA status")
    rows = await raw.fetch_all(ctx.db, "SELECT * FROM remittance WHERE practice_id = :p AND (:status = '' OR "
                                       "status = :status) ORDER BY id DESC LIMIT :limit",
                               {"p": ctx.practice_id, "status": names.get(int(status), ""), "limit": limit or 100})
    totals = {t.remittance_id: t for t in await raw.fetch_all(
        ctx.db, _TOTALS_SQL, {"p": ctx.practice_id, "ids": [r.id for r in rows]})}
    return [_message(r, totals.get(r.id)) for r in rows]


async def claim_payments(ctx: CallContext, remittance_id: int) -> list[pb.ClaimPayment]:
    rows = await raw.fetch_all(ctx.db, _CLAIMS_SQL, {"p": ctx.practice_id, "r": remittance_id})
    return [pb.ClaimPayment(
        position=r.position, control_number=r.control_number, status_code=r.status_code,
        payer_claim_number=r.payer_claim_number, claim_id=r.claim_id or 0, patient_id=r.patient_id or 0,
        patient_name=r.patient_name or "", date_of_service=dates.to_pb(r.date_of_service),
        charge_cents=r.charge_cents, paid_cents=r.paid_cents, contractual_cents=r.contractual_cents,
        patient_cents=r.patient_cents, denied_cents=r.denied_cents, outcome=OUTCOMES[r.outcome],
        exception=r.exception, underpaid_cents=r.underpaid_cents) for r in rows]


_UNDERPAYMENTS_SQL = """
SELECT u.*, c.patient_id, c.date_of_service, l.code, l.charge_cents, l.expected_allowed_cents, y.name AS payer_name,
       p.last_name || ', ' || p.first_name AS patient_name
  FROM underpayment u
  JOIN claim c ON c.practice_id = u.practice_id AND c.id = u.claim_id
  JOIN claim_line l ON l.practice_id = u.practice_id AND l.claim_id = u.claim_id AND l.line_number = u.line_number
  JOIN payer y ON y.practice_id = c.practice_id AND y.id = c.payer_id
  JOIN patient p ON p.practice_id = c.practice_id AND p.id = c.patient_id
 WHERE u.practice_id = :p AND u.status = 'open' ORDER BY u.id LIMIT :limit"""


async def open_underpayments(ctx: CallContext, limit: int) -> pb.ListUnderpaymentsResponse:
    if limit < 0 or limit > 2000:
        raise InvalidArgument.one("limit", "must be between 0 and 2000")
    rows = await raw.fetch_all(ctx.db, _UNDERPAYMENTS_SQL, {"p": ctx.practice_id, "limit": limit or 200})
    out = pb.ListUnderpaymentsResponse(underpayments=[pb.Underpayment(
        underpayment_id=r.id, claim_id=r.claim_id, patient_id=r.patient_id, patient_name=r.patient_name,
        line_number=r.line_number, code=r.code, date_of_service=dates.to_pb(r.date_of_service),
        charge_cents=r.charge_cents, expected_allowed_cents=r.expected_allowed_cents or 0,
        allowed_cents=r.allowed_cents, short_cents=r.short_cents, payer_name=r.payer_name,
        remittance_id=r.remittance_id) for r in rows])
    out.total_short_cents = sum(u.short_cents for u in out.underpayments)
    return out


def _reason_text(reason: str) -> str:
    code = reason.partition("-")[2]
    return f"{reason} {carc_text(code)}"


async def open_denials(ctx: CallContext, limit: int) -> list[pb.Denial]:
    if limit < 0 or limit > 2000:
        raise InvalidArgument.one("limit", "must be between 0 and 2000")
    rows = await raw.fetch_all(ctx.db, _DENIALS_SQL, {"p": ctx.practice_id, "limit": limit or 200})
    return [pb.Denial(
        denial_id=r.id, claim_id=r.claim_id, patient_id=r.patient_id, patient_name=r.patient_name,
        line_number=r.line_number or 0, code=r.code or "", date_of_service=dates.to_pb(r.date_of_service),
        charge_cents=r.charge_cents, reasons=[_reason_text(x) for x in r.reasons],
        remarks=[f"{x} {rarc_text(x)}" for x in r.remarks], suggested_action=r.suggested_action,
        payer_name=r.payer_name, remittance_id=r.remittance_id) for r in rows]
