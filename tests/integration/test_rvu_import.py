"""Importing a Medicare physician fee schedule release from files in the CMS layout, into a real database, and the
fee it gives (decision 0017). The CSV files are written here, shaped like CMS's PPRRVU and GPCI files (preamble rows,
the RVU header split over two rows); the RVUs are illustrative and the descriptions placeholders (no CPT text)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg
import pytest

from server import cli
from server.config import DatabaseUrls
from server.pricing import files, releases
from server.pricing.fees import Gpcis, Rvus, fee_cents
from tests.support import Cluster

PREAMBLE = [
    '"ADDENDUM B. RELATIVE VALUE UNITS AND RELATED INFORMATION USED IN CY 2026 (test copy)",,,,',
    '"CPT codes and descriptions only are copyright the American Medical Association. All Rights Reserved.",,,,',
    ',,,,',
    '"Applicable FARS/DFARS Apply.",,,,',
]
# CMS's two header rows; the columns this reader does not use are kept so positions are realistic.
HEADER_TOP = ("HCPCS,MOD,DESCRIPTION,STATUS,NOT USED FOR MEDICARE,WORK,NON-FAC,NON-FAC,FACILITY,FACILITY,MP,"
              "NON-FACILITY,FACILITY,PCTC,GLOB,MULT,CONV")
HEADER_BOTTOM = ",,,CODE,PAYMENT,RVU,PE RVU,NA INDICATOR,PE RVU,NA INDICATOR,RVU,TOTAL,TOTAL,IND,DAYS,PROC,FACTOR"
RVU_ROWS = [
    "99213,,placeholder text,A,,1.30,1.33,,0.55,,0.10,2.73,1.95,0,XXX,0,33.4009",
    "99214,,placeholder text,A,,1.92,1.71,,0.78,,0.14,3.77,2.84,0,XXX,0,33.4009",
    "71046,,placeholder text,A,,0.22,0.83,,0.83,,0.02,1.07,1.07,1,XXX,0,33.4009",
    "71046,26,placeholder text,A,,0.22,0.08,,0.08,,0.02,0.32,0.32,1,XXX,0,33.4009",
    "71046,TC,placeholder text,A,,0.00,0.75,,0.75,,0.00,0.75,0.75,1,XXX,0,33.4009",
    '"G0439",,"placeholder, with a comma",A,,1.92,1.59,,0.80,,0.14,3.65,2.86,9,XXX,0,33.4009',
    "A0021,,placeholder text,I,,,,,,,,,,9,XXX,9,33.4009",
]
GPCI_PREAMBLE = ['"ADDENDUM E. FINAL CY 2026 GEOGRAPHIC PRACTICE COST INDICES (GPCIs) BY STATE AND MEDICARE '
                 'LOCALITY",,,,,,', ",,,,,,"]
GPCI_HEADER = ("Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,"
               "2026 PW GPCI (with 1.0 Floor),2026 PE GPCI,2026 MP GPCI")
GPCI_ROWS = [
    "10112,AL,00,ALABAMA,1.000,0.950,0.600",
    "01182,CA,18,LOS ANGELES-LONG BEACH-ANAHEIM (LOS ANGELES CNTY),1.045,1.185,0.724",
    "2102,AK,1,ALASKA*,1.500,1.100,0.603",
]
GPCI_NOTES = ['"* Payment locality is serviced by two MACs (test note).",,,,,,']


def rvu_text(rows: list[str] | None = None, header: tuple[str, ...] = (HEADER_TOP, HEADER_BOTTOM)) -> str:
    return "\r\n".join([*PREAMBLE, *header, *(RVU_ROWS if rows is None else rows)]) + "\r\n"


def gpci_text(rows: list[str] | None = None) -> str:
    return "\n".join([*GPCI_PREAMBLE, GPCI_HEADER, *(GPCI_ROWS if rows is None else rows), *GPCI_NOTES]) + "\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_rvu_file_is_read_by_header_names_under_the_preamble() -> None:
    read = files.read_rvu_file(rvu_text())
    assert read.conversion_factor == 334009
    by_key = {(r.code, r.modifier): r for r in read.rows}
    assert len(read.rows) == 7
    assert by_key[("99213", "")].rvus == Rvus(work=130, pe_nonfacility=133, pe_facility=55, mp=10)
    assert by_key[("99213", "")].status == "A" and by_key[("99213", "")].line == 7
    assert by_key[("71046", "26")].rvus == Rvus(22, 8, 8, 2)
    assert by_key[("71046", "TC")].rvus == Rvus(0, 75, 75, 0)
    assert by_key[("G0439", "")].rvus.pe_nonfacility == 159
    # Blank RVU cells (a status I code, not paid by Medicare) are zero.
    assert by_key[("A0021", "")].rvus == Rvus(0, 0, 0, 0) and by_key[("A0021", "")].status == "I"
    assert not hasattr(by_key[("99213", "")], "description")


def test_a_one_row_header_with_moved_columns_and_no_conversion_factor() -> None:
    header = ("hcpcs,  Status Code ,Description,Mod,Work RVU,Facility PE RVU,Non-Fac PE RVU,MP RVU,Non-Facility Total",)
    read = files.read_rvu_file(rvu_text(["99213,A,x,,1.3,.55,1.33,.1,2.73", "99213,P,x,53,0,0,0,0,0"], header))
    assert read.conversion_factor is None
    assert [(r.code, r.modifier, r.status, r.rvus, r.line) for r in read.rows] == [
        ("99213", "", "A", Rvus(130, 133, 55, 10), 6), ("99213", "53", "P", Rvus(0, 0, 0, 0), 7)]


def test_the_gpci_file_is_read_by_header_names() -> None:
    read = files.read_gpci_file(gpci_text())
    assert [(g.contractor, g.locality, g.state, g.gpcis, g.line) for g in read] == [
        ("10112", "00", "AL", Gpcis(1000, 950, 600), 4),
        ("01182", "18", "CA", Gpcis(1045, 1185, 724), 5),
        ("02102", "01", "AK", Gpcis(1500, 1100, 603), 6),  # leading zeros lost in a spreadsheet come back
    ]
    assert read[1].name == "LOS ANGELES-LONG BEACH-ANAHEIM (LOS ANGELES CNTY)" and read[2].name == "ALASKA*"


@pytest.mark.parametrize(("rows", "message"), [
    (["99213,,x,A,,1.30,1.3x,,0.55,,0.10,2.73,1.95,0,XXX,0,33.4009"],
     "line 7: NON-FAC PE RVU '1.3x' is not a number with at most 2 decimals"),
    (["99213,,x,A,,1.305,1.33,,0.55,,0.10,2.73,1.95,0,XXX,0,33.4009"],
     "line 7: WORK RVU '1.305' is not a number with at most 2 decimals"),
    (["99213,,x,A,,1.30,1.33,,0.55,,-0.10,2.73,1.95,0,XXX,0,33.4009"], "line 7: MP RVU '-0.10' is negative"),
    ([RVU_ROWS[0], "9921,,x,A,,1.30,1.33,,0.55,,0.10,2.73,1.95,0,XXX,0,33.4009"],
     "line 8: HCPCS '9921' is not a HCPCS/CPT code"),
    ([RVU_ROWS[0], "99213,2,x,A,,1.30,1.33,,0.55,,0.10,2.73,1.95,0,XXX,0,33.4009"],
     "line 8: MOD '2' is not a modifier"),
    (["99213,,x,,,1.30,1.33,,0.55,,0.10,2.73,1.95,0,XXX,0,33.4009"], "line 7: STATUS CODE '' is not a status"),
    ([RVU_ROWS[0], RVU_ROWS[1], RVU_ROWS[0]], "line 9: 99213 appears twice (first on line 7)"),
    ([RVU_ROWS[0], "99214,,x,A,,1.92,1.71,,0.78,,0.14,3.77,2.84,0,XXX,0,33.5675"],
     "line 8: CONV FACTOR 33.5675 differs from the one on line 7"),
    ([RVU_ROWS[0], "99214,,x,A,,1.92,1.71,,0.78,,0.14,3.77,2.84,0,XXX,0,33.40095"],
     "line 8: CONV FACTOR '33.40095' is not a number with at most 4 decimals"),
    ([], "the RVU file holds no codes"),
])
def test_a_bad_rvu_file_names_the_line(rows: list[str], message: str) -> None:
    with pytest.raises(files.FeeFileError, match="^" + re.escape(message)):
        files.read_rvu_file(rvu_text(rows))


def test_an_rvu_file_without_the_columns_is_refused() -> None:
    with pytest.raises(files.FeeFileError, match=re.escape(
            "no header row found: a PPRRVU (RVU) file needs the columns HCPCS, MOD, STATUS CODE, WORK RVU, "
            "NON-FAC PE RVU, FACILITY PE RVU, MP RVU")):
        files.read_rvu_file(rvu_text(header=("HCPCS,MOD,STATUS CODE,WORK RVU,MP RVU",)))


@pytest.mark.parametrize(("rows", "message"), [
    (["10112,AL,00,ALABAMA,1.000,0.95O,0.600"], "line 4: PE GPCI '0.95O' is not a number with at most 3 decimals"),
    ([GPCI_ROWS[0], "01182,CA,18,LOS ANGELES,1.0451,1.185,0.724"],
     "line 5: PW GPCI '1.0451' is not a number with at most 3 decimals"),
    ([GPCI_ROWS[0], "01182,CA,18,LOS ANGELES,1.045,1.185,"], "line 5: MP GPCI '' is not a number"),
    ([GPCI_ROWS[0], "01182,CA,18,LOS ANGELES,0.000,1.185,0.724"], "line 5: PW GPCI '0.000' must be above zero"),
    ([GPCI_ROWS[0], "MAC01,CA,18,LOS ANGELES,1.045,1.185,0.724"], "line 5: Medicare Administrative Contractor 'MAC01'"),
    ([GPCI_ROWS[0], "01182,CA,180,LOS ANGELES,1.045,1.185,0.724"], "line 5: Locality Number '180'"),
    ([GPCI_ROWS[0], "01182,CA,18,,1.045,1.185,0.724"], "line 5: Locality Name is blank"),
    ([GPCI_ROWS[0], GPCI_ROWS[1], "10112,AL,0,ALABAMA,1.000,0.950,0.600"],
     "line 6: locality 10112/00 appears twice (first on line 4)"),
])
def test_a_bad_gpci_file_names_the_line(rows: list[str], message: str) -> None:
    with pytest.raises(files.FeeFileError, match="^" + re.escape(message)):
        files.read_gpci_file(gpci_text(rows))


def test_decoding_tolerates_a_windows_1252_description() -> None:
    text = files.decode(rvu_text().replace("placeholder text", "placeholder caf\u00e9").encode("cp1252"))
    assert len(files.read_rvu_file(text).rows) == 7


@pytest.fixture
def urls(cluster: Cluster) -> DatabaseUrls:
    return cluster.new_database()


def import_files(conn: psycopg.Connection, effective: date, rvu: str, gpci: str,
                 conversion_factor: int | None = None) -> releases.PfsReleaseResult:
    return releases.import_release(
        conn, label=f"test {effective}", effective=effective, rvu_file=files.read_rvu_file(rvu),
        localities=files.read_gpci_file(gpci), rvu_source="PPRRVU26_JAN.csv", gpci_source="GPCI2026.csv",
        conversion_factor=conversion_factor)


def test_a_release_is_stored_exactly_and_prices_a_code(cluster: Cluster, urls: DatabaseUrls) -> None:
    with psycopg.connect(cluster.owner_conninfo(urls)) as conn:
        result = import_files(conn, date(2026, 1, 1), rvu_text(), gpci_text())
        conn.commit()
    assert (result.conversion_factor, result.rvu_count, result.locality_count) == (334009, 7, 3)
    # The server's runtime role reads what the import wrote.
    with psycopg.connect(cluster.app_conninfo(urls)) as conn:
        stored = conn.execute("SELECT year, label, effective_date, conversion_factor, rvu_source, gpci_source, "
                              "rvu_count, locality_count FROM medicare_pfs_release").fetchall()
        assert stored == [(2026, "test 2026-01-01", date(2026, 1, 1), 334009, "PPRRVU26_JAN.csv", "GPCI2026.csv",
                           7, 3)]
        rvus = conn.execute("SELECT code, modifier, status, work_rvu, pe_nonfacility_rvu, pe_facility_rvu, mp_rvu "
                            "FROM medicare_pfs_rvu ORDER BY code, modifier").fetchall()
        assert rvus[:4] == [("71046", "", "A", 22, 83, 83, 2), ("71046", "26", "A", 22, 8, 8, 2),
                            ("71046", "TC", "A", 0, 75, 75, 0), ("99213", "", "A", 130, 133, 55, 10)]
        assert {r[0] for r in rvus} == {"71046", "99213", "99214", "G0439", "A0021"}
        localities = conn.execute("SELECT contractor, locality, state, name, work_gpci, pe_gpci, mp_gpci "
                                  "FROM medicare_pfs_locality ORDER BY contractor, locality").fetchall()
        assert localities[0] == ("01182", "18", "CA", "LOS ANGELES-LONG BEACH-ANAHEIM (LOS ANGELES CNTY)",
                                 1045, 1185, 724)
        assert [(r[0], r[1]) for r in localities] == [("01182", "18"), ("02102", "01"), ("10112", "00")]

        rates = releases.rates_on(conn, "99213", "", "01182", "18", date(2026, 3, 2))
        assert rates is not None and rates.status == "A" and rates.conversion_factor == 334009
        # 99213 in 01182/18, non-facility: 1.30 x 1.045 = 1.35850; 1.33 x 1.185 = 1.57605; 0.10 x 0.724 = 0.07240;
        # sum 3.00695 x 33.4009 = 100.434836255 -> $100.43; facility: 1.35850 + 0.55 x 1.185 = 0.65175 + 0.07240
        # = 2.08265 x 33.4009 = 69.562384385 -> $69.56
        assert fee_cents(rates.rvus, rates.gpcis, rates.conversion_factor, facility=False) == 100_43
        assert fee_cents(rates.rvus, rates.gpcis, rates.conversion_factor, facility=True) == 69_56
        # 71046-26 in Alabama: 0.22 x 1.000 + 0.08 x 0.950 + 0.02 x 0.600 = 0.30800 x 33.4009 = 10.2874772 -> $10.29
        pc = releases.rates_on(conn, "71046", "26", "10112", "00", date(2026, 12, 31))
        assert pc is not None and fee_cents(pc.rvus, pc.gpcis, pc.conversion_factor, facility=True) == 10_29
        # Before the first release, an unknown code or an unknown locality: nothing to price with.
        assert releases.rates_on(conn, "99213", "", "01182", "18", date(2025, 12, 31)) is None
        assert releases.rates_on(conn, "99215", "", "01182", "18", date(2026, 3, 2)) is None
        assert releases.rates_on(conn, "99213", "", "01182", "99", date(2026, 3, 2)) is None


def test_releases_load_in_date_order_and_price_by_date_of_service(cluster: Cluster, urls: DatabaseUrls) -> None:
    with psycopg.connect(cluster.owner_conninfo(urls)) as conn:
        import_files(conn, date(2026, 1, 1), rvu_text(), gpci_text())
        conn.commit()
        for when in (date(2026, 1, 1), date(2025, 10, 1)):
            with pytest.raises(releases.ReleaseRefused,
                               match=re.escape("is not after the latest one loaded (2026-01-01)")):
                import_files(conn, when, rvu_text(), gpci_text())
            conn.rollback()
        # An April correction with a new conversion factor (the file has none: it is given).
        april = [r.rsplit(",", 1)[0] + "," for r in RVU_ROWS]
        april[0] = "99213,,placeholder text,A,,1.30,1.40,,0.55,,0.10,2.80,1.95,0,XXX,0,"
        result = import_files(conn, date(2026, 4, 1), rvu_text(april), gpci_text(), conversion_factor=335675)
        conn.commit()
        assert result.conversion_factor == 335675
        march = releases.rates_on(conn, "99213", "", "10112", "00", date(2026, 3, 31))
        may = releases.rates_on(conn, "99213", "", "10112", "00", date(2026, 5, 1))
        assert march is not None and may is not None
        assert (march.release_label, march.rvus.pe_nonfacility, march.conversion_factor) == ("test 2026-01-01", 133,
                                                                                             334009)
        assert (may.release_label, may.rvus.pe_nonfacility, may.conversion_factor) == ("test 2026-04-01", 140, 335675)
        # May, Alabama, non-facility: 1.30 x 1.000 = 1.30000; 1.40 x 0.950 = 1.33000; 0.10 x 0.600 = 0.06000;
        # sum 2.69000 x 33.5675 = 90.296575 -> $90.30
        assert fee_cents(may.rvus, may.gpcis, may.conversion_factor, facility=False) == 90_30
        count = conn.execute("SELECT count(*) FROM medicare_pfs_release").fetchone()
        assert count is not None and count[0] == 2


def test_the_conversion_factor_comes_from_the_file_or_the_command(cluster: Cluster, urls: DatabaseUrls) -> None:
    no_cf = [r.rsplit(",", 1)[0] + "," for r in RVU_ROWS]
    with psycopg.connect(cluster.owner_conninfo(urls)) as conn:
        with pytest.raises(releases.ReleaseRefused,
                           match=re.escape("the RVU file's conversion factor is 33.4009 but 33.5675")):
            import_files(conn, date(2026, 1, 1), rvu_text(), gpci_text(), conversion_factor=335675)
        conn.rollback()
        with pytest.raises(releases.ReleaseRefused, match="has no CONV FACTOR: give the conversion factor"):
            import_files(conn, date(2026, 1, 1), rvu_text(no_cf), gpci_text())
        conn.rollback()
        # The same one twice is fine.
        assert import_files(conn, date(2026, 1, 1), rvu_text(), gpci_text(), 334009).conversion_factor == 334009
        conn.rollback()
        count = conn.execute("SELECT count(*) FROM medicare_pfs_release").fetchone()
        assert count is not None and count[0] == 0


def test_the_command_imports_and_reports_errors_with_the_line(cluster: Cluster, urls: DatabaseUrls, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    @contextmanager
    def running(data: object) -> Iterator[DatabaseUrls]:
        yield urls

    monkeypatch.setattr(cli, "database_running", running)
    rvu = write(tmp_path / "PPRRVU26_JAN.csv", rvu_text())
    gpci = write(tmp_path / "GPCI2026.csv", gpci_text())
    bad = write(tmp_path / "bad.csv", gpci_text(["10112,AL,00,ALABAMA,1.000,0.95O,0.600"]))

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(["fees", "import-rvu", *args, "--data", str(tmp_path / "data")])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, _, err = run(str(rvu), str(bad), "--effective", "2026-01-01")
    assert code == 2 and err == "error: bad.csv: line 4: PE GPCI '0.95O' is not a number with at most 3 decimals\n"
    code, _, err = run(str(rvu), str(gpci), "--effective", "2026-13-01")
    assert code == 2 and "is not a date" in err
    code, _, err = run(str(rvu), str(gpci), "--effective", "2026-01-01", "--conversion-factor", "33.40x")
    assert code == 2 and err.startswith("error: conversion-factor: '33.40x' is not a number")
    code, _, err = run(str(rvu), str(gpci), "--effective", "2026-01-01", "--conversion-factor", "33.5675")
    assert code == 2 and "conversion factor is 33.4009 but 33.5675 was given" in err
    code, out, _ = run(str(rvu), str(gpci), "--effective", "2026-01-01", "--label", "CY2026 January")
    assert code == 0 and out == ("Loaded the Medicare fee schedule effective 2026-01-01: 7 codes, 3 localities, "
                                 "conversion factor 33.4009.\n")
    code, _, err = run(str(rvu), str(gpci), "--effective", "2026-01-01")
    assert code == 2 and "not after the latest one loaded (2026-01-01)" in err
    with psycopg.connect(cluster.app_conninfo(urls)) as conn:
        assert conn.execute("SELECT label FROM medicare_pfs_release").fetchall() == [("CY2026 January",)]
