"""`y` in the installed `xref` puts the citation in tmux's paste buffer (OSC 52).

tmux with ``set -g set-clipboard on`` stores every OSC 52 copy a program
writes as a paste buffer, so ``tmux show-buffer`` reads back exactly what a
user's terminal would have received.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import NK_NEWS_TITLE, first_mention_citation, open_nk_news_and_cite
from tests.e2e.tmuxdriver import installed_xref, isolated_env

pytestmark = pytest.mark.e2e


def test_y_copies_the_citation_into_the_tmux_buffer(tmux, tmp_path, seed_workspace) -> None:
    home = tmp_path / "home"
    tmux.start([installed_xref()], isolated_env(home))
    screen = open_nk_news_and_cite(tmux)

    expected = first_mention_citation(seed_workspace)
    copied = tmux.wait_buffer(lambda text: text == expected)
    assert NK_NEWS_TITLE in copied and "NK News, January 17, 2024, ¶" in copied
    # The toast says what happened, in words (no display here, and not over SSH).
    assert "Terminal clipboard: sent (OSC 52)" in screen
    assert "Local clipboard: none (no display)" in screen

    # s picks another style; the choice lands in the user's config folder.
    tmux.send("s")
    tmux.wait_for("Citation style")
    tmux.send("Down", "Down", "Down", "Down", "Enter")  # chicago apa mla markdown [bibtex]
    tmux.wait_for("Citation style: BibTeX")
    config = json.loads((home / ".config" / "xref" / "config.json").read_text(encoding="utf-8"))
    assert config == {"citation_style": "bibtex"}
    tmux.send("y")
    copied = tmux.wait_buffer(lambda text: text == first_mention_citation(seed_workspace, "bibtex"))
    assert copied.startswith("@online{jin2024ask,")

    tmux.send("q")
    tmux.wait_for(lambda s: "Cross-references" not in s)
