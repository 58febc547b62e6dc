"""Drive the real ``xref`` command inside a private tmux server, as a user would.

Each driver has its own socket and config, so tests never touch a tmux the
user is running, and its own HOME/XDG folders, so saved state and caches of
one test never leak into another.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sysconfig
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest


def require_tmux() -> str:
    path = shutil.which("tmux")
    if path is None:
        pytest.skip("tmux is not installed (.ci/run installs it)")
    return path


def installed_xref() -> str:
    """The installed console script; the end-to-end tests test what users run.

    The one installed next to the Python running the tests comes first (that is
    where ``pip install .`` put it), then PATH; a real file, not a shim (pyenv's
    needs its own environment, and SSH sessions start with a bare PATH)."""
    beside = Path(sysconfig.get_path("scripts")) / "xref"
    path = str(beside) if beside.is_file() and os.access(beside, os.X_OK) else shutil.which("xref")
    if path is None:
        pytest.skip("the xref command is not installed (run: pip install .)")
    return path


def isolated_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "xterm-256color",
    }
    for key in ("PYTHONPATH", "VIRTUAL_ENV"):
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra or {})
    return env


class Tmux:
    def __init__(self, workdir: Path, width: int = 80, height: int = 24, clipboard: bool = True) -> None:
        self.tmux = require_tmux()
        self.workdir = workdir
        self.socket = str(workdir / "tmux.sock")
        self.conf = workdir / "tmux.conf"
        lines = [
            "set -g default-terminal 'tmux-256color'",
            "set -g escape-time 0",
            "set -g status off",
            "set -g history-limit 100",
        ]
        if clipboard:
            lines.append("set -g set-clipboard on")
        self.conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.width, self.height = width, height
        self.session = "xref-e2e"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.tmux, "-S", self.socket, "-f", str(self.conf), *args],
            capture_output=True, text=True, check=check, timeout=30,
        )

    def start(self, command: list[str], env: Mapping[str, str]) -> None:
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        shell = f"env -i {exports} {shlex.join(command)}; sleep 30"
        self._run(
            "new-session", "-d", "-s", self.session, "-x", str(self.width), "-y", str(self.height), shell,
        )

    def send(self, *keys: str) -> None:
        for key in keys:
            self._run("send-keys", "-t", self.session, key)
            time.sleep(0.05)

    def type(self, text: str) -> None:
        self._run("send-keys", "-t", self.session, "-l", text)

    def capture(self) -> str:
        return self._run("capture-pane", "-p", "-t", self.session).stdout

    def wait_for(self, predicate: str | Callable[[str], bool], timeout: float = 20.0) -> str:
        """Poll the screen until ``predicate`` (a substring or a function) holds."""
        check = (lambda s: predicate in s) if isinstance(predicate, str) else predicate
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture()
            if check(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"screen never showed {predicate!r}; last screen:\n{screen}")

    def wait_stable(self, quiet: float = 0.4, timeout: float = 10.0) -> str:
        """Wait until the screen stops changing for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        screen = self.capture()
        still_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.capture()
            if now != screen:
                screen, still_since = now, time.monotonic()
            elif time.monotonic() - still_since >= quiet:
                return screen
        return screen

    def wait_change(self, before: str, timeout: float = 10.0) -> str:
        return self.wait_for(lambda s: s != before, timeout)

    def buffer(self) -> str:
        proc = self._run("show-buffer", check=False)
        return proc.stdout if proc.returncode == 0 else ""

    def wait_buffer(self, predicate: Callable[[str], bool], timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.buffer()
            if predicate(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"tmux buffer never matched; it holds: {text!r}")

    def pipe_output(self, target: Path) -> None:
        """Copy every byte the program writes to the terminal into ``target``."""
        self._run("pipe-pane", "-o", "-t", self.session, f"cat >> {shlex.quote(str(target))}")

    def alive(self) -> bool:
        return self._run("has-session", "-t", self.session, check=False).returncode == 0

    def kill(self) -> None:
        self._run("kill-server", check=False)
