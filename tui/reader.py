"""The reader: one document, word-wrapped, with a character cursor (Line API).

Nothing here holds the whole document as widgets or one big renderable: the
text is indexed into screen rows for the current width (:mod:`tui.wrap`) and
each visible row is styled on demand, then cached. A 5 MB document opens in
about the time it takes to find its line breaks.

The reader knows the index (a plain data object) to style mentions and step
between them; it tells the rest of the app what happens through messages
(``SearchRequested``, ``SearchChanged``, ...) and, for cursor moves, through
listeners it calls directly (``add_move_listener``), and never reaches into
other widgets.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.messages import CiteRequested
from tui.style import ENTITY_COMPONENTS, Palette, clean, lone_joiners
from tui.wrap import WrapIndex
from xref.index import CorpusIndex
from xref.model import Document, Mention

MAX_SEARCH_HITS = 100_000

# Key bar groups: "n N name" / "n N hit".
NAMES = Binding.Group("Name")
HITS = Binding.Group("Hit")
CITE = Binding.Group("Cite")

# Characters drawn as a blank cell (the loader already replaced other controls,
# offset for offset; this keeps a stray one from reaching the terminal).
_BLANK_CELLS = str.maketrans({"\n": " ", "\t": " ", "\r": " "})
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
# Word characters are letters and digits, as for word_left.
_TO_NEXT_WORD = re.compile(r"[^\W_]*[\W_]+")


class Reader(ScrollView, can_focus=True):
    """Shows one document of a :class:`CorpusIndex` with its mentions highlighted."""

    ALLOW_MAXIMIZE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_mention", "Next name", id="reader.next_mention", group=NAMES),
        Binding("N", "previous_mention", "Previous name", id="reader.previous_mention", group=NAMES),
        Binding("n", "next_hit", "Next search hit", id="reader.next_hit", group=HITS),
        Binding("N", "previous_hit", "Previous search hit", id="reader.previous_hit", group=HITS),
        Binding("slash", "search", "Find", tooltip="Search in this document", id="reader.search"),
        Binding(
            "y", "cite", "Cite", tooltip="Copy a citation of the sentence under the cursor (or of the selection)",
            id="reader.cite", group=CITE,
        ),
        Binding(
            "Y", "cite_paragraph", "Cite paragraph", tooltip="Copy a citation of the whole paragraph",
            id="reader.cite_paragraph", group=CITE,
        ),
        Binding(
            "v", "toggle_selection", "Select", show=False,
            tooltip="Start (or drop) a selection at the cursor; moving extends it, y cites it",
            id="reader.select",
        ),
        Binding("escape", "clear_selection", "End selection", id="reader.clear_selection"),
        Binding("escape", "end_search", "End search", id="reader.end_search"),
        Binding("enter", "follow", "Cross-refs", show=False, id="reader.follow"),
        Binding("up,k", "cursor_up", "Line up", show=False, id="reader.up"),
        Binding("down,j", "cursor_down", "Line down", show=False, id="reader.down"),
        Binding("left,h", "cursor_left", "Character left", show=False, id="reader.left"),
        Binding("right,l", "cursor_right", "Character right", show=False, id="reader.right"),
        Binding("ctrl+left", "word_left", "Word left", show=False, id="reader.word_left"),
        Binding("ctrl+right,w", "word_right", "Word right", show=False, id="reader.word_right"),
        Binding("pageup", "page_up", "Page up", show=False, id="reader.page_up"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="reader.page_down"),
        Binding("home", "line_start", "Start of line", show=False, id="reader.line_start"),
        Binding("end", "line_end", "End of line", show=False, id="reader.line_end"),
        Binding("g,ctrl+home", "top", "Top", show=False, id="reader.top"),
        Binding("G,ctrl+end", "bottom", "Bottom", show=False, id="reader.bottom"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reader--cursor",
        "reader--current",
        "reader--hit",
        "reader--heading",
        "reader--placeholder",
        "reader--selection",
        "reader--selection-cursor",
        *ENTITY_COMPONENTS,
    }

    DEFAULT_CSS = """
    Reader {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        padding: 0 1;
    }
    /* A selection is reversed; its moving end (the cursor) is the one cell that is not. */
    Reader > .reader--selection {
        text-style: reverse;
    }
    Reader > .reader--selection-cursor {
        text-style: not reverse bold underline;
    }
    """

    class CursorMoved(Message):
        """The cursor moved (or a document was opened); ``mention`` is the one under it.

        Handed to the move listeners (see ``add_move_listener``), not posted."""

        def __init__(self, reader: Reader, doc_id: str | None, offset: int, mention: Mention | None) -> None:
            super().__init__()
            self.reader = reader
            self.doc_id = doc_id
            self.offset = offset
            self.mention = mention

        @property
        def control(self) -> Reader:
            return self.reader

    class SearchRequested(Message):
        """The user pressed the search key."""

    class SearchTyped(Message):
        """A key typed after the search key, before the search field had the keys."""

        def __init__(self, key: str, character: str | None) -> None:
            super().__init__()
            self.key, self.character = key, character

    class SearchChanged(Message):
        """The search query, its hits or the current hit changed."""

        def __init__(self, query: str, current: int, total: int, active: bool) -> None:
            super().__init__()
            self.query = query
            self.current = current
            self.total = total
            self.active = active

    class FollowRequested(Message):
        """Enter on a mention: the user wants its cross-references."""

        def __init__(self, mention: Mention | None) -> None:
            super().__init__()
            self.mention = mention

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._index: CorpusIndex | None = None
        self._doc: Document | None = None
        self._mentions: list[Mention] = []
        self._starts: list[int] = []
        self._cursor = 0
        self._anchor: int | None = None  # the fixed end of the selection (v), if any
        self._goal_column: int | None = None
        self._wrap: WrapIndex | None = None
        self._wrap_cache: dict[tuple[str, int], WrapIndex] = {}
        self._strips: LRUCache[tuple[int, int, int], Strip] = LRUCache(2048)
        self._generation = 0
        self._center_pending = True
        self.palette = Palette(self)
        self._move_listeners: list[Callable[[Reader.CursorMoved], None]] = []
        self._mention_place: tuple[object, str, int] | None = None
        self._mention_here: Mention | None = None
        # search
        self._query = ""
        self._search_opening = False  # the search key was pressed and the search field has not the keys yet
        self._search_active = False
        self._hit_starts: array = array("q")
        self._hit_ends: array = array("q")

    # -- public state (also the hook for citations: cursor_offset + current_doc) --
    @property
    def current_doc(self) -> Document | None:
        return self._doc

    @property
    def cursor_offset(self) -> int:
        return self._cursor

    @property
    def current_mention(self) -> Mention | None:
        if self._doc is None or self._index is None:
            return None
        # Asked for by every line drawn: looked up once per cursor place.
        place = (self._index, self._doc.id, self._cursor)
        if place != self._mention_place:
            self._mention_place = place
            self._mention_here = self._index.mention_at(self._doc.id, self._cursor)
        return self._mention_here

    @property
    def selection(self) -> tuple[int, int] | None:
        """(start, end) of the selected text, the cursor's character included; None: no selection."""
        if self._anchor is None or self._doc is None:
            return None
        start, last = sorted((self._anchor, self._cursor))
        return start, min(last + 1, len(self._doc.text))

    @property
    def search_active(self) -> bool:
        return self._search_active

    @property
    def search_query(self) -> str:
        return self._query

    @property
    def search_hits(self) -> list[tuple[int, int]]:
        return list(zip(self._hit_starts, self._hit_ends))

    @property
    def wrapped_row_count(self) -> int:
        return len(self._wrap) if self._wrap else 0

    @property
    def cursor_row(self) -> int:
        return self._wrap.row_of(self._cursor) if self._wrap else 0

    # -- opening and moving -----------------------------------------------------
    def open(self, index: CorpusIndex, doc_id: str | None, offset: int = 0) -> None:
        """Show ``doc_id`` with the cursor at ``offset`` (centred on screen)."""
        same = self._doc is not None and doc_id == self._doc.id and index is self._index
        self._index = index
        if not same:
            self._doc = index.document(doc_id) if doc_id is not None else None
            self._mentions = index.doc_mentions(doc_id) if doc_id is not None else []
            self._starts = [m.start for m in self._mentions]
            self._anchor = None
            self._wrap = None
            self._wrap_cache.clear()
            self._generation += 1
            self._strips.clear()
            if self._query:
                self._find_hits(self._query)
        self._cursor = self._clamp(offset)
        self._goal_column = None
        self._center_pending = True
        self._layout()
        self._after_move(center=True)

    def adopt_index(self, index: CorpusIndex) -> None:
        """Take a fuller index of the same corpus (indexing went on) without moving.

        A document's text and mentions are the same in both, so the view stays.
        """
        self._index = index
        if self._doc is not None and self._doc.id in index.documents:
            self._doc = index.document(self._doc.id)
            self._mentions = index.doc_mentions(self._doc.id)
            self._starts = [m.start for m in self._mentions]

    def move_to(self, offset: int, *, center: bool = True) -> None:
        """Put the cursor at ``offset`` in the current document."""
        self._cursor = self._clamp(offset)
        self._goal_column = None
        self._after_move(center=center)

    def _clamp(self, offset: int) -> int:
        if self._doc is None:
            return 0
        return min(max(0, offset), max(0, len(self._doc.text) - 1))

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _layout(self) -> None:
        """(Re)build the row index for the current width; keep the cursor in view."""
        width = self._content_width()
        if self._doc is None:
            self._wrap = None
            self.virtual_size = Size(max(width, 1), 1)
            self.refresh()
            return
        if width <= 0:
            return
        # One column is kept free for the cursor at the end of a full row.
        wrap_width = max(1, width - 1)
        key = (self._doc.id, wrap_width)
        wrap = self._wrap_cache.get(key)
        if wrap is None:
            if len(self._wrap_cache) > 3:
                self._wrap_cache.clear()
            wrap = self._wrap_cache[key] = WrapIndex(self._doc.text, wrap_width)
        if wrap is not self._wrap:
            self._wrap = wrap
            self._strips.clear()
        self.virtual_size = Size(width, len(wrap))
        self.refresh()

    def add_move_listener(self, listener: Callable[[Reader.CursorMoved], None]) -> None:
        """Call ``listener`` at once on every cursor move, with a ``CursorMoved``.

        The header and the side panel follow the cursor this way so they are
        repainted in the same frame as the text: through the message queue
        they would miss that frame and show up one or two frames later.
        """
        self._move_listeners.append(listener)

    def _after_move(self, *, center: bool) -> None:
        self._scroll_cursor_into_view(center=center)
        self.refresh()
        doc_id = self._doc.id if self._doc else None
        moved = self.CursorMoved(self, doc_id, self._cursor, self.current_mention)
        for listener in self._move_listeners:
            listener(moved)

    def _scroll_cursor_into_view(self, *, center: bool) -> None:
        height = self.scrollable_content_region.height
        if self._wrap is None or height <= 0:
            self._center_pending = self._center_pending or center
            return
        row = self._wrap.row_of(self._cursor)
        top = int(self.scroll_y)
        if center or self._center_pending:
            self._center_pending = False
            # A jump that lands comfortably in view leaves the page still; one that
            # lands off screen or in the bottom quarter brings it a third down.
            margin = max(1, height // 4) if height > 8 else 0
            if not (top <= row < top + height - margin) or (top > 0 and row < top + min(margin, 2)):
                self.scroll_to(y=max(0, row - height // 3), animate=False, force=True)
            return
        if row < top:
            self.scroll_to(y=row, animate=False, force=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, force=True)

    def on_resize(self, event: events.Resize) -> None:
        self._layout()
        self._scroll_cursor_into_view(center=True)

    # -- cursor actions ------------------------------------------------------------
    def _vertical(self, rows: int) -> None:
        if self._wrap is None:
            return
        if self._goal_column is None:
            self._goal_column = self._wrap.column_of(self._cursor)
        row = self._wrap.row_of(self._cursor) + rows
        row = min(max(row, 0), len(self._wrap) - 1)
        goal = self._goal_column
        self._cursor = self._clamp(self._wrap.offset_at(row, goal))
        self._goal_column = goal
        self._after_move(center=False)

    def action_cursor_up(self) -> None:
        self._vertical(-1)

    def action_cursor_down(self) -> None:
        self._vertical(1)

    def action_page_up(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=max(0, self.scroll_y - height), animate=False, force=True)
        self._vertical(-height)

    def action_page_down(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_y + height, animate=False, force=True)
        self._vertical(height)

    def action_cursor_left(self) -> None:
        self.move_to(self._cursor - 1, center=False)

    def action_cursor_right(self) -> None:
        self.move_to(self._cursor + 1, center=False)

    def action_word_right(self) -> None:
        if self._doc is None:
            return
        # The rest of this word (none on a space or punctuation), then what
        # separates it from the next: the cursor lands on the next word's start.
        match = _TO_NEXT_WORD.match(self._doc.text, self._cursor)
        if match and match.end() < len(self._doc.text):
            self.move_to(match.end(), center=False)

    def action_word_left(self) -> None:
        if self._doc is None:
            return
        text = self._doc.text
        i = self._cursor
        while i > 0 and not text[i - 1].isalnum():
            i -= 1
        while i > 0 and text[i - 1].isalnum():
            i -= 1
        self.move_to(i, center=False)

    def action_line_start(self) -> None:
        if self._wrap is not None:
            start, _ = self._wrap.span(self._wrap.row_of(self._cursor))
            self.move_to(start, center=False)

    def action_line_end(self) -> None:
        if self._wrap is not None:
            _, stop = self._wrap.span(self._wrap.row_of(self._cursor))
            self.move_to(stop - 1, center=False)

    def action_top(self) -> None:
        self.move_to(0)
        self.scroll_to(y=0, animate=False, force=True)

    def action_bottom(self) -> None:
        if self._doc is not None:
            self.move_to(len(self._doc.text))
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)

    def action_next_mention(self) -> None:
        self._step_mention(True)

    def action_previous_mention(self) -> None:
        self._step_mention(False)

    def _step_mention(self, forward: bool) -> None:
        if self._doc is None or self._index is None:
            return
        found = self._index.step_mention(self._doc.id, self._cursor, forward)
        if found is None:
            self.notify("No more names in this direction", timeout=2, markup=False)
            return
        self.move_to(found.start)

    def action_follow(self) -> None:
        self.post_message(self.FollowRequested(self.current_mention))

    # -- selection and citations ------------------------------------------------------
    def action_toggle_selection(self) -> None:
        if self._doc is None:
            return
        self._anchor = None if self._anchor is not None else self._cursor
        self.refresh()
        self.refresh_bindings()  # escape ends the selection while there is one

    def clear_selection(self) -> None:
        if self._anchor is not None:
            self._anchor = None
            self.refresh()
            self.refresh_bindings()

    def action_clear_selection(self) -> None:
        self.clear_selection()

    def action_cite(self) -> None:
        """y: the selection if there is one, else the sentence under the cursor."""
        if self._doc is None:
            return
        selection = self.selection
        if selection is not None:
            self.clear_selection()
            self.post_message(CiteRequested(self._doc.id, *selection, "selection"))
            return
        from xref.cite import sentence_span  # on first use: not needed to start

        start, end = sentence_span(self._doc, self._cursor)
        self.post_message(CiteRequested(self._doc.id, start, end, "sentence"))

    def action_cite_paragraph(self) -> None:
        """Y: the paragraph under the cursor (every paragraph the selection touches)."""
        if self._doc is None:
            return
        from xref.cite import paragraph_span  # on first use: not needed to start

        first, last = self.selection or (self._cursor, self._cursor + 1)
        start = paragraph_span(self._doc, first)[0]
        end = paragraph_span(self._doc, max(first, last - 1))[1]
        what = "paragraph"
        if self._anchor is not None:
            self.clear_selection()
            if self._doc.layout.paragraph_of(first) != self._doc.layout.paragraph_of(max(first, last - 1)):
                what = "paragraphs"
        self.post_message(CiteRequested(self._doc.id, start, max(start, end), what))

    # -- search --------------------------------------------------------------------
    def action_search(self) -> None:
        # Keys already on their way here (typed quickly, or arriving together
        # over SSH) are for the search field, which takes the keys a moment later:
        # as commands they cited, jumped or opened dialogs.
        self._search_opening = self.has_focus  # (its blur ends this)
        self.post_message(self.SearchRequested())

    @property
    def search_opening(self) -> bool:
        """The search key was pressed here and the search field has not the keys yet."""
        return self._search_opening

    def set_search(self, query: str) -> None:
        """Highlight every case-insensitive occurrence of ``query`` (as typed, live)."""
        was_active = self._search_active
        self._query = query
        self._search_active = bool(query)
        self._find_hits(query)
        self._strips.clear()
        self._generation += 1
        self.refresh()
        if was_active != self._search_active:
            self.refresh_bindings()  # n / N change meaning
        self._post_search_status()

    def _find_hits(self, query: str) -> None:
        starts: array = array("q")
        ends: array = array("q")
        if query and self._doc is not None:
            for i, match in enumerate(re.finditer(re.escape(query), self._doc.text, re.IGNORECASE)):
                if i >= MAX_SEARCH_HITS or match.end() == match.start():
                    break
                starts.append(match.start())
                ends.append(match.end())
        self._hit_starts, self._hit_ends = starts, ends

    def search_step(self, forward: bool = True, *, include_current: bool = False) -> bool:
        """Move the cursor to the next (previous) hit, wrapping; False when there is none."""
        starts = self._hit_starts
        if not starts:
            self._post_search_status()
            return False
        if forward:
            i = bisect_left(starts, self._cursor) if include_current else bisect_right(starts, self._cursor)
            wrapped = i == len(starts)
        else:
            i = bisect_left(starts, self._cursor) - 1
            wrapped = i < 0
        i %= len(starts)
        self.move_to(starts[i])
        self._post_search_status()
        if wrapped and len(starts) > 1:
            where = "first hit (from the top)" if forward else "last hit (from the bottom)"
            self.notify(f"Wrapped around to the {where}", timeout=2, markup=False)
        return True

    def action_next_hit(self) -> None:
        self.search_step(True)

    def action_previous_hit(self) -> None:
        self.search_step(False)

    def end_search(self) -> None:
        if self._query or self._search_active:
            self._query = ""
            self._search_active = False
            self._hit_starts, self._hit_ends = array("q"), array("q")
            self._strips.clear()
            self._generation += 1
            self.refresh()
            self.refresh_bindings()
            self._post_search_status()

    def action_end_search(self) -> None:
        self.end_search()

    def current_hit_number(self) -> int:
        """1-based number of the hit under the cursor (0 when the cursor is on none)."""
        i = bisect_right(self._hit_starts, self._cursor) - 1
        if i >= 0 and self._hit_starts[i] <= self._cursor < self._hit_ends[i]:
            return i + 1
        return 0

    def _post_search_status(self) -> None:
        self.post_message(
            self.SearchChanged(self._query, self.current_hit_number(), len(self._hit_starts), self._search_active)
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # n / N step through search hits while a search is active, names otherwise;
        # escape only means something while searching.
        if action in ("next_hit", "previous_hit", "end_search"):
            return self._search_active
        if action in ("next_mention", "previous_mention"):
            return not self._search_active
        if action == "clear_selection":
            return self._anchor is not None
        return True

    # -- mouse -----------------------------------------------------------------------
    async def _on_click(self, event: events.Click) -> None:
        if self._wrap is None:
            return
        row = int(self.scroll_y) + event.y
        column = event.x - self.styles.padding.left
        if 0 <= row < len(self._wrap):
            self.move_to(self._wrap.offset_at(row, column), center=False)

    # -- rendering ---------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.palette.clear()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        base = self.rich_style
        if width <= 0:
            return Strip.blank(0, base)
        if self._doc is None or self._wrap is None:
            return self._placeholder_line(y, width, base)
        row = int(self.scroll_y) + y
        if not 0 <= row < len(self._wrap):
            return Strip.blank(width, base)
        start, stop = self._wrap.span(row)
        if self._touches_cursor(start, stop):
            return self._render_row(start, stop, width, base, with_cursor=True)
        key = (self._generation, row, width)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._render_row(start, stop, width, base, with_cursor=False)
        return strip

    def _placeholder_line(self, y: int, width: int, base: Style) -> Strip:
        lines = ["", "No document is open.", "", "Press d for the list of documents,", "e for the entity index, ctrl+p to search."]
        if self._index is None:
            lines = ["", "Opening the corpus…"]
        elif not self._index.documents:
            corpus = self._index.corpus
            if corpus.problems:
                n = len(corpus.problems)
                lines = ["", f"No document could be read: {n} file{'s' if n != 1 else ''} had problems.", "",
                         "Press ! to see which, and why."]
            else:
                lines = ["", "No .txt, .md or .html files in", clean(str(corpus.root))]
                if corpus.skipped:
                    n = len(corpus.skipped)
                    lines += ["", f"({n} file{'s' if n != 1 else ''} of other types left out)"]
        if y >= len(lines):
            return Strip.blank(width, base)
        text = Text(lines[y], style=self.get_component_rich_style("reader--placeholder", partial=True))
        text.truncate(width, pad=True)
        return Strip(list(text.render(self.app.console))).apply_style(base)

    def _cursor_span(self) -> tuple[int, int]:
        mention = self.current_mention
        if mention is not None:
            return mention.start, mention.end
        return self._cursor, self._cursor + 1

    def _touches_cursor(self, start: int, stop: int) -> bool:
        """Rows with the cursor or part of the selection are drawn fresh, never cached."""
        cs, ce = self._cursor_span()
        if cs < stop and ce > start:
            return True
        selection = self.selection
        return selection is not None and selection[0] < stop and selection[1] > start

    def _render_row(self, start: int, stop: int, width: int, base: Style, *, with_cursor: bool) -> Strip:
        assert self._doc is not None and self._index is not None
        raw = self._doc.text[start:stop]
        shown = lone_joiners(raw.translate(_BLANK_CELLS))  # same length: offsets hold
        if _CONTROLS.search(shown):
            shown = _CONTROLS.sub(" ", shown)
        text = Text(shown, no_wrap=True, end="")
        palette = self.palette
        # Mentions on this row.
        mentions, starts = self._mentions, self._starts
        i = bisect_right(starts, start) - 1
        if i < 0 or mentions[i].end <= start:
            i += 1
        entity = self._index.entity
        while i < len(mentions) and mentions[i].start < stop:
            m = mentions[i]
            text.stylize(palette.entity(entity(m.entity)), max(m.start, start) - start, min(m.end, stop) - start)
            i += 1
        # Search hits on this row.
        if self._hit_starts:
            hs, he = self._hit_starts, self._hit_ends
            j = bisect_right(hs, start) - 1
            if j < 0 or he[j] <= start:
                j += 1
            hit_style = palette("reader--hit")
            while j < len(hs) and hs[j] < stop:
                text.stylize(hit_style, max(hs[j], start) - start, min(he[j], stop) - start)
                j += 1
        selection = self.selection if with_cursor else None
        if selection is not None and selection[0] < stop and selection[1] > start:
            text.stylize(palette("reader--selection"), max(selection[0], start) - start, min(selection[1], stop) - start)
            if start <= self._cursor < stop:
                at = self._cursor - start
                text.stylize(palette("reader--selection-cursor"), at, at + 1)
        elif with_cursor and self.has_focus_within_app():
            cs, ce = self._cursor_span()
            on_mention = self.current_mention is not None
            if on_mention:
                text.stylize(palette("reader--current"), max(cs, start) - start, min(ce, stop) - start)
            if start <= self._cursor < stop:
                text.stylize(palette("reader--cursor"), self._cursor - start, self._cursor - start + 1)
        elif with_cursor:
            # Unfocused: keep the current mention marked, drop the block cursor.
            if self.current_mention is not None:
                cs, ce = self._cursor_span()
                text.stylize(palette("reader--current"), max(cs, start) - start, min(ce, stop) - start)
        segments = list(text.render(self.app.console))
        return Strip(segments).crop_extend(0, width, base).apply_style(base)

    def has_focus_within_app(self) -> bool:
        return self.has_focus or self.app.focused is None

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._search_opening = False  # the search field has the keys now
        self.refresh()
