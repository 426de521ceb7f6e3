"""Patient records under concurrency, and the merge's coverage of every table that points at a patient."""

from __future__ import annotations

import asyncio
from datetime import date

import psycopg

from server.db.base import Base
from server.patients.merge import STAYS_WITH_RECORD, patient_references
from shared.pms.insurance.v1 import insurance_pb2 as ins
from shared.pms.payers.v1 import payers_pb2
from tests.api.test_insurance_and_documents import add
from tests.api.test_patients import logged_in, register
from tests.builders import a_patient, a_payer, a_policy
from tests.support import Cluster, RunningServer


def test_merge_moves_every_table_that_references_a_patient() -> None:
    import server.db.models  # noqa: F401

    referencing = {t.name for t in Base.metadata.sorted_tables for fk in t.foreign_key_constraints
                   if fk.referred_table.name == "patient"}
    moved = {t.name for t, _ in patient_references()}
    assert moved == referencing - STAYS_WITH_RECORD
    assert {"insurance_policy", "document"} <= moved


async def test_concurrent_registrations_get_distinct_mrns(server: RunningServer) -> None:
    clients = [await logged_in(server, f"reg{i}", ["front_desk"]) for i in range(4)]
    try:
        made = await asyncio.gather(*[
            register(c, a_patient(f"Pat{chr(65 + i)}{chr(65 + j)}", "Concurrent", born=date(1990, 1, 1 + i * 5 + j)))
            for i, c in enumerate(clients) for j in range(5)])
    finally:
        for c in clients:
            await c.close()
    mrns = [m.patient.mrn for m in made]
    assert len(set(mrns)) == 20 and all(m.HasField("patient") for m in made)


async def test_concurrent_policy_changes_keep_one_billing_order(server: RunningServer, cluster: Cluster) -> None:
    a = await logged_in(server, "polA", ["front_desk", "manager"])
    b = await logged_in(server, "polB", ["front_desk"])
    try:
        payer = (await a.payers.CreatePayer(payers_pb2.CreatePayerRequest(payer=a_payer("Race Health", "RACE1")),
                                            metadata=a.md)).payer
        patient = (await register(a, a_patient("Rita", "Race", born=date(1977, 7, 7)))).patient
        await asyncio.gather(*[add(c, a_policy(patient.patient_id, payer.payer_id, f"M{i}"))
                               for i, c in enumerate([a, b, a, b, a, b])])
        listed = await a.insurance.ListPolicies(ins.ListPoliciesRequest(patient_id=patient.patient_id), metadata=a.md)
        ids = [p.policy_id for p in listed.policies]
        await asyncio.gather(
            a.insurance.ReorderPolicies(ins.ReorderPoliciesRequest(patient_id=patient.patient_id,
                                                                   policy_ids=list(reversed(ids))), metadata=a.md),
            b.insurance.ReorderPolicies(ins.ReorderPoliciesRequest(patient_id=patient.patient_id,
                                                                   policy_ids=ids[1:] + ids[:1]), metadata=b.md))
    finally:
        await a.close()
        await b.close()
    with psycopg.connect(cluster.owner_conninfo(server.inst.urls)) as conn:
        priorities = [r[0] for r in conn.execute(
            "SELECT priority FROM insurance_policy WHERE patient_id = %s ORDER BY priority",
            (patient.patient_id,)).fetchall()]
    assert priorities == [1, 2, 3, 4, 5, 6]
