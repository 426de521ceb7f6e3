"""The one search box on real PostgreSQL: fragments in any order, typos, dates, phones, MRNs, member IDs."""

from __future__ import annotations

from datetime import date

import pytest

from shared.pms.patients.v1 import patients_pb2 as pb
from shared.pms.payers.v1 import payers_pb2
from tests.api.test_insurance_and_documents import add
from tests.api.test_patients import logged_in, register
from tests.builders import a_patient, a_payer, a_policy
from tests.support import Client, RunningServer

PEOPLE = [
    ("John", "Smith", date(1980, 2, 3), "6145550134"),
    ("Joan", "Smith", date(1955, 11, 30), ""),
    ("Johnny", "Smithers", date(1990, 1, 1), ""),
    ("Jonas", "Smithson", date(2001, 5, 5), ""),
    ("Mary", "Johnson", date(1972, 7, 7), "6145550199"),
    ("Smith", "Jones", date(1966, 6, 6), ""),
    ("Sean", "O'Brien", date(1949, 4, 4), ""),
    ("José", "Núñez", date(1985, 8, 8), ""),
    ("Ann", "De La Cruz", date(1999, 9, 9), ""),
    ("Peter", "Smith", date(1980, 2, 3), ""),
]


@pytest.fixture(scope="module")
async def people(server: RunningServer) -> tuple[Client, dict[str, pb.Patient]]:
    desk = await logged_in(server, "searcher", ["front_desk", "manager"])
    made: dict[str, pb.Patient] = {}
    for first, last, born, mobile in PEOPLE:
        resp = await register(desk, a_patient(first, last, born, mobile=mobile), ack=[p.patient_id for p in
                                                                                        made.values()])
        made[f"{first} {last}"] = resp.patient
    payer = await desk.payers.CreatePayer(payers_pb2.CreatePayerRequest(payer=a_payer()), metadata=desk.md)
    await add(desk, a_policy(made["Mary Johnson"].patient_id, payer.payer.payer_id, "W123-456-789"))
    gone = made["Joan Smith"]
    gone.status = pb.PATIENT_STATUS_INACTIVE
    await desk.patients.UpdatePatient(pb.UpdatePatientRequest(patient=gone), metadata=desk.md)
    yield desk, made  # type: ignore[misc]
    await desk.close()


async def names(client: Client, query: str, include_inactive: bool = False) -> list[str]:
    resp = await client.patients.SearchPatients(pb.SearchPatientsRequest(query=query,
                                                                         include_inactive=include_inactive),
                                                metadata=client.md)
    return [f"{p.name.first} {p.name.last}" for p in resp.patients]


async def test_fragments_in_any_order_rank_the_closest_first(people: tuple[Client, dict]) -> None:
    desk, _ = people
    expected = {"John Smith", "Smith Jones", "Johnny Smithers", "Jonas Smithson"}
    for typed in ("smi jo", "jo smi"):
        found = await names(desk, typed)
        # The fragments cover most of "John Smith"; less of "Johnny Smithers".
        assert found[0] == "John Smith" and set(found) == expected, typed
        assert found.index("Smith Jones") < found.index("Johnny Smithers")
    assert (await names(desk, "smith, john"))[0] == "John Smith"
    # A last name match outranks a first-name match of the same fragment.
    found = await names(desk, "smith")
    assert found.index("Peter Smith") < found.index("Smith Jones")
    assert "Johnny Smithers" in found


async def test_typos_still_find_the_patient(people: tuple[Client, dict]) -> None:
    desk, _ = people
    assert (await names(desk, "jonh smiht"))[0] == "John Smith"
    assert (await names(desk, "johnsno mary"))[0] == "Mary Johnson"
    assert "Sean O'Brien" in await names(desk, "obrian")


async def test_accents_apostrophes_and_compound_names(people: tuple[Client, dict]) -> None:
    desk, _ = people
    assert await names(desk, "obrien") == ["Sean O'Brien"]
    assert await names(desk, "o'brien sean") == ["Sean O'Brien"]
    assert (await names(desk, "nunez jose"))[0] == "José Núñez"
    assert (await names(desk, "de la cruz"))[0] == "Ann De La Cruz"
    assert (await names(desk, "delacruz"))[0] == "Ann De La Cruz"


@pytest.mark.parametrize("typed", ["02/03/1980", "2/3/1980", "1980-02-03", "02031980", "2/3/80", "02-03-1980"])
async def test_date_of_birth_in_common_formats(people: tuple[Client, dict], typed: str) -> None:
    desk, _ = people
    assert sorted(await names(desk, typed)) == ["John Smith", "Peter Smith"]


async def test_name_and_date_together_narrow_it_down(people: tuple[Client, dict]) -> None:
    desk, _ = people
    assert await names(desk, "peter 2/3/1980") == ["Peter Smith"]
    assert await names(desk, "smiht jhon 02/03/1980") == ["John Smith"]


@pytest.mark.parametrize("typed", ["(614) 555-0134", "614.555.0134", "6145550134", "+1 614 555 0134"])
async def test_phone_in_any_notation(people: tuple[Client, dict], typed: str) -> None:
    desk, _ = people
    assert await names(desk, typed) == ["John Smith"]


async def test_mrn_and_member_id_are_exact(people: tuple[Client, dict]) -> None:
    desk, made = people
    assert await names(desk, made["Sean O'Brien"].mrn) == ["Sean O'Brien"]
    assert await names(desk, "w123456789") == ["Mary Johnson"]
    assert await names(desk, "W123-456-789") == ["Mary Johnson"]


async def test_inactive_patients_only_on_request(people: tuple[Client, dict]) -> None:
    desk, _ = people
    assert "Joan Smith" not in await names(desk, "smith joan")
    assert (await names(desk, "smith joan", include_inactive=True))[0] == "Joan Smith"


async def test_the_answer_says_how_the_query_was_read(people: tuple[Client, dict]) -> None:
    desk, _ = people
    resp = await desk.patients.SearchPatients(pb.SearchPatientsRequest(query="smith 2/3/1980"), metadata=desk.md)
    assert resp.interpreted_as == "name: smith; date of birth: 02/03/1980"
    assert {p.matched_on for p in resp.patients} == {"dob+name"}
    empty = await desk.patients.SearchPatients(pb.SearchPatientsRequest(query="   "), metadata=desk.md)
    assert list(empty.patients) == [] and empty.interpreted_as == ""
