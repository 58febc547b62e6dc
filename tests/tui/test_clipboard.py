"""Citations to the clipboard from the reader and the side panel (Pilot).

What is asserted is what the user would paste: ``app.clipboard`` is set by
``App.copy_to_clipboard``, the same call that writes the OSC 52 sequence. The
expected strings were written by reading seed 002 (paragraph 12 of the NK News
column); the formats themselves are tested in tests/test_cite.py.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pyperclip
import pytest

from tests.tui.conftest import SEED_IDS, run_async
from tests.tui.helpers import make_app, open_doc, settle, small_workspace
from tui.app import XrefApp
from tui.citations import CitationDialog, StylePicker
from tui.clipboard import DeliveryReport, copy_locally, deliver, local_clipboard_unavailable
from tui.help import HelpScreen
from tui.keybar import KeyBar

D0, D1, D2, D3 = SEED_IDS

SENTENCE = (
    "This is what I learned about roundworms during my middle school biology class in North Korea, "
    "and every time I see Kim Jong Un, roundworms spring to mind."
)
PARAGRAPH = (
    SENTENCE + " The slave-like society of the DPRK under the third Kim leader is like a roundworm, "
    "where only one aspect is excessively developed."
)
SOURCE = (
    "Jin Ju-dong, “Ask A North Korean: Why a DPRK laborer in Russia decided to defect,” "
    "NK News, January 17, 2024, ¶ 12."
)


@pytest.fixture(autouse=True)
def no_local_clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A headless, non-SSH machine unless a test says otherwise; pyperclip recorded, never real."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT",
                 "WSL_DISTRO_NAME", "WSL_INTEROP", "XREF_NO_LOCAL_CLIPBOARD"):
        monkeypatch.delenv(name, raising=False)
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    return copied


def kim_jong_un_offset(app: XrefApp) -> int:
    assert app.index is not None
    return app.index.document(D2).text.index("Kim Jong Un, roundworms")


def last_toast(app: XrefApp) -> tuple[str, str]:
    note = list(app._notifications)[-1]  # noqa: SLF001 - what the toast shows
    return note.title, note.message


@run_async
async def test_y_copies_the_sentence_and_Y_the_paragraph(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(app))
        assert app.reader.current_mention is not None  # the cursor rests on a name
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == f"“{SENTENCE}” {SOURCE}"
        title, message = last_toast(app)
        assert title == "Copied Chicago citation"
        assert message == (
            f"Sentence · ¶ 12 · {len(app.clipboard)} chars\n"
            "“This is what I learned about…”\n"
            "Terminal clipboard: sent (OSC 52)\n"
            "Local clipboard: none (no display)"
        )

        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard == f"“{PARAGRAPH}” {SOURCE}"
        assert last_toast(app)[1].startswith("Paragraph · ¶ 12 · ")
        assert app.last_citation is not None and app.last_citation.text == app.clipboard


@run_async
async def test_the_style_picker_changes_the_style_and_it_is_remembered(seeds, state_dir, tmp_path) -> None:
    config = tmp_path / "config"
    app = make_app(seeds, state_dir, config)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(app))
        await pilot.press("s")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, StylePicker)
        # The preview shows what the highlighted style would copy.
        preview = str(picker.query_one("#style-preview").render())
        assert SENTENCE in preview
        await pilot.press("down", "down", "down", "down", "enter")  # chicago apa mla markdown [bibtex]
        await settle(pilot)
        assert app.citation_style == "bibtex"
        assert json.loads((config / "config.json").read_text(encoding="utf-8")) == {"citation_style": "bibtex"}
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard.startswith("@online{jin2024ask,\n")
        assert f"\tannotation = {{{SENTENCE}}}\n}}" in app.clipboard
        assert "\tnote = {para. 12}," in app.clipboard
        assert last_toast(app)[0] == "Copied BibTeX citation"
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("escape")  # cancelling the picker changes nothing
        await settle(pilot)
        assert app.citation_style == "bibtex"

    # A second run reads the choice back.
    again = make_app(seeds, state_dir, config)
    async with again.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(again))
        assert again.citation_style == "bibtex"
        await pilot.press("Y")
        await settle(pilot)
        assert again.clipboard.startswith("@online{jin2024ask,\n")
        assert PARAGRAPH in again.clipboard


@run_async
async def test_every_style_from_the_command_palette(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    copied: dict[str, str] = {}
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(app))
        for name, style in [("APA", "apa"), ("MLA", "mla"), ("Markdown", "markdown"),
                            ("CSL-JSON", "csl-json"), ("Chicago", "chicago")]:
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press(*f"Citation style: {name}")
            await pilot.pause(0.3)
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert app.citation_style == style, name
            app.reader.focus()
            await pilot.press("y")
            await settle(pilot)
            copied[style] = app.clipboard
    assert copied["apa"] == (
        f"“{SENTENCE}” (para. 12) Jin, J.-D. (2024, January 17). "
        "Ask A North Korean: Why a DPRK laborer in Russia decided to defect. NK News."
    )
    assert copied["mla"] == (
        f"“{SENTENCE}” (par. 12) Jin Ju-dong. “Ask A North Korean: Why a DPRK laborer in Russia "
        "decided to defect.” NK News, 17 Jan. 2024."
    )
    assert copied["markdown"].startswith(f"> {SENTENCE}\n\n— Jin Ju-dong, ")
    item = json.loads(copied["csl-json"])[0]
    assert item["note"] == f"“{SENTENCE}”" and item["locator"] == "12" and item["label"] == "paragraph"
    assert copied["chicago"] == f"“{SENTENCE}” {SOURCE}"


@run_async
async def test_a_keyboard_selection_is_cited_as_selected(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        start = kim_jong_un_offset(app)
        await open_doc(pilot, D2, start)
        reader = app.reader
        await pilot.press("v")
        assert reader.selection == (start, start + 1)
        await pilot.press("w", "w", "w", "w", "left", "left")  # to the last "s" of "roundworms"
        await settle(pilot)
        assert reader.selection == (start, start + len("Kim Jong Un, roundworms"))
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == f"“Kim Jong Un, roundworms” {SOURCE}"
        assert last_toast(app)[1].startswith(f"Selection · ¶ 12 · {len(app.clipboard)} chars\n“Kim Jong Un, roundworms”\n")
        assert reader.selection is None  # y ends the selection, as in vi

        # Backwards across a paragraph break; escape drops a selection unused.
        here = reader.cursor_offset
        await pilot.press("v", "up", "up", "up", "up")
        await settle(pilot)
        assert reader.selection == (reader.cursor_offset, here + 1)
        assert reader.selection[0] < app.index.document(D2).text.index("This is what I learned")
        await pilot.press("escape")
        assert reader.selection is None and app.clipboard.startswith("“Kim Jong Un")

        # While searching too, escape ends the selection first, then the search.
        await pilot.press("slash", *"roundworm", "enter", "v", "right")
        await settle(pilot)
        assert reader.search_active and reader.selection is not None
        await pilot.press("escape")
        assert reader.search_active and reader.selection is None
        await pilot.press("escape")
        assert not reader.search_active

        # Y with a selection cites every paragraph it touches.
        para11 = app.index.document(D2).text.index("Only their instinct")
        reader.move_to(para11)
        await pilot.press("v")
        reader.move_to(start)
        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard.startswith("“The reproductive organs of a roundworm")
        assert f"{PARAGRAPH}” Jin Ju-dong," in app.clipboard and app.clipboard.endswith(", ¶¶ 11–12.")
        assert last_toast(app)[1].startswith("Paragraphs · ¶¶ 11–12 · ")


@run_async
async def test_a_selection_over_paragraphs_is_cited_with_their_range(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 35)) as pilot:
        doc = app.index.document(D0)
        await open_doc(pilot, D0, doc.text.index("South Korea"))  # ¶ 2, the infobox
        reader = app.reader
        await pilot.press("v")
        while doc.layout.paragraph_of(reader.cursor_offset) < 4:  # down into ¶ 4
            await pilot.press("down")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard.startswith("“South Korea OccupationPoet, intelligence officer")
        assert app.clipboard.endswith("” “Jang Jin-sung,” Wikipedia, ¶¶ 2–4.")
        assert last_toast(app)[1].startswith(f"Selection · ¶¶ 2–4 · {len(app.clipboard)} chars\n")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CitationDialog) and app.screen.text == app.clipboard


@run_async
async def test_the_side_panel_cites_its_highlighted_mention(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(app))
        await pilot.press("enter")  # to the cross-references of Kim Jong Un
        await settle(pilot)
        panel = app.panel
        assert app.focused is panel and panel.highlighted_mention == app.reader.current_mention
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == f"“{SENTENCE}” {SOURCE}"
        # On a document heading there is nothing to cite: a hint, the clipboard unchanged.
        await pilot.press("home")
        await settle(pilot)
        assert panel.highlighted_mention is None
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == f"“{SENTENCE}” {SOURCE}"
        assert last_toast(app)[1] == "Highlight a mention in the list to cite it"
        # Another document's mention, without going there.
        await pilot.press("home", "down", "down")  # the document heading, its first mention, the second
        await settle(pilot)
        mention = panel.highlighted_mention
        assert mention is not None and mention.doc == D1
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == (
            "“Recently, we heard from the North the perpetrator that assassinated Kim Jong-nam, the "
            "half-brother of Kim Jong-un, was imprisoned.” Kimikatsu Kinoshita, “Growing Anti-Kim "
            "Jong-un Sentiment in the North,” ¶ 11."
        )
        await pilot.press("Y")
        await settle(pilot)
        paragraph = app.clipboard  # ¶ 11 of seed 001 ends with the sentence above
        assert paragraph.startswith("“Many in North Korea’s political prison camps are said to be")
        assert paragraph.endswith(
            "half-brother of Kim Jong-un, was imprisoned.” Kimikatsu Kinoshita, "
            "“Growing Anti-Kim Jong-un Sentiment in the North,” ¶ 11."
        )
        assert app.reader.current_doc is not None and app.reader.current_doc.id == D2  # nobody moved


@run_async
async def test_a_failing_local_clipboard_never_hides_the_osc52_copy(seeds, state_dir, monkeypatch) -> None:
    monkeypatch.setenv("DISPLAY", ":99")  # looks like a desktop, but pyperclip fails

    def broken(text: str) -> None:
        raise pyperclip.PyperclipException(
            "Pyperclip could not find a copy/paste mechanism for your system. For more information, ..."
        )

    monkeypatch.setattr(pyperclip, "copy", broken)
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(app))
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == f"“{SENTENCE}” {SOURCE}"
        title, message = last_toast(app)
        assert title == "Copied Chicago citation"
        assert message.endswith(
            "Terminal clipboard: sent (OSC 52)\nLocal clipboard: no copy tool (install xclip, xsel or wl-clipboard)"
        )

        # Not even installed: the same.
        monkeypatch.setitem(sys.modules, "pyperclip", None)
        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard == f"“{PARAGRAPH}” {SOURCE}"
        assert "Local clipboard: pyperclip is not installed" in last_toast(app)[1]


@run_async
async def test_a_local_clipboard_gets_the_same_text(seeds, state_dir, monkeypatch, no_local_clipboard) -> None:
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(app))
        await pilot.press("y")
        await settle(pilot)
        assert no_local_clipboard == [app.clipboard]
        assert last_toast(app)[1].endswith("Terminal clipboard: sent (OSC 52)\nLocal clipboard: copied")


@run_async
async def test_over_ssh_only_osc52_is_used(seeds, state_dir, monkeypatch, no_local_clipboard) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(app))
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == f"“{SENTENCE}” {SOURCE}"
        assert no_local_clipboard == []  # pyperclip was not even tried
        assert "Local clipboard: none over SSH" in last_toast(app)[1]


@run_async
async def test_an_unwritable_config_folder_keeps_the_style_for_the_session(seeds, state_dir, tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")  # a file where the folder should be: fails even as root
    app = make_app(seeds, state_dir, blocker / "xref")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(app))
        app.set_citation_style("mla")
        await settle(pilot)
        title, message = last_toast(app)
        assert message.startswith("Citation style: MLA for this session (not saved:")
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard.startswith(f"“{SENTENCE}” (par. 12) Jin Ju-dong.")


def test_a_corrupt_config_falls_back_to_chicago(seeds, state_dir, tmp_path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.json").write_text('{"citation_style": "vancouver", "other": 1}', encoding="utf-8")
    app = make_app(seeds, state_dir, config)
    assert app.citation_style == "chicago"
    (config / "config.json").write_text("{not json", encoding="utf-8")
    assert make_app(seeds, state_dir, config).citation_style == "chicago"


@run_async
async def test_the_last_citation_dialog_shows_plain_text_and_saves_it(seeds, state_dir, tmp_path) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(app))
        await pilot.press("c")  # nothing copied yet: a hint, no dialog
        await settle(pilot)
        assert not isinstance(app.screen, CitationDialog)
        assert "Nothing copied yet" in last_toast(app)[1]
        await pilot.press("Y", "c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CitationDialog)
        assert dialog.text == app.clipboard == f"“{PARAGRAPH}” {SOURCE}"

        # A folder that does not exist: reported, the dialog stays.
        field = dialog.query_one("#citation-path")
        field.value = str(tmp_path / "missing" / "c.txt")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        title, message = last_toast(app)
        assert title == "Not saved" and "No such file or directory" in message

        target = tmp_path / "citation.txt"
        field.value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert target.read_text(encoding="utf-8") == app.clipboard + "\n"
        assert not isinstance(app.screen, CitationDialog)
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left

        # A file that exists is replaced only by a second save.
        target.write_text("earlier citations\n", encoding="utf-8")
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CitationDialog)
        dialog.query_one("#citation-path").value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and target.read_text(encoding="utf-8") == "earlier citations\n"
        title, message = last_toast(app)
        assert title == "Not saved yet" and "save again to replace it" in message
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert target.read_text(encoding="utf-8") == app.clipboard + "\n"
        assert not isinstance(app.screen, CitationDialog)


def key_bar_shown(app: XrefApp) -> str:
    """The key bar on the bottom line, as the screen on top shows it."""
    widget, _ = app.screen.get_widget_at(1, app.size.height - 1)
    assert isinstance(widget, KeyBar) and widget.screen is app.screen
    return widget.plain


@run_async
async def test_the_citation_dialogs_show_their_own_keys(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 24)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(app))
        assert "y Y Cite" in key_bar_shown(app)
        await pilot.press("y", "c")
        await settle(pilot)
        assert isinstance(app.screen, CitationDialog)
        shown = key_bar_shown(app)  # not the reader's keys, which do nothing here
        assert shown.split() == ["esc", "Close", "^s", "Save", "to", "file", "^p", "palette"], shown
        app.screen.query_one("#citation-path").focus()
        await settle(pilot)
        assert "^s Save to file" in key_bar_shown(app)
        await pilot.press("escape", "s")
        await settle(pilot)
        assert isinstance(app.screen, StylePicker)
        assert key_bar_shown(app).split() == ["esc", "Close", "^p", "palette"]


@run_async
async def test_document_text_is_never_markup_in_the_notification(tmp_path, state_dir) -> None:
    ws = small_workspace(tmp_path / "corpus", {
        "hostile.txt": "[b]Markup[/b] title\n\nThe [/x] closing tag and [bold red]styles[/] stay as written here.\n",
    })
    app = make_app(ws, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        doc = ws.index.document("hostile.txt")
        await open_doc(pilot, doc.id, doc.text.index("closing"))
        await pilot.press("y")
        await settle(pilot)
        assert "“The [/x] closing tag and [bold red]styles[/] stay as written here.”" in app.clipboard
        assert "[/x] closing tag" in last_toast(app)[1]
        assert app.is_running


@run_async
async def test_a_markdown_document_is_quoted_without_its_markup(tmp_path, state_dir) -> None:
    ws = small_workspace(tmp_path / "corpus", {
        "kim.md": "# Kim history\n\nKim Il-sung founded **North Korea**. It is [the *DPRK*](https://x.org/dprk).\n",
    })
    app = make_app(ws, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        doc = ws.index.document("kim.md")
        await open_doc(pilot, doc.id, doc.text.index("founded"))
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "“Kim Il-sung founded North Korea.” “Kim history,” ¶ 2."
        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard == "“Kim Il-sung founded North Korea. It is the DPRK.” “Kim history,” ¶ 2."
        assert "“Kim Il-sung founded North Korea.…”" in last_toast(app)[1]


@run_async
async def test_help_lists_the_citation_keys(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_doc(pilot, D2)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        for binding_id in ("reader.cite", "reader.cite_paragraph", "reader.select", "reader.clear_selection",
                           "panel.cite", "panel.cite_paragraph", "app.citation_style", "app.last_citation",
                           "citation.save"):
            assert binding_id in text, binding_id


@run_async
async def test_cite_keys_can_be_remapped(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    app.set_keymap({"reader.cite": "x"})
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D2, kim_jong_un_offset(app))
        await pilot.press("x")
        await settle(pilot)
        assert app.clipboard == f"“{SENTENCE}” {SOURCE}"


# -- delivery, without an app ---------------------------------------------------------------


class FakeApp:
    def __init__(self, fail: bool = False) -> None:
        self.clipboard = ""
        self.fail = fail

    def copy_to_clipboard(self, text: str) -> None:
        self.clipboard = text
        if self.fail:
            raise OSError("terminal gone")


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({}, "linux", "none (no display)"),
        ({"DISPLAY": ":0"}, "linux", None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", None),
        ({"SSH_CONNECTION": "a b c d"}, "linux", "none over SSH"),
        ({"SSH_TTY": "/dev/pts/1"}, "linux", "none over SSH"),
        ({"SSH_TTY": "/dev/pts/1", "DISPLAY": "localhost:10.0"}, "linux", None),  # X forwarding
        ({"SSH_TTY": "/dev/pts/1"}, "darwin", None),
        ({}, "win32", None),
        ({"WSL_DISTRO_NAME": "Ubuntu"}, "linux", None),
        ({"DISPLAY": ":0", "XREF_NO_LOCAL_CLIPBOARD": "1"}, "linux", "off (XREF_NO_LOCAL_CLIPBOARD)"),
    ],
)
def test_when_a_local_clipboard_is_tried(environ, platform, expected) -> None:
    assert local_clipboard_unavailable(environ, platform) == expected


def test_deliver_reports_each_route() -> None:
    app = FakeApp()
    calls: list[str] = []
    report = deliver(app, "quote", environ={"DISPLAY": ":0"}, platform="linux", local_copy=calls.append)
    assert app.clipboard == "quote" and calls == ["quote"]
    assert report == DeliveryReport(5, True, "", True, "")
    assert report.describe() == "Terminal clipboard: sent (OSC 52) · Local clipboard: copied"

    def boom(text: str) -> None:
        raise RuntimeError("clipboard owner died")

    report = deliver(FakeApp(fail=True), "q", environ={"DISPLAY": ":0"}, platform="linux", local_copy=boom)
    assert not report.terminal and not report.local
    assert report.describe() == (
        "Terminal clipboard: failed (OSError) · Local clipboard: failed (RuntimeError: clipboard owner died)"
    )
    big = deliver(FakeApp(), "x" * 200_000, environ={}, platform="linux")
    assert "some terminals ignore copies this big" in big.describe()


def test_a_hung_clipboard_helper_times_out() -> None:
    started = time.monotonic()
    assert copy_locally("q", lambda text: time.sleep(5), timeout=0.2) == "timed out after 0.2 s"
    assert time.monotonic() - started < 2


def test_config_keeps_unknown_keys(tmp_path: Path) -> None:
    from tui.config import ConfigStore

    store = ConfigStore(tmp_path / "cfg")
    (tmp_path / "cfg").mkdir()
    store.path.write_text('{"future": [1, 2]}', encoding="utf-8")
    assert store.set("citation_style", "apa") is None
    assert json.loads(store.path.read_text(encoding="utf-8")) == {"future": [1, 2], "citation_style": "apa"}
    assert [p.name for p in (tmp_path / "cfg").iterdir()] == ["config.json"]

