"""`pms-server`: everything the IT admin does on the server.

Each command that changes data writes an audit event as the operating-system user
(``cli:<name>``) from the ``server-console`` workstation.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from server import logs
from server.audit.chain import AuditRecord, Outcome, append, verify
from server.auth import users
from server.bootstrap import console_actor
from server.config import DEFAULT_PORT, ConfigError, DataDir
from server.db.migrate import SchemaNotAtHead, require_head, upgrade_to_head
from server.errors import DomainError, InvalidArgument
from server.runtime import Installation, database_running, open_installation

T = TypeVar("T")
CONSOLE = "server-console"


async def _in_transaction(inst: Installation, work: Callable[[AsyncSession], Awaitable[T]],
                          action: str, category: str, detail: Callable[[T], str] | None = None) -> T:
    """Runs one CLI action as one transaction with its audit event."""
    db = inst.database(pool_size=1, max_overflow=0)
    try:
        async with db.transaction() as session:
            result = await work(session)
            await append(session, inst.settings.practice_id, AuditRecord(
                action=f"cli/{action}", data_category=category, outcome=Outcome.SUCCESS, username=console_actor(),
                workstation_name=CONSOLE, detail=detail(result) if detail else ""))
        return result
    finally:
        await db.dispose()


def _read_password(file: str | None, prompt: str) -> str:
    if file:
        return Path(file).read_text().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ConfigError("no terminal to ask for the password: pass --password-file FILE")
    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass("Again: ") != first:
        raise ConfigError("the two passwords differ")
    return first


@contextmanager
def installation(args: argparse.Namespace) -> Iterator[Installation]:
    """The data folder named by --data, its database running for the length of the command."""
    data = DataDir(Path(args.data))
    with database_running(data) as urls:
        yield open_installation(data, urls)


# -- init / migrate / serve ------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from server.bootstrap import initialise

    data = DataDir(Path(args.data))
    password = _read_password(args.admin_password_file, f"Password for {args.admin_username}")
    initialise(data, hosts=args.host or ["localhost", "127.0.0.1"], practice_name=args.practice_name,
               admin_username=args.admin_username, admin_password=password,
               listen=args.listen or f"0.0.0.0:{DEFAULT_PORT}", time_zone=args.time_zone)
    print(f"Initialised {data.root}: practice {args.practice_name!r}, IT admin {args.admin_username!r}.")
    print(f"Next: pms-server serve --data {data.root}   then   pms-server enroll WORKSTATION --data {data.root}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    data = DataDir(Path(args.data))
    with database_running(data) as urls:
        if not urls.owner_url:
            raise ConfigError("migrations run as the owner role: set PMS_OWNER_DATABASE_URL")
        upgrade_to_head(urls.owner_url, urls.app_role)
    print("Database schema is at the head revision.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from server.app import PmsServer

    with installation(args) as inst:
        require_head(inst.urls.app_url)
        listen = args.listen or inst.settings.listen

        async def main() -> None:
            from server.claims.clearinghouse import ClearinghouseJob
            from server.claims.clearinghouse import from_settings as clearinghouse_transport
            from server.reminders.job import ReminderJob
            from server.reminders.transports import from_settings

            db = inst.database()
            email, sms = from_settings(inst.settings.reminders, inst.data.root)
            reminders = ReminderJob(db, email, sms, float(inst.settings.reminders.get("interval_seconds", 60)))
            clearing = inst.settings.clearinghouse
            clearinghouse = ClearinghouseJob(db, clearinghouse_transport(clearing, inst.data.root),
                                             float(clearing.get("interval_seconds", 30)))
            server = PmsServer(db, inst.ca_files, inst.cipher, inst.server_address(), reminders, clearinghouse)
            port = await server.start(listen)
            print(f"pms-server listening on {listen.rsplit(':', 1)[0]}:{port}", file=sys.stderr, flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            await stop.wait()
            await server.stop(grace=args.grace)

        asyncio.run(main())
    return 0


# -- workstations ---------------------------------------------------------------------------
def cmd_enroll(args: argparse.Namespace) -> int:
    from server.workstations import service as ws

    with installation(args) as inst:

        async def work(db: AsyncSession) -> Any:
            return await ws.enroll(db, inst.ca_files, inst.server_address(), inst.settings.practice_id,
                                   args.name, args.days or 0)

        row, bundle = asyncio.run(_in_transaction(
            inst, work, "enroll", "workstation_admin",
            lambda r: f"workstation={r[0].name} serial={r[0].certificate_serial}"))
    out = Path(args.out or f"{args.name}.pmsbundle")
    bundle.write(out)
    print(f"Enrolled {row.name} (certificate {row.certificate_serial}, expires {row.expires_at:%Y-%m-%d}).")
    print(f"Bundle written to {out} (mode 0600). Copy it to the workstation, run `pms connect {out.name}`, "
          "then delete every other copy.")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from server.workstations import service as ws

    with installation(args) as inst:

        async def work(db: AsyncSession) -> Any:
            row = await ws.find_active_by_name(db, inst.settings.practice_id, args.name)
            return await ws.revoke(db, inst.settings.practice_id, row.id, args.reason)

        row = asyncio.run(_in_transaction(inst, work, "revoke", "workstation_admin",
                                          lambda r: f"workstation={r.name} serial={r.certificate_serial}"))
    print(f"Revoked {row.name}; its certificate is refused from now on, also on open connections.")
    return 0


# -- users ---------------------------------------------------------------------------------
def _roles(value: str) -> list[str]:
    return [r.strip() for r in value.split(",") if r.strip()]


def cmd_user(args: argparse.Namespace) -> int:
    with installation(args) as inst:
        pid = inst.settings.practice_id

        async def by_name(db: AsyncSession, name: str) -> Any:
            for u in await users.list_users(db, pid, include_disabled=True):
                if u.username == name.lower():
                    return u
            raise InvalidArgument.one("username", f"no user named {name!r}")

        if args.user_command == "list":
            async def listing(db: AsyncSession) -> list[Any]:
                return await users.list_users(db, pid, include_disabled=True)

            rows = asyncio.run(_in_transaction(inst, listing, "user list", "user_admin"))
            print(f"{'USERNAME':<20} {'NAME':<28} {'ROLES':<28} STATE")
            for u in rows:
                state = "disabled" if u.disabled_at else ("locked" if u.locked_until else "active")
                print(f"{u.username:<20} {u.display_name[:28]:<28} {','.join(u.roles)[:28]:<28} {state}")
            return 0
        if args.user_command == "add":
            password = _read_password(args.password_file, f"Temporary password for {args.username}")

            async def add(db: AsyncSession) -> Any:
                return await users.create_user(db, pid, args.username, args.display_name or args.username,
                                               _roles(args.roles), password)

            u = asyncio.run(_in_transaction(inst, add, "user add", "user_admin", lambda u: f"user_id={u.id}"))
            print(f"Created {u.username} ({', '.join(u.roles)}); they must change the password at first login.")
            return 0
        if args.user_command == "disable":
            async def dis(db: AsyncSession) -> Any:
                u = await by_name(db, args.username)
                return await users.disable(db, pid, 0, u.id, u.version)

            u = asyncio.run(_in_transaction(inst, dis, "user disable", "user_admin", lambda u: f"user_id={u.id}"))
            print(f"Disabled {u.username}; their sessions have ended.")
            return 0
        if args.user_command == "reset-password":
            password = _read_password(args.password_file, f"New temporary password for {args.username}")

            async def reset(db: AsyncSession) -> Any:
                u = await by_name(db, args.username)
                return await users.reset_password(db, pid, u.id, password, u.version)

            u = asyncio.run(_in_transaction(inst, reset, "user reset-password", "user_admin",
                                            lambda u: f"user_id={u.id}"))
            print(f"Password of {u.username} reset and lockout cleared; they must change it at next login.")
            return 0
        if args.user_command == "set-roles":
            async def set_roles(db: AsyncSession) -> Any:
                u = await by_name(db, args.username)
                return await users.set_roles(db, pid, 0, u.id, _roles(args.roles), u.version)

            u = asyncio.run(_in_transaction(inst, set_roles, "user set-roles", "user_admin",
                                            lambda u: f"user_id={u.id} roles={','.join(u.roles)}"))
            print(f"{u.username} now has roles: {', '.join(u.roles)}")
            return 0
    raise ConfigError(f"unknown user command {args.user_command}")


# -- audit ---------------------------------------------------------------------------------
def cmd_audit(args: argparse.Namespace) -> int:
    with installation(args) as inst:

        async def run() -> Any:
            db = inst.database(pool_size=1, max_overflow=0)
            try:
                async with db.transaction(readonly=True) as session:
                    return await verify(session, inst.settings.practice_id)
            finally:
                await db.dispose()

        result = asyncio.run(run())
    if result.ok:
        print(f"Audit chain OK: {result.events_checked} events verified.")
        return 0
    print(f"AUDIT CHAIN BROKEN at event {result.first_bad_sequence}: {result.problem} "
          f"({result.events_checked} events before it verified).")
    return 1


# -- ledger --------------------------------------------------------------------------------
def cmd_ledger(args: argparse.Namespace) -> int:
    import psycopg

    from server.db.raw import conninfo
    from server.ledger.checks import problems

    with installation(args) as inst, psycopg.connect(conninfo(inst.urls.app_url)) as conn:
        found = problems(conn)
    if not found:
        print("Ledger OK: every entry sums to zero.")
        return 0
    print("LEDGER DOES NOT ADD UP:")
    for problem in found:
        print(f"  {problem}")
    return 1


CODE_READERS = {"icd10cm": "read_icd10cm_order_file", "cpt": "read_cpt_file", "hcpcs": "read_hcpcs_file"}


def cmd_codes(args: argparse.Namespace) -> int:
    import psycopg

    from server.codes import files, releases
    from server.db.raw import conninfo

    data = DataDir(Path(args.data))
    with database_running(data) as urls, psycopg.connect(conninfo(urls.owner_url or urls.app_url)) as conn:
        if args.codes_command == "releases":
            for r in conn.execute("SELECT system, effective_date, label, added, changed, retired FROM code_release "
                                  "ORDER BY system, effective_date").fetchall():
                print(f"{r[0]:<9} {r[1]:%Y-%m-%d}  {r[2]:<45} +{r[3]} ~{r[4]} -{r[5]}")
            return 0
        path = Path(args.file)
        try:
            effective = date.fromisoformat(args.effective)
        except ValueError:
            print(f"error: effective: {args.effective!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
            return 2
        try:
            codes = getattr(files, CODE_READERS[args.system])(path.read_text(encoding="utf-8-sig"))
            result = releases.import_release(conn, args.system, args.label or f"{args.system} {effective}",
                                             effective, path.name, codes)
        except (files.CodeFileError, releases.ReleaseRefused, UnicodeDecodeError) as exc:
            conn.rollback()
            print(f"error: {path.name}: {exc}", file=sys.stderr)
            return 2
        conn.commit()
    print(f"Loaded {result.system} effective {result.effective_date:%Y-%m-%d}: {result.added} added, "
          f"{result.changed} changed, {result.retired} retired.")
    return 0


def cmd_fees(args: argparse.Namespace) -> int:
    import psycopg

    from server.db.raw import conninfo
    from server.pricing import fees, files, releases

    try:
        effective = date.fromisoformat(args.effective)
    except ValueError:
        print(f"error: effective: {args.effective!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    try:
        given = (fees.parse_fixed(args.conversion_factor, fees.CF_PLACES)
                 if args.conversion_factor is not None else None)
    except ValueError as exc:
        print(f"error: conversion-factor: {exc}", file=sys.stderr)
        return 2
    rvu_path, gpci_path = Path(args.rvu_csv), Path(args.gpci_csv)
    try:
        rvu_file = files.read_rvu_file(files.decode(rvu_path.read_bytes()))
    except (files.FeeFileError, OSError) as exc:
        print(f"error: {rvu_path.name}: {exc}", file=sys.stderr)
        return 2
    try:
        localities = files.read_gpci_file(files.decode(gpci_path.read_bytes()))
    except (files.FeeFileError, OSError) as exc:
        print(f"error: {gpci_path.name}: {exc}", file=sys.stderr)
        return 2
    data = DataDir(Path(args.data))
    with database_running(data) as urls, psycopg.connect(conninfo(urls.owner_url or urls.app_url)) as conn:
        try:
            result = releases.import_release(
                conn, label=args.label or f"CY{effective.year} effective {effective:%Y-%m-%d}", effective=effective,
                rvu_file=rvu_file, localities=localities, rvu_source=rvu_path.name, gpci_source=gpci_path.name,
                conversion_factor=given)
        except releases.ReleaseRefused as exc:
            conn.rollback()
            print(f"error: {exc}", file=sys.stderr)
            return 2
        conn.commit()
    cf = fees.format_fixed(result.conversion_factor, fees.CF_PLACES)
    print(f"Loaded the Medicare fee schedule effective {result.effective_date:%Y-%m-%d}: {result.rvu_count} codes, "
          f"{result.locality_count} localities, conversion factor {cf}.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from server.demo import run_demo

    return run_demo(Path(args.data) if args.data else None, check_only=args.check, keep=args.keep)


def cmd_payer_sim(args: argparse.Namespace) -> int:
    import json
    import time

    from server.payer_sim.adjudicate import SimConfig, config_from_json
    from server.payer_sim.simulator import PayerSimulator

    base = Path(args.data) / "clearinghouse" if args.data else None
    outbox = Path(args.outbox) if args.outbox else (base / "outbox" if base else None)
    inbox = Path(args.inbox) if args.inbox else (base / "inbox" if base else None)
    if outbox is None or inbox is None:
        raise InvalidArgument.one("data", "give --data (the server's data folder) or both --outbox and --inbox")
    config = SimConfig()
    if args.config:
        try:
            config = config_from_json(json.loads(Path(args.config).read_text()))
        except (OSError, ValueError, TypeError) as exc:
            raise InvalidArgument.one("config", str(exc)) from exc
    if args.remit_delay is not None:
        config.remit_delay_seconds = args.remit_delay
    state = Path(args.state) if args.state else outbox.parent / "payer-sim-state.json"
    sim = PayerSimulator(outbox, inbox, state, config)
    print(f"payer-sim: watching {outbox}, answering into {inbox}", file=sys.stderr, flush=True)
    while True:
        result = sim.tick()
        if result.received or result.repeats or result.remittances or result.rejected_files:
            print(f"payer-sim: received {result.received} (repeats {result.repeats}, unreadable "
                  f"{result.rejected_files}), claims accepted {result.claims_accepted}, rejected "
                  f"{result.claims_rejected}, remittances {result.remittances}, eligibility answers "
                  f"{result.eligibility_answers}", file=sys.stderr, flush=True)
        if args.once:
            return 0
        time.sleep(args.interval)


def cmd_demo_data(args: argparse.Namespace) -> int:
    from server.demo_data import generate, generate_patients

    if args.patients < 0:
        raise InvalidArgument.one("patients", "must be 0 or more")
    if not 0 <= args.providers <= 400:
        raise InvalidArgument.one("providers", "must be 0 to 400")
    if args.appointments < 0:
        raise InvalidArgument.one("appointments", "must be 0 or more")
    with installation(args) as inst:
        counts = asyncio.run(generate(inst, users=args.users, workstations=args.workstations,
                                      audit_events=args.audit_events, seed=args.seed))
        if args.patients:
            def progress(done: int, total: int) -> None:
                if total >= 50_000 and (done == total or done % (total // 10 or 1) < 5000):
                    print(f"patients: {done:,} of {total:,}", file=sys.stderr, flush=True)

            loaded = generate_patients(inst, args.patients, seed=args.seed, progress=progress)
            counts.update({"patients": loaded.patients, "insurance policies": loaded.policies,
                           "payers in the directory": loaded.payers})
            asyncio.run(_in_transaction(
                inst, _nothing, "demo-data", "demographics",
                lambda _: f"synthetic patients={loaded.patients} policies={loaded.policies} "
                          f"mrns={loaded.first_mrn}-{loaded.last_mrn}"))
            print(f"Loaded {loaded.patients:,} patients in {loaded.seconds:.1f} s.", file=sys.stderr)
        if args.providers:
            from server.scheduling.synthetic import load_schedule

            def booked(done: int, total: int) -> None:
                if total >= 100_000 and done % (total // 10 or 1) < 2000:
                    print(f"appointments: {done:,} of {total:,}", file=sys.stderr, flush=True)

            schedule = load_schedule(inst, providers=args.providers, appointments=args.appointments or None,
                                     seed=args.seed, progress=booked)
            counts.update({"providers": schedule.providers, "locations": schedule.locations,
                           "appointments": schedule.appointments})
            asyncio.run(_in_transaction(
                inst, _nothing, "demo-data", "appointments",
                lambda _: f"synthetic providers={schedule.providers} appointments={schedule.appointments} "
                          f"days={schedule.first_day}..{schedule.last_day}"))
            print(f"Booked {schedule.appointments:,} appointments ({schedule.first_day} to {schedule.last_day}) "
                  f"in {schedule.seconds:.1f} s.", file=sys.stderr)
        if args.encounters:
            from server.encounters.synthetic import load_encounters

            def coded(done: int, total: int) -> None:
                if total >= 200_000 and done < total:
                    print(f"encounters: {done:,} of {total:,}", file=sys.stderr, flush=True)

            enc = load_encounters(inst, seed=args.seed, progress=coded)
            counts.update({"encounters": enc.encounters, "encounter lines": enc.lines,
                           "encounters ready to bill": enc.ready})
            asyncio.run(_in_transaction(
                inst, _nothing, "demo-data", "charges",
                lambda _: f"synthetic encounters={enc.encounters} lines={enc.lines} ready={enc.ready}"))
            print(f"Coded {enc.encounters:,} encounters ({enc.lines:,} lines) in {enc.seconds:.1f} s.",
                  file=sys.stderr)
    print("Generated: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


async def _nothing(db: AsyncSession) -> None:
    return None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pms-server", description="Practice management server: setup and operation.")
    sub = p.add_subparsers(dest="command", required=True)

    def data_arg(sp: argparse.ArgumentParser, required: bool = True) -> None:
        sp.add_argument("--data", required=required, default=os.environ.get("PMS_DATA") if not required else None,
                        help="the server's data folder")

    sp = sub.add_parser("init", help="create the database, practice CA, server certificate and first IT admin")
    data_arg(sp)
    sp.add_argument("--host", action="append", help="name or IP workstations use for the server (repeat)")
    sp.add_argument("--practice-name", default="My Practice")
    sp.add_argument("--time-zone", default="America/New_York")
    sp.add_argument("--admin-username", default="admin")
    sp.add_argument("--admin-password-file", help="file holding the first admin's password (else a prompt)")
    sp.add_argument("--listen", help=f"HOST:PORT to serve on (default 0.0.0.0:{DEFAULT_PORT})")
    sp.set_defaults(func=cmd_init)

    sp = sub.add_parser("serve", help="run the gRPC server (mutual TLS only)")
    data_arg(sp)
    sp.add_argument("--listen", help="HOST:PORT (default: as configured at init)")
    sp.add_argument("--grace", type=float, default=15.0, help="seconds in-flight calls get on SIGTERM")
    sp.set_defaults(func=cmd_serve)

    sp = sub.add_parser("migrate", help="bring the database schema to this release's head revision")
    data_arg(sp)
    sp.set_defaults(func=cmd_migrate)

    sp = sub.add_parser("enroll", help="issue a workstation certificate and write its bundle file")
    sp.add_argument("name")
    data_arg(sp)
    sp.add_argument("--out", help="bundle file (default NAME.pmsbundle)")
    sp.add_argument("--days", type=int, help="certificate lifetime (default: practice setting)")
    sp.set_defaults(func=cmd_enroll)

    sp = sub.add_parser("revoke", help="refuse a workstation's certificate from now on")
    sp.add_argument("name")
    data_arg(sp)
    sp.add_argument("--reason", default="revoked by IT admin")
    sp.set_defaults(func=cmd_revoke)

    sp = sub.add_parser("user", help="manage users")
    usub = sp.add_subparsers(dest="user_command", required=True)
    u = usub.add_parser("list")
    data_arg(u)
    u = usub.add_parser("add")
    u.add_argument("username")
    u.add_argument("--roles", required=True, help="comma-separated: front_desk,biller,provider,manager,it_admin")
    u.add_argument("--display-name")
    u.add_argument("--password-file")
    data_arg(u)
    u = usub.add_parser("disable")
    u.add_argument("username")
    data_arg(u)
    u = usub.add_parser("reset-password")
    u.add_argument("username")
    u.add_argument("--password-file")
    data_arg(u)
    u = usub.add_parser("set-roles")
    u.add_argument("username")
    u.add_argument("--roles", required=True)
    data_arg(u)
    sp.set_defaults(func=cmd_user)

    sp = sub.add_parser("audit", help="audit trail tools")
    asub = sp.add_subparsers(dest="audit_command", required=True)
    a = asub.add_parser("verify", help="recompute the hash chain; name the first altered or missing event")
    data_arg(a)
    sp.set_defaults(func=cmd_audit)

    sp = sub.add_parser("verify-ledger", help="read the whole ledger back: every entry sums to zero")
    data_arg(sp)
    sp.set_defaults(func=cmd_ledger)

    sp = sub.add_parser("codes", help="code sets: import a release (ICD-10-CM, CPT, HCPCS), list releases")
    csub = sp.add_subparsers(dest="codes_command", required=True)
    c = csub.add_parser("import", help="load a release; codes it no longer lists are retired from its date")
    c.add_argument("system", choices=sorted(CODE_READERS),
                   help="icd10cm: the CMS order file (icd10cm_order_YYYY.txt); cpt: CSV with the header "
                        "code,description; hcpcs: the CMS fixed-width annual file")
    c.add_argument("file")
    c.add_argument("--effective", required=True, help="first date of service the release applies to (YYYY-MM-DD)")
    c.add_argument("--label", default="", help="e.g. FY2027")
    data_arg(c)
    c = csub.add_parser("releases", help="the releases loaded, per code system")
    data_arg(c)
    sp.set_defaults(func=cmd_codes)

    sp = sub.add_parser("fees", help="Medicare physician fee schedule: import a CMS RVU release")
    fsub = sp.add_subparsers(dest="fees_command", required=True)
    f = fsub.add_parser("import-rvu", help="load the CMS RVU (PPRRVU) and GPCI CSV files as one release, "
                                           "pricing dates of service from --effective")
    f.add_argument("rvu_csv", help="the CMS PPRRVU CSV (e.g. PPRRVU26_JAN.csv)")
    f.add_argument("gpci_csv", help="the CMS GPCI CSV (e.g. GPCI2026.csv)")
    f.add_argument("--effective", required=True, help="first date of service the release prices (YYYY-MM-DD)")
    f.add_argument("--conversion-factor", help="dollars per RVU, e.g. 33.4009 (default: the RVU file's CONV FACTOR)")
    f.add_argument("--label", default="", help="e.g. CY2026 January")
    data_arg(f)
    sp.set_defaults(func=cmd_fees)

    sp = sub.add_parser("payer-sim", help="a clearinghouse and payer on this machine: answers claim files with "
                                          "999, 277CA and, after a delay, 835 remittances")
    sp.add_argument("--data", help="the server's data folder (its clearinghouse/outbox and inbox)")
    sp.add_argument("--outbox", help="folder the practice delivers claim files to")
    sp.add_argument("--inbox", help="folder the answers go to")
    sp.add_argument("--config", help="JSON: members, contract and denial rules (server/payer_sim/adjudicate.py)")
    sp.add_argument("--state", help="the simulator's state file (default: beside the outbox)")
    sp.add_argument("--remit-delay", type=float, help="seconds from the 277CA to the 835")
    sp.add_argument("--interval", type=float, default=2.0, help="seconds between looks at the outbox")
    sp.add_argument("--once", action="store_true", help="answer what is there and stop")
    sp.set_defaults(func=cmd_payer_sim)

    sp = sub.add_parser("demo", help="a demo practice on this machine, with the terminal client")
    sp.add_argument("--data", help="data folder to use (default: a temporary one, deleted on exit)")
    sp.add_argument("--check", action="store_true", help="start, log in as every demo user, stop (no TUI)")
    sp.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    sp.set_defaults(func=cmd_demo)

    sp = sub.add_parser("demo-data", help="fill a practice with synthetic records (for load tests)")
    data_arg(sp)
    sp.add_argument("--users", type=int, default=20)
    sp.add_argument("--workstations", type=int, default=6)
    sp.add_argument("--audit-events", type=int, default=10_000)
    sp.add_argument("--patients", type=int, default=0,
                    help="synthetic patients with insurance policies (and the payer directory); 0: none")
    sp.add_argument("--providers", type=int, default=0,
                    help="providers with weekly templates at two locations, and their appointments; 0: none "
                         "(needs patients)")
    sp.add_argument("--appointments", type=int, default=0,
                    help="book this many appointments, back from a month ahead; 0: two weeks back to a month ahead")
    sp.add_argument("--encounters", action="store_true",
                    help="code every seen appointment as an encounter; 70%% ready to bill with their charges posted")
    sp.add_argument("--seed", type=int, default=1, help="the same seed gives the same people")
    sp.set_defaults(func=cmd_demo_data)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(os.environ.get("PMS_LOG_LEVEL", "INFO"))
    try:
        return int(args.func(args))
    except InvalidArgument as exc:
        for v in exc.violations:
            print(f"error: {v.field.replace('_', '-')}: {v.description}", file=sys.stderr)
        return 2
    except (DomainError, ConfigError, SchemaNotAtHead, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
