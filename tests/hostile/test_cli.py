"""The command line on the hostile corpus: problems on stderr (path and reason),
JSON lines that stay valid and exact, tables and citations with no raw controls."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import corpus as hc
from tests.hostile.conftest import Hostile
from xref.cli import main
from xref.sanitise import sanitise_line

ROOT = Path(__file__).resolve().parents[2]

# Bytes a terminal acts on: C0 but LF, DEL, C1 (as UTF-8), bidi controls (as UTF-8).
RAW_CONTROL = re.compile(
    rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]"
)


def cli(home: Path, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
    return subprocess.run(
        [sys.executable, "-m", "xref.cli", *argv], capture_output=True, cwd=home, timeout=120,
        env={**base, **(env or {})}, stdin=subprocess.DEVNULL,
    )


def stderr_line(path: str, reason: str, severity: str) -> str:
    return f"xref: {severity}: {sanitise_line(path)}: {reason}"


def expected_stderr(problems: dict[str, str]) -> set[str]:
    return {stderr_line(path, reason, "warning" if path in hc.WARNINGS else "error") for path, reason in problems.items()}


def test_mentions_json_lines_are_valid_exact_and_problems_go_to_stderr(hostile: Hostile, tmp_path: Path) -> None:
    kb = str(hostile.root / hc.KB_MARKUP)
    proc = cli(tmp_path, "mentions", "--no-cache", "--kb", kb, str(hostile.root))
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    err = proc.stderr.decode("utf-8")  # strict: nothing undecodable reaches the terminal
    assert "Traceback" not in err
    assert set(err.splitlines()) == expected_stderr(hostile.problems())
    assert RAW_CONTROL.search(proc.stderr.replace(b"\n", b"")) is None
    assert RAW_CONTROL.search(proc.stdout.replace(b"\n", b"")) is None
    out = proc.stdout.decode("utf-8")  # strict: lone surrogates are \u escapes, not unencodable text
    records = [json.loads(line) for line in out.splitlines()]
    index, corpus = hostile.workspace.index, hostile.workspace.corpus
    expected = [m.to_json() for doc in corpus.documents for m in index.doc_mentions(doc.id)]
    assert [{k: r[k] for k in ("doc", "start", "end", "text", "entity", "match")} for r in records] == [
        {k: e[k] for k in ("doc", "start", "end", "text", "entity", "match")} for e in expected
    ]
    for rec in records:
        doc = corpus.get(rec["doc"])
        assert doc is not None and doc.text[rec["start"] : rec["end"]] == rec["text"]
    docs = {rec["doc"] for rec in records}
    assert hc.ESC_NAME in docs and hc.BAD_NAME_ID in docs  # exact ids survive the round trip
    assert "\\u001b" in out and "\\udcff" in out
    names = {rec["name"] for rec in records if rec["entity"] == hc.KB_ENTITY_ID}
    assert names == {hc.KB_ENTITY_NAME}


def test_tables_show_and_cite_print_no_raw_controls(hostile: Hostile, tmp_path: Path) -> None:
    root = str(hostile.root)
    table = cli(tmp_path, "mentions", "--no-cache", "--format", "table", root)
    assert table.returncode == 0
    assert RAW_CONTROL.search(table.stdout.replace(b"\n", b"")) is None
    text = table.stdout.decode("utf-8")
    assert hc.ESC_NAME_SHOWN in text and hc.BAD_NAME_SHOWN in text

    show = cli(tmp_path, "show", hc.KB_ENTITY_ID, f"{root}/markup.txt", "--no-cache", "--kb", str(hostile.root / hc.KB_MARKUP))
    assert show.returncode == 0, show.stderr
    shown = show.stdout.decode("utf-8")
    assert shown.splitlines()[0] == f"{hc.KB_ENTITY_NAME} (person)"
    assert f"  {hc.KB_ENTITY_DESCRIPTION_SHOWN}" in shown.splitlines()
    assert RAW_CONTROL.search(show.stdout.replace(b"\n", b"")) is None

    escapes = cli(tmp_path, "cite", "escapes.txt", f"{root}/escapes.txt", "--quote", "BEL ding␇dong.", "--no-cache")
    assert escapes.returncode == 0, escapes.stderr
    cited = escapes.stdout.decode("utf-8")
    assert "BEL ding␇dong." in cited and hc.ESCAPES_TITLE_SHOWN in cited
    assert RAW_CONTROL.search(escapes.stdout.replace(b"\n", b"")) is None

    markup = cli(tmp_path, "cite", "markup.txt", f"{root}/markup.txt", "--para", "1", "--style", "markdown", "--no-cache")
    assert markup.returncode == 0, markup.stderr
    assert hc.MARKUP_TITLE in markup.stdout.decode("utf-8")

    # A document id that matches several documents: the list of them is sanitised too.
    many = cli(tmp_path, "cite", "name", f"{root}/{hc.ESC_NAME}", f"{root}/{hc.BAD_NAME_ID}", "--para", "1", "--no-cache")
    assert many.returncode == 1
    assert many.stderr.decode("utf-8").endswith(f"matches 2 documents: {hc.BAD_NAME_SHOWN}, {hc.ESC_NAME_SHOWN}\n")


def test_a_malformed_user_kb_is_an_error_line_and_the_builtin_kb_is_used(hostile: Hostile, tmp_path: Path) -> None:
    broken = hostile.root / hc.KB_BROKEN
    # Named with --kb: the command stops (exit 2) with the file's problem.
    named = cli(tmp_path, "mentions", "--no-cache", "--kb", str(broken), str(hostile.root / "markup.txt"))
    assert named.returncode == 2 and named.stdout == b""
    assert named.stderr.decode("utf-8") == f"xref: --kb {sanitise_line(str(broken))}: {hostile.expected[str(broken)]}\n"
    # As the default user file: an error line, and the built-in knowledge base answers.
    config = tmp_path / ".config" / "xref"
    config.mkdir(parents=True)
    (config / "kb.toml").write_bytes(broken.read_bytes())
    proc = cli(tmp_path, "mentions", "--no-cache", str(hostile.root / "markup.txt"))
    assert proc.returncode == 0
    err = proc.stderr.decode("utf-8").splitlines()
    assert stderr_line(str(config / "kb.toml"), hostile.expected[str(broken)], "error") in err
    entities = {json.loads(line)["entity"] for line in proc.stdout.decode("utf-8").splitlines()}
    assert entities == {"kim-jong-un", "pyongyang"}


def test_with_the_index_cache_hostile_text_round_trips(hostile: Hostile, tmp_path: Path) -> None:
    """Twice through the cache (written, then read back): same output, same problems."""
    files = [str(hostile.root / name) for name in ("escapes.txt", "markup.txt", "bidi.md", hc.ESC_NAME,
                                                      hc.MARKUP_NAME, "binary.txt", "fifo.txt")]
    env = {"XREF_CACHE_DIR": str(tmp_path / "cache")}
    first = cli(tmp_path, "mentions", *files, env=env)
    second = cli(tmp_path, "mentions", *files, env=env)
    assert first.returncode == second.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stderr == second.stderr
    assert set(first.stderr.decode("utf-8").splitlines()) == expected_stderr(
        {p: hostile.expected[p] for p in ("manifest.toml", hc.MARKUP_NAME, "binary.txt", "fifo.txt")}
    )
    assert any(path.name.endswith(".sqlite") for path in (tmp_path / "cache").iterdir())
    cached = [json.loads(line) for line in second.stdout.decode("utf-8").splitlines()]
    for rec in cached:
        doc = hostile.workspace.corpus.get(rec["doc"])
        assert doc is not None and doc.text[rec["start"] : rec["end"]] == rec["text"]


def test_a_file_deleted_between_listing_and_reading_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / hc.VANISHING).write_text("Here when listed.\n")
    (root / hc.CHANGING).write_text("Old.\n")
    (root / "good.txt").write_text("Kim Jong Un in Pyongyang.\n")
    happened = hc.vanish_after_listing(monkeypatch, root)
    out, err = io.StringIO(), io.StringIO()
    assert main(["mentions", "--no-cache", str(root)], out=out, err=err) == 0
    assert happened()
    assert err.getvalue().splitlines() == [stderr_line(hc.VANISHING, "no such file (removed while loading?)", "error")]
    docs = [json.loads(line)["doc"] for line in out.getvalue().splitlines()]
    assert docs == [hc.CHANGING, "good.txt", "good.txt"]  # changing.txt was read as rewritten
