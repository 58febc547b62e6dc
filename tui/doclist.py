"""The documents pane: every document with its title, author, date and number of names."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message

from tui.filterlist import FilterList
from tui.rowlist import Row
from tui.style import Palette, clean, document_label
from xref.index import CorpusIndex
from xref.model import Document


class DocumentEntry:
    """The title line of one document (selectable).

    Label and search key are made when first needed: a corpus of thousands of
    documents lists at once, and only the rows on screen are ever drawn.
    """

    __slots__ = ("doc", "count", "current", "_label", "_search_key")
    selectable = True
    attached = False

    def __init__(self, doc: Document, count: int) -> None:
        self.doc = doc
        self.count = count
        self.current = False
        self._label: str | None = None
        self._search_key: str | None = None

    @property
    def label(self) -> str:
        if self._label is None:
            self._label = document_label(self.doc.title, self.doc.id)
        return self._label

    @property
    def search_key(self) -> str:
        if self._search_key is None:
            doc = self.doc
            self._search_key = " ".join((self.label, doc.id, clean(doc.author), clean(doc.date))).casefold()
        return self._search_key

    def render(self, width: int, palette: Palette) -> Text:
        marker = "▶ " if self.current else "  "
        text = Text(marker, style=palette("rowlist--marker"), no_wrap=True, overflow="ellipsis")
        text.append(self.label, style=palette("rowlist--heading"))
        return text


class DocumentMeta:
    """The author · date · id line under a title (highlighted with it)."""

    __slots__ = ("doc", "count", "_text")
    selectable = False
    attached = True

    def __init__(self, doc: Document, count: int) -> None:
        self.doc = doc
        self.count = count
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            doc, count = self.doc, self.count
            names = f"{count:,} name{'s' if count != 1 else ''}"
            parts = [p for p in (clean(doc.author), clean(doc.date)) if p]
            if not parts and clean(doc.publisher):
                parts = [clean(doc.publisher)]
            self._text = "  " + " · ".join([names, *parts] if parts else [names, clean(doc.id)])
        return self._text

    def render(self, width: int, palette: Palette) -> Text:
        return Text(self.text, style=palette("rowlist--dim"), no_wrap=True, overflow="ellipsis")


class DocumentList(FilterList):
    """Filter-as-you-type list of documents; enter opens one."""

    class OpenRequested(Message):
        def __init__(self, doc_id: str) -> None:
            super().__init__()
            self.doc_id = doc_id

    class Closed(Message):
        """Escape on an empty filter: the user is done with the list."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(placeholder="Filter documents…", id=id, classes=classes)
        self._entries: list[tuple[DocumentEntry, DocumentMeta]] = []
        self._current: str | None = None

    def set_index(self, index: CorpusIndex) -> None:
        self._entries = []
        for doc in index.corpus.documents:
            count = index.doc_mention_count(doc.id)
            self._entries.append((DocumentEntry(doc, count), DocumentMeta(doc, count)))
        self.apply_filter(self.filter_input.value)

    def set_current(self, doc_id: str | None) -> None:
        """Mark the open document (▶) and highlight it."""
        self._current = doc_id
        for entry, _ in self._entries:
            entry.current = entry.doc.id == doc_id
        rows = self.row_list.rows
        target = next((i for i, r in enumerate(rows) if isinstance(r, DocumentEntry) and r.doc.id == doc_id), None)
        self.row_list.set_rows(rows, target)

    @property
    def shown_ids(self) -> list[str]:
        return [r.doc.id for r in self.row_list.rows if isinstance(r, DocumentEntry)]

    def apply_filter(self, text: str) -> None:
        words = text.casefold().split()
        rows: list[Row] = []
        cursor = None
        for entry, meta in self._entries:
            if all(w in entry.search_key for w in words):
                if entry.doc.id == self._current and cursor is None:
                    cursor = len(rows)
                rows.append(entry)
                rows.append(meta)
        self.row_list.set_rows(rows, None if words else cursor)

    def on_filter_list_picked(self, event: FilterList.Picked) -> None:
        event.stop()
        if isinstance(event.row, DocumentEntry):
            self.post_message(self.OpenRequested(event.row.doc.id))

    def on_filter_input_left(self, event) -> None:
        event.stop()
        self.post_message(self.Closed())
