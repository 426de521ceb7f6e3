"""Benchmarks: latency over mutual TLS beside the raw cost of the same SQL; prints one table.

    python -m tests.bench                         # full scale (1,000,000 patients for the search)
    python -m tests.bench --scale small           # what CI runs, to keep it working
    python -m tests.bench --only patients         # one group (auth, patients, scheduling, codes, encounters,
                                                  # claims, payments, reports or statements)

Each group starts its own throwaway PostgreSQL cluster (embedded binaries, or PMS_TEST_PG_BIN), records the SQL
of one call of each kind with the server in-process, then measures against `pms-server serve` in its own process
on a loopback port, as deployed; the client is the TUI's GrpcGateway.
"""

from __future__ import annotations

import argparse
import asyncio

from tests.bench.auth import SCALES, run_auth
from tests.bench.claims import run_claims
from tests.bench.codes import run_codes
from tests.bench.encounters import run_encounters
from tests.bench.patients import run_patients
from tests.bench.payments import run_payments
from tests.bench.reports import run_reports
from tests.bench.scheduling import run_scheduling
from tests.bench.statements import run_statements

GROUPS = {"auth": run_auth, "patients": run_patients, "scheduling": run_scheduling, "codes": run_codes,
          "encounters": run_encounters, "claims": run_claims, "payments": run_payments,
          "reports": run_reports, "statements": run_statements}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--only", choices=sorted(GROUPS), action="append")
    args = parser.parse_args()
    rows = []
    for name in args.only or list(GROUPS):
        rows += asyncio.run(GROUPS[name](args.scale))
    print(f"\n{'operation':<58} {'n':>6} {'p50 ms':>9} {'p99 ms':>9}")
    print("-" * 85)
    for name, n, p50, p99 in rows:
        print(f"{name:<58} {n:>6} {p50:>9.2f} {p99:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
