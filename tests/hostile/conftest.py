"""Fixtures of the hostile-input suite.

The corpus is written once per test session (per xdist worker) and loaded
once through the engine with a file deleted and another rewritten between
listing and reading. Tests that load it again (CLI, TUI) see it as that load
left it: ``vanishing.txt`` gone, ``changing.txt`` rewritten.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile import corpus as hc
from xref.engine import Workspace, open_workspace

# Anything a terminal could act on: C0 but TAB/LF, DEL, C1, bidi controls,
# line/paragraph separators, lone surrogates.
UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
UNSAFE_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: minutes, not seconds; runs only with XREF_SLOW=1")


@dataclass
class Hostile:
    root: Path
    expected: dict[str, str]  # every problem build() can produce
    workspace: Workspace  # loaded with .kb/markup.toml, vanishing.txt deleted after listing

    def problems(self, *, vanished: bool = False) -> dict[str, str]:
        return hc.corpus_problems(self.expected, vanished=vanished)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    root = tmp_path_factory.mktemp("hostile") / "corpus"
    expected = hc.build(root)
    with pytest.MonkeyPatch.context() as mp:
        happened = hc.vanish_after_listing(mp, root)
        workspace = open_workspace([root], kb_path=root / hc.KB_MARKUP, use_user_kb=False, use_cache=False)
    assert happened(), "the corpus walk no longer lists folders with os.scandir; update vanish_after_listing"
    return Hostile(root, expected, workspace)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Private HOME / XDG folders, no cache or keymap overrides: nothing of the user's is read or written."""
    home = tmp_path / "home"
    home.mkdir()
    for key in ("XREF_CACHE_DIR", "XREF_NO_CACHE", "XREF_KEYMAP"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    return home


def slow_enabled() -> bool:
    return os.environ.get("XREF_SLOW") == "1"
