"""Unusual environments: no usable terminal, a home / config / cache folder that
cannot be written (root ignores chmod, so they sit under a regular file, where
mkdir fails), tiny terminals (see test_tui) and signals (see test_terminal)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.conftest import Hostile
from tests.hostile.test_cli import cli
from tests.tui.conftest import run_async
from tests.tui.helpers import settle
from tui.app import XrefApp

CACHE_WARNING = "cannot use the index cache folder (Not a directory); indexing without a cache"


def blocked_home(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """HOME and XDG folders under a regular file: nothing can be created there, even by root."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, not a folder\n")
    home = blocker / "home"
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    return home, env


@pytest.mark.parametrize(
    ("term", "stdin_tty", "reason"),
    [("dumb", True, "TERM is 'dumb'"), ("", True, "TERM is not set"),
     ("xterm-256color", False, "standard input is not a terminal")],
)
def test_without_a_usable_terminal_the_reader_says_so(hostile: Hostile, tmp_path: Path, term: str, stdin_tty: bool,
                                                      reason: str) -> None:
    import os
    import subprocess
    import sys

    env = {"TERM": term}
    if stdin_tty:
        # A pseudo-terminal on stdin and stdout, so only TERM is wrong.
        master, slave = os.openpty()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "xref.cli", str(hostile.root)], stdin=slave, stdout=slave,
                stderr=subprocess.PIPE, timeout=60, env={**_base_env(tmp_path), **env},
            )
        finally:
            os.close(master)
            os.close(slave)
        stderr = proc.stderr.decode("utf-8")
    else:
        proc = cli(tmp_path, str(hostile.root), env=env)
        stderr = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith(f"xref: {reason}; the reader needs an interactive terminal.")


def _base_env(home: Path) -> dict[str, str]:
    import os

    from tests.hostile.test_cli import ROOT

    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": str(home),
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def test_the_cli_works_when_home_and_cache_cannot_be_written(hostile: Hostile, tmp_path: Path) -> None:
    _, env = blocked_home(tmp_path)
    files = [str(hostile.root / "markup.txt"), str(hostile.root / "escapes.txt")]
    proc = cli(tmp_path, "mentions", *files, env=env)
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.decode("utf-8").splitlines()
    assert f"xref: warning: {env['XDG_CACHE_HOME']}/xref: {CACHE_WARNING}" in err
    assert "Traceback" not in proc.stderr.decode("utf-8")
    assert {json.loads(line)["doc"] for line in proc.stdout.decode("utf-8").splitlines()} == {"markup.txt", "escapes.txt"}


@run_async
async def test_the_reader_opens_when_home_and_cache_cannot_be_written(
    hostile: Hostile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, env = blocked_home(tmp_path)
    for key in ("XREF_CACHE_DIR", "XREF_NO_CACHE", "XREF_KEYMAP"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = XrefApp([hostile.root / "markup.txt", hostile.root / "escapes.txt"])  # default state folder: blocked too
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert app.workspace is not None and app.index is not None
        problems = {p.path: p.reason for p in app.workspace.problems}
        assert problems[f"{env['XDG_CACHE_HOME']}/xref"] == CACHE_WARNING
        assert [str(n.message) for n in app._notifications] == [  # noqa: SLF001
            f"{len(problems)} files had problems loading — press ! to see which."
        ]
        await pilot.press("enter", "n")
        await settle(pilot)
        assert app.reader.current_doc is not None
        await pilot.press("q")  # the position cannot be saved: no error, the app just leaves
        await pilot.pause()
    assert app.return_code == 0
    assert not (tmp_path / "not-a-folder").is_dir()
