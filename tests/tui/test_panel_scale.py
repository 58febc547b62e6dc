"""The side panel on an entity named 50,000 times: only what is looked at is built.

Counts, not timings: how many row objects the panel makes and how many
mentions it asks the index for, whatever the size of the entity.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import run_async
from tests.tui.helpers import make_app, open_doc, settle
from tui.panel import MENTION_PAGE, DocumentRow, EntityRow, MentionRow
from xref.engine import Workspace, open_workspace

DOCS = 25
PER_DOC = 2_000  # 50,000 mentions of Pyongyang in all
LINES = 1_000  # two mentions a line


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("pyongyang")
    for d in range(DOCS):
        lines = ["Seoul answered Pyongyang; Pyongyang waited.", ""]  # a paragraph naming both: co-occurrence rows
        for i in range(1, LINES):
            lines.append(f"Report {d}.{i} from Pyongyang: the roads into Pyongyang were quiet.")
            if i % 20 == 0:
                lines.append("")
        (root / f"doc{d:02}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ws = open_workspace([root], kb_path=None, use_user_kb=False, use_cache=False)
    assert ws.index.mention_count("pyongyang") == DOCS * PER_DOC
    return ws


class Counts:
    def __init__(self) -> None:
        self.rows = 0
        self.sliced = 0
        self.iterated = 0


@pytest.fixture
def counts(big: Workspace, monkeypatch: pytest.MonkeyPatch) -> Counts:
    """Count the row objects the panel makes and the mentions anyone asks the index for."""
    found = Counts()
    index = big.index
    for cls in (MentionRow, DocumentRow):
        original_init = cls.__init__

        def counting_init(self, *args, _original=original_init, **kwargs) -> None:  # type: ignore[no-untyped-def]
            found.rows += 1
            _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting_init)
    original_slice = index.mention_slice

    def counting_slice(entity_id: str, start: int, stop: int):  # type: ignore[no-untyped-def]
        out = original_slice(entity_id, start, stop)
        found.sliced += len(out)
        return out

    monkeypatch.setattr(index, "mention_slice", counting_slice)
    original_iter = index._iter_entity  # noqa: SLF001

    def counting_iter(entity_id: str):  # type: ignore[no-untyped-def]
        found.iterated += 1
        return original_iter(entity_id)

    monkeypatch.setattr(index, "_iter_entity", counting_iter)
    return found


def assert_marked(panel, mention) -> None:  # type: ignore[no-untyped-def]
    """The list cursor is on ``mention``'s row, which alone (of its neighbours) shows ▶."""
    row = panel.rows[panel.cursor]
    assert isinstance(row, MentionRow) and row.mention == mention
    assert row.render(80, panel.palette).plain.startswith("▶ ")
    for near in (panel.cursor - 1, panel.cursor + 1):
        if 0 <= near < len(panel.rows):
            assert "▶" not in panel.rows[near].render(80, panel.palette).plain
    assert panel.scroll_y <= panel.cursor < panel.scroll_y + panel.scrollable_content_region.height


@run_async
async def test_an_entity_named_50000_times_builds_only_what_is_on_screen(big, counts, state_dir) -> None:
    index = big.index
    app = make_app(big, state_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.panel
        # A mention in the middle of the 13th document: far down a 50,000-row list.
        doc = "doc12.txt"
        mentions_here = [m for m in index.doc_mentions(doc) if m.entity == "pyongyang"]
        assert len(mentions_here) == PER_DOC
        target = mentions_here[len(mentions_here) // 2]
        assert target.entity == "pyongyang"
        counts.rows = counts.sliced = counts.iterated = 0
        await open_doc(pilot, doc, target.start)
        assert panel.entity is not None and panel.entity.id == "pyongyang"
        assert panel.current_mention == target
        screen = panel.scrollable_content_region.height
        assert len(panel.rows) > DOCS * PER_DOC  # every mention and heading is a row...
        assert counts.rows <= 3 * screen  # ...but only those looked at were made
        assert counts.sliced <= 8 * MENTION_PAGE  # a few pages of mentions, not 50,000
        assert counts.iterated == 0  # nobody walked the whole list
        assert_marked(panel, target)

        # The row is where the arithmetic says: header, blank line, 12 documents
        # (heading + mentions each), this document's heading, the mentions before it.
        title = app.query_one("#entity-title").plain
        assert f"{DOCS * PER_DOC:,} mentions in {DOCS} documents" in title
        title_widget = app.query_one("#entity-title")
        assert title_widget.size.width >= len(title)
        width = title_widget.size.width
        title_widget.styles.width = 40  # a narrow panel: both numbers, shorter words
        await settle(pilot)
        narrow = title_widget.plain
        assert narrow.endswith(f"{DOCS * PER_DOC:,} in {DOCS} docs") and len(narrow) <= 40, narrow
        title_widget.styles.width = 30  # narrower still: the type's name goes, the numbers stay
        await settle(pilot)
        narrower = title_widget.plain
        assert narrower == f"Pyongyang · {DOCS * PER_DOC:,} in {DOCS} docs", narrower
        title_widget.styles.width = width
        await settle(pilot)
        before = mentions_here.index(target)
        header = panel._header_len  # noqa: SLF001
        assert panel.cursor == header + 1 + 12 * (1 + PER_DOC) + 1 + before
        heading = panel.rows[header + 1 + 12 * (1 + PER_DOC)]
        assert isinstance(heading, DocumentRow) and heading.doc_id == doc and heading.count == PER_DOC
        assert f" · {PER_DOC} ─" in heading.render(80, panel.palette).plain

        # The reader steps to the next mention: only the marker moves.
        counts.rows = counts.sliced = 0
        await pilot.press("n")
        await settle(pilot)
        nxt = mentions_here[before + 1]
        assert app.reader.current_mention == nxt and panel.current_mention == nxt
        assert_marked(panel, nxt)
        assert counts.rows <= 3 * screen and counts.sliced <= 8 * MENTION_PAGE and counts.iterated == 0

        # The last mention of the corpus: the reader goes there, the panel follows.
        last = index.mention_slice("pyongyang", DOCS * PER_DOC - 1, DOCS * PER_DOC)[0]
        counts.rows = counts.sliced = 0
        await open_doc(pilot, last.doc, last.start)
        assert panel.current_mention == last
        assert_marked(panel, last)
        assert counts.rows <= 3 * screen and counts.sliced <= 8 * MENTION_PAGE and counts.iterated == 0

        # In the panel: home / end / up / page keys move over selectable rows only.
        await pilot.press("tab")
        assert panel.has_focus
        await pilot.press("home")
        first_row = panel.highlighted_row
        assert isinstance(first_row, DocumentRow) and first_row.doc_id == "doc00.txt"
        await pilot.press("end")
        assert isinstance(panel.highlighted_row, EntityRow)  # the co-occurring names come last
        assert panel.highlighted_row.entity.id == "seoul"
        await pilot.press("up")  # over the blank line and the heading above them
        assert panel.highlighted_mention == last
        await pilot.press("pageup")
        row = panel.highlighted_row
        assert isinstance(row, MentionRow) and row.mention.doc == last.doc
        assert panel.cursor == len(panel.rows) - 4 - (screen - 1)  # the tail is blank, heading, Seoul
        assert counts.rows <= 4 * screen and counts.iterated == 0

        # Enter on a document heading jumps to that document's first mention.
        await pilot.press("home", "enter")
        await settle(pilot)
        first = index.mention_slice("pyongyang", 0, 1)[0]
        assert app.reader.current_doc.id == "doc00.txt" and app.reader.cursor_offset == first.start
        assert panel.current_mention == first
        assert counts.iterated == 0


@run_async
async def test_the_listing_is_the_same_as_a_full_walk(big, state_dir) -> None:
    """Spot checks of the virtual rows against the mentions in corpus order."""
    index = big.index
    app = make_app(big, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        last_doc = f"doc{DOCS - 1:02}.txt"
        target = [m for m in index.doc_mentions(last_doc) if m.entity == "pyongyang"][3]
        await open_doc(pilot, last_doc, target.start)
        panel = app.panel
        every = list(index.mentions_of("pyongyang"))
        assert panel.listed_mentions == every
        rows = panel.rows
        header = panel._header_len  # noqa: SLF001
        for position in (0, 1, PER_DOC - 1, PER_DOC, PER_DOC + 1, 7 * PER_DOC + 5, len(every) - 1):
            doc_no = position // PER_DOC
            row = rows[header + 1 + doc_no + 1 + position]
            assert isinstance(row, MentionRow) and row.mention == every[position]
        assert rows[-1] is rows[len(rows) - 1]
        with pytest.raises(IndexError):
            rows[len(rows)]
        # The line numbers are right-aligned to the longest document.
        digits = len(str(max(index.doc_line_count(f"doc{d:02}.txt") for d in range(DOCS))))
        assert digits == 4
        assert rows[header + 2].render(80, panel.palette).plain.startswith("  " + f"{1:>{digits}} Seoul answered")


@run_async
async def test_resize_and_leaving_the_name_keep_the_place_in_a_huge_list(big, counts, state_dir) -> None:
    index = big.index
    app = make_app(big, state_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        doc = "doc20.txt"
        target = [m for m in index.doc_mentions(doc) if m.entity == "pyongyang"][1500]
        await open_doc(pilot, doc, target.start)
        panel = app.panel
        assert_marked(panel, target)
        counts.rows = counts.sliced = 0
        await pilot.resize_terminal(160, 48)  # the panel moves beside the reader, with a tall header
        await settle(pilot)
        assert panel.current_mention == target
        assert_marked(panel, target)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert_marked(panel, target)
        # Off the name: the panel stays on Pyongyang, unmarked, at the same place.
        await pilot.press(*["right"] * (target.end - target.start + 1))
        await settle(pilot)
        assert app.reader.current_mention is None
        assert panel.entity.id == "pyongyang" and panel.current_mention is None
        assert panel.highlighted_mention == target
        top = int(panel.scroll_y)
        shown = [panel.rows[i].render(80, panel.palette).plain for i in range(top, top + panel.size.height)]
        assert not any("▶" in line for line in shown)
        assert counts.iterated == 0 and counts.sliced <= 8 * MENTION_PAGE


@run_async
async def test_a_new_panel_width_keeps_the_row_the_user_moved_to(big, state_dir) -> None:
    index = big.index
    app = make_app(big, state_dir)
    async with app.run_test(size=(200, 50)) as pilot:
        doc = "doc03.txt"
        target = [m for m in index.doc_mentions(doc) if m.entity == "pyongyang"][10]
        await open_doc(pilot, doc, target.start)
        panel = app.panel
        panel.focus()
        await pilot.press("end")  # the last row: a partner in "Often in the same paragraph"
        await settle(pilot)
        last = panel.highlighted_row
        assert isinstance(last, EntityRow) and panel.cursor == len(panel.rows) - 1
        for _ in range(2):  # the documents list hidden, then shown: the panel's width changes
            width = panel.size.width
            await pilot.press("d")
            await settle(pilot)
            assert panel.size.width != width
            assert panel.highlighted_row is last or panel.highlighted_row.entity == last.entity
            assert panel.cursor == len(panel.rows) - 1
        # A mention far from the reader's: the highlight stays on it too.
        panel.move_to(panel.rows.mention_row(30_000))
        await pilot.press("down")
        await settle(pilot)
        away = panel.highlighted_mention
        assert away is not None and away != target
        await pilot.press("d")
        await settle(pilot)
        assert panel.highlighted_mention == away
        top = int(panel.scroll_y)
        assert top <= panel.cursor < top + panel.size.height


@run_async
async def test_a_move_to_another_mention_rewraps_only_the_here_line(
    big, state_dir, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.text import Text

    index = big.index
    app = make_app(big, state_dir)
    async with app.run_test(size=(80, 40)) as pilot:
        doc = "doc03.txt"
        mentions = [m for m in index.doc_mentions(doc) if m.entity == "pyongyang"]
        await open_doc(pilot, doc, mentions[10].start)
        panel = app.panel
        header = panel._header_len  # noqa: SLF001
        before = [panel.rows[i] for i in range(header)]
        described = [row.text.plain for row in before]
        assert any(line.startswith("Also: ") for line in described)  # aliases and a description to wrap
        assert described[-1].startswith("Here: ")

        wrapped: list[str] = []
        original_wrap = Text.wrap

        def counting_wrap(self: Text, *args, **kwargs):  # type: ignore[no-untyped-def]
            wrapped.append(self.plain)
            return original_wrap(self, *args, **kwargs)

        monkeypatch.setattr(Text, "wrap", counting_wrap)
        await pilot.press("n")
        await settle(pilot)
        assert panel.current_mention == mentions[11]
        assert [w for w in wrapped if not w.startswith("Here: ")] == []  # the entity's lines were not wrapped again
        assert panel._header_len == header  # noqa: SLF001
        after = [panel.rows[i] for i in range(header)]
        assert all(a is b for a, b in zip(after[:-1], before[:-1]))  # the very same rows
        assert after[-1].text.plain.startswith("Here: ")
