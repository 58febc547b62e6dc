"""The installed `xref` in tmux at 80x24, driven by keystrokes and read off the screen."""

from __future__ import annotations

import re

import pytest

from tests.e2e.tmuxdriver import Tmux, installed_xref, isolated_env

pytestmark = pytest.mark.e2e


def header_line(screen: str) -> str:
    return screen.splitlines()[0]


def position(screen: str) -> tuple[int, int]:
    m = re.search(r"line (\d+)/(\d+)", header_line(screen))
    assert m, header_line(screen)
    return int(m.group(1)), int(m.group(2))


@pytest.fixture
def tmux(tmp_path):
    t = Tmux(tmp_path, 80, 24)
    yield t
    t.kill()


def test_open_step_and_jump_across_documents(tmux, tmp_path):
    xref = installed_xref()
    tmux.start([xref], isolated_env(tmp_path / "home"))
    # A first run shows the document list beside the first document, with the
    # keys in the reader.
    screen = tmux.wait_for(lambda s: "Filter documents" in s and "Ask A North Korean" in s and "line 1/" in s)
    assert "Cross-references" in screen and "Jang Jin-sung" in screen
    tmux.send("d")  # the list makes room for the text
    tmux.wait_for(lambda s: s.startswith(" Jang Jin-sung") and "line 1/" in s)

    # n moves the cursor to the next name: the line indicator and the panel's marker move.
    tmux.send("n")
    screen = tmux.wait_for(lambda s: position(s)[0] > 1)
    assert "Jang Jin-sung  person" in screen
    assert re.search(r"▶\s+5 ", screen), screen

    # Step with n until the cursor rests on Kim Jong-il; the panel follows live.
    for _ in range(40):
        if "Kim Jong-il  person" in screen:
            break
        before = screen
        tmux.send("n")
        tmux.wait_change(before)
        # Settled, not just changed: a half-drawn screen (text moved, panel not
        # yet) would send one n too many and step past his first mention.
        screen = tmux.wait_stable()
    assert "Kim Jong-il  person" in screen, screen
    m = re.search(r"Kim Jong-il  person · (\d+) mentions in (\d+) documents", screen)
    assert m and int(m.group(2)) >= 2, screen

    # [ from his first mention in the corpus wraps round to his last one, in
    # another document: the reader opens it and the panel still follows him.
    tmux.wait_stable()
    tmux.send("[")
    try:
        screen = tmux.wait_for(lambda s: not header_line(s).startswith(" Jang Jin-sung"), timeout=8)
    except AssertionError:
        # Seen rarely when both cores are saturated by the parallel test run: the
        # keystroke produced no change. Pilot tests cover [ deterministically; here
        # one retry keeps the end-to-end check about what the screen shows.
        tmux.send("[")
        screen = tmux.wait_for(lambda s: not header_line(s).startswith(" Jang Jin-sung"))
    screen = tmux.wait_for("Kim Jong-il  person")
    assert header_line(screen).startswith(" Ask A North Korean"), header_line(screen)
    assert "Kim Jong Il" in screen.split("Cross-references")[0]  # the reader shows his name there

    # b goes back to where the jump started.
    tmux.send("b")
    screen = tmux.wait_for(lambda s: header_line(s).startswith(" Jang Jin-sung") and "Kim Jong-il  person" in s)
    marker = [line for line in screen.splitlines() if "▶" in line]

    # ] steps to his next mention; here it is in the same document, and the
    # panel's marker moves down to it.
    tmux.send("]")
    screen = tmux.wait_for(lambda s: [line for line in s.splitlines() if "▶" in line] not in ([], marker))
    assert header_line(screen).startswith(" Jang Jin-sung")
    assert "Kim Jong-il  person" in screen

    tmux.send("q")
    tmux.wait_for(lambda s: "Cross-references" not in s)
