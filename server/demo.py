"""`pms-server demo`: a whole demo practice on this machine, then the terminal client on top of it.

Runs the embedded database, the CA and the server on 127.0.0.1 (a free port), creates one
user per role and a few hundred synthetic patients with their insurance (and the payer directory),
five providers at two locations with weekly templates and a month and a half of appointments,
enrolls a workstation for this terminal and opens the TUI over mutual TLS.
Quitting the TUI stops everything (and deletes the temporary data folder).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import grpc

from server.config import DataDir
from server.security import Role
from shared import dates
from shared.bundle import WorkstationBundle
from shared.pms.auth.v1 import auth_pb2, auth_pb2_grpc
from shared.pms.patients.v1 import patients_pb2, patients_pb2_grpc

if TYPE_CHECKING:
    from server.runtime import Installation

PRACTICE = "Riverside Family Practice (demo)"
# Demo passwords are printed and shown on the login screen: this practice is throwaway.
DEMO_USERS: list[tuple[str, str, list[str], str]] = [
    ("frontdesk", "Fran Desk", [Role.FRONT_DESK.value], "frontdesk-demo"),
    ("biller", "Bill Ing", [Role.BILLER.value], "biller-demo-pass"),
    ("provider", "Dr. Pat Provider", [Role.PROVIDER.value], "provider-demo"),
    ("manager", "Morgan Manager", [Role.MANAGER.value], "manager-demo"),
]
ADMIN = ("itadmin", "itadmin-demo")
DEMO_PATIENTS = 300
DEMO_PROVIDERS = 5
DEMO_SEED = 2026
# The most common US surname: the synthetic practice has a dozen of them, so the front desk finds some.
DEMO_SEARCH = "smith"


def demo_credentials() -> list[tuple[str, str, str]]:
    rows = [(u, ",".join(r), p) for u, _, r, p in DEMO_USERS]
    return [*rows, (ADMIN[0], Role.IT_ADMIN.value, ADMIN[1])]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(data: DataDir) -> WorkstationBundle:
    """Initialises the demo installation (once), starts its database and enrolls this terminal."""
    from server.bootstrap import initialise
    from server.runtime import open_installation
    from server.workstations import service

    port = free_port()
    if not data.exists():
        initialise(data, hosts=["127.0.0.1", "localhost"], practice_name=PRACTICE, admin_username=ADMIN[0],
                   admin_password=ADMIN[1], listen=f"127.0.0.1:{port}", extra_users=DEMO_USERS)
    settings = data.load()
    settings.listen = f"127.0.0.1:{port}"
    # Reminder texts go to DATA/outbox/sms.jsonl: the demo sends nothing off this machine.
    settings.reminders = {"sms": {"gateway": "outbox"}, "interval_seconds": 30}
    # Claims go to DATA/clearinghouse/outbox, where the demo's payer simulator answers them.
    settings.clearinghouse = {"transport": "folder", "interval_seconds": 5}
    data.save(settings)
    # The database stays up for the server process we start next; run_demo stops it at the end.
    data.embedded_postgres().start()
    inst = open_installation(data, data.database_urls())
    add_demo_patients(inst)
    add_demo_schedule(inst)
    add_demo_encounters(inst)
    add_demo_billing_setup(inst)

    async def enroll() -> WorkstationBundle:
        db = inst.database(pool_size=1, max_overflow=0)
        try:
            async with db.transaction() as session:
                _, bundle = await service.enroll(session, inst.ca_files, inst.server_address(),
                                                 inst.settings.practice_id, f"demo-console-{port}", 2)
                return bundle
        finally:
            await db.dispose()

    return asyncio.run(enroll())


def add_demo_patients(inst: Installation) -> int:
    """The demo practice's patients, insurance policies and payer directory; once (a kept folder has them)."""
    from server.patients.synthetic_load import load_population, practice_has_patients

    if practice_has_patients(inst):
        return 0
    return load_population(inst, DEMO_PATIENTS, seed=DEMO_SEED).patients


def add_demo_schedule(inst: Installation) -> int:
    """Five providers at two locations with templates, and their appointments from two weeks back to a month
    ahead; once (a kept folder has them)."""
    from server.scheduling.synthetic import load_schedule, practice_has_schedule

    if practice_has_schedule(inst):
        return 0
    return load_schedule(inst, providers=DEMO_PROVIDERS, seed=DEMO_SEED).appointments


def add_demo_encounters(inst: Installation) -> int:
    """The demo's CPT codes (neutral descriptions) and an encounter for every visit seen so far, most of them
    ready to bill, priced by the demo's fee schedule and commercial contracts; once (a kept folder has them)."""
    from server.encounters.synthetic import load_encounters
    from server.pricing.synthetic import load_demo_pricing

    made = load_encounters(inst, seed=DEMO_SEED).encounters
    load_demo_pricing(inst)
    return made


def add_demo_billing_setup(inst: Installation) -> None:
    """The demo practice's billing identity (a made-up NPI with a valid check digit and a made-up EIN), entered
    through the same checks as the Admin screen; once."""
    from server.claims import setup
    from shared.pms.claims.v1 import claims_pb2

    async def enter() -> None:
        db = inst.database(pool_size=1, max_overflow=0)
        try:
            async with db.transaction() as session:
                if await setup.load(session, inst.settings.practice_id) is None:
                    await setup.update(session, inst.settings.practice_id, claims_pb2.BillingSetup(
                        organization_name="Riverside Family Practice", npi="1234567893", tax_id="31-1234567",
                        taxonomy="207Q00000X", address_line1="1200 Main St", city="Columbus", state="OH",
                        zip="43215-2104", phone="(614) 555-0100", contact_name="Billing Office",
                        submitter_id="RIVERSIDE01", receiver_name="PMS Payer Simulator", receiver_id="PMSSIM"))
        finally:
            await db.dispose()

    asyncio.run(enter())


def bill_demo_visits(channel: grpc.Channel) -> str:
    """What the demo's biller does first: bill the ready visits older than a week, scrub and queue them, and
    write the batch (the server's clearinghouse job delivers it to DATA/clearinghouse/outbox)."""
    from datetime import date, timedelta

    from shared import dates
    from shared.pms.claims.v1 import claims_pb2 as cl
    from shared.pms.claims.v1 import claims_pb2_grpc
    from shared.pms.encounters.v1 import encounters_pb2 as en
    from shared.pms.encounters.v1 import encounters_pb2_grpc

    username, _, _, password = DEMO_USERS[1]
    token = auth_pb2_grpc.AuthServiceStub(channel).Login(
        auth_pb2.LoginRequest(username=username, password=password), timeout=10).session_token
    md = (("authorization", f"Bearer {token}"),)
    ready = encounters_pb2_grpc.EncounterServiceStub(channel).ListEncounters(en.ListEncountersRequest(
        status=en.ENCOUNTER_STATUS_READY, to_date=dates.to_pb(date.today() - timedelta(days=7)), limit=500),
        timeout=30, metadata=md).encounters
    claims = claims_pb2_grpc.ClaimServiceStub(channel)
    if not ready:
        return "claims: no ready visits older than a week to bill"
    outcomes = claims.CreateClaims(cl.CreateClaimsRequest(encounter_ids=[e.encounter_id for e in ready]),
                                   timeout=60, metadata=md).outcomes
    made = [o.claim_id for o in outcomes if o.claim_id]
    self_pay = sum(o.refusal_reason == "NO_COVERAGE" for o in outcomes)
    scrubbed = claims.ScrubClaims(cl.ScrubClaimsRequest(claim_ids=made, queue=True), timeout=60,
                                  metadata=md).claims if made else []
    queued = sum(c.status == cl.CLAIM_STATUS_QUEUED for c in scrubbed)
    batch = claims.CreateBatch(cl.CreateBatchRequest(), timeout=60, metadata=md).batch if queued else None
    written = (f"{batch.file_name} written with {batch.claim_count} claims (${batch.total_charge_cents / 100:,.2f})"
               if batch else "no batch")
    return (f"claims: {len(made)} visits billed ({self_pay} self-pay), {queued} passed the scrubber and queued, "
            f"{len(made) - queued} held for fixes; {written}")


def clearinghouse_answers(channel: grpc.Channel, timeout: float = 60.0) -> str:
    """Waits for the payer simulator's answers to reach the claims (the server delivers the batch and reads the
    999 and 277CA back on its own)."""
    from shared.pms.claims.v1 import claims_pb2 as cl
    from shared.pms.claims.v1 import claims_pb2_grpc

    username, _, _, password = DEMO_USERS[1]
    token = auth_pb2_grpc.AuthServiceStub(channel).Login(
        auth_pb2.LoginRequest(username=username, password=password), timeout=10).session_token
    md = (("authorization", f"Bearer {token}"),)
    stub = claims_pb2_grpc.ClaimServiceStub(channel)
    deadline = time.monotonic() + timeout
    while True:
        counts = {c.status: c.count for c in stub.ListClaims(cl.ListClaimsRequest(limit=1), timeout=10,
                                                              metadata=md).counts}
        waiting = counts.get(cl.CLAIM_STATUS_QUEUED, 0) + counts.get(cl.CLAIM_STATUS_SENT, 0)
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(1)
    return (f"clearinghouse: {counts.get(cl.CLAIM_STATUS_ACCEPTED, 0)} claims accepted, "
            f"{counts.get(cl.CLAIM_STATUS_REJECTED, 0)} rejected, {waiting} still waiting")


def wait_until_serving(bundle: WorkstationBundle, timeout: float = 30.0) -> grpc.Channel:
    creds = grpc.ssl_channel_credentials(bundle.ca_cert_pem.encode(), bundle.key_pem.encode(),
                                         bundle.cert_pem.encode())
    channel = grpc.secure_channel(bundle.server_address, creds,
                                  options=[("grpc.ssl_target_name_override", bundle.server_name)])
    grpc.channel_ready_future(channel).result(timeout=timeout)
    return channel


def check_logins(channel: grpc.Channel) -> list[str]:
    """Logs in as every demo user; returns one line per user."""
    stub = auth_pb2_grpc.AuthServiceStub(channel)
    lines = []
    for username, _, password in demo_credentials():
        resp = stub.Login(auth_pb2.LoginRequest(username=username, password=password), timeout=10)
        who = stub.WhoAmI(auth_pb2.WhoAmIRequest(), timeout=10,
                          metadata=(("authorization", f"Bearer {resp.session_token}"),))
        lines.append(f"{username}: logged in as {who.session.display_name} ({', '.join(who.session.roles)})")
        if username == DEMO_USERS[0][0]:  # the front desk finds the demo's patients
            found = patients_pb2_grpc.PatientServiceStub(channel).SearchPatients(
                patients_pb2.SearchPatientsRequest(query=DEMO_SEARCH, limit=200), timeout=10,
                metadata=(("authorization", f"Bearer {resp.session_token}"),))
            lines.append(f"{username}: searching {DEMO_SEARCH!r} finds {len(found.patients)} patients")
            lines.append(f"{username}: " + _schedule_summary(channel, resp.session_token))
        if Role.BILLER.value in who.session.roles:
            lines.append(f"{username}: " + _worklist_summary(channel, resp.session_token))
    return lines


def _worklist_summary(channel: grpc.Channel, token: str) -> str:
    """The biller's worklist: open and ready encounters, and the charges of the newest ready one."""
    from shared.pms.encounters.v1 import encounters_pb2 as en
    from shared.pms.encounters.v1 import encounters_pb2_grpc
    from shared.pms.pricing.v1 import pricing_pb2, pricing_pb2_grpc

    md = (("authorization", f"Bearer {token}"),)
    stub = encounters_pb2_grpc.EncounterServiceStub(channel)
    counts = {name: len(stub.ListEncounters(en.ListEncountersRequest(status=status, limit=500), timeout=10,
                                            metadata=md).encounters)
              for name, status in (("open", en.ENCOUNTER_STATUS_OPEN), ("ready", en.ENCOUNTER_STATUS_READY))}
    ready = stub.ListEncounters(en.ListEncountersRequest(status=en.ENCOUNTER_STATUS_READY, limit=1), timeout=10,
                                metadata=md).encounters
    posted = stub.ListEncounterCharges(en.ListEncounterChargesRequest(encounter_id=ready[0].encounter_id),
                                       timeout=10, metadata=md).balance_cents if ready else 0
    newest = stub.GetEncounter(en.GetEncounterRequest(encounter_id=ready[0].encounter_id), timeout=10,
                               metadata=md).encounter if ready else en.Encounter()
    expected = (f"its payer's contract allows ${sum(li.expected_allowed_cents for li in newest.lines) / 100:,.2f}"
                if newest.lines and all(li.has_expected_allowed for li in newest.lines)
                else "no contract prices it")
    contracts = pricing_pb2_grpc.PricingServiceStub(channel).ListContracts(pricing_pb2.ListContractsRequest(),
                                                                          timeout=10, metadata=md).contracts
    return (f"worklist: {counts['open']} open, {counts['ready']} ready to bill encounters; "
            f"the newest ready one charges ${posted / 100:,.2f} and {expected}; {len(contracts)} payer contracts")


def _schedule_summary(channel: grpc.Channel, token: str) -> str:
    """The next weekday's calendar at each demo location, and the first free follow-up slot."""
    from datetime import date, timedelta

    from shared.pms.scheduling.v1 import appointments_pb2, appointments_pb2_grpc, setup_pb2, setup_pb2_grpc

    md = (("authorization", f"Bearer {token}"),)
    setup = setup_pb2_grpc.ScheduleSetupServiceStub(channel)
    appointments = appointments_pb2_grpc.AppointmentServiceStub(channel)
    locations = setup.ListLocations(setup_pb2.ListLocationsRequest(), timeout=10, metadata=md).locations
    day = date.today()
    parts: list[str] = []
    # The next day the practice is open (weekends and holidays have no appointments).
    for _ in range(10):
        day += timedelta(days=1)
        parts, total = [], 0
        for loc in locations:
            sched = appointments.GetDaySchedule(appointments_pb2.GetDayScheduleRequest(
                location_id=loc.location_id, date=dates.to_pb(day)), timeout=10, metadata=md)
            total += len(sched.appointments)
            parts.append(f"{loc.name}: {len(sched.appointments)} appointments, {len(sched.provider_ids)} providers")
        if total:
            break
    types = setup.ListAppointmentTypes(setup_pb2.ListAppointmentTypesRequest(), timeout=10, metadata=md)
    follow_up = next(t.appointment_type_id for t in types.appointment_types if t.name == "Follow-up")
    slot = appointments.FindSlots(appointments_pb2.FindSlotsRequest(appointment_type_id=follow_up, limit=1),
                                  timeout=10, metadata=md).slots
    first = f"first free follow-up {slot[0].local_start}" if slot else "no free follow-up in four weeks"
    return f"on {day}: " + "; ".join(parts) + f"; {first}"


def run_demo(data_dir: Path | None, *, check_only: bool = False, keep: bool = False) -> int:
    started = time.monotonic()
    temporary = data_dir is None
    root = Path(tempfile.mkdtemp(prefix="pms-demo-")) if data_dir is None else data_dir
    data = DataDir(root)
    server: subprocess.Popen[bytes] | None = None
    simulator: subprocess.Popen[bytes] | None = None
    try:
        print("Preparing the demo practice (database, certificates, users, patients)...", flush=True)
        bundle = prepare(data)
        log_path = root / "server.log"
        with open(log_path, "ab") as log:
            server = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--data", str(root)],
                                      stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        with open(root / "payer-sim.log", "ab") as log:
            simulator = subprocess.Popen([sys.executable, "-m", "server.cli", "payer-sim", "--data", str(root),
                                          "--remit-delay", "60", "--interval", "2"],
                                         stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        channel = wait_until_serving(bundle)
        ready = time.monotonic() - started
        creds = [f"{u} / {p}" for u, _, p in demo_credentials()]
        hint = "Demo users (username / password):\n" + "\n".join(
            "  ".join(f"{c:<27}" for c in creds[i:i + 2]).rstrip() for i in range(0, len(creds), 2))
        print(f"Demo server ready on {bundle.server_address} in {ready:.1f} s (log: {log_path}).")
        print(hint)
        print(f"biller: {bill_demo_visits(channel)}")
        if check_only:
            print(f"biller: {clearinghouse_answers(channel)}")
            for line in check_logins(channel):
                print(line)
            channel.close()
            return 0
        channel.close()
        hint_file = root / "login-hint.txt"
        hint_file.write_text(hint + "\n")
        bundle_file = root / "demo-console.pmsbundle"
        bundle.write(bundle_file)
        tui = subprocess.run([sys.executable, "-m", "client_tui.cli", "--bundle", str(bundle_file),
                              "--login-hint-file", str(hint_file)], check=False, env=os.environ.copy())
        return tui.returncode
    finally:
        if simulator is not None:
            simulator.terminate()
            simulator.wait(timeout=20)
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        pg = data.embedded_postgres()
        if pg.is_initialized():
            pg.stop()
        if temporary and not keep:
            shutil.rmtree(root, ignore_errors=True)
        elif temporary:
            print(f"Demo data kept in {root}")
