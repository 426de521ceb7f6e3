"""Regenerate the Python stubs under shared/pms from protos/pms.

    python protos/generate.py            # write shared/pms
    python protos/generate.py --check    # exit 1 if the committed stubs differ

protoc derives Python import paths from the .proto paths (``pms.auth.v1``); the
stubs live inside the ``shared`` package, so imports of our own modules are
rewritten to ``shared.pms...``. Nothing else in the generated text is touched.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
OUT = ROOT / "shared" / "pms"

_IMPORT_LINE = re.compile(r"^(from|import) pms\.", re.MULTILINE)
# mypy-protobuf .pyi files refer to other modules by dotted path in annotations.
_PYI_REF = re.compile(r"(?<![\w.])pms\.(\w+)\.v(\d+)\.(\w+_pb2)\b")


def _rewrite(path: Path) -> None:
    text = path.read_text()
    text = _IMPORT_LINE.sub(lambda m: f"{m.group(1)} shared.pms.", text)
    if path.suffix == ".pyi":
        text = _PYI_REF.sub(lambda m: f"shared.pms.{m.group(1)}.v{m.group(2)}.{m.group(3)}", text)
    path.write_text(text)


def generate(dest: Path) -> None:
    import grpc_tools  # type: ignore[import-untyped]

    protos = sorted(p.relative_to(PROTO_ROOT).as_posix() for p in (PROTO_ROOT / "pms").rglob("*.proto"))
    include = Path(grpc_tools.__file__).parent / "_proto"
    bindir = Path(sys.executable).parent  # the venv's scripts: protoc-gen-mypy lives there
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable, "-m", "grpc_tools.protoc",
            f"-I{PROTO_ROOT}", f"-I{include}",
            f"--python_out={tmp}", f"--grpc_python_out={tmp}",
            f"--plugin=protoc-gen-mypy={bindir / 'protoc-gen-mypy'}",
            f"--plugin=protoc-gen-mypy_grpc={bindir / 'protoc-gen-mypy_grpc'}",
            f"--mypy_out={tmp}", f"--mypy_grpc_out={tmp}",
            *protos,
        ]
        subprocess.run(cmd, check=True, cwd=PROTO_ROOT)
        gen = Path(tmp) / "pms"
        for d in [gen, *[p for p in gen.rglob("*") if p.is_dir()]]:
            (d / "__init__.py").touch()
        for f in gen.rglob("*.py*"):
            _rewrite(f)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(gen, dest)


def _same_tree(a: Path, b: Path) -> list[str]:
    diffs: list[str] = []
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    diffs += [f"missing: {p}" for p in sorted(files_a - files_b)]
    diffs += [f"extra: {p}" for p in sorted(files_b - files_a)]
    diffs += [f"differs: {p}" for p in sorted(files_a & files_b) if not filecmp.cmp(a / p, b / p, shallow=False)]
    return diffs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    if not args.check:
        generate(OUT)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "pms"
        generate(fresh)
        diffs = _same_tree(fresh, OUT)
    for d in diffs:
        print(d)
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
