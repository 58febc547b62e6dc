"""The side panel: everything the corpus says about the entity under the cursor.

Rows, top to bottom: the entity (name, type, Hangul, aliases, description),
how the mention under the cursor was matched, "N mentions in K documents",
then every mention grouped by document (line number and context, the one
under the cursor marked ▶), then the entities named most often in the same
paragraphs. Enter on a mention jumps there; on a document, to its first
mention; on a co-occurring entity, to that entity.

Built on :class:`RowList`, so an entity named 10,000 times costs 10,000 tiny
row objects and renders only the rows on screen.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget

from tui.citations import CiteRequested
from tui.rowlist import Row, RowList, TextRow
from tui.style import ENTITY_COMPONENTS, MATCH_EXPLANATIONS, TYPE_LABELS, Palette, clean, document_label
from xref.cite import paragraph_span, sentence_span
from xref.index import CorpusIndex, Snippet
from xref.model import Entity, Mention

MAX_ALIASES_SHOWN = 12
COOCCURRING_LIMIT = 12


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
        before, match, after = clean_snippet(snippet)
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
    __slots__ = ("label", "count", "doc_id")
    selectable = True

    def __init__(self, doc_id: str, label: str, count: int) -> None:
        self.doc_id = doc_id
        self.label = label
        self.count = count

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


def clean_snippet(snippet: Snippet) -> tuple[str, str, str]:
    return clean_keep_edges(snippet.before), clean_keep_edges(snippet.match), clean_keep_edges(snippet.after)


def clean_keep_edges(s: str) -> str:
    """Like :func:`clean` but keeps the spaces at the ends (they separate the parts)."""
    if not s:
        return s
    lead = " " if s[0] == " " else ""
    trail = " " if s[-1] == " " and len(s) > 1 else ""
    inner = clean(s)
    return f"{lead}{inner}{trail}" if inner else (" " if s.strip() == "" else "")


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
        self._mention_rows: dict[Mention, int] = {}
        self._snippets: LRUCache[Mention, Snippet] = LRUCache(512)

    # -- state --------------------------------------------------------------------
    @property
    def entity(self) -> Entity | None:
        return self._entity

    @property
    def current_mention(self) -> Mention | None:
        return self._current

    @property
    def listed_mentions(self) -> list[Mention]:
        """Every mention the panel lists, in order (for tests and citations)."""
        return [row.mention for row in self.rows if isinstance(row, MentionRow)]

    def listed_text(self) -> str:
        """The panel as plain text, one row a line, at the current width (for tests)."""
        width = max(20, self.scrollable_content_region.width)
        return "\n".join(row.render(width, self.palette).plain for row in self.rows)

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
        same_entity = self._entity is not None and entity_id == self._entity.id and index is self._index
        self._index = index
        self._current = current
        if same_entity and self._built_key == self._layout_key():
            # Only the marker moved: no rebuild, just move the list cursor.
            self._strips.clear()
            row = self._mention_rows.get(current) if current is not None else None
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
            self.post_message(
                self.EntityShown(entity, len(index.mentions_of(entity.id)), len(index.doc_counts(entity.id)))
            )

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
            self._rebuild(scroll_top=False)

    # -- building rows --------------------------------------------------------------
    def _header_rows(self, width: int) -> list[Row]:
        palette = self.palette
        console: Console = self.app.console
        entity, index = self._entity, self._index
        rows: list[Row] = []

        # A short panel (stacked under the reader) keeps the header short, so
        # the mentions stay in view; the full text shows in a tall panel.
        short = self._layout_key()[1]

        def para(text: Text, max_lines: int = 0) -> None:
            lines = list(text.wrap(console, width, overflow="fold"))
            if short and max_lines and len(lines) > max_lines:
                lines = lines[:max_lines]
                last = lines[-1]
                last.truncate(max(1, width - 1))
                last.append("…")
            for line in lines:
                line.rstrip()
                rows.append(TextRow(line))

        if entity is None or index is None:
            para(
                Text(
                    "Names in the text are underlined. Put the cursor on one (n / N step "
                    "through them) and this panel lists every place the corpus mentions it.",
                    style=palette("rowlist--dim"),
                )
            )
            return rows
        if entity.discovered:
            para(Text("Discovered: not in the knowledge base", style=palette("rowlist--dim")))
        if entity.hangul:
            hangul = Text("Hangul: ", style=palette("rowlist--dim"))
            hangul.append(clean(entity.hangul))
            para(hangul)
        if entity.aliases:
            shown = [clean(a) for a in entity.aliases[:MAX_ALIASES_SHOWN]]
            more = len(entity.aliases) - len(shown)
            aliases = Text("Also: ", style=palette("rowlist--dim"))
            aliases.append(", ".join(shown) + (f", +{more} more" if more > 0 else ""))
            para(aliases, max_lines=1)
        if entity.description:
            para(Text(clean(entity.description), style="italic"), max_lines=2)
        current = self._current
        if current is not None and current.entity == entity.id:
            how = MATCH_EXPLANATIONS.get(str(current.match), str(current.match))
            here = Text("Here: ", style=palette("rowlist--dim"))
            here.append(f"“{clean(current.surface)}”")
            here.append(f" is {how}", style=palette("rowlist--dim"))
            if current.score is not None and str(current.match) == "fuzzy":
                here.append(f", score {current.score:.0f}", style=palette("rowlist--dim"))
            para(here)
        return rows

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
        rows = list(self.rows)
        rows[:old_header] = new_header
        self._rows = rows
        self._generation += 1
        self._strips.clear()
        self.refresh()

    def _rebuild(self, *, scroll_top: bool) -> None:
        width = self._width()
        self._built_key = self._layout_key()
        rows = self._header_rows(width)
        self._header_len = len(rows)
        self._mention_rows = {}
        entity, index = self._entity, self._index
        cursor: int | None = None
        if entity is not None and index is not None:
            mentions = index.mentions_of(entity.id)
            counts = index.doc_counts(entity.id)
            digits = max((len(str(index.document(d).layout.line_count)) for d in counts), default=1)
            rows.append(TextRow(Text("")))
            current_doc = None
            for m in mentions:
                if m.doc != current_doc:
                    current_doc = m.doc
                    doc = index.document(m.doc)
                    rows.append(DocumentRow(m.doc, document_label(doc.title, doc.id), counts[m.doc]))
                self._mention_rows[m] = len(rows)
                rows.append(MentionRow(self, m, digits))
            cooccurring = index.cooccurring(entity.id, limit=COOCCURRING_LIMIT)
            if cooccurring:
                rows.append(TextRow(Text("")))
                rows.append(TextRow(Text("Often in the same paragraph (× paragraphs)", style=self.palette("rowlist--heading"))))
                rows.extend(EntityRow(e, c) for e, c in cooccurring)
            if self._current is not None:
                cursor = self._mention_rows.get(self._current)
            if cursor is None and mentions:
                cursor = self._mention_rows.get(mentions[0])
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
            first = next((m for m in self._index.mentions_of(self._entity.id) if m.doc == row.doc_id), None)
            if first is not None:
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
        totals = f"{n} mention{'s' if n != 1 else ''} in {k} document{'s' if k != 1 else ''}"
        text.append(f"  {kind} · {totals}", style=dim)
        return text


class SidePanel(Vertical):
    """Title line + the scrolling cross-reference list."""

    def compose(self) -> ComposeResult:
        yield EntityTitle(id="entity-title")
        yield MentionPanel(id="panel")

    @on(MentionPanel.EntityShown)
    def _entity_shown(self, event: MentionPanel.EntityShown) -> None:
        self.query_one(EntityTitle).show(event)
