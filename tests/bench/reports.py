"""Reports over mutual TLS on a practice with 1,000,000 charge lines (full scale): A/R aging (target: p99 <=
500 ms), the dashboard (target: <= 1 s), and one run of each money report over a month.

The practice's money is generated straight into the tables in a few set-based statements, shaped like two years of
a real practice: visits with one to four charge lines, most insured; payers pay 90% of what they owe a month after
the visit (the rest stays open: denials, slow payers), with contractual adjustments and a patient share; patients
pay 80% of what they owe. Everything goes through the ledger's own rules (entries balance at commit; the rollup
trigger keeps the open balances and the daily totals).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import psycopg

from server.demo import wait_until_serving
from server.encounters.synthetic import _CHARGES
from server.patients.synthetic_load import load_population
from server.scheduling.synthetic import load_schedule
from shared import dates
from shared.pms.reports.v1 import reports_pb2 as rp
from tests.bench.common import pct, start_serve
from tests.support import BENCH_SETTINGS, Client, Cluster, RunningServer, make_installation

# Visits have 1-4 lines (2.5 on average): 400,000 visits make 1,000,000 charge lines.
SCALES = {"small": {"patients": 300, "providers": 4, "visits": 2_000, "reads": 10},
          "full": {"patients": 20_000, "providers": 20, "visits": 400_000, "reads": 100}}
PASSWORD = "bench-password-123"

_VISITS = """
INSERT INTO encounter (practice_id, patient_id, rendering_provider_id, location_id, place_of_service,
                       date_of_service, status, diagnoses, version)
SELECT %(p)s, pt.ids[1 + (g * 7919) %% array_length(pt.ids, 1)], pv.ids[1 + g %% array_length(pv.ids, 1)],
       lc.ids[1 + (g / 7) %% array_length(lc.ids, 1)], '11', %(today)s - ((g * 104729) %% 730)::int, 'billed',
       '{I10}', 2
  FROM generate_series(1::bigint, %(n)s) g,
       (SELECT array_agg(id ORDER BY id) AS ids FROM patient WHERE practice_id = %(p)s) pt,
       (SELECT array_agg(id ORDER BY id) AS ids FROM provider WHERE practice_id = %(p)s) pv,
       (SELECT array_agg(id ORDER BY id) AS ids FROM location WHERE practice_id = %(p)s) lc
RETURNING id"""

_LINES = """
INSERT INTO encounter_line (practice_id, encounter_id, line_number, code_system, code, units, dx_pointers, fee_cents)
SELECT %(p)s, e.id, n, 'cpt', (ARRAY['99214', '36415', '80053', '93000'])[n], 1, '{1}',
       (ARRAY[18000, 2500, 4500, 6000])[n]
  FROM encounter e, generate_series(1, 1 + e.id %% 4) n
 WHERE e.practice_id = %(p)s AND e.id = ANY(%(ids)s)"""

# A payer pays most of what it owes a month after the visit: 60% paid, 10% to the patient, the rest contractual.
_INSURANCE_PAID = """
WITH due AS (
  SELECT b.encounter_id, b.payer_id, b.patient_id, b.balance_cents AS cents, e.date_of_service,
         b.balance_cents * 6 / 10 AS paid, b.balance_cents / 10 AS share
    FROM ar_balance b JOIN encounter e ON e.practice_id = b.practice_id AND e.id = b.encounter_id
   WHERE b.practice_id = %(p)s AND b.account = 'insurance_ar' AND b.balance_cents > 0
     AND e.date_of_service < %(today)s - 45 AND b.encounter_id %% 10 <> 0),
made AS (
  INSERT INTO ledger_entry (practice_id, patient_id, encounter_id, kind, idempotency_key, posted_by_name,
                            insurance_cents, patient_cents, business_date)
  SELECT %(p)s, patient_id, encounter_id, 'insurance_payment', 'bench-era:' || encounter_id, 'bench', -cents,
         share, date_of_service + 30
    FROM due
  RETURNING id, encounter_id)
INSERT INTO ledger_line (practice_id, entry_id, account, payer_id, patient_id, encounter_id, amount_cents)
SELECT %(p)s, m.id, a.account, a.payer_id, d.patient_id, d.encounter_id, a.cents
  FROM made m JOIN due d ON d.encounter_id = m.encounter_id,
  LATERAL (VALUES ('undeposited_funds', NULL::bigint, d.paid), ('contractual', d.payer_id, d.cents - d.paid - d.share),
                  ('patient_ar', NULL, d.share), ('insurance_ar', d.payer_id, -d.cents)) a(account, payer_id, cents)
 WHERE a.cents <> 0"""

_PATIENT_PAID = """
WITH due AS (
  SELECT b.encounter_id, b.patient_id, b.balance_cents AS cents, e.date_of_service
    FROM ar_balance b JOIN encounter e ON e.practice_id = b.practice_id AND e.id = b.encounter_id
   WHERE b.practice_id = %(p)s AND b.account = 'patient_ar' AND b.balance_cents > 0
     AND e.date_of_service < %(today)s - 90 AND b.encounter_id %% 5 <> 0),
made AS (
  INSERT INTO ledger_entry (practice_id, patient_id, encounter_id, kind, idempotency_key, posted_by_name,
                            patient_cents, business_date)
  SELECT %(p)s, patient_id, encounter_id, 'patient_payment', 'bench-pay:' || encounter_id, 'bench', -cents,
         date_of_service + 75
    FROM due
  RETURNING id, encounter_id)
INSERT INTO ledger_line (practice_id, entry_id, account, patient_id, encounter_id, amount_cents)
SELECT %(p)s, m.id, a.account, d.patient_id, d.encounter_id, a.cents
  FROM made m JOIN due d ON d.encounter_id = m.encounter_id,
  LATERAL (VALUES ('undeposited_funds', d.cents), ('patient_ar', -d.cents)) a(account, cents)"""


def _generate(cluster: Cluster, inst: object, visits: int, today: date) -> tuple[int, float]:
    """Fills the ledger; returns (charge lines, seconds)."""
    started = time.monotonic()
    p = inst.settings.practice_id  # type: ignore[attr-defined]
    with psycopg.connect(cluster.app_conninfo(inst.urls)) as conn:  # type: ignore[attr-defined]
        # The planner cannot know how many rows an INSERT ... RETURNING gives; joined back to its source it picks a
        # nested loop over a spilled CTE (quadratic). Hash joins are right for every statement here.
        conn.execute("SET enable_nestloop = off")
        ids = [r[0] for r in conn.execute(_VISITS, {"p": p, "n": visits, "today": today})]
        conn.execute(_LINES, {"p": p, "ids": ids})
        conn.execute(_CHARGES, (p, ids))
        conn.commit()
        conn.execute(_INSURANCE_PAID, {"p": p, "today": today})
        conn.commit()
        conn.execute(_PATIENT_PAID, {"p": p, "today": today})
        conn.commit()
        row = conn.execute("SELECT count(*) FROM ledger_entry WHERE practice_id = %s AND kind = 'charge'",
                           (p,)).fetchone()
    with psycopg.connect(cluster.owner_conninfo(inst.urls), autocommit=True) as conn:  # type: ignore[attr-defined]
        conn.execute("VACUUM (ANALYZE) encounter, encounter_line, ledger_entry, ledger_line, ar_balance, "
                     "ledger_day_total")
    return int(row[0]) if row else 0, time.monotonic() - started


async def _timed(n: int, call: object) -> tuple[list[float], object]:
    samples, last = [], None
    for _ in range(n):
        t = time.perf_counter()
        last = await call()  # type: ignore[operator]
        samples.append((time.perf_counter() - t) * 1000)
    return samples, last


async def run_reports(scale: str) -> list[tuple[str, int, float, float]]:
    sizes = SCALES[scale]
    root = Path(tempfile.mkdtemp(prefix="pms-bench-reports-"))
    cluster = Cluster(root, BENCH_SETTINGS)
    try:
        inst = await make_installation(cluster, root / "data")
        await asyncio.to_thread(load_population, inst, sizes["patients"], seed=8)
        await asyncio.to_thread(load_schedule, inst, providers=sizes["providers"], appointments=50, days_ahead=0,
                                locations=2, seed=8)
        with psycopg.connect(cluster.app_conninfo(inst.urls)) as conn:
            zone = conn.execute("SELECT time_zone FROM practice WHERE id = %s",
                                (inst.settings.practice_id,)).fetchone()
        from datetime import datetime
        from zoneinfo import ZoneInfo
        today = datetime.now(ZoneInfo(zone[0] if zone else "UTC")).date()
        lines, seconds = await asyncio.to_thread(_generate, cluster, inst, sizes["visits"], today)
        print(f"reports bench: {lines:,} charge lines generated in {seconds:.0f} s", flush=True)
        helper = RunningServer(inst)
        await helper.add_user("bench-manager", ["manager"], PASSWORD)
        bundle = await helper.enroll("bench-reports")
        proc, port = start_serve(inst)
        client = Client(replace(bundle, server_address=f"127.0.0.1:{port}"))
        out: list[tuple[str, int, float, float]] = []
        try:
            await asyncio.to_thread(lambda: wait_until_serving(client.bundle).close())
            await client.login("bench-manager", PASSWORD)

            def report(key: str, flt: rp.ReportFilter | None = None) -> object:
                async def call() -> rp.ReportTable:
                    return (await client.reports.RunReport(rp.RunReportRequest(
                        report=key, filter=flt or rp.ReportFilter()), metadata=client.md, timeout=120)).table
                return call

            reads = sizes["reads"]
            for key, flt, label in (
                    ("ar_aging_insurance", None, "by payer, by date of service"),
                    ("ar_aging_insurance", rp.ReportFilter(aging_basis=rp.AGING_BASIS_DATE_BILLED),
                     "by payer, by date billed"),
                    ("ar_aging_patient", None, "by patient")):
                samples, table = await _timed(reads, report(key, flt))
                out.append((f"A/R aging {label}: {len(table.rows):,} rows",  # type: ignore[attr-defined]
                            len(samples), pct(samples, 50), pct(samples, 99)))

            async def board() -> rp.GetDashboardResponse:
                return await client.reports.GetDashboard(rp.GetDashboardRequest(), metadata=client.md, timeout=120)
            samples, _ = await _timed(reads, board)
            out.append(("GetDashboard: 8 KPIs x 2 months, 12-month trend, aging", len(samples), pct(samples, 50),
                        pct(samples, 99)))
            last_month_end = today.replace(day=1) - timedelta(days=1)
            month = rp.ReportFilter(**{"from": dates.to_pb(last_month_end.replace(day=1))},  # type: ignore[arg-type]
                                    to=dates.to_pb(last_month_end))
            for key in ("collections", "day_sheet", "days_in_ar", "revenue_per_visit", "payer_mix",
                        "provider_productivity", "top_procedures"):
                samples, table = await _timed(3, report(key, month))
                out.append((f"{key} for last month: {len(table.rows):,} rows",  # type: ignore[attr-defined]
                            len(samples), pct(samples, 50), pct(samples, 99)))
        finally:
            await client.close()
            proc.terminate()
            proc.wait(timeout=30)
        out.insert(0, (f"(practice: {lines:,} charge lines; {sizes['visits']:,} visits)", 0, 0.0, 0.0))
        return out
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
