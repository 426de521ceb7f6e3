"""``pms connect`` and how ``pms`` finds its bundle (the app itself is not started here)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from client_tui import cli
from shared.bundle import WorkstationBundle


def a_bundle() -> WorkstationBundle:
    return WorkstationBundle(
        workstation_name="FRONT-1",
        practice_name="Sunrise Family Practice",
        server_address="pms.example.test:7443",
        server_name="pms.example.test",
        ca_cert_pem="ca",
        cert_pem="cert",
        key_pem="key",
    )


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def test_connect_stores_the_bundle_for_this_user_only(
    config_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "front1.pmsbundle"
    source.write_bytes(a_bundle().to_bytes())
    assert cli.main(["connect", str(source)]) == 0
    stored = config_home / "pms" / "workstation.pmsbundle"
    assert WorkstationBundle.read(stored) == a_bundle()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert str(stored) in capsys.readouterr().out


def test_connect_refuses_a_file_that_is_not_a_bundle(config_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("hello")
    with pytest.raises(SystemExit, match="not a workstation bundle"):
        cli.main(["connect", str(source)])
    assert not (config_home / "pms").exists()


def test_without_a_stored_bundle_pms_says_to_connect_first(config_home: Path) -> None:
    with pytest.raises(SystemExit, match="pms connect FILE"):
        cli.main([])


def test_a_missing_bundle_file_is_named(config_home: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="does not exist"):
        cli.main(["--bundle", str(tmp_path / "nowhere.pmsbundle")])
