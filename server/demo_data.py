"""`pms-server demo-data`: a synthetic practice for load tests and benchmarks.

Users, workstations and audit events go through the services (few of them); patients, their insurance
policies and the payer directory are bulk-copied by server.patients.synthetic_load (up to millions).
Later issues add their own records (appointments, claims...) here.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.chain import AuditRecord, Outcome, append
from server.auth import users
from server.patients.synthetic_load import LoadResult, load_population
from server.runtime import Installation
from server.security import RPC_RULES, Role
from server.workstations import service as workstations

FIRST = ["Ana", "Ben", "Carla", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jon", "Kemal", "Lena", "Mo",
         "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vik", "Wen", "Yara", "Zoe"]
LAST = ["Alvarez", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ivanova", "Johnson", "Kim",
        "Lopez", "Miller", "Nguyen", "Okafor", "Patel", "Rossi", "Smith", "Tanaka", "Usman", "Varga", "Weber"]


async def generate(inst: Installation, *, users: int, workstations: int, audit_events: int,
                   seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    pid = inst.settings.practice_id
    db = inst.database(pool_size=1, max_overflow=0)
    made_users: list[str] = []
    try:
        async with db.transaction() as session:
            made_users = await _users(session, rng, pid, users)
        async with db.transaction() as session:
            ws_names = await _workstations(session, inst, rng, pid, workstations)
        # Audit events in batches: the chain is appended one by one, as the server does it.
        remaining = audit_events
        actions = sorted(RPC_RULES)
        start = datetime.now(UTC) - timedelta(days=90)
        step = timedelta(days=90) / max(audit_events, 1)
        n = 0
        while remaining > 0:
            batch = min(remaining, 2000)
            async with db.transaction() as session:
                for _ in range(batch):
                    action = rng.choice(actions)
                    await append(session, pid, AuditRecord(
                        action=action.lstrip("/"), data_category=RPC_RULES[action].category,
                        outcome=rng.choices([Outcome.SUCCESS, Outcome.DENIED, Outcome.FAILED], [95, 2, 3])[0],
                        username=rng.choice(made_users or ["admin"]), workstation_name=rng.choice(ws_names or
                                                                                                ["server-console"]),
                        detail="synthetic", occurred_at=start + step * n))
                    n += 1
            remaining -= batch
    finally:
        await db.dispose()
    return {"users": len(made_users), "workstations": len(ws_names), "audit events": audit_events}


async def _users(session: AsyncSession, rng: random.Random, pid: int, count: int) -> list[str]:
    names: list[str] = []
    roles = [r.value for r in Role]
    existing = {u.username for u in await users.list_users(session, pid, include_disabled=True)}
    i = 0
    while len(names) < count:
        i += 1
        first, last = rng.choice(FIRST), rng.choice(LAST)
        username = f"{first[0]}{last}{i}".lower()
        if username in existing:
            continue
        await users.create_user(session, pid, username, f"{first} {last}", [rng.choice(roles)],
                                f"synthetic-{rng.getrandbits(64):x}")
        names.append(username)
    return names


async def _workstations(session: AsyncSession, inst: Installation, rng: random.Random, pid: int,
                        count: int) -> list[str]:
    names: list[str] = []
    existing = {w.name for w in await workstations.list_workstations(session, pid, include_revoked=False)}
    i = 0
    while len(names) < count:
        i += 1
        name = f"{rng.choice(['frontdesk', 'billing', 'exam', 'office'])}-{i}"
        if name in existing:
            continue
        await workstations.enroll(session, inst.ca_files, inst.server_address(), pid, name, 30)
        names.append(name)
    return names


def generate_patients(inst: Installation, patients: int, *, seed: int = 1,
                      progress: Callable[[int, int], None] | None = None) -> LoadResult:
    """Synthetic patients with their insurance policies, and the payer directory they need."""
    return load_population(inst, patients, seed=seed, progress=progress)
