"""The reader pane: a one-line document header, the reader, and its search bar."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from tui.reader import Reader
from tui.style import clean, document_label
from xref.model import Document


class DocHeader(Widget):
    """Title · author · date on the left, the position (and search) on the right."""

    DEFAULT_CSS = """
    DocHeader {
        height: 1;
        padding: 0 1;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"docheader--title", "docheader--meta", "docheader--position"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._doc: Document | None = None
        self._position = ""
        self._search = ""

    def set_document(self, doc: Document | None) -> None:
        self._doc = doc
        self.refresh()

    def set_position(self, position: str) -> None:
        self._position = position
        self.refresh()

    def set_search(self, status: str) -> None:
        self._search = status
        self.refresh()

    def render(self) -> Text:
        """Two lines when there is room (title / byline), else one."""
        width = max(self.content_region.width, 0)
        title_style = self.get_component_rich_style("docheader--title", partial=True)
        meta_style = self.get_component_rich_style("docheader--meta", partial=True)
        pos_style = self.get_component_rich_style("docheader--position", partial=True)
        if self._doc is None:
            return Text("xref — choose a document (d)", style=meta_style, no_wrap=True, overflow="ellipsis")
        title = Text(document_label(self._doc.title, self._doc.id), style=title_style, no_wrap=True)
        meta_parts = [clean(x) for x in (self._doc.author, self._doc.date, self._doc.publisher) if clean(x)]
        meta = Text(" · ".join(meta_parts), style=meta_style, no_wrap=True)
        position = Text(self._position, style=pos_style, no_wrap=True)
        search = Text(self._search, style=title_style, no_wrap=True)
        if self.content_region.height >= 2:
            line1 = _left_right(title, position, width)
            line2 = _left_right(meta, search, width)
            return Text("\n").join([line1, line2])
        right = Text.assemble(search, "  " if self._search else "", position)
        left = title.copy()
        if meta.plain:
            room = width - right.cell_len - 2
            # Keep the byline when the title would crowd it out entirely.
            if title.cell_len + 2 + meta.cell_len > room and room > 30:
                left.truncate(max(room - min(meta.cell_len, room // 3) - 2, 10), overflow="ellipsis")
            left.append("  ")
            left.append_text(meta)
        return _left_right(left, right, width)


def _left_right(left: Text, right: Text, width: int) -> Text:
    """``left`` (cut with …) and ``right`` (right-aligned) on one line of ``width``."""
    room = width - right.cell_len - 2
    if room < 8:  # too narrow for both: the left side wins
        out = left.copy()
        out.truncate(max(width, 0), overflow="ellipsis")
        return out
    out = left.copy()
    out.truncate(room, overflow="ellipsis", pad=True)
    return Text.assemble(out, "  ", right, no_wrap=True)


class SearchBar(Input):
    """The search field under the reader (typing searches live)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Go to the next hit", id="search.go"),
        Binding("escape", "cancel", "Cancel search", id="search.cancel"),
    ]

    class Cancelled(Message):
        """Escape in the search field."""

    def action_cancel(self) -> None:
        self.post_message(SearchBar.Cancelled())


class ReaderPane(Vertical):
    """Wires the reader to its header and search bar (its own children)."""

    DEFAULT_CSS = """
    ReaderPane SearchBar {
        display: none;
        height: 1;
        border: none;
        padding: 0 1;
    }
    ReaderPane.-searching SearchBar {
        display: block;
    }
    """

    def compose(self) -> ComposeResult:
        yield DocHeader(id="doc-header")
        yield Reader(id="reader")
        yield SearchBar(placeholder="Search this document (enter: go, esc: cancel)", id="search", select_on_focus=True)

    @property
    def reader(self) -> Reader:
        return self.query_one(Reader)

    @property
    def header(self) -> DocHeader:
        return self.query_one(DocHeader)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    def on_mount(self) -> None:
        self.reader.add_move_listener(self._update_header)

    # The header follows the reader (called by the reader itself, in the same frame).
    def _update_header(self, event: Reader.CursorMoved) -> None:
        doc = event.reader.current_doc
        header = self.header
        header.set_document(doc)
        if doc is None:
            header.set_position("")
            return
        layout = doc.layout
        line = layout.line_of(event.offset)
        para = layout.paragraph_of(event.offset)
        header.set_position(f"line {line}/{layout.line_count} · ¶ {para}")

    @on(Reader.SearchChanged)
    def _update_search_status(self, event: Reader.SearchChanged) -> None:
        if not event.active:
            self.header.set_search("")
            return
        query = clean(event.query)
        if len(query) > 20:
            query = query[:19] + "…"
        if event.total == 0:
            status = f"“{query}” not found"
        elif event.current:
            status = f"“{query}” {event.current}/{event.total}"
        else:
            status = f"“{query}” {event.total} hit{'s' if event.total != 1 else ''}"
        self.header.set_search(status)

    # Search: "/" opens the bar; typing highlights live; enter goes to the first
    # hit after the cursor and returns to the reader, where n / N step through
    # hits until escape ends the search.
    @on(Reader.SearchRequested)
    def _open_search(self, event: Reader.SearchRequested) -> None:
        event.stop()
        self.add_class("-searching")
        bar = self.search_bar
        bar.value = self.reader.search_query
        bar.focus()

    @on(Reader.SearchTyped)
    def _typed_early(self, event: Reader.SearchTyped) -> None:
        event.stop()
        if self.has_class("-searching"):
            self.search_bar.post_message(events.Key(event.key, event.character))

    @on(Input.Changed, "#search")
    def _search_typed(self, event: Input.Changed) -> None:
        event.stop()
        self.reader.set_search(event.value)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.remove_class("-searching")
        reader = self.reader
        reader.set_search(event.value)
        reader.focus()
        if event.value:
            # Step from the reader's own context, once it has the focus and the query.
            def step() -> None:
                if not reader.search_step(True, include_current=False):
                    reader.notify("Not found in this document", timeout=2, markup=False)

            reader.call_later(step)

    @on(SearchBar.Cancelled)
    def _search_cancelled(self, event: SearchBar.Cancelled) -> None:
        event.stop()
        self.remove_class("-searching")
        self.reader.end_search()
        self.reader.focus()

    def open_search(self) -> None:
        self.reader.action_search()
