"""The reader pane: cursor keys, n/N, g/G, search, untrusted text."""

from __future__ import annotations

from pathlib import Path

from tests.tui.conftest import SEED_IDS, run_async
from tests.tui.helpers import make_app, open_doc, palette_prompts, settle, small_workspace
from tui.app import XrefApp
from tui.reader import Reader
from xref.corpus import Corpus
from xref.engine import Workspace, open_workspace
from xref.index import CorpusIndex
from xref.model import Document, Mention
from xref.recognise import DocResult

DOC = SEED_IDS[2]  # "Ask A North Korean" (names Kim Jong Un)


@run_async
async def test_n_and_shift_n_step_through_the_names_of_the_document(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_doc(pilot, DOC)
        mentions = seeds.index.doc_mentions(DOC)
        reader = app.reader
        assert reader.has_focus
        visited = []
        for _ in range(3):
            await pilot.press("n")
            visited.append(reader.cursor_offset)
        expected = [m.start for m in mentions if m.start > 0][:3]
        assert visited == expected
        assert reader.current_mention == mentions[[m.start for m in mentions].index(expected[-1])]
        await pilot.press("N")
        assert reader.cursor_offset == expected[1]
        # The side panel follows at once: it shows the entity under the cursor, marked.
        await settle(pilot)
        assert app.panel.current_mention == reader.current_mention
        assert app.panel.entity is not None and app.panel.entity.id == reader.current_mention.entity


@run_async
async def test_cursor_keys_and_g_G(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, DOC)
        reader = app.reader
        text = seeds.index.document(DOC).text
        await pilot.press("right", "right", "l")
        assert reader.cursor_offset == 3
        await pilot.press("left", "h")
        assert reader.cursor_offset == 1
        await pilot.press("down")
        assert reader.cursor_row == 1
        await pilot.press("j", "k")
        assert reader.cursor_row == 1
        await pilot.press("end")
        row_start, row_stop = reader._wrap.span(reader.cursor_row)  # noqa: SLF001
        assert reader.cursor_offset == row_stop - 1
        await pilot.press("home")
        assert reader.cursor_offset == row_start
        await pilot.press("G")
        assert reader.cursor_offset == len(text) - 1
        assert reader.scroll_y == reader.max_scroll_y > 0
        await pilot.press("g")
        assert reader.cursor_offset == 0
        assert reader.scroll_y == 0
        await pilot.press("pagedown")
        assert reader.cursor_row > 10
        await pilot.press("pageup")
        assert reader.cursor_row == 0


def _next_word_start(text: str, offset: int) -> int:
    """The first letter or digit after ``offset`` that starts a word (or ``offset``)."""
    for i in range(offset + 1, len(text)):
        if text[i].isalnum() and not text[i - 1].isalnum():
            return i
    return offset


@run_async
async def test_w_goes_to_the_start_of_the_next_word_from_anywhere(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, DOC)
        reader = app.reader
        text = seeds.index.document(DOC).text
        # Inside a word, on its first letter, on a space, on punctuation, on a line break.
        starts = [i for i in range(1, 3000) if text[i].isalnum() and not text[i - 1].isalnum()]
        places = {
            "word start": starts[5],
            "inside a word": starts[7] + 1,
            "space": next(i for i in range(starts[9], len(text)) if text[i] == " "),
            "punctuation": next(i for i in range(len(text)) if text[i] in ",.?!" and i > 100),
            "line end": next(i for i in range(len(text)) if text[i] == "\n" and i > 100) - 1,
        }
        for where, offset in places.items():
            for key in ("w", "ctrl+right"):
                reader.move_to(offset, center=False)
                await pilot.press(key)
                assert reader.cursor_offset == _next_word_start(text, offset), (where, key)
        # And back: ctrl+left goes to the start of this word, or of the one before.
        reader.move_to(starts[8] + 2, center=False)
        await pilot.press("ctrl+left")
        assert reader.cursor_offset == starts[8]
        await pilot.press("ctrl+left")
        assert reader.cursor_offset == starts[7]


@run_async
async def test_header_shows_title_author_date_and_position(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_doc(pilot, DOC)
        header = app.reader_pane.header.render().plain
        assert "Ask A North Korean" in header
        assert "Jin Ju-dong" in header and "2024-01-17" in header
        total = seeds.index.document(DOC).layout.line_count
        assert f"line 1/{total} · ¶ 1" in header
        await pilot.press("G")
        header = app.reader_pane.header.render().plain
        assert f"line {total}/{total}" in header


@run_async
async def test_keys_typed_right_after_slash_go_into_the_search_field(seeds, state_dir) -> None:
    from textual import events

    from tui.entity_index import EntityIndexScreen

    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_doc(pilot, DOC)
        offset = app.reader.cursor_offset
        # All four keys arrive before the app has handled the first (fast typing, SSH).
        for key in ("slash", "y", "e", "s"):
            app.post_message(events.Key(key, "/" if key == "slash" else key))
        await settle(pilot)
        assert app.reader_pane.search_bar.value == "yes"
        assert app.reader_pane.search_bar.has_focus
        assert app.last_citation is None  # y did not cite
        assert not isinstance(app.screen, EntityIndexScreen)  # e did not open the entity index
        await pilot.press("escape")
        await settle(pilot)
        assert app.reader.has_focus and not app.reader.search_opening
        await pilot.press("n")  # a key for the reader again
        assert app.reader.cursor_offset != offset


@run_async
async def test_search_then_n_steps_through_hits_until_escape(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_doc(pilot, DOC)
        reader = app.reader
        text = seeds.index.document(DOC).text
        hits = []
        at = text.casefold().find("roundworm")
        while at != -1:
            hits.append(at)
            at = text.casefold().find("roundworm", at + 1)
        assert len(hits) >= 3
        await pilot.press("slash")
        assert app.reader_pane.search_bar.has_focus
        await pilot.press(*"roundworm")
        assert reader.search_active and len(reader.search_hits) == len(hits)
        await pilot.press("enter")
        await settle(pilot)
        assert reader.has_focus
        assert reader.cursor_offset == hits[0]
        assert "1/" in app.reader_pane.header.render().plain
        await pilot.press("n")
        assert reader.cursor_offset == hits[1]
        await pilot.press("n")
        assert reader.cursor_offset == hits[2]
        await pilot.press("N")
        assert reader.cursor_offset == hits[1]
        # Escape ends the search: n steps through names again.
        await pilot.press("escape")
        assert not reader.search_active
        await pilot.press("n")
        nxt = seeds.index.step_mention(DOC, hits[1], True)
        assert reader.cursor_offset == nxt.start


@run_async
async def test_search_wraps_and_reports_not_found(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_doc(pilot, DOC)
        reader = app.reader
        await pilot.press("slash", *"zzzqqq", "enter")
        await settle(pilot)
        assert reader.search_active and reader.search_hits == []
        assert "not found" in app.reader_pane.header.render().plain
        await pilot.press("escape", "slash", "escape")
        assert not reader.search_active and reader.has_focus
        # Stepping past the last hit goes round to the first, and says so.
        await pilot.press("slash", *"roundworm", "enter")
        await settle(pilot)
        hits = reader.search_hits
        assert len(hits) >= 3 and reader.current_hit_number() == 1
        toasts = lambda: [str(n.message) for n in app._notifications]  # noqa: E731, SLF001
        await pilot.press(*["n"] * (len(hits) - 1))
        await settle(pilot)
        assert reader.current_hit_number() == len(hits)
        assert not any("Wrapped" in t for t in toasts())
        await pilot.press("n")
        await settle(pilot)
        assert reader.current_hit_number() == 1 and "Wrapped around to the first hit (from the top)" in toasts()
        await pilot.press("N")
        await settle(pilot)
        assert reader.current_hit_number() == len(hits)
        assert "Wrapped around to the last hit (from the bottom)" in toasts()


@run_async
async def test_enter_on_a_name_focuses_the_panel(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_doc(pilot, DOC)
        await pilot.press("n", "enter")
        assert app.panel.has_focus


@run_async
async def test_a_zero_width_joiner_between_letters_keeps_rows_as_wide_as_the_terminal_draws_them(
    tmp_path, state_dir
) -> None:
    # Rich gives the character after any ZERO WIDTH JOINER no width; terminals join
    # only emoji. Drawn as it is, "Kim<ZWJ>Jong-un" made a row a cell wider on screen
    # than laid out, pushing the pane's border out.
    from rich.cells import cell_len, get_character_cell_size

    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    text = f"Title with Kim\u200dJong-un\n\nKim\u200dJong-un met Kim Jong-un in 원\u200d산.\n\nA {family} family.\n"
    ws = small_workspace(tmp_path / "corpus", {"zwj.txt": text})
    app = make_app(ws, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, "zwj.txt")
        reader = app.reader
        drawn = ["".join(seg.text for seg in reader.render_line(y)) for y in range(5)]
        assert "Kim\u2060Jong-un met" in drawn[2] and "원\u2060산" in drawn[2]
        # As wide to Textual as to a terminal, which adds up the characters' widths.
        assert cell_len(drawn[2]) == sum(get_character_cell_size(c) for c in drawn[2])
        assert family in drawn[4]  # an emoji sequence keeps its joiners
        label = app.documents.row_list.rows[0].render(60, app.documents.row_list.palette).plain
        assert "\u200d" not in label and "Kim\u2060Jong-un" in label


MARKUP_TEXT = "[bold]x[/] [/nope] [@click=app.quit] [link=http://e.com]y[/link] $x {z}\n"


def markup_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "evil.md").write_text("# [red]Title[/] [/x]\n\n" + MARKUP_TEXT * 3 + "Kim Jong Un met [b]Pyongyang[/b].\n")
    (root / "plain.txt").write_text(MARKUP_TEXT + "\x1b]52;c;SGVsbG8=\x07 bell\n")
    return root


@run_async
async def test_markup_in_documents_renders_literally(tmp_path, state_dir) -> None:
    ws = open_workspace([markup_corpus(tmp_path)], use_user_kb=False)
    app = XrefApp(workspace=ws, state_dir=state_dir)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        titles = {doc.id: doc.title for doc in ws.corpus.documents}
        assert titles["evil.md"] == "[red]Title[/] [/x]"
        # The documents list shows the titles as written.
        docs = app.documents
        listing = "\n".join(r.render(100, docs.row_list.palette).plain for r in docs.row_list.rows)
        assert "[red]Title[/] [/x]" in listing and "[bold]x[/] [/nope]" in listing
        for doc in ws.corpus.documents:
            await open_doc(pilot, doc.id)
            screen_text = "\n".join(
                "".join(seg.text for seg in app.reader.render_line(y)) for y in range(app.reader.size.height)
            )
            assert "[/nope]" in screen_text and "[bold]x[/]" in screen_text and "[@click=app.quit]" in screen_text
            assert "\x1b" not in screen_text and "\x07" not in screen_text  # shown as ␛ and ␇
            assert titles[doc.id][:20] in app.reader_pane.header.render().plain
        # A name next to markup-looking text: the panel's context is literal too.
        await open_doc(pilot, "evil.md")
        await pilot.press("n")
        await settle(pilot)
        assert app.panel.entity is not None
        assert "[b]" in app.panel.listed_text() or "[bold]" in app.panel.listed_text()
        # The command palette lists the title literally.
        prompts = await palette_prompts(pilot, "red")
        assert any("[red]Title[/] [/x]" in p for p in prompts), prompts
        await pilot.press("escape", "e")
        await settle(pilot)
        await pilot.press("escape")
        assert app.is_running  # no MarkupError, and [@click=app.quit] did not quit


def big_workspace(seeds, root: Path) -> Workspace:
    """A 5 MB document, indexed by hand (recognising 5 MB is the engine's job, and slow)."""
    para = "Kim Jong Un visited Pyongyang and the State Security Department. " * 12 + "\n\n"
    text = para * (5_000_000 // len(para))
    root.mkdir()
    (root / "big.txt").write_text(text)
    doc = Document(id="big.txt", path=root / "big.txt", text=text)
    name = "Kim Jong Un"
    mentions = []
    at = text.find(name)
    while at != -1:
        mentions.append(Mention("big.txt", at, at + len(name), name, "kim-jong-un", "exact"))
        at = text.find(name, at + 1)
    index = CorpusIndex(Corpus(root, [doc]), seeds.index.entities, {"big.txt": DocResult(mentions)})
    return Workspace(index.corpus, seeds.kb, index, [])


@run_async
async def test_a_large_document_opens_without_rendering_it_all(seeds, tmp_path, state_dir) -> None:
    ws = big_workspace(seeds, tmp_path / "big")
    app = XrefApp(workspace=ws, state_dir=state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, "big.txt")
        reader: Reader = app.reader
        assert reader.wrapped_row_count > 50_000
        await pilot.press("G")
        assert reader.cursor_offset == len(ws.corpus.documents[0].text) - 1
        await pilot.press("N")
        assert reader.current_mention is not None
        assert app.panel.entity is not None and app.panel.entity.id == "kim-jong-un"
        assert len(app.panel.listed_mentions) > 50_000  # listed, but only visible rows are rendered
        # Only what was on screen was rendered and cached.
        assert len(reader._strips) < 200  # noqa: SLF001
        assert len(app.panel._strips) < 200  # noqa: SLF001
