"""Code sets over mutual TLS: lookup by code prefix and by words, checks for a date of service, and releases that
add, change and retire codes (CMS ICD-10-CM order file, the practice's own CPT file, the CMS HCPCS file)."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from google.type.date_pb2 import Date

from server.codes import files, releases
from shared import dates
from shared.pms.codes.v1 import codes_pb2 as cp
from tests.api.test_patients import logged_in
from tests.support import Client, Cluster, RunningServer, fails, status_details

ICD = cp.CODE_SYSTEM_ICD10CM


@pytest.fixture(scope="module")
async def biller(server: RunningServer) -> Client:
    c = await logged_in(server, "codes-biller", ["biller"])
    yield c  # type: ignore[misc]
    await c.close()


def on(y: int, m: int, d: int) -> object:
    return dates.to_pb(date(y, m, d))


async def search(client: Client, query: str, system: int = ICD, billable_only: bool = False,
                 when: object = None, limit: int = 0) -> list[cp.Code]:
    return list((await client.codes.SearchCodes(cp.SearchCodesRequest(
        system=system, query=query, billable_only=billable_only, date_of_service=when or on(2026, 3, 2),
        limit=limit), metadata=client.md)).codes)


async def check(client: Client, code: str, when: object, system: int = ICD) -> cp.CheckCodeResponse:
    return await client.codes.CheckCode(cp.CheckCodeRequest(system=system, code=code, date_of_service=when),
                                        metadata=client.md)


async def test_the_bundled_sets_are_loaded(biller: Client, cluster: Cluster, server: RunningServer) -> None:
    listed = (await biller.codes.ListCodeReleases(cp.ListCodeReleasesRequest(), metadata=biller.md)).releases
    assert {r.system for r in listed} == {ICD, cp.CODE_SYSTEM_HCPCS, cp.CODE_SYSTEM_MODIFIER, cp.CODE_SYSTEM_POS}
    icd = next(r for r in listed if r.system == ICD)
    assert icd.label.startswith("FY2026") and dates.from_pb(icd.effective_date) == date(2025, 10, 1)
    whole = files.bundled_icd10cm()
    assert icd.added == len(whole) > 98_000
    with psycopg.connect(cluster.app_conninfo(server.inst.urls)) as conn:
        billable = conn.execute("SELECT count(*) FROM code_entry WHERE system = 'icd10cm' AND billable").fetchone()
    assert billable is not None and billable[0] == sum(c.billable for c in whole) > 74_000


async def test_lookup_by_code_prefix_with_or_without_the_dot(biller: Client) -> None:
    found = await search(biller, "E11.6")
    assert found[0].code == "E116" and found[0].display_code == "E11.6" and not found[0].billable
    assert [c.display_code for c in found[1:4]] == ["E11.61", "E11.62", "E11.63"]
    assert all(c.code.startswith("E116") for c in found)
    billable = await search(biller, "e116", billable_only=True)
    assert billable and all(c.billable for c in billable) and "E1165" in {c.code for c in billable}
    assert [c.code for c in await search(biller, "E11.9")][:1] == ["E119"]


async def test_lookup_by_words_in_any_form(biller: Client) -> None:
    found = await search(biller, "diab typ 2 without compl")
    assert found[0].code == "E119"
    assert found[0].description == "Type 2 diabetes mellitus without complications"
    exam = await search(biller, "general adult medical exam", billable_only=True)
    assert {"Z0000", "Z0001"} <= {c.code for c in exam}
    assert await search(biller, "") == [] and await search(biller, "qqqqzzzz") == []
    assert len(await search(biller, "fracture", limit=5)) == 5


async def test_hcpcs_modifiers_and_places_of_service(biller: Client) -> None:
    j = await search(biller, "J1100", system=cp.CODE_SYSTEM_HCPCS)
    assert j[0].code == "J1100" and j[0].requires_ndc and "dexamethasone" in j[0].description
    awv = await search(biller, "annual wellness", system=cp.CODE_SYSTEM_HCPCS)
    assert {c.code for c in awv} == {"G0438", "G0439"} and not any(c.requires_ndc for c in awv)
    assert [c.code for c in await search(biller, "LT", system=cp.CODE_SYSTEM_MODIFIER)] == ["LT"]
    assert (await search(biller, "25", system=cp.CODE_SYSTEM_MODIFIER))[0].description.startswith("Significant")
    assert [c.description for c in await search(biller, "11", system=cp.CODE_SYSTEM_POS)] == ["Office"]


async def test_checks_for_a_date_of_service(biller: Client) -> None:
    ok = await check(biller, "E11.9", on(2026, 3, 2))
    assert ok.valid and ok.code.display_code == "E11.9" and not ok.reason
    header = await check(biller, "E11", on(2026, 3, 2))
    assert not header.valid and header.reason == "NOT_BILLABLE" and "E11 is a header" in header.problem
    early = await check(biller, "E119", on(2025, 9, 30))
    assert not early.valid and early.reason == "NOT_YET_VALID" and "10/01/2025" in early.problem
    unknown = await check(biller, "E11.99", on(2026, 3, 2))
    assert not unknown.valid and unknown.reason == "UNKNOWN_CODE" and not unknown.HasField("code")


async def test_bad_requests_name_their_fields(biller: Client) -> None:
    err = await fails(biller.codes.SearchCodes(cp.SearchCodesRequest(query="E11", limit=500), metadata=biller.md))
    assert dict(status_details(err)[1]).keys() == {"system", "limit"}
    err = await fails(biller.codes.CheckCode(cp.CheckCodeRequest(
        system=ICD, code=" ", date_of_service=Date(year=2026, month=2, day=30)), metadata=biller.md))
    assert dict(status_details(err)[1]).keys() == {"code", "date_of_service"}


async def test_it_admin_may_not_look_up_codes(server: RunningServer) -> None:
    admin = await logged_in(server, "codes-it", ["it_admin"])
    try:
        err = await fails(search(admin, "E11"))
        assert status_details(err)[0] == "PERMISSION_DENIED"
    finally:
        await admin.close()


CPT_FILE = """code,description
99213,"Office visit, established patient, low complexity (practice's licensed text)"
99214,"Office visit, established patient, moderate complexity (practice's licensed text)"
0001U,"Proprietary laboratory analysis (practice's licensed text)"
"""


async def test_the_practice_loads_its_cpt_file(biller: Client, cluster: Cluster, server: RunningServer) -> None:
    assert (await check(biller, "99213", on(2026, 3, 2), cp.CODE_SYSTEM_CPT)).reason == "UNKNOWN_CODE"
    with pytest.raises(files.CodeFileError, match="line 3: '9921' is not a CPT code"):
        files.read_cpt_file("code,description\n99213,Visit\n9921,Short\n")
    with pytest.raises(files.CodeFileError, match="line 3: 99213 appears twice"):
        files.read_cpt_file("code,description\n99213,Visit\n99213,Again\n")
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        loaded = releases.import_release(conn, "cpt", "CPT 2026", date(2026, 1, 1), "cpt2026.csv",
                                         files.read_cpt_file(CPT_FILE))
        conn.commit()
    assert (loaded.added, loaded.changed, loaded.retired) == (3, 0, 0)
    visit = await check(biller, "99213", on(2026, 3, 2), cp.CODE_SYSTEM_CPT)
    assert visit.valid and "licensed text" in visit.code.description
    assert [c.code for c in await search(biller, "office established", system=cp.CODE_SYSTEM_CPT)] == [
        "99213", "99214"]
    # The same release again, or an older one, would rewrite history.
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn, \
            pytest.raises(releases.ReleaseRefused, match="not after the latest one loaded"):
        releases.import_release(conn, "cpt", "again", date(2026, 1, 1), "x", files.read_cpt_file(CPT_FILE))


async def test_a_hcpcs_file_in_the_cms_layout(cluster: Cluster, server: RunningServer, biller: Client) -> None:
    def line(code: str, seq: int, kind: str, text: str) -> str:
        return f"{code:<5}{seq:05d}{kind}{text:<80}"
    text = "\n".join([
        line("J1100", 100, "3", "Injection, dexamethasone sodium phosphate, 1 mg"),
        line("G0439", 100, "3", "Annual wellness visit, includes a personalized prevention plan of service"),
        line("G0439", 200, "4", "(pps), subsequent visit"),
        line("   25", 100, "7", "Significant, separately identifiable e/m service"),
    ])
    codes = files.read_hcpcs_file(text)
    assert [(c.code, c.requires_ndc) for c in codes] == [("J1100", True), ("G0439", False)]
    assert codes[1].description.endswith("plan of service (pps), subsequent visit")
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        loaded = releases.import_release(conn, "hcpcs", "HCPCS 2027", date(2027, 1, 1), "HCPC2027.txt", codes)
        conn.commit()
    # Of the seed's codes, one was changed and one kept; the rest are no longer in the release.
    assert (loaded.added, loaded.changed) == (0, 1) and loaded.retired > 30
    assert (await check(biller, "G0438", on(2027, 1, 1), cp.CODE_SYSTEM_HCPCS)).reason == "NO_LONGER_VALID"
    assert (await check(biller, "G0438", on(2026, 12, 31), cp.CODE_SYSTEM_HCPCS)).valid
    new_text = await check(biller, "G0439", on(2027, 2, 1), cp.CODE_SYSTEM_HCPCS)
    assert new_text.valid and new_text.code.description.endswith("subsequent visit")
    old_text = await check(biller, "G0439", on(2026, 2, 1), cp.CODE_SYSTEM_HCPCS)
    assert old_text.valid and old_text.code.description.startswith("Annual wellness visit, subsequent")


def order_line(n: int, code: str, billable: bool, text: str) -> str:
    return f"{n:05d} {code:<7} {int(billable)} {text[:60]:<60} {text}"


async def test_an_icd10cm_release_changes_what_is_valid_from_its_date(
        biller: Client, cluster: Cluster, server: RunningServer) -> None:
    # A new fiscal year: every current code again, one retired, one renamed, one new.
    current = files.bundled_icd10cm()
    lines = []
    for n, c in enumerate(current, 1):
        if c.code == "E1165":
            continue
        text = "Type 2 diabetes mellitus without complications (revised)" if c.code == "E119" else c.description
        lines.append(order_line(n, c.code, c.billable, text))
    lines.append(order_line(len(current) + 1, "E1167", True, "Type 2 diabetes mellitus with a new manifestation"))
    release = files.read_icd10cm_order_file("\n".join(lines) + "\n")
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        loaded = releases.import_release(conn, "icd10cm", "FY2027", date(2026, 10, 1), "icd10cm_order_2027.txt",
                                         release)
        conn.commit()
    assert (loaded.added, loaded.changed, loaded.retired) == (1, 1, 1)
    before, after = on(2026, 9, 30), on(2026, 10, 1)
    assert (await check(biller, "E11.65", before)).valid
    gone = await check(biller, "E11.65", after)
    assert gone.reason == "NO_LONGER_VALID" and "10/01/2026" in gone.problem
    assert (await check(biller, "E11.67", before)).reason == "NOT_YET_VALID"
    assert (await check(biller, "E11.67", after)).valid
    assert (await check(biller, "E11.9", before)).code.description.endswith("without complications")
    assert (await check(biller, "E11.9", after)).code.description.endswith("(revised)")
    assert "E1165" in {c.code for c in await search(biller, "E11.6", when=before)}
    assert "E1165" not in {c.code for c in await search(biller, "E11.6", when=after)}


def test_order_file_errors_name_the_line() -> None:
    good = order_line(1, "A000", True, "Cholera due to Vibrio cholerae 01, biovar cholerae")
    assert files.read_icd10cm_order_file(good)[0].code == "A000"
    with pytest.raises(files.CodeFileError, match="line 2: not a line of the CMS ICD-10-CM order file"):
        files.read_icd10cm_order_file(good + "\nA000 Cholera\n")
    with pytest.raises(files.CodeFileError, match="line 2: A000 appears twice"):
        files.read_icd10cm_order_file(good + "\n" + order_line(2, "A000", True, "Again"))
