"""A virtualised, keyboard-driven list of one-line rows (Line API).

The documents pane, the side panel, the entity index and the problems screen
all show lists that may hold thousands of rows (an entity named 5,000 times).
``RowList`` keeps only lightweight row objects; a row is turned into text
when it scrolls into view, and rendered lines are kept in an LRU cache. Rows
are one screen line each, so the row under the mouse and the scroll extent
are plain arithmetic.

The rows may be any ``Sequence``, including one that makes its rows when they
are indexed (the side panel's, for an entity named 250,000 times): the list
only ever indexes rows on screen and the rows the cursor passes over, and
never copies or walks the whole sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.style import ENTITY_COMPONENTS, Palette


class Row(Protocol):
    """One line of a :class:`RowList`.

    ``attached`` rows (optional attribute) continue the selectable row above
    them: they are highlighted with it and a click on them selects it.
    """

    selectable: bool

    def render(self, width: int, palette: Palette) -> Text:
        """The row's text for ``width`` cells (cropped by the list if longer)."""
        ...


class TextRow:
    """A fixed, non-selectable line (headings, descriptions, hints)."""

    __slots__ = ("text", "selectable")

    def __init__(self, text: Text, selectable: bool = False) -> None:
        self.text = text
        self.selectable = selectable

    def render(self, width: int, palette: Palette) -> Text:
        return self.text


class RowList(ScrollView, can_focus=True):
    """A scrolling list of rows with a highlighted row (the list cursor)."""

    ALLOW_MAXIMIZE = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Go to the highlighted mention / open it", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "rowlist--cursor",
        "rowlist--heading",
        "rowlist--dim",
        "rowlist--match",
        "rowlist--marker",
        *ENTITY_COMPONENTS,
    }

    DEFAULT_CSS = """
    RowList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
    }
    """

    class _RowMessage(Message):
        def __init__(self, row_list: RowList, index: int, row: Row) -> None:
            super().__init__()
            self.row_list = row_list
            self.index = index
            self.row = row

        @property
        def control(self) -> RowList:
            return self.row_list

    class Selected(_RowMessage):
        """Enter (or a click) on a selectable row."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._rows: Sequence[Row] = ()
        self._cursor: int | None = None
        self._generation = 0
        self._strips: LRUCache[tuple[int, int, int, bool], Strip] = LRUCache(1024)
        self.palette = Palette(self)

    # -- content --------------------------------------------------------------
    @property
    def rows(self) -> Sequence[Row]:
        return self._rows

    @property
    def cursor(self) -> int | None:
        """Index of the highlighted row, or None when no row is selectable."""
        return self._cursor

    @property
    def highlighted_row(self) -> Row | None:
        return None if self._cursor is None else self._rows[self._cursor]

    def set_rows(self, rows: Sequence[Row], cursor: int | None = None, *, top: bool = False) -> None:
        """Replace the rows; the cursor goes to ``cursor`` (or the first selectable row).

        ``rows`` is kept as given (not copied), so it may be a virtual sequence.
        """
        self._rows = rows
        self._generation += 1
        self._strips.clear()
        width = max(1, self.scrollable_content_region.width)
        self.virtual_size = Size(width, len(rows))
        if top:
            self.scroll_to(y=0, animate=False, force=True)
        if cursor is None or not (0 <= cursor < len(rows)) or not rows[cursor].selectable:
            cursor = self._next_selectable(-1, 1)
        self._move_cursor(cursor, center=not top)
        self.refresh()

    def _next_selectable(self, start: int, step: int) -> int | None:
        i = start + step
        rows = self._rows
        while 0 <= i < len(rows):
            if rows[i].selectable:
                return i
            i += step
        return None

    def _move_cursor(self, index: int | None, *, center: bool = False) -> None:
        self._cursor = index
        if index is not None:
            self._scroll_row_into_view(index, center=center)
        self.refresh()

    def _scroll_row_into_view(self, index: int, *, center: bool = False) -> None:
        """Scroll so row ``index`` is visible; ``center``: comfortably, a third down."""
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = int(self.scroll_y)
        last = index
        while last + 1 < len(self._rows) and getattr(self._rows[last + 1], "attached", False):
            last += 1
        if center:
            margin = 2 if height > 6 else 0
            if not (top <= index and last < top + height - margin):
                self.scroll_to(y=max(0, index - height // 3), animate=False, force=True)
            return
        if index < top:
            self.scroll_to(y=index, animate=False, force=True)
        elif last >= top + height:
            self.scroll_to(y=min(index, last - height + 1), animate=False, force=True)
        # Keep a heading directly above the first row of a group in view.
        if index > 0 and index - 1 < int(self.scroll_y) and not self._rows[index - 1].selectable:
            self.scroll_to(y=index - 1, animate=False, force=True)

    def move_to(self, index: int, *, center: bool = True) -> None:
        """Highlight row ``index`` (if selectable) and scroll it into view."""
        if 0 <= index < len(self._rows) and self._rows[index].selectable:
            self._move_cursor(index, center=center)

    # -- actions ------------------------------------------------------------------
    def action_cursor_down(self) -> None:
        start = -1 if self._cursor is None else self._cursor
        nxt = self._next_selectable(start, 1)
        if nxt is not None:
            self._move_cursor(nxt)
        else:
            # Nothing (more) to select: plain scrolling, so trailing notes come into view.
            self.scroll_to(y=self.scroll_y + 1, animate=False, force=True)

    def action_cursor_up(self) -> None:
        start = len(self._rows) if self._cursor is None else self._cursor
        prev = self._next_selectable(start, -1)
        if prev is not None:
            self._move_cursor(prev)
        else:
            self.scroll_to(y=max(0, self.scroll_y - 1), animate=False, force=True)

    def _page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        if self._cursor is None:
            self.scroll_to(y=self.scroll_y + direction * height, animate=False, force=True)
            return
        target = min(max(self._cursor + direction * height, 0), len(self._rows) - 1)
        found = self._next_selectable(target - direction, direction)
        if found is None:
            found = self._next_selectable(target, -direction)
        if found is not None:
            self._move_cursor(found)

    def action_page_down(self) -> None:
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_first(self) -> None:
        first = self._next_selectable(-1, 1)
        self.scroll_to(y=0, animate=False, force=True)
        if first is not None:
            self._move_cursor(first)

    def action_last(self) -> None:
        last = self._next_selectable(len(self._rows), -1)
        if last is not None:
            self._move_cursor(last)
        else:  # rows only read, none to pick (the help): its end
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)

    def action_select(self) -> None:
        if self._cursor is not None:
            self.post_message(self.Selected(self, self._cursor, self._rows[self._cursor]))

    async def _on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < len(self._rows):
            index = self._owner(index)
        if 0 <= index < len(self._rows) and self._rows[index].selectable:
            self._move_cursor(index)
            self.post_message(self.Selected(self, index, self._rows[index]))

    # -- rendering -------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.palette.clear()
        self._strips.clear()

    def _on_focus(self, event: events.Focus) -> None:
        self._strips.clear()
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._strips.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._strips.clear()
        width = max(1, self.scrollable_content_region.width)
        self.virtual_size = Size(width, len(self._rows))
        if self._cursor is not None:
            self._scroll_row_into_view(self._cursor)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = int(self.scroll_y) + y
        if width <= 0:
            return Strip.blank(0, base)
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, base)
        highlighted = index == self._cursor or self._attached_to_cursor(index)
        key = (self._generation, index, width, highlighted)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_row(self._rows[index], width, highlighted, base)
            self._strips[key] = strip
        return strip

    def _attached_to_cursor(self, index: int) -> bool:
        cursor = self._cursor
        if cursor is None or index <= cursor:
            return False
        rows = self._rows
        return all(getattr(rows[i], "attached", False) for i in range(cursor + 1, index + 1))

    def _owner(self, index: int) -> int:
        """The selectable row an attached row belongs to."""
        rows = self._rows
        while index > 0 and getattr(rows[index], "attached", False) and not rows[index].selectable:
            index -= 1
        return index

    def _render_row(self, row: Row, width: int, highlighted: bool, base: Style) -> Strip:
        text = row.render(width, self.palette).copy()
        text.no_wrap = True
        if "\n" in text.plain:  # a row is one line, whatever it was built from
            text = Text(" ").join(text.split("\n"))
        text.truncate(width, overflow="ellipsis", pad=True)
        if highlighted:
            cursor_style = self.get_component_rich_style("rowlist--cursor", partial=True)
            text.stylize_before(cursor_style)
        segments = list(text.render(self.app.console))
        return Strip(segments).crop_extend(0, width, base).apply_style(base)
