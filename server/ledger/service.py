"""Reading the ledger: a patient's account entry by entry, with running balances."""

from __future__ import annotations

from server.db import raw
from server.patients import service as patients
from server.rpc.context import CallContext
from shared import dates
from shared.pms.ledger.v1 import ledger_pb2 as pb

# One row per entry that touched the patient's accounts: what it changed in each (credit shown as money held).
_PATIENT_LEDGER_SQL = """
SELECT e.id, e.kind, e.business_date, e.posted_at, e.posted_by_name, e.encounter_id, e.line_number, e.code,
       e.note, n.date_of_service,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.account = 'insurance_ar'), 0) AS insurance,
       coalesce(sum(l.amount_cents) FILTER (WHERE l.account = 'patient_ar'), 0) AS patient,
       coalesce(-sum(l.amount_cents) FILTER (WHERE l.account = 'unapplied_credit'), 0) AS credit
  FROM ledger_line l
  JOIN ledger_entry e ON e.practice_id = l.practice_id AND e.id = l.entry_id
  LEFT JOIN encounter n ON n.practice_id = e.practice_id AND n.id = e.encounter_id
 WHERE l.practice_id = :p AND l.patient_id = :patient
   AND l.account IN ('insurance_ar', 'patient_ar', 'unapplied_credit')
 GROUP BY e.practice_id, e.id, n.date_of_service
 ORDER BY e.id"""


async def patient_ledger(ctx: CallContext, patient_id: int) -> pb.GetPatientLedgerResponse:
    await patients.read(ctx.db, ctx.practice_id, patient_id)
    rows = await raw.fetch_all(ctx.db, _PATIENT_LEDGER_SQL, {"p": ctx.practice_id, "patient": patient_id})
    out = pb.GetPatientLedgerResponse()
    insurance = patient = credit = 0
    for r in rows:
        insurance += int(r.insurance)
        patient += int(r.patient)
        credit += int(r.credit)
        row = out.rows.add(entry_id=r.id, kind=r.kind, business_date=dates.to_pb(r.business_date),
                           posted_by=r.posted_by_name, encounter_id=r.encounter_id or 0,
                           line_number=r.line_number or 0, code=r.code, note=r.note,
                           insurance_cents=int(r.insurance), patient_cents=int(r.patient), credit_cents=int(r.credit),
                           insurance_balance_cents=insurance, patient_balance_cents=patient,
                           credit_balance_cents=credit)
        row.posted_at.FromDatetime(r.posted_at)
        if r.date_of_service is not None:
            row.date_of_service.CopyFrom(dates.to_pb(r.date_of_service))
    out.insurance_balance_cents, out.patient_balance_cents, out.credit_balance_cents = insurance, patient, credit
    return out
