"""Loading a code release: what it adds, changes and retires, effective from its date (decision 0016).

A release is compared with the codes valid now: a code it no longer lists is retired (valid_to = the release's
effective date), a changed description or flag closes the old row and opens a new one, a new code opens a row.
Dates of service before the release keep seeing the codes as they were. Releases load in date order; one that is
not newer than the latest loaded for its system is refused, so history is never rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from server.codes import files
from server.codes.files import NewCode
from server.codes.rules import SYSTEM_NAMES

SYSTEMS = tuple(SYSTEM_NAMES)
BUNDLED_ICD10CM_LABEL = "FY2026 (CMS tabular, April 1, 2026 update)"
BUNDLED_ICD10CM_EFFECTIVE = date(2025, 10, 1)


class ReleaseRefused(ValueError):
    """A release that would rewrite history (not newer than the latest) or names an unknown system."""


@dataclass(frozen=True)
class ReleaseResult:
    system: str
    label: str
    effective_date: date
    added: int
    changed: int
    retired: int


def import_release(conn: psycopg.Connection[Any], system: str, label: str, effective: date, source: str,
                   codes: Sequence[NewCode]) -> ReleaseResult:
    """Loads one release in the caller's transaction (the caller commits)."""
    if system not in SYSTEMS:
        raise ReleaseRefused(f"unknown code system {system!r}; one of: {', '.join(SYSTEMS)}")
    latest = conn.execute("SELECT max(effective_date) FROM code_release WHERE system = %s", (system,)).fetchone()
    if latest is not None and latest[0] is not None and effective <= latest[0]:
        raise ReleaseRefused(f"a {system} release effective {effective:%Y-%m-%d} is not after the latest one loaded "
                             f"({latest[0]:%Y-%m-%d}); releases load in date order")
    row = conn.execute(
        "INSERT INTO code_release (system, label, effective_date, source, added, changed, retired) "
        "VALUES (%s, %s, %s, %s, 0, 0, 0) RETURNING id", (system, label[:80], effective, source[:200])).fetchone()
    assert row is not None
    release_id = row[0]
    # The release as arrays (no temporary table: the runtime role may not create one).
    params = {"system": system, "effective": effective, "release": release_id,
              "codes": [c.code for c in codes], "descriptions": [c.description for c in codes],
              "billable": [c.billable for c in codes], "ndc": [c.requires_ndc for c in codes]}
    incoming = """incoming AS (SELECT * FROM unnest(%(codes)s::text[], %(descriptions)s::text[], %(billable)s::bool[],
                                         %(ndc)s::bool[]) AS i(code, description, billable, requires_ndc))"""
    retired = conn.execute(f"""
        WITH {incoming}
        UPDATE code_entry e SET valid_to = %(effective)s
         WHERE e.system = %(system)s AND e.valid_to IS NULL
           AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.code = e.code)""", params).rowcount
    changed = conn.execute(f"""
        WITH {incoming}
        UPDATE code_entry e SET valid_to = %(effective)s FROM incoming i
         WHERE e.system = %(system)s AND e.valid_to IS NULL AND i.code = e.code
           AND (e.description, e.billable, e.requires_ndc) IS DISTINCT FROM (i.description, i.billable, i.requires_ndc)
        """, params).rowcount
    opened = conn.execute(f"""
        WITH {incoming}
        INSERT INTO code_entry (system, code, valid_from, description, billable, requires_ndc, release_id)
        SELECT %(system)s::varchar, i.code, %(effective)s::date, i.description, i.billable, i.requires_ndc,
               %(release)s
          FROM incoming i
         WHERE NOT EXISTS (SELECT 1 FROM code_entry e
                            WHERE e.system = %(system)s AND e.code = i.code AND e.valid_to IS NULL)""",
                          params).rowcount
    added = opened - changed
    conn.execute("UPDATE code_release SET added = %s, changed = %s, retired = %s WHERE id = %s",
                 (added, changed, retired, release_id))
    # Fresh statistics: lookups plan against the new rows at once, not after autovacuum gets to them.
    conn.execute("ANALYZE code_entry")
    return ReleaseResult(system, label, effective, added, changed, retired)


def load_bundled(conninfo: str) -> list[ReleaseResult]:
    """The code sets this release ships, loaded once into a new database (after its migrations)."""
    loaded: list[ReleaseResult] = []
    with psycopg.connect(conninfo) as conn:
        have = {r[0] for r in conn.execute("SELECT DISTINCT system FROM code_release").fetchall()}
        bundled = (
            ("icd10cm", BUNDLED_ICD10CM_LABEL, BUNDLED_ICD10CM_EFFECTIVE, "simple-icd-10-cm package",
             files.bundled_icd10cm),
            ("hcpcs", "PMS seed (common HCPCS Level II)", files.seeds.SEED_EFFECTIVE, "PMS seed", files.seed_hcpcs),
            ("modifier", "PMS seed", files.seeds.SEED_EFFECTIVE, "PMS seed", files.seed_modifiers),
            ("pos", "PMS seed (CMS place of service codes)", files.seeds.SEED_EFFECTIVE, "PMS seed",
             files.seed_places_of_service),
        )
        for system, label, effective, source, read in bundled:
            if system not in have:
                loaded.append(import_release(conn, system, label, effective, source, read()))
        conn.commit()
    return loaded
