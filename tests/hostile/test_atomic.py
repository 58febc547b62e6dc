"""User data is written atomically: SIGKILL a writer at random moments, many
times; the file must always be the old version or the new one, never torn.

A naive writer (truncate, then write) under the same harness is caught
leaving torn files, so the harness can tell the difference."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xref.atomic import write_atomically

ROOT = Path(__file__).resolve().parents[2]
KILLS = 15

# Each writer loops forever, every version a complete, self-checking JSON document.
STATE_WRITER = """
import sys
from tui.state import StateStore, MAX_CORPORA
store = StateStore(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    i += 1
    store.save("/corpus/%04d/" % (i % MAX_CORPORA) + "x" * 900, "doc-%d.txt" % i, i)
"""

CONFIG_WRITER = """
import sys
from tui.config import ConfigStore
store = ConfigStore(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    i += 1
    assert store.set("padding", ["%d" % i] * 20000) is None
"""

HELPER_WRITER = """
import json, sys
from pathlib import Path
from xref.atomic import write_atomically
path = Path(sys.argv[1]) / "data.json"
versions = [json.dumps({"version": i, "body": [i] * 100000}) for i in (1, 2)]
print("ready", flush=True)
i = 0
while True:
    i += 1
    write_atomically(path, versions[i % 2])
"""

NAIVE_WRITER = """
import json, sys
from pathlib import Path
path = Path(sys.argv[1]) / "data.json"
versions = [json.dumps({"version": i, "body": [i] * 100000}) for i in (1, 2)]
print("ready", flush=True)
i = 0
while True:
    i += 1
    text = versions[i % 2]
    with open(path, "w") as handle:  # truncates first: a kill leaves a torn file
        for at in range(0, len(text), 65536):
            handle.write(text[at : at + 65536])
            handle.flush()
"""


def valid_state(path: Path) -> bool:
    data = json.loads(path.read_text(encoding="utf-8"))
    return isinstance(data, dict) and len(data) >= 1 and all(
        isinstance(v, dict) and isinstance(v.get("doc"), str) and isinstance(v.get("offset"), int) for v in data.values()
    )


def valid_config(path: Path) -> bool:
    data = json.loads(path.read_text(encoding="utf-8"))
    padding = data["padding"]
    return len(padding) == 20000 and len(set(padding)) == 1


def valid_versioned(path: Path) -> bool:
    data = json.loads(path.read_text(encoding="utf-8"))
    return len(data["body"]) == 100000 and set(data["body"]) == {data["version"]}


def kill_repeatedly(script: str, folder: Path, target: Path, check, kills: int = KILLS) -> tuple[int, int]:
    """(kills after which ``target`` was valid, kills after which it existed but was not)."""
    rng = random.Random(4242)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    good = bad = 0
    for _ in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", script, str(folder)], stdout=subprocess.PIPE, env=env)
        try:
            assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
            # Let it write a few versions first, then kill it anywhere in the loop.
            time.sleep(0.01 + rng.random() * 0.05)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if not target.exists():
            continue
        try:
            ok = check(target)
        except (ValueError, KeyError, TypeError):
            ok = False
        good, bad = (good + 1, bad) if ok else (good, bad + 1)
    return good, bad


def test_state_json_survives_sigkill_at_any_moment(tmp_path: Path) -> None:
    good, bad = kill_repeatedly(STATE_WRITER, tmp_path, tmp_path / "state.json", valid_state)
    assert bad == 0 and good >= KILLS - 1, (good, bad)


def test_config_json_survives_sigkill_at_any_moment(tmp_path: Path) -> None:
    pytest.importorskip("tui.config")
    good, bad = kill_repeatedly(CONFIG_WRITER, tmp_path, tmp_path / "config.json", valid_config)
    assert bad == 0 and good >= KILLS - 1, (good, bad)


def test_the_atomic_helper_survives_sigkill_and_a_naive_writer_does_not(tmp_path: Path) -> None:
    atomic, naive = tmp_path / "atomic", tmp_path / "naive"
    atomic.mkdir()
    naive.mkdir()
    good, bad = kill_repeatedly(HELPER_WRITER, atomic, atomic / "data.json", valid_versioned)
    assert bad == 0 and good >= KILLS - 1, (good, bad)
    _, torn = kill_repeatedly(NAIVE_WRITER, naive, naive / "data.json", valid_versioned, kills=4)
    assert torn > 0, "the harness never caught the naive writer mid-write"


def test_the_atomic_helper_keeps_permissions_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "kb.toml"
    write_atomically(path, "first\n")
    assert path.read_text() == "first\n" and (path.stat().st_mode & 0o777) == 0o600
    path.chmod(0o644)
    write_atomically(path, b"second\n")
    assert path.read_bytes() == b"second\n" and (path.stat().st_mode & 0o777) == 0o644
    with pytest.raises(OSError):
        write_atomically(tmp_path / "missing-folder" / "x.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb.toml"]


def test_every_user_data_write_goes_through_an_atomic_helper() -> None:
    """No module in xref/ or tui/ writes a file in place (write_text, open(..., "w"))."""
    offenders = []
    for folder in ("xref", "tui"):
        for source in sorted((ROOT / folder).glob("*.py")):
            text = source.read_text(encoding="utf-8")
            for number, line in enumerate(text.splitlines(), 1):
                code = line.split("#", 1)[0]
                if ".write_text(" in code or ".write_bytes(" in code or _opens_for_writing(code):
                    offenders.append(f"{source.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def _opens_for_writing(code: str) -> bool:
    import re

    return re.search(r"""\bopen\([^)]*["'][wax]b?\+?["']""", code) is not None
