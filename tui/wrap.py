"""Word-wrap a document into screen rows, by terminal cells, without copying it.

The reader needs, for one width, the start offset of every screen row: with
that list it can render any row on demand (``text[start:next_start]``) and
map an offset to its row with a binary search. Building the list is the only
whole-document pass, so it is kept tight: ASCII lines (and lines whose
characters are all one cell wide) wrap with ``str.rfind`` on character counts;
only lines holding wide (CJK, Hangul) or zero-width characters fall back to a
per-character cell count.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right

from rich.cells import get_character_cell_size

# Characters that are not exactly one cell wide: combining marks, zero-width
# joiners, East Asian wide/full-width ranges (Hangul, CJK, kana, full-width
# forms) and emoji. A line without them wraps by character count.
_NOT_ONE_CELL = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0e31\u0e34-\u0e3a"
    "\u1100-\u115f\u1160-\u11ff\u200b-\u200f\u20d0-\u20ff\u2e80-\u303e\u3041-\u33ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff"
    "\ufe00-\ufe0f\ufe20-\ufe2f\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f000-\U0001faff\U00020000-\U0003fffd\U000e0100-\U000e01ef]"
)


def char_width(ch: str) -> int:
    """Cells taken by one character as the reader draws it (tabs and controls: one)."""
    if ch < " " or ch == "\x7f":
        return 1
    return get_character_cell_size(ch)


def text_cells(s: str) -> int:
    """Cells taken by ``s`` as the reader draws it."""
    if _NOT_ONE_CELL.search(s) is None:
        return len(s)
    return sum(char_width(c) for c in s)


def _wrap_narrow(text: str, start: int, end: int, width: int, out: array) -> None:
    """Wrap text[start:end] (one line, every character one cell) at ``width``.

    A row breaks after its last space that fits, so a row never holds more
    than ``width`` characters (its trailing space included); a word longer
    than the row is cut.
    """
    pos = start
    rfind = text.rfind
    while end - pos > width:
        space = rfind(" ", pos, pos + width)
        brk = space + 1 if space >= pos else pos + width
        out.append(brk)
        pos = brk


def _wrap_cells(text: str, start: int, end: int, width: int, out: array) -> None:
    """Wrap text[start:end] (a line with wide or zero-width characters) at ``width`` cells."""
    pos = start
    while pos < end:
        cells = 0
        last_space = -1
        i = pos
        while i < end:
            ch = text[i]
            w = char_width(ch)
            if cells + w > width and i > pos:
                break
            cells += w
            if ch == " ":
                last_space = i
            i += 1
        if i >= end:
            return
        brk = last_space + 1 if last_space >= pos else i
        out.append(brk)
        pos = brk


def wrap_offsets(text: str, width: int) -> array:
    """Start offsets of every screen row of ``text`` wrapped at ``width`` cells.

    Row ``i`` shows ``text[rows[i]:rows[i+1]]`` minus a trailing newline. Every
    line of the text (split on "\\n" only, like :class:`xref.model.TextLayout`)
    starts a row; an empty text has one row.
    """
    width = max(1, width)
    rows = array("q", [0])
    find = text.find
    search = _NOT_ONE_CELL.search
    n = len(text)
    start = 0
    while True:
        nl = find("\n", start)
        end = n if nl == -1 else nl
        if end - start > width // 2:  # a line this short cannot need wrapping
            if search(text, start, end) is None:
                if end - start > width:
                    _wrap_narrow(text, start, end, width, rows)
            else:
                _wrap_cells(text, start, end, width, rows)
        if nl == -1:
            break
        start = nl + 1
        rows.append(start)
    return rows


class WrapIndex:
    """The rows of one text at one width, with offset <-> row look-ups."""

    __slots__ = ("text", "width", "rows")

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = max(1, width)
        self.rows = wrap_offsets(text, self.width)

    def __len__(self) -> int:
        return len(self.rows)

    def row_of(self, offset: int) -> int:
        return max(0, bisect_right(self.rows, offset) - 1)

    def span(self, row: int) -> tuple[int, int]:
        """(start, stop) of the offsets on ``row``; stop is exclusive and may
        include the newline that ends a line (drawn as a blank cell)."""
        start = self.rows[row]
        stop = self.rows[row + 1] if row + 1 < len(self.rows) else len(self.text)
        return start, stop

    def column_of(self, offset: int) -> int:
        """Cell column of ``offset`` within its row."""
        start, _ = self.span(self.row_of(offset))
        return text_cells(self.text[start:offset])

    def offset_at(self, row: int, column: int) -> int:
        """The offset drawn at cell ``column`` of ``row``, clamped to the row."""
        row = min(max(row, 0), len(self.rows) - 1)
        start, stop = self.span(row)
        last = max(start, stop - 1)
        column = max(column, 0)
        segment = self.text[start:stop]
        if _NOT_ONE_CELL.search(segment) is None:
            return min(start + column, last)
        cells = 0
        for i, ch in enumerate(segment):
            cells += char_width(ch)
            if cells > column:
                return start + i
        return last


__all__ = ["WrapIndex", "char_width", "text_cells", "wrap_offsets"]
