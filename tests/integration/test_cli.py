"""`pms-server` as the IT admin uses it: the zero-setup path with the embedded database in the data folder."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from server.config import DataDir
from server.db.embedded import SUPERUSER
from server.db.migrate import head_revision
from shared.bundle import WorkstationBundle

PASSWORD = "first-admin-password"


def pms_server(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PMS_OWNER_DATABASE_URL")}
    result = subprocess.run([sys.executable, "-m", "server.cli", *args], capture_output=True, text=True,
                            env=env, timeout=120, check=False, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise AssertionError(f"pms-server {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataDir]:
    root = tmp_path_factory.mktemp("cli") / "srv"
    pw = root.parent / "pw"
    pw.write_text(PASSWORD + "\n")
    pms_server("init", "--data", str(root), "--host", "localhost", "--host", "127.0.0.1",
               "--practice-name", "CLI Clinic", "--admin-password-file", str(pw), "--listen", "127.0.0.1:0")
    d = DataDir(root)
    pg = d.embedded_postgres()
    pg.start()  # keep it up for the module, so each command does not start and stop it
    yield d
    pg.stop()


def test_init_lays_out_the_data_folder(data: DataDir) -> None:
    assert (data.pki / "ca.key").stat().st_mode & 0o777 == 0o600
    assert (data.pki / "server.key").stat().st_mode & 0o777 == 0o600
    assert (data.keys / "field-v1.key").stat().st_mode & 0o777 == 0o600
    assert data.settings_path.stat().st_mode & 0o777 == 0o600
    assert data.load().hosts == ["localhost", "127.0.0.1"]
    again = pms_server("init", "--data", str(data.root), "--admin-password-file", "/dev/null", check=False)
    assert again.returncode == 2 and "already holds an installation" in again.stderr


def test_init_refuses_a_weak_first_password(tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("short")
    result = pms_server("init", "--data", str(tmp_path / "x"), "--admin-password-file", str(pw), check=False)
    assert result.returncode == 2
    assert "admin-password: must be at least 12 characters" in result.stderr
    assert not (tmp_path / "x").exists()


def test_users(data: DataDir, tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("billing-password-1")
    out = pms_server("user", "add", "bea", "--roles", "biller,manager", "--display-name", "Bea Biller",
                     "--password-file", str(pw), "--data", str(data.root)).stdout
    assert "Created bea (biller, manager)" in out
    bad = pms_server("user", "add", "Bad Name", "--roles", "wizard", "--password-file", str(pw),
                     "--data", str(data.root), check=False)
    assert bad.returncode == 2
    assert "error: username:" in bad.stderr and "error: roles: unknown role(s): wizard" in bad.stderr
    pms_server("user", "set-roles", "bea", "--roles", "biller", "--data", str(data.root))
    pms_server("user", "disable", "bea", "--data", str(data.root))
    listing = pms_server("user", "list", "--data", str(data.root)).stdout
    bea = next(line for line in listing.splitlines() if line.startswith("bea "))
    assert "biller" in bea and "manager" not in bea and bea.endswith("disabled")
    pw.write_text("billing-password-2")
    out = pms_server("user", "reset-password", "bea", "--password-file", str(pw), "--data", str(data.root)).stdout
    assert "reset" in out


def test_enroll_writes_one_private_bundle_and_revoke(data: DataDir, tmp_path: Path) -> None:
    out = tmp_path / "desk.pmsbundle"
    pms_server("enroll", "desk-7", "--data", str(data.root), "--out", str(out), "--days", "30")
    assert out.stat().st_mode & 0o777 == 0o600
    bundle = WorkstationBundle.read(out)
    assert bundle.workstation_name == "desk-7" and bundle.server_name == "localhost"
    assert "PRIVATE KEY" in bundle.key_pem and "CERTIFICATE" in bundle.ca_cert_pem
    dup = pms_server("enroll", "desk-7", "--data", str(data.root), "--out", str(tmp_path / "2"), check=False)
    assert dup.returncode == 2 and "revoke it first" in dup.stderr
    pms_server("revoke", "desk-7", "--data", str(data.root), "--reason", "replaced")
    pms_server("enroll", "desk-7", "--data", str(data.root), "--out", str(tmp_path / "3"))


def test_serve_answers_over_mtls_and_stops_cleanly_on_sigterm(data: DataDir, tmp_path: Path) -> None:
    import grpc

    from server.demo import free_port
    from shared.pms.auth.v1 import auth_pb2, auth_pb2_grpc

    bundle_path = tmp_path / "s.pmsbundle"
    pms_server("enroll", "serve-check", "--data", str(data.root), "--out", str(bundle_path))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--data", str(data.root),
                             "--listen", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        b = WorkstationBundle.read(bundle_path)
        creds = grpc.ssl_channel_credentials(b.ca_cert_pem.encode(), b.key_pem.encode(), b.cert_pem.encode())
        with grpc.secure_channel(f"127.0.0.1:{port}", creds,
                                 options=[("grpc.ssl_target_name_override", "localhost")]) as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
            resp = auth_pb2_grpc.AuthServiceStub(channel).Login(
                auth_pb2.LoginRequest(username="admin", password=PASSWORD), timeout=10)
            assert resp.session.practice_name == "CLI Clinic"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert '"event": "stopped"' in err
    # Structured logs carry no secrets or patient data: not the password, not the token.
    assert PASSWORD not in err and resp.session_token not in err


def test_audit_verify_names_the_first_altered_or_missing_event(data: DataDir) -> None:
    ok = pms_server("audit", "verify", "--data", str(data.root))
    assert "Audit chain OK" in ok.stdout
    pg = data.embedded_postgres()
    with psycopg.connect(pg.conninfo(SUPERUSER, "pms"), autocommit=True) as conn:
        conn.execute("SET ROLE pms_owner")
        original = conn.execute("SELECT detail FROM audit_event WHERE sequence = 2").fetchone()[0]
        conn.execute("UPDATE audit_event SET detail = 'edited' WHERE sequence = 2")
        bad = pms_server("audit", "verify", "--data", str(data.root), check=False)
        assert bad.returncode == 1
        assert "AUDIT CHAIN BROKEN at event 2: event 2 was altered" in bad.stdout
        conn.execute("UPDATE audit_event SET detail = %s WHERE sequence = 2", (original,))
        assert pms_server("audit", "verify", "--data", str(data.root)).returncode == 0
        conn.execute("DELETE FROM audit_event WHERE sequence = 3")
        bad = pms_server("audit", "verify", "--data", str(data.root), check=False)
        assert "AUDIT CHAIN BROKEN at event 3: event 3 is missing" in bad.stdout


def test_verify_ledger_names_an_entry_that_does_not_balance(data: DataDir) -> None:
    assert "Ledger OK" in pms_server("verify-ledger", "--data", str(data.root)).stdout
    pg = data.embedded_postgres()
    with psycopg.connect(pg.conninfo(SUPERUSER, "pms"), autocommit=True) as conn:
        # Only a superuser switching triggers off can write what the database otherwise refuses.
        conn.execute("SET session_replication_role = replica")
        entry = conn.execute("INSERT INTO ledger_entry (practice_id, kind, idempotency_key) "
                             "SELECT id, 'deposit', 'broken' FROM practice LIMIT 1 RETURNING id").fetchone()[0]
        bad = pms_server("verify-ledger", "--data", str(data.root), check=False)
        assert bad.returncode == 1
        assert f"entry {entry} (deposit) has 0 lines summing to 0 cents" in bad.stdout
        conn.execute("DELETE FROM ledger_entry WHERE id = %s", (entry,))
    assert pms_server("verify-ledger", "--data", str(data.root)).returncode == 0


def test_serve_refuses_a_database_not_at_head(data: DataDir) -> None:
    pg = data.embedded_postgres()
    with psycopg.connect(pg.conninfo(SUPERUSER, "pms"), autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0000_older'")
        try:
            result = pms_server("serve", "--data", str(data.root), "--listen", "127.0.0.1:0", check=False)
        finally:
            conn.execute("UPDATE alembic_version SET version_num = %s", (head_revision(),))
    assert result.returncode == 2
    assert "schema is at revision 0000_older" in result.stderr and "pms-server migrate" in result.stderr
    assert "at the head revision" in pms_server("migrate", "--data", str(data.root)).stdout


def test_demo_data_fills_a_practice(data: DataDir) -> None:
    out = pms_server("demo-data", "--data", str(data.root), "--users", "3", "--workstations", "2",
                     "--audit-events", "500").stdout
    assert "Generated: 3 users, 2 workstations, 500 audit events" in out
    listing = pms_server("user", "list", "--data", str(data.root)).stdout
    assert len(listing.strip().splitlines()) >= 1 + 3 + 1  # header, the generated users, admin


def test_demo_data_adds_patients_with_their_insurance(data: DataDir) -> None:
    args = ("demo-data", "--data", str(data.root), "--users", "0", "--workstations", "0", "--audit-events", "0")
    out = pms_server(*args, "--patients", "40").stdout
    assert "40 patients" in out and "15 payers in the directory" in out
    pms_server(*args, "--patients", "10", "--seed", "2")  # more patients, the same payer directory
    with psycopg.connect(data.embedded_postgres().conninfo(SUPERUSER, "pms")) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT mrn) FROM patient").fetchone() == (50, 50)
        assert conn.execute("SELECT count(*) FROM payer").fetchone() == (15,)
        assert conn.execute("SELECT max(mrn::int) < min(next_mrn) FROM patient, practice").fetchone() == (True,)
        details = [r[0] for r in conn.execute(
            "SELECT detail FROM audit_event WHERE action = 'cli/demo-data' ORDER BY sequence")]
    assert [d.split()[:2] for d in details] == [["synthetic", "patients=40"], ["synthetic", "patients=10"]]
    bad = pms_server(*args, "--patients", "-1", check=False)
    assert bad.returncode == 2 and "error: patients: must be 0 or more" in bad.stderr


def test_demo_data_books_a_schedule_without_overlaps(data: DataDir) -> None:
    args = ("demo-data", "--data", str(data.root), "--users", "0", "--workstations", "0", "--audit-events", "0")
    out = pms_server(*args, "--patients", "60", "--providers", "3").stdout
    booked = re.search(r"3 providers, 2 locations, (\d+) appointments", out)
    assert booked is not None and int(booked.group(1)) > 3 * 10, out
    with psycopg.connect(data.embedded_postgres().conninfo(SUPERUSER, "pms")) as conn:
        statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM appointment")}
        overlaps = conn.execute("""
            SELECT count(*) FROM appointment a JOIN appointment b ON a.practice_id = b.practice_id
               AND a.provider_id = b.provider_id AND a.id < b.id AND a.during && b.during
             WHERE a.holds_time AND b.holds_time""").fetchone()
        outside = conn.execute("""
            SELECT count(*) FROM appointment a WHERE NOT EXISTS (
              SELECT 1 FROM template_block t JOIN location l ON l.practice_id = t.practice_id AND l.id = t.location_id
               WHERE t.practice_id = a.practice_id AND t.provider_id = a.provider_id AND t.kind = 'available'
                 AND t.location_id = a.location_id
                 AND t.weekday = extract(isodow FROM a.starts_at AT TIME ZONE l.time_zone)
                 AND extract(epoch FROM (a.starts_at AT TIME ZONE l.time_zone)::time) >= t.start_minute * 60
                 AND extract(epoch FROM (a.ends_at AT TIME ZONE l.time_zone)::time) <= t.end_minute * 60)
        """).fetchone()
        events = conn.execute("SELECT count(*) >= (SELECT count(*) FROM appointment) FROM appointment_event"
                              ).fetchone()
    assert {"checked_out", "scheduled"} <= statuses and overlaps == (0,) and outside == (0,) and events == (True,)
    bad = pms_server(*args, "--providers", "401", check=False)
    assert bad.returncode == 2 and "error: providers: must be 0 to 400" in bad.stderr


def test_sigterm_lets_calls_in_flight_finish(data: DataDir, tmp_path: Path) -> None:
    import grpc

    from server.demo import free_port
    from shared.pms.auth.v1 import auth_pb2, auth_pb2_grpc

    bundle_path = tmp_path / "g.pmsbundle"
    pms_server("enroll", "grace-check", "--data", str(data.root), "--out", str(bundle_path))
    b = WorkstationBundle.read(bundle_path)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--data", str(data.root),
                             "--listen", f"127.0.0.1:{port}", "--grace", "20"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    creds = grpc.ssl_channel_credentials(b.ca_cert_pem.encode(), b.key_pem.encode(), b.cert_pem.encode())
    signalled = False
    with grpc.secure_channel(f"127.0.0.1:{port}", creds,
                             options=[("grpc.ssl_target_name_override", "localhost")]) as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=30)
            stub = auth_pb2_grpc.AuthServiceStub(channel)
            # Logins are slow on purpose (argon2id): eight of them are still running when SIGTERM arrives.
            calls = [stub.Login.future(auth_pb2.LoginRequest(username="admin", password=PASSWORD), timeout=30)
                     for _ in range(8)]
            calls[0].result(timeout=30)  # the server is busy with the rest
            proc.send_signal(signal.SIGTERM)
            signalled = True
            results = [c.result(timeout=30) for c in calls]
        finally:
            # One SIGTERM only: a second one landing while the server is exiting would kill it by default action
            # (exit -15), which is what this test once saw.
            if not signalled:
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    assert len({r.session_token for r in results}) == 8
    assert proc.returncode == 0


def test_codes_import_and_releases(data: DataDir, tmp_path: Path) -> None:
    listed = pms_server("codes", "releases", "--data", str(data.root)).stdout
    assert "icd10cm   2025-10-01  FY2026" in listed and "cpt" not in listed
    cpt = tmp_path / "cpt2026.csv"
    cpt.write_text("code,description\n99213,Office visit (licensed text)\n99214,Office visit, longer\n")
    bad = pms_server("codes", "import", "cpt", str(cpt), "--effective", "2026-01-01", "--data", str(data.root),
                     check=False)
    # The unquoted comma makes a third column: refused rather than cut short.
    assert bad.returncode == 2 and "cpt2026.csv: line 3: expected two columns" in bad.stderr
    cpt.write_text("code,description\n99213,Office visit (licensed text)\n9921X,Typo\n")
    bad = pms_server("codes", "import", "cpt", str(cpt), "--effective", "2026-01-01", "--data", str(data.root),
                     check=False)
    assert bad.returncode == 2 and "cpt2026.csv: line 3: '9921X' is not a CPT code" in bad.stderr
    cpt.write_text("code,description\n99213,Office visit (licensed text)\n99214,\"Office visit, longer\"\n")
    out = pms_server("codes", "import", "cpt", str(cpt), "--effective", "2026-01-01", "--label", "CPT 2026",
                     "--data", str(data.root)).stdout
    assert "Loaded cpt effective 2026-01-01: 2 added, 0 changed, 0 retired." in out
    again = pms_server("codes", "import", "cpt", str(cpt), "--effective", "2025-06-01", "--data", str(data.root),
                       check=False)
    assert again.returncode == 2 and "not after the latest one loaded (2026-01-01)" in again.stderr
    assert "cpt       2026-01-01  CPT 2026" in pms_server("codes", "releases", "--data", str(data.root)).stdout


def test_payer_sim_answers_a_claim_file_once_and_refuses_a_bad_config(tmp_path: Path) -> None:
    outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
    outbox.mkdir()
    sample = Path(__file__).parent.parent / "fixtures" / "x12" / "837p" / "lfh_example1.837p"
    (outbox / "claims.x12").write_bytes(sample.read_bytes())
    bad = tmp_path / "sim.json"
    bad.write_text('{"members": {}, "remit_delay": 5}')
    refused = pms_server("payer-sim", "--outbox", str(outbox), "--inbox", str(inbox), "--config", str(bad),
                         "--once", check=False)
    assert refused.returncode == 2 and "config" in refused.stderr and "remit_delay" in refused.stderr
    good = tmp_path / "good.json"
    good.write_text('{"allowed_percent": 70, "remit_delay_seconds": 0}')
    done = pms_server("payer-sim", "--outbox", str(outbox), "--inbox", str(inbox), "--config", str(good), "--once")
    assert "received 1" in done.stderr
    answers = sorted(p.name.split("-")[0] for p in inbox.iterdir())
    assert answers == ["277CA", "835", "999"]
    assert (outbox / "received" / "claims.x12").exists() and not (outbox / "claims.x12").exists()
    # The same interchange delivered again is a repeat: no second answer.
    (outbox / "again.x12").write_bytes(sample.read_bytes())
    repeat = pms_server("payer-sim", "--outbox", str(outbox), "--inbox", str(inbox), "--once")
    assert "repeats 1" in repeat.stderr and len(list(inbox.iterdir())) == 3
