"""The build hook (hatch_build.py) puts the compiled C accelerator into the wheel,
and builds a pure wheel, with a warning, when it cannot compile it."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULE = "xref/_speedups" + sysconfig.get_config_var("EXT_SUFFIX")
COMPILER = (shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "") or ["cc"])[0]
HEADERS = Path(sysconfig.get_paths()["include"]) / "Python.h"

LOAD = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("xref._speedups", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(module.__name__)
"""


def build_wheel(tmp_path: Path, **env_changes: str) -> tuple[Path, str]:
    env = {k: v for k, v in os.environ.items() if k != "XREF_NO_EXTENSION"}
    env.update(env_changes)
    out = tmp_path / "wheels"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, env=env, timeout=180,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    (wheel,) = out.glob("xref-*.whl")
    return wheel, proc.stdout + proc.stderr


def seeds_in(names: list[str]) -> bool:
    return all(f"xref/_seeds/{f.name}" in names for f in (ROOT / "seeds").iterdir())


@pytest.mark.skipif(sys.platform == "win32", reason="the build hook does not compile on Windows")
@pytest.mark.skipif(shutil.which(COMPILER) is None, reason=f"no C compiler: {COMPILER!r} (from $CC or sysconfig CC) is not on PATH")
@pytest.mark.skipif(not HEADERS.is_file(), reason=f"no Python headers: {HEADERS} is missing")
def test_wheel_holds_the_compiled_accelerator_and_a_platform_tag(tmp_path):
    wheel, _ = build_wheel(tmp_path)
    platform_tag = wheel.stem.rsplit("-", 1)[-1]
    assert platform_tag != "any", wheel.name
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert MODULE in names
        (wheel_file,) = (n for n in names if n.endswith(".dist-info/WHEEL"))
        assert "Root-Is-Purelib: false" in zf.read(wheel_file).decode()
        module = Path(zf.extract(MODULE, tmp_path / "unpacked"))
    assert seeds_in(names)
    assert "xref/_speedups.c" not in names
    proc = subprocess.run([sys.executable, "-c", LOAD, str(module)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "xref._speedups", proc.stderr


@pytest.mark.skipif(shutil.which("false") is None, reason="needs a `false` command to stand for a failing compiler")
def test_a_failing_compiler_gives_a_pure_wheel_and_a_warning(tmp_path):
    wheel, output = build_wheel(tmp_path, CC=shutil.which("false"))
    assert wheel.name.endswith("-py3-none-any.whl"), wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    assert not any(n.startswith("xref/_speedups") for n in names), names
    assert seeds_in(names)
    assert "C accelerator xref._speedups was not built" in output
