"""The reader (Pilot) on the hostile corpus: the problems screen lists every file
and reason; documents, titles, snippets, entity names and notifications show
markup literally; no rendered cell holds a control character."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.app import App

from tests.hostile import corpus as hc
from tests.hostile.conftest import UNSAFE, Hostile
from tests.tui.conftest import run_async
from tests.tui.helpers import open_doc, settle
from tui.app import XrefApp, _start_resource_tracker
from tui.problems import ProblemsScreen
from tui.style import clean

# Textual's own output: CSI sequences (colours, cursor moves) and the few
# private modes it sets. What is left after removing them must be plain text.
_CSI = re.compile(r"\x1b\[[0-9;:?<=>]*[ -/]*[@-~]")


def screen_lines(app: App) -> list[str]:
    """Every row of the composed screen, as the cells' text."""
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]  # noqa: SLF001


def terminal_output(app: App) -> str:
    """What the driver would write to the terminal for a full repaint of the screen."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)  # noqa: SLF001
    return update.render_segments(app.console)


def assert_clean(app: App) -> str:
    """No cell holds a control character, and the terminal output holds no document sequence."""
    lines = screen_lines(app)
    for y, line in enumerate(lines):
        assert UNSAFE.search(line) is None, (y, line)
    output = terminal_output(app)
    for sequence in hc.DOCUMENT_SEQUENCES:
        assert sequence.decode("utf-8") not in output, sequence
    rest = _CSI.sub("", output)
    assert UNSAFE.search(rest.replace("\n", "")) is None, repr(UNSAFE.search(rest.replace("\n", "")))
    return "\n".join(lines)


def reader_text(app: XrefApp) -> str:
    rows = ["".join(seg.text for seg in app.reader.render_line(y)) for y in range(app.reader.size.height)]
    for row in rows:
        assert UNSAFE.search(row) is None, row
    return " ".join(" ".join(rows).split())


def squash(text: str) -> str:
    return " ".join(text.split())


def dense(text: str) -> str:
    """Without any white space: long words are cut across rows, so compare without it."""
    return "".join(text.split())


def notifications(app: App) -> list[str]:
    return [str(n.message) for n in app._notifications]  # noqa: SLF001


@run_async
async def test_the_problems_screen_lists_every_file_and_reason(
    tmp_path: Path, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "corpus"
    expected = hc.build(root)
    broken = root / hc.KB_BROKEN
    wanted = {**hc.corpus_problems(expected, vanished=True), str(broken): expected[str(broken)]}
    hc.vanish_after_listing(monkeypatch, root)
    # As tui.app.run does: worker processes cannot start the resource tracker from inside the app.
    _start_resource_tracker()
    app = XrefApp([root], kb_path=broken, state_dir=tmp_path / "state")
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settle(pilot)
        assert app.workspace is not None, notifications(app)
        assert notifications(app) == [f"{len(wanted)} files had problems loading — press ! to see which."]
        # The built-in knowledge base is in use despite the broken user file.
        assert app.index is not None and app.index.mentions_of("kim-jong-un")
        app.reader.focus()
        await pilot.press("exclamation_mark")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        assert {p.path: p.reason for p in screen.listed} == wanted
        shown = assert_clean(app)
        for path, reason in wanted.items():
            assert clean(path) in shown and reason in shown, (path, reason)
        assert "[@click=app.quit].txt" in shown  # a markup-looking file name, literally
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and not isinstance(app.screen, ProblemsScreen)


@run_async
async def test_documents_titles_snippets_and_names_render_literally(hostile: Hostile, tmp_path: Path) -> None:
    from textual.command import CommandList

    ws = hostile.workspace
    app = XrefApp(workspace=ws, state_dir=tmp_path / "state")
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settle(pilot)
        # The load-problems toast, and the documents list with every title as written.
        assert notifications(app) == [f"{len(ws.problems)} files had problems loading — press ! to see which."]
        shown = assert_clean(app)
        assert f"{len(ws.problems)} files had problems loading" in squash(shown)
        docs = app.documents.row_list
        listing = "\n".join(row.render(200, docs.palette).plain for row in docs.rows)
        for title in (hc.MARKUP_TITLE, hc.HTML_TITLE, hc.ESCAPES_TITLE_SHOWN, hc.BIDI_HEADING_SHOWN, hc.LATIN1_SHOWN):
            assert title in listing, title
        assert hc.BAD_NAME_SHOWN in listing  # untitled documents are listed by their (sanitised) id
        assert UNSAFE.search(listing.replace("\n", "")) is None

        # The reader: markup as text, controls as placeholders, header titles literal.
        await open_doc(pilot, "markup.txt")
        text = reader_text(app)
        assert dense(hc.MARKUP_TITLE) in dense(text) and dense(hc.MARKUP_BODY) in dense(text)
        assert hc.MARKUP_TITLE[:30] in app.reader_pane.header.render().plain
        await open_doc(pilot, "escapes.txt")
        text = reader_text(app)
        assert hc.ESCAPES_TITLE_SHOWN in text
        for _, shown in hc.SHOWN[:4]:
            assert dense(shown) in dense(text), shown
        assert hc.ESCAPES_TITLE_SHOWN in app.reader_pane.header.render().plain
        assert_clean(app)
        await open_doc(pilot, "markup-title.html")
        assert hc.HTML_TITLE in app.reader_pane.header.render().plain
        assert "[red]Kim Jong Un[/red] visited [b]Pyongyang[/b] [/x]." in reader_text(app)
        for doc_id in ("bidi.md", "latin1.txt", hc.ESC_NAME, hc.BAD_NAME_ID, "long-line.txt", hc.DEEP_ID):
            await open_doc(pilot, doc_id)
            assert app.reader.current_doc is not None and app.reader.current_doc.id == doc_id
            assert_clean(app)

        # The side panel: a user-KB name that looks like markup, its description, its context.
        markup = ws.corpus.get("markup.txt")
        assert markup is not None
        await open_doc(pilot, "markup.txt", markup.text.index("Comrade Zebulon"))
        assert app.panel.entity is not None and app.panel.entity.id == hc.KB_ENTITY_ID
        shown = assert_clean(app)
        assert hc.KB_ENTITY_NAME in shown  # the panel's title line
        assert hc.KB_ENTITY_DESCRIPTION_SHOWN in squash(app.panel.listed_text())
        assert "[@click=app.quit]waved[/]" in app.panel.listed_text()

        # The panel's context for a name next to controls shows the placeholders.
        escapes = ws.corpus.get("escapes.txt")
        assert escapes is not None
        await open_doc(pilot, "escapes.txt", escapes.text.index("Pyongyang␛"))
        assert app.panel.entity is not None and app.panel.entity.id == "pyongyang"
        assert "Pyongyang␛[5m␇\ufffd1m¤!" in app.panel.listed_text()
        assert_clean(app)

        # The entity index and the command palette list the name literally.
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Zebulon")
        await settle(pilot)
        assert hc.KB_ENTITY_NAME in assert_clean(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+p", *"Zebulon")
        await settle(pilot)
        commands = app.screen.query_one(CommandList)
        prompts = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
        assert any(hc.KB_ENTITY_NAME in p for p in prompts), prompts
        assert_clean(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running  # [@click=app.quit] never ran


async def failed_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, message: str) -> tuple[str, str]:
    """(the notification, the screen) when opening the corpus raises ``message``."""
    import xref.engine

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError(message)

    monkeypatch.setattr(xref.engine, "open_workspace", explode)
    app = XrefApp([tmp_path], state_dir=tmp_path / "state")
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        [note] = notifications(app)
        shown = assert_clean(app)
        assert app.is_running
    return note, squash(shown)


@run_async
async def test_a_failed_load_is_a_literal_notification(
    tmp_path: Path, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note, shown = await failed_load(tmp_path, monkeypatch, "[bold]boom[/] [/x] [@click=app.quit]")
    assert note == "Could not open the corpus: RuntimeError: [bold]boom[/] [/x] [@click=app.quit]"
    assert "RuntimeError: [bold]boom[/]" in shown and "[/x] [@click=app.quit]" in shown  # (wrapped in the toast)


@run_async
async def test_control_characters_in_a_failed_load_message_are_shown_not_sent(
    tmp_path: Path, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note, shown = await failed_load(tmp_path, monkeypatch, "bad \x1b]52;c;" + hc.OSC52_PAYLOAD + "\x07 name")
    assert "\x1b" not in note and "\x07" not in note
    assert note.endswith("RuntimeError: bad ␛]52;c;" + hc.OSC52_PAYLOAD + "␇ name")
    assert "␇ name" in shown  # the toast wraps the rest over several lines


@run_async
async def test_resizing_to_20x5_and_back_never_crashes(hostile: Hostile, tmp_path: Path) -> None:
    app = XrefApp(workspace=hostile.workspace, state_dir=tmp_path / "state")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, "long-line.txt")
        for size in [(20, 5), (160, 50), (20, 5), (80, 24)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert_clean(app)
        await pilot.press("G", "N", "n")
        await open_doc(pilot, "escapes.txt")
        for size in [(20, 5), (21, 6), (80, 24)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert_clean(app)
        await pilot.press("exclamation_mark")
        await pilot.resize_terminal(20, 5)
        await settle(pilot)
        assert_clean(app)
        await pilot.resize_terminal(80, 24)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and app.reader.current_doc is not None


@run_async
async def test_quitting_on_a_document_whose_name_is_not_utf8_saves_the_position(hostile: Hostile, tmp_path: Path) -> None:
    from tui.state import StateStore

    state = tmp_path / "state"
    app = XrefApp(workspace=hostile.workspace, state_dir=state)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, hc.BAD_NAME_ID, 10)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert StateStore(state).load(hostile.root) == (hc.BAD_NAME_ID, 10)


@run_async
async def test_citations_of_hostile_documents_are_literal_and_control_free(
    hostile: Hostile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyperclip

    from tui.citations import CitationDialog

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT", "WSL_DISTRO_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pyperclip, "copy", lambda text: None)  # never the real clipboard
    app = XrefApp(workspace=hostile.workspace, state_dir=tmp_path / "state", config_dir=tmp_path / "config")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_doc(pilot, "markup.txt", 0)
        await pilot.press("Y")  # cite the paragraph: the markup-looking title line
        await settle(pilot)
        assert app.clipboard.count(hc.MARKUP_TITLE) >= 1  # as the quote, and as the title
        note = notifications(app)[-1]
        assert "[bold]Markup title[/]" in note
        assert "[bold]Markup title[/]" in assert_clean(app)
        escapes = hostile.workspace.corpus.get("escapes.txt")
        assert escapes is not None
        await open_doc(pilot, "escapes.txt", escapes.text.index("OSC 52"))
        await pilot.press("Y")
        await settle(pilot)
        assert f"OSC 52 ␛]52;c;{hc.OSC52_PAYLOAD}␇ clipboard." in app.clipboard
        assert hc.ESCAPES_TITLE_SHOWN in app.clipboard
        assert UNSAFE.search(app.clipboard.replace("\n", "").replace("\t", "")) is None
        assert_clean(app)
        await pilot.press("c")  # the last citation, to read and save
        await settle(pilot)
        assert isinstance(app.screen, CitationDialog)
        assert hc.ESCAPES_TITLE_SHOWN in squash(assert_clean(app))
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running
