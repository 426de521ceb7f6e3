"""Fee schedules, payer contracts and the Medicare fee over mutual TLS, and the expected allowed amount each
encounter line stores (issue 5, items 3 and 4). The Medicare figures are computed by hand in the comments."""

from __future__ import annotations

from datetime import date

import grpc
import psycopg
import pytest

from server.pricing import files as pfs_files
from server.pricing import releases as pfs_releases
from shared import dates
from shared.pms.encounters.v1 import encounters_pb2 as en
from shared.pms.insurance.v1 import insurance_pb2 as ins
from shared.pms.payers.v1 import payers_pb2
from shared.pms.pricing.v1 import pricing_pb2 as pr
from tests.api.test_encounters import an_encounter, create, line, ready

# The encounter and scheduling tests' module fixtures, used here too.
from tests.api.test_encounters import biller as biller
from tests.api.test_encounters import provider_id as provider_id
from tests.api.test_scheduling import Practice, a_patient_id
from tests.api.test_scheduling import desk as desk
from tests.api.test_scheduling import manager as manager
from tests.api.test_scheduling import practice as practice
from tests.builders import a_payer, a_policy
from tests.integration.test_rvu_import import gpci_text, rvu_text
from tests.support import Client, Cluster, RunningServer, fails, status_details

LA = ("01182", "18")  # GPCIs 1.045 / 1.185 / 0.724
ALABAMA = ("10112", "00")  # GPCIs 1.000 / 0.950 / 0.600
DOS = date(2026, 3, 2)


@pytest.fixture(scope="module")
async def medicare_release(server: RunningServer, cluster: Cluster) -> None:
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        pfs_releases.import_release(conn, label="CY2026 test", effective=date(2026, 1, 1),
                                    rvu_file=pfs_files.read_rvu_file(rvu_text()),
                                    localities=pfs_files.read_gpci_file(gpci_text()), rvu_source="rvu.csv",
                                    gpci_source="gpci.csv")
        conn.commit()


async def a_payer_id(manager: Client, name: str, payer_id: str) -> int:
    made = await manager.payers.CreatePayer(payers_pb2.CreatePayerRequest(payer=a_payer(name, payer_id, "CI")),
                                            metadata=manager.md)
    return made.payer.payer_id


def a_contract(payer_id: int, **fields: object) -> pr.Contract:
    fields.setdefault("name", "2026 commercial")
    fields.setdefault("effective_from", dates.to_pb(date(2026, 1, 1)))
    return pr.Contract(payer_id=payer_id, **fields)  # type: ignore[arg-type]


async def create_contract(manager: Client, contract: pr.Contract) -> pr.Contract:
    return (await manager.pricing.CreateContract(pr.CreateContractRequest(contract=contract),
                                                 metadata=manager.md)).contract


async def set_fees(client: Client, on: date, *fees: tuple[str, str, int]) -> pr.SetFeesResponse:
    return await client.pricing.SetFees(pr.SetFeesRequest(
        effective_from=dates.to_pb(on), fees=[pr.Fee(code=c, modifier=m, fee_cents=f) for c, m, f in fees]),
        metadata=client.md)


async def fees_on(client: Client, on: date, prefix: str = "") -> dict[tuple[str, str], tuple[int, date | None]]:
    found = await client.pricing.ListFees(pr.ListFeesRequest(code_prefix=prefix, on_date=dates.to_pb(on)),
                                          metadata=client.md)
    return {(f.code, f.modifier): (f.fee_cents, dates.from_pb(f.effective_from)) for f in found.fees}


async def test_the_fee_schedule_keeps_each_fee_by_its_date(manager: Client, biller: Client) -> None:
    assert (await set_fees(manager, date(2026, 1, 1), ("99213", "", 10_000), ("99214", "", 15_000),
                           ("99214", "25", 15_500))).set == 3
    await set_fees(manager, date(2026, 6, 1), ("99213", "", 11_000))
    assert await fees_on(biller, date(2026, 3, 1), "9921") == {
        ("99213", ""): (10_000, date(2026, 1, 1)), ("99214", ""): (15_000, date(2026, 1, 1)),
        ("99214", "25"): (15_500, date(2026, 1, 1))}
    assert (await fees_on(biller, date(2026, 7, 1), "99213"))[("99213", "")] == (11_000, date(2026, 6, 1))
    assert await fees_on(biller, date(2025, 12, 31), "9921") == {}
    # Correcting the same date replaces that entry, not the history.
    await set_fees(manager, date(2026, 6, 1), ("99213", "", 10_800))
    assert (await fees_on(biller, date(2026, 7, 1), "99213"))[("99213", "")] == (10_800, date(2026, 6, 1))
    assert (await fees_on(biller, date(2026, 3, 1), "99213"))[("99213", "")] == (10_000, date(2026, 1, 1))

    err = await fails(set_fees(biller, date(2026, 1, 1), ("99213", "", 1)))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    err = await fails(manager.pricing.SetFees(pr.SetFeesRequest(fees=[
        pr.Fee(code="9921", fee_cents=100), pr.Fee(code="99213", modifier="2", fee_cents=-1),
        pr.Fee(code="99214", fee_cents=1), pr.Fee(code="99214", fee_cents=2)]), metadata=manager.md))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {f for f, _ in status_details(err)[1]} == {
        "effective_from", "fees[0].code", "fees[1].modifier", "fees[1].fee_cents", "fees[3]"}
    err = await fails(set_fees(manager, date(2026, 1, 1), ("99999", "", 100)))
    assert status_details(err)[1] == [("fees[0].code", "99999 is in no CPT or HCPCS release loaded on this server")]


async def test_contracts_are_checked_and_never_overlap(manager: Client, biller: Client) -> None:
    payer = await a_payer_id(manager, "Overlap Health", "OVL01")
    err = await fails(manager.pricing.CreateContract(pr.CreateContractRequest(contract=pr.Contract(
        payer_id=payer, medicare_percent=12000, medicare_contractor="1011",
        rates=[pr.ContractRate(code="99213", allowed_cents=-5)])), metadata=manager.md))
    assert {f for f, _ in status_details(err)[1]} == {
        "name", "effective_from", "medicare_contractor", "medicare_locality", "rates[0].allowed_cents"}
    err = await fails(create_contract(manager, a_contract(payer)))
    assert status_details(err)[1] == [("rates", "a contract needs rates, a percentage of Medicare, or both")]

    first = await create_contract(manager, a_contract(payer, effective_to=dates.to_pb(date(2026, 12, 31)),
                                                      rates=[pr.ContractRate(code="99213", allowed_cents=8000)]))
    assert first.version == 1 and first.payer_name == "Overlap Health"
    err = await fails(create_contract(manager, a_contract(payer, name="Second", effective_from=dates.to_pb(
        date(2026, 7, 1)), rates=[pr.ContractRate(code="99213", allowed_cents=9000)])))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION and status_details(err)[0] == "CONTRACT_OVERLAP"
    assert "\"2026 commercial\" from 01/01/2026 to 12/31/2026" in (err.details() or "")
    # The next year's contract starts the day after; ending the first earlier is an update under its version.
    await create_contract(manager, a_contract(payer, name="2027", effective_from=dates.to_pb(date(2027, 1, 1)),
                                              medicare_percent=11000, medicare_contractor=LA[0],
                                              medicare_locality=LA[1]))
    first.effective_to.CopyFrom(dates.to_pb(date(2026, 9, 30)))
    first.rates.append(pr.ContractRate(code="99214", allowed_cents=11000))
    updated = (await manager.pricing.UpdateContract(pr.UpdateContractRequest(contract=first),
                                                    metadata=manager.md)).contract
    assert updated.version == 2 and [(r.code, r.allowed_cents) for r in updated.rates] == [
        ("99213", 8000), ("99214", 11000)]
    err = await fails(manager.pricing.UpdateContract(pr.UpdateContractRequest(contract=first), metadata=manager.md))
    assert status_details(err)[0] == "STALE_VERSION"
    listed = (await biller.pricing.ListContracts(pr.ListContractsRequest(payer_id=payer), metadata=biller.md))
    assert [(c.name, c.rate_count, c.medicare_percent) for c in listed.contracts] == [
        ("2027", 0, 11000), ("2026 commercial", 2, 0)]
    err = await fails(biller.pricing.CreateContract(pr.CreateContractRequest(contract=a_contract(payer)),
                                                    metadata=biller.md))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_the_medicare_fee_against_hand_computed_figures(medicare_release: None, biller: Client) -> None:
    async def fee(code: str, modifier: str, where: tuple[str, str]) -> pr.GetMedicareFeeResponse:
        return await biller.pricing.GetMedicareFee(pr.GetMedicareFeeRequest(
            code=code, modifier=modifier, medicare_contractor=where[0], medicare_locality=where[1],
            date_of_service=dates.to_pb(DOS)), metadata=biller.md)

    # 99213 in Los Angeles: (1.30 x 1.045 + 1.33 x 1.185 + 0.10 x 0.724) x 33.4009 = 100.4348... -> $100.43;
    # facility (PE 0.55): 69.5623... -> $69.56.
    la = await fee("99213", "", LA)
    assert (la.nonfacility_fee_cents, la.facility_fee_cents, la.status, la.work_rvu) == (10_043, 6_956, "A", 130)
    assert la.release_label == "CY2026 test" and la.locality_name.startswith("LOS ANGELES")
    # 71046-26 in Alabama: (0.22 x 1 + 0.08 x 0.95 + 0.02 x 0.6) x 33.4009 = 10.2874... -> $10.29.
    assert (await fee("71046", "26", ALABAMA)).nonfacility_fee_cents == 1_029
    err = await fails(fee("99215", "", LA))
    assert err.code() == grpc.StatusCode.NOT_FOUND
    err = await fails(fee("99213", "59", ("1", "x")))
    assert {f for f, _ in status_details(err)[1]} == {"modifier", "medicare_contractor", "medicare_locality"}


async def test_each_line_stores_what_the_primary_payers_contract_allows(
        medicare_release: None, manager: Client, biller: Client, desk: Client, provider_id: int,
        practice: Practice) -> None:
    payer = await a_payer_id(manager, "Allowed Health", "ALW01")
    await set_fees(manager, date(2026, 2, 1), ("99213", "", 12_500), ("96372", "", 3_500))
    # Rates for some codes; 120% of the Los Angeles Medicare fee for the others.
    await create_contract(manager, a_contract(payer, rates=[pr.ContractRate(code="99214", allowed_cents=9_000),
                                                            pr.ContractRate(code="99214", modifier="25",
                                                                            allowed_cents=9_500)],
                                              medicare_percent=12_000, medicare_contractor=LA[0],
                                              medicare_locality=LA[1]))
    pid = await a_patient_id(desk, "Allowed")
    await desk.insurance.AddPolicy(ins.AddPolicyRequest(policy=a_policy(pid, payer)), metadata=desk.md)
    lines = (line("99213", [1], 0), line("99214", [1], 18_000, modifiers=["25"], units=2), line("96372", [1], 0))

    quoted = await biller.pricing.PriceLines(pr.PriceLinesRequest(
        patient_id=pid, date_of_service=dates.to_pb(DOS), location_id=practice.location_id,
        lines=[pr.LineToPrice(code=li.code, modifiers=li.modifiers, units=li.units) for li in lines]),
        metadata=biller.md)
    assert (quoted.payer_name, quoted.contract_name) == ("Allowed Health", "2026 commercial")
    # 99213: 120% of $100.43 = $120.516 -> $120.52. 99214-25 x 2: the schedule's 99214-25 fee (set in the first
    # test) and the contract's own 99214-25 rate. 96372: no rate, and the test RVU file has no 96372.
    assert [(q.has_fee, q.fee_cents, q.has_expected_allowed, q.expected_allowed_cents) for q in quoted.lines] == [
        (True, 12_500, True, 12_052), (True, 31_000, True, 19_000), (True, 3_500, False, 0)]

    made = await create(biller, an_encounter(pid, provider_id, practice, dos=DOS, lines=lines))
    # A fee left at 0 is the schedule's; a fee typed stays.
    assert [(li.fee_cents, li.has_expected_allowed, li.expected_allowed_cents) for li in made.lines] == [
        (12_500, True, 12_052), (18_000, True, 19_000), (3_500, False, 0)]
    assert made.total_cents == 12_500 + 18_000 + 3_500

    # No coverage on the date of service: no expectation; coverage added before billing is what billing stores.
    uninsured = await a_patient_id(desk, "Selfpay")
    bare = await create(biller, an_encounter(uninsured, provider_id, practice, dos=DOS, lines=lines[:1]))
    assert [(li.fee_cents, li.has_expected_allowed) for li in bare.lines] == [(12_500, False)]
    await desk.insurance.AddPolicy(ins.AddPolicyRequest(policy=a_policy(uninsured, payer)), metadata=desk.md)
    await ready(biller, bare)
    billed = (await biller.encounters.GetEncounter(en.GetEncounterRequest(encounter_id=bare.encounter_id),
                                                   metadata=biller.md)).encounter
    assert [(li.has_expected_allowed, li.expected_allowed_cents) for li in billed.lines] == [(True, 12_052)]


async def test_pricing_calls_are_audited(manager: Client, biller: Client, server: RunningServer,
                                        cluster: Cluster) -> None:
    await set_fees(manager, date(2026, 1, 1), ("96372", "", 3_000))
    await biller.pricing.ListFees(pr.ListFeesRequest(code_prefix="992"), metadata=biller.md)
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        rows = conn.execute("""
            SELECT action, data_category, patient_id, detail, username FROM audit_event
             WHERE action LIKE '%PricingService/%' ORDER BY sequence""").fetchall()
    assert rows[-2][0].endswith("SetFees")
    assert rows[-2][1:] == ("fee_schedules", None, "effective_from=2026-01-01 fees=1", "sched-boss")
    assert rows[-1][0].endswith("ListFees") and rows[-1][1] == "fee_schedules" and rows[-1][2] is None
    # Pricing a superbill reads the patient's coverage: that event names the patient.
    priced = [r for r in rows if r[0].endswith("PriceLines")]
    assert priced and all(r[1] == "charges" and r[2] is not None for r in priced)
