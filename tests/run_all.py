"""Every check CI runs, in order, with one summary at the end.

    python tests/run_all.py            # lint, types, protos, the suite, PG 15 compat, benchmarks (small)
    python tests/run_all.py --quick    # skip the PostgreSQL 15 run and the benchmarks
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG15 = Path("/usr/lib/postgresql/15/bin")


def step(name: str, cmd: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None) -> bool:
    print(f"\n=== {name}: {' '.join(cmd)}", flush=True)
    started = time.monotonic()
    rc = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, check=False).returncode
    print(f"=== {name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'} in {time.monotonic() - started:.1f} s",
          flush=True)
    return rc == 0


def junit_counts(path: Path) -> tuple[int, int, int]:
    if not path.exists():
        return 0, 0, 0
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return tests - failed - skipped, failed, skipped


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()
    results: dict[str, bool] = {}
    results["ruff"] = step("ruff", [str(BIN / "ruff"), "check", "."])
    results["mypy"] = step("mypy", [str(BIN / "mypy")])
    results["buf lint"] = step("buf lint", [str(BIN / "buf"), "lint"], cwd=ROOT / "protos")
    results["stubs current"] = step("generated stubs are current", [sys.executable, "protos/generate.py", "--check"])
    reports = Path(tempfile.mkdtemp(prefix="pms-test-reports-"))
    workers = os.environ.get("PMS_TEST_WORKERS", "2")
    # Our own temp root: pytest prunes old pytest-of-<user>/pytest-N folders when any session starts, and the test
    # clusters live there; another suite started on the same machine must not delete this one's databases.
    results["suite"] = step("test suite (embedded PostgreSQL)", [
        sys.executable, "-m", "pytest", "-n", workers, "--dist", "loadfile", "-q",
        f"--junitxml={reports / 'suite.xml'}", f"--basetemp={reports / 'tmp'}", *args.pytest_args])
    # The test clusters are gigabytes; pytest would prune its own temp root, but not one given to it.
    shutil.rmtree(reports / "tmp", ignore_errors=True)
    if not args.quick:
        if (PG15 / "initdb").exists():
            results["pg15"] = step("migrations and concurrency on PostgreSQL 15", [
                sys.executable, "-m", "pytest", "-q", "-m", "pg_compat", f"--junitxml={reports / 'pg15.xml'}",
                f"--basetemp={reports / 'tmp15'}"],
                env={"PMS_TEST_PG_BIN": str(PG15)})
            shutil.rmtree(reports / "tmp15", ignore_errors=True)
        else:
            print(f"PostgreSQL 15 not found at {PG15}: the compatibility run cannot happen", flush=True)
            results["pg15"] = False
        results["bench"] = step("benchmarks (small scale)", [sys.executable, "-m", "tests.bench", "--scale",
                                                             "small"])
    passed = failed = skipped = 0
    for report in reports.glob("*.xml"):
        p, f, s = junit_counts(report)
        passed, failed, skipped = passed + p, failed + f, skipped + s
    bad = [name for name, ok in results.items() if not ok]
    print("\n=== summary: " + ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in results.items()))
    if bad:
        failed = max(failed, 1)
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
