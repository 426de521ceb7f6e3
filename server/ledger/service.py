"""Reading the ledger: a patient's account entry by entry, with running balances."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from google.type.date_pb2 import Date

from server.patients import service as patients
from server.rpc.context import CallContext
from shared.pms.ledger.v1 import ledger_pb2 as pb

# One row per entry of the patient, with what it changed in their accounts (kept on the entry: one index range).
_PATIENT_LEDGER_SQL = """
SELECT id, kind, business_date, extract(epoch FROM posted_at)::float8, posted_by_name, encounter_id, line_number,
       code, note, insurance_cents, patient_cents, credit_cents
  FROM ledger_entry
 WHERE practice_id = %(p)s AND patient_id = %(patient)s
 ORDER BY id"""

# The dates of service of the patient's visits (a ledger names the same few visits thousands of times).
_VISITS_SQL = "SELECT id, date_of_service FROM encounter WHERE practice_id = %(p)s AND patient_id = %(patient)s"


@lru_cache(maxsize=4096)
def _date(value: date) -> Date:
    # A ledger repeats the same few hundred dates thousands of times; each message is made once.
    return Date(year=value.year, month=value.month, day=value.day)


async def patient_ledger(ctx: CallContext, patient_id: int) -> pb.GetPatientLedgerResponse:
    await patients.read(ctx.db, ctx.practice_id, patient_id)
    params = {"p": ctx.practice_id, "patient": patient_id}
    # Plain tuples straight from the driver: thousands of rows, no per-row objects beyond the messages.
    conn = await ctx.db.connection()
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    async with driver.cursor() as cur:
        await cur.execute(_VISITS_SQL, params)
        visits = {enc: _date(dos) for enc, dos in await cur.fetchall()}
        await cur.execute(_PATIENT_LEDGER_SQL, params)
        rows = await cur.fetchall()
    out = pb.GetPatientLedgerResponse()
    insurance = patient = credit = 0
    add = out.rows.add  # adding in place and copying the cached dates in is twice as fast as building rows
    for (entry, kind, day, posted, by, enc, line, code, note, ins, pat, cred) in rows:
        insurance += ins
        patient += pat
        credit += cred
        row = add(entry_id=entry, kind=kind, posted_by=by, encounter_id=enc or 0, line_number=line or 0, code=code,
                  note=note, insurance_cents=ins, patient_cents=pat, credit_cents=cred,
                  insurance_balance_cents=insurance, patient_balance_cents=patient, credit_balance_cents=credit)
        row.business_date.CopyFrom(_date(day))
        if enc and enc in visits:
            row.date_of_service.CopyFrom(visits[enc])
        seconds = int(posted)
        row.posted_at.seconds, row.posted_at.nanos = seconds, round((posted - seconds) * 1e9)
    out.insurance_balance_cents, out.patient_balance_cents, out.credit_balance_cents = insurance, patient, credit
    return out
