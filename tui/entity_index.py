"""The entity index (key e): every mentioned entity, labelled by type, most named first."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.filterlist import FilterInput, FilterList
from tui.keybar import KeyBar, KeyHint
from tui.rowlist import Row, TextRow
from tui.style import TYPE_LABELS, Palette, clean
from xref.index import CorpusIndex
from xref.model import Entity

TYPE_ORDER = ("person", "organisation", "place", "event", "work", "other")


class EntityEntry:
    """One entity of the index. ``documents`` may be left to ``index``: it is then
    counted when first shown, so opening the index costs no per-document work."""

    __slots__ = ("entity", "mentions", "_documents", "_index", "search_key")
    selectable = True

    def __init__(
        self, entity: Entity, mentions: int, documents: int | None = None, *, index: CorpusIndex | None = None
    ) -> None:
        if documents is None and index is None:
            raise ValueError("documents or index is needed")
        self.entity = entity
        self.mentions = mentions
        self._documents = documents
        self._index = index
        self.search_key = " ".join(clean(n) for n in entity.all_names).casefold()

    @property
    def documents(self) -> int:
        if self._documents is None:
            assert self._index is not None
            self._documents = len(self._index.doc_counts(self.entity.id))
        return self._documents

    def render(self, width: int, palette: Palette) -> Text:
        counts = f" {self.mentions:,} in {self.documents:,} doc{'s' if self.documents != 1 else ''}"
        text = Text("  ", no_wrap=True)
        text.append(clean(self.entity.name), style=palette.entity(self.entity))
        if self.entity.discovered:
            text.append(" (discovered)", style=palette("rowlist--dim"))
        if self.entity.hangul:
            text.append(f"  {clean(self.entity.hangul)}", style=palette("rowlist--dim"))
        text.truncate(max(1, width - len(counts)), overflow="ellipsis", pad=True)
        text.append(counts, style=palette("rowlist--dim"))
        return text


class EntityList(FilterList):
    """Entities grouped under their type headings; the filter matches any alias."""

    def __init__(self, index: CorpusIndex) -> None:
        super().__init__(placeholder="Filter entities by any name or alias…", id="entity-list")
        self._groups: dict[str, list[EntityEntry]] = {}
        for entity in index.mentioned_entities():
            entry = EntityEntry(entity, index.mention_count(entity.id), index=index)
            kind = str(entity.type) if str(entity.type) in TYPE_ORDER else "other"
            self._groups.setdefault(kind, []).append(entry)

    def on_mount(self) -> None:
        self.apply_filter("")

    def apply_filter(self, text: str) -> None:
        words = text.casefold().split()
        rows: list[Row] = []
        palette = self.row_list.palette
        for kind in TYPE_ORDER:
            entries = [e for e in self._groups.get(kind, []) if all(w in e.search_key for w in words)]
            if not entries:
                continue
            label = TYPE_LABELS.get(kind, kind).capitalize() + ("s" if kind != "other" else "")
            heading = Text(f"{label} ({len(entries)})", style=palette("rowlist--heading"))
            rows.append(TextRow(heading))
            rows.extend(entries)
        if not rows:
            rows.append(TextRow(Text("  No entity matches.", style=palette("rowlist--dim"))))
        self.row_list.set_rows(rows, top=True)

    @property
    def shown_entities(self) -> list[Entity]:
        return [r.entity for r in self.row_list.rows if isinstance(r, EntityEntry)]


class EntityIndexScreen(ModalScreen[str | None]):
    """Returns the chosen entity id (or None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_index", "Close", id="entities.close"),
    ]

    def __init__(self, index: CorpusIndex) -> None:
        super().__init__()
        self._index = index

    def compose(self) -> ComposeResult:
        with Vertical(id="entity-box", classes="modal-box") as box:
            box.border_title = "Entity index"
            yield EntityList(self._index)
            if not self._index.by_entity:
                yield Static("No names were recognised in this corpus.", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(EntityList).focus_filter()
        KeyHint(self, self.query_one("#entity-box"), "type to filter", "↑↓ move", ("filter.open", "open"),
                ("filter.close", "close"))

    def on_filter_list_picked(self, event: FilterList.Picked) -> None:
        event.stop()
        if isinstance(event.row, EntityEntry):
            self.dismiss(event.row.entity.id)

    def on_filter_input_left(self, event: FilterInput.Left) -> None:
        event.stop()
        self.dismiss(None)

    def action_dismiss_index(self) -> None:
        self.dismiss(None)
