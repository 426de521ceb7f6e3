"""The dashboard's figures, from the summaries the ledger keeps (ledger_day_total, ar_balance) and small indexed
reads of claims, ERAs and appointments: a month's KPIs in a few milliseconds whatever the ledger's size."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from server.reports.filters import month_end
from server.reports.financial import BUCKETS
from server.reports.table import quotient, ratio
from server.rpc.context import CallContext

# Days in A/R looks back this far for the average daily charges (the usual definition).
DAYS_IN_AR_WINDOW = 90

_MONTHLY = text("""
SELECT date_trunc('month', business_date)::date AS month,
       coalesce(-sum(amount_cents) FILTER (WHERE account = 'charges'), 0) AS charges,
       coalesce(sum(amount_cents) FILTER (WHERE account = 'undeposited_funds'
                 AND kind IN ('insurance_payment', 'patient_payment', 'payment_reversal')), 0)
       - coalesce(-sum(amount_cents) FILTER (WHERE account = 'refunds_payable' AND kind = 'refund'), 0)
         AS collections,
       coalesce(sum(amount_cents) FILTER (WHERE account IN ('insurance_ar', 'patient_ar')), 0) AS ar_change,
       coalesce(sum(amount_cents) FILTER (WHERE account = 'contractual'), 0) AS contractual
  FROM ledger_day_total WHERE practice_id = :p AND business_date <= :until
 GROUP BY 1 ORDER BY 1""")

_DAILY_CHARGES = text("""
SELECT coalesce(-sum(amount_cents), 0) FROM ledger_day_total
 WHERE practice_id = :p AND account = 'charges' AND business_date > :since AND business_date <= :until""")


async def monthly(ctx: CallContext, until: date) -> dict[date, tuple[int, int, int, int]]:
    """Per month up to `until`: (charges, collections, A/R at the month's end, contractual)."""
    found = (await ctx.db.execute(_MONTHLY, {"p": ctx.practice_id, "until": until})).all()
    out, ar = {}, 0
    for m, charges, collections, ar_change, contractual in found:
        ar += int(ar_change)
        out[m] = (int(charges), int(collections), ar, int(contractual))
    return out


def ar_on(months: dict[date, tuple[int, int, int, int]], month: date) -> int:
    """A/R at the end of `month` (the last month with postings on or before it)."""
    before = [m for m in months if m <= month]
    return months[max(before)][2] if before else 0


async def days_in_ar(ctx: CallContext, ar: int, on: date) -> int | None:
    """A/R / average daily charges over the 90 days ending `on`, in tenths of a day."""
    charges = (await ctx.db.execute(_DAILY_CHARGES, {"p": ctx.practice_id, "since": on - timedelta(
        days=DAYS_IN_AR_WINDOW), "until": on})).scalar_one()
    return quotient(int(ar) * DAYS_IN_AR_WINDOW, int(charges), 1)


_CLAIMS = text("""
WITH first AS (
  SELECT c.id, c.first_scrub_clean, bool_or(ev.to_status = 'rejected') AS rejected
    FROM claim c JOIN claim_event ev ON ev.practice_id = c.practice_id AND ev.claim_id = c.id
   WHERE c.practice_id = :p AND c.frequency = '1'
     AND c.id IN (SELECT claim_id FROM claim_event WHERE practice_id = :p AND to_status = 'sent'
                     AND at >= :start_at AND at < :end_at)
   GROUP BY c.practice_id, c.id
  HAVING min(ev.at) FILTER (WHERE ev.to_status = 'sent') >= :start_at)
SELECT count(*), count(*) FILTER (WHERE first_scrub_clean AND NOT rejected) FROM first""")

_DENIALS = text("""
SELECT count(*), count(*) FILTER (WHERE rc.status_code = '4' OR rc.denied_cents > 0)
  FROM remittance_claim rc JOIN remittance r ON r.practice_id = rc.practice_id AND r.id = rc.remittance_id
 WHERE rc.practice_id = :p AND rc.outcome = 'posted' AND rc.status_code <> '22'
   AND r.payment_date >= :start AND r.payment_date <= :end""")

# No-show rate = no-shows / (kept + no-shows), as the appointment reports define it (server/reports/appointments.py).
_APPOINTMENTS = text("""
SELECT count(*) FILTER (WHERE a.status <> 'cancelled'), count(*) FILTER (WHERE a.status = 'no_show')
  FROM appointment a JOIN location loc ON loc.practice_id = a.practice_id AND loc.id = a.location_id
 WHERE a.practice_id = :p AND a.starts_at >= :start_at - interval '1 day' AND a.starts_at < :end_at + interval '1 day'
   AND (a.starts_at AT TIME ZONE loc.time_zone)::date BETWEEN :start AND :end
   AND a.status IN ('no_show', 'arrived', 'roomed', 'seen', 'checked_out')""")

_VISITS = text("""
SELECT count(DISTINCT encounter_id) FROM ledger_entry
 WHERE practice_id = :p AND kind = 'charge' AND business_date BETWEEN :start AND :end""")


async def month_kpis(ctx: CallContext, month: date, today: date, zone: str,
                     months: dict[date, tuple[int, int, int, int]]) -> dict[str, int | None]:
    start, end = month, min(month_end(month), today)
    if start > today:
        return {}
    params = {"p": ctx.practice_id, "start": start, "end": end, "today": today, "tz": zone,
              "start_at": _midnight(start, zone), "end_at": _midnight(end + timedelta(days=1), zone)}
    charges, collections, _, contractual = months.get(month, (0, 0, 0, 0))
    ar = ar_on(months, month)
    sent, clean = (await ctx.db.execute(_CLAIMS, params)).one()  # counts: ints
    adjudicated, denied = (await ctx.db.execute(_DENIALS, params)).one()
    due, no_shows = (await ctx.db.execute(_APPOINTMENTS, params)).one()
    visits = (await ctx.db.execute(_VISITS, params)).scalar_one()
    return {"days_in_ar": await days_in_ar(ctx, ar, end), "clean_claim_rate": ratio(clean, sent),
            "denial_rate": ratio(denied, adjudicated), "no_show_rate": ratio(no_shows, due),
            "net_collection_rate": ratio(collections, charges - contractual), "charges": charges,
            "collections": collections, "visits": int(visits)}


def _midnight(d: date, zone: str) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(zone))


_AGING = text(f"""
SELECT {', '.join(
    f"coalesce(sum(b.balance_cents) FILTER (WHERE b.account = '{acct}' AND "
    f"(:today - e.date_of_service) {'>= ' + str(low) if low else '>= -100000'}"
    f"{' AND (:today - e.date_of_service) <= ' + str(high) if high is not None else ''}), 0)"
    for _, low, high in BUCKETS for acct in ('insurance_ar', 'patient_ar'))}
  FROM ar_balance b JOIN encounter e ON e.practice_id = b.practice_id AND e.id = b.encounter_id
 WHERE b.practice_id = :p AND b.balance_cents <> 0""")


async def aging_buckets(ctx: CallContext, today: date) -> list[tuple[int, int]]:
    row = (await ctx.db.execute(_AGING, {"p": ctx.practice_id, "today": today})).one()
    return [(int(row[2 * i]), int(row[2 * i + 1])) for i in range(len(BUCKETS))]
