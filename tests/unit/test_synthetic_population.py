"""The synthetic population without a database: its vocabulary, its identifiers, its determinism."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from server.common.contact_rules import ZIP_AREA_STATES
from server.patients import synthetic_tables as t
from server.patients.synthetic import Person, Population
from server.payers.service import CLAIM_FILING_INDICATORS

TODAY = date(2026, 11, 30)
MBI = re.compile(r"^[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d"
                 r"[AC-HJKMNP-RT-Y]{2}\d\d$")
E164 = re.compile(r"^\+1[2-9]\d\d[2-9]\d{6}$")


def people(n: int, seed: int = 3) -> list[Person]:
    stream = Population(seed, TODAY).people()
    return [next(stream) for _ in range(n)]


def test_the_vocabulary_is_large_diverse_and_safe_to_copy() -> None:
    surnames = [s for s, _, _ in t.SURNAMES]
    assert len(set(surnames)) == len(surnames) >= 150
    for tricky in ("O'Brien", "De La Cruz", "Nguyen", "Patel", "Kim", "Garcia-Lopez", "St. Clair", "Muñoz"):
        assert tricky in surnames
    for names in (t.FEMALE_NAMES, t.MALE_NAMES):
        assert len({n for n, _, _ in names}) >= 100
    assert len({(c[0], c[1], c[2]) for c in t.CITIES}) >= 40
    # The loader escapes backslash, tab and newline, and uses other control characters as placeholders.
    texts = [*surnames, *(n for n, _, _ in t.FEMALE_NAMES + t.MALE_NAMES), *t.STREETS, *t.EMPLOYERS,
             *(c[0] for c in t.CITIES), *(a for a, _ in t.ALERTS), *(p for plans in t.PLANS.values() for p in plans)]
    assert not [s for s in texts if re.search(r"[\x00-\x1f\\]", s)]


def test_cities_are_real_zip_areas_with_area_codes() -> None:
    for city, state, zip_code, area_codes, _ in t.CITIES:
        assert re.fullmatch(r"\d{5}", zip_code) and state in ZIP_AREA_STATES[zip_code[0]].split(), city
        assert area_codes and all(re.fullmatch(r"[2-9]\d\d", a) for a in area_codes), city


def test_payer_directory() -> None:
    assert len(t.PAYERS) >= 15
    assert len({p[1].lower() for p in t.PAYERS}) == len(t.PAYERS)  # names are unique (citext)
    by_key = {p[0]: p for p in t.PAYERS}
    assert by_key["medicare"][3] == "MB" and by_key["medicaid"][3] == "MC" and by_key["tricare"][3] == "CH"
    assert (by_key["aetna"][2], by_key["cigna"][2], by_key["uhc"][2], by_key["humana"][2]) == (
        "60054", "62308", "87726", "61101")
    for _, _, _, cfi, days, _, _, _, state, zip_code, phone in t.PAYERS:
        assert cfi in CLAIM_FILING_INDICATORS and 90 <= days <= 365
        assert state in ZIP_AREA_STATES[zip_code[0]].split() and E164.match(phone)
    assert set(t.PLANS) == set(by_key)


def test_same_seed_same_people_other_seed_other_people() -> None:
    assert people(400) == people(400)
    assert [p.last_name for p in people(50)] != [p.last_name for p in people(50, seed=4)]
    assert people(1, seed=5)[0] == people(1, seed=5)[0]


def test_identifiers_have_the_payers_formats_and_ssns_are_valid_and_unique() -> None:
    crowd = people(20_000)
    ssns = [p.ssn for p in crowd if p.ssn]
    assert 0.2 < len(ssns) / len(crowd) < 0.45
    assert len(set(ssns)) == len(ssns)
    for ssn in ssns:
        assert re.fullmatch(r"\d{9}", ssn)
        assert ssn[:3] not in ("000", "666") and ssn[0] != "9" and ssn[3:5] != "00" and ssn[5:] != "0000"
    formats = {"medicare": MBI, "aetna": re.compile(r"^W\d{9}$"), "cigna": re.compile(r"^U\d{8}$"),
               "uhc": re.compile(r"^\d{9}$"), "humana": re.compile(r"^H\d{8}$"),
               "anthem": re.compile(r"^[A-Z]{3}\d{9}$"), "bwc": re.compile(r"^\d\d-\d{6}$")}
    seen: Counter[str] = Counter()
    for p in crowd:
        for pol in p.policies:
            seen[pol.payer] += 1
            if pol.payer in formats:
                assert formats[pol.payer].match(pol.member_id), (pol.payer, pol.member_id)
    assert set(formats) <= set(seen)


def test_a_family_practice_mix() -> None:
    crowd = people(20_000)
    ages = Counter("child" if p.years < 18 else "senior" if p.years >= 65 else "adult" for p in crowd)
    assert 0.15 < ages["child"] / len(crowd) < 0.35 and 0.1 < ages["senior"] / len(crowd) < 0.3
    assert min(p.years for p in crowd) == 0 and 90 <= max(p.years for p in crowd) <= 95
    assert all(p.years == p.age(TODAY) for p in crowd)
    statuses = Counter(p.status for p in crowd)
    assert statuses["inactive"] > 100 and statuses["deceased"] > 10
    assert all((p.status == "deceased") == (p.date_of_death is not None) for p in crowd)
    assert all(p.date_of_birth <= p.date_of_death <= TODAY for p in crowd if p.date_of_death)
    active = [pol for p in crowd for pol in p.policies if pol.priority]
    assert Counter(pol.relationship for pol in active).keys() >= {"18", "19", "01"}
    seniors = [p for p in crowd if p.years >= 65 and p.status == "active"]
    on_medicare = [p for p in seniors if any(pol.payer in ("medicare", "humana_ma") for pol in p.policies)]
    assert len(on_medicare) > 0.85 * len(seniors)
    assert sum(1 for p in seniors if len([x for x in p.policies if x.priority]) == 2) > 0.3 * len(seniors)
    assert len({p.last_name for p in crowd}) >= 150
    assert sum(1 for p in crowd if p.address.state != t.HOME_STATE) > 0.02 * len(crowd)
    assert sum(1 for p in crowd if p.address.zip.count("-")) > 0.05 * len(crowd)
    assert sum(1 for p in crowd if p.preferred_name) > 0.03 * len(crowd)
    assert 0 < sum(1 for p in crowd if p.suffix) < 0.05 * len(crowd)
    for p in crowd:
        for phone in (p.phone_mobile, p.phone_home, p.phone_work):
            assert not phone or (E164.match(phone) and phone[2:5] in p.address.area_codes)
        assert not p.email or p.email.split("@")[1].endswith(("example.com", "example.net", "example.org"))


def test_copy_text_escapes_values_and_turns_placeholders_into_copy_syntax() -> None:
    from server.patients.synthetic_load import END, NULL, SEP, copy_text

    rows = [SEP.join(["O'Brien", "tab\there", "back\\slash", NULL, "José"]) + END, SEP.join(["2", "line\nbreak"]) + END]
    assert copy_text(rows) == "O'Brien\ttab\\there\tback\\\\slash\t\\N\tJosé\n2\tline\\nbreak\n".encode()


def test_conninfo_from_the_servers_database_urls() -> None:
    from server.patients.synthetic_load import conninfo

    assert conninfo("postgresql+psycopg://pms_app@/pms?host=/srv/pms/run&port=5432") == (
        "user=pms_app host=/srv/pms/run port=5432 dbname=pms")
    assert conninfo("postgresql+psycopg://pms_app:p%40ss%20w@db.example:5433/pms?sslmode=require") == (
        "user=pms_app password='p@ss w' host=db.example port=5433 dbname=pms sslmode=require")
