"""``pms``: the terminal client's command line.

pms connect FILE      check a workstation bundle and keep it for this user (mode 0600)
pms                   start the client with the kept bundle
pms --bundle FILE     start the client with FILE, without keeping it
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from shared.bundle import BundleError, WorkstationBundle, write_private_file


def stored_bundle_path() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "pms" / "workstation.pmsbundle"


def read_bundle(path: Path) -> WorkstationBundle:
    try:
        return WorkstationBundle.read(path)
    except FileNotFoundError:
        raise SystemExit(f"pms: {path} does not exist") from None
    except OSError as error:
        raise SystemExit(f"pms: cannot read {path}: {error.strerror or error}") from None
    except BundleError as error:
        raise SystemExit(f"pms: {path}: {error}") from None


def connect(bundle_file: Path) -> int:
    bundle = read_bundle(bundle_file)
    target = stored_bundle_path()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private_file(target, bundle.to_bytes())
    print(
        f"This computer is now workstation {bundle.workstation_name} of {bundle.practice_name}, "
        f"server {bundle.server_address}.\n"
        f"The bundle is stored in {target} (readable by you only); start the client with: pms\n"
        f"Delete {bundle_file} if nobody else needs it: it holds the workstation's private key."
    )
    return 0


def run(bundle_file: Path | None, login_hint_file: Path | None) -> int:
    if bundle_file is not None:
        bundle = read_bundle(bundle_file)
    else:
        stored = stored_bundle_path()
        if not stored.exists():
            raise SystemExit(
                f"pms: this computer is not connected to a PMS server yet (no {stored}).\n"
                "Ask your administrator for this workstation's .pmsbundle file, then run: pms connect FILE"
            )
        bundle = read_bundle(stored)
    login_hint = ""
    if login_hint_file is not None:
        try:
            login_hint = login_hint_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise SystemExit(f"pms: cannot read {login_hint_file}: {error.strerror or error}") from None

    # Imported here: the gRPC stack loads only when the client really starts.
    from client_tui.app import PmsApp
    from client_tui.grpc_gateway import GrpcGateway

    async def run_client() -> None:
        # Created inside the running loop, so the gRPC channel belongs to the app's loop.
        gateway = GrpcGateway(bundle)
        try:
            await PmsApp(gateway, login_hint=login_hint).run_async()
        finally:
            await gateway.close()

    asyncio.run(run_client())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pms", description="Terminal client of the practice management system.")
    parser.add_argument("--bundle", type=Path, metavar="FILE", help="use this workstation bundle without storing it")
    parser.add_argument(
        "--login-hint-file", type=Path, metavar="FILE", help="show this file's text on the login screen"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    connect_parser = commands.add_parser(
        "connect", help="check a workstation bundle and store it for this user", description=None
    )
    connect_parser.add_argument("bundle", type=Path, metavar="FILE", help="the .pmsbundle file from the admin")
    args = parser.parse_args(argv)
    if args.command == "connect":
        return connect(args.bundle)
    return run(args.bundle, args.login_hint_file)


if __name__ == "__main__":
    sys.exit(main())
