"""The workstation bundle: one file with everything a workstation needs to connect.

Written by ``pms-server enroll`` (or the EnrollWorkstation RPC), read by ``pms connect``.
It holds the workstation's private key, so it is written with mode 0600.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

FORMAT = "pms-workstation-bundle/1"


class BundleError(ValueError):
    """The file is not a workstation bundle this version understands."""


@dataclass(frozen=True)
class WorkstationBundle:
    workstation_name: str
    practice_name: str
    # host:port the workstation dials.
    server_address: str
    # Name to check in the server certificate (one of its SANs).
    server_name: str
    ca_cert_pem: str
    cert_pem: str
    key_pem: str

    def to_bytes(self) -> bytes:
        return (json.dumps({"format": FORMAT, **asdict(self)}, indent=2) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> WorkstationBundle:
        try:
            raw = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BundleError("not a workstation bundle (not JSON)") from exc
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BundleError(f"not a workstation bundle (expected format {FORMAT!r})")
        fields = {k: raw.get(k) for k in cls.__dataclass_fields__}
        missing = [k for k, v in fields.items() if not isinstance(v, str) or not v]
        if missing:
            raise BundleError(f"workstation bundle lacks {', '.join(missing)}")
        return cls(**fields)  # type: ignore[arg-type]

    def write(self, path: Path) -> None:
        write_private_file(path, self.to_bytes())

    @classmethod
    def read(cls, path: Path) -> WorkstationBundle:
        return cls.from_bytes(path.read_bytes())


def write_private_file(path: Path, data: bytes) -> None:
    """Create or replace ``path`` with mode 0600 without a window where others could read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
