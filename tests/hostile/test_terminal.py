"""The installed ``xref`` in a real terminal (tmux): the raw bytes it writes hold
no escape sequence from a document, and SIGTERM / ctrl+c leave the terminal as
it was. (Install the checkout first: ``pip install .``.)"""

from __future__ import annotations

import os
import re
import shlex
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.tmuxdriver import Tmux, installed_xref, isolated_env
from tests.hostile import corpus as hc

pytestmark = pytest.mark.e2e


def xref_command() -> str:
    """The installed console script itself (not a shim that execs it: its pid is the app's)."""
    beside = Path(sys.executable).with_name("xref")
    return str(beside) if beside.exists() else installed_xref()


def pane_flags(tmux: Tmux) -> dict[str, str]:
    names = ("alternate_on", "mouse_any_flag", "mouse_sgr_flag", "cursor_flag", "pane_title")
    out = tmux._run("display-message", "-p", "-t", tmux.session, "|".join(f"#{{{n}}}" for n in names)).stdout  # noqa: SLF001
    return dict(zip(names, out.rstrip("\n").split("|")))


def read_pid(path: Path, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return int(path.read_text().strip())
        except (OSError, ValueError):
            time.sleep(0.05)
    raise AssertionError("the app never wrote its pid")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    hc.build(root)
    return root


def test_no_escape_sequence_from_a_document_reaches_the_terminal(corpus: Path, tmp_path: Path) -> None:
    xref = xref_command()
    work = tmp_path / "tmux"
    work.mkdir()
    capture = work / "output.bin"
    names = ["escapes.txt", "markup.txt", "markup-title.html", "bidi.md", "latin1.txt", hc.ESC_NAME, hc.BAD_NAME_ID,
             hc.MARKUP_NAME, "binary.txt"]
    files = " ".join(shlex.quote(str(corpus / name)) for name in names)
    # Start only once pipe-pane is on, so every byte the app writes is captured.
    script = f"while [ ! -e {shlex.quote(str(work / 'go'))} ]; do sleep 0.05; done; exec {shlex.quote(xref)} {files}"
    tmux = Tmux(work, 120, 40)
    tmux.start(["sh", "-c", script], isolated_env(tmp_path / "home"))
    try:
        tmux.pipe_output(capture)
        (work / "go").touch()
        tmux.wait_for("names · escapes.txt")
        tmux.send("BTab")  # the reader has the keys at first; the list's filter is one key away
        tmux.wait_for(lambda s: "⏎ Open" in s.splitlines()[-1])
        opened = [("escapes", "RED ALERT"), ("markup.txt", "Markup title"), ("markup-title", "HTML title"),
                  ("bidi", "Invoice ¤gnp.exe¤"), ("latin1", "Café society"), ("name-", "A plain document"),
                  ("bad-", "is not UTF-8 names")]
        for query, header in opened:
            tmux.send("C-u")
            tmux.type(query)
            tmux.send("Enter")
            tmux.wait_for(lambda s, h=header: h in s.splitlines()[0])  # the reader's header: it is open
            tmux.send("n", "n", "n", "Space", "n", "G", "N")  # every row drawn, the panel on each name
            time.sleep(0.2)
            tmux.send("d")
            tmux.wait_for(lambda s: "⏎ Open" in s.splitlines()[-1])  # the documents list has the keys
        tmux.send("C-u", "Escape")  # an empty filter: escape closes the list
        time.sleep(0.3)
        tmux.send("!")
        tmux.wait_for("Load problems")
        tmux.send("Escape", "e")
        tmux.type("Zebulon Pyongyang")
        time.sleep(0.5)
        tmux.send("Escape")
        screen = tmux.capture()
        flags = pane_flags(tmux)
        tmux.send("q")
        tmux.wait_for(lambda s: "Cross-references" not in s)
    finally:
        tmux.kill()
    data = capture.read_bytes()
    assert len(data) > 10_000, "nothing was captured"
    for sequence in hc.DOCUMENT_SEQUENCES:
        assert sequence not in data, sequence
    # Textual's own OSC 22 (mouse pointer shape) ends with a BEL; no other BEL, BS,
    # clipboard, title, hyperlink or C1 control is written at all.
    own = re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", data)
    for forbidden in (b"\x07", b"\x08", b"\x1b]52;", b"\x1b]0;", b"\x1b]2;", b"\x1b]8;", b"\xc2\x9b", b"\xc2\x9d"):
        assert forbidden not in own, forbidden
    # The documents were drawn: their placeholders are in the output. (Right
    # after a name: the name is drawn in its own style, so apart.)
    for shown in ("␛[31mRED ALERT␛[0m", "ding␇dong", "␛[5m␇\ufffd1m¤!", hc.BIDI_HEADING_SHOWN, hc.HTML_TITLE):
        assert shown.encode() in data, shown
    assert "PWNED" not in flags["pane_title"]
    assert "Traceback" not in screen


def test_sigterm_and_ctrl_c_leave_the_terminal_restored(corpus: Path, tmp_path: Path) -> None:
    xref = shlex.quote(xref_command())
    work = tmp_path / "tmux"
    work.mkdir()
    pid_file = work / "pid"
    doc = shlex.quote(str(corpus / "markup.txt"))
    whole = shlex.quote(str(corpus))

    def app(pid: Path, target: str) -> str:
        # The inner shell writes its pid and becomes the app: that pid is the app's.
        return f"sh -c 'echo $$ > {shlex.quote(str(pid))}; exec {xref} --no-cache {target}'"

    script = (
        f"{app(pid_file, doc)}; echo XREF-EXITED-$?; "
        f"{app(work / 'pid2', doc)}; echo XREF-AGAIN-$?; "
        f"{app(work / 'pid3', whole)}; echo XREF-LOADING-$?; sleep 60"
    )
    home = tmp_path / "home"
    tmux = Tmux(work, 100, 30)
    tmux.start(["sh", "-c", script], isolated_env(home))
    try:
        # 1. SIGTERM: exits with 128+15, alternate screen left, mouse off, cursor shown.
        tmux.wait_for("Cross-references")
        assert pane_flags(tmux)["alternate_on"] == "1"
        tmux.send("Enter", "n")  # open the document, move: a position worth saving
        time.sleep(0.5)
        os.kill(read_pid(pid_file), signal.SIGTERM)
        screen = tmux.wait_for("XREF-EXITED-")
        assert "XREF-EXITED-143" in screen, screen
        assert "Cross-references" not in screen and "Traceback" not in screen
        flags = pane_flags(tmux)
        assert (flags["alternate_on"], flags["mouse_any_flag"], flags["mouse_sgr_flag"], flags["cursor_flag"]) == (
            "0", "0", "0", "1"), flags
        assert (home / ".local" / "share" / "xref" / "state.json").exists()  # saved on the way out

        # 2. ctrl+c: quits like q.
        tmux.wait_for("Cross-references")
        tmux.send("C-c")
        screen = tmux.wait_for("XREF-AGAIN-")
        assert "XREF-AGAIN-0" in screen and "Traceback" not in screen
        assert pane_flags(tmux)["alternate_on"] == "0"

        # 3. SIGTERM while the corpus is still loading: out at once, terminal restored.
        pid = read_pid(work / "pid3")
        tmux.wait_for(lambda s: pane_flags(tmux)["alternate_on"] == "1")
        deadline = time.monotonic() + 10  # best with its worker processes running (forked: same command line)
        while len(processes_running(str(corpus))) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(pid, signal.SIGTERM)
        started = time.monotonic()
        screen = tmux.wait_for("XREF-LOADING-", timeout=30)
        assert "XREF-LOADING-143" in screen and "Traceback" not in screen, screen
        assert time.monotonic() - started < 10
        flags = pane_flags(tmux)
        assert (flags["alternate_on"], flags["mouse_any_flag"], flags["cursor_flag"]) == ("0", "0", "1"), flags
        # ...and none of its worker processes is left behind.
        deadline = time.monotonic() + 5
        while (left := processes_running(str(corpus))) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert left == [], left
    finally:
        tmux.kill()


def processes_running(needle: str) -> list[str]:
    """Live (not zombie) Python processes whose command line mentions ``needle``: the
    app and its forked workers (not the tmux server or the shell that started it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and Path(argv[0]).name.startswith("python") and any(needle in arg for arg in argv):
            found.append(f"{entry.name}: {' '.join(argv)}")
    return found
