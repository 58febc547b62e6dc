"""Full-text search of the whole corpus (key F, or the command palette)."""

from __future__ import annotations

from collections import Counter

from rich.text import Text

from tests.tui.conftest import SEED_IDS, run_async
from tests.tui.helpers import make_app, open_doc, palette_prompts, settle
from tui.corpus_search import DEBOUNCE, CorpusSearchList, CorpusSearchScreen, HitEntry, SnippetRow
from tui.help import HelpScreen
from tui.history import Location
from tui.style import Palette
from xref.engine import open_workspace
from xref.search import PER_DOCUMENT, Hit

D0, D1, D2, D3 = SEED_IDS
QUERY = "digestive organs"  # one paragraph of D2, line 21
D2_TITLE = "Ask A North Korean: Why a DPRK laborer in Russia decided to defect"


async def results(pilot) -> None:
    """Past the typing pause, and the query's worker done."""
    await pilot.pause(DEBOUNCE + 0.1)
    await settle(pilot)


def search_list(app) -> CorpusSearchList:
    assert isinstance(app.screen, CorpusSearchScreen), type(app.screen)
    return app.screen.query_one(CorpusSearchList)


def listing(lst: CorpusSearchList, width: int = 100) -> list[str]:
    rows = lst.row_list
    return [row.render(width, rows.palette).plain for row in rows.rows]


@run_async
async def test_f_searches_the_corpus_and_enter_jumps_to_the_hit(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, D0, 120)
        before = app.location
        assert before == Location(D0, 120)
        await pilot.press("F")
        await settle(pilot)
        lst = search_list(app)
        assert "Type words to search every document" in lst.status  # the empty field's hint
        await pilot.press(*QUERY)
        await results(pilot)
        hits = lst.hits
        assert hits, lst.status
        first = hits[0]
        assert first.doc_id == D2
        line = seeds.index.document(D2).layout.line_of(first.start)
        assert line == 21
        assert lst.status.startswith(f"{len(hits)} hit")
        text = listing(lst)
        assert text[0].strip().startswith(D2_TITLE[:40])
        assert text[0].rstrip().endswith("line 21")
        assert "digestive organs" in text[1]
        # The matched words are styled in the snippet row.
        snippet = lst.row_list.rows[1].render(100, lst.row_list.palette)
        styled = {snippet.plain[span.start : span.end] for span in snippet.spans}
        assert "digestive organs" in styled, styled
        assert lst.row_list.cursor == 0
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, CorpusSearchScreen)
        reader = app.reader
        assert reader.current_doc is not None and reader.current_doc.id == D2
        assert reader.cursor_offset == first.start
        assert reader.current_doc.layout.line_of(reader.cursor_offset) == 21
        assert reader.current_doc.text[first.start : first.end].casefold() == QUERY  # the phrase, whole
        assert app.focused is reader
        await pilot.press("b")
        await settle(pilot)
        assert app.location == before
        await pilot.press("f")
        await settle(pilot)
        assert app.location == Location(D2, first.start)


@run_async
async def test_arrows_move_in_the_list_while_the_field_keeps_the_focus(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, D0)
        await pilot.press("F", *"minders")
        await results(pilot)
        lst = search_list(app)
        hits = lst.hits
        assert len(hits) >= 2 and {h.doc_id for h in hits} >= {D3}
        await pilot.press("down")
        await pilot.pause()
        assert app.focused is lst.filter_input
        assert lst.row_list.cursor == 2  # the second hit's line (each hit is two rows)
        await pilot.press("pagedown", "pageup")
        await pilot.pause()
        assert lst.row_list.cursor == 0
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.location == Location(hits[1].doc_id, hits[1].start)


@run_async
async def test_f_again_reopens_the_last_search_on_the_hit_gone_to(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, D0)
        await pilot.press("F", *"minders")
        await results(pilot)
        hits = search_list(app).hits
        assert len(hits) >= 2
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.location == Location(hits[1].doc_id, hits[1].start)
        # F again: the same query and results, the second hit highlighted.
        await pilot.press("F")
        await results(pilot)
        lst = search_list(app)
        assert lst.filter_input.value == "minders"
        assert lst.hits == hits
        assert lst.row_list.cursor == 2
        assert lst.filter_input.selected_text == "minders"  # typing replaces it
        await pilot.press(*"Wonsan")
        await results(pilot)
        assert lst.filter_input.value == "Wonsan"
        assert lst.hits and lst.row_list.cursor == 0
        # Closed without going anywhere: the typed query is kept, with no hit to return to.
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("F")
        await results(pilot)
        lst = search_list(app)
        assert lst.filter_input.value == "Wonsan"
        assert lst.row_list.cursor == 0
        # A search opened with its own words (the command palette's) starts from them.
        await pilot.press("escape")
        await settle(pilot)
        app.action_corpus_search("digestive organs")
        await results(pilot)
        lst = search_list(app)
        assert lst.filter_input.value == "digestive organs"
        assert lst.row_list.cursor == 0


@run_async
async def test_markup_and_fts5_syntax_in_the_query_do_not_crash(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, D0)
        await pilot.press("F", *"[bold]x")
        await results(pilot)
        lst = search_list(app)
        assert lst.hits == []
        assert lst.status == "No hits for “[bold]x”"  # brackets mean nothing to FTS5: plain words
        lst.filter_input.value = "zzyzx AND ("
        await results(pilot)
        assert lst.hits == []
        assert lst.status.startswith("No hits for “zzyzx AND (”: not valid FTS5 syntax (syntax error near")
        # Searched as plain words (and found), said so.
        lst.filter_input.value = "Pyongyang AND ("
        await results(pilot)
        assert lst.hits and lst.status.endswith("searched as plain words")
        # An unbalanced quote is closed: the phrase the user began, no warning.
        lst.filter_input.value = '"Pyongyang'
        await results(pilot)
        assert lst.hits and "FTS5" not in lst.status
        # Only punctuation: nothing to search for, said so.
        lst.filter_input.value = "[*]"
        await results(pilot)
        assert lst.hits == [] and lst.status.startswith("Nothing to search for")
        # Words nowhere in the corpus.
        lst.filter_input.value = "zzyzx qwxv"
        await results(pilot)
        assert lst.hits == [] and lst.status == "No hits for “zzyzx qwxv”"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CorpusSearchScreen)
        assert app.location == Location(D0, 0)  # escape goes nowhere


@run_async
async def test_no_warning_when_the_query_means_what_it_says(seeds, state_dir) -> None:
    # Jong-un is searched as a phrase and "?" means nothing to FTS5: neither was
    # "re-read as plain words" in the sense of the warning, which is for the fallback.
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, D0)
        await pilot.press("F", *"Kim Jong-un")
        await results(pilot)
        lst = search_list(app)
        assert lst.hits and "FTS5" not in lst.status and "plain words" not in lst.status, lst.status
        hit = lst.hits[0]
        assert seeds.index.document(hit.doc_id).text[hit.start : hit.end] == "Kim Jong-un"
        lst.filter_input.value = "Wonsan?"
        await results(pilot)
        assert lst.hits and "FTS5" not in lst.status and "plain words" not in lst.status, lst.status
        lst.filter_input.value = "???"
        await results(pilot)
        assert lst.hits == [] and lst.status.endswith("type some letters or digits")
        lst.filter_input.value = "OR"  # letters, but an operator alone
        await results(pilot)
        assert lst.hits == [] and lst.status == "Nothing to search for in “OR”: AND, OR, NOT and NEAR join words to search for"


@run_async
async def test_the_status_says_at_most_three_hits_per_document(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, D0)
        await pilot.press("F", *"Kim")
        await results(pilot)
        lst = search_list(app)
        hits = lst.hits
        assert max(Counter(hit.doc_id for hit in hits).values()) == PER_DOCUMENT == 3
        assert lst.status.endswith("hits in 4 documents · at most 3 per document"), lst.status
        # No document reached the cap: nothing to explain.
        lst.filter_input.value = QUERY
        await results(pilot)
        assert lst.status == "1 hit in 1 document", lst.status


@run_async
async def test_stale_results_are_dropped(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, D0)
        await pilot.press("F", *"minders")
        await results(pilot)
        lst = search_list(app)
        old = lst.outcome
        assert old is not None and old.rows
        await pilot.press("ctrl+u", *QUERY)  # clear the field, then type again
        await results(pilot)
        assert lst.outcome is not None and lst.outcome.query == QUERY
        lst._show(old)  # the older query's results arriving late
        assert lst.outcome.query == QUERY and lst.hits[0].doc_id == D2
        # Enter pressed before the results came still goes to the new query's best hit.
        lst.filter_input.value = "minders"
        await pilot.press("enter")
        await results(pilot)
        best = old.rows[0][0]
        assert app.location == Location(best.doc_id, best.start)


@run_async
async def test_command_palette_opens_the_search(seeds, state_dir) -> None:
    from textual.command import CommandList

    app = make_app(seeds, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_doc(pilot, D0)
        prompts = await palette_prompts(pilot, "Search the whole corpus", first_lines=True)
        assert prompts[0] == "Search the whole corpus…", prompts
        await pilot.press("enter")
        await settle(pilot)
        lst = search_list(app)
        assert lst.filter_input.value == ""
        await pilot.press("escape")
        await settle(pilot)
        # Words typed in the palette: offered as a search, which opens with them.
        prompts = await palette_prompts(pilot, "laborer russia", first_lines=True)
        commands = app.screen.query_one(CommandList)
        index = prompts.index("Search the whole corpus for “laborer russia”")
        # Offered above names that only look a little like the words ("Russia" is one of them).
        assert any(p.startswith("Entity:") for p in prompts)
        assert index < min(i for i, p in enumerate(prompts) if p.startswith("Entity:"))
        commands.highlighted = index
        await pilot.press("enter")
        await results(pilot)
        lst = search_list(app)
        assert lst.filter_input.value == "laborer russia"
        assert lst.hits and lst.hits[0].doc_id == D2


@run_async
async def test_help_lists_the_key(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_doc(pilot, D0)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        line = next(line for line in app.screen.text.splitlines() if "app.corpus_search" in line)
        assert line.split()[0] == "F" and "Search the whole corpus" in line


@run_async
async def test_without_the_index_cache(state_dir) -> None:
    workspace = open_workspace(kb_path=None, use_user_kb=False, use_cache=False)
    assert workspace.cache is None
    app = make_app(workspace, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, D0)
        await pilot.press("F", *QUERY)
        await results(pilot)
        lst = search_list(app)
        assert lst.hits and lst.hits[0].doc_id == D2


@run_async
async def test_while_the_corpus_is_loading_it_says_so(seeds, state_dir) -> None:
    app = make_app(seeds, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_doc(pilot, D0)
        await app.push_screen(CorpusSearchScreen(lambda: None, "minders"))
        await results(pilot)
        lst = search_list(app)
        assert lst.hits == [] and "still loading" in lst.status


class _Widget:
    """Enough of a widget for a Palette: no component styles."""

    def get_component_rich_style(self, *names, partial=False, default=None):
        from rich.style import Style

        return Style()


def test_rows_show_untrusted_text_literally() -> None:
    snippet = "[bold]Kim[/] \x1b[31mred\x07 and Kim again"
    a, b = snippet.index("Kim"), snippet.rindex("Kim")
    hit = Hit("doc", 10, 13, snippet, 1.0, 2, ((a, a + 3), (b, b + 3)))
    palette = Palette(_Widget())  # type: ignore[arg-type]
    text = SnippetRow(hit).render(80, palette)
    assert isinstance(text, Text)
    assert "[bold]Kim[/]" in text.plain  # never read as markup
    assert "\x1b" not in text.plain and "\x07" not in text.plain  # controls made visible
    assert len(text.plain) == len(SnippetRow.INDENT) + len(snippet)  # offsets still hold
    styled = [text.plain[s.start : s.end] for s in text.spans]
    assert styled == ["Kim", "Kim"]
    title = HitEntry(hit, "[red]T\x1bitle", 7).render(40, palette).plain
    assert "[red]T" in title and "\x1b" not in title and title.rstrip().endswith("line 7")


@run_async
async def test_the_search_index_is_built_in_the_background_once_open(tmp_path, state_dir) -> None:
    import asyncio
    import sqlite3

    from xref.corpus import bundled_corpus_path

    workspace = open_workspace([bundled_corpus_path()], use_user_kb=False, cache_dir=tmp_path / "cache")
    assert not workspace.search_ready  # opening stored the texts but indexed none for search
    app = make_app(workspace, state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):  # well under a second for four documents
            if workspace.search_ready:
                break
            await asyncio.sleep(0.05)
        assert workspace.search_ready
        with sqlite3.connect(workspace.stats.cache_file) as conn:
            assert conn.execute("SELECT count(*) FROM searchable").fetchone() == (len(workspace.corpus.documents),)
        await open_doc(pilot, D0)
        await pilot.press("F")
        await settle(pilot)
        await pilot.press(*QUERY)
        await results(pilot)
        assert [hit.doc_id for hit in search_list(app).hits][:1] == [D2]


def test_rows_are_as_wide_on_screen_as_textual_thinks() -> None:
    # Rich gives the character after a ZERO WIDTH JOINER no width, terminals join
    # only emoji: "Kim<ZWJ>Jong-un" was a cell wider on screen than laid out, and
    # the row pushed the dialog's border out (tmux 3.3a). Tabs are spaces.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # joined by the terminal too: kept
    snippet = f"Tabs:\tKim\u200dJong-un and 원\u200d산 {family}."
    on_screen = len("Tabs: KimJong-un and  .") + 2 + 2 + 2  # the two Hangul syllables and the family: 2 cells each
    a = snippet.index("Kim")
    hit = Hit("doc", 10, 13, snippet, 1.0, 2, ((a, a + 3),))
    palette = Palette(_Widget())  # type: ignore[arg-type]
    text = SnippetRow(hit).render(80, palette)
    assert len(text.plain) == len(SnippetRow.INDENT) + len(snippet)  # offsets still hold
    assert "\t" not in text.plain and family in text.plain
    assert text.cell_len == len(SnippetRow.INDENT) + on_screen
    assert [text.plain[s.start : s.end] for s in text.spans] == ["Kim"]
    title = HitEntry(hit, "Kim\u200dJong-un", 7).render(40, palette).plain
    assert "\u200d" not in title and "Kim\u2060Jong-un" in title
