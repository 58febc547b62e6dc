"""Shared steps of the end-to-end tests: an outer tmux, and a user's way to a citation.

The expected citation is computed from the engine (``xref.cite`` has its own
tests); what these tests prove is the path from a keypress in the real program
to the clipboard of the terminal the user sits at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmuxdriver import Tmux
from xref.cite import format_citation, make_citation, sentence_span
from xref.engine import Workspace

NK_NEWS = "002_9616d0e211098658.txt"
NK_NEWS_TITLE = "Ask A North Korean: Why a DPRK laborer in Russia decided to defect"


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    """The user's terminal: a private tmux at 80x24 with ``set -g set-clipboard on``."""
    t = Tmux(tmp_path, 80, 24, clipboard=True)
    yield t
    t.kill()


def first_mention_citation(workspace: Workspace, style: str = "chicago") -> str:
    """What ``n`` then ``y`` copies in the NK News seed, opened at its top."""
    index = workspace.index
    mention = index.step_mention(NK_NEWS, 0, True)
    assert mention is not None
    doc = index.document(NK_NEWS)
    return format_citation(make_citation(doc, *sentence_span(doc, mention.start)), style)


def filtered_to_nk_news(screen: str) -> bool:
    """The documents list (left column) shows the NK News seed and no other."""
    rows = [line.lstrip("▶ ") for line in screen.splitlines()[1:]]
    others = ("Jang Jin-sung", "Growing Anti", "North Korea needs")
    return any(r.startswith("Ask A North") for r in rows) and not any(r.startswith(others) for r in rows)


def open_nk_news_and_cite(tmux: Tmux) -> str:
    """First run: filter the documents list, open the NK News seed, n to its first
    name, y. Returns the screen showing the notification."""
    tmux.wait_for(lambda s: "Filter documents" in s and "Jang Jin-sung" in s, timeout=30)  # corpus open
    tmux.send("BTab")  # from the reader to the list's filter
    tmux.type("Ask A North")
    tmux.wait_for(filtered_to_nk_news)
    tmux.send("Enter")
    tmux.wait_for(lambda s: s.startswith(" Ask A North Korean") and "line 1/" in s)
    tmux.send("n")  # the panel marks the mention under the cursor with ▶
    tmux.wait_for(lambda s: "▶" in s and "line 1/" not in s.splitlines()[0])
    tmux.send("y")
    return tmux.wait_for("Copied Chicago citation")
