"""A tool others wrote talks to the server: `buf curl` over mutual TLS, schema from gRPC reflection."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path

from tests.support import ADMIN_PASSWORD, RunningServer


async def test_buf_curl_logs_in_through_reflection(server: RunningServer, tmp_path: Path) -> None:
    bundle = await server.enroll("buf-curl")
    (tmp_path / "ws.crt").write_text(bundle.cert_pem)
    (tmp_path / "ws.key").write_text(bundle.key_pem)
    (tmp_path / "ca.crt").write_text(bundle.ca_cert_pem)
    buf = shutil.which("buf", path=str(Path(sys.executable).parent)) or "buf"
    proc = await asyncio.create_subprocess_exec(
        buf, "curl", "--cert", str(tmp_path / "ws.crt"), "--key", str(tmp_path / "ws.key"),
        "--cacert", str(tmp_path / "ca.crt"), "--protocol", "grpc",
        f"https://localhost:{server.port}/pms.auth.v1.AuthService/Login",
        "-d", json.dumps({"username": "admin", "password": ADMIN_PASSWORD}),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    answer = json.loads(out)
    assert answer["session"]["username"] == "admin"
    assert answer["session"]["workstationName"] == "buf-curl"
    assert len(answer["sessionToken"]) >= 40
