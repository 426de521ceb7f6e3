"""The split BRIEF §2.1 settles: thin client, rule-owning server, shared that depends on neither."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_client_never_imports_the_server_or_sqlalchemy() -> None:
    bad = {f: n & {"server", "sqlalchemy", "alembic", "psycopg"} for f, n in _imports("client_tui").items()}
    assert {f: n for f, n in bad.items() if n} == {}


def test_server_never_imports_textual_or_the_client() -> None:
    bad = {f: n & {"textual", "client_tui", "rich"} for f, n in _imports("server").items()}
    assert {f: n for f, n in bad.items() if n} == {}


def test_shared_uses_only_the_standard_library_and_protobuf() -> None:
    allowed = set(sys.stdlib_module_names) | {"google", "grpc", "shared", "__future__"}
    bad = {f: n - allowed for f, n in _imports("shared").items()}
    assert {f: n for f, n in bad.items() if n} == {}


def test_client_start_up_does_not_load_server_modules() -> None:
    # Checked at run time too: a lazy import inside a function would slip past the AST scan.
    code = ("import sys, client_tui.cli, client_tui.grpc_gateway; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('server', 'sqlalchemy')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_generated_stubs_match_the_protos() -> None:
    result = subprocess.run([sys.executable, "protos/generate.py", "--check"], capture_output=True, text=True,
                            cwd=ROOT, check=False)
    assert result.returncode == 0, f"regenerate with `python protos/generate.py`:\n{result.stdout}"
