"""Demo and load-test encounters: every seen appointment coded the way a family practice codes its visits.

CPT is licensed, so the demo loads CPT codes with neutral descriptions written by this project (a practice loads its
own licensed file instead). Code frequencies follow a typical office: most visits are established-patient E/M
level 3 or 4; a third carry a lab or a procedure. Rows go in with COPY, so the generator scales to millions of lines.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from server.codes import releases
from server.codes.files import NewCode
from server.db.raw import conninfo
from server.runtime import Installation

DEMO_CPT_LABEL = "Demo CPT (neutral descriptions by the PMS project)"
# code, neutral description, the demo practice's fee in cents
DEMO_CPT: tuple[tuple[str, str, int], ...] = (
    ("99202", "Office visit, new patient, straightforward decision making", 9500),
    ("99203", "Office visit, new patient, low complexity", 14500),
    ("99204", "Office visit, new patient, moderate complexity", 21500),
    ("99205", "Office visit, new patient, high complexity", 28000),
    ("99211", "Office visit, established patient, nurse visit", 3000),
    ("99212", "Office visit, established patient, straightforward", 7500),
    ("99213", "Office visit, established patient, low complexity", 12500),
    ("99214", "Office visit, established patient, moderate complexity", 18000),
    ("99215", "Office visit, established patient, high complexity", 25000),
    ("99385", "Preventive visit, new patient, 18-39 years", 22000),
    ("99386", "Preventive visit, new patient, 40-64 years", 25000),
    ("99395", "Preventive visit, established patient, 18-39 years", 19000),
    ("99396", "Preventive visit, established patient, 40-64 years", 21000),
    ("99391", "Preventive visit, established patient, under 1 year", 15000),
    ("99392", "Preventive visit, established patient, 1-4 years", 16000),
    ("99393", "Preventive visit, established patient, 5-11 years", 16000),
    ("99394", "Preventive visit, established patient, 12-17 years", 17500),
    ("99397", "Preventive visit, established patient, 65 years and over", 23000),
    ("36415", "Blood draw by venipuncture", 1500),
    ("81002", "Urine dipstick test, non-automated, without microscopy", 1200),
    ("82962", "Blood glucose by a home-use device", 1000),
    ("85025", "Complete blood count with differential, automated", 3500),
    ("80053", "Comprehensive metabolic panel", 4500),
    ("87880", "Rapid strep test", 2800),
    ("93000", "Electrocardiogram with interpretation and report", 6000),
    ("94010", "Spirometry", 7500),
    ("96372", "Injection of a drug, under the skin or into a muscle", 3500),
    ("90471", "Administration of one vaccine", 3000),
    ("90686", "Influenza vaccine, quadrivalent, preservative free, intramuscular", 4000),
    ("20610", "Injection or aspiration of a major joint", 15000),
    ("69210", "Removal of impacted ear wax, one ear", 7000),
    ("17110", "Destruction of benign lesions such as warts, up to 14", 14000),
    ("99406", "Counseling to quit smoking, 3 to 10 minutes", 2500),
)
FEES = {code: fee for code, _, fee in DEMO_CPT}

# Common billable diagnoses of a family practice (ICD-10-CM FY2026), with how often each is seen.
DIAGNOSES: tuple[tuple[str, int], ...] = (
    ("I10", 30), ("E119", 20), ("E785", 18), ("J069", 10), ("M5450", 8), ("Z0000", 10), ("Z0001", 4),
    ("J029", 6), ("K219", 6), ("F419", 6), ("E6601", 5), ("J309", 5), ("R051", 4), ("N390", 4), ("M1711", 3),
    ("E039", 5), ("F329", 4), ("G4700", 3), ("R519", 3), ("Z23", 6), ("F17210", 3), ("H6121", 2), ("B079", 2),
)

_EM_ESTABLISHED = (("99212", 10), ("99213", 50), ("99214", 33), ("99215", 5), ("99211", 2))
_EM_NEW = (("99202", 10), ("99203", 45), ("99204", 38), ("99205", 7))
# Established-patient preventive visits by age on the date of service (the scrubber checks the same table).
_PREVENTIVE_BY_AGE = ((1, "99391"), (5, "99392"), (12, "99393"), (18, "99394"), (40, "99395"), (65, "99396"),
                      (10_000, "99397"))
# Extra services by how often a visit has one, with the diagnosis that usually goes with it.
_EXTRAS = (("36415", 12, None), ("85025", 6, None), ("80053", 6, None), ("81002", 4, "N390"),
           ("87880", 5, "J029"), ("93000", 3, "I10"), ("90471", 4, "Z23"), ("96372", 3, None),
           ("69210", 2, "H6121"), ("17110", 2, "B079"), ("99406", 2, "F17210"), ("20610", 2, "M1711"))


@dataclass
class EncounterLoad:
    encounters: int
    lines: int
    ready: int
    seconds: float


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in weighted], [w for _, w in weighted])[0]


def ensure_demo_cpt(conn: psycopg.Connection[Any]) -> bool:
    """Loads the demo's CPT codes unless the database has a CPT release (the practice's own)."""
    if conn.execute("SELECT 1 FROM code_release WHERE system = 'cpt' LIMIT 1").fetchone():
        return False
    releases.import_release(conn, "cpt", DEMO_CPT_LABEL, date(2020, 1, 1), "PMS demo",
                            [NewCode(code, text) for code, text, _ in DEMO_CPT])
    return True


def _preventive(age: int) -> str:
    return next(code for below, code in _PREVENTIVE_BY_AGE if age < below)


def _visit(rng: random.Random, type_name: str, age: int = 40) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """Diagnoses and (code, dx pointers) lines for one visit of this type."""
    if type_name == "Annual physical":
        diagnoses = [rng.choice(["Z0000", "Z0001"])]
        lines = [(_preventive(age), [1])]
    else:
        diagnoses = []
        for _ in range(rng.choices([1, 2, 3], [50, 35, 15])[0]):
            code = _pick(rng, DIAGNOSES)
            if code not in diagnoses and not code.startswith("Z00"):
                diagnoses.append(code)
        diagnoses = diagnoses or ["I10"]
        em = _pick(rng, _EM_NEW if type_name == "New patient" else _EM_ESTABLISHED)
        lines = [(em, list(range(1, min(len(diagnoses), 4) + 1)))]
    for code, percent, goes_with in _EXTRAS:
        if rng.randrange(100) < percent and len(diagnoses) < 12:
            if goes_with is not None and goes_with not in diagnoses:
                diagnoses.append(goes_with)
            pointer = diagnoses.index(goes_with) + 1 if goes_with else 1
            if pointer <= 12 and all(code != c for c, _ in lines):
                lines.append((code, [pointer]))
    return diagnoses, lines


# Visits still to code, oldest first; read through a server-side cursor, BATCH at a time.
_VISITS = """
    SELECT a.id, a.patient_id, a.provider_id, a.location_id, l.place_of_service,
           (a.starts_at AT TIME ZONE l.time_zone)::date AS dos, t.name,
           extract(year FROM age((a.starts_at AT TIME ZONE l.time_zone)::date, p.date_of_birth))::int AS age
      FROM appointment a
      JOIN location l ON l.practice_id = a.practice_id AND l.id = a.location_id
      JOIN patient p ON p.practice_id = a.practice_id AND p.id = a.patient_id
      JOIN appointment_type t ON t.practice_id = a.practice_id AND t.id = a.appointment_type_id
     WHERE a.practice_id = %s AND a.status IN ('seen', 'checked_out')
       AND NOT EXISTS (SELECT 1 FROM encounter e WHERE e.practice_id = a.practice_id AND e.appointment_id = a.id)
     ORDER BY a.starts_at, a.id"""
BATCH = 50_000


def load_encounters(inst: Installation, *, seed: int = 1, ready_share: float = 0.7, batch: int = BATCH,
                    progress: Callable[[int, int], None] | None = None) -> EncounterLoad:
    """An encounter for every seen or checked-out appointment that has none; ``ready_share`` of them posted.

    Memory stays flat at any size: visits come ``batch`` at a time from a server-side cursor, and each batch draws
    its ids and goes in with COPY before the next is read. One transaction: an interrupted load leaves nothing, and
    running it again codes only what is still uncoded. ``progress(done, total)`` after each batch.
    """
    started = time.monotonic()
    rng = random.Random(seed)
    practice_id = inst.settings.practice_id
    done = EncounterLoad(0, 0, 0, 0.0)
    with psycopg.connect(conninfo(inst.urls.app_url), client_encoding="utf8") as conn:
        ensure_demo_cpt(conn)
        total = 0
        if progress is not None:
            row = conn.execute("SELECT count(*) FROM (" + _VISITS + ") v", (practice_id,)).fetchone()
            total = int(row[0]) if row else 0
        # Every row will be read: plan for all of them, not for a fast first batch.
        conn.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        with conn.cursor(name="pms_visits_to_code") as visits, conn.cursor() as cur:
            visits.execute(_VISITS, (practice_id,))
            while rows := visits.fetchmany(batch):
                _code_batch(cur, rng, practice_id, rows, ready_share, done)
                if progress is not None:
                    progress(done.encounters, total)
        conn.commit()
    if done.encounters:
        _analyze(inst)
    done.seconds = time.monotonic() - started
    return done


def _code_batch(cur: psycopg.Cursor[Any], rng: random.Random, practice_id: int, visits: list[tuple[Any, ...]],
                ready_share: float, done: EncounterLoad) -> None:
    # Ids drawn from the table's own sequence, so encounters made later through the API never collide.
    ids = [r[0] for r in cur.execute(
        "SELECT nextval(pg_get_serial_sequence('encounter', 'id')) FROM generate_series(1, %s)", (len(visits),))]
    encounters: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    posted: list[int] = []
    for next_id, (appt_id, patient_id, provider_id, location_id, pos, dos, type_name, age) in zip(
            ids, visits, strict=True):
        diagnoses, coded = _visit(rng, type_name, age)
        ready = rng.random() < ready_share
        encounters.append((practice_id, next_id, patient_id, appt_id, provider_id, location_id, pos, dos,
                           "ready" if ready else "open", diagnoses, 2 if ready else 1))
        for n, (code, pointers) in enumerate(coded, 1):
            lines.append((practice_id, next_id, n, "cpt", code, [], 1, pointers, FEES[code]))
        if ready:
            posted.append(next_id)
        done.ready += ready
    with cur.copy("COPY encounter (practice_id, id, patient_id, appointment_id, rendering_provider_id, "
                  "location_id, place_of_service, date_of_service, status, diagnoses, version) "
                  "FROM STDIN") as copy:
        for row in encounters:
            copy.write_row(row)
    with cur.copy("COPY encounter_line (practice_id, encounter_id, line_number, code_system, code, "
                  "modifiers, units, dx_pointers, fee_cents) FROM STDIN") as copy:
        for row in lines:
            copy.write_row(row)
    if posted:
        cur.execute(_CHARGES, (practice_id, posted))
    done.encounters += len(encounters)
    done.lines += len(lines)


# Each line of the visits made ready posts as MarkReadyToBill posts it: owed by the coverage on the date of service,
# or by the patient, against the practice's charges; the entry keeps what it changed in the patient's accounts and
# belongs to the day the visit was coded (its date of service; the database's own date is UTC's, not the practice's).
_CHARGES = """
WITH owed AS (
  SELECT l.practice_id, n.patient_id, l.encounter_id, l.line_number, l.code, l.fee_cents, n.date_of_service,
         (SELECT p.payer_id FROM insurance_policy p
           WHERE p.practice_id = n.practice_id AND p.patient_id = n.patient_id
             AND p.effective_date <= n.date_of_service
             AND (p.termination_date IS NULL OR p.termination_date >= n.date_of_service)
           ORDER BY p.priority NULLS LAST, p.effective_date DESC, p.id LIMIT 1) AS payer_id
    FROM encounter_line l
    JOIN encounter n ON n.practice_id = l.practice_id AND n.id = l.encounter_id
   WHERE l.practice_id = %s AND l.encounter_id = ANY(%s)),
made AS (
  INSERT INTO ledger_entry (practice_id, patient_id, encounter_id, line_number, code, kind, idempotency_key,
                            posted_by_name, insurance_cents, patient_cents, business_date)
  SELECT practice_id, patient_id, encounter_id, line_number, code, 'charge',
         'encounter:' || encounter_id || ':posting:1:line:' || line_number, 'demo',
         CASE WHEN payer_id IS NULL THEN 0 ELSE fee_cents END, CASE WHEN payer_id IS NULL THEN fee_cents ELSE 0 END,
         date_of_service
    FROM owed
  RETURNING practice_id, id, encounter_id, line_number)
INSERT INTO ledger_line (practice_id, entry_id, account, payer_id, patient_id, encounter_id, line_number,
                         amount_cents)
SELECT m.practice_id, m.id, a.account, a.payer_id, o.patient_id, o.encounter_id, o.line_number, a.cents
  FROM made m
  JOIN owed o ON o.encounter_id = m.encounter_id AND o.line_number = m.line_number,
  LATERAL (VALUES (CASE WHEN o.payer_id IS NULL THEN 'patient_ar' ELSE 'insurance_ar' END, o.payer_id, o.fee_cents),
                  ('charges', NULL, -o.fee_cents)) a(account, payer_id, cents)"""


def _analyze(inst: Installation) -> None:
    """Planner statistics and the visibility map for the new rows, as after the other bulk loads."""
    url = inst.urls.owner_url or inst.urls.app_url
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) encounter, encounter_line, ledger_entry, ledger_line")
