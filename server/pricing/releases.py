"""Loading a Medicare physician fee schedule release: RVUs, GPCIs and conversion factor, in one transaction.

A release prices dates of service from its effective date until the next release's. Releases load in date order:
one not newer than the latest loaded is refused, so the fee a past date of service saw never changes (as with code
releases, decision 0016). CMS's quarterly corrections (RVUyyA, B, C, D) are each a new release with their date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from server.pricing.fees import CF_PLACES, Gpcis, Rvus, format_fixed
from server.pricing.files import LocalityRow, RvuFile


class ReleaseRefused(ValueError):
    """A release that would rewrite history (not newer than the latest) or has no usable conversion factor."""


@dataclass(frozen=True)
class PfsReleaseResult:
    id: int
    label: str
    effective_date: date
    conversion_factor: int
    rvu_count: int
    locality_count: int


@dataclass(frozen=True)
class Rates:
    """What prices one code with one modifier in one locality on one date of service."""

    release_label: str
    status: str
    rvus: Rvus
    gpcis: Gpcis
    conversion_factor: int


def choose_conversion_factor(from_file: int | None, given: int | None) -> int:
    """The file's CONV FACTOR, or the one given; both and different is refused rather than guessed."""
    if from_file is not None and given is not None and from_file != given:
        raise ReleaseRefused(f"the RVU file's conversion factor is {format_fixed(from_file, CF_PLACES)} but "
                             f"{format_fixed(given, CF_PLACES)} was given; give the file's or none")
    chosen = given if given is not None else from_file
    if chosen is None or chosen <= 0:
        raise ReleaseRefused("the RVU file has no CONV FACTOR: give the conversion factor (e.g. 33.4009)")
    return chosen


def import_release(conn: psycopg.Connection[Any], *, label: str, effective: date, rvu_file: RvuFile,
                   localities: Sequence[LocalityRow], rvu_source: str, gpci_source: str,
                   conversion_factor: int | None = None) -> PfsReleaseResult:
    """Loads one release in the caller's transaction (the caller commits, or rolls back on an error)."""
    cf = choose_conversion_factor(rvu_file.conversion_factor, conversion_factor)
    # One import at a time, so two cannot both pass the date check.
    conn.execute("LOCK TABLE medicare_pfs_release IN SHARE ROW EXCLUSIVE MODE")
    latest = conn.execute("SELECT max(effective_date) FROM medicare_pfs_release").fetchone()
    if latest is not None and latest[0] is not None and effective <= latest[0]:
        raise ReleaseRefused(f"a fee schedule release effective {effective:%Y-%m-%d} is not after the latest one "
                             f"loaded ({latest[0]:%Y-%m-%d}); releases load in date order")
    row = conn.execute(
        "INSERT INTO medicare_pfs_release (year, label, effective_date, conversion_factor, rvu_source, gpci_source,"
        " rvu_count, locality_count) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (effective.year, label[:80], effective, cf, rvu_source[:200], gpci_source[:200], len(rvu_file.rows),
         len(localities))).fetchone()
    assert row is not None
    release_id = row[0]
    with conn.cursor().copy("COPY medicare_pfs_rvu (release_id, code, modifier, status, work_rvu, "
                            "pe_nonfacility_rvu, pe_facility_rvu, mp_rvu) FROM STDIN") as copy:
        for r in rvu_file.rows:
            copy.write_row((release_id, r.code, r.modifier, r.status, r.rvus.work, r.rvus.pe_nonfacility,
                            r.rvus.pe_facility, r.rvus.mp))
    with conn.cursor().copy("COPY medicare_pfs_locality (release_id, contractor, locality, state, name, work_gpci, "
                            "pe_gpci, mp_gpci) FROM STDIN") as copy:
        for g in localities:
            copy.write_row((release_id, g.contractor, g.locality, g.state, g.name, g.gpcis.work, g.gpcis.pe,
                            g.gpcis.mp))
    return PfsReleaseResult(release_id, label[:80], effective, cf, len(rvu_file.rows), len(localities))


def rates_on(conn: psycopg.Connection[Any], code: str, modifier: str, contractor: str, locality: str,
             date_of_service: date) -> Rates | None:
    """The release in force on the date of service, with the code's RVUs and the locality's GPCIs (None if the
    release does not list both)."""
    row = conn.execute("""
        SELECT r.label, v.status, v.work_rvu, v.pe_nonfacility_rvu, v.pe_facility_rvu, v.mp_rvu,
               g.work_gpci, g.pe_gpci, g.mp_gpci, r.conversion_factor
          FROM (SELECT id, label, conversion_factor FROM medicare_pfs_release
                 WHERE effective_date <= %(dos)s ORDER BY effective_date DESC LIMIT 1) r
          JOIN medicare_pfs_rvu v ON v.release_id = r.id AND v.code = %(code)s AND v.modifier = %(modifier)s
          JOIN medicare_pfs_locality g ON g.release_id = r.id AND g.contractor = %(contractor)s
                                      AND g.locality = %(locality)s""",
                       {"dos": date_of_service, "code": code.upper(), "modifier": modifier.upper(),
                        "contractor": contractor, "locality": locality}).fetchone()
    if row is None:
        return None
    return Rates(row[0], row[1], Rvus(row[2], row[3], row[4], row[5]), Gpcis(row[6], row[7], row[8]), row[9])
