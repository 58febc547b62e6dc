"""Following names across the corpus: ]/[, the side panel, history, index, palette."""

from __future__ import annotations

from tests.tui.conftest import SEED_IDS, run_async
from tests.tui.helpers import make_app, open_doc, palette_prompts, run_from_palette, settle
from tui.entity_index import EntityIndexScreen, EntityList
from tui.history import Location
from tui.panel import EntityTitle

KJU = "kim-jong-un"
D0, D1, D2, D3 = SEED_IDS


def kju_mentions(seeds):
    return seeds.index.mentions_of(KJU)


@run_async
async def test_panel_lists_every_spelling_of_kim_jong_un_across_documents(seeds, state_dir) -> None:
    """Acceptance: after going to "Kim Jong-un" in one document, the panel lists
    the other documents' mentions, spelled "Kim Jong Un" there."""
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        first = next(m for m in seeds.index.doc_mentions(D1) if m.surface == "Kim Jong-un")
        await open_doc(pilot, D1, first.start)
        panel = app.panel
        assert panel.entity is not None and panel.entity.id == KJU
        assert panel.current_mention == first
        listed = panel.listed_mentions
        assert listed == kju_mentions(seeds)
        others = [m for m in listed if m.doc != D1]
        assert {m.doc for m in others} == {D2, D3}
        assert any(m.surface == "Kim Jong Un" for m in others)
        text = panel.listed_text()
        assert "Ask A North Korean" in text and "minders" in text  # document headings
        assert "Kim Jong Un" in text  # the other spelling, in context
        assert "▶" in text  # the mention under the cursor is marked
        # Title line: name, type, totals; details: Hangul, aliases, description, match.
        title = app.query_one(EntityTitle).plain
        assert "Kim Jong-un" in title and "person" in title
        assert f"{len(listed)} mentions in 3 documents" in title
        entity = seeds.index.entity(KJU)
        assert entity.hangul in text and all(alias in text for alias in entity.aliases)
        assert "Here: “Kim Jong-un” is its name" in text
        assert "Often in the same paragraph" in text


@run_async
async def test_brackets_step_through_one_entity_across_documents(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        mentions = kju_mentions(seeds)
        last_in_d1 = [m for m in mentions if m.doc == D1][-1]
        first_in_d2 = next(m for m in mentions if m.doc == D2)
        await open_doc(pilot, D1, last_in_d1.start)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        reader = app.reader
        assert reader.current_doc.id == D2  # opened the other document
        assert reader.current_mention == first_in_d2
        assert first_in_d2.surface == "Kim Jong Un"
        assert app.panel.current_mention == first_in_d2
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert reader.current_doc.id == D1 and reader.current_mention == last_in_d1


@run_async
async def test_back_and_forward_across_documents(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        mentions = kju_mentions(seeds)
        last_in_d1 = [m for m in mentions if m.doc == D1][-1]
        d2 = [m for m in mentions if m.doc == D2]
        await open_doc(pilot, D1, last_in_d1.start)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert app.location == Location(D2, d2[1].start)
        await pilot.press("b")
        assert app.location == Location(D2, d2[0].start)
        await pilot.press("b")
        await settle(pilot)
        assert app.reader.current_doc.id == D1 and app.location == Location(D1, last_in_d1.start)
        await pilot.press("f")
        await settle(pilot)
        assert app.location == Location(D2, d2[0].start)
        await pilot.press("alt+right")
        assert app.location == Location(D2, d2[1].start)
        await pilot.press("alt+left", "alt+left")
        await settle(pilot)
        assert app.reader.current_doc.id == D1
        assert app.reader.cursor_offset == last_in_d1.start


@run_async
async def test_enter_in_the_panel_jumps_to_the_mention(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        first = next(m for m in seeds.index.doc_mentions(D1) if m.entity == KJU)
        await open_doc(pilot, D1, first.start)
        await pilot.press("tab")  # reader -> side panel
        panel = app.panel
        assert panel.has_focus
        before = panel.cursor
        await pilot.press("j")
        assert panel.cursor == before + 1
        await pilot.press("k")
        assert panel.cursor == before
        target = next(m for m in panel.listed_mentions if m.doc == D3)
        row = next(i for i, r in enumerate(panel.rows) if getattr(r, "mention", None) == target)
        panel.move_to(row)
        await pilot.press("enter")
        await settle(pilot)
        assert app.reader.current_doc.id == D3
        assert app.reader.cursor_offset == target.start
        assert panel.current_mention == target
        assert "▶" in panel.rows[row].render(80, panel.palette).plain
        # The jump is in the history.
        await pilot.press("b")
        await settle(pilot)
        assert app.reader.current_doc.id == D1 and app.reader.cursor_offset == first.start


@run_async
async def test_entity_index_filters_by_alias_and_jumps(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_doc(pilot, D0)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EntityIndexScreen)
        entities = app.screen.query_one(EntityList)
        shown = entities.shown_entities
        counts = [len(seeds.index.mentions_of(e.id)) for e in shown if e.type == "person"]
        assert counts == sorted(counts, reverse=True)  # most named first, within a type
        headings = [r.text.plain for r in entities.row_list.rows if hasattr(r, "text")]
        assert any(h.startswith("Persons") for h in headings) and any(h.startswith("Places") for h in headings)
        await pilot.press(*"jung-un")  # an alias (a misspelling), not the name
        await settle(pilot)
        assert [e.id for e in entities.shown_entities] == [KJU]
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, EntityIndexScreen)
        first = kju_mentions(seeds)[0]
        assert app.reader.current_doc.id == first.doc
        assert app.reader.cursor_offset == first.start
        assert app.panel.entity.id == KJU
        await pilot.press("b")
        await settle(pilot)
        assert app.reader.current_doc.id == D0


@run_async
async def test_back_brings_back_the_screen_and_the_name_the_panel_stayed_on(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        mention = next(m for m in seeds.index.doc_mentions(D2) if m.entity == "nk-news")
        await open_doc(pilot, D2, mention.start)
        await settle(pilot)
        await pilot.press("end")  # off the name: the panel stays on NK News
        await settle(pilot)
        assert app.reader.current_mention is None and app.panel.entity.id == "nk-news"
        top, offset = app.reader.scroll_y, app.reader.cursor_offset
        app.goto_entity("russia")
        await settle(pilot)
        assert app.panel.entity.id == "russia"
        app.reader.focus()
        await pilot.press("b")
        await settle(pilot)
        assert app.reader.cursor_offset == offset and app.reader.current_doc.id == D2
        assert app.panel.entity.id == "nk-news"
        assert app.reader.scroll_y == top


@run_async
async def test_command_palette_finds_an_entity_by_a_variant_spelling(seeds, state_dir) -> None:
    from textual.command import CommandList

    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_doc(pilot, D0)
        prompts = await palette_prompts(pilot, "Kim Jong Un")
        commands = app.screen.query_one(CommandList)
        assert any("Entity: Kim Jong-un" in p for p in prompts), prompts
        assert "Entity: Kim Jong-un" in prompts[0]  # the person first, before documents naming him
        assert commands.highlighted == 0
        await pilot.press("enter")
        await settle(pilot)
        assert app.panel.entity is not None and app.panel.entity.id == KJU
        assert app.reader.current_mention is not None and app.reader.current_mention.entity == KJU


@run_async
async def test_command_palette_opens_a_document(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_doc(pilot, D0)
        await run_from_palette(pilot, "minders", "Open: North Korea needs more minders")
        assert app.reader.current_doc.id == D3


@run_async
async def test_a_palette_command_closes_the_dialog_it_was_opened_over(seeds, state_dir) -> None:
    from tui.corpus_search import CorpusSearchScreen

    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_doc(pilot, D0)
        # Over the entity index: opening a document shows it, not the index still on top.
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EntityIndexScreen)
        await run_from_palette(pilot, "minders", "Open: North Korea needs more")
        assert app.reader.current_doc.id == D3
        assert len(app.screen_stack) == 1 and app.reader.has_focus
        # Over a corpus search: a search from the palette replaces it, never stacks a second one.
        await pilot.press("F")
        await settle(pilot)
        await run_from_palette(pilot, "Wonsan", "Search the whole corpus for")
        assert isinstance(app.screen, CorpusSearchScreen)
        assert sum(isinstance(s, CorpusSearchScreen) for s in app.screen_stack) == 1
        # The app's own commands too: "Documents" over the search shows the list, on top.
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d")  # hidden first (a first visit shows it)
        await settle(pilot)
        assert not app.documents.display
        await pilot.press("e")
        await settle(pilot)
        await run_from_palette(pilot, "Documents", "Documents")
        assert len(app.screen_stack) == 1 and app.documents.display
        assert app.focused is app.documents.filter_input  # the list has the keys, as with d


@run_async
async def test_the_palette_opens_a_document_by_its_file_name(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_doc(pilot, D0)
        prompts = await palette_prompts(pilot, D3)
        title = seeds.index.document(D3).title
        assert prompts[0].startswith("Open: " + title[:20]), prompts[:3]
        # Part of a file name, or a title typed out: the document before names and searches.
        await pilot.press("escape")
        await settle(pilot)
        for typed in (D1[:8], seeds.index.document(D2).title[:40]):
            prompts = await palette_prompts(pilot, typed)
            expected = "Open: " + seeds.index.document(D1 if typed == D1[:8] else D2).title[:20]
            assert prompts[0].startswith(expected), (typed, prompts[:3])
            await pilot.press("escape")
            await settle(pilot)
        # Opened from the palette while the documents filter had the keys: the reader gets them.
        app.documents.focus_filter()
        await settle(pilot)
        prompts = await palette_prompts(pilot, D3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.reader.current_doc.id == D3 and app.reader.has_focus


@run_async
async def test_panel_stays_on_the_last_name_when_the_cursor_leaves_it(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        target = [m for m in kju_mentions(seeds) if m.doc == D1][5]
        await open_doc(pilot, D1, target.start)
        panel = app.panel
        assert panel.current_mention == target
        top = panel.scroll_y
        await pilot.press(*["right"] * (target.end - target.start + 1))
        await settle(pilot)
        assert app.reader.current_mention is None
        assert panel.entity.id == KJU and panel.current_mention is None  # sticky, unmarked
        assert "▶" not in panel.listed_text()
        assert getattr(panel.highlighted_row, "mention", None) == target  # the list kept its place
        assert abs(panel.scroll_y - top) <= 1
        await pilot.press("right_square_bracket")  # ] still follows that entity
        await settle(pilot)
        assert app.reader.current_mention.entity == KJU
        assert app.reader.cursor_offset > target.start


@run_async
async def test_search_jump_updates_the_side_panel(seeds, state_dir):
    """After / finds a name, the panel shows that name's entity, not the previous one."""
    from tests.tui.helpers import make_app, open_doc, settle

    app = make_app(seeds, state_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await open_doc(pilot, "002_9616d0e211098658.txt", 0)
        await pilot.press("slash")
        for ch in "Kim Il Sung":
            await pilot.press("space" if ch == " " else ch)
        await pilot.press("enter")
        await settle(pilot)
        m = seeds.index.mention_at("002_9616d0e211098658.txt", app.reader.cursor_offset)
        assert m is not None and m.entity == "kim-il-sung"
        assert app.panel.entity is not None and app.panel.entity.id == "kim-il-sung"
