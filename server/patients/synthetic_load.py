"""Loading a synthetic population (server.patients.synthetic) into a practice, fast enough for a million patients.

Rows are formatted in Python and sent with PostgreSQL COPY (psycopg 3), one transaction per batch: the batch's
patients, their insurance policies and one "imported" history entry each. Patient ids come from the table's own
identity sequence (nextval, so they never collide with patients the server registers meanwhile: the SSN's
encryption binds the row id, so it must be known before the row is written), and the MRNs from the practice's
counter, advanced past the whole batch in one statement as ``server.patients.service`` does one at a time.
A child process copies batch k while this one builds batch k+1 (server.db.bulk_copy), so Python and
PostgreSQL each keep a core busy.

Loads run as the server's own role (app URL): the rows are ordinary rows the server could have written.
ANALYZE, which only the table owner may run, uses the owner URL when there is one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from server.common.fieldcrypt import FieldCipher, lookup_hash
from server.db.bulk_copy import BatchWriter
from server.db.raw import conninfo
from server.patients.names import search_keys
from server.patients.search_query import member_key
from server.patients.synthetic import Person, Population
from server.patients.synthetic_tables import PAYERS
from server.payers.service import payer_values
from server.runtime import Installation
from shared.pms.common.v1 import contact_pb2
from shared.pms.payers.v1 import payers_pb2

IMPORT_USER = "demo-data"
BATCH = 5000

PATIENT_COLUMNS = (
    "practice_id", "id", "mrn", "first_name", "middle_name", "last_name", "suffix", "preferred_name",
    "date_of_birth", "sex", "gender_identity", "pronouns", "address_line1", "address_line2", "city", "state", "zip",
    "phone_mobile", "phone_home", "phone_work", "email", "preferred_contact_method", "reminder_consent",
    "preferred_language", "marital_status", "employment_status", "employer_name", "emergency_contact", "guarantor",
    "ssn_enc", "ssn_hash", "ssn_last4", "alerts", "notes", "status", "date_of_death", "search_last",
    "search_first", "search_names", "version")
POLICY_COLUMNS = (
    "practice_id", "patient_id", "payer_id", "plan_name", "member_id", "member_key", "group_number", "relationship",
    "subscriber", "effective_date", "termination_date", "priority", "copay_cents", "coinsurance_percent",
    "deductible_cents", "benefit_notes", "medicare_secondary_type", "accept_assignment", "signature_on_file",
    "ended_at", "version")
CHANGE_COLUMNS = ("practice_id", "patient_id", "version", "action", "changes", "user_id", "username")

# COPY text format. Rows are first joined with control characters the generator never produces
# (names and texts refuse control characters), then one pass per escape over the whole batch turns
# backslash, tab, newline and carriage return inside values into escapes and the placeholders into
# the field separator, the row end and NULL.
SEP, END, NULL = "\x1f", "\x1d", "\x1e"
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"), (SEP, "\t"), (END, "\n"),
            (NULL, "\\N"))
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_SELF_GUARANTOR = _json({"is_self": True})


def copy_text(rows: list[str]) -> bytes:
    """COPY text-format data from rows built with SEP, END and NULL."""
    data = "".join(rows)
    for raw, escaped in _ESCAPES:
        if raw in data:
            data = data.replace(raw, escaped)
    return data.encode()


@dataclass
class LoadResult:
    patients: int
    policies: int
    payers: int
    seconds: float
    first_mrn: str = ""
    last_mrn: str = ""


def _opt(value: date | datetime | int | None) -> str:
    return NULL if value is None else value.isoformat() if isinstance(value, date | datetime) else str(value)


# Names repeat a lot in a large population; the keys are still exactly what search_keys computes.
_search_keys = lru_cache(maxsize=100_000)(search_keys)


class _Rows:
    """Formats one batch: COPY text for the patients, their policies and their history entries."""

    def __init__(self, practice_id: int, cipher: FieldCipher, payer_ids: dict[str, int]) -> None:
        self.practice_id = practice_id
        self.cipher = cipher
        self.payer_ids = payer_ids
        self.patients: list[str] = []
        self.policies: list[str] = []
        self.changes: list[str] = []

    def add(self, p: Person, patient_id: int, mrn: str) -> None:
        pid = str(self.practice_id)
        row = str(patient_id)
        ssn_enc = ssn_hash = NULL
        if p.ssn:
            blob = self.cipher.encrypt(p.ssn.encode(), table="patient", column="ssn_enc", row=row)
            ssn_enc = "\\x" + blob.hex()  # bytea hex input; the backslash is escaped with the rest
            ssn_hash = "\\x" + lookup_hash(self.cipher, "ssn", p.ssn).hex()
        last_key, first_key, names = _search_keys(p.first_name, p.middle_name, p.last_name, p.preferred_name)
        a = p.address
        guarantor = _SELF_GUARANTOR if p.guarantor.get("is_self") else _json(p.guarantor)
        self.patients.append(SEP.join((
            pid, row, mrn, p.first_name, p.middle_name, p.last_name, p.suffix, p.preferred_name,
            p.date_of_birth.isoformat(), p.sex, p.gender_identity, p.pronouns, a.line1, a.line2, a.city, a.state,
            a.zip, p.phone_mobile, p.phone_home, p.phone_work, p.email, p.preferred_contact_method,
            "t" if p.reminder_consent else "f", p.preferred_language, p.marital_status, p.employment_status,
            p.employer_name, _json(p.emergency_contact), guarantor, ssn_enc, ssn_hash, p.ssn[-4:], p.alerts, p.notes,
            p.status, _opt(p.date_of_death), last_key, first_key, names, "1")) + END)
        for pol in p.policies:
            self.policies.append(SEP.join((
                pid, row, str(self.payer_ids[pol.payer]), pol.plan_name, pol.member_id, member_key(pol.member_id),
                pol.group_number, pol.relationship, NULL if pol.subscriber is None else _json(pol.subscriber),
                pol.effective_date.isoformat(), _opt(pol.termination_date), _opt(pol.priority), str(pol.copay_cents),
                str(pol.coinsurance_percent), str(pol.deductible_cents), pol.benefit_notes,
                pol.medicare_secondary_type, "t", "t" if pol.signature_on_file else "f", _opt(pol.ended_at),
                "1")) + END)
        self.changes.append(SEP.join((pid, row, "1", "imported", "[]", NULL, IMPORT_USER)) + END)

    def copies(self) -> list[tuple[str, bytes]]:
        return [(_copy_sql("patient", PATIENT_COLUMNS), copy_text(self.patients)),
                (_copy_sql("insurance_policy", POLICY_COLUMNS), copy_text(self.policies)),
                (_copy_sql("patient_change", CHANGE_COLUMNS), copy_text(self.changes))]


def _copy_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"COPY {table} ({', '.join(columns)}) FROM STDIN"


def ensure_payers(conn: psycopg.Connection[Any], practice_id: int) -> dict[str, int]:
    """The payer directory (synthetic_tables.PAYERS), added once; payer key -> payer row id."""
    ids: dict[str, int] = {}
    for key, name, payer_id, cfi, days, line1, line2, city, state, zip_code, phone in PAYERS:
        values = payer_values(payers_pb2.Payer(
            name=name, electronic_payer_id=payer_id, claim_filing_indicator=cfi, timely_filing_days=days,
            address=contact_pb2.PostalAddress(line1=line1, line2=line2, city=city, state=state, zip=zip_code),
            phone=contact_pb2.Phone(type=contact_pb2.PHONE_TYPE_WORK, number=phone), active=True))
        columns = ["practice_id", *values]
        row = conn.execute(
            f"INSERT INTO payer ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
            "ON CONFLICT (practice_id, name) DO NOTHING RETURNING id", [practice_id, *values.values()]).fetchone()
        if row is None:  # there already: keep the practice's own row as it is
            row = conn.execute("SELECT id FROM payer WHERE practice_id = %s AND name = %s",
                               (practice_id, name)).fetchone()
        assert row is not None
        ids[key] = int(row[0])
    return ids


def _practice_today(conn: psycopg.Connection[Any], practice_id: int) -> date:
    row = conn.execute("SELECT time_zone FROM practice WHERE id = %s", (practice_id,)).fetchone()
    if row is None:
        raise ValueError(f"no practice {practice_id}")
    return datetime.now(ZoneInfo(row[0])).date()


def load_population(inst: Installation, patients: int, *, seed: int = 1, today: date | None = None,
                    batch_size: int = BATCH, progress: Callable[[int, int], None] | None = None) -> LoadResult:
    """Adds ``patients`` synthetic patients (with policies and the payer directory) to the installation's practice."""
    started = time.monotonic()
    practice_id = inst.settings.practice_id
    app = conninfo(inst.urls.app_url)
    with psycopg.connect(app, autocommit=True, client_encoding="utf8") as conn:
        payer_ids = ensure_payers(conn, practice_id)
        if patients <= 0:
            return LoadResult(0, 0, len(payer_ids), time.monotonic() - started)
        people = Population(seed, today or _practice_today(conn, practice_id)).people()
        # Small loads (the demo) copy in this process; large ones in a child process, in parallel.
        writer = BatchWriter(app, background=patients > 2 * batch_size)
        done = policies = first_mrn = last_mrn = 0
        try:
            while done < patients:
                n = min(batch_size, patients - done)
                ids, mrn = _reserve(conn, practice_id, n)
                first_mrn = first_mrn or mrn
                rows = _Rows(practice_id, inst.cipher, payer_ids)
                for i, person in enumerate(_take(people, n)):
                    rows.add(person, ids[i], str(mrn + i))
                policies += len(rows.policies)
                writer.send(rows.copies())
                done += n
                last_mrn = mrn + n - 1
                if progress is not None:
                    progress(done, patients)
        finally:
            writer.close()
            _search_keys.cache_clear()
    analyze(inst)
    return LoadResult(done, policies, len(payer_ids), time.monotonic() - started, str(first_mrn), str(last_mrn))


def _take(people: Iterator[Person], n: int) -> Iterator[Person]:
    for _ in range(n):
        yield next(people)


def _reserve(conn: psycopg.Connection[Any], practice_id: int, n: int) -> tuple[list[int], int]:
    """n patient ids from the identity sequence and n consecutive MRNs from the practice's counter."""
    ids = [r[0] for r in conn.execute(
        "SELECT nextval(pg_get_serial_sequence('patient', 'id')) FROM generate_series(1, %s)", (n,))]
    row = conn.execute("UPDATE practice SET next_mrn = next_mrn + %s WHERE id = %s RETURNING next_mrn - %s",
                       (n, practice_id, n)).fetchone()
    if row is None:
        raise ValueError(f"no practice {practice_id}")
    return ids, int(row[0])


def practice_has_patients(inst: Installation) -> bool:
    with psycopg.connect(conninfo(inst.urls.app_url)) as conn:
        return conn.execute("SELECT EXISTS (SELECT 1 FROM patient WHERE practice_id = %s)",
                            (inst.settings.practice_id,)).fetchone() == (True,)


def analyze(inst: Installation) -> None:
    """Leaves the new rows as a running server's would be: planner statistics, and (VACUUM) hint bits and the
    visibility map set, so the first searches do not pay for touching a million freshly copied rows."""
    url = inst.urls.owner_url or inst.urls.app_url
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) patient, insurance_policy, patient_change, payer")
