"""The audit trail: every call leaves an event, the chain verifies, tampering is found, the server cannot rewrite it."""

from __future__ import annotations

import grpc
import psycopg
import pytest

from server.audit.chain import AuditRecord, Outcome, append
from shared.pms.audit.v1 import audit_pb2
from shared.pms.auth.v1 import auth_pb2
from tests.support import ADMIN_PASSWORD, Client, Cluster, RunningServer


async def _events(client: Client, **kw: object) -> list[audit_pb2.AuditEvent]:
    resp = await client.audit.ListAuditEvents(audit_pb2.ListAuditEventsRequest(**kw), metadata=client.md,
                                              timeout=5)
    return list(resp.events)


async def test_success_refusal_and_failure_are_all_audited(server: RunningServer) -> None:
    client = Client(await server.enroll("audit-a"))
    try:
        with pytest.raises(grpc.aio.AioRpcError):
            await client.auth.WhoAmI(auth_pb2.WhoAmIRequest(), timeout=5)  # no session: denied
        with pytest.raises(grpc.aio.AioRpcError):
            await client.login("admin", "wrong-password")  # failed login
        await client.login("admin", ADMIN_PASSWORD)
        events = await _events(client, workstation_name="audit-a")
        seen = [(e.action.split("/")[-1], e.outcome, e.username, e.detail) for e in reversed(events)]
        assert seen[:3] == [
            ("WhoAmI", audit_pb2.OUTCOME_DENIED, "", "NO_SESSION"),
            ("Login", audit_pb2.OUTCOME_FAILED, "admin", "BAD_CREDENTIALS"),
            ("Login", audit_pb2.OUTCOME_SUCCESS, "admin", ""),
        ]
        assert all(e.data_category == "authentication" for e in events[:3])
    finally:
        await client.close()


async def test_it_admin_sees_events_without_patient_identifiers(server: RunningServer) -> None:
    db = server.inst.database(pool_size=1, max_overflow=0)
    async with db.transaction() as session:
        await append(session, server.inst.settings.practice_id, AuditRecord(
            action="pms.patients.v1.PatientService/GetPatient", data_category="demographics",
            outcome=Outcome.SUCCESS, username="someone", workstation_name="x", patient_id=4242))
    await db.dispose()
    await server.add_user("audit-mgr", ["manager"])
    admin, manager = Client(await server.enroll("audit-it")), Client(await server.enroll("audit-mgr"))
    try:
        await admin.login("admin", ADMIN_PASSWORD)
        await manager.login("audit-mgr", "user-password-123")
        as_admin = [e for e in await _events(admin, action_contains="GetPatient")]
        as_manager = [e for e in await _events(manager, action_contains="GetPatient")]
        assert [(e.patient_id, e.patient_hidden) for e in as_admin] == [(0, True)]
        assert [(e.patient_id, e.patient_hidden) for e in as_manager] == [(4242, False)]
    finally:
        await admin.close()
        await manager.close()


async def test_paging_walks_back_through_the_trail(server: RunningServer) -> None:
    client = Client(await server.enroll("audit-page"))
    try:
        await client.login("admin", ADMIN_PASSWORD)
        for _ in range(5):
            await client.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client.md, timeout=5)
        first = await client.audit.ListAuditEvents(audit_pb2.ListAuditEventsRequest(
            page_size=3, workstation_name="audit-page"), metadata=client.md, timeout=5)
        second = await client.audit.ListAuditEvents(audit_pb2.ListAuditEventsRequest(
            page_size=3, workstation_name="audit-page", before_sequence=first.next_before_sequence),
            metadata=client.md, timeout=5)
        seqs = [e.sequence for e in first.events] + [e.sequence for e in second.events]
        assert len(seqs) == 6 and seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 6
    finally:
        await client.close()


async def test_verify_finds_an_altered_and_a_missing_event(server: RunningServer, cluster: Cluster) -> None:
    client = Client(await server.enroll("audit-verify"))
    try:
        await client.login("admin", ADMIN_PASSWORD)
        ok = await client.audit.VerifyAuditChain(audit_pb2.VerifyAuditChainRequest(), metadata=client.md,
                                                 timeout=10)
        assert ok.ok and ok.events_checked > 3
        with psycopg.connect(cluster.owner_conninfo(server.inst.urls), autocommit=True) as owner:
            owner.execute("UPDATE audit_event SET detail = 'nothing to see' WHERE sequence = 3")
        bad = await client.audit.VerifyAuditChain(audit_pb2.VerifyAuditChainRequest(), metadata=client.md,
                                                  timeout=10)
        assert (bad.ok, bad.first_bad_sequence) == (False, 3)
        assert "altered" in bad.problem
    finally:
        await client.close()


async def test_the_server_role_cannot_change_or_delete_audit_events(server: RunningServer,
                                                                  cluster: Cluster) -> None:
    with psycopg.connect(cluster.app_conninfo(server.inst.urls), autocommit=True) as app:
        assert app.execute("SELECT count(*) FROM audit_event").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("UPDATE audit_event SET detail = 'x'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("DELETE FROM audit_event")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("TRUNCATE audit_event")


async def test_calls_from_revoked_or_unknown_workstations_are_audited(server: RunningServer) -> None:
    from server.pki.authority import issue_workstation_certificate
    from shared.bundle import WorkstationBundle
    from shared.pms.admin.v1 import admin_pb2

    admin = Client(await server.enroll("audit-admin2"))
    lost = Client(await server.enroll("audit-lost"))
    rogue_cert = issue_workstation_certificate(server.inst.ca_files.load_ca(), "audit-rogue",
                                               server.inst.settings.practice_id, 30)
    b = lost.bundle
    rogue = Client(WorkstationBundle(b.workstation_name, b.practice_name, b.server_address, b.server_name,
                                     b.ca_cert_pem, rogue_cert.cert_pem.decode(), rogue_cert.key_pem.decode()))
    try:
        await admin.login("admin", ADMIN_PASSWORD)
        ws = await admin.admin.ListWorkstations(admin_pb2.ListWorkstationsRequest(), metadata=admin.md, timeout=5)
        lost_id = next(w.workstation_id for w in ws.workstations if w.name == "audit-lost")
        await admin.admin.RevokeWorkstation(admin_pb2.RevokeWorkstationRequest(workstation_id=lost_id,
                                                                               reason="lost"),
                                            metadata=admin.md, timeout=5)
        for client in (lost, rogue):
            with pytest.raises(grpc.aio.AioRpcError):
                await client.login("admin", ADMIN_PASSWORD)
        events = {e.workstation_name: e for e in await _events(admin, action_contains="Login")
                  if e.workstation_name in ("audit-lost", "audit-rogue")}
        assert (events["audit-lost"].outcome, events["audit-lost"].detail) == (audit_pb2.OUTCOME_DENIED,
                                                                               "WORKSTATION_REVOKED")
        assert (events["audit-rogue"].outcome, events["audit-rogue"].detail) == (audit_pb2.OUTCOME_DENIED,
                                                                                 "WORKSTATION_UNKNOWN")
    finally:
        for c in (admin, lost, rogue):
            await c.close()
