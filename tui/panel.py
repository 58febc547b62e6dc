"""The side panel: everything the corpus says about the entity under the cursor.

Rows, top to bottom: the entity (name, type, Hangul, aliases, description),
how the mention under the cursor was matched, "N mentions in K documents",
then every mention grouped by document (line number and context, the one
under the cursor marked ▶), then the entities named most often in the same
paragraphs. Enter on a mention jumps there; on a document, to its first
mention; on a co-occurring entity, to that entity.

Built on :class:`RowList` with a virtual list of rows (:class:`PanelRows`):
the rows of an entity named 250,000 times are worked out from per-document
counts when they are looked at (what is on screen, what the cursor passes),
so showing any entity costs the same few milliseconds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from itertools import accumulate
from typing import Any, ClassVar, overload

from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget

from tui.messages import CiteRequested
from tui.rowlist import Row, RowList, TextRow
from tui.style import ENTITY_COMPONENTS, MATCH_EXPLANATIONS, TYPE_LABELS, Palette, clean, document_label, lone_joiners
from xref.index import CorpusIndex, Snippet
from xref.model import Entity, Mention

MAX_ALIASES_SHOWN = 12
COOCCURRING_LIMIT = 12
MENTION_PAGE = 16  # mentions fetched from the index at a time (about a screenful: each may load a document)
PAGES_KEPT = 64  # pages of mentions kept per entity
ROWS_KEPT = 512  # row objects kept per list (so a row looked at twice is the same object)
LAYOUTS_KEPT = 8  # entities whose list shape stays computed


class MentionRow:
    __slots__ = ("panel", "mention", "digits")
    selectable = True

    def __init__(self, panel: MentionPanel, mention: Mention, digits: int) -> None:
        self.panel = panel
        self.mention = mention
        self.digits = digits

    def render(self, width: int, palette: Palette) -> Text:
        panel = self.panel
        m = self.mention
        snippet = panel.snippet(m)
        current = panel.current_mention == m
        out = Text(no_wrap=True)
        out.append("▶ " if current else "  ", style=palette("rowlist--marker"))
        out.append(f"{snippet.line:>{self.digits}} ", style=palette("rowlist--dim"))
        room = width - out.cell_len
        # Snippets are one line and control-free when made; only joiners to mend.
        before, match, after = (lone_joiners(part) for part in (snippet.before, snippet.match, snippet.after))
        # Keep the name visible: at most a third of the room goes to text before it.
        keep = max(room // 3, 0)
        if len(before) > keep:
            before = "…" + before[len(before) - keep + 1 :] if keep > 1 else ""
        out.append(before)
        entity = panel.entity
        match_style = palette.entity(entity) if entity is not None else palette("rowlist--match")
        out.append(match, style=match_style + palette("rowlist--match"))
        out.append(after)
        return out


class DocumentRow:
    __slots__ = ("label", "count", "doc_id", "first")
    selectable = True

    def __init__(self, doc_id: str, label: str, count: int, first: int | None = None) -> None:
        self.doc_id = doc_id
        self.label = label
        self.count = count
        self.first = first  # the entity's number of this document's first mention (corpus order)

    def render(self, width: int, palette: Palette) -> Text:
        # A rule-like heading, so a document titled like a person never reads as one.
        count = f" · {self.count} ─"
        text = Text("── ", style=palette("rowlist--dim"), no_wrap=True, overflow="ellipsis")
        text.append(self.label, style=palette("rowlist--heading"))
        text.truncate(max(4, width - len(count) - 1), overflow="ellipsis")
        text.append(count, style=palette("rowlist--dim"))
        if text.cell_len < width:
            text.append("─" * (width - text.cell_len), style=palette("rowlist--dim"))
        return text


class EntityRow:
    __slots__ = ("entity", "count")
    selectable = True

    def __init__(self, entity: Entity, count: int) -> None:
        self.entity = entity
        self.count = count

    def render(self, width: int, palette: Palette) -> Text:
        text = Text("  ", no_wrap=True)
        text.append(clean(self.entity.name), style=palette.entity(self.entity))
        label = TYPE_LABELS.get(str(self.entity.type), str(self.entity.type))
        text.append(f"  {label}" + (", discovered" if self.entity.discovered else ""), style=palette("rowlist--dim"))
        text.append(f"  ×{self.count}", style=palette("rowlist--dim"))
        return text


class EntityLayout:
    """The shape of one entity's part of the panel, from per-document counts only.

    Below the header come, for the j-th document naming the entity, a heading
    row and then its mentions; so the heading of document j is row
    ``j + cum[j]`` of this part and mention number ``g`` (corpus order) of
    document j is row ``j + 1 + g``. Mentions are fetched from the index a page
    at a time (:meth:`CorpusIndex.mention_slice`) and a few pages are kept.
    """

    __slots__ = ("index", "entity_id", "doc_ids", "cum", "heads", "digits", "total", "_pages", "_cooccurring")

    def __init__(self, index: CorpusIndex, entity_id: str) -> None:
        self.index = index
        self.entity_id = entity_id
        counts = index.doc_counts(entity_id)
        self.doc_ids: list[str] = list(counts)
        self.cum: list[int] = list(accumulate(counts.values(), initial=0))
        self.heads: list[int] = [j + c for j, c in enumerate(self.cum[:-1])]
        self.total = self.cum[-1]
        self.digits = len(str(max(map(index.doc_line_count, self.doc_ids), default=1)))
        self._pages: LRUCache[int, list[Mention]] = LRUCache(PAGES_KEPT)
        self._cooccurring: list[tuple[Entity, int]] | None = None

    @property
    def documents(self) -> int:
        return len(self.doc_ids)

    @property
    def rows(self) -> int:
        """Headings plus mentions."""
        return len(self.doc_ids) + self.total

    def mention(self, position: int) -> Mention:
        """Mention number ``position`` of the entity, in corpus order."""
        page_no, within = divmod(position, MENTION_PAGE)
        page = self._pages.get(page_no)
        if page is None:
            start = page_no * MENTION_PAGE
            page = self.index.mention_slice(self.entity_id, start, min(self.total, start + MENTION_PAGE))
            self._pages[page_no] = page
        return page[within]

    def document_of(self, position: int) -> int:
        """j: the document (of this entity's documents) holding mention ``position``."""
        return bisect_right(self.cum, position) - 1

    def position_of(self, mention: Mention) -> int | None:
        """The mention's number in corpus order, or None when it is not one of this entity's."""
        index = self.index
        if mention.entity != self.entity_id or self.total == 0 or mention.doc not in index.doc_order:
            return None
        position = index.mentions_before(self.entity_id, mention.doc, mention.start)
        if position >= self.total:
            return None
        page = self._pages.get(position // MENTION_PAGE)
        if page is not None:
            found = page[position % MENTION_PAGE]
        else:  # just the one: its neighbours may be in other documents, not needed yet
            found = index.mention_slice(self.entity_id, position, position + 1)[0]
        return position if found == mention else None

    def cooccurring(self) -> list[tuple[Entity, int]]:
        if self._cooccurring is None:
            self._cooccurring = self.index.cooccurring(self.entity_id, limit=COOCCURRING_LIMIT)
        return self._cooccurring


class PanelRows(Sequence[Row]):
    """The panel's rows: fixed header rows, the entity's documents and mentions
    (made when looked at, see :class:`EntityLayout`), then fixed trailing rows."""

    __slots__ = ("panel", "head", "layout", "tail", "body_start", "tail_start", "_len", "_made")

    def __init__(self, panel: MentionPanel, head: list[Row], layout: EntityLayout | None, tail: list[Row]) -> None:
        self.panel = panel
        self.head = head
        self.layout = layout
        self.tail = tail
        self.body_start = len(head)
        self.tail_start = self.body_start + (layout.rows if layout is not None else 0)
        self._len = self.tail_start + len(tail)
        self._made: LRUCache[int, Row] = LRUCache(ROWS_KEPT)

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, i: int) -> Row: ...
    @overload
    def __getitem__(self, i: slice) -> list[Row]: ...
    def __getitem__(self, i: int | slice) -> Row | list[Row]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("row index out of range")
        if i < self.body_start:
            return self.head[i]
        if i >= self.tail_start:
            return self.tail[i - self.tail_start]
        row = self._made.get(i)
        if row is None:
            row = self._made[i] = self._body_row(i - self.body_start)
        return row

    def _body_row(self, offset: int) -> Row:
        layout = self.layout
        assert layout is not None
        j = bisect_right(layout.heads, offset) - 1
        head = layout.heads[j]
        first = layout.cum[j]
        if offset == head:
            doc_id = layout.doc_ids[j]
            doc = layout.index.document(doc_id)
            return DocumentRow(doc_id, document_label(doc.title, doc.id), layout.cum[j + 1] - first, first)
        return MentionRow(self.panel, layout.mention(first + offset - head - 1), layout.digits)

    def mention_row(self, position: int) -> int:
        """The row of the entity's mention number ``position``."""
        assert self.layout is not None
        return self.body_start + self.layout.document_of(position) + 1 + position

    def row_of(self, mention: Mention) -> int | None:
        """The row listing ``mention``, or None."""
        if self.layout is None:
            return None
        position = self.layout.position_of(mention)
        return None if position is None else self.mention_row(position)

    def with_head(self, head: list[Row]) -> PanelRows:
        """The same rows under another header of the same height."""
        rows = PanelRows(self.panel, head, self.layout, self.tail)
        rows._made = self._made
        return rows


CITE = Binding.Group("Cite")


class MentionPanel(RowList):
    """Cross-references of one entity (see the module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "y", "cite", "Cite", tooltip="Copy a citation of the sentence around the highlighted mention",
            id="panel.cite", group=CITE,
        ),
        Binding(
            "Y", "cite_paragraph", "Cite paragraph", tooltip="Copy a citation of the highlighted mention's paragraph",
            id="panel.cite_paragraph", group=CITE,
        ),
    ]

    class JumpRequested(Message):
        """Go to this mention (in whatever document it is)."""

        def __init__(self, mention: Mention) -> None:
            super().__init__()
            self.mention = mention

    class EntityShown(Message):
        """The panel now shows ``entity`` (None: nothing) with these totals."""

        def __init__(self, entity: Entity | None, mentions: int, documents: int) -> None:
            super().__init__()
            self.entity = entity
            self.mentions = mentions
            self.documents = documents

    class EntityRequested(Message):
        """Show this entity (a co-occurring one was chosen)."""

        def __init__(self, entity_id: str) -> None:
            super().__init__()
            self.entity_id = entity_id

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._index: CorpusIndex | None = None
        self._entity: Entity | None = None
        self._current: Mention | None = None
        self._built_key: tuple[int, bool] = (-1, False)
        self._header_len = 0
        self._layouts: OrderedDict[str, EntityLayout] = OrderedDict()
        self._snippets: LRUCache[Mention, Snippet] = LRUCache(512)
        self._entity_header_key: tuple[Any, ...] | None = None
        self._entity_header_rows: list[Row] = []

    # -- state --------------------------------------------------------------------
    @property
    def entity(self) -> Entity | None:
        return self._entity

    @property
    def current_mention(self) -> Mention | None:
        return self._current

    @property
    def listed_mentions(self) -> list[Mention]:
        """Every mention the panel lists, in order (for tests: builds them all)."""
        layout = self._panel_rows.layout if self._panel_rows is not None else None
        if layout is None:
            return []
        return layout.index.mention_slice(layout.entity_id, 0, layout.total)

    def listed_text(self) -> str:
        """The panel as plain text, one row a line, at the current width (for tests: renders every row)."""
        width = max(20, self.scrollable_content_region.width)
        rows = self.rows
        return "\n".join(rows[i].render(width, self.palette).plain for i in range(len(rows)))

    @property
    def _panel_rows(self) -> PanelRows | None:
        rows = self._rows
        return rows if isinstance(rows, PanelRows) else None

    def _layout_for(self, index: CorpusIndex, entity_id: str) -> EntityLayout:
        layouts = self._layouts
        found = layouts.get(entity_id)
        if found is not None and found.index is index:
            layouts.move_to_end(entity_id)
            return found
        found = layouts[entity_id] = EntityLayout(index, entity_id)
        while len(layouts) > LAYOUTS_KEPT:
            layouts.popitem(last=False)
        return found

    def snippet(self, mention: Mention) -> Snippet:
        found = self._snippets.get(mention)
        if found is None:
            assert self._index is not None
            found = self._snippets[mention] = self._index.snippet(mention, width=100)
        return found

    def show(self, index: CorpusIndex, entity_id: str | None, current: Mention | None = None) -> None:
        """Show ``entity_id`` with ``current`` marked (None: nothing marked)."""
        if index is not self._index:
            self._snippets.clear()
            self._layouts.clear()
        same_entity = self._entity is not None and entity_id == self._entity.id and index is self._index
        self._index = index
        self._current = current
        if same_entity and self._built_key == self._layout_key():
            # Only the marker moved: no rebuild, just move the list cursor.
            self._strips.clear()
            rows = self._panel_rows
            row = rows.row_of(current) if current is not None and rows is not None else None
            if row is not None:
                self.move_to(row, center=True)
            self._rebuild_header_only()
            return
        self._entity = index.entity(entity_id) if entity_id is not None else None
        self._rebuild(scroll_top=True)
        entity = self._entity
        if entity is None:
            self.post_message(self.EntityShown(None, 0, 0))
        else:
            layout = self._layout_for(index, entity.id)
            self.post_message(self.EntityShown(entity, layout.total, layout.documents))

    def adopt_index(self, index: CorpusIndex) -> None:
        """A fuller index of the same corpus: the same name, with the counts and
        mentions of ``index``, highlighted on the same mention as before."""
        if self._entity is None or index is self._index:
            self._index = index
            return
        mention = self.highlighted_mention
        self._snippets.clear()
        self._layouts.clear()
        self._index = index
        self._entity = index.entities.get(self._entity.id, self._entity)
        self._rebuild(scroll_top=False)
        rows = self._panel_rows
        row = rows.row_of(mention) if mention is not None and rows is not None else None
        if row is not None:
            self.move_to(row, center=True)
        layout = self._layout_for(index, self._entity.id)
        self.post_message(self.EntityShown(self._entity, layout.total, layout.documents))

    def clear(self) -> None:
        self._entity = None
        self._current = None
        self._rebuild(scroll_top=True)
        self.post_message(self.EntityShown(None, 0, 0))

    def _width(self) -> int:
        return max(10, self.scrollable_content_region.width)

    def _layout_key(self) -> tuple[int, bool]:
        height = self.scrollable_content_region.height
        return self._width(), 0 < height < 16

    def on_resize(self, event: events.Resize) -> None:
        if self._layout_key() != self._built_key:
            # The rows are wrapped again for the new width; the highlight stays on
            # the row the user moved to (not the reader's mention): the same
            # mention, document or partner, wherever the header's new height puts it.
            old, cursor = self._panel_rows, self.cursor
            mention = self.highlighted_mention
            self._rebuild(scroll_top=False)
            new = self._panel_rows
            if old is None or new is None or cursor is None:
                return
            target: int | None = None
            if mention is not None:
                target = new.row_of(mention)
            elif old.body_start <= cursor < old.tail_start:
                target = new.body_start + cursor - old.body_start
            elif cursor >= old.tail_start:
                target = new.tail_start + cursor - old.tail_start
            if target is None or not 0 <= target < len(new):
                target = self.cursor
            if target is not None:
                self.move_to(target, center=True)
                if target < self.scrollable_content_region.height - 2:
                    # The row fits under the header: the scroll offset kept from
                    # another height would hide the header with room to spare below.
                    self.scroll_to(y=0, animate=False, force=True)

    # -- building rows --------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._entity_header_key = None  # its lines hold the old styles

    def _header_rows(self, width: int) -> list[Row]:
        return [*self._entity_header(width), *self._here_rows(width)]

    def _wrapped(self, text: Text, width: int, max_lines: int = 0) -> list[Row]:
        """``text`` wrapped to ``width``, one row a line; in a short panel (stacked
        under the reader) at most ``max_lines`` lines, so the mentions stay in view."""
        lines = list(text.wrap(self.app.console, width, overflow="fold"))
        if max_lines and self._layout_key()[1] and len(lines) > max_lines:
            lines = lines[:max_lines]
            last = lines[-1]
            last.truncate(max(1, width - 1))
            last.append("…")
        rows: list[Row] = []
        for line in lines:
            line.rstrip()
            rows.append(TextRow(line))
        return rows

    def _entity_header(self, width: int) -> list[Row]:
        """The header lines that describe the entity: the same for every mention
        of it, so wrapped once per entity, width and panel shape."""
        entity, index = self._entity, self._index
        key = (entity, index, width, self._layout_key()[1])
        if key == self._entity_header_key:
            return self._entity_header_rows
        palette = self.palette
        rows: list[Row] = []
        if entity is None or index is None:
            rows += self._wrapped(
                Text(
                    "Names in the text are underlined. Put the cursor on one (n / N step "
                    "through them) and this panel lists every place the corpus mentions it.",
                    style=palette("rowlist--dim"),
                ),
                width,
            )
        else:
            if entity.discovered:
                rows += self._wrapped(Text("Discovered: not in the knowledge base", style=palette("rowlist--dim")), width)
            if entity.hangul:
                hangul = Text("Hangul: ", style=palette("rowlist--dim"))
                hangul.append(clean(entity.hangul))
                rows += self._wrapped(hangul, width)
            if entity.aliases:
                shown = [clean(a) for a in entity.aliases[:MAX_ALIASES_SHOWN]]
                more = len(entity.aliases) - len(shown)
                aliases = Text("Also: ", style=palette("rowlist--dim"))
                aliases.append(", ".join(shown) + (f", +{more} more" if more > 0 else ""))
                rows += self._wrapped(aliases, width, max_lines=1)
            if entity.description:
                rows += self._wrapped(Text(clean(entity.description), style="italic"), width, max_lines=2)
        self._entity_header_key, self._entity_header_rows = key, rows
        return rows

    def _here_rows(self, width: int) -> list[Row]:
        """The "Here:" line: how the marked mention was recognised."""
        entity, current = self._entity, self._current
        if entity is None or self._index is None or current is None or current.entity != entity.id:
            return []
        palette = self.palette
        how = MATCH_EXPLANATIONS.get(str(current.match), str(current.match))
        here = Text("Here: ", style=palette("rowlist--dim"))
        here.append(f"“{clean(current.surface)}”")
        here.append(f" is {how}", style=palette("rowlist--dim"))
        if current.score is not None and str(current.match) == "fuzzy":
            here.append(f", score {current.score:.0f}", style=palette("rowlist--dim"))
        return self._wrapped(here, width)

    def _rebuild_header_only(self) -> None:
        """Re-render the header (the "Here:" line changes with the marked mention)."""
        if self._entity is None or self._index is None:
            return
        width = self._width()
        old_header = self._header_len
        new_header = self._header_rows(width)
        if len(new_header) != old_header:
            # Same list below a taller or shorter header: keep the reader's place in it.
            shift = len(new_header) - old_header
            cursor, top = self.cursor, self.scroll_y
            self._rebuild(scroll_top=False)
            if cursor is not None:
                self.scroll_to(y=max(0, top + shift), animate=False, force=True)
                self.move_to(cursor + shift, center=False)
            return
        rows = self._panel_rows
        if rows is None:  # pragma: no cover - the panel always holds PanelRows once built
            self._rebuild(scroll_top=False)
            return
        self._rows = rows.with_head([*new_header, *rows.head[old_header:]])
        self._generation += 1
        self._strips.clear()
        self.refresh()

    def _rebuild(self, *, scroll_top: bool) -> None:
        width = self._width()
        self._built_key = self._layout_key()
        head = self._header_rows(width)
        self._header_len = len(head)
        entity, index = self._entity, self._index
        layout: EntityLayout | None = None
        tail: list[Row] = []
        if entity is not None and index is not None:
            layout = self._layout_for(index, entity.id)
            head.append(TextRow(Text("")))
            cooccurring = layout.cooccurring()
            if cooccurring:
                tail.append(TextRow(Text("")))
                tail.append(TextRow(Text("Often in the same paragraph (× paragraphs)", style=self.palette("rowlist--heading"))))
                tail.extend(EntityRow(e, c) for e, c in cooccurring)
        rows = PanelRows(self, head, layout, tail)
        cursor: int | None = None
        if layout is not None:
            if self._current is not None:
                cursor = rows.row_of(self._current)
            if cursor is None and layout.total:
                cursor = rows.mention_row(0)
        self.set_rows(rows, cursor, top=scroll_top)
        if cursor is not None:
            self.move_to(cursor, center=True)

    # -- citations ----------------------------------------------------------------------
    @property
    def highlighted_mention(self) -> Mention | None:
        row = self.highlighted_row
        return row.mention if isinstance(row, MentionRow) else None

    def _cite(self, paragraph: bool) -> None:
        mention = self.highlighted_mention
        if mention is None or self._index is None:
            self.notify("Highlight a mention in the list to cite it", timeout=3, markup=False)
            return
        from xref.cite import paragraph_span, sentence_span  # on first use: not needed to start

        doc = self._index.document(mention.doc)
        span = paragraph_span if paragraph else sentence_span
        start, end = span(doc, mention.start)
        self.post_message(CiteRequested(doc.id, start, end, "paragraph" if paragraph else "sentence"))

    def action_cite(self) -> None:
        self._cite(paragraph=False)

    def action_cite_paragraph(self) -> None:
        self._cite(paragraph=True)

    # -- selection --------------------------------------------------------------------
    def on_row_list_selected(self, event: RowList.Selected) -> None:
        if event.row_list is not self:
            return
        event.stop()
        row = event.row
        if isinstance(row, MentionRow):
            self.post_message(self.JumpRequested(row.mention))
        elif isinstance(row, DocumentRow) and self._entity is not None and self._index is not None:
            layout = self._layout_for(self._index, self._entity.id)
            position = row.first
            if position is None and row.doc_id in layout.doc_ids:
                position = layout.cum[layout.doc_ids.index(row.doc_id)]
            first = layout.mention(position) if position is not None and position < layout.total else None
            if first is not None and first.doc == row.doc_id:
                self.post_message(self.JumpRequested(first))
        elif isinstance(row, EntityRow):
            self.post_message(self.EntityRequested(row.entity.id))


class EntityTitle(Widget):
    """The side panel's first line, which never scrolls: name, type, totals."""

    DEFAULT_CSS = """
    EntityTitle {
        height: 1;
        padding: 0 1;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"entitytitle--dim", *ENTITY_COMPONENTS}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: MentionPanel.EntityShown | None = None
        self.palette = Palette(self)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.palette.clear()

    def show(self, shown: MentionPanel.EntityShown) -> None:
        self._shown = shown
        self.refresh()

    @property
    def plain(self) -> str:
        return self.render().plain

    def render(self) -> Text:
        dim = self.palette("entitytitle--dim")
        shown = self._shown
        if shown is None or shown.entity is None:
            return Text("No name under the cursor yet", style=dim, no_wrap=True, overflow="ellipsis")
        entity = shown.entity
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(clean(entity.name), style=self.palette.entity(entity) + Style(bold=True))
        kind = TYPE_LABELS.get(str(entity.type), str(entity.type))
        n, k = shown.mentions, shown.documents
        totals = f"{n:,} mention{'s' if n != 1 else ''} in {k:,} document{'s' if k != 1 else ''}"
        width = self.size.width
        if text.cell_len + len(kind) + 5 + len(totals) > width > 0:
            totals = f"{n:,} in {k:,} doc{'s' if k != 1 else ''}"  # narrow: both numbers still fit
            if text.cell_len + len(kind) + 5 + len(totals) > width:
                kind = ""  # narrower still: the numbers matter more than the type's name
        text.append(f"  {kind} · {totals}" if kind else f" · {totals}", style=dim)
        return text


class SidePanel(Vertical):
    """Title line + the scrolling cross-reference list."""

    def compose(self) -> ComposeResult:
        yield EntityTitle(id="entity-title")
        yield MentionPanel(id="panel")

    @on(MentionPanel.EntityShown)
    def _entity_shown(self, event: MentionPanel.EntityShown) -> None:
        self.query_one(EntityTitle).show(event)
