"""The synthetic benchmark corpus generator is deterministic, sized right and varied."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "make_corpus.py"
SIZE = 300_000


@pytest.fixture(scope="module")
def mc():
    spec = importlib.util.spec_from_file_location("make_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def corpora(mc, tmp_path_factory):
    dirs = {}
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        out = tmp_path_factory.mktemp(f"corpus_{name}")
        stats = mc.generate(out, SIZE, seed=seed)
        dirs[name] = (out, stats)
    return dirs


def test_same_seed_is_byte_identical(corpora):
    a, b = snapshot(corpora["a"][0]), snapshot(corpora["b"][0])
    assert a and a == b


def test_different_seed_differs(corpora):
    assert snapshot(corpora["a"][0]) != snapshot(corpora["c"][0])


def test_size_within_ten_percent(corpora):
    root, stats = corpora["a"]
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert total == stats.bytes
    assert 0.9 * SIZE <= total <= 1.1 * SIZE


def test_nested_folders_and_all_extensions(corpora):
    root, stats = corpora["a"]
    files = [p for p in root.rglob("*") if p.is_file()]
    assert stats.files == len(files) > 3
    depths = {len(p.relative_to(root).parts) - 1 for p in files}
    assert depths and min(depths) >= 2 and max(depths) <= 4
    assert {p.suffix for p in files} == {".txt", ".md", ".html"}


def test_formats_look_right(corpora):
    root, _ = corpora["a"]
    for p in root.rglob("*.html"):
        text = p.read_text(encoding="utf-8")
        for needle in ("<title>", '<meta name="author"', "<p>", "<script>", "<nav"):
            assert needle in text, (p, needle)
    for p in root.rglob("*.md"):
        assert p.read_text(encoding="utf-8").startswith("# ")


def test_spelling_variants_occur(mc, corpora):
    root, _ = corpora["a"]
    text = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file())
    for variant in ("Kim Jong Un", "Kim Jong-un", "Pyongyang", "North Korea"):
        assert variant in text, variant
    # Paragraphs of the seed documents are mixed in too.
    seed_paras = [p for doc in mc.load_seed_paragraphs() for p in doc if len(p) > 200]
    assert any(p in text for p in seed_paras)


def test_parse_size(mc):
    assert mc.parse_size("500KB") == 500_000
    assert mc.parse_size("100MB") == 100_000_000
    assert mc.parse_size("1GB") == 1_000_000_000
    assert mc.parse_size("2MiB") == 2 * 1024 * 1024
    assert mc.parse_size("1234") == 1234
    with pytest.raises(ValueError):
        mc.parse_size("ten megabytes")


def test_cli_runs(tmp_path):
    out = tmp_path / "cli"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(out), "--size", "50KB", "--seed", "3"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "files" in proc.stderr and "bytes" in proc.stderr
    assert any(out.rglob("*.txt"))
