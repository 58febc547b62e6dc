"""Import hygiene and packaging: the engine never needs Textual, the wheel ships the seeds."""

from __future__ import annotations

import hashlib
import os
import pkgutil
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

import xref

ROOT = Path(__file__).resolve().parent.parent

BLOCK_TEXTUAL = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "textual" or name.startswith("textual."):
            raise ImportError("textual is blocked in this test")
        return None
sys.meta_path.insert(0, Block())
import pkgutil, importlib, xref
names = [m.name for m in pkgutil.walk_packages(xref.__path__, "xref.")]
for n in names:
    importlib.import_module(n)
from xref.engine import open_workspace
ws = open_workspace(use_user_kb=False)
assert len(ws.corpus.documents) == 4
assert "textual" not in sys.modules
print(len(names))
"""


def test_engine_imports_and_runs_without_textual():
    proc = subprocess.run([sys.executable, "-c", BLOCK_TEXTUAL], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) >= 8  # every engine module was imported


def test_engine_source_never_mentions_textual_imports():
    for mod in pkgutil.walk_packages(xref.__path__, "xref."):
        spec = mod.module_finder.find_spec(mod.name.rsplit(".", 1)[-1])  # type: ignore[union-attr]
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        src = Path(spec.origin).read_text(encoding="utf-8")
        assert "import textual" not in src and "from textual" not in src, spec.origin


def test_bundled_seeds_are_byte_identical_to_the_shared_ones():
    shared = ROOT.parent.parent / "shared" / "seeds"
    if not shared.is_dir():
        shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("shared/seeds is not beside this checkout")
    for f in shared.glob("*.txt"):
        ours = ROOT / "seeds" / f.name
        assert hashlib.sha256(ours.read_bytes()).digest() == hashlib.sha256(f.read_bytes()).digest(), f.name


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_wheel_ships_the_seeds_and_installs_a_working_command(tmp_path):
    """`pip install .` into a clean virtual environment gives an `xref` that finds the
    bundled corpus from any working directory. Dependencies come from this
    interpreter's site-packages so the test needs no network."""
    wheel_dir = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheel_dir), str(ROOT)],
        check=True, timeout=240, capture_output=True,
    )
    (wheel,) = wheel_dir.glob("xref-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for f in (ROOT / "seeds").iterdir():
        assert f"xref/_seeds/{f.name}" in names
    assert "xref/data/kb.toml" in names and "tui/app.py" in names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--ignore-installed", "-q", str(wheel)],
        check=True, timeout=240, capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [str(env_dir / "bin" / "xref"), "entities", "--format", "table"],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "jang-jin-sung" in proc.stdout
    where = subprocess.run(
        [str(py), "-c", "import xref.corpus as c; print(c.bundled_corpus_path())"],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=60,
    )
    assert "_seeds" in where.stdout  # the installed copy, not the source checkout
