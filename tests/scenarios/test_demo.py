"""The newcomer's first command: `pms-server demo` starts everything and every demo user gets in."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from server.demo import demo_credentials

ROOT = Path(__file__).resolve().parents[2]


def test_demo_check_logs_in_as_every_demo_user() -> None:
    result = subprocess.run([sys.executable, "-m", "server.cli", "demo", "--check"], capture_output=True,
                            text=True, timeout=180, cwd=ROOT, check=False, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    for username, roles, _ in demo_credentials():
        assert f"{username}: logged in as" in result.stdout and f"({roles.replace(',', ', ')})" in result.stdout
    # The demo practice has its synthetic patients, and the front desk finds them.
    found = re.search(r"frontdesk: searching 'smith' finds (\d+) patients", result.stdout)
    assert found is not None and int(found.group(1)) >= 3, result.stdout
    # And a schedule: two locations with booked providers on the next open day, and free slots to offer.
    day = re.search(r"Main Street Clinic: (\d+) appointments, (\d+) providers; Northside Family Care: (\d+) "
                    r"appointments, (\d+) providers; first free follow-up 20\d\d-", result.stdout)
    assert day is not None and int(day.group(1)) >= 10 and int(day.group(2)) >= 2, result.stdout
    # And the biller's worklist: the visits seen so far, coded, most of them ready to bill with their charges posted.
    work = re.search(r"biller: worklist: (\d+) open, (\d+) ready to bill encounters; the newest ready one charges "
                     r"\$(\d+)\.(\d\d)", result.stdout)
    assert work is not None and int(work.group(1)) >= 5 and int(work.group(2)) >= 20, result.stdout
    assert int(work.group(3)) >= 30, result.stdout  # at least an office visit
    # The biller's first job: the visits older than a week billed, scrubbed, queued and written as one 837P.
    billed = re.search(r"biller: claims: (\d+) visits billed \((\d+) self-pay\), (\d+) passed the scrubber and "
                       r"queued, (\d+) held for fixes; 837P-000000001\.x12 written with (\d+) claims", result.stdout)
    assert billed is not None and int(billed.group(1)) >= 20, result.stdout
    assert int(billed.group(3)) >= int(billed.group(1)) // 2 and int(billed.group(5)) == int(billed.group(3))
    # The server delivered the batch to the demo's payer simulator and read its 999 and 277CA back.
    answered = re.search(r"biller: clearinghouse: (\d+) claims accepted, (\d+) rejected, (\d+) still waiting",
                         result.stdout)
    assert answered is not None and int(answered.group(1)) + int(answered.group(2)) == int(billed.group(5))
    assert answered.group(3) == "0", result.stdout
    # Priced by the demo's fee schedule and its commercial payers' contracts.
    priced = re.search(r"ready one charges \$[\d,.]+ and (its payer's contract allows \$[\d,.]+|no contract prices "
                       r"it); (\d+) payer contracts", result.stdout)
    assert priced is not None and int(priced.group(2)) >= 3, result.stdout
    folder = next(line.split("log: ")[1].rstrip(").") for line in result.stdout.splitlines() if "log: " in line)
    assert not Path(folder).parent.exists(), "the temporary demo folder must be deleted"


class Tmux:
    def __init__(self, name: str) -> None:
        self.name = name

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True, timeout=30).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.3)
        raise AssertionError(f"{text!r} never appeared; screen was:\n{screen}")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.name, *keys)


def test_demo_opens_the_terminal_client_and_a_user_reaches_the_shell(tmp_path: Path) -> None:
    assert shutil.which("tmux"), "tmux is needed (deploy/dev.sh test installs it)"
    tmux = Tmux(f"pmsdemo{os.getpid()}")
    data = tmp_path / "demo"
    # COLUMNS/LINES inherited from a parent would override the real window size in the client.
    cmd = (f"cd {ROOT} && env -u COLUMNS -u LINES {sys.executable} -m server.cli demo --data {data}; "
           "echo DEMO-EXITED $?; sleep 30")
    tmux.run("new-session", "-d", "-s", tmux.name, "-x", "120", "-y", "40", cmd)
    # Without an attached client tmux may fall back to 80x24; the login screen fits that too, but be explicit.
    tmux.run("set-option", "-t", tmux.name, "window-size", "manual")
    tmux.run("resize-window", "-t", tmux.name, "-x", "120", "-y", "40")
    try:
        # The login screen (its status line says nobody is logged in), with the demo users listed under it.
        tmux.wait_for("not logged in")
        screen = tmux.wait_for("connected")
        assert "Password" in screen and "frontdesk-demo" in screen and "itadmin-demo" in screen
        tmux.keys("manager", "Enter")
        time.sleep(0.3)
        tmux.keys("manager-demo", "Enter")
        screen = tmux.wait_for("Morgan Manager")
        assert "Riverside Family Practice" in screen
        tmux.keys("C-q")
        screen = tmux.wait_for("DEMO-EXITED")
        assert "DEMO-EXITED 0" in screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", tmux.name], check=False, capture_output=True)
    # Quitting stopped the server and the database.
    assert not (data / "run" / ".s.PGSQL.5432").exists()
