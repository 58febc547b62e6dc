"""The app shell: layout at each size, focus, documents pane, quitting, saved state,
problems, help."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tests.tui.conftest import SEED_IDS, run_async
from tests.tui.helpers import make_app, open_doc, settle
from tui.app import XrefApp
from tui.doclist import DocumentList
from tui.filterlist import FilterInput
from tui.help import HelpScreen
from tui.panel import MentionPanel
from tui.problems import ProblemsScreen
from tui.reader import Reader
from tui.state import StateStore
from xref.engine import open_workspace
from xref.model import Problem

D0, D1, D2, D3 = SEED_IDS


@run_async
async def test_layout_80x24_keeps_the_reader_wide_and_160x48_shows_three_panes(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # First visit: the documents list is shown, even when narrow, with the
        # keys in the reader...
        docs = app.query_one(DocumentList)
        assert docs.display and app.reader.has_focus
        assert app.reader.region.width >= 50
        await pilot.press("shift+tab")  # ...one key from the list's filter...
        assert app.focused is docs.filter_input
        await pilot.press("enter")  # ...and opening a document collapses it.
        await settle(pilot)
        assert not docs.display and app.reader.has_focus
        reader, panel = app.reader.region, app.panel.region
        assert reader.width >= 76 and panel.width >= 76
        assert panel.y > reader.y  # the side panel is stacked below the reader
        assert reader.height >= 8 and panel.height >= 5
        await pilot.press("d")  # the documents list comes back on demand...
        assert docs.display and docs.filter_input.has_focus
        assert app.reader.region.width >= 50
        await pilot.press("escape")  # ...and goes again.
        assert not docs.display and app.reader.has_focus
        await pilot.press("p")  # the panel can make room for the text
        await settle(pilot)
        assert not app.query_one("#side").display and app.reader.region.height > reader.height
        await pilot.press("p")
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        docs_r, reader_r, panel_r = docs.region, app.reader.region, app.panel.region
        assert docs.display and docs_r.width > 20
        assert docs_r.right <= reader_r.x and reader_r.right <= panel_r.x  # side by side
        assert reader_r.width >= 60 and panel_r.width >= 40
        assert reader_r.height > 35


@run_async
async def test_first_visit_keys_reach_the_reader(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        docs = app.query_one(DocumentList)
        assert docs.display and not docs.filter_input.value
        first = app.reader.current_doc.id
        await pilot.press("n")
        mentions = app.index.doc_mentions(first)
        assert app.reader.cursor_offset == next(m.start for m in mentions if m.start > 0)
        assert not docs.filter_input.value  # nothing was typed into the list's filter
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


@run_async
async def test_a_hidden_pane_never_keeps_the_keys(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        docs = app.query_one(DocumentList)
        await pilot.press("d", "d")  # hidden, then shown again: its filter has the keys
        await settle(pilot)
        assert docs.display and docs.filter_input.has_focus
        # Crossing the width breakpoint resets the panes: the list goes, and so must the focus.
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        await pilot.resize_terminal(120, 35)
        await settle(pilot)
        assert not docs.display and app.reader.has_focus
        offset = app.reader.cursor_offset
        await pilot.press("n")
        assert app.reader.cursor_offset != offset and not docs.filter_input.value
        # A dialog closing gives the focus back, but not to a pane hidden meanwhile.
        await pilot.press("d")
        await settle(pilot)
        assert docs.filter_input.has_focus
        app.action_help()
        await settle(pilot)
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        await pilot.resize_terminal(120, 35)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
        assert not docs.display and app.reader.has_focus


@run_async
async def test_tiny_terminals_do_not_crash(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(20, 5)) as pilot:
        await open_doc(pilot, D1)
        await pilot.press("n", "n", "down", "G", "tab", "j", "enter")
        for size in [(10, 3), (1, 1), (200, 60), (80, 24), (20, 5)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        await pilot.press("escape", "e")
        await settle(pilot)
        await pilot.press("escape")
        assert app.is_running


@run_async
async def test_tab_cycles_focus_between_the_panes(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        docs = app.query_one(DocumentList)
        assert isinstance(app.focused, Reader)
        await pilot.press("tab")
        assert isinstance(app.focused, MentionPanel)
        await pilot.press("tab")
        assert app.focused is docs.filter_input
        await pilot.press("tab")
        assert isinstance(app.focused, Reader)
        await pilot.press("shift+tab")
        assert app.focused is docs.filter_input
        await pilot.press("shift+tab")
        assert isinstance(app.focused, MentionPanel)


@run_async
async def test_documents_pane_lists_metadata_and_filters_as_you_type(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        docs = app.query_one(DocumentList)
        assert docs.shown_ids == list(SEED_IDS)
        listing = "\n".join(r.render(60, docs.row_list.palette).plain for r in docs.row_list.rows)
        assert "Ask A North Korean" in listing and "Jin Ju-dong · 2024-01-17" in listing
        count = len(seeds.index.doc_mentions(D2))
        assert f"{count} names" in listing
        docs.focus_filter()
        await pilot.press(*"mind")
        assert docs.shown_ids == [D3]
        await pilot.press("enter")
        await settle(pilot)
        assert app.reader.current_doc.id == D3 and app.reader.has_focus
        # Filtering by author; arrows move the highlight from the field.
        docs.focus_filter()
        docs.filter_input.value = ""
        await pilot.press(*"kino")
        assert docs.shown_ids == [D1]
        docs.filter_input.value = ""
        await settle(pilot)
        # The highlight starts on the open document (▶); arrows move it.
        await pilot.press("up", "up", "down", "up", "enter")
        await settle(pilot)
        assert app.reader.current_doc.id == D1


@run_async
async def test_q_quits_and_the_position_is_restored_next_time(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D2)
        await pilot.press("G", "N")  # the last name, far down the document
        offset = app.reader.cursor_offset
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running
    assert (state_dir / "state.json").exists()

    again = make_app(seeds, state_dir)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.reader.current_doc.id == D2
        assert again.reader.cursor_offset == offset
        # ...and in view, not at the top of the document.
        assert 0 < again.reader.scroll_y <= again.reader.cursor_row < again.reader.scroll_y + again.reader.size.height
        panel = again.panel  # the side panel shows the restored mention, scrolled into view
        assert panel.current_mention == again.reader.current_mention is not None
        assert panel.scroll_y <= panel.cursor < panel.scroll_y + panel.size.height
        assert again.reader.has_focus
        await pilot.press("n")
        moved = again.reader.cursor_offset
        await pilot.press("e")  # quitting from a modal screen still saves
        await settle(pilot)
        await pilot.press("ctrl+c")  # also quits, cleanly
        await pilot.pause()
    assert again.return_code == 0
    assert StateStore(state_dir).load(seeds.root) == (D2, moved)


@run_async
async def test_an_empty_corpus_says_so(tmp_path, state_dir) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    (root / "blank.txt").write_text("")
    ws = open_workspace([root], use_user_kb=False)
    app = XrefApp(workspace=ws, state_dir=state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = ["".join(s.text for s in app.reader.render_line(y)) for y in range(4)]
        assert any("No document could be read: 1 file had problems" in line for line in lines), lines
        await pilot.press("tab", "n", "right_square_bracket", "b", "e")
        await settle(pilot)
        await pilot.press("escape", "q")
    assert app.return_code == 0
    # A folder with nothing xref reads says where it looked, and what it left out.
    (root / "blank.txt").unlink()
    (root / "scan.pdf").write_bytes(b"%PDF-1.4")
    ws = open_workspace([root], use_user_kb=False)
    app = XrefApp(workspace=ws, state_dir=state_dir)
    async with app.run_test(size=(200, 24)) as pilot:
        await settle(pilot)
        lines = ["".join(s.text for s in app.reader.render_line(y)).strip() for y in range(6)]
        assert "No .txt, .md or .html files in" in lines and str(root.resolve()) in lines, lines
        assert "(1 file of other types left out)" in lines


@run_async
async def test_unwritable_state_dir_is_harmless(seeds, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    app = XrefApp(workspace=seeds, state_dir=blocker / "state")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D1)
        await pilot.press("q")
    assert app.return_code == 0


def problem_corpus(root: Path) -> Path:
    root.mkdir()
    (root / "good.txt").write_text("Kim Jong Un visited Pyongyang.\n")
    (root / "empty.txt").write_text("")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (root / "[red]odd[b].txt").write_text("")
    return root


@run_async
async def test_load_problems_are_announced_and_listed(tmp_path, state_dir) -> None:
    ws = open_workspace([problem_corpus(tmp_path / "c")], use_user_kb=False)
    assert len(ws.problems) >= 3
    app = XrefApp(workspace=ws, state_dir=state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]  # noqa: SLF001
        assert any(f"{len(ws.problems)} files had problems" in str(m) for m in messages)
        app.reader.focus()
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert app.screen.listed == ws.problems
        text = "\n".join(
            r.render(100, None).plain for r in app.screen.query_one("#problem-rows").rows  # type: ignore[attr-defined]
        )
        assert "binary.txt" in text and "binary file" in text
        assert "[red]odd[b].txt" in text  # a file name with markup, shown literally
        await pilot.press("escape")
        assert not isinstance(app.screen, ProblemsScreen)


@run_async
async def test_keymap_problems_are_announced_and_listed(seeds, state_dir, tmp_path) -> None:
    from tui.keymap import load_keymap

    path = tmp_path / "keymap.json"
    path.write_text('{"app.quit": "x",')
    app = make_app(seeds, state_dir)
    keymap, app.setting_problems = load_keymap(path)
    assert keymap == {} and len(app.setting_problems) == 1
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]  # noqa: SLF001
        assert any("1 problem with files or settings (keymap.json)" in m for m in messages), messages
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert app.screen.listed == app.setting_problems
        text = "\n".join(
            r.render(100, None).plain for r in app.screen.query_one("#problem-rows").rows  # type: ignore[attr-defined]
        )
        assert str(path) in text and "not valid JSON" in text
        # The reason is wrapped to the dialog, not cut: the JSON error's position can be read.
        rows = app.screen.query_one("#problem-rows")
        width = rows.scrollable_content_region.width
        reason = app.setting_problems[0].reason
        assert len(reason) + 8 > width  # too long for one line here
        lines = [r.render(width, None).plain for r in rows.rows[1:]]  # type: ignore[attr-defined]
        assert len(lines) > 1 and all(len(line) <= width for line in lines)
        assert " ".join(line.strip() for line in lines) == reason


@run_async
async def test_the_readme_keymap_keeps_n_for_search_hits_and_the_key_bar_keeps_its_pairs(seeds, state_dir) -> None:
    from tui.keybar import KeyBar

    app = make_app(seeds, state_dir)
    # The README's example, plus remaps that used to move keys out of their pairs.
    app.set_keymap({"reader.next_mention": "n,ctrl+n", "app.back": "B", "app.entities": "E"})
    async with app.run_test(size=(160, 40)) as pilot:
        await open_doc(pilot, D0)
        bar = app.query_one(KeyBar).plain
        assert " n N Name " in bar and " B f Back/fwd " in bar and " E Entities " in bar, bar
        assert bar.index("n N Name") < bar.index("B f Back/fwd") < bar.index("E Entities"), bar
        await pilot.press("slash", *"Korea", "enter")
        await settle(pilot)
        hits = [start for start, _ in app.reader.search_hits]
        first = app.reader.cursor_offset
        assert app.reader.search_active and first in hits
        await pilot.press("n", "n")
        assert app.reader.cursor_offset == hits[(hits.index(first) + 2) % len(hits)]
        await pilot.press("escape", "ctrl+n")  # the search ended: n and ctrl+n go to names again
        assert app.reader.current_mention is not None


@run_async
async def test_problems_passed_in_with_the_workspace(seeds, state_dir) -> None:
    ws = dataclasses.replace(seeds, problems=[Problem("x/[b]bad[/b].pdf", "unsupported file type '.pdf'")])
    app = XrefApp(workspace=ws, state_dir=state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot, D0)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert app.screen.listed == ws.problems  # type: ignore[attr-defined]


@run_async
async def test_help_lists_every_binding_of_every_pane(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    app.set_keymap({"app.entities": "E"})  # a remapped key shows as remapped
    async with app.run_test(size=(100, 40)) as pilot:
        await open_doc(pilot, D0)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        for key, what in [
            ("n", "Next name"), ("N", "Previous name"), ("n", "Next search hit"), ("/", "Search in this document"),
            ("]", "Next mention of this name"), ("[", "Previous mention of this name"), ("b", "Back"),
            ("alt+←", "Back"), ("f", "Forward"), ("g", "Top"), ("G", "Bottom"), ("d", "documents list"),
            ("p", "cross-references panel"), ("!", "could not be loaded"), ("q", "Quit"), ("?", "Every key"),
            ("⏎", "Open"), ("tab", "Next pane"), ("^p", "Command palette"),
        ]:
            assert key in text and what in text, (key, what)
        assert "E " in text and "app.entities" in text
        await pilot.press("escape")
        await pilot.press("E")
        await settle(pilot)
        assert type(app.screen).__name__ == "EntityIndexScreen"


async def open_help(app, pilot):
    """Opens the first seed and then the key help (``?``); its rows widget."""
    await open_doc(pilot, D0)
    await pilot.press("question_mark")
    await settle(pilot)
    return app.screen.query_one("#help-rows")


@run_async
async def test_help_wraps_long_descriptions_instead_of_cutting_them(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        rows = await open_help(app, pilot)
        width = rows.scrollable_content_region.width
        lines = [row.render(width, rows.palette).plain.rstrip() for row in rows.rows]
        assert max(map(len, lines)) <= width
        assert not any(line.endswith("…") for line in lines)
        # Every description is there whole, its lines joined.
        flowing = " ".join(" ".join(lines).split())
        for description in ("Search the whole corpus: every document, best matches first app.corpus_search",
                            "Next mention of this name, in any document app.next_same"):
            assert description in flowing
        # A continuation line starts under the description, not under the key.
        i = next(i for i, line in enumerate(lines) if line.lstrip().startswith("F "))
        column = lines[i].index("Search")
        assert lines[i + 1][:column].strip() == "" and lines[i + 1][column] != " "


@run_async
async def test_the_title_strip_of_the_pane_with_the_keys_is_lit_and_follows_the_focus(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(140, 30)) as pilot:
        await open_doc(pilot, D0)
        await settle(pilot)
        strips = {
            "reader": app.query_one("DocHeader"),
            "panel": app.query_one("EntityTitle"),
            "documents": app.query_one(DocumentList).filter_input,
        }
        lit = set()
        for _ in range(3):
            focused = app.focused
            owner = next(name for name, pane in (("reader", "#reader-pane"), ("panel", "#side"), ("documents", "#documents"))
                         if app.query_one(pane) in focused.ancestors_with_self)
            backgrounds = {name: strip.styles.background for name, strip in strips.items()}
            others = {backgrounds[name] for name in strips if name != owner}
            assert len(others) == 1 and backgrounds[owner] not in others, (owner, backgrounds)
            lit.add(owner)
            await pilot.press("tab")
            await settle(pilot)
        assert lit == set(strips)


@run_async
async def test_loading_in_a_worker_from_paths(tmp_path, state_dir) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("Kim Jong Un visited Pyongyang with Kim Yo-jong.\n")
    app = XrefApp(paths=[root], state_dir=state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert app.workspace is not None and app.loading_state != "loading"
        assert app.reader.current_doc.id == "a.txt"
        app.reader.focus()
        await pilot.press("n")
        assert app.panel.entity is not None


@run_async
async def test_keys_typed_while_the_corpus_loads_reach_the_reader_once_it_is_shown(
    tmp_path, state_dir, monkeypatch
) -> None:
    import threading

    import xref.engine

    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("Kim Jong Un visited Pyongyang.\n\nKim Yo-jong went to Seoul.\n")
    release = threading.Event()
    real_open = xref.engine.open_workspace

    def slow_open(*args, **kwargs):
        release.wait(10)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(xref.engine, "open_workspace", slow_open)
    app = XrefApp(paths=[root], state_dir=state_dir, config_dir=tmp_path / "config")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.loading_state == "loading"
        assert not isinstance(app.focused, FilterInput)  # never the documents list's filter
        await pilot.press("n", "n", "n", "question_mark")  # three for the reader, one for the app
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)  # the app's own keys work at once
        await pilot.press("escape")
        release.set()
        await settle(pilot)
        assert app.reader.current_doc is not None and app.reader.current_doc.id == "a.txt"
        assert not app.query_one(DocumentList).filter_input.value
        names = [m.start for m in app.index.doc_mentions("a.txt")]
        assert names[0] == 0 and len(names) >= 4
        assert app.reader.cursor_offset == names[3]  # n three times from the first name


@run_async
async def test_restored_mention_is_in_view_in_the_side_panel(seeds, state_dir) -> None:
    # An entity named in several documents, restored to a mention far down its list.
    target = [m for m in seeds.index.mentions_of("kim-jong-un") if m.doc == D2][5]
    StateStore(state_dir).save(seeds.root, target.doc, target.start)
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        panel = app.panel
        assert panel.current_mention == target
        assert panel.cursor > panel.size.height  # below the first screenful...
        assert panel.scroll_y <= panel.cursor < panel.scroll_y + panel.size.height  # ...yet shown


async def _subtitle(pilot, key: str, box: str) -> str:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    await settle(pilot)
    subtitle = str(pilot.app.screen.query_one(box).border_subtitle)
    await pilot.press("escape")
    await settle(pilot)
    return subtitle


# Escape stays bound in the remap too (the screens' own bindings), so the dialogs still close with it.
REMAP = {"help.close": "ctrl+w,escape", "filter.open": "ctrl+o", "filter.close": "ctrl+x,escape",
         "corpus_search.go": "ctrl+g", "style.close": "ctrl+z,escape"}


@run_async
async def test_border_key_hints_follow_the_keymap(seeds, state_dir) -> None:
    boxes = [("question_mark", "#help-box"), ("e", "#entity-box"), ("F", "#corpus-search-box"), ("s", "#style-box")]
    for keymap, expected in [
        ({}, ["↑↓ scroll · esc close",
              "type to filter · ↑↓ move · ⏎ open · esc close",
              "type to search · ↑↓ move · ⏎ go to the hit · esc close",
              "↑↓ move · ⏎ choose · esc cancel"]),
        (REMAP, ["↑↓ scroll · ^w close",
                 "type to filter · ↑↓ move · ^o open · ^x close",
                 "type to search · ↑↓ move · ^g go to the hit · ^x close",
                 "↑↓ move · ⏎ choose · ^z cancel"]),
    ]:
        app = make_app(seeds, state_dir)
        app.set_keymap(keymap)
        async with app.run_test(size=(100, 40)) as pilot:
            await open_doc(pilot, D0)
            shown = [await _subtitle(pilot, key, box) for key, box in boxes]
        assert shown == expected, keymap


@run_async
async def test_the_app_sets_what_is_loaded_aside_from_garbage_collection_once_per_process(
    seeds, state_dir, monkeypatch
) -> None:
    import tui.app as app_module

    frozen: list[int] = []
    state = {"count": 0}

    class FakeGC:
        @staticmethod
        def get_freeze_count() -> int:
            return state["count"]

        @staticmethod
        def freeze() -> None:
            frozen.append(1)
            state["count"] = 1000

    monkeypatch.setattr(app_module, "gc", FakeGC)
    for _ in range(2):
        app = make_app(seeds, state_dir)
        async with app.run_test(size=(100, 40)) as pilot:
            await open_doc(pilot, D0)
    # Frozen by the first app; the second finds objects already set aside and
    # leaves the collector alone (its own garbage stays collectable).
    assert frozen == [1]


@run_async
async def test_the_first_screen_is_styled_once_not_again_for_its_breakpoints(seeds, state_dir, monkeypatch) -> None:
    from textual.app import App
    from textual.screen import Screen

    whole_screen: list[int] = []  # children of the screen at each restyle of it
    original = App.update_styles

    def counting(self, node, animate=True):  # type: ignore[no-untyped-def]
        if isinstance(node, Screen):
            whole_screen.append(len(node.children))
        return original(self, node, animate=animate)

    monkeypatch.setattr(App, "update_styles", counting)
    for size, classes in (((100, 40), {"-narrow", "-tall"}), ((160, 20), {"-wide", "-short"})):
        whole_screen.clear()
        app = make_app(seeds, state_dir)
        async with app.run_test(size=size) as pilot:
            await open_doc(pilot, D0)
            assert classes <= app.screen.classes
            # Textual restyles the whole screen when it is first shown; the
            # breakpoint classes were set while it was empty, so not again.
            assert len([n for n in whole_screen if n > 0]) == 1, whole_screen


def test_the_reader_opens_on_a_path_it_may_not_look_into_and_the_loader_says_why(
    tmp_path, monkeypatch, lock_folder
) -> None:
    import io

    import pytest

    import tui.app as app_module

    class Started(Exception):
        pass

    def fake_app(paths, **kwargs):
        raise Started(paths)

    monkeypatch.setattr(app_module, "XrefApp", fake_app)
    inside = tmp_path / "locked" / "in.txt"
    inside.parent.mkdir()
    inside.write_text("Kim Jong-il", encoding="utf-8")
    lock_folder(inside.parent)
    with pytest.raises(Started):  # past the checks: the loader reports it like any other problem
        app_module.run([inside], err=io.StringIO())
    err = io.StringIO()
    assert app_module.run([tmp_path / "nope"], err=err) == 1
    assert err.getvalue() == f"xref: {tmp_path / 'nope'}: no such file or folder\n"


def test_a_kb_file_named_that_cannot_be_used_stops_the_reader_before_it_starts(tmp_path, monkeypatch) -> None:
    import io

    import tui.app as app_module

    started = []
    monkeypatch.setattr(app_module, "XrefApp", lambda paths, **kwargs: started.append(paths))
    doc = tmp_path / "a.txt"
    doc.write_text("Kim Jong-il", encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[entity]\nname = 'x'\n", encoding="utf-8")
    for kb, reason in ((tmp_path / "nope.toml", "knowledge-base file not found"), (bad, "line 1: invalid TOML: ")):
        err = io.StringIO()
        assert app_module.run([doc], kb_path=kb, err=err) == 2
        assert err.getvalue().startswith(f"xref: --kb {kb}: {reason}"), err.getvalue()
        assert len(err.getvalue().splitlines()) == 1
    assert started == []


@run_async
async def test_after_a_resize_the_side_panel_shows_its_header_when_there_is_room(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.panel
        assert panel.scroll_y > 0 and panel.cursor is not None  # small: scrolled to the mention
        await pilot.resize_terminal(200, 60)
        await settle(pilot)
        assert panel.cursor < panel.scrollable_content_region.height - 2  # it fits under the header
        assert panel.scroll_y == 0
        assert panel.highlighted_mention is not None


@run_async
async def test_home_and_end_in_the_help(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        rows = await open_help(app, pilot)
        assert rows.scroll_y == 0 and rows.max_scroll_y > 0
        await pilot.press("end")
        await settle(pilot)
        assert rows.scroll_y == rows.max_scroll_y
        await pilot.press("home")
        await settle(pilot)
        assert rows.scroll_y == 0


@run_async
async def test_dialogs_with_one_field_do_not_offer_tab(seeds, state_dir) -> None:
    from tui.keybar import KeyBar

    app = make_app(seeds, state_dir)
    async with app.run_test(size=(140, 30)) as pilot:
        await open_doc(pilot, D0)
        for key in ("e", "F"):
            await pilot.press(key)
            await settle(pilot)
            bar, _ = app.screen.get_widget_at(1, app.size.height - 1)
            assert isinstance(bar, KeyBar) and "esc Close" in bar.plain
            assert "tab" not in bar.plain, bar.plain  # nowhere for it to go
            await pilot.press("escape")
            await settle(pilot)
        app.documents.focus_filter()  # on the main screen the panes take turns
        await settle(pilot)
        bar = app.query_one(KeyBar)
        assert "tab Next pane" in bar.plain, bar.plain


@run_async
async def test_without_colour_the_lit_title_strip_is_reversed(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    app.no_color = True  # as NO_COLOR in the environment sets it
    async with app.run_test(size=(140, 30)) as pilot:
        await open_doc(pilot, D0)
        await settle(pilot)
        header, title = app.query_one("DocHeader"), app.query_one("EntityTitle")
        assert header.styles.text_style.reverse and not title.styles.text_style.reverse
        await pilot.press("tab")
        await settle(pilot)
        assert title.styles.text_style.reverse and not header.styles.text_style.reverse
